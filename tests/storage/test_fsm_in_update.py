"""A conversation state changed while an update is handled is written in that update's
own transaction: never in the database before the update commits (a kill -9 between
the two would replay the update against a state already moved on, and lose the
resident's input), there after it, and neither there nor in the cache when the update
rolls back. On SQLite and PostgreSQL, through the real session middleware."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from aiogram.fsm.storage.base import StorageKey
from sqlalchemy import select

from bot.fsm_storage import DatabaseStorage
from bot.middlewares import DbSessionMiddleware, InFlight
from handlers.start import Onboarding
from storage.models import FsmState

KEY = StorageKey(bot_id=1, chat_id=3001, user_id=3001)


async def _row(sessionmaker, name: str) -> tuple[str | None, dict[str, Any]] | None:  # type: ignore[no-untyped-def]
    async with sessionmaker() as session:  # another connection: sees only what is committed
        row = await session.scalar(select(FsmState).where(FsmState.key == name))
        return None if row is None else (row.state, dict(row.data or {}))


async def _through_middleware(sessionmaker, handler) -> Any:  # type: ignore[no-untyped-def]
    middleware = DbSessionMiddleware(sessionmaker, InFlight())
    event = SimpleNamespace()  # no update id, no chat: the session and commit are what count
    return await middleware(handler, event, {"bot": SimpleNamespace(id=1)})  # type: ignore[arg-type]


async def test_a_state_set_in_an_update_reaches_the_database_with_its_commit_only(
    sessionmaker,
) -> None:  # type: ignore[no-untyped-def]
    storage = DatabaseStorage(sessionmaker)
    name = storage.key_builder.build(KEY)
    assert await storage.get_state(KEY) is None  # read before the session opens, as aiogram does
    seen_inside: list[object] = []

    async def handler(_event: object, _data: dict[str, Any]) -> str:
        await storage.set_state(KEY, Onboarding.village)
        await storage.update_data(KEY, {"campaign_id": 7})
        assert await storage.get_state(KEY) == Onboarding.village.state  # read-your-writes
        await storage.flush()  # the writer may run at any moment: it must not write this
        seen_inside.append(await _row(sessionmaker, name))
        return "ok"

    assert await _through_middleware(sessionmaker, handler) == "ok"
    assert seen_inside == [None]
    assert await _row(sessionmaker, name) == (Onboarding.village.state, {"campaign_id": 7})
    assert await storage.get_data(KEY) == {"campaign_id": 7}
    await storage.close()
    fresh = DatabaseStorage(sessionmaker)
    assert await fresh.get_state(KEY) == Onboarding.village.state
    await fresh.close()


async def test_an_update_that_rolls_back_leaves_neither_row_nor_cached_state(
    sessionmaker,
) -> None:  # type: ignore[no-untyped-def]
    storage = DatabaseStorage(sessionmaker)
    name = storage.key_builder.build(KEY)
    await storage.set_state(KEY, Onboarding.village)  # outside an update: written behind
    await storage.set_data(KEY, {"step": 1})
    await storage.flush()
    assert await _row(sessionmaker, name) == (Onboarding.village.state, {"step": 1})

    async def handler(_event: object, _data: dict[str, Any]) -> None:
        await storage.set_state(KEY, None)  # the confirmation step ends...
        await storage.set_data(KEY, {})
        await storage.flush()
        raise RuntimeError("...but the update fails")

    with pytest.raises(RuntimeError):
        await _through_middleware(sessionmaker, handler)
    await storage.flush()
    assert await _row(sessionmaker, name) == (Onboarding.village.state, {"step": 1})
    assert await storage.get_state(KEY) == Onboarding.village.state  # not the failed update's
    assert await storage.get_data(KEY) == {"step": 1}

    other = StorageKey(bot_id=1, chat_id=3002, user_id=3002)

    async def new_state_then_fail(_event: object, _data: dict[str, Any]) -> None:
        await storage.set_state(other, Onboarding.village)
        raise RuntimeError("failed")

    with pytest.raises(RuntimeError):
        await _through_middleware(sessionmaker, new_state_then_fail)
    await storage.close()
    assert await _row(sessionmaker, storage.key_builder.build(other)) is None
    assert await storage.get_state(other) is None
    await storage.close()


async def test_an_update_handled_meanwhile_elsewhere_drops_its_state_too(
    sessionmaker,
) -> None:  # type: ignore[no-untyped-def]
    from aiogram.types import Update

    from storage.repo import Repo

    storage = DatabaseStorage(sessionmaker)
    name = storage.key_builder.build(KEY)
    assert await storage.get_state(KEY) is None
    update = Update.model_validate(
        {
            "update_id": 77,
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": 3001, "type": "private"},
                "from": {"id": 3001, "is_bot": False, "first_name": "A"},
                "text": "confirm",
            },
        }
    )

    async def handler(_event: object, _data: dict[str, Any]) -> None:
        await storage.set_state(KEY, Onboarding.village)
        async with sessionmaker() as other:  # another worker handles the same update first
            assert await Repo(other).updates.mark_processed(1, 77)
            await other.commit()

    middleware = DbSessionMiddleware(sessionmaker, InFlight())
    assert await middleware(handler, update, {"bot": SimpleNamespace(id=1)}) is None  # type: ignore[arg-type]
    await storage.close()
    assert await _row(sessionmaker, name) is None
    assert await storage.get_state(KEY) is None
    await storage.close()


async def test_a_shared_storage_reads_what_another_process_committed(
    sessionmaker,
) -> None:  # type: ignore[no-untyped-def]
    """Two processes (two storages on one database), a chat handled by one, then the
    other: the second must not answer from its copy of an earlier update's state."""
    first, second = DatabaseStorage(sessionmaker, shared=True), DatabaseStorage(sessionmaker, shared=True)
    seen: list[object] = []

    async def second_reads(_event: object, _data: dict[str, Any]) -> None:
        seen.append(await second.get_state(KEY))
        seen.append(await second.get_data(KEY))

    await _through_middleware(sessionmaker, second_reads)  # the chat was with the second worker

    async def first_moves_on(_event: object, _data: dict[str, Any]) -> None:
        await first.set_state(KEY, Onboarding.village)
        await first.set_data(KEY, {"step": 2})

    await _through_middleware(sessionmaker, first_moves_on)  # ... then with the first
    await _through_middleware(sessionmaker, second_reads)  # ... and with the second again
    assert seen == [None, {}, Onboarding.village.state, {"step": 2}]
    assert await second.get_state(KEY) == Onboarding.village.state  # outside an update too

    await second.set_state(KEY, None)  # outside an update: written at once, not behind
    assert await _row(sessionmaker, first.key_builder.build(KEY)) == (None, {"step": 2})
    assert await first.get_state(KEY) is None
    await first.close()
    await second.close()


async def test_the_bot_shares_database_states_on_postgresql_only(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    from bot.app import build_fsm_storage
    from bot.settings import Settings

    storage = build_fsm_storage(Settings(redis_url=None), sessionmaker)
    assert isinstance(storage, DatabaseStorage)
    assert storage.shared == (sessionmaker.kw["bind"].dialect.name == "postgresql")
    await storage.close()
