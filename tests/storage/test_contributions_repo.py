"""Contributions on SQLite and PostgreSQL: campaigns, idempotent pledges, receipts and
statuses, privacy of names, audit, and 200 residents confirming at once."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.services.authz import Actor
from bot.services.contributions import service
from bot.services.contributions.amounts import InvalidAmount
from bot.services.errors import NotAllowed, NotFound
from bot.services.org_import import apply_org, parse_org
from storage.db import create_engine, create_sessionmaker
from storage.models import AuditLog, Member, Pledge, PledgeStatus, Role
from storage.repo import Repo
from tests.data_org import ORG_YAML

NOW = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)


@dataclass
class World:
    village_id: int
    other_village_id: int
    secretary: Actor
    treasurer: Actor
    resident: Actor
    neighbour: Actor  # a resident of the other village
    household_id: int


async def seed(repo: Repo) -> World:
    await apply_org(repo, parse_org(ORG_YAML))
    village = await repo.places.village_by_code("nam-bac-thanh")
    other = await repo.places.village_by_code("trung-thanh")
    branch = await repo.places.branch_of_village(village.id)
    users = {}
    for platform_id, name in [
        (1001, "Nguyễn Thị A"),
        (2001, "Thủ Quỹ"),
        (3001, "Bà Tư"),
        (4001, "Ông Năm"),
    ]:
        users[platform_id] = await repo.users.get_or_create(
            platform_id, full_name=name, username=None
        )
    users[3001].village_id = village.id
    users[4001].village_id = other.id
    secretary = await repo.members.by_phone("0912000001")
    secretary.user_id = users[1001].id
    treasurer = Member(
        branch_id=branch.id,
        name="Thủ Quỹ",
        phone="0912000777",
        role=Role.TREASURER,
        user_id=users[2001].id,
    )
    repo.session.add(treasurer)
    await repo.session.flush()
    household = (await repo.households.of_village(village.id))[0]
    await repo.session.commit()
    return World(
        village.id,
        other.id,
        Actor(users[1001].id, 1001, village.id, secretary.id, Role.SECRETARY),
        Actor(users[2001].id, 2001, village.id, treasurer.id, Role.TREASURER),
        Actor(users[3001].id, 3001, village.id),
        Actor(users[4001].id, 4001, other.id),
        household.id,
    )


async def make_campaign(repo: Repo, world: World, **overrides: object):  # type: ignore[no-untyped-def]
    values: dict = dict(
        village_id=world.village_id,
        name="Nhà văn hóa thôn",
        purpose="Xây nhà văn hóa",
        goals={"money": 600_000_000, "labour": 500, "material": None, "land": 200},
        starts_on=date(2026, 3, 1),
        ends_on=date(2026, 6, 30),
        bank_bin="970405",
        bank_name="Agribank",
        account_number="3600205123456",
        account_holder="QUY THON NAM BAC THANH",
        now=NOW,
    )
    values.update(overrides)
    return await service.create_campaign(repo, world.secretary, **values)


async def pledge(
    repo: Repo,
    world: World,
    campaign_id: int,
    text: str,
    key: str,
    kind: str = "money",
    actor: Actor | None = None,
):  # type: ignore[no-untyped-def]
    actor = actor or world.resident
    return await service.confirm_pledge(
        repo,
        actor,
        campaign_id=campaign_id,
        parsed=service.parse_amount(kind, text),
        idempotency_key=key,
        contributor_name="Bà Tư",
        now=NOW,
    )


async def test_campaign_pledge_receipts_and_statuses(repo: Repo) -> None:
    world = await seed(repo)
    campaign = await make_campaign(repo, world)
    first, created = await pledge(repo, world, campaign.id, "1tr5", "u3001:c1:1")
    again, created_again = await pledge(repo, world, campaign.id, "1tr5", "u3001:c1:1")
    assert created and not created_again and again.id == first.id
    await repo.session.commit()
    assert await repo.session.scalar(select(func.count()).select_from(Pledge)) == 1
    assert first.amount == 1_500_000 and first.status == PledgeStatus.PLEDGED

    with pytest.raises(NotAllowed):  # a resident records no receipts
        await service.record_receipt(
            repo,
            world.resident,
            first.id,
            amount=1,
            received_on=date(2026, 3, 2),
            number="",
            method="cash",
            now=NOW,
        )
    await service.record_receipt(
        repo,
        world.treasurer,
        first.id,
        amount=500_000,
        received_on=date(2026, 3, 2),
        number="PT01",
        method="cash",
        now=NOW,
    )
    assert first.status == PledgeStatus.PARTLY_RECEIVED and first.received == 500_000
    with pytest.raises(service.CampaignInvalid):  # something received: no more changes
        await service.change_pledge(repo, world.resident, first.id, "2tr", NOW)
    with pytest.raises(service.CampaignInvalid):
        await service.cancel_pledge(repo, world.resident, first.id, NOW)
    await service.record_receipt(
        repo,
        world.treasurer,
        first.id,
        amount=1_200_000,
        received_on=date(2026, 3, 3),
        number="",
        method="transfer",
        now=NOW,
        source_ref="stmt:1",
    )
    assert (
        first.status == PledgeStatus.RECEIVED and first.received == 1_700_000
    )  # more than pledged: shown
    duplicate = await service.record_receipt(
        repo,
        world.treasurer,
        first.id,
        amount=1_200_000,
        received_on=date(2026, 3, 3),
        number="",
        method="transfer",
        now=NOW,
        source_ref="stmt:1",
    )
    assert duplicate is None and first.received == 1_700_000
    await repo.session.commit()

    actions = list(await repo.session.scalars(select(AuditLog.action).order_by(AuditLog.id)))
    assert actions[-4:] == [
        "campaign_created",
        "pledge_created",
        "receipt_recorded",
        "receipt_recorded",
    ]
    assert (await repo.audit.recent(world.village_id, 1))[
        0
    ].actor_user_id == world.treasurer.user_id


async def test_change_cancel_and_other_villages(repo: Repo) -> None:
    world = await seed(repo)
    campaign = await make_campaign(repo, world)
    mine, _ = await pledge(repo, world, campaign.id, "500k", "k1")
    changed = await service.change_pledge(repo, world.resident, mine.id, "700.000đ", NOW)
    assert changed.amount == 700_000
    with pytest.raises(NotFound):  # nobody else's pledge is yours to change
        await service.change_pledge(repo, world.secretary, mine.id, "1tr", NOW)
    with pytest.raises(NotFound):  # another village's campaign does not exist for them
        await pledge(repo, world, campaign.id, "1tr", "k2", actor=world.neighbour)
    with pytest.raises(NotFound):
        await service.visible_campaign(repo, world.neighbour, code=campaign.code)
    with pytest.raises(NotAllowed):
        await service.create_campaign(
            repo,
            world.resident,
            village_id=world.village_id,
            name="x",
            purpose="",
            goals={"money": None},
            starts_on=date(2026, 1, 1),
            ends_on=date(2026, 2, 1),
            now=NOW,
        )
    with pytest.raises(InvalidAmount):
        await service.change_pledge(repo, world.resident, mine.id, "0", NOW)
    cancelled = await service.cancel_pledge(repo, world.resident, mine.id, NOW)
    assert cancelled.status == PledgeStatus.CANCELLED
    with pytest.raises(service.CampaignInvalid):
        await service.cancel_pledge(repo, world.resident, mine.id, NOW)
    land, _ = await pledge(repo, world, campaign.id, "100 m2", "k3", kind="land")
    assert (land.amount, land.unit) == (100, "m²")
    only_money = await make_campaign(repo, world, goals={"money": None})
    with pytest.raises(service.CampaignInvalid):
        await pledge(repo, world, only_money.id, "3 ngày", "k4", kind="labour")
    closed = await service.set_campaign_status(
        repo, world.treasurer, only_money.id, service.CampaignStatus.CLOSED, NOW
    )
    assert closed.status == "closed"
    with pytest.raises(service.CampaignInvalid):
        await pledge(repo, world, only_money.id, "1tr", "k5")


async def test_board_totals_and_private_names(repo: Repo) -> None:
    world = await seed(repo)
    public = await make_campaign(repo, world)
    named, _ = await pledge(repo, world, public.id, "2tr", "b1")
    await service.set_pledge_extras(
        repo, world.resident, named.id, NOW, show_name=True, household_id=world.household_id
    )
    await pledge(repo, world, public.id, "1tr", "b2")  # name not shown
    await pledge(repo, world, public.id, "3 công", "b3", kind="labour")
    await pledge(repo, world, public.id, "2 khối cát", "b4", kind="material")
    await service.record_receipt(
        repo,
        world.treasurer,
        named.id,
        amount=2_000_000,
        received_on=date(2026, 3, 2),
        number="1",
        method="cash",
        now=NOW,
    )
    await repo.session.commit()

    seen = await service.board(repo, world.resident, public)
    money = next(line for line in seen.kinds if line.kind == "money")
    assert (money.pledged, money.received, money.goal, money.pledges) == (
        3_000_000,
        2_000_000,
        600_000_000,
        2,
    )
    assert money.percent_of_goal == 0 and money.pledged_percent == 0
    assert next(line for line in seen.kinds if line.kind == "labour").pledged == 3
    assert [(line.unit, line.pledged) for line in seen.kinds if line.kind == "material"] == [
        ("khối", 2)
    ]
    assert seen.households == 1
    assert [c.name for c in seen.contributors] == ["Bà Tư"] and seen.anonymous == 3
    books = await service.board(repo, world.treasurer, public)
    assert len(books.contributors) == 4 and books.full_view

    private = await make_campaign(repo, world, names_public=False)
    hidden, _ = await pledge(repo, world, private.id, "1tr", "p1")
    await service.set_pledge_extras(repo, world.resident, hidden.id, NOW, show_name=True)
    assert (await service.board(repo, world.resident, private)).contributors == []
    with pytest.raises(NotFound):
        await service.board(repo, world.neighbour, private)
    with pytest.raises(NotFound):  # a household of another village
        other_household = (await repo.households.of_village(world.village_id))[0].id + 1000
        await service.set_pledge_extras(
            repo, world.resident, hidden.id, NOW, household_id=other_household
        )


async def test_overdue_after_the_end(repo: Repo) -> None:
    world = await seed(repo)
    campaign = await make_campaign(repo, world, ends_on=date(2026, 3, 5))
    owed, _ = await pledge(repo, world, campaign.id, "1tr", "o1")
    paid, _ = await pledge(repo, world, campaign.id, "1tr", "o2")
    await service.record_receipt(
        repo,
        world.treasurer,
        paid.id,
        amount=1_000_000,
        received_on=date(2026, 3, 3),
        number="",
        method="cash",
        now=NOW,
    )
    assert (
        await service.mark_overdue(
            repo, campaign, datetime(2026, 3, 5, 16, 0, tzinfo=UTC), "Asia/Ho_Chi_Minh"
        )
        == []
    )
    # 17:00 UTC on the 5th is already the 6th in Hà Nội.
    assert await service.mark_overdue(
        repo, campaign, datetime(2026, 3, 5, 17, 0, tzinfo=UTC), "Asia/Ho_Chi_Minh"
    ) == [owed.id]
    await repo.session.refresh(owed)
    assert owed.status == PledgeStatus.OVERDUE
    await service.record_receipt(
        repo,
        world.treasurer,
        owed.id,
        amount=400_000,
        received_on=date(2026, 3, 7),
        number="",
        method="cash",
        now=NOW,
    )
    assert owed.status == PledgeStatus.OVERDUE
    await service.record_receipt(
        repo,
        world.treasurer,
        owed.id,
        amount=600_000,
        received_on=date(2026, 3, 8),
        number="",
        method="cash",
        now=NOW,
    )
    assert owed.status == PledgeStatus.RECEIVED


async def test_200_residents_confirming_at_once_on_postgresql(postgres_url: str) -> None:
    """Each of 200 residents presses Confirm twice at the same moment: 200 pledges, exact sums."""
    from tests.conftest import _truncate_pg

    await _truncate_pg(postgres_url)
    engine = create_engine(postgres_url)
    sessionmaker = create_sessionmaker(engine)
    try:
        async with sessionmaker() as session:
            repo = Repo(session)
            world = await seed(repo)
            campaign = await make_campaign(repo, world)
            campaign_id = campaign.id
            residents = []
            for n in range(200):
                user = await repo.users.get_or_create(
                    500_000 + n, full_name=f"Dân {n}", username=None
                )
                user.village_id = world.village_id
                residents.append(Actor(user.id, 500_000 + n, world.village_id))
            await session.commit()

        start = asyncio.Event()

        async def confirm(n: int) -> bool:
            await start.wait()
            async with sessionmaker() as session:
                _pledge, created = await service.confirm_pledge(
                    Repo(session),
                    residents[n],
                    campaign_id=campaign_id,
                    parsed=service.parse_amount("money", f"{n + 1}00k"),
                    idempotency_key=f"confirm:{n}",
                    contributor_name=f"Dân {n}",
                    now=NOW + timedelta(seconds=n),
                )
                await session.commit()
                return created

        tasks = [asyncio.create_task(confirm(n % 200)) for n in range(400)]
        start.set()
        created = await asyncio.gather(*tasks)
        assert sum(created) == 200
        async with sessionmaker() as session:
            repo = Repo(session)
            totals = await repo.contributions.totals(campaign_id)
            assert [(t.kind, t.pledged, t.pledges) for t in totals] == [
                ("money", sum((n + 1) * 100_000 for n in range(200)), 200)
            ]
            audit = await session.scalar(
                select(func.count())
                .select_from(AuditLog)
                .where(AuditLog.action == "pledge_created")
            )
            assert audit == 200
    finally:
        await engine.dispose()
