"""Conversation state in the database (no Redis): a half-done pledge survives a restart
of the bot (issue 16), and writing it never waits for the update's own transaction.
On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

from aiogram.fsm.storage.base import StorageKey
from aiogram.fsm.storage.memory import MemoryStorage
from sqlalchemy import func, select

from bot.app import build_fsm_storage
from bot.fsm_storage import DatabaseStorage
from bot.settings import Settings
from handlers.start import Onboarding
from storage.models import FsmState

KEY = StorageKey(bot_id=1, chat_id=2001, user_id=2001)


async def test_a_half_done_conversation_survives_a_restart(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(_env_file=None, redis_url=None)
    first = build_fsm_storage(settings, sessionmaker)
    assert isinstance(first, DatabaseStorage)
    await first.set_state(KEY, Onboarding.village)
    await first.update_data(KEY, {"campaign_id": 7, "kind": "money", "note": "<b>$x$</b>"})
    await first.close()  # `make run` stopped

    second = build_fsm_storage(settings, sessionmaker)
    try:
        assert await second.get_state(KEY) == Onboarding.village.state
        assert await second.get_data(KEY) == {
            "campaign_id": 7,
            "kind": "money",
            "note": "<b>$x$</b>",
        }
        other = StorageKey(bot_id=1, chat_id=2002, user_id=2002)
        assert await second.get_state(other) is None and await second.get_data(other) == {}
        await second.set_state(KEY, None)
        await second.set_data(KEY, {})
        await second.flush()
        async with sessionmaker() as session:
            assert await session.scalar(select(func.count()).select_from(FsmState)) == 0
    finally:
        await second.close()


async def test_setting_a_state_inside_an_open_transaction_does_not_wait_for_it(
    sessionmaker,
) -> None:  # type: ignore[no-untyped-def]
    storage = DatabaseStorage(sessionmaker)
    await storage.get_state(KEY)  # read before the update's session opens, as aiogram does
    async with sessionmaker() as update_session:  # the update's unit of work, holding the writer
        update_session.add(FsmState(key="another-chat", state="S:x", data={"n": 1}))
        await update_session.flush()  # SQLite: this session now holds the only write lock
        # A handler sets the state while its transaction is open: returns at once.
        await asyncio.wait_for(storage.set_state(KEY, Onboarding.village), timeout=5)
        assert await storage.get_state(KEY) == Onboarding.village.state
        await update_session.commit()
    await storage.close()
    fresh = DatabaseStorage(sessionmaker)
    assert await fresh.get_state(KEY) == Onboarding.village.state
    await fresh.close()


async def test_without_a_database_tests_keep_memory_storage() -> None:
    assert isinstance(build_fsm_storage(Settings(_env_file=None, redis_url=None)), MemoryStorage)
