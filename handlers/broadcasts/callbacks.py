"""Callback data of the announcement buttons. Ids in them are checked again on press
(a forged callback names another village's announcement or group)."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class BcBack(CallbackData, prefix="bcb"):
    to: str  # content | audience | when | options


class BcEdit(CallbackData, prefix="bce"):
    """At the preview: fix the text, keeping the audience and the time."""


class BcCancelYes(CallbackData, prefix="bcxy"):
    id: int


class BcMenu(CallbackData, prefix="bcm"):
    action: str  # new | cancel
    id: int = 0


class BcAudience(CallbackData, prefix="bca"):
    what: str  # all | g | members | residents | next
    id: int = 0


class BcWhen(CallbackData, prefix="bcw"):
    what: str  # now | at | weekly | monthly


class BcAt(CallbackData, prefix="bcat"):
    days: int
    hour: int
    minute: int


class BcDay(CallbackData, prefix="bcd"):
    day: int


class BcTime(CallbackData, prefix="bct"):
    hour: int
    minute: int


class BcOption(CallbackData, prefix="bco"):
    what: str  # pin | ack | preview


class BcConfirm(CallbackData, prefix="bcc"):
    what: str  # send | cancel


class BcShow(CallbackData, prefix="bcs"):
    id: int


class BcCancel(CallbackData, prefix="bcx"):
    id: int
