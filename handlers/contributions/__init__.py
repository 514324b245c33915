"""Contributions in chat: /donggop and the ``dg_<code>`` deep link (campaign → kind →
amount → confirm, then the VietQR), /cuatoi (my pledges), /congkhai (the public board
and chart), /thu (a receipt), and the campaign tools of the secretary and treasurer.

Handlers parse, call ``bot.services.contributions.service`` and render; a domain error
becomes a polite answer and nothing typed is lost (the state stays where it was).
The flows live in ``pledge``, ``mine``, ``public``, ``treasurer`` and ``campaigns``."""

from __future__ import annotations

from aiogram import F, Router

from handlers.contributions import campaigns, mine, pledge, public, treasurer, void
from handlers.contributions.common import (
    MAX_UPLOAD,
    Books,
    EnqueueDelivery,
    NewCampaign,
    Pledging,
    set_markup,
)
from handlers.contributions.pledge import (
    idempotency_key,
    open_campaign_link,
    send_vietqr,
    show_campaign,
)


def contributions_router() -> Router:
    """One router; the modules register their handlers on it in this order, which is
    their priority (a state filter before the catch-all of the same state)."""
    router = Router(name="contributions")
    router.message.filter(F.chat.type == "private")
    router.callback_query.filter(F.message.chat.type == "private")
    void.register(router)  # /huycamket: the secretary voids a pledge, with a reason
    pledge.register(router)  # /donggop, dg_<code>, amounts, confirm, /ghinhan
    mine.register(router)  # my pledge's buttons and typed replies, /cuatoi
    public.register(router)  # /congkhai
    treasurer.register_receipts(router)  # /thu
    treasurer.register_reversal(router)  # /huythu
    campaigns.register_manage(router)  # the manage buttons, the new end date
    treasurer.register_sheets(router)  # receipts sheets, bank statements
    campaigns.register_wizard(router)  # /taodonggop
    return router


__all__ = [
    "MAX_UPLOAD",
    "Books",
    "EnqueueDelivery",
    "NewCampaign",
    "Pledging",
    "contributions_router",
    "idempotency_key",
    "open_campaign_link",
    "send_vietqr",
    "set_markup",
    "show_campaign",
]
