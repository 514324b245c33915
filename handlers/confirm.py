"""Confirmations that last (issue 16.6): an important action is confirmed by a message in
the chat, not a two-second pop-up, and the button that did it goes away (a second press
cannot repeat it, and the screen shows what was done)."""

from __future__ import annotations

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message


def without_button(markup: InlineKeyboardMarkup | None, data: str | None) -> InlineKeyboardMarkup | None:
    """``markup`` less the button whose callback data is ``data`` (None when nothing is left)."""
    if markup is None:
        return None
    rows = [[b for b in row if b.callback_data != data] for row in markup.inline_keyboard]
    rows = [row for row in rows if row]
    return InlineKeyboardMarkup(inline_keyboard=rows) if rows else None


async def confirm(callback: CallbackQuery, text: str, *, drop: str = "button") -> None:
    """Answers the press quietly, removes the pressed button (``drop="button"``) or every
    button (``drop="all"``) of its message, and says ``text`` in a new message."""
    await callback.answer()
    message = callback.message
    if not isinstance(message, Message):
        return
    markup = None if drop == "all" else without_button(message.reply_markup, callback.data)
    # A double press finds the button gone already: nothing to edit. (The edit is sent after
    # the update's commit, so Telegram's "message is not modified" would not reach here.)
    if markup != message.reply_markup:
        try:
            await message.edit_reply_markup(reply_markup=markup)
        except TelegramBadRequest as exc:  # sent at once (no outbox): pressed twice meanwhile
            if "not modified" not in exc.message:
                raise
    await message.answer(text)
