"""What the contributions handler modules share: the FSM states, the clock, and
editing a message that may be unchanged."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import Message

from bot import clock
from bot.delivery.contract import Delivery
from bot.services.contributions import files
from storage.repo import Repo

EnqueueDelivery = Callable[[Repo, Delivery], Awaitable[bool]]
MAX_UPLOAD = files.MAX_BYTES


class Pledging(StatesGroup):
    amount = State()
    note = State()
    change = State()
    household = State()


class Books(StatesGroup):
    statement = State()
    receipts = State()
    end_date = State()
    receipt_method = State()


class NewCampaign(StatesGroup):
    name = State()
    kinds = State()
    goal = State()
    end = State()
    bank = State()
    names = State()
    review = State()


def now() -> datetime:
    return clock.now()


async def edit(message: Any, text: str, markup: Any = None) -> None:
    if not isinstance(message, Message):
        return
    try:
        await message.edit_text(text, reply_markup=markup)
    except TelegramBadRequest as exc:
        if "not modified" not in exc.message:
            raise


async def set_markup(message: Message, markup: Any) -> None:
    try:
        await message.edit_reply_markup(reply_markup=markup)
    except TelegramBadRequest as exc:
        if "not modified" not in exc.message:
            raise
