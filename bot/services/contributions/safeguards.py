"""Pledges recorded for others, and undoing a wrong one.

A pledge in a household's name (``/ghinhan``) is recorded by those who keep the books
or by the member whose visiting list holds that household, and one record holds at most
:data:`RECORD_CAPS`. An amount far above what the campaign usually gets (more than
:data:`OUTLIER_FACTOR` times the median of its pledges of that kind) is named as such at
the confirmation. The secretary voids any pledge (nothing received on it yet) with a
reason that stays in the audit log."""

from __future__ import annotations

from datetime import datetime
from statistics import median

from bot.services.authz import Action, Actor, may_record_for_household
from bot.services.contributions.amounts import InvalidAmount
from bot.services.contributions.campaigns import CampaignInvalid, ParsedAmount, visible_campaign
from bot.services.errors import NotAllowed, NotFound
from storage.models import Campaign, Pledge, PledgeStatus
from storage.repo import Repo

# The most one record for a household may hold, per kind (đồng, days, units, m²).
RECORD_CAPS = {"money": 100_000_000, "labour": 60, "material": 5_000, "land": 2_000}
OUTLIER_FACTOR = 10
OUTLIER_MIN_PLEDGES = 3  # fewer pledges of a kind make no "usual" amount
MAX_REASON = 300


class RecordTooLarge(InvalidAmount):
    """More than one record for a household may hold (``cap`` in the kind's unit)."""

    def __init__(self, kind: str, cap: int, unit: str = "") -> None:
        super().__init__("record_cap")
        self.kind = kind
        self.cap = cap
        self.unit = unit


async def check_household_record(
    repo: Repo, actor: Actor, campaign: Campaign, household_id: int, parsed: ParsedAmount | None
) -> None:
    """Raises NotAllowed, NotFound or RecordTooLarge; ``parsed`` None checks who only."""
    household = await repo.contributions.household(household_id)
    if household is None or household.village_id != campaign.village_id:
        raise NotFound("household")
    visitor = await repo.visits.visitor_of(household_id)
    if not may_record_for_household(actor, campaign.village_id, visitor):
        raise NotAllowed(Action.RECORD_PLEDGE_FOR_HOUSEHOLD.value)
    if parsed is not None:
        cap = RECORD_CAPS.get(parsed.kind.value)
        if cap is not None and parsed.amount > cap:
            raise RecordTooLarge(parsed.kind.value, cap, parsed.unit)


async def outlier_times(repo: Repo, campaign_id: int, parsed: ParsedAmount) -> int | None:
    """How many times the campaign's median pledge of this kind (and unit) ``parsed``
    is, when that is more than OUTLIER_FACTOR; else None."""
    amounts = [
        p.amount
        for p in await repo.contributions.pledges_of_campaign(campaign_id)
        if p.kind == parsed.kind.value
        and p.unit == parsed.unit
        and p.status != PledgeStatus.CANCELLED
    ]
    if len(amounts) < OUTLIER_MIN_PLEDGES:
        return None
    usual = median(amounts)
    if usual <= 0 or parsed.amount <= OUTLIER_FACTOR * usual:
        return None
    return int(parsed.amount // usual)


async def void_pledge(
    repo: Repo, actor: Actor, pledge_id: int, reason: str, now: datetime
) -> Pledge:
    """The secretary cancels anyone's pledge; the reason goes to the audit log. A pledge
    with something received stays (its receipts are reversed first)."""
    pledge = await repo.contributions.pledge(pledge_id)
    if pledge is None:
        raise NotFound("pledge")
    campaign = await visible_campaign(repo, actor, campaign_id=pledge.campaign_id)
    actor.require(Action.VOID_PLEDGE, campaign.village_id)
    reason = " ".join(reason.split())[:MAX_REASON]
    if not reason:
        raise CampaignInvalid("void_reason")
    if pledge.status == PledgeStatus.CANCELLED:
        raise CampaignInvalid("already_cancelled")
    if pledge.received:
        raise CampaignInvalid("has_receipts")
    await repo.contributions.set_pledge(pledge.id, now, status=PledgeStatus.CANCELLED.value)
    await repo.session.refresh(pledge)
    repo.audit.add(
        "pledge_voided",
        actor_user_id=actor.user_id,
        village_id=campaign.village_id,
        details={
            "pledge_id": pledge.id,
            "reason": reason,
            "kind": pledge.kind,
            "amount": pledge.amount,
            "household_id": pledge.household_id,
            "recorded_by_user_id": pledge.recorded_by_user_id,
        },
    )
    return pledge
