"""Callback data of the consultation buttons. Every id and mask is checked again on
press: a forged button naming another village's consultation, a choice out of range
or a household of another village is refused politely."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class YkOpen(CallbackData, prefix="yko"):
    consultation_id: int


class YkVote(CallbackData, prefix="ykv"):
    consultation_id: int
    mask: int  # bit i: option i; bit n: "other" (n options)
    go: bool = True  # False: a multiple-choice toggle, not yet sent


class YkNew(CallbackData, prefix="ykn"):
    what: str  # start | kind | other | voters | names | campaign | create | cancel
    value: str = ""


class YkManage(CallbackData, prefix="ykm"):
    action: str  # view | silent | papers | close | close_yes
    consultation_id: int
