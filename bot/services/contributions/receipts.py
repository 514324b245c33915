"""Receipts (biên nhận): what the treasurer records as received, one by one or from a
sheet or a bank statement, and the campaign's books as a file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.services.authz import Action, Actor
from bot.services.contributions import files, statements
from bot.services.contributions.amounts import InvalidAmount
from bot.services.contributions.campaigns import CampaignInvalid, local_today
from bot.services.errors import NotFound
from storage.models import Campaign, Pledge, PledgeStatus, Receipt
from storage.repo import Repo


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


async def reverse_receipt(
    repo: Repo, actor: Actor, receipt_id: int, reason: str, now: datetime
) -> tuple[Receipt, Pledge]:
    """Take back a receipt recorded by mistake (a forged 1 đ transfer, a line matched to
    the wrong pledge): the pledge loses its amount and unlocks when nothing is left;
    the audit log keeps what was removed, by whom and why."""
    receipt = await repo.contributions.receipt(receipt_id)
    if receipt is None:
        raise NotFound("receipt")
    pledge, campaign = await pledge_for_treasurer(repo, actor, receipt.pledge_id)
    details = {
        "receipt_id": receipt.id,
        "pledge_id": pledge.id,
        "amount": receipt.amount,
        "received_on": receipt.received_on.isoformat(),
        "method": receipt.method,
        "number": receipt.number,
        "source_ref": receipt.source_ref or "",
        "reason": reason.strip()[:300],
    }
    after = await repo.contributions.remove_receipt(receipt, now)
    assert after is not None
    repo.audit.add(
        "receipt_reversed",
        actor_user_id=actor.user_id,
        village_id=campaign.village_id,
        details=details,
    )
    return receipt, after


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
) -> list[statements.StatementMatch]:
    """Bank statement lines naming one of the campaign's pledges and not recorded yet,
    each with its flags. Nothing is recorded here: the treasurer confirms each match."""
    actor.require(Action.RECORD_PAYMENT, campaign.village_id)
    rows = await files.read_table(content, filename)
    pledges = {
        p.id: statements.Owed(p.memo_check, max(p.amount - p.received, 0), p.contributor_name)
        for p in await repo.contributions.pledges_of_campaign(campaign.id)
        if p.status != PledgeStatus.CANCELLED and p.kind == "money"
    }
    matches = statements.match_statement(statements.statement_lines(rows), campaign.code, pledges)
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
    rows = await files.read_table(content, filename)
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
