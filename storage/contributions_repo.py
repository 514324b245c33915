"""Queries of contributions: campaigns, pledges, receipts. Nothing here commits.

Concurrency: a confirmation inserts its pledge with ``ON CONFLICT DO NOTHING`` on the
idempotency key, so two presses (or two processes) make one row; a receipt adds to
``pledges.received`` with one ``UPDATE ... SET received = received + x``, so two
treasurers recording at once never lose an amount; totals are sums read from rows,
never counters kept on the side."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Campaign,
    CampaignGoal,
    CampaignStatus,
    Household,
    Pledge,
    PledgeStatus,
    Receipt,
)

ACTIVE = (PledgeStatus.PLEDGED, PledgeStatus.PARTLY_RECEIVED, PledgeStatus.OVERDUE)


@dataclass(frozen=True, slots=True)
class KindTotal:
    kind: str
    unit: str
    pledged: int
    received: int
    pledges: int


class ContributionsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _insert(self) -> Any:
        dialect = self.session.bind.dialect.name if self.session.bind else "sqlite"
        return pg_insert if dialect == "postgresql" else sqlite_insert

    # campaigns

    async def add_campaign(
        self, campaign: Campaign, goals: dict[str, tuple[int | None, str]]
    ) -> Campaign:
        self.session.add(campaign)
        await self.session.flush()
        for kind, (goal, unit) in goals.items():
            self.session.add(CampaignGoal(campaign_id=campaign.id, kind=kind, goal=goal, unit=unit))
        await self.session.flush()
        return campaign

    async def campaign(self, campaign_id: int) -> Campaign | None:
        return await self.session.get(Campaign, campaign_id)

    async def campaign_by_code(self, code: str) -> Campaign | None:
        return await self.session.scalar(select(Campaign).where(Campaign.code == code))

    async def campaigns_of_village(
        self, village_id: int, *, open_only: bool = False
    ) -> Sequence[Campaign]:
        query = select(Campaign).where(Campaign.village_id == village_id)
        if open_only:
            query = query.where(Campaign.status == CampaignStatus.OPEN)
        result = await self.session.scalars(query.order_by(Campaign.id.desc()))
        return result.all()

    async def open_campaigns(self) -> Sequence[Campaign]:
        result = await self.session.scalars(
            select(Campaign).where(Campaign.status == CampaignStatus.OPEN).order_by(Campaign.id)
        )
        return result.all()

    async def goals(self, campaign_id: int) -> Sequence[CampaignGoal]:
        result = await self.session.scalars(
            select(CampaignGoal)
            .where(CampaignGoal.campaign_id == campaign_id)
            .order_by(CampaignGoal.id)
        )
        return result.all()

    # pledges

    async def confirm_pledge(self, idempotency_key: str, **values: Any) -> tuple[Pledge, bool]:
        """Insert the pledge once per key. Returns the pledge and whether this call made it."""
        statement = (
            self._insert()(Pledge)
            .values(idempotency_key=idempotency_key, **values)
            .on_conflict_do_nothing(index_elements=["idempotency_key"])
            .returning(Pledge.id)
        )
        new_id = await self.session.scalar(statement)
        pledge = await self.session.scalar(
            select(Pledge).where(Pledge.idempotency_key == idempotency_key)
        )
        assert pledge is not None
        return pledge, new_id is not None

    async def pledge_by_key(self, idempotency_key: str) -> Pledge | None:
        return await self.session.scalar(
            select(Pledge).where(Pledge.idempotency_key == idempotency_key)
        )

    async def pledge(self, pledge_id: int) -> Pledge | None:
        return await self.session.get(Pledge, pledge_id)

    async def pledges_of_user(self, user_id: int) -> Sequence[Pledge]:
        result = await self.session.scalars(
            select(Pledge).where(Pledge.user_id == user_id).order_by(Pledge.id.desc())
        )
        return result.all()

    async def pledges_of_campaign(self, campaign_id: int) -> Sequence[Pledge]:
        result = await self.session.scalars(
            select(Pledge).where(Pledge.campaign_id == campaign_id).order_by(Pledge.id)
        )
        return result.all()

    async def set_pledge(self, pledge_id: int, now: datetime, **values: Any) -> None:
        await self.session.execute(
            update(Pledge).where(Pledge.id == pledge_id).values(updated_at=now, **values)
        )

    async def change_amount_if_nothing_received(
        self, pledge_id: int, amount: int, now: datetime
    ) -> bool:
        """Atomic: False when something was received meanwhile (then the amount stays)."""
        result = await self.session.execute(
            update(Pledge)
            .where(Pledge.id == pledge_id, Pledge.received == 0, Pledge.status.in_(ACTIVE))
            .values(amount=amount, updated_at=now)
        )
        return result.rowcount == 1

    async def cancel_if_nothing_received(self, pledge_id: int, now: datetime) -> bool:
        result = await self.session.execute(
            update(Pledge)
            .where(Pledge.id == pledge_id, Pledge.received == 0, Pledge.status.in_(ACTIVE))
            .values(status=PledgeStatus.CANCELLED, updated_at=now)
        )
        return result.rowcount == 1

    async def mark_overdue(self, campaign_id: int, now: datetime) -> list[int]:
        """Pledges of an ended campaign not fully received become overdue; returns their ids."""
        ids = list(
            await self.session.scalars(
                select(Pledge.id).where(
                    Pledge.campaign_id == campaign_id,
                    Pledge.status.in_((PledgeStatus.PLEDGED, PledgeStatus.PARTLY_RECEIVED)),
                )
            )
        )
        if ids:
            await self.session.execute(
                update(Pledge)
                .where(Pledge.id.in_(ids))
                .values(status=PledgeStatus.OVERDUE, updated_at=now)
            )
        return ids

    async def overdue_pledges(self, campaign_id: int) -> Sequence[Pledge]:
        result = await self.session.scalars(
            select(Pledge)
            .where(Pledge.campaign_id == campaign_id, Pledge.status == PledgeStatus.OVERDUE)
            .order_by(Pledge.id)
        )
        return result.all()

    # receipts

    async def add_receipt(
        self,
        pledge_id: int,
        *,
        amount: int,
        received_on: date,
        number: str,
        method: str,
        recorded_by_user_id: int | None,
        now: datetime,
        source_ref: str | None = None,
    ) -> Receipt | None:
        """Record a receipt and add it to the pledge in one statement; the status follows.
        None when ``source_ref`` (a bank statement line) was recorded before."""
        if source_ref is not None:
            seen = await self.session.scalar(
                select(Receipt.id).where(Receipt.source_ref == source_ref)
            )
            if seen is not None:
                return None
        receipt = Receipt(
            pledge_id=pledge_id,
            amount=amount,
            received_on=received_on,
            number=number,
            method=method,
            source_ref=source_ref,
            recorded_by_user_id=recorded_by_user_id,
            created_at=now,
        )
        self.session.add(receipt)
        new_received = Pledge.received + amount
        await self.session.execute(
            update(Pledge)
            .where(Pledge.id == pledge_id)
            .values(
                received=new_received,
                status=case(
                    (new_received >= Pledge.amount, PledgeStatus.RECEIVED.value),
                    (Pledge.status == PledgeStatus.OVERDUE, PledgeStatus.OVERDUE.value),
                    else_=PledgeStatus.PARTLY_RECEIVED.value,
                ),
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        await self.session.flush()
        pledge = await self.session.get(Pledge, pledge_id)
        if pledge is not None:
            await self.session.refresh(pledge)
        return receipt

    async def receipt(self, receipt_id: int) -> Receipt | None:
        return await self.session.get(Receipt, receipt_id)

    async def remove_receipt(self, receipt: Receipt, now: datetime) -> Pledge | None:
        """Take a receipt back: its amount leaves the pledge, whose status follows
        (nothing left received: "pledged" again, so its owner can change it)."""
        pledge_id, amount = receipt.pledge_id, receipt.amount
        await self.session.delete(receipt)
        new_received = Pledge.received - amount
        await self.session.execute(
            update(Pledge)
            .where(Pledge.id == pledge_id)
            .values(
                received=new_received,
                status=case(
                    (Pledge.status == PledgeStatus.CANCELLED, PledgeStatus.CANCELLED.value),
                    (new_received >= Pledge.amount, PledgeStatus.RECEIVED.value),
                    (Pledge.status == PledgeStatus.OVERDUE, PledgeStatus.OVERDUE.value),
                    (new_received > 0, PledgeStatus.PARTLY_RECEIVED.value),
                    else_=PledgeStatus.PLEDGED.value,
                ),
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        await self.session.flush()
        pledge = await self.session.get(Pledge, pledge_id)
        if pledge is not None:
            await self.session.refresh(pledge)
        return pledge

    async def recorded_refs(self, refs: Sequence[str]) -> set[str]:
        if not refs:
            return set()
        result = await self.session.scalars(
            select(Receipt.source_ref).where(Receipt.source_ref.in_(list(refs)))
        )
        return {ref for ref in result if ref is not None}

    async def receipts_of_campaign(self, campaign_id: int) -> Sequence[Receipt]:
        result = await self.session.scalars(
            select(Receipt)
            .join(Pledge)
            .where(Pledge.campaign_id == campaign_id)
            .order_by(Receipt.id)
        )
        return result.all()

    # totals

    async def totals(self, campaign_id: int) -> list[KindTotal]:
        rows = await self.session.execute(
            select(
                Pledge.kind,
                Pledge.unit,
                func.coalesce(func.sum(Pledge.amount), 0),
                func.coalesce(func.sum(Pledge.received), 0),
                func.count(Pledge.id),
            )
            .where(Pledge.campaign_id == campaign_id, Pledge.status != PledgeStatus.CANCELLED)
            .group_by(Pledge.kind, Pledge.unit)
            .order_by(Pledge.kind, Pledge.unit)
        )
        return [KindTotal(k, u, int(p), int(r), int(n)) for k, u, p, r, n in rows]

    async def households_taking_part(self, campaign_id: int) -> int:
        """Households with a live pledge. A resident's pledge without a household chosen
        counts as their own household (the household they picked on another pledge, if
        any), so the count never reads 0 while there are pledges."""
        rows = (
            await self.session.execute(
                select(Pledge.id, Pledge.household_id, Pledge.user_id).where(
                    Pledge.campaign_id == campaign_id, Pledge.status != PledgeStatus.CANCELLED
                )
            )
        ).all()
        home = {user: household for _, household, user in rows if user and household}
        taking_part = set()
        for pledge_id, household, user in rows:
            household = household or home.get(user)
            if household:
                taking_part.add(("household", household))
            elif user:
                taking_part.add(("user", user))
            else:
                taking_part.add(("pledge", pledge_id))
        return len(taking_part)

    async def last_change(self, campaign_id: int) -> datetime | None:
        """When a pledge of the campaign last changed (a receipt changes its pledge too)."""
        return await self.session.scalar(
            select(func.max(Pledge.updated_at)).where(Pledge.campaign_id == campaign_id)
        )

    async def set_board(
        self,
        campaign_id: int,
        *,
        chat_id: int | None = None,
        message_id: int | None = None,
        updated_at: datetime | None = None,
    ) -> None:
        values: dict[str, Any] = {}
        if chat_id is not None:
            values["board_chat_id"] = chat_id
            values["board_message_id"] = None
        if message_id is not None:
            values["board_message_id"] = message_id
        if updated_at is not None:
            values["board_updated_at"] = updated_at
        if values:
            await self.session.execute(
                update(Campaign).where(Campaign.id == campaign_id).values(**values)
            )

    async def household(self, household_id: int) -> Household | None:
        return await self.session.get(Household, household_id)
