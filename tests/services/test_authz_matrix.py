"""Every privileged action × every role × own village and another village."""

from __future__ import annotations

import pytest

from bot.services.authz import PERMISSIONS, Action, Actor, can_see_household, can_vote
from bot.services.errors import NotAllowed
from storage.models import Role

OWN, OTHER = 1, 2
ROLES: list[Role | None] = [None, *Role]  # None: a resident with no role

EXPECTED: dict[Action, set[Role]] = {
    Action.BROADCAST: {Role.SECRETARY, Role.DEPUTY, Role.COMMITTEE},
    Action.LINK_GROUP: {Role.SECRETARY, Role.DEPUTY},
    Action.UNLINK_GROUP: {Role.SECRETARY, Role.DEPUTY},
    Action.CREATE_INVITE: {Role.SECRETARY, Role.DEPUTY},
    Action.SET_CRITERIA_STATUS: {Role.SECRETARY, Role.DEPUTY},
    Action.ANSWER_QUESTIONS: {Role.SECRETARY, Role.DEPUTY},
    Action.RECORD_PAYMENT: {Role.SECRETARY, Role.TREASURER},
    Action.VIEW_VISIT_REPORT: {Role.SECRETARY, Role.DEPUTY},
    Action.REPORT_VISIT: set(Role),
    Action.MANAGE_CAMPAIGN: {Role.SECRETARY, Role.DEPUTY, Role.TREASURER},
    Action.RECORD_PLEDGE_FOR_HOUSEHOLD: set(Role),
    Action.RECORD_PLEDGE_FOR_ANY_HOUSEHOLD: {Role.SECRETARY, Role.DEPUTY, Role.TREASURER},
    Action.VOID_PLEDGE: {Role.SECRETARY},
    Action.VIEW_ALL_CONTRIBUTIONS: {Role.SECRETARY, Role.DEPUTY, Role.TREASURER},
    Action.POST_CONTRIBUTION_BOARD: {Role.SECRETARY, Role.DEPUTY, Role.TREASURER},
    Action.VIEW_HOUSEHOLDS: {Role.SECRETARY, Role.DEPUTY, Role.COMMITTEE},
    Action.ASSIGN_VISITS: {Role.SECRETARY, Role.DEPUTY},
    Action.MANAGE_CONSULTATION: {Role.SECRETARY, Role.DEPUTY},
    Action.VIEW_NON_VOTERS: {Role.SECRETARY, Role.DEPUTY, Role.COMMITTEE},
}


def test_expectations_cover_every_action() -> None:
    assert set(EXPECTED) == set(Action) == set(PERMISSIONS)


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value if r else "resident")
@pytest.mark.parametrize("village", [OWN, OTHER], ids=["own", "other"])
def test_matrix(action: Action, role: Role | None, village: int) -> None:
    actor = Actor(user_id=10, platform_user_id=1010, village_id=OWN, member_id=5 if role else None, role=role)
    allowed = role in EXPECTED[action] and village == OWN
    assert actor.can(action, village) is allowed
    if allowed:
        actor.require(action, village)
    else:
        with pytest.raises(NotAllowed):
            actor.require(action, village)


@pytest.mark.parametrize("action", list(Action))
def test_no_village_means_no_permission(action: Action) -> None:
    actor = Actor(user_id=1, platform_user_id=1, village_id=None, member_id=1, role=Role.SECRETARY)
    assert not actor.can(action, None)
    assert not actor.can(action, OWN)


@pytest.mark.parametrize("action", list(Action))
def test_operators_may_do_everything(action: Action) -> None:
    admin = Actor(user_id=1, platform_user_id=1, is_admin=True)
    assert admin.can(action, OTHER)


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value if r else "resident")
def test_everyone_lives_in_their_own_village_only(role: Role | None) -> None:
    actor = Actor(user_id=10, platform_user_id=1010, village_id=OWN, member_id=5 if role else None, role=role)
    assert actor.lives_in(OWN)
    assert not actor.lives_in(OTHER)
    assert not actor.lives_in(None)
    homeless = Actor(user_id=11, platform_user_id=1011, village_id=None, role=role)
    assert not homeless.lives_in(OWN)


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value if r else "resident")
@pytest.mark.parametrize("assigned", ["self", "other", "nobody"])
@pytest.mark.parametrize("village", [OWN, OTHER], ids=["own", "other"])
def test_household_details(role: Role | None, assigned: str, village: int) -> None:
    """Only the assigned member (in their village) and the branch committee see a household."""
    me = 5 if role else None
    actor = Actor(user_id=10, platform_user_id=1010, village_id=OWN, member_id=me, role=role)
    assigned_id = {"self": me, "other": 6, "nobody": None}[assigned]
    committee = role in {Role.SECRETARY, Role.DEPUTY, Role.COMMITTEE}
    allowed = village == OWN and (committee or (role is not None and assigned == "self"))
    assert can_see_household(actor, village, assigned_id) is allowed


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value if r else "resident")
@pytest.mark.parametrize("voters", ["household", "resident", "member"])
@pytest.mark.parametrize("village", [OWN, OTHER], ids=["own", "other"])
@pytest.mark.parametrize("household", [OWN, OTHER, None], ids=["hh-own", "hh-other", "no-hh"])
def test_who_may_vote(role: Role | None, voters: str, village: int, household: int | None) -> None:
    """A consultation's voters: a member of its branch, or (households, residents) a
    person whose phone matched one of its village's households; never another village."""
    actor = Actor(user_id=10, platform_user_id=1010, village_id=OWN, member_id=5 if role else None, role=role)
    member_here = role is not None and village == OWN
    if voters == "member":
        allowed = member_here
    else:
        allowed = member_here or household == village
    assert can_vote(actor, village, voters, household_village_id=household) is allowed


def test_an_operator_or_a_village_chosen_by_name_does_not_vote() -> None:
    admin = Actor(user_id=1, platform_user_id=1, village_id=OWN, is_admin=True)
    by_name = Actor(user_id=2, platform_user_id=2, village_id=OWN)
    for voters in ("household", "resident", "member"):
        assert not can_vote(admin, OWN, voters, household_village_id=None)
        assert not can_vote(by_name, OWN, voters, household_village_id=None)
