"""REDIS_URL switches the conversation state (FSM) to Redis, so it survives restarts."""

from __future__ import annotations

from aiogram.fsm.storage.base import StorageKey
from aiogram.fsm.storage.memory import MemoryStorage

from bot.app import build_fsm_storage
from bot.settings import load_settings
from handlers.start import Onboarding
from tests.conftest import REDIS_URL, _port_open, service_missing


async def test_memory_storage_without_redis(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("REDIS_URL", raising=False)
    assert isinstance(build_fsm_storage(load_settings()), MemoryStorage)


async def test_state_survives_a_new_storage_object(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    if not _port_open("127.0.0.1", 6379):
        service_missing("Redis at 127.0.0.1:6379")
    monkeypatch.setenv("REDIS_URL", REDIS_URL)
    key = StorageKey(bot_id=1, chat_id=77, user_id=77)
    first = build_fsm_storage(load_settings())
    await first.set_state(key, Onboarding.village)
    await first.close()
    second = build_fsm_storage(load_settings())
    try:
        assert await second.get_state(key) == Onboarding.village.state
        await second.set_state(key, None)
        assert await second.get_state(key) is None
    finally:
        await second.close()
