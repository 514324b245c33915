"""PostgreSQL's pool pings a connection only after it sat idle (storage/db.py): one in
use a moment ago costs no extra round trips, and a dead one is still replaced."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

import storage.db
from storage.db import create_engine, create_sessionmaker


@pytest.fixture
async def pg_engine(postgres_url: str):  # type: ignore[no-untyped-def]
    engine = create_engine(postgres_url)
    yield engine
    await engine.dispose()


def _count_pings(engine, monkeypatch: pytest.MonkeyPatch) -> list[int]:  # type: ignore[no-untyped-def]
    pings: list[int] = []
    dialect = engine.sync_engine.dialect
    ping = dialect.do_ping

    def counted(dbapi_connection):  # type: ignore[no-untyped-def]
        pings.append(1)
        return ping(dbapi_connection)

    monkeypatch.setattr(dialect, "do_ping", counted)
    return pings


async def _select_one(sessionmaker) -> int:  # type: ignore[no-untyped-def]
    async with sessionmaker() as session:
        return int(await session.scalar(text("SELECT 1")))


async def test_a_connection_used_a_moment_ago_is_not_pinged(pg_engine, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    pings = _count_pings(pg_engine, monkeypatch)
    sessionmaker = create_sessionmaker(pg_engine)
    monkeypatch.setattr(storage.db, "PING_AFTER", 3600.0)
    for _ in range(5):
        assert await _select_one(sessionmaker) == 1
    assert pings == []  # pool_pre_ping pinged all five checkouts (three round trips each)
    monkeypatch.setattr(storage.db, "PING_AFTER", 0.0)
    await asyncio.sleep(0.01)
    assert await _select_one(sessionmaker) == 1
    assert pings == [1]  # idle past PING_AFTER: pinged


async def test_a_connection_that_died_while_idle_is_replaced(pg_engine, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    sessionmaker = create_sessionmaker(pg_engine)
    async with sessionmaker() as session:
        pid = int(await session.scalar(text("SELECT pg_backend_pid()")))
    admin = create_engine(pg_engine.url.render_as_string(hide_password=False))
    async with admin.connect() as conn:
        await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        await conn.commit()
    await admin.dispose()
    monkeypatch.setattr(storage.db, "PING_AFTER", 0.0)  # "idle long enough"
    await asyncio.sleep(0.01)
    async with sessionmaker() as session:
        assert int(await session.scalar(text("SELECT pg_backend_pid()"))) != pid
