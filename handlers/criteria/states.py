"""FSM states of the criteria flows: the note of a status update, the answer to a question."""

from __future__ import annotations

from aiogram.fsm.state import State, StatesGroup


class StatusNote(StatesGroup):
    note = State()


class Answering(StatesGroup):
    text = State()
