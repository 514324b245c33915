"""A way out of every step: in any conversation state, "hủy", "/huy" (or "/cancel") and a
"✖ Cancel" button end the step and say that nothing more was changed. ``/start`` also
ends any step (the start router clears the state before it welcomes)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.services.vntext import fold

# Typed alone (any case, with or without diacritics), these end the current step.
CANCEL_WORDS = frozenset({"huy", "huy bo", "thoi", "cancel", "stop"})
CANCEL_COMMANDS = ("huy", "cancel")


class CancelCb(CallbackData, prefix="x"):
    """The generic "✖ Cancel" button of a step."""


def is_cancel_word(text: str | None) -> bool:
    return bool(text) and len(text or "") <= 20 and fold(text or "") in CANCEL_WORDS


def cancel_button() -> InlineKeyboardButton:
    return InlineKeyboardButton(text=_("✖ Cancel"), callback_data=CancelCb().pack())


def add_cancel(builder: InlineKeyboardBuilder) -> InlineKeyboardBuilder:
    """Adds the "✖ Cancel" button (the caller still calls ``adjust``)."""
    builder.add(cancel_button())
    return builder


def cancel_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[cancel_button()]])


def cancelled_text() -> str:
    return _("Cancelled. Nothing more was changed. Send /start or use the menu to begin again.")


def cancel_router() -> Router:
    """Early in line, so that a cancel word is never taken as a step's answer."""
    router = Router(name="cancel")
    router.message.filter(F.chat.type == "private")

    @router.message(Command(*CANCEL_COMMANDS))
    async def command_cancel_handler(message: Message, state: FSMContext) -> None:
        if await state.get_state() is None:
            await message.answer(_("There is nothing to cancel. Send /start or use the menu."))
            return
        await state.clear()
        await message.answer(cancelled_text())

    @router.message(~StateFilter(None), F.text.func(is_cancel_word))
    async def cancel_word_typed(message: Message, state: FSMContext) -> None:
        await state.clear()
        await message.answer(cancelled_text())

    @router.callback_query(CancelCb.filter())
    async def cancel_pressed(callback: CallbackQuery, state: FSMContext) -> None:
        await state.clear()
        await callback.answer()
        if isinstance(callback.message, Message):
            await callback.message.edit_reply_markup(reply_markup=None)
            await callback.message.answer(cancelled_text())

    return router
