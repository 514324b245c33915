"""Who may do what, in one place. Every privileged action is checked here and only here."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from bot.services.errors import NotAllowed
from storage.models import Role


class Action(enum.StrEnum):
    BROADCAST = "broadcast"
    LINK_GROUP = "link_group"
    UNLINK_GROUP = "unlink_group"
    CREATE_INVITE = "create_invite"
    SET_CRITERIA_STATUS = "set_criteria_status"
    ANSWER_QUESTIONS = "answer_questions"
    RECORD_PAYMENT = "record_payment"
    VIEW_VISIT_REPORT = "view_visit_report"
    REPORT_VISIT = "report_visit"
    MANAGE_CAMPAIGN = "manage_campaign"
    RECORD_PLEDGE_FOR_HOUSEHOLD = "record_pledge_for_household"  # one on one's visiting list
    RECORD_PLEDGE_FOR_ANY_HOUSEHOLD = "record_pledge_for_any_household"
    VOID_PLEDGE = "void_pledge"  # anyone's pledge, with a reason kept in the audit log
    VIEW_ALL_CONTRIBUTIONS = "view_all_contributions"
    POST_CONTRIBUTION_BOARD = "post_contribution_board"
    VIEW_HOUSEHOLDS = "view_households"  # any household's details (poverty status, notes, needs)
    ASSIGN_VISITS = "assign_visits"  # who visits which household, cadences, QR sheets
    MANAGE_CONSULTATION = "manage_consultation"  # ask residents (/layykien), close, minutes
    VIEW_NON_VOTERS = "view_non_voters"  # who has not answered a consultation yet


MANAGERS = frozenset({Role.SECRETARY, Role.DEPUTY})

PERMISSIONS: dict[Action, frozenset[Role]] = {
    Action.BROADCAST: frozenset({Role.SECRETARY, Role.DEPUTY, Role.COMMITTEE}),
    Action.LINK_GROUP: MANAGERS,
    Action.UNLINK_GROUP: MANAGERS,
    Action.CREATE_INVITE: MANAGERS,
    Action.SET_CRITERIA_STATUS: MANAGERS,
    Action.ANSWER_QUESTIONS: MANAGERS,
    Action.RECORD_PAYMENT: frozenset({Role.TREASURER, Role.SECRETARY}),
    Action.VIEW_VISIT_REPORT: MANAGERS,
    Action.REPORT_VISIT: frozenset(Role),
    Action.MANAGE_CAMPAIGN: frozenset({Role.SECRETARY, Role.DEPUTY, Role.TREASURER}),
    Action.RECORD_PLEDGE_FOR_HOUSEHOLD: frozenset(Role),
    Action.RECORD_PLEDGE_FOR_ANY_HOUSEHOLD: frozenset({Role.SECRETARY, Role.DEPUTY, Role.TREASURER}),
    Action.VOID_PLEDGE: frozenset({Role.SECRETARY}),
    # Every amount and every name, private ones included: those who keep the books.
    Action.VIEW_ALL_CONTRIBUTIONS: frozenset({Role.SECRETARY, Role.DEPUTY, Role.TREASURER}),
    Action.POST_CONTRIBUTION_BOARD: frozenset({Role.SECRETARY, Role.DEPUTY, Role.TREASURER}),
    Action.VIEW_HOUSEHOLDS: frozenset({Role.SECRETARY, Role.DEPUTY, Role.COMMITTEE}),
    Action.ASSIGN_VISITS: MANAGERS,
    Action.MANAGE_CONSULTATION: MANAGERS,
    Action.VIEW_NON_VOTERS: frozenset({Role.SECRETARY, Role.DEPUTY, Role.COMMITTEE}),
}


# Who outranks whom when a role is handed on (an invite): nobody may hand on more than they hold.
ROLE_RANK: dict[Role, int] = {
    Role.MEMBER: 0,
    Role.TREASURER: 1,
    Role.COMMITTEE: 1,
    Role.DEPUTY: 2,
    Role.SECRETARY: 3,
}


def may_hand_on(actor_role: Role | None, target_role: Role, *, is_admin: bool = False) -> bool:
    """Whether someone holding ``actor_role`` may invite a person into ``target_role``."""
    if is_admin:
        return True
    return actor_role is not None and ROLE_RANK[target_role] <= ROLE_RANK[actor_role]


@dataclass(frozen=True, slots=True)
class Actor:
    """The person behind an update, as far as permissions go (``user_id`` None: an
    operator at the command line)."""

    user_id: int | None
    platform_user_id: int | None
    village_id: int | None = None
    member_id: int | None = None
    role: Role | None = None
    is_admin: bool = False

    @property
    def is_member(self) -> bool:
        return self.member_id is not None

    def can(self, action: Action, village_id: int | None) -> bool:
        if self.is_admin:
            return True
        if self.role is None or village_id is None or village_id != self.village_id:
            return False
        return self.role in PERMISSIONS[action]

    def require(self, action: Action, village_id: int | None) -> None:
        if not self.can(action, village_id):
            raise NotAllowed(action.value)

    def lives_in(self, village_id: int | None) -> bool:
        """Residents and members alike see their own village's campaigns and pledge to
        them; nobody sees another village's (operators see all)."""
        if self.is_admin:
            return True
        return village_id is not None and self.village_id == village_id



def can_see_household(actor: Actor, village_id: int, assigned_member_id: int | None) -> bool:
    """A household's details are for its assigned member and the branch committee only."""
    if actor.member_id is not None and actor.member_id == assigned_member_id and actor.village_id == village_id:
        return True
    return actor.can(Action.VIEW_HOUSEHOLDS, village_id)


def can_vote(
    actor: Actor, village_id: int, voters: str, *, household_village_id: int | None
) -> bool:
    """Who may answer a consultation of ``village_id``. ``voters`` is "household",
    "resident" or "member"; ``household_village_id`` is the village of the household
    the person's phone matched (None: no match). Choosing a village by name proves
    nothing: a resident counts once their phone matched one of the village's
    households, and a party member once linked to its branch. Operators do not vote."""
    member_here = actor.member_id is not None and actor.village_id == village_id
    if voters == "member":
        return member_here
    return member_here or household_village_id == village_id


def may_record_for_household(actor: Actor, village_id: int, assigned_member_id: int | None) -> bool:
    """A pledge in a household's name: those who keep the books, or the member whose
    visiting list holds the household (issue 14: a plain member recorded 10-tỷ pledges
    in a stranger's name)."""
    if actor.can(Action.RECORD_PLEDGE_FOR_ANY_HOUSEHOLD, village_id):
        return True
    return (
        actor.can(Action.RECORD_PLEDGE_FOR_HOUSEHOLD, village_id)
        and actor.member_id is not None
        and actor.member_id == assigned_member_id
    )
