"""What is left over: unknown commands, stickers, voice, very long texts."""

from __future__ import annotations

import logging
import re

from aiogram import F, Router
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

log = logging.getLogger(__name__)

MAX_TEXT = 1000
# Button data carries database row ids (INTEGER: 32-bit on PostgreSQL) and small numbers,
# typed with ``bot.callback_ids`` in every CallbackData class, so an impossible value fails
# at unpacking. Numbers inside text fields (``Crit.v``) are checked here too, in every form
# Python's ``int`` reads ("+5", " 5", "1_000"). A feature whose buttons carry wider numbers
# (a Telegram chat id) adds its prefix to WIDE_INT_PREFIXES, which allows signed 64 bits.
INT32 = 2**31
INT64 = 2**63
WIDE_INT_PREFIXES: set[str] = {"dga"}  # DgAmount: đồng, a BIGINT
_INT = re.compile(r"\s*[+-]?[\d_]+\s*")


def _callback_classes() -> dict[str, type[CallbackData]]:
    """Every CallbackData class defined so far, by prefix."""
    found: dict[str, type[CallbackData]] = {}
    pending: list[type[CallbackData]] = list(CallbackData.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        prefix = getattr(cls, "__prefix__", None)
        if prefix:
            found[prefix] = cls
    return found


def _number(part: str) -> int | None:
    if not _INT.fullmatch(part):
        return None
    try:
        return int(part)
    except ValueError:
        return None


def button_data_out_of_range(data: str | None) -> bool:
    """Whether ``data`` (``prefix:part:part``) holds what no button of ours can hold: a
    number out of range, or data its own CallbackData class refuses to unpack."""
    if not data:
        return False
    prefix, *parts = data.split(":")
    limit = INT64 if prefix in WIDE_INT_PREFIXES else INT32
    for part in parts:
        number = _number(part)
        if number is not None and not -limit <= number < limit:
            return True
    cls = _callback_classes().get(prefix)
    if cls is None:
        return False  # not ours: the stale-buttons router answers it
    try:
        cls.unpack(data)
    except (TypeError, ValueError):
        return True
    return False


def callback_guard_router() -> Router:
    """First in line: button data with impossible numbers is refused politely, before any
    handler takes it to the database (issue 8: a traceback for each such press)."""
    router = Router(name="callback_guard")

    @router.callback_query(F.data.func(button_data_out_of_range))
    async def impossible_button(callback: CallbackQuery) -> None:
        log.warning("refused button data with an out-of-range number from user %s", callback.from_user.id)
        await callback.answer(_("Sorry, this choice is not valid. Please start again from the menu."), show_alert=True)

    return router


def stale_buttons_router() -> Router:
    """Last in line: a button nobody handled (from an abandoned or finished flow, or from
    before a restart) still gets an answer, so Telegram stops the spinner."""
    router = Router(name="stale_buttons")

    @router.callback_query()
    async def stale_button(callback: CallbackQuery) -> None:
        await callback.answer(
            _("This session has ended. Send /start or use the menu to start again."), show_alert=True
        )

    return router


def fallback_router() -> Router:
    router = Router(name="fallback")
    router.message.filter(F.chat.type == "private")

    @router.message(F.text.startswith("/"))
    async def unknown_command(message: Message) -> None:
        await message.answer(_("I don't know that command. Send /help to see what I can do."))

    @router.message(F.text.len() > MAX_TEXT)
    async def too_long(message: Message) -> None:
        await message.answer(
            _("Your message is very long. Please send a shorter question (under {limit} characters).").format(
                limit=MAX_TEXT
            )
        )

    @router.message(~F.text)
    async def not_text(message: Message) -> None:
        await message.answer(_("I can only read text for now. Please type your question or choose an item."))

    return router


def catch_all_router() -> Router:
    """Answers text nobody else took, until the criteria feature owns free questions."""
    router = Router(name="catch_all")
    router.message.filter(F.chat.type == "private", F.text)

    @router.message()
    async def anything_else(message: Message) -> None:
        await message.answer(_("Send /help to see what I can do."))

    return router
