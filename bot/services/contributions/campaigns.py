"""Contribution campaigns: creating, finding, editing, closing and reopening them, and
the small shared rules (kinds, units, amounts as typed, the local date) the other parts use.

Like the rest of the service (see ``service``): plain values, an :class:`Actor`, the
``Repo``; authz first, domain errors, an audit entry per change, no commit."""

from __future__ import annotations

import secrets
import string
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.services.authz import Action, Actor
from bot.services.contributions.amounts import (
    Quantity,
    parse_labour,
    parse_land,
    parse_material,
    parse_money,
)
from bot.services.contributions.banks import shown_name
from bot.services.errors import DomainError, NotFound
from storage.models import Campaign, CampaignStatus, ContributionKind, User
from storage.repo import Repo

KINDS = tuple(ContributionKind)
UNITS = {
    ContributionKind.MONEY: "đ",
    ContributionKind.LABOUR: "ngày công",
    ContributionKind.LAND: "m²",
    ContributionKind.MATERIAL: "",
}
CODE_ALPHABET = string.ascii_lowercase + string.digits


class CampaignInvalid(DomainError):
    """reason: "name" | "dates" | "kinds" | "bank" | "closed" | "kind_not_accepted"
    | "has_receipts" | "not_yours"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class ParsedAmount:
    kind: ContributionKind
    amount: int
    unit: str
    material: str = ""


def parse_amount(kind: ContributionKind | str, text: str) -> ParsedAmount:
    """What a resident typed for ``kind``, or :class:`InvalidAmount`."""
    kind = ContributionKind(kind)
    if kind is ContributionKind.MONEY:
        return ParsedAmount(kind, parse_money(text), UNITS[kind])
    parser = {
        ContributionKind.LABOUR: parse_labour,
        ContributionKind.MATERIAL: parse_material,
        ContributionKind.LAND: parse_land,
    }[kind]
    quantity: Quantity = parser(text)
    return ParsedAmount(kind, quantity.amount, quantity.unit, quantity.material)


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


def local_today(now: datetime, timezone: str) -> date:
    return now.astimezone(ZoneInfo(timezone)).date()


async def create_campaign(
    repo: Repo,
    actor: Actor,
    *,
    village_id: int,
    name: str,
    purpose: str,
    goals: dict[str, int | None],
    starts_on: date,
    ends_on: date,
    bank_bin: str = "",
    bank_name: str = "",
    account_number: str = "",
    account_holder: str = "",
    names_public: bool = True,
    reminder_days: int = 3,
    now: datetime,
) -> Campaign:
    actor.require(Action.MANAGE_CAMPAIGN, village_id)
    name = " ".join(name.split())[:200]
    if not name:
        raise CampaignInvalid("name")
    if ends_on < starts_on:
        raise CampaignInvalid("dates")
    kinds = {ContributionKind(k): g for k, g in goals.items()}
    if not kinds or any(g is not None and g <= 0 for g in kinds.values()):
        raise CampaignInvalid("kinds")
    if (
        ContributionKind.MONEY in kinds
        and bank_bin
        and not (bank_bin.isdigit() and len(bank_bin) == 6)
    ):
        raise CampaignInvalid("bank")
    code = new_code()
    while await repo.contributions.campaign_by_code(code) is not None:
        code = new_code()
    campaign = Campaign(
        code=code,
        village_id=village_id,
        name=name,
        purpose=purpose.strip()[:2000],
        starts_on=starts_on,
        ends_on=ends_on,
        bank_bin=bank_bin,
        bank_name=shown_name(bank_bin, bank_name)[:120],
        account_number=account_number.replace(" ", "")[:32],
        account_holder=account_holder[:120],
        names_public=names_public,
        reminder_days=max(0, min(reminder_days, 60)),
        status=CampaignStatus.OPEN,
        created_by_user_id=actor.user_id,
        created_at=now,
        updated_at=now,
    )
    await repo.contributions.add_campaign(
        campaign, {k.value: (g, UNITS[k]) for k, g in kinds.items()}
    )
    repo.audit.add(
        "campaign_created",
        actor_user_id=actor.user_id,
        village_id=village_id,
        details={
            "campaign_id": campaign.id,
            "code": code,
            "goals": {k.value: g for k, g in kinds.items()},
        },
    )
    return campaign


async def visible_campaign(
    repo: Repo, actor: Actor, *, code: str | None = None, campaign_id: int | None = None
) -> Campaign:
    """The campaign, when the actor lives in its village; NotFound otherwise (another
    village's campaign is indistinguishable from one that does not exist)."""
    campaign = None
    if code is not None:
        campaign = await repo.contributions.campaign_by_code(code[:16])
    elif campaign_id is not None:
        campaign = await repo.contributions.campaign(campaign_id)
    if campaign is None or not actor.lives_in(campaign.village_id):
        raise NotFound("campaign")
    return campaign


async def open_by_link(repo: Repo, user: User, actor: Actor, code: str) -> tuple[Actor, Campaign]:
    """``/start dg_<code>``: somebody without a village yet who scans the poster of a
    village's campaign is taken to be a resident of that village (audited). Returns the
    actor as they now are and the campaign; NotFound as :func:`visible_campaign`."""
    campaign = await repo.contributions.campaign_by_code(code[:16])
    if campaign is not None and user.village_id is None and actor.village_id is None:
        user.village_id = campaign.village_id
        actor = replace(actor, village_id=campaign.village_id)
        repo.audit.add(
            "village_chosen",
            actor_user_id=user.id,
            village_id=campaign.village_id,
            details={"via": "campaign_link"},
        )
    return actor, await visible_campaign(repo, actor, code=code)


async def campaigns_for(repo: Repo, actor: Actor, *, open_only: bool = True) -> Sequence[Campaign]:
    if actor.village_id is None:
        return []
    return await repo.contributions.campaigns_of_village(actor.village_id, open_only=open_only)


async def set_campaign_status(
    repo: Repo, actor: Actor, campaign_id: int, status: CampaignStatus, now: datetime
) -> Campaign:
    campaign = await visible_campaign(repo, actor, campaign_id=campaign_id)
    actor.require(Action.MANAGE_CAMPAIGN, campaign.village_id)
    if campaign.status != status:
        campaign.status = status
        campaign.updated_at = now
        repo.audit.add(
            "campaign_closed" if status is CampaignStatus.CLOSED else "campaign_reopened",
            actor_user_id=actor.user_id,
            village_id=campaign.village_id,
            details={"campaign_id": campaign.id},
        )
    return campaign


async def edit_campaign(
    repo: Repo, actor: Actor, campaign_id: int, now: datetime, **changes: object
) -> Campaign:
    """Change name, purpose, end date, bank account, names_public or reminder_days."""
    allowed = {
        "name",
        "purpose",
        "ends_on",
        "bank_bin",
        "bank_name",
        "account_number",
        "account_holder",
        "names_public",
        "reminder_days",
    }
    campaign = await visible_campaign(repo, actor, campaign_id=campaign_id)
    actor.require(Action.MANAGE_CAMPAIGN, campaign.village_id)
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"cannot edit {sorted(unknown)}")
    if "ends_on" in changes and changes["ends_on"] < campaign.starts_on:  # type: ignore[operator]
        raise CampaignInvalid("dates")
    before = {key: str(getattr(campaign, key)) for key in changes}
    for key, value in changes.items():
        setattr(campaign, key, value)
    campaign.updated_at = now
    repo.audit.add(
        "campaign_edited",
        actor_user_id=actor.user_id,
        village_id=campaign.village_id,
        details={
            "campaign_id": campaign.id,
            "before": before,
            "after": {k: str(v) for k, v in changes.items()},
        },
    )
    return campaign
