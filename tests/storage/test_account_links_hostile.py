"""/ketnoi under attack (issue 17, item 5), on SQLite and PostgreSQL, through the service
the handler calls: the confirm button's data carries only a code's row id, which a client
can forge. Nobody but the account that typed the code may confirm it; a code confirms once
and not after it expires; a code one account has typed cannot be taken over by another."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.services import account_links
from bot.services.account_links import CODE_TTL, LinkRefused
from storage.channels_repo import FOREIGN_BASE
from storage.models import LinkCode, User
from storage.repo import Repo
from tests.storage.test_account_links import NOW, zalo_person
from tests.storage.test_contributions_repo import seed


async def _typed(sessionmaker):  # type: ignore[no-untyped-def]
    """The secretary (Telegram 1001) shows a code; a Zalo account types it. Returns
    (world, secretary's user id, the Zalo account's user id, the code)."""
    async with sessionmaker() as session:
        repo = Repo(session)
        world = await seed(repo)
        secretary = await repo.users.get(world.secretary.user_id)
        code = await account_links.show_code(repo, secretary, now=NOW)
        zalo = await zalo_person(repo, "Chị Hoa (Zalo)")
        offer = await account_links.take_code(repo, zalo, code.code, now=NOW)
        await session.commit()
        return world, secretary.id, zalo.id, code.code, offer.code_id


async def _users(sessionmaker) -> int:  # type: ignore[no-untyped-def]
    async with sessionmaker() as session:
        return await session.scalar(select(func.count()).select_from(User))


async def test_nobody_but_the_typing_account_can_confirm(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    world, secretary_id, zalo_id, _, code_id = await _typed(sessionmaker)
    before = await _users(sessionmaker)
    async with sessionmaker() as session:
        repo = Repo(session)
        for forger_id in (world.resident.user_id, world.treasurer.user_id, secretary_id):
            forger = await repo.users.get(forger_id)
            with pytest.raises(LinkRefused) as refused:
                await account_links.confirm(repo, forger, code_id, now=NOW)
            assert refused.value.reason == "wrong"
        stranger = await repo.users.get_or_create(FOREIGN_BASE + 77_001, full_name="Kẻ lạ", username=None, platform="zalo")
        for forged_id in (code_id, code_id + 1, -1, 2**31 - 1):
            with pytest.raises(LinkRefused):
                await account_links.confirm(repo, stranger, forged_id, now=NOW)
        await session.commit()
    assert await _users(sessionmaker) == before + 1  # the stranger's row only: nothing merged
    async with sessionmaker() as session:
        repo = Repo(session)
        assert await repo.users.get(zalo_id) is not None
        assert (await repo.accounts.code_by_id(code_id)).used_at is None


async def test_a_code_confirms_once_and_not_after_it_expires(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    _, secretary_id, zalo_id, _, code_id = await _typed(sessionmaker)
    async with sessionmaker() as session:
        repo = Repo(session)
        zalo = await repo.users.get(zalo_id)
        with pytest.raises(LinkRefused):  # one second after the code's 15 minutes
            await account_links.confirm(repo, zalo, code_id, now=NOW + CODE_TTL + timedelta(seconds=1))
        assert await account_links.confirm(repo, zalo, code_id, now=NOW) == secretary_id
        await session.commit()
    async with sessionmaker() as session:  # pressed again (or replayed): the account is gone, the code used
        repo = Repo(session)
        kept = await repo.users.get(secretary_id)
        with pytest.raises(LinkRefused):
            await account_links.confirm(repo, kept, code_id, now=NOW)
        code = await session.get(LinkCode, code_id)
        assert code is None or code.used_at is not None  # the merge retires it


async def test_a_typed_code_cannot_be_taken_over(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    world, secretary_id, zalo_id, code, code_id = await _typed(sessionmaker)
    async with sessionmaker() as session:
        repo = Repo(session)
        thief = await repo.users.get_or_create(FOREIGN_BASE + 77_002, full_name="Người nhìn trộm", username=None, platform="zalo")
        with pytest.raises(LinkRefused) as refused:
            await account_links.take_code(repo, thief, code, now=NOW)
        assert refused.value.reason == "wrong"
        with pytest.raises(LinkRefused):
            await account_links.confirm(repo, thief, code_id, now=NOW)
        zalo = await repo.users.get(zalo_id)  # the account that typed it first still can
        assert await account_links.confirm(repo, zalo, code_id, now=NOW) == secretary_id
        await session.commit()
