"""Callback data of the contributions buttons. Every id in them is checked again on
press (a forged callback names someone else's pledge or another village's campaign)."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData

from bot.callback_ids import Amount, RowId, SmallInt


class DgCampaign(CallbackData, prefix="dgo"):
    campaign_id: RowId


class DgKind(CallbackData, prefix="dgk"):
    campaign_id: RowId
    kind: str


class DgAmount(CallbackData, prefix="dga"):
    amount: Amount  # 0: "type another amount"


class DgConfirm(CallbackData, prefix="dgc"):
    token: str  # the confirmation's own token: its idempotency key
    ok: bool = True


class PledgeAction(CallbackData, prefix="dgp"):
    action: str  # stop | note | name | hh | change | cancel | qr
    pledge_id: RowId


class DgHousehold(CallbackData, prefix="dgh"):
    pledge_id: RowId
    household_id: RowId


class DgManage(CallbackData, prefix="dgm"):
    action: (
        str  # board | export | statement | import | close | reopen | poster | announce | post | end
    )
    campaign_id: RowId


class DgMatch(CallbackData, prefix="dgs"):
    index: SmallInt  # -1: all matches


class DgReceipt(CallbackData, prefix="dgr"):
    method: str  # cash | transfer | cancel


class DgNew(CallbackData, prefix="dgn"):
    what: str  # start | kind | next | public | private | cancel | create | edit
    kind: str = ""  # the kind; for "edit", the step: name | kinds | end | bank
