"""``make run``'s demo data is seeded once (issue 16): a restart keeps what the user did,
so a household moved with /phancong or the CLI stays with its new member. On SQLite
and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from bot.commands import load_demo, sandbox_state_path
from bot.services.contributions.delivery import ANNOUNCE
from bot.settings import Settings
from storage.models import Campaign, OutboxMessage
from storage.repo import Repo


async def _counts(sessionmaker) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    async with sessionmaker() as session:
        campaigns = await session.scalar(select(func.count()).select_from(Campaign))
        announced = await session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == ANNOUNCE)
        )
    return campaigns, announced


async def _roster(sessionmaker) -> dict[str, int | None]:  # type: ignore[no-untyped-def]
    async with sessionmaker() as session:
        repo = Repo(session)
        village = await repo.places.village_by_code("nam-bac-thanh")
        return {h.code: m for h, m in await repo.visits.village_roster(village.id)}


async def test_a_restart_keeps_the_assignments_made_since(sessionmaker, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(_env_file=None, criteria_dir=tmp_path / "criteria")
    assert await load_demo(sessionmaker, settings, bot_username="villagebot") is True
    assert await _counts(sessionmaker) == (1, 1)  # the demo campaign, announced to the group
    before = await _roster(sessionmaker)
    assert before["NBT-004"] is None
    mover = before["NBT-003"]  # Trần Văn Bình's household
    async with sessionmaker() as session:  # what /phancong does
        repo = Repo(session)
        village = await repo.places.village_by_code("nam-bac-thanh")
        roster = {h.code: h.id for h, _m in await repo.visits.village_roster(village.id)}
        await repo.visits.assign(roster["NBT-004"], mover)
        await repo.visits.assign(roster["NBT-001"], None)
        await session.commit()

    assert (
        await load_demo(sessionmaker, settings, bot_username="villagebot") is False
    )  # `make run` again
    assert await _counts(sessionmaker) == (1, 1)
    after = await _roster(sessionmaker)
    assert after["NBT-004"] == mover and after["NBT-001"] is None
    assert {k: v for k, v in after.items() if k not in ("NBT-001", "NBT-004")} == {
        k: v for k, v in before.items() if k not in ("NBT-001", "NBT-004")
    }


def test_the_web_chat_is_kept_beside_the_database() -> None:
    assert sandbox_state_path("sqlite+aiosqlite:///data/villagebot.db") == Path(
        "data/villagebot.sandbox.json"
    )
    assert sandbox_state_path("sqlite+aiosqlite:////tmp/x/demo.db") == Path(
        "/tmp/x/demo.sandbox.json"
    )
    assert sandbox_state_path("sqlite+aiosqlite:///:memory:") is None
    assert sandbox_state_path("postgresql+asyncpg://u@h/village?ssl=1") == Path(
        "data/village.sandbox.json"
    )


async def test_the_highest_id_the_bot_knows_floors_new_personas(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    """With the web chat's file gone but the database kept, a new persona still gets an
    id above every user the bot knows (``commands.run`` gives the sandbox this floor)."""
    from bot.sandbox import Sandbox

    async with sessionmaker() as session:
        repo = Repo(session)
        assert await repo.users.highest_platform_id() == 0
        for platform_id in (1001, 900001, 900002):
            await repo.users.get_or_create(platform_id, full_name="x", username=None)
        await session.commit()
        known = await repo.users.highest_platform_id()
    assert known == 900002
    sandbox = Sandbox(load_spec=False)
    sandbox.highest_user_id = max(sandbox.highest_user_id, known)
    assert sandbox.new_user_id() == 900003
