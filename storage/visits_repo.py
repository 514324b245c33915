"""Queries of household visits. None of them commits (the unit of work does)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import String, cast, exists, func, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Branch,
    Household,
    HouseholdVisitPlan,
    Member,
    OutboxMessage,
    Role,
    Visit,
    VisitAssignment,
    VisitNeed,
)

INSERT_CHUNK = 2000
IN_CHUNK = 500  # ids in one IN (...): well under SQLite's bound-parameter limit


def new_qr_token() -> str:
    """16 URL-safe characters (96 random bits): fits a /start payload with its prefix."""
    return secrets.token_urlsafe(12)


@dataclass(frozen=True, slots=True)
class DueRow:
    household_id: int
    member_id: int
    due_on: date


class VisitRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # --- plans ---------------------------------------------------------------------------

    async def ensure_plans(
        self,
        due_on: date,
        village_id: int | None = None,
        *,
        village_ids: Sequence[int] | None = None,
    ) -> int:
        """Give every household without a plan one, due ``due_on``; returns how many.
        Scoped to one village or to ``village_ids`` (read in chunks); with neither, the
        whole country (an anti-join of every household: the daily catch-up only)."""
        query = (
            select(Household.id)
            .outerjoin(HouseholdVisitPlan, HouseholdVisitPlan.household_id == Household.id)
            .where(HouseholdVisitPlan.household_id.is_(None))
        )
        if village_id is not None:
            query = query.where(Household.village_id == village_id)
        if village_ids is None:
            missing = list((await self.session.scalars(query)).all())
        else:
            ids = sorted(set(village_ids))
            missing = []
            for start in range(0, len(ids), IN_CHUNK):
                chunk = query.where(Household.village_id.in_(ids[start : start + IN_CHUNK]))
                missing.extend((await self.session.scalars(chunk)).all())
        for start in range(0, len(missing), INSERT_CHUNK):
            rows = [
                {"household_id": hid, "qr_token": new_qr_token(), "due_on": due_on}
                for hid in missing[start : start + INSERT_CHUNK]
            ]
            await self.session.execute(HouseholdVisitPlan.__table__.insert(), rows)
        return len(missing)

    async def plan(self, household_id: int) -> HouseholdVisitPlan | None:
        return await self.session.get(HouseholdVisitPlan, household_id)

    async def by_token(self, token: str) -> tuple[Household, HouseholdVisitPlan] | None:
        row = (
            await self.session.execute(
                select(Household, HouseholdVisitPlan)
                .join(HouseholdVisitPlan, HouseholdVisitPlan.household_id == Household.id)
                .where(HouseholdVisitPlan.qr_token == token)
            )
        ).first()
        return None if row is None else (row[0], row[1])

    async def household(self, household_id: int) -> Household | None:
        return await self.session.get(Household, household_id)

    # --- assignments ---------------------------------------------------------------------

    async def visitor_of(self, household_id: int) -> int | None:
        return await self.session.scalar(
            select(VisitAssignment.member_id).where(VisitAssignment.household_id == household_id)
        )

    async def assign(self, household_id: int, member_id: int | None) -> None:
        assignment = await self.session.get(VisitAssignment, household_id)
        if member_id is None:
            if assignment is not None:
                await self.session.delete(assignment)
        elif assignment is None:
            self.session.add(VisitAssignment(household_id=household_id, member_id=member_id))
        elif assignment.member_id != member_id:
            assignment.member_id = member_id
        await self.session.flush()

    async def village_roster(self, village_id: int) -> list[tuple[Household, int | None]]:
        """Every household of the village with its assigned member id (or None)."""
        rows = await self.session.execute(
            select(Household, VisitAssignment.member_id)
            .outerjoin(VisitAssignment, VisitAssignment.household_id == Household.id)
            .where(Household.village_id == village_id)
            .order_by(Household.code)
        )
        return [(household, member_id) for household, member_id in rows.all()]

    async def households_of_member(
        self, member_id: int
    ) -> list[tuple[Household, HouseholdVisitPlan | None]]:
        rows = await self.session.execute(
            select(Household, HouseholdVisitPlan)
            .join(VisitAssignment, VisitAssignment.household_id == Household.id)
            .outerjoin(HouseholdVisitPlan, HouseholdVisitPlan.household_id == Household.id)
            .where(VisitAssignment.member_id == member_id)
            .order_by(HouseholdVisitPlan.due_on, Household.code)
        )
        return [(household, plan) for household, plan in rows.all()]

    # --- what the planners look for ------------------------------------------------------

    async def unplanned_due_members(self, day: date, key_prefix: str, key_suffix: str) -> list[tuple[int, int]]:
        """(member id, user id) of the members with an account and a household due on
        ``day`` whose outbox row ``key_prefix + member id + key_suffix`` does not exist
        yet, by member id: one statement, however many members (set-wise planning)."""
        key = literal(key_prefix, String) + cast(Member.id, String) + literal(key_suffix, String)
        rows = await self.session.execute(
            select(Member.id, Member.user_id)
            .join(VisitAssignment, VisitAssignment.member_id == Member.id)
            .join(HouseholdVisitPlan, HouseholdVisitPlan.household_id == VisitAssignment.household_id)
            .where(
                HouseholdVisitPlan.due_on == day,
                Member.user_id.is_not(None),
                ~exists().where(OutboxMessage.dedupe_key == key),
            )
            .group_by(Member.id, Member.user_id)
            .order_by(Member.id)
        )
        return [(member_id, user_id) for member_id, user_id in rows.all()]

    async def due_for_member(
        self, member_id: int, day: date
    ) -> list[tuple[Household, HouseholdVisitPlan]]:
        rows = await self.session.execute(
            select(Household, HouseholdVisitPlan)
            .join(HouseholdVisitPlan, HouseholdVisitPlan.household_id == Household.id)
            .join(VisitAssignment, VisitAssignment.household_id == Household.id)
            .where(VisitAssignment.member_id == member_id, HouseholdVisitPlan.due_on == day)
            .order_by(Household.code)
        )
        return [(household, plan) for household, plan in rows.all()]

    async def late_not_nudged(self, due_before: date) -> list[DueRow]:
        """Assigned households due before ``due_before`` whose member was not nudged for this due day."""
        rows = await self.session.execute(
            select(
                HouseholdVisitPlan.household_id,
                VisitAssignment.member_id,
                HouseholdVisitPlan.due_on,
            )
            .join(VisitAssignment, VisitAssignment.household_id == HouseholdVisitPlan.household_id)
            .where(
                HouseholdVisitPlan.due_on < due_before,
                or_(
                    HouseholdVisitPlan.nudged_for.is_(None),
                    HouseholdVisitPlan.nudged_for != HouseholdVisitPlan.due_on,
                ),
            )
        )
        return [DueRow(*row) for row in rows.all()]

    async def late_not_escalated(self, due_before: date) -> list[tuple[int, int, date]]:
        """(household id, branch id, due day) of households due before ``due_before`` not yet escalated."""
        rows = await self.session.execute(
            select(HouseholdVisitPlan.household_id, Branch.id, HouseholdVisitPlan.due_on)
            .join(VisitAssignment, VisitAssignment.household_id == HouseholdVisitPlan.household_id)
            .join(Household, Household.id == HouseholdVisitPlan.household_id)
            .join(Branch, Branch.village_id == Household.village_id)
            .where(
                HouseholdVisitPlan.due_on < due_before,
                or_(
                    HouseholdVisitPlan.escalated_for.is_(None),
                    HouseholdVisitPlan.escalated_for != HouseholdVisitPlan.due_on,
                ),
            )
        )
        return [(row[0], row[1], row[2]) for row in rows.all()]

    async def mark_nudged(self, household_ids: Sequence[int]) -> None:
        if household_ids:
            await self.session.execute(
                update(HouseholdVisitPlan)
                .where(HouseholdVisitPlan.household_id.in_(list(household_ids)))
                .values(nudged_for=HouseholdVisitPlan.due_on)
            )

    async def mark_escalated(self, household_ids: Sequence[int]) -> None:
        if household_ids:
            await self.session.execute(
                update(HouseholdVisitPlan)
                .where(HouseholdVisitPlan.household_id.in_(list(household_ids)))
                .values(escalated_for=HouseholdVisitPlan.due_on)
            )

    async def late_of_member(
        self, member_id: int, due_before: date
    ) -> list[tuple[Household, HouseholdVisitPlan]]:
        rows = await self.session.execute(
            select(Household, HouseholdVisitPlan)
            .join(HouseholdVisitPlan, HouseholdVisitPlan.household_id == Household.id)
            .join(VisitAssignment, VisitAssignment.household_id == Household.id)
            .where(VisitAssignment.member_id == member_id, HouseholdVisitPlan.due_on < due_before)
            .order_by(HouseholdVisitPlan.due_on, Household.code)
        )
        return [(household, plan) for household, plan in rows.all()]

    async def late_in_village(
        self, village_id: int, due_before: date
    ) -> list[tuple[Household, HouseholdVisitPlan, int]]:
        rows = await self.session.execute(
            select(Household, HouseholdVisitPlan, VisitAssignment.member_id)
            .join(HouseholdVisitPlan, HouseholdVisitPlan.household_id == Household.id)
            .join(VisitAssignment, VisitAssignment.household_id == Household.id)
            .where(Household.village_id == village_id, HouseholdVisitPlan.due_on < due_before)
            .order_by(HouseholdVisitPlan.due_on, Household.code)
        )
        return [(h, p, m) for h, p, m in rows.all()]

    # --- visits and needs ----------------------------------------------------------------

    async def add_visit(self, visit: Visit, needs: Sequence[VisitNeed] = ()) -> Visit:
        self.session.add(visit)
        await self.session.flush()
        for need in needs:
            need.visit_id = visit.id
            need.household_id = visit.household_id
            self.session.add(need)
        await self.session.flush()
        return visit

    async def last_visit(self, household_id: int) -> Visit | None:
        return await self.session.scalar(
            select(Visit)
            .where(Visit.household_id == household_id, Visit.outcome == "visited")
            .order_by(Visit.visited_on.desc(), Visit.id.desc())
            .limit(1)
        )

    async def visits_between(self, village_id: int, first: date, last: date) -> list[Visit]:
        rows = await self.session.scalars(
            select(Visit)
            .join(Household, Household.id == Visit.household_id)
            .where(
                Household.village_id == village_id,
                Visit.visited_on >= first,
                Visit.visited_on <= last,
            )
            .order_by(Visit.visited_on, Visit.id)
        )
        return list(rows.all())

    async def need(self, need_id: int) -> VisitNeed | None:
        return await self.session.get(VisitNeed, need_id)

    async def needs_of_village(
        self, village_id: int, *, since: datetime | None = None
    ) -> list[tuple[VisitNeed, Household]]:
        query = (
            select(VisitNeed, Household)
            .join(Household, Household.id == VisitNeed.household_id)
            .where(Household.village_id == village_id)
        )
        if since is not None:
            query = query.where(or_(VisitNeed.state != "resolved", VisitNeed.raised_at >= since))
        rows = await self.session.execute(query.order_by(VisitNeed.raised_at, VisitNeed.id))
        return [(n, h) for n, h in rows.all()]

    async def unnotified_needs(self, limit: int = 500) -> list[tuple[VisitNeed, Household]]:
        rows = await self.session.execute(
            select(VisitNeed, Household)
            .join(Household, Household.id == VisitNeed.household_id)
            .where(VisitNeed.notified_at.is_(None))
            .order_by(VisitNeed.id)
            .limit(limit)
        )
        return [(n, h) for n, h in rows.all()]

    async def mark_needs_notified(self, need_ids: Sequence[int], now: datetime) -> None:
        if need_ids:
            await self.session.execute(
                update(VisitNeed).where(VisitNeed.id.in_(list(need_ids))).values(notified_at=now)
            )

    # --- people --------------------------------------------------------------------------

    async def managers_of_branch(self, branch_id: int) -> list[Member]:
        """The secretary and deputies with a linked account: who gets notices and reports."""
        rows = await self.session.scalars(
            select(Member)
            .where(
                Member.branch_id == branch_id,
                Member.role.in_([Role.SECRETARY, Role.DEPUTY]),
                Member.user_id.is_not(None),
            )
            .order_by(Member.role.desc(), Member.id)
        )
        return list(rows.all())

    async def managers_by_branch(
        self, branch_ids: Sequence[int] | None = None
    ) -> dict[int, list[Member]]:
        """``managers_of_branch`` for many branches in one query (all when ``branch_ids`` is None)."""
        query = select(Member).where(
            Member.role.in_([Role.SECRETARY, Role.DEPUTY]), Member.user_id.is_not(None)
        )
        if branch_ids is not None:
            query = query.where(Member.branch_id.in_(list(set(branch_ids))))
        result: dict[int, list[Member]] = {}
        for member in (
            await self.session.scalars(query.order_by(Member.role.desc(), Member.id))
        ).all():
            result.setdefault(member.branch_id, []).append(member)
        return result

    async def unplanned_branch_managers(
        self, kinds: Sequence[str], key_suffix: str
    ) -> list[tuple[int, int, int, int]]:
        """(branch id, village id, member id, user id) of the secretaries and deputies
        with an account for whom some outbox row ``kind:branch id:member id`` +
        ``key_suffix`` of ``kinds`` does not exist yet; by branch, then as
        :meth:`managers_by_branch` orders them. One statement (set-wise planning)."""
        managers = Member.role.in_([Role.SECRETARY, Role.DEPUTY])
        ids = cast(Branch.id, String) + literal(":", String) + cast(Member.id, String)
        missing = [
            ~exists().where(
                OutboxMessage.dedupe_key == literal(f"{kind}:", String) + ids + literal(key_suffix, String)
            )
            for kind in kinds
        ]
        rows = await self.session.execute(
            select(Branch.id, Branch.village_id, Member.id, Member.user_id)
            .join(Member, Member.branch_id == Branch.id)
            .where(managers, Member.user_id.is_not(None), or_(*missing))
            .order_by(Branch.id, Member.role.desc(), Member.id)
        )
        return [(b, v, m, u) for b, v, m, u in rows.all()]

    async def branch_of_village(self, village_id: int) -> Branch | None:
        return await self.session.scalar(select(Branch).where(Branch.village_id == village_id))

    async def all_branches(self) -> list[Branch]:
        return list((await self.session.scalars(select(Branch).order_by(Branch.id))).all())

    async def members_of_branch(self, branch_id: int) -> list[Member]:
        rows = await self.session.scalars(
            select(Member).where(Member.branch_id == branch_id).order_by(Member.name, Member.id)
        )
        return list(rows.all())

    async def members_by_id(self, member_ids: Sequence[int]) -> dict[int, Member]:
        if not member_ids:
            return {}
        rows = await self.session.scalars(
            select(Member).where(Member.id.in_(list(set(member_ids))))
        )
        return {m.id: m for m in rows.all()}

    async def count_plans(self) -> int:
        return await self.session.scalar(select(func.count()).select_from(HouseholdVisitPlan)) or 0

    async def plans_of_village(
        self, village_id: int
    ) -> list[tuple[Household, HouseholdVisitPlan, int | None]]:
        rows = await self.session.execute(
            select(Household, HouseholdVisitPlan, VisitAssignment.member_id)
            .join(HouseholdVisitPlan, HouseholdVisitPlan.household_id == Household.id)
            .outerjoin(VisitAssignment, VisitAssignment.household_id == Household.id)
            .where(Household.village_id == village_id)
            .order_by(Household.code)
        )
        return [(h, p, m) for h, p, m in rows.all()]


__all__ = ["DueRow", "VisitRepository", "new_qr_token"]
