"""Transparency (công khai): the campaign board everyone may see, and pledges turning
overdue after the end date."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.services.authz import Action, Actor
from bot.services.contributions.campaigns import local_today
from bot.services.errors import NotFound
from storage.models import Campaign, ContributionKind, PledgeStatus
from storage.repo import Repo


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
    pledge_id: int = 0  # shown in the full view: the number /huycamket takes


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
                    pledge.id,
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
