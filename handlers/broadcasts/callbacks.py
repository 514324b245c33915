"""Callback data of the announcement buttons. Ids in them are checked again on press
(a forged callback names another village's announcement or group)."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData

from bot.callback_ids import OptionalRowId, RowId, SmallInt


class BcBack(CallbackData, prefix="bcb"):
    to: str  # content | audience | when | options


class BcEdit(CallbackData, prefix="bce"):
    """At the preview: fix the text, keeping the audience and the time."""


class BcCancelYes(CallbackData, prefix="bcxy"):
    id: RowId


class BcMenu(CallbackData, prefix="bcm"):
    action: str  # new | cancel
    id: OptionalRowId = 0


class BcAudience(CallbackData, prefix="bca"):
    what: str  # all | g | members | residents | next
    id: OptionalRowId = 0


class BcWhen(CallbackData, prefix="bcw"):
    what: str  # now | at | weekly | monthly


class BcAt(CallbackData, prefix="bcat"):
    days: SmallInt
    hour: SmallInt
    minute: SmallInt


class BcDay(CallbackData, prefix="bcd"):
    day: SmallInt


class BcTime(CallbackData, prefix="bct"):
    hour: SmallInt
    minute: SmallInt


class BcOption(CallbackData, prefix="bco"):
    what: str  # pin | ack | preview


class BcConfirm(CallbackData, prefix="bcc"):
    what: str  # send | cancel


class BcShow(CallbackData, prefix="bcs"):
    id: RowId


class BcCancel(CallbackData, prefix="bcx"):
    id: RowId
