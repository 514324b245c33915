"""What the consultation handler modules share: the FSM states, the clock, the words
that cancel a step."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot import clock
from bot.delivery.contract import Delivery
from storage.repo import Repo

EnqueueDelivery = Callable[[Repo, Delivery], Awaitable[bool]]
CANCEL_WORDS = frozenset({"hủy", "huỷ", "huy", "/huy", "/cancel", "cancel", "thôi", "thoi"})


class NewConsultation(StatesGroup):
    question = State()
    kind = State()
    options = State()
    other = State()
    voters = State()
    names = State()
    closes = State()
    campaign = State()
    review = State()


class Voting(StatesGroup):
    code = State()  # the household's code, typed
    other = State()  # the "other" answer, typed


def now() -> datetime:
    return clock.now()


def is_cancel(text: str | None) -> bool:
    return (text or "").strip().casefold() in CANCEL_WORDS


async def edit(message: Any, text: str, markup: Any = None) -> None:
    if not isinstance(message, Message):
        return
    try:
        await message.edit_text(text, reply_markup=markup)
    except TelegramBadRequest as exc:
        if "not modified" not in exc.message:
            raise


async def answer(callback: CallbackQuery, text: str | None = None, *, show_alert: bool = False) -> None:
    """Answer a button press. A press handled late (after a restart, from the durable
    inbox) can no longer be answered: Telegram says the query is too old. The press's
    work (a vote) must still happen, so that refusal is ignored here."""
    try:
        await callback.answer(text, show_alert=show_alert)
    except TelegramBadRequest as exc:
        if "query is too old" not in exc.message and "query id is invalid" not in exc.message.lower():
            raise
