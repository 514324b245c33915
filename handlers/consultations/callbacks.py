"""Callback data of the consultation buttons. Every id and mask is checked again on
press: a forged button naming another village's consultation, a choice out of range
or a household of another village is refused politely."""

from __future__ import annotations

from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from pydantic import Field

from bot.callback_ids import RowId

# Bit i is option i, bit n is "other": at most 10 options and "other" (MAX_OPTIONS).
Mask = Annotated[int, Field(ge=0, le=2**11 - 1)]


class YkOpen(CallbackData, prefix="yko"):
    consultation_id: RowId


class YkVote(CallbackData, prefix="ykv"):
    consultation_id: RowId
    mask: Mask  # bit i: option i; bit n: "other" (n options)
    go: bool = True  # False: a multiple-choice toggle, not yet sent


class YkNew(CallbackData, prefix="ykn"):
    what: str  # start | kind | other | voters | names | campaign | create | cancel
    value: str = ""


class YkManage(CallbackData, prefix="ykm"):
    action: str  # view | silent | papers | close | close_yes
    consultation_id: RowId
