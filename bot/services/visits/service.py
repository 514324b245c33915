"""Household visits as use cases: record a visit, snooze, "could not visit", see a
household (or only its public part), a member's schedule, assignments and cadences.
Functions take plain values and the ``Repo``, raise domain errors, never commit."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot.services.authz import Action, Actor, can_see_household
from bot.services.errors import DomainError, NotAllowed, NotFound
from bot.services.visits.assignments import balanced_proposal
from bot.services.visits.domain import (
    CHECKLIST,
    NEED_KINDS,
    NEED_STATES,
    Cadence,
    days_late,
    effective_cadence,
    next_due,
    valid_snooze,
)
from storage.models import Household, HouseholdVisitPlan, Visit, VisitNeed

MAX_NOTE = 2000


class VisitInvalid(DomainError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = (
            reason  # "future" | "too_old" | "bad_snooze" | "bad_need" | "bad_cadence" | "bad_state"
        )


@dataclass(frozen=True, slots=True)
class NeedInput:
    kind: str
    note: str = ""


@dataclass(slots=True)
class HouseholdView:
    """What a person may see of a household: ``details`` False means the public part only."""

    household: Household
    plan: HouseholdVisitPlan | None
    village_name: str
    member_id: int | None
    member_name: str | None
    details: bool
    assigned_to_me: bool
    last_visit: Visit | None = None
    cadence: Cadence | None = None


def _cadence(household: Household, plan: HouseholdVisitPlan | None) -> Cadence:
    return effective_cadence(
        plan.cadence if plan else None,
        poor=household.poor,
        near_poor=household.near_poor,
        policy=household.policy,
    )


async def _plan(repo: Any, household: Household, today: date) -> HouseholdVisitPlan:
    plan = await repo.visits.plan(household.id)
    if plan is None:
        await repo.visits.ensure_plans(today, village_id=household.village_id)
        plan = await repo.visits.plan(household.id)
    assert plan is not None
    return plan


async def _household_for_visit(repo: Any, actor: Actor, household_id: int) -> Household:
    """The household, if ``actor`` is its assigned member (or manages visits there)."""
    household = await repo.visits.household(household_id)
    if household is None:
        raise NotFound("household")
    assigned = await repo.visits.visitor_of(household_id)
    if (
        actor.member_id is not None
        and actor.member_id == assigned
        and actor.village_id == household.village_id
    ):
        return household
    if actor.can(Action.ASSIGN_VISITS, household.village_id) and assigned is not None:
        return household
    raise NotAllowed(Action.REPORT_VISIT.value)


async def record_visit(
    repo: Any,
    actor: Actor,
    household_id: int,
    *,
    visited_on: date,
    today: date,
    note: str = "",
    checklist: dict[str, str] | None = None,
    needs: list[NeedInput] | None = None,
    photo_file_id: str | None = None,
) -> Visit:
    """Record a visit; the next one falls due one cadence later. Needs raised wait in
    ``visit_needs`` for the need planner, which tells the secretary within a minute."""
    household = await _household_for_visit(repo, actor, household_id)
    if visited_on > today:
        raise VisitInvalid("future")
    if (today - visited_on).days > 62:
        raise VisitInvalid("too_old")
    checks = {
        key: value
        for key, value in (checklist or {}).items()
        if key in CHECKLIST and value in ("ok", "concern")
    }
    need_rows = []
    for need in needs or []:
        if need.kind not in NEED_KINDS:
            raise VisitInvalid("bad_need")
        need_rows.append(VisitNeed(kind=need.kind, note=need.note[:MAX_NOTE], state="open"))
    member_id = await repo.visits.visitor_of(household_id)
    visit = Visit(
        household_id=household.id,
        member_id=member_id,
        visited_on=visited_on,
        outcome="visited",
        note=note[:MAX_NOTE],
        checklist=checks,
        photo_file_id=photo_file_id,
    )
    await repo.visits.add_visit(visit, need_rows)
    plan = await _plan(repo, household, today)
    if plan.last_visited_on is None or visited_on >= plan.last_visited_on:
        plan.last_visited_on = visited_on
        plan.due_on = next_due(visited_on, _cadence(household, plan))
        plan.snoozed_to = None
    repo.audit.add(
        "visit_recorded",
        actor_user_id=actor.user_id,
        village_id=household.village_id,
        details={"household_id": household.id, "visit_id": visit.id, "needs": len(need_rows)},
    )
    return visit


async def snooze(
    repo: Any, actor: Actor, household_id: int, *, to: date, today: date
) -> HouseholdVisitPlan:
    """ "Hẹn lại": the visit is due on ``to`` instead; reminders follow the new day."""
    household = await _household_for_visit(repo, actor, household_id)
    if not valid_snooze(to, today):
        raise VisitInvalid("bad_snooze")
    plan = await _plan(repo, household, today)
    plan.due_on = to
    plan.snoozed_to = to
    return plan


async def could_not_visit(
    repo: Any, actor: Actor, household_id: int, *, reason: str, today: date
) -> Visit:
    """Recorded for the report; the visit stays due (and overdue notices follow)."""
    household = await _household_for_visit(repo, actor, household_id)
    visit = Visit(
        household_id=household.id,
        member_id=await repo.visits.visitor_of(household_id),
        visited_on=today,
        outcome="not_visited",
        note=reason.strip()[:MAX_NOTE],
        checklist={},
    )
    return await repo.visits.add_visit(visit)


async def view_household(
    repo: Any, actor: Actor, household: Household, plan: HouseholdVisitPlan | None
) -> HouseholdView:
    member_id = await repo.visits.visitor_of(household.id)
    members = await repo.visits.members_by_id([member_id] if member_id else [])
    village = await repo.places.village(household.village_id)
    details = can_see_household(actor, household.village_id, member_id)
    view = HouseholdView(
        household=household,
        plan=plan,
        village_name=village.name if village else "",
        member_id=member_id,
        member_name=members[member_id].name if member_id in members else None,
        details=details,
        assigned_to_me=actor.member_id is not None and actor.member_id == member_id,
    )
    if details:
        view.last_visit = await repo.visits.last_visit(household.id)
        view.cadence = _cadence(household, plan)
    return view


async def household_by_token(repo: Any, actor: Actor, token: str) -> HouseholdView | None:
    found = await repo.visits.by_token(token)
    if found is None:
        return None
    return await view_household(repo, actor, *found)


async def household_by_id(repo: Any, actor: Actor, household_id: int) -> HouseholdView:
    """The full view, or NotAllowed: never the public part for a forged id."""
    household = await repo.visits.household(household_id)
    if household is None:
        raise NotFound("household")
    view = await view_household(repo, actor, household, await repo.visits.plan(household_id))
    if not view.details:
        raise NotAllowed(Action.VIEW_HOUSEHOLDS.value)
    return view


@dataclass(frozen=True, slots=True)
class ScheduleItem:
    household: Household
    due_on: date
    days_late: int


async def my_schedule(repo: Any, actor: Actor, today: date) -> list[ScheduleItem]:
    """The member's own households, soonest (most overdue) first."""
    if actor.member_id is None:
        raise NotAllowed(Action.REPORT_VISIT.value)
    rows = await repo.visits.households_of_member(actor.member_id)
    if any(plan is None for _, plan in rows) and actor.village_id is not None:
        await repo.visits.ensure_plans(today, village_id=actor.village_id)
        rows = await repo.visits.households_of_member(actor.member_id)
    items = [
        ScheduleItem(h, plan.due_on, days_late(plan.due_on, today))
        for h, plan in rows
        if plan is not None
    ]
    return sorted(items, key=lambda item: (item.due_on, item.household.code))


# --- assignments ---------------------------------------------------------------------------


@dataclass(slots=True)
class MemberLoad:
    member_id: int
    name: str
    households: int = 0
    priority: int = 0


@dataclass(slots=True)
class AssignmentScreen:
    loads: list[MemberLoad]
    unassigned: list[Household] = field(default_factory=list)


async def assignment_screen(repo: Any, actor: Actor, village_id: int) -> AssignmentScreen:
    actor.require(Action.ASSIGN_VISITS, village_id)
    branch = await repo.visits.branch_of_village(village_id)
    members = await repo.visits.members_of_branch(branch.id) if branch else []
    loads = {m.id: MemberLoad(m.id, m.name) for m in members}
    screen = AssignmentScreen(loads=list(loads.values()))
    for household, member_id in await repo.visits.village_roster(village_id):
        if member_id in loads:
            loads[member_id].households += 1
            loads[member_id].priority += bool(household.flags)
        else:
            screen.unassigned.append(household)
    return screen


async def proposal(repo: Any, actor: Actor, village_id: int) -> dict[int, int]:
    """The balanced proposal for the whole village: household id → member id."""
    actor.require(Action.ASSIGN_VISITS, village_id)
    return (await balanced_proposal(repo, actor, village_id)).wanted


async def apply_proposal(repo: Any, actor: Actor, village_id: int, today: date) -> int:
    """Accept the balanced proposal (one press); returns how many households changed hands."""
    wanted = await proposal(repo, actor, village_id)
    current = dict((h.id, m) for h, m in await repo.visits.village_roster(village_id))
    changed = 0
    for household_id, member_id in wanted.items():
        if current.get(household_id) != member_id:
            await repo.visits.assign(household_id, member_id)
            changed += 1
    await repo.visits.ensure_plans(today, village_id=village_id)
    repo.audit.add(
        "visits_assigned",
        actor_user_id=actor.user_id,
        village_id=village_id,
        details={"changed": changed},
    )
    return changed


async def assign(
    repo: Any, actor: Actor, household_id: int, member_id: int | None, today: date
) -> None:
    household = await repo.visits.household(household_id)
    if household is None:
        raise NotFound("household")
    actor.require(Action.ASSIGN_VISITS, household.village_id)
    if member_id is not None:
        member = await repo.members.get(member_id)
        branch = await repo.visits.branch_of_village(household.village_id)
        if member is None or branch is None or member.branch_id != branch.id:
            raise NotFound("member")
    await repo.visits.assign(household_id, member_id)
    await repo.visits.ensure_plans(today, village_id=household.village_id)


async def set_cadence(
    repo: Any, actor: Actor, household_id: int, cadence: str | None, today: date
) -> Cadence:
    household = await repo.visits.household(household_id)
    if household is None:
        raise NotFound("household")
    actor.require(Action.ASSIGN_VISITS, household.village_id)
    if cadence is not None and cadence not in Cadence.__members__.values():
        raise VisitInvalid("bad_cadence")
    plan = await _plan(repo, household, today)
    plan.cadence = cadence
    effective = _cadence(household, plan)
    if plan.last_visited_on is not None and plan.snoozed_to is None:
        plan.due_on = next_due(plan.last_visited_on, effective)
    return effective


async def set_need_state(repo: Any, actor: Actor, need_id: int, state: str) -> VisitNeed:
    need = await repo.visits.need(need_id)
    if need is None:
        raise NotFound("need")
    household = await repo.visits.household(need.household_id)
    actor.require(Action.VIEW_VISIT_REPORT, household.village_id)
    if state not in NEED_STATES:
        raise VisitInvalid("bad_state")
    need.state = state
    return need
