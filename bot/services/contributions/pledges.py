"""Pledges (cam kết): a resident's own, or one a village officer records for a
household; changing, cancelling and silencing them while nothing is received."""

from __future__ import annotations

from datetime import datetime

from bot.services.authz import Actor
from bot.services.contributions.campaigns import (
    CampaignInvalid,
    ParsedAmount,
    local_today,
    parse_amount,
    visible_campaign,
)
from bot.services.contributions.safeguards import check_household_record
from bot.services.contributions.vietqr import new_memo_check
from bot.services.errors import NotFound
from bot.services.households import require_verified
from storage.models import Campaign, CampaignStatus, Pledge, PledgeStatus
from storage.repo import Repo


async def confirm_pledge(
    repo: Repo,
    actor: Actor,
    *,
    campaign_id: int,
    parsed: ParsedAmount,
    idempotency_key: str,
    contributor_name: str,
    now: datetime,
    household_id: int | None = None,
    for_household: bool = False,
    timezone: str = "Asia/Ho_Chi_Minh",
) -> tuple[Pledge, bool]:
    """One pledge per ``idempotency_key`` (the confirmation it came from): a second
    press returns the first pledge and ``False``."""
    campaign = await visible_campaign(repo, actor, campaign_id=campaign_id)
    if for_household:
        if household_id is None:
            raise NotFound("household")
        await check_household_record(repo, actor, campaign, household_id, parsed)
    if campaign.status != CampaignStatus.OPEN or local_today(now, timezone) > campaign.ends_on:
        raise CampaignInvalid("closed")
    accepted = {goal.kind for goal in await repo.contributions.goals(campaign.id)}
    if parsed.kind.value not in accepted:
        raise CampaignInvalid("kind_not_accepted")
    if household_id is not None:
        await _own_village_household(repo, campaign, household_id)
    pledge, created = await repo.contributions.confirm_pledge(
        idempotency_key[:80],
        campaign_id=campaign.id,
        user_id=None if for_household else actor.user_id,
        household_id=household_id,
        kind=parsed.kind.value,
        amount=parsed.amount,
        unit=parsed.unit,
        material=parsed.material,
        received=0,
        status=PledgeStatus.PLEDGED.value,
        contributor_name=contributor_name[:200],
        show_name=False,
        note="",
        stop_reminders=False,
        memo_check=new_memo_check(),
        recorded_by_user_id=actor.user_id,
        created_at=now,
        updated_at=now,
    )
    if created:
        repo.audit.add(
            "pledge_created",
            actor_user_id=actor.user_id,
            village_id=campaign.village_id,
            details={
                "pledge_id": pledge.id,
                "kind": parsed.kind.value,
                "amount": parsed.amount,
                "for_household": for_household,
            },
        )
    return pledge, created


async def _own_village_household(repo: Repo, campaign: Campaign, household_id: int) -> None:
    household = await repo.contributions.household(household_id)
    if household is None or household.village_id != campaign.village_id:
        raise NotFound("household")


async def own_pledge(repo: Repo, actor: Actor, pledge_id: int) -> tuple[Pledge, Campaign]:
    pledge = await repo.contributions.pledge(pledge_id)
    if pledge is None or actor.user_id is None or pledge.user_id != actor.user_id:
        raise NotFound("pledge")
    campaign = await visible_campaign(repo, actor, campaign_id=pledge.campaign_id)
    return pledge, campaign


async def set_pledge_extras(
    repo: Repo,
    actor: Actor,
    pledge_id: int,
    now: datetime,
    *,
    note: str | None = None,
    show_name: bool | None = None,
    household_id: int | None = None,
) -> Pledge:
    pledge, campaign = await own_pledge(repo, actor, pledge_id)
    values: dict[str, object] = {}
    if note is not None:
        values["note"] = note.strip()[:500]
    if show_name is not None:
        values["show_name"] = show_name
    if household_id is not None:
        await require_verified(repo, actor, campaign.village_id)
        await _own_village_household(repo, campaign, household_id)
        values["household_id"] = household_id
    if values:
        await repo.contributions.set_pledge(pledge.id, now, **values)
        await repo.session.refresh(pledge)
        repo.audit.add(
            "pledge_extras",
            actor_user_id=actor.user_id,
            village_id=campaign.village_id,
            details={"pledge_id": pledge.id, **{k: str(v) for k, v in values.items()}},
        )
    return pledge


async def change_pledge(
    repo: Repo, actor: Actor, pledge_id: int, text: str, now: datetime
) -> Pledge:
    pledge, campaign = await own_pledge(repo, actor, pledge_id)
    parsed = parse_amount(pledge.kind, text)
    before = pledge.amount
    if not await repo.contributions.change_amount_if_nothing_received(
        pledge.id, parsed.amount, now
    ):
        raise CampaignInvalid("has_receipts")
    if parsed.material or parsed.unit != pledge.unit:
        await repo.contributions.set_pledge(
            pledge.id, now, material=parsed.material, unit=parsed.unit
        )
    await repo.session.refresh(pledge)
    repo.audit.add(
        "pledge_changed",
        actor_user_id=actor.user_id,
        village_id=campaign.village_id,
        details={"pledge_id": pledge.id, "before": before, "after": parsed.amount},
    )
    return pledge


async def cancel_pledge(repo: Repo, actor: Actor, pledge_id: int, now: datetime) -> Pledge:
    pledge, campaign = await own_pledge(repo, actor, pledge_id)
    if not await repo.contributions.cancel_if_nothing_received(pledge.id, now):
        raise CampaignInvalid("has_receipts")
    await repo.session.refresh(pledge)
    repo.audit.add(
        "pledge_cancelled",
        actor_user_id=actor.user_id,
        village_id=campaign.village_id,
        details={"pledge_id": pledge.id},
    )
    return pledge


async def stop_reminders(repo: Repo, actor: Actor, pledge_id: int, now: datetime) -> Pledge:
    pledge, campaign = await own_pledge(repo, actor, pledge_id)
    await repo.contributions.set_pledge(pledge.id, now, stop_reminders=True)
    await repo.session.refresh(pledge)
    repo.audit.add(
        "pledge_reminders_stopped",
        actor_user_id=actor.user_id,
        village_id=campaign.village_id,
        details={"pledge_id": pledge.id},
    )
    return pledge
