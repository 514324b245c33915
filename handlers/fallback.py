"""What is left over: unknown commands, stickers, voice, very long texts."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

MAX_TEXT = 1000


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
        await message.answer(_("I can only read text for now. Please type your question or use the buttons."))

    return router


def catch_all_router() -> Router:
    """Answers text nobody else took, until the criteria feature owns free questions."""
    router = Router(name="catch_all")
    router.message.filter(F.chat.type == "private", F.text)

    @router.message()
    async def anything_else(message: Message) -> None:
        await message.answer(_("Send /help to see what I can do."))

    return router
