"""Issue 14 #7: pledges recorded in a household's name. A plain party member recorded
three 10-tỷ pledges in a stranger household's name and nobody could cancel them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.services.authz import Actor
from bot.services.contributions import service
from bot.services.contributions.campaigns import CampaignInvalid
from bot.services.contributions.safeguards import RecordTooLarge, outlier_times, void_pledge
from bot.services.errors import NotAllowed, NotFound
from storage.models import AuditLog, Pledge, PledgeStatus, Role
from storage.repo import Repo
from tests.storage.test_contributions_repo import NOW, World, make_campaign, pledge, seed


async def plain_member(repo: Repo, world: World) -> Actor:
    """Trần Văn B: a member who visits NBT-001 only (the org file's ``visitor``)."""
    member = await repo.members.by_phone("0912000002")
    user = await repo.users.get_or_create(1002, full_name="Trần Văn B", username=None)
    member.user_id = user.id
    await repo.session.flush()
    return Actor(user.id, 1002, world.village_id, member.id, Role.MEMBER)


async def household(repo: Repo, world: World, code: str) -> int:
    return next(h.id for h in await repo.households.of_village(world.village_id) if h.code == code)


async def record(
    repo: Repo, actor: Actor, campaign_id: int, household_id: int, text: str, key: str
):  # type: ignore[no-untyped-def]
    return await service.confirm_pledge(
        repo,
        actor,
        campaign_id=campaign_id,
        parsed=service.parse_amount("money", text),
        idempotency_key=key,
        contributor_name="Hộ",
        now=NOW,
        household_id=household_id,
        for_household=True,
    )


async def test_only_the_books_or_the_visiting_member_record_for_a_household(repo: Repo) -> None:
    world = await seed(repo)
    campaign = await make_campaign(repo, world)
    member = await plain_member(repo, world)
    stranger_household = await household(repo, world, "NBT-002")
    own_household = await household(repo, world, "NBT-001")
    for key in ("a1", "a2", "a3"):  # the attack: three 10-tỷ pledges in a stranger's name
        with pytest.raises(NotAllowed):
            await record(repo, member, campaign.id, stranger_household, "10 tỷ", key)
    with pytest.raises(NotAllowed):  # even a small one
        await record(repo, member, campaign.id, stranger_household, "200k", "a4")
    mine, created = await record(repo, member, campaign.id, own_household, "200k", "b1")
    assert created and mine.household_id == own_household
    treasurer_pledge, _ = await record(
        repo, world.treasurer, campaign.id, stranger_household, "1tr", "c1"
    )
    assert treasurer_pledge.user_id is None
    with pytest.raises(NotAllowed):  # a resident records nothing for others
        await record(repo, world.resident, campaign.id, own_household, "1tr", "d1")
    amounts = sorted(p.amount for p in await repo.contributions.pledges_of_campaign(campaign.id))
    assert amounts == [200_000, 1_000_000]


async def test_a_record_for_a_household_has_a_cap(repo: Repo) -> None:
    world = await seed(repo)
    campaign = await make_campaign(repo, world)
    target = await household(repo, world, "NBT-002")
    with pytest.raises(RecordTooLarge) as refused:  # not even the secretary: 10 tỷ in one record
        await record(repo, world.secretary, campaign.id, target, "10 tỷ", "s1")
    assert refused.value.cap == 100_000_000
    await record(repo, world.secretary, campaign.id, target, "100 triệu", "s2")
    # A resident's own pledge is not a record for someone else: no cap of this kind.
    own, _ = await pledge(repo, world, campaign.id, "200 triệu", "r1")
    assert own.amount == 200_000_000


async def test_an_outlier_is_named_at_the_confirmation(repo: Repo) -> None:
    world = await seed(repo)
    campaign = await make_campaign(repo, world)
    first = service.parse_amount("money", "10 triệu")
    assert await outlier_times(repo, campaign.id, first) is None  # nothing usual yet
    for index, text in enumerate(["500k", "300k", "1tr"]):
        await pledge(repo, world, campaign.id, text, f"k{index}")
    assert await outlier_times(repo, campaign.id, service.parse_amount("money", "2tr")) is None
    assert await outlier_times(repo, campaign.id, first) == 20  # 20× the median 500k
    labour = service.parse_amount("labour", "3 ngày")
    assert await outlier_times(repo, campaign.id, labour) is None  # another kind


async def test_the_secretary_voids_any_pledge_with_a_reason(repo: Repo) -> None:
    world = await seed(repo)
    campaign = await make_campaign(repo, world)
    target = await household(repo, world, "NBT-002")
    wrong, _ = await record(repo, world.treasurer, campaign.id, target, "100 triệu", "t1")
    for somebody in (world.resident, world.treasurer, world.neighbour):
        with pytest.raises((NotAllowed, NotFound)):
            await void_pledge(repo, somebody, wrong.id, "ghi nhầm", NOW)
    with pytest.raises(CampaignInvalid, match="void_reason"):
        await void_pledge(repo, world.secretary, wrong.id, "   ", NOW)
    voided = await void_pledge(repo, world.secretary, wrong.id, "ghi nhầm  số tiền", NOW)
    assert voided.status == PledgeStatus.CANCELLED
    with pytest.raises(CampaignInvalid, match="already_cancelled"):
        await void_pledge(repo, world.secretary, wrong.id, "lần nữa", NOW)
    await repo.session.commit()
    entry = (
        await repo.session.scalars(select(AuditLog).where(AuditLog.action == "pledge_voided"))
    ).one()
    assert entry.details["reason"] == "ghi nhầm số tiền"
    assert entry.details["pledge_id"] == wrong.id and entry.actor_user_id == world.secretary.user_id
    paid, _ = await pledge(repo, world, campaign.id, "500k", "p1")
    await service.record_receipt(
        repo, world.treasurer, paid.id, amount=500_000, received_on=NOW.date(), number="",
        method="cash", now=NOW,
    )  # fmt: skip
    with pytest.raises(CampaignInvalid, match="has_receipts"):
        await void_pledge(repo, world.secretary, paid.id, "nhầm", NOW)
    assert (await repo.session.get(Pledge, paid.id)).status == PledgeStatus.RECEIVED


async def test_households_taking_part_count_residents_own_pledges(repo: Repo) -> None:
    """Issue 16 #7: "Số hộ tham gia: 0" while there were pledges."""
    world = await seed(repo)
    campaign = await make_campaign(repo, world)
    assert await repo.contributions.households_taking_part(campaign.id) == 0
    first, _ = await pledge(repo, world, campaign.id, "500k", "k1")
    assert await repo.contributions.households_taking_part(campaign.id) == 1
    await pledge(repo, world, campaign.id, "3 ngày", "k2", kind="labour")
    assert await repo.contributions.households_taking_part(campaign.id) == 1  # the same person
    own = await household(repo, world, "NBT-001")
    await service.set_pledge_extras(repo, world.resident, first.id, NOW, household_id=own)
    assert await repo.contributions.households_taking_part(campaign.id) == 1  # their household
    await record(
        repo, world.secretary, campaign.id, await household(repo, world, "NBT-002"), "1tr", "s1"
    )
    assert await repo.contributions.households_taking_part(campaign.id) == 2
