"""Backup → restore into an empty database gives identical data, on both engines;
one village's export holds that village's rows and nobody else's."""

from __future__ import annotations

import json
import zipfile
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text

from bot.demo import demo_org_text
from bot.services.org_import import apply_org, parse_org
from storage.backup import BackupError, backup, file_kind, is_empty, restore
from storage.db import create_engine, create_sessionmaker
from storage.models import Base, Campaign, Pledge, Village
from storage.repo import Repo
from storage.village_export import UnknownVillage, export_village
from tests.conftest import fresh_pg_database


async def _seed(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            await apply_org(Repo(session), parse_org(demo_org_text(), source="demo"))
            await session.flush()
            villages = (await session.execute(select(Village).order_by(Village.id))).scalars().all()
            for index, village in enumerate(villages[:2]):
                campaign = Campaign(
                    code=f"c{index}x", village_id=village.id, name=f"Đường <b>thôn</b> $x$ {index}",
                    starts_on=date(2026, 11, 1), ends_on=date(2026, 12, 31),
                )
                session.add(campaign)
                await session.flush()
                session.add(Pledge(campaign_id=campaign.id, kind="money", amount=500_000 + index,
                                   idempotency_key=f"k{index}", note="=1+1 ghi chú",
                                   created_at=datetime(2026, 11, 2, 3, 4, 5, tzinfo=UTC)))
            await session.commit()
    finally:
        await engine.dispose()


async def _dump(database_url: str) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, in primary-key order."""
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            names = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
            out = {}
            for table in Base.metadata.sorted_tables:
                assert table.name in names
                order = ", ".join(c.name for c in table.primary_key.columns)
                rows = await connection.execute(text(f'SELECT * FROM "{table.name}" ORDER BY {order}'))
                out[table.name] = [tuple(row) for row in rows]
            version = await connection.execute(text("SELECT version_num FROM alembic_version"))
            out["alembic_version"] = [tuple(row) for row in version]
            return out
    finally:
        await engine.dispose()


@pytest.fixture
async def empty_target(database_url: str, tmp_path: Path) -> AsyncIterator[str]:
    """A second database of the same engine with nothing in it (not even tables)."""
    if database_url.startswith("sqlite"):
        yield f"sqlite+aiosqlite:///{tmp_path / 'restored.db'}"
        return
    async with fresh_pg_database("villagebot_restore") as url:
        yield url


async def test_backup_restore_round_trip_is_identical(database_url: str, empty_target: str, tmp_path: Path) -> None:
    await _seed(database_url)
    before = await _dump(database_url)
    assert len(before["households"]) > 10 and len(before["pledges"]) == 2

    path = tmp_path / "villagebot.backup"
    await backup(database_url, path)
    assert file_kind(path) == ("sqlite" if database_url.startswith("sqlite") else "postgresql")
    await restore(empty_target, path)

    assert await _dump(empty_target) == before


async def test_restore_refuses_a_database_that_holds_data(database_url: str, tmp_path: Path) -> None:
    await _seed(database_url)
    path = tmp_path / "b.backup"
    await backup(database_url, path)
    with pytest.raises(BackupError, match="already holds data"):
        await restore(database_url, path)
    assert not await is_empty(database_url)


async def test_restore_refuses_the_other_engines_file_and_junk(database_url: str, tmp_path: Path) -> None:
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"PK\x03\x04 not a backup")
    with pytest.raises(BackupError, match="not a villagebot backup"):
        await restore(database_url, junk)
    other = tmp_path / "other.backup"
    other.write_bytes(b"PGDMP" if database_url.startswith("sqlite") else b"SQLite format 3\x00")
    with pytest.raises(BackupError, match="backup; DATABASE_URL is"):
        await restore(database_url, other)


async def test_village_export_holds_only_that_village(database_url: str, tmp_path: Path) -> None:
    await _seed(database_url)
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            villages = (await session.execute(select(Village).order_by(Village.id))).scalars().all()
            first, second = villages[0], villages[1]
            target = tmp_path / "out" / "v.zip"
            result = await export_village(session, first.code, target, now=datetime(2026, 12, 5, tzinfo=UTC))
            with pytest.raises(UnknownVillage):
                await export_village(session, "no-such-village", tmp_path / "x.zip", now=datetime.now(UTC))
    finally:
        await engine.dispose()

    with zipfile.ZipFile(target) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        households = [json.loads(line) for line in archive.read("households.jsonl").decode().splitlines()]
        pledges = [json.loads(line) for line in archive.read("pledges.jsonl").decode().splitlines()]
        campaigns = [json.loads(line) for line in archive.read("campaigns.jsonl").decode().splitlines()]
    assert manifest["village"] == first.code and manifest["files"] == result.counts
    assert households and {h["village_id"] for h in households} == {first.id}
    assert second.id not in {c["village_id"] for c in campaigns}
    assert [p["amount"] for p in pledges] == [500_000]
    assert pledges[0]["note"] == "=1+1 ghi chú"  # JSON keeps the text as typed
    assert pledges[0]["created_at"].startswith("2026-11-02T03:04:05")
    assert not (tmp_path / "out" / "v.zip.partial").exists()
