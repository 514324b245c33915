"""Contribution campaigns, pledges and receipts: the rules, with no aiogram.

Every function takes plain values, an :class:`Actor` and the ``Repo``; it checks the
actor first (``authz``), raises domain errors the handlers turn into text, and writes
an audit entry for every change. Nothing here commits."""

from __future__ import annotations

import secrets
import string
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.services.authz import Action, Actor
from bot.services.contributions import files
from bot.services.contributions.amounts import (
    InvalidAmount,
    Quantity,
    parse_labour,
    parse_land,
    parse_material,
    parse_money,
)
from bot.services.errors import DomainError, NotAllowed, NotFound
from storage.models import (
    Campaign,
    CampaignStatus,
    ContributionKind,
    Pledge,
    PledgeStatus,
    Receipt,
)
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


# campaigns


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
        bank_name=bank_name[:120],
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


# pledges


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
        actor.require(Action.RECORD_PLEDGE_FOR_HOUSEHOLD, campaign.village_id)
        if household_id is None:
            raise NotFound("household")
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


# receipts


async def pledge_for_treasurer(repo: Repo, actor: Actor, pledge_id: int) -> tuple[Pledge, Campaign]:
    pledge = await repo.contributions.pledge(pledge_id)
    if pledge is None:
        raise NotFound("pledge")
    campaign = await repo.contributions.campaign(pledge.campaign_id)
    if campaign is None or not actor.lives_in(campaign.village_id):
        raise NotFound("pledge")
    actor.require(Action.RECORD_PAYMENT, campaign.village_id)
    return pledge, campaign


async def record_receipt(
    repo: Repo,
    actor: Actor,
    pledge_id: int,
    *,
    amount: int,
    received_on: date,
    number: str,
    method: str,
    now: datetime,
    source_ref: str | None = None,
) -> Receipt | None:
    """Record money (or labour, materials, land) received; None when that bank
    statement line was recorded before. More than pledged is allowed and shown."""
    pledge, campaign = await pledge_for_treasurer(repo, actor, pledge_id)
    if amount <= 0:
        raise InvalidAmount("zero")
    if pledge.status == PledgeStatus.CANCELLED:
        raise CampaignInvalid("closed")
    receipt = await repo.contributions.add_receipt(
        pledge.id,
        amount=amount,
        received_on=received_on,
        number=number.strip()[:64],
        method=method,
        recorded_by_user_id=actor.user_id,
        now=now,
        source_ref=source_ref,
    )
    if receipt is not None:
        repo.audit.add(
            "receipt_recorded",
            actor_user_id=actor.user_id,
            village_id=campaign.village_id,
            details={
                "pledge_id": pledge.id,
                "receipt_id": receipt.id,
                "amount": amount,
                "method": method,
                "number": receipt.number,
            },
        )
    return receipt


# transparency


@dataclass(frozen=True, slots=True)
class KindLine:
    kind: str
    unit: str
    goal: int | None
    pledged: int
    received: int
    pledges: int

    @property
    def percent_of_goal(self) -> int | None:
        """Received as a whole percent of the goal (pledged counts only once received)."""
        if not self.goal:
            return None
        return self.received * 100 // self.goal

    @property
    def pledged_percent(self) -> int | None:
        if not self.goal:
            return None
        return self.pledged * 100 // self.goal


@dataclass(frozen=True, slots=True)
class Contributor:
    name: str
    kind: str
    amount: int
    received: int
    unit: str
    material: str


@dataclass(frozen=True, slots=True)
class Board:
    campaign: Campaign
    kinds: list[KindLine]
    households: int
    contributors: list[Contributor] = field(default_factory=list)
    anonymous: int = 0  # pledges whose names stay private
    full_view: bool = False  # the actor sees private names and amounts too


async def board(repo: Repo, actor: Actor | None, campaign: Campaign) -> Board:
    """The public picture of a campaign. Names appear only where both the campaign and the
    contributor allow it, unless the actor keeps the books (``VIEW_ALL_CONTRIBUTIONS``);
    ``actor`` None: a group board, the public view."""
    if actor is not None and not actor.lives_in(campaign.village_id):
        raise NotFound("campaign")
    full = actor is not None and actor.can(Action.VIEW_ALL_CONTRIBUTIONS, campaign.village_id)
    goals = {g.kind: g for g in await repo.contributions.goals(campaign.id)}
    totals = await repo.contributions.totals(campaign.id)
    lines: list[KindLine] = []
    for kind, goal in goals.items():
        rows = [t for t in totals if t.kind == kind]
        if kind == ContributionKind.MATERIAL and rows:
            for row in rows:
                lines.append(KindLine(kind, row.unit, None, row.pledged, row.received, row.pledges))
            continue
        lines.append(
            KindLine(
                kind,
                goal.unit,
                goal.goal,
                sum(r.pledged for r in rows),
                sum(r.received for r in rows),
                sum(r.pledges for r in rows),
            )
        )
    contributors: list[Contributor] = []
    anonymous = 0
    for pledge in await repo.contributions.pledges_of_campaign(campaign.id):
        if pledge.status == PledgeStatus.CANCELLED:
            continue
        if full or (campaign.names_public and pledge.show_name):
            contributors.append(
                Contributor(
                    pledge.contributor_name or "—",
                    pledge.kind,
                    pledge.amount,
                    pledge.received,
                    pledge.unit,
                    pledge.material,
                )
            )
        else:
            anonymous += 1
    households = await repo.contributions.households_taking_part(campaign.id)
    return Board(campaign, lines, households, contributors, anonymous, full)


async def mark_overdue(repo: Repo, campaign: Campaign, now: datetime, timezone: str) -> list[int]:
    """After the campaign's end date, what is still owed is overdue (audited, actor None)."""
    if local_today(now, timezone) <= campaign.ends_on:
        return []
    ids = await repo.contributions.mark_overdue(campaign.id, now)
    for pledge_id in ids:
        repo.audit.add(
            "pledge_overdue",
            actor_user_id=None,
            village_id=campaign.village_id,
            details={"pledge_id": pledge_id},
        )
    return ids


__all__ = [
    "Board",
    "CampaignInvalid",
    "Contributor",
    "InvalidAmount",
    "KindLine",
    "NotAllowed",
    "NotFound",
    "ParsedAmount",
    "board",
    "campaigns_for",
    "cancel_pledge",
    "change_pledge",
    "confirm_pledge",
    "create_campaign",
    "edit_campaign",
    "mark_overdue",
    "own_pledge",
    "parse_amount",
    "record_receipt",
    "set_campaign_status",
    "set_pledge_extras",
    "stop_reminders",
    "visible_campaign",
]


# files


@dataclass(frozen=True, slots=True)
class ImportReport:
    recorded: int
    refused: list[tuple[int, str]]  # (row number in the sheet, reason)


async def export_rows(
    repo: Repo, actor: Actor, campaign: Campaign
) -> tuple[list[files.ExportRow], list[files.ExportReceipt]]:
    """The campaign's books; every name and amount, so only for those who keep them."""
    actor.require(Action.VIEW_ALL_CONTRIBUTIONS, campaign.village_id)
    households = {h.id: h.code for h in await repo.households.of_village(campaign.village_id)}
    pledges = [
        files.ExportRow(
            p.id,
            p.contributor_name,
            households.get(p.household_id or 0, ""),
            p.kind,
            p.amount,
            p.unit,
            p.material,
            p.received,
            p.status,
            p.show_name,
            p.note,
            p.created_at,
        )  # fmt: skip
        for p in await repo.contributions.pledges_of_campaign(campaign.id)
    ]
    receipts = [
        files.ExportReceipt(r.id, r.pledge_id, r.amount, r.received_on, r.number, r.method)
        for r in await repo.contributions.receipts_of_campaign(campaign.id)
    ]
    return pledges, receipts


async def statement_matches(
    repo: Repo, actor: Actor, campaign: Campaign, content: bytes, filename: str
) -> list[files.StatementMatch]:
    """Bank statement lines naming one of the campaign's pledges and not recorded yet.
    Nothing is recorded here: the treasurer confirms each match."""
    actor.require(Action.RECORD_PAYMENT, campaign.village_id)
    rows = files.read_table(content, filename)
    pledges = {
        p.id
        for p in await repo.contributions.pledges_of_campaign(campaign.id)
        if p.status != PledgeStatus.CANCELLED
    }
    matches = files.match_statement(files.statement_lines(rows), campaign.code, pledges)
    recorded = await repo.contributions.recorded_refs([m.source_ref for m in matches])
    return [m for m in matches if m.source_ref not in recorded]


async def import_receipts(
    repo: Repo,
    actor: Actor,
    campaign: Campaign,
    content: bytes,
    filename: str,
    now: datetime,
    timezone: str,
) -> ImportReport:
    """All rows or none: with any refused row, nothing is recorded and the report says why."""
    actor.require(Action.RECORD_PAYMENT, campaign.village_id)
    rows = files.read_table(content, filename)
    pledges = {
        p.id
        for p in await repo.contributions.pledges_of_campaign(campaign.id)
        if p.status != PledgeStatus.CANCELLED
    }
    good, refused = files.receipt_rows(rows, pledges, local_today(now, timezone))
    if refused or not good:
        return ImportReport(0, refused)
    for row in good:
        await record_receipt(
            repo,
            actor,
            row.pledge_id,
            amount=row.amount,
            received_on=row.on,
            number=row.number,
            method=row.method,
            now=now,
        )
    return ImportReport(len(good), [])
