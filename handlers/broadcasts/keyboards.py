"""Keyboards of the compose flow: every step ends with "back" and "close"."""

from __future__ import annotations

from typing import Any

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.i18n import pgettext
from handlers.broadcasts.callbacks import (
    BcAt,
    BcAudience,
    BcBack,
    BcDay,
    BcMenu,
    BcOption,
    BcTime,
    BcWhen,
)
from handlers.broadcasts.texts import weekday_names

TIMES = ((5, 30), (6, 0), (6, 30), (7, 0), (8, 0), (17, 0), (19, 0), (20, 0))


async def set_markup(message: Message, markup: InlineKeyboardMarkup | None) -> None:
    """Edit a keyboard; a double tap that changes nothing is not an error."""
    try:
        await message.edit_reply_markup(reply_markup=markup)
    except TelegramBadRequest as exc:
        if "not modified" not in exc.message:
            raise


def _check(on: bool) -> str:
    return "✅" if on else "⬜"


def cancel_row(builder: InlineKeyboardBuilder, back: str | None = None) -> None:
    """The last row of every compose step: back one step (when there is one) and close.
    "✖ Close" only abandons the draft; deleting a scheduled announcement is "🗑" and asks first."""
    if back is not None:
        builder.button(text=_("◀ Back"), callback_data=BcBack(to=back))
    builder.button(text=_("✖ Close without sending"), callback_data=BcMenu(action="cancel"))


MAX_GROUP_BUTTONS = 30


def audience_keyboard(data: dict[str, Any], groups: list[tuple[int, str]]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    chosen = set(data.get("group_ids", []))
    every = bool(data.get("all_groups"))
    if groups:
        label = _("All village groups")
        builder.button(text=f"{_check(every)} {label}", callback_data=BcAudience(what="all"))
        for chat_id, title in groups[:MAX_GROUP_BUTTONS]:  # "All village groups" covers the rest
            builder.button(
                text=f"{_check(every or chat_id in chosen)} 👥 {title}",
                callback_data=BcAudience(what="g", id=chat_id),
            )
    members, residents = _("Party members"), _("Residents who use the bot")
    builder.button(
        text=f"{_check(data.get('members', False))} 🎖 {members}",
        callback_data=BcAudience(what="members"),
    )
    builder.button(
        text=f"{_check(data.get('residents', False))} 🏠 {residents}",
        callback_data=BcAudience(what="residents"),
    )
    builder.button(text=pgettext("continue", "Next ▶"), callback_data=BcAudience(what="next"))
    cancel_row(builder, back="content")
    return builder.adjust(1).as_markup()


def when_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("📤 Send now"), callback_data=BcWhen(what="now"))
    builder.button(text=_("🕒 At a date and time"), callback_data=BcWhen(what="at"))
    builder.button(text=_("🔁 Every week"), callback_data=BcWhen(what="weekly"))
    builder.button(text=_("🔁 Every month"), callback_data=BcWhen(what="monthly"))
    cancel_row(builder, back="audience")
    return builder.adjust(1).as_markup()


def at_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for hour in (7, 19):
        builder.button(
            text=_("Tomorrow {hour:02d}:00").format(hour=hour),
            callback_data=BcAt(days=1, hour=hour, minute=0),
        )
    cancel_row(builder, back="when")
    return builder.adjust(2, 1).as_markup()


def day_keyboard(kind: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    if kind == "weekly":
        for number, name in enumerate(weekday_names()):
            builder.button(text=name, callback_data=BcDay(day=number))
        builder.adjust(2)
    else:
        for day in range(1, 32):
            builder.button(text=str(day), callback_data=BcDay(day=day))
        builder.adjust(7)
    cancel_row(builder, back="when")
    return builder.as_markup()


def time_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for hour, minute in TIMES:
        builder.button(
            text=f"{hour:02d}:{minute:02d}", callback_data=BcTime(hour=hour, minute=minute)
        )
    cancel_row(builder, back="when")
    return builder.adjust(4, 4, 2).as_markup()


def options_keyboard(data: dict[str, Any]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    if data.get("all_groups") or data.get("group_ids"):
        pin = _("Pin in the groups")
        builder.button(
            text=f"{_check(data.get('pin', False))} 📌 {pin}", callback_data=BcOption(what="pin")
        )
    ack = _("Ask for “Got it”")
    builder.button(
        text=f"{_check(data.get('ack', False))} ✋ {ack}", callback_data=BcOption(what="ack")
    )
    builder.button(text=_("👀 Preview ▶"), callback_data=BcOption(what="preview"))
    cancel_row(builder, back="when")
    return builder.adjust(1).as_markup()
