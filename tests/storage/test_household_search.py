"""Households are found, not listed (issue 16.1, issue 14.7): a resident verified in the
village finds a household by code or part of the head's name and sees at most a handful;
somebody whose village came only from a campaign poster's link finds nothing."""

from __future__ import annotations

import pytest

from bot.services import households, onboarding
from bot.services.authz import Actor
from bot.services.contributions.campaigns import open_by_link
from bot.services.errors import NotAllowed
from bot.services.org_import import apply_org, parse_org
from storage.repo import Repo
from tests.data_org import ORG_YAML
from tests.storage.test_contributions_repo import make_campaign, seed

FAMILIES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng"]
GIVEN = ["Văn An", "Thị Bình", "Văn Cường", "Thị Dung", "Văn Giang", "Thị Hoa", "Văn Khánh"]


def org_with(count: int) -> str:
    lines = [
        f'          - {{code: NBT-{n:03d}x, head: "{FAMILIES[n % 10]} {GIVEN[n % 7]} {n}"}}'
        for n in range(count)
    ]
    marker = "        groups:\n          - {telegram_chat_id: -1001000000001"
    return ORG_YAML.replace(marker, "\n".join(lines) + "\n" + marker, 1)


async def actor_of(repo: Repo, platform_id: int) -> Actor:
    user = await repo.users.get_or_create(platform_id, full_name="X", username=None)
    return await onboarding.load_actor(repo, user, admins=frozenset())


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_500_households_a_handful_of_matches_in_the_own_village_only(repo: Repo) -> None:
    await apply_org(repo, parse_org(org_with(500)))
    village = await repo.places.village_by_code("nam-bac-thanh")
    other = await repo.places.village_by_code("trung-thanh")
    assert len(await repo.households.of_village(village.id)) == 502
    user = await repo.users.get_or_create(5001, full_name="Bà Tư", username=None)
    await onboarding.choose_village(repo, user, village.id)
    resident = await actor_of(repo, 5001)

    found = await households.find_households(repo, resident, village.id, "nguyen")
    assert 1 <= len(found) <= households.MAX_MATCHES
    assert all(m.head_name.startswith("Nguyễn") for m in found)
    [exact] = (await households.find_households(repo, resident, village.id, "nbt-123x"))[:1]
    assert exact.code == "NBT-123x"
    assert "Giang" in (await households.find_households(repo, resident, village.id, "Giang 4"))[0].head_name
    assert await households.find_households(repo, resident, village.id, "a") == []  # too short
    assert await households.find_households(repo, resident, village.id, "zzzz") == []
    with pytest.raises(NotAllowed):  # another village's households
        await households.find_households(repo, resident, other.id, "nguyen")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_stranger_from_a_campaign_poster_is_not_offered_households(repo: Repo) -> None:
    world = await seed(repo)
    campaign = await make_campaign(repo, world)
    stranger = await repo.users.get_or_create(6001, full_name="Người lạ", username=None)
    actor = await onboarding.load_actor(repo, stranger, admins=frozenset())
    actor, _ = await open_by_link(repo, stranger, actor, campaign.code)
    await repo.session.flush()
    assert actor.village_id == world.village_id  # they may pledge ...
    assert not await households.verified_in(repo, actor, world.village_id)  # ... not browse
    with pytest.raises(NotAllowed):
        await households.find_households(repo, actor, world.village_id, "Lê")
    # Choosing the village when starting (or sharing a phone on the roster) verifies them.
    await onboarding.choose_village(repo, stranger, world.village_id)
    await repo.session.flush()
    assert await households.verified_in(repo, actor, world.village_id)
    assert [m.code for m in await households.find_households(repo, actor, world.village_id, "Lê")] == ["NBT-001"]
    # Members of the branch are verified; a resident of another village is not.
    assert await households.verified_in(repo, world.secretary, world.village_id)
    assert not await households.verified_in(repo, world.neighbour, world.village_id)
