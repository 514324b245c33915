"""One person on two channels is one user (issue 17, item 5), on SQLite and PostgreSQL:
the merge moves village, household, pledges, votes, the roster place and queued
messages to the kept user in one transaction, and either address then finds that user,
reached at the address used last."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from storage.accounts_repo import AccountsConflict
from storage.channels_repo import FOREIGN_BASE
from storage.models import (
    Consultation,
    ConsultationVote,
    Member,
    OutboxMessage,
    Pledge,
    Question,
    User,
)
from storage.repo import Repo
from tests.storage.test_contributions_repo import make_campaign, pledge, seed

NOW = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
ZALO_ID = FOREIGN_BASE + 7


async def zalo_person(repo: Repo, name: str = "Bà Tư (Zalo)") -> User:
    return await repo.users.get_or_create(ZALO_ID, full_name=name, username=None, platform="zalo")


async def vote(repo: Repo, consultation_id: int, user_id: int, choice: int) -> None:
    repo.session.add(ConsultationVote(
        consultation_id=consultation_id, voter_key=f"u:{user_id}", user_id=user_id, choices=[choice],
    ))
    await repo.session.flush()


async def test_merge_moves_everything_to_one_user(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    async with sessionmaker() as session:
        repo = Repo(session)
        world = await seed(repo)
        campaign = await make_campaign(repo, world)
        await pledge(repo, world, campaign.id, "500k", "k1")  # Bà Tư's pledge on Telegram (3001)
        telegram = await repo.users.get(world.resident.user_id)
        telegram.household_id = world.household_id
        zalo = await zalo_person(repo)
        zalo.language = "en"
        session.add(Question(user_id=zalo.id, village_id=world.village_id, text="đường thôn?", set_code="x"))
        both = Consultation(code="yk1", village_id=world.village_id, question="Họp?", voters="resident",
                            closes_at=NOW + timedelta(days=3))
        only_zalo = Consultation(code="yk2", village_id=world.village_id, question="Đèn?", voters="resident",
                                 closes_at=NOW + timedelta(days=3))
        session.add_all([both, only_zalo])
        await session.flush()
        await vote(repo, both.id, telegram.id, 0)
        await vote(repo, both.id, zalo.id, 1)
        await vote(repo, only_zalo.id, zalo.id, 1)
        for user_id in (telegram.id, zalo.id):  # one broadcast run, queued for both accounts
            session.add(OutboxMessage(kind="broadcast", ref="run:1", target=f"u{user_id}", user_id=user_id))
        await session.commit()
        keep_id, gone_id = telegram.id, zalo.id

    async with sessionmaker() as session:
        repo = Repo(session)
        await repo.accounts.merge(keep_id, gone_id, now=NOW)  # the Zalo account typed the code
        await session.commit()

    async with sessionmaker() as session:
        repo = Repo(session)
        assert await session.get(User, gone_id) is None
        kept = await session.get(User, keep_id)
        assert (kept.village_id, kept.household_id) == (world.village_id, world.household_id)
        assert kept.language == "en"  # it had none: the other account's is kept
        assert (kept.platform, kept.platform_user_id) == ("zalo", ZALO_ID)  # the channel used last
        for address in (3001, ZALO_ID):
            found = await repo.users.by_platform_id(address)
            assert found is not None and found.id == keep_id
        assert await repo.accounts.addresses(keep_id) == [ZALO_ID, 3001]
        assert await session.scalar(select(func.count()).select_from(Pledge).where(Pledge.user_id == keep_id)) == 1
        assert (await session.scalar(select(Question))).user_id == keep_id
        votes = {(v.consultation_id, v.voter_key, tuple(v.choices)) for v in await session.scalars(select(ConsultationVote))}
        assert votes == {(both.id, f"u:{keep_id}", (0,)), (only_zalo.id, f"u:{keep_id}", (1,))}
        queued = [(r.user_id, r.status) for r in await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]
        assert queued == [(keep_id, "pending"), (keep_id, "skipped")]  # the person gets it once

        # The person writes on Telegram again: reached on Telegram from now on; no new user.
        await repo.users.ensure(3001, full_name="Bà Tư", username=None)
        await session.commit()
    async with sessionmaker() as session:
        kept = await session.get(User, keep_id)
        assert (kept.platform, kept.platform_user_id) == ("telegram", 3001)
        assert await session.scalar(select(func.count()).select_from(User).where(User.full_name.like("Bà Tư%"))) == 1


async def test_a_roster_place_moves_and_two_cannot_be_one(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    async with sessionmaker() as session:
        repo = Repo(session)
        world = await seed(repo)
        zalo = await zalo_person(repo, "Nguyễn Thị A")
        await session.commit()
        secretary_user, zalo_id = world.secretary.user_id, zalo.id
        resident_user = world.resident.user_id

    async with sessionmaker() as session:  # the secretary links a Zalo account that is nobody yet
        repo = Repo(session)
        await repo.accounts.merge(zalo_id, secretary_user, now=NOW)
        await session.commit()
    async with sessionmaker() as session:
        member = await session.scalar(select(Member).where(Member.phone == "0912000001"))
        assert member.user_id == zalo_id
        kept = await session.get(User, zalo_id)
        assert kept.platform_user_id == 1001

    async with sessionmaker() as session:  # two roster places: refused, nothing changed
        repo = Repo(session)
        treasurer_user = world.treasurer.user_id
        with pytest.raises(AccountsConflict):
            await repo.accounts.merge(zalo_id, treasurer_user, now=NOW)
        await session.rollback()
        assert await session.get(User, treasurer_user) is not None
        with pytest.raises(ValueError):
            await repo.accounts.merge(resident_user, resident_user, now=NOW)


async def test_codes_are_fresh_unique_and_replace_older_ones(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    async with sessionmaker() as session:
        repo = Repo(session)
        user = await repo.users.get_or_create(5001, full_name="Lan", username=None)
        first = await repo.accounts.new_code(user.id, now=NOW, expires_at=NOW + timedelta(minutes=15))
        second = await repo.accounts.new_code(user.id, now=NOW, expires_at=NOW + timedelta(minutes=15))
        await session.commit()
        assert len(second.code) == 6 and any(c.isdigit() for c in second.code)
        assert await repo.accounts.code(first.code) is None or first.code == second.code
        assert (await repo.accounts.code(second.code.lower())).id == second.id


async def test_the_sandbox_never_reuses_an_address_of_a_linked_person(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    async with sessionmaker() as session:
        repo = Repo(session)
        telegram = await repo.users.get_or_create(9_000_001, full_name="Hoa", username=None)
        zalo = await zalo_person(repo, "Hoa")
        await session.commit()
        await repo.accounts.merge(telegram.id, zalo.id, now=NOW)  # now reached on Zalo
        await session.commit()
        assert await repo.users.highest_platform_id() == 9_000_001
