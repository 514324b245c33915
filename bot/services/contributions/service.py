"""Contribution campaigns, pledges and receipts: the rules, with no aiogram.

Every function takes plain values, an :class:`Actor` and the ``Repo``; it checks the
actor first (``authz``), raises domain errors the handlers turn into text, and writes
an audit entry for every change. Nothing here commits.

This module is the one entry point (``from bot.services.contributions import service``);
the rules live by sub-feature in ``campaigns``, ``pledges``, ``receipts`` and
``transparency``."""

from __future__ import annotations

from bot.services.contributions.amounts import InvalidAmount
from bot.services.contributions.campaigns import (
    CODE_ALPHABET,
    KINDS,
    UNITS,
    CampaignInvalid,
    ParsedAmount,
    campaigns_for,
    create_campaign,
    edit_campaign,
    local_today,
    new_code,
    open_by_link,
    parse_amount,
    set_campaign_status,
    visible_campaign,
)
from bot.services.contributions.pledges import (
    cancel_pledge,
    change_pledge,
    confirm_pledge,
    own_pledge,
    set_pledge_extras,
    stop_reminders,
)
from bot.services.contributions.receipts import (
    ImportReport,
    export_rows,
    import_receipts,
    pledge_for_treasurer,
    record_receipt,
    reverse_receipt,
    statement_matches,
)
from bot.services.contributions.transparency import (
    Board,
    Contributor,
    KindLine,
    board,
    mark_overdue,
)
from bot.services.errors import NotAllowed, NotFound
from storage.models import CampaignStatus, ContributionKind, PledgeStatus

__all__ = [
    "CODE_ALPHABET",
    "KINDS",
    "UNITS",
    "Board",
    "CampaignInvalid",
    "CampaignStatus",
    "ContributionKind",
    "Contributor",
    "ImportReport",
    "InvalidAmount",
    "KindLine",
    "NotAllowed",
    "NotFound",
    "ParsedAmount",
    "PledgeStatus",
    "board",
    "campaigns_for",
    "cancel_pledge",
    "change_pledge",
    "confirm_pledge",
    "create_campaign",
    "edit_campaign",
    "export_rows",
    "import_receipts",
    "local_today",
    "mark_overdue",
    "new_code",
    "own_pledge",
    "parse_amount",
    "pledge_for_treasurer",
    "record_receipt",
    "reverse_receipt",
    "set_campaign_status",
    "set_pledge_extras",
    "statement_matches",
    "stop_reminders",
    "open_by_link",
    "visible_campaign",
]
