"""Who visits whom, as a secretary can trust it: the balanced proposal considers every
member of the branch and says why anyone is left out, shows household → member before
it is accepted, and any household can be moved from one member to another."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot.services.authz import Action, Actor
from bot.services.errors import NotFound
from bot.services.visits.domain import HouseholdForPlan, propose_assignment
from storage.models import Member, Role

LEADERS = (Role.SECRETARY, Role.DEPUTY)


@dataclass(frozen=True, slots=True)
class LeftOut:
    name: str
    reason: str  # leader | not_linked | few_households


@dataclass(slots=True)
class MemberShare:
    member_id: int
    name: str
    households: list[tuple[str, str]] = field(default_factory=list)  # (code, head)


@dataclass(slots=True)
class Proposal:
    shares: list[MemberShare]
    left_out: list[LeftOut]
    total: int
    wanted: dict[int, int]  # household id → member id


def uses_the_bot(member: Member) -> bool:
    return member.user_id is not None or member.telegram_id is not None


def visiting_order(members: list[Member]) -> list[Member]:
    """Who is given households first when there are fewer households than members can
    take: ordinary members before the secretary and deputy (they lead the branch), and
    those who use the bot (and so get the reminders) before those who do not yet."""
    return sorted(
        members, key=lambda m: (Role(m.role) in LEADERS, not uses_the_bot(m), m.name, m.id)
    )


async def branch_members(repo: Any, village_id: int) -> list[Member]:
    branch = await repo.visits.branch_of_village(village_id)
    return visiting_order(await repo.visits.members_of_branch(branch.id)) if branch else []


async def balanced_proposal(repo: Any, actor: Actor, village_id: int) -> Proposal:
    """The balanced proposal for the whole village, with who gets which household."""
    actor.require(Action.ASSIGN_VISITS, village_id)
    members = await branch_members(repo, village_id)
    roster = await repo.visits.village_roster(village_id)
    households = {h.id: h for h, _ in roster}
    plan = [HouseholdForPlan(h.id, h.cluster, bool(h.flags), h.code) for h in households.values()]
    wanted = propose_assignment(plan, [m.id for m in members])
    shares = {m.id: MemberShare(m.id, m.name) for m in members}
    for household_id, member_id in sorted(wanted.items(), key=lambda i: households[i[0]].code):
        household = households[household_id]
        shares[member_id].households.append((household.code, household.head_name))
    left_out = [
        LeftOut(m.name, _left_out_reason(m))
        for m in members
        if not shares[m.id].households and households
    ]
    used = [share for share in shares.values() if share.households]
    return Proposal(used, left_out, len(households), wanted)


def _left_out_reason(member: Member) -> str:
    if Role(member.role) in LEADERS:
        return "leader"
    if not uses_the_bot(member):
        return "not_linked"
    return "few_households"


@dataclass(frozen=True, slots=True)
class Moved:
    code: str
    head_name: str
    member_name: str
    previous_name: str | None


async def move_household(
    repo: Any, actor: Actor, household_id: int, member_id: int, today: date
) -> Moved:
    """Give the household to another member of the village's branch."""
    household = await repo.visits.household(household_id)
    if household is None:
        raise NotFound("household")
    actor.require(Action.ASSIGN_VISITS, household.village_id)
    members = {m.id: m for m in await branch_members(repo, household.village_id)}
    if member_id not in members:
        raise NotFound("member")
    previous = await repo.households.visitor_of(household_id)
    await repo.visits.assign(household_id, member_id)
    await repo.visits.ensure_plans(today, village_id=household.village_id)
    repo.audit.add(
        "visit_moved",
        actor_user_id=actor.user_id,
        village_id=household.village_id,
        details={"household_id": household_id, "member_id": member_id, "previous": previous},
    )
    return Moved(
        household.code,
        household.head_name,
        members[member_id].name,
        members[previous].name if previous in members else None,
    )


async def current_visitor(
    repo: Any, actor: Actor, household_id: int
) -> tuple[Any, str | None, list[Member]]:
    """The household, the name of who visits it now, and the members who could."""
    household = await repo.visits.household(household_id)
    if household is None:
        raise NotFound("household")
    actor.require(Action.ASSIGN_VISITS, household.village_id)
    members = await branch_members(repo, household.village_id)
    previous = await repo.households.visitor_of(household_id)
    name = next((m.name for m in members if m.id == previous), None)
    return household, name, members
