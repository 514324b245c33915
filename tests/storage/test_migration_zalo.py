"""0014_zalo upgrades a database that holds data: every Telegram person and group
gets its channel address, identity-mapped; Zalo addresses are allocated apart."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text

from storage.channels_repo import FOREIGN_BASE
from storage.db import create_engine, create_sessionmaker
from storage.migrate import upgrade
from storage.repo import Repo
from tests.conftest import fresh_pg_database


@pytest.fixture(params=["sqlite", "postgresql"])
async def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
        return
    async with fresh_pg_database("villagebot_mig") as url:
        yield url


async def test_upgrade_keeps_and_maps_existing_people_and_groups(empty_url: str) -> None:
    engine = create_engine(empty_url)
    try:
        await upgrade(engine, "0008_criteria_round2")
        async with engine.begin() as conn:
            await conn.execute(text(
                "INSERT INTO users (platform, platform_user_id, full_name, reachable, created_at) "
                "VALUES ('telegram', 3001, 'Lan', true, CURRENT_TIMESTAMP)"
            ))
            await conn.execute(text(
                "INSERT INTO chats (platform, platform_chat_id, title, active) "
                "VALUES ('telegram', -1001000000001, 'Thôn Nam Bắc Thành', true)"
            ))
        await upgrade(engine)
        async with create_sessionmaker(engine)() as session:
            repo = Repo(session)
            person = await repo.channels.address("telegram", "3001")
            group = await repo.channels.address("telegram", "-1001000000001")
            assert (person.internal_id, person.chat_type, person.display_name) == (3001, "private", "Lan")
            assert (group.internal_id, group.chat_type) == (-1001000000001, "group")
            zalo, created = await repo.channels.allocate("zalo", "6ede9afa66b88fe6d6a9", "private", "Ted")
            again, created_again = await repo.channels.allocate("zalo", "6ede9afa66b88fe6d6a9", "private")
            team, _ = await repo.channels.allocate("zalo", "a" * 20, "group")
            assert created and not created_again and again.internal_id == zalo.internal_id
            assert zalo.internal_id > FOREIGN_BASE and team.internal_id < -FOREIGN_BASE
            user = await repo.users.get_or_create(zalo.internal_id, full_name="Ted", username=None, platform="zalo")
            assert await repo.users.by_platform_id(zalo.internal_id) is user
            await session.commit()
    finally:
        await engine.dispose()
