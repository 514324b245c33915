"""Assignment a secretary can trust (issue 16.2): the balanced proposal for the demo
village uses the ordinary member who uses the bot (it left out Trần Văn Bình), says who
is left out and why, lists household → member, and a household can be moved."""

from __future__ import annotations

from datetime import date

import pytest

from bot.demo import demo_org_text
from bot.services import onboarding
from bot.services.errors import NotAllowed, NotFound
from bot.services.org_import import apply_org, parse_org
from bot.services.visits import assignments, service
from storage.repo import Repo

DAY = date(2026, 12, 5)
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


async def demo(repo: Repo):  # type: ignore[no-untyped-def]
    await apply_org(repo, parse_org(demo_org_text()))
    village = await repo.places.village_by_code("nam-bac-thanh")
    user = await repo.users.get_or_create(1001, full_name="An", username=None)
    secretary = await onboarding.load_actor(repo, user, admins=frozenset())
    members = {m.name: m for m in await repo.members.of_village(village.id)}
    return village, secretary, members


@SQLITE_ONLY
async def test_the_proposal_uses_the_member_who_uses_the_bot_and_says_who_is_left_out(repo: Repo) -> None:
    village, secretary, members = await demo(repo)
    wanted = await service.proposal(repo, secretary, village.id)
    assert members["Trần Văn Bình"].id in wanted.values()
    assert len(wanted) == 15

    proposal = await assignments.balanced_proposal(repo, secretary, village.id)
    assert sorted(len(s.households) for s in proposal.shares) == [5, 5, 5]
    assert [(left.name, left.reason) for left in proposal.left_out] == [("Nguyễn Thị An", "leader")]
    listed = {code for share in proposal.shares for code, _ in share.households}
    assert listed == {f"NBT-{n:03d}" for n in range(1, 16)}
    assert all(head for share in proposal.shares for _, head in share.households)


@SQLITE_ONLY
async def test_a_household_is_moved_with_its_name_and_only_within_the_branch(repo: Repo) -> None:
    village, secretary, members = await demo(repo)
    household = next(h for h in await repo.households.of_village(village.id) if h.code == "NBT-003")
    moved = await assignments.move_household(repo, secretary, household.id, members["Lê Thị Chi"].id, DAY)
    assert (moved.code, moved.head_name, moved.member_name, moved.previous_name) == (
        "NBT-003", "Hoàng Văn Em", "Lê Thị Chi", "Trần Văn Bình",
    )  # fmt: skip
    assert await repo.households.visitor_of(household.id) == members["Lê Thị Chi"].id
    other = await repo.places.village_by_code("trung-thanh")
    stranger = next(iter(await repo.members.of_village(other.id)), None)
    if stranger is not None:
        with pytest.raises(NotFound):
            await assignments.move_household(repo, secretary, household.id, stranger.id, DAY)
    bình = await onboarding.load_actor(
        repo, await repo.users.get_or_create(1002, full_name="Bình", username=None), admins=frozenset()
    )
    with pytest.raises(NotAllowed):
        await assignments.move_household(repo, bình, household.id, members["Trần Văn Bình"].id, DAY)
