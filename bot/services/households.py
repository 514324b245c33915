"""Finding a household without listing them all, and who may look for one.

A village has 100–500 households; a keyboard of every head's name is both beyond
Telegram's 100 buttons and a list of the village handed to anyone. A resident types
the household's code or part of the head's name and sees a handful of matches, in
their own village only, and only once they are known to live there (issue 14.7)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.services.authz import Actor
from bot.services.errors import NotAllowed
from bot.services.vntext import fold
from storage.repo import Repo

MAX_MATCHES = 5
MIN_QUERY = 2
CAMPAIGN_LINK = "campaign_link"


@dataclass(frozen=True, slots=True)
class HouseholdMatch:
    household_id: int
    code: str
    head_name: str


async def verified_in(repo: Repo, actor: Actor, village_id: int) -> bool:
    """Whether the actor is known to live in (or serve) the village: a member of its
    branch, a resident whose phone is on its household roster, or one who chose the
    village when starting. Somebody whose village came only from a campaign poster's
    link (any Telegram user can scan one) is not."""
    if actor.is_admin:
        return True
    if actor.village_id != village_id or actor.user_id is None:
        return False
    if actor.member_id is not None:
        return True
    user = await repo.users.get(actor.user_id)
    if user is None:
        return False
    if user.household_id is not None:
        household = await repo.contributions.household(user.household_id)
        if household is not None and household.village_id == village_id:
            return True
    chosen = await repo.audit.last_of_user(user.id, "village_chosen")
    return chosen is None or (chosen.details or {}).get("via") != CAMPAIGN_LINK


async def require_verified(repo: Repo, actor: Actor, village_id: int) -> None:
    if not await verified_in(repo, actor, village_id):
        raise NotAllowed("household_unverified")


def _rank(query: str, code: str, name: str) -> int | None:
    if code == query:
        return 0
    if code.startswith(query) or code.replace("-", "").endswith(query.replace(" ", "")):
        return 1
    if query in code:
        return 2
    words = name.split()
    if any(word.startswith(query) for word in words) or name.startswith(query):
        return 3
    if query in name:
        return 4
    return None


async def find_households(
    repo: Repo, actor: Actor, village_id: int, query: str, *, limit: int = MAX_MATCHES
) -> list[HouseholdMatch]:
    """At most ``limit`` households of the village whose code or head's name matches what
    was typed (any case, with or without diacritics); the best matches first."""
    await require_verified(repo, actor, village_id)
    key = fold(query[:100])
    if len(key.replace(" ", "")) < MIN_QUERY:
        return []
    ranked = []
    for household in await repo.households.of_village(village_id):
        rank = _rank(key, fold(household.code), fold(household.head_name))
        if rank is not None:
            ranked.append((rank, household.code, household))
    ranked.sort(key=lambda item: (item[0], item[1]))
    return [HouseholdMatch(h.id, h.code, h.head_name) for _, _, h in ranked[:limit]]
