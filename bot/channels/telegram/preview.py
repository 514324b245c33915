"""A broadcast shown to its author before it is confirmed (run 0), in Telegram's
terms: the same header, text and "Đã nắm" button the engine's renderer produces."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiogram import Bot
from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.callback_ids import OptionalRowId
from bot.services.markup import esc


class AckButton(CallbackData, prefix="bcack"):
    """The "Đã nắm" button under a broadcast (run 0: the author's preview)."""

    run_id: OptionalRowId  # 0: the author's preview


@dataclass(frozen=True, slots=True)
class Content:
    kind: str
    text: str
    file_id: str | None
    village: str
    pin: bool
    ask_ack: bool


def render(
    content: Content, i18n: I18n, locale: str, run_id: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    with i18n.context(), i18n.use_locale(locale):
        header = _("📢 <b>Announcement – {village}</b>").format(
            village=esc(content.village)
        )
        markup = None
        if content.ask_ack:
            markup = InlineKeyboardMarkup(
                inline_keyboard=[
                    [
                        InlineKeyboardButton(
                            text=_("✅ Got it"), callback_data=AckButton(run_id=run_id).pack()
                        )
                    ]
                ]
            )
    body = esc(content.text)
    return (f"{header}\n\n{body}" if body else header), markup


async def send_content(
    bot: Bot,
    chat_id: int,
    content: Content,
    text: str,
    markup: InlineKeyboardMarkup | None,
    **kwargs: Any,
) -> Message:
    if content.kind == "photo":
        return await bot.send_photo(
            chat_id, content.file_id or "", caption=text, reply_markup=markup, **kwargs
        )
    if content.kind == "document":
        return await bot.send_document(
            chat_id, content.file_id or "", caption=text, reply_markup=markup, **kwargs
        )
    return await bot.send_message(chat_id, text, reply_markup=markup, **kwargs)
