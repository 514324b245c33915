"""FSM states of composing an announcement."""

from __future__ import annotations

from aiogram.fsm.state import State, StatesGroup


class Compose(StatesGroup):
    content = State()
    audience = State()
    when = State()
    date = State()
    day = State()
    time = State()
    options = State()
    confirm = State()
