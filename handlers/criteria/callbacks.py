"""Callback data of the criteria buttons. Every id in them is checked again on press
(a forged callback names another village's question or a set that is gone)."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData

from bot.callback_ids import OptionalRowId


class Crit(CallbackData, prefix="c"):
    a: str  # sets | set | crit | ind | pick | status | ask | faq | faqpick | answer
    s: str = ""  # set code
    n: OptionalRowId = 0  # criterion number, page or question id
    v: str = ""  # status value, or question id for faqpick
