"""0020_multibot upgrades a database that holds data: every existing outbox row, person
and commune names no bot, which means the default bot; the default bot's sender takes
the rows queued before the upgrade, another bot's sender none of them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.multibot import outbox_lanes
from storage.db import create_engine, create_sessionmaker
from storage.migrate import upgrade
from storage.repo import Repo
from tests.conftest import fresh_pg_database


@pytest.fixture(params=["sqlite", "postgresql"])
async def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
        return
    async with fresh_pg_database("villagebot_mig_multibot") as url:
        yield url


async def test_rows_from_before_go_through_the_default_bot(empty_url: str) -> None:
    engine = create_engine(empty_url)
    try:
        await upgrade(engine, "0014_zalo")
        async with engine.begin() as conn:
            await conn.execute(text("INSERT INTO provinces (name) VALUES ('Hà Tĩnh')"))
            await conn.execute(text(
                "INSERT INTO communes (code, name, kind, province_id) VALUES ('cam-thanh', 'Xã Cẩm Thành', 'commune', 1)"
            ))
            await conn.execute(text(
                "INSERT INTO users (platform, platform_user_id, full_name, reachable, created_at) "
                "VALUES ('telegram', 3001, 'Lan', true, CURRENT_TIMESTAMP)"
            ))
            await conn.execute(text(
                "INSERT INTO outbox (channel, kind, ref, priority, payload, target, chat_id, locale, status, "
                "attempts, next_attempt_at, resent_after_crash) VALUES ('telegram', 'reply', 'old', 10, '{}', "
                "'a3001', 3001, 'vi', 'pending', 0, '2026-01-01 00:00:00', 0)"
            ))
        await upgrade(engine)
        async with create_sessionmaker(engine)() as session:
            repo = Repo(session)
            keys = (await session.execute(text(
                "SELECT (SELECT bot_key FROM outbox), (SELECT bot_key FROM users), (SELECT bot_key FROM communes)"
            ))).one()
            assert tuple(keys) == (None, None, None)
            default, other = outbox_lanes(["hatinh", "nghean"])
            later = datetime(2026, 1, 2, tzinfo=UTC) + timedelta(seconds=1)
            assert len(await repo.outbox.candidates(later, lane=default)) == 1
            assert await repo.outbox.candidates(later, lane=other) == []
            assert len(await repo.outbox.candidates(later)) == 1  # one bot: every row, as before
    finally:
        await engine.dispose()
