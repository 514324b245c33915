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


# Redis cannot join the update's database transaction: a state changed while an update
# is handled reaches Redis only once the update has committed (bot/fsm_redis.py).


def _redis_or_skip() -> None:
    if not _port_open("127.0.0.1", 6379):
        service_missing("Redis at 127.0.0.1:6379")


async def _in_update(sessionmaker, handler):  # type: ignore[no-untyped-def]
    from types import SimpleNamespace

    from bot.middlewares import DbSessionMiddleware, InFlight

    middleware = DbSessionMiddleware(sessionmaker, InFlight())
    return await middleware(handler, SimpleNamespace(), {"bot": SimpleNamespace(id=1)})  # type: ignore[arg-type]


async def test_a_state_set_in_an_update_reaches_redis_with_its_commit_only(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    from aiogram.fsm.storage.redis import RedisStorage

    from bot.fsm_redis import TransactionalRedisStorage

    _redis_or_skip()
    key = StorageKey(bot_id=1, chat_id=4101, user_id=4101)
    storage, outside = TransactionalRedisStorage.from_url(REDIS_URL), RedisStorage.from_url(REDIS_URL)
    await outside.set_state(key, None)
    await outside.set_data(key, {})
    seen: list[object] = []

    async def handler(_event, _data):  # type: ignore[no-untyped-def]
        await storage.set_state(key, Onboarding.village)
        await storage.update_data(key, {"campaign_id": 7})
        seen.append((await storage.get_state(key), await storage.get_data(key)))  # read-your-writes
        seen.append((await outside.get_state(key), await outside.get_data(key)))  # nothing in Redis yet
        return "ok"

    try:
        assert await _in_update(sessionmaker, handler) == "ok"
        assert seen == [(Onboarding.village.state, {"campaign_id": 7}), (None, {})]
        assert await outside.get_state(key) == Onboarding.village.state
        assert await outside.get_data(key) == {"campaign_id": 7}
    finally:
        await outside.set_state(key, None)
        await outside.set_data(key, {})
        await storage.close()
        await outside.close()


async def test_an_update_that_rolls_back_leaves_redis_as_it_was(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    import pytest

    from bot.fsm_redis import TransactionalRedisStorage

    _redis_or_skip()
    key = StorageKey(bot_id=1, chat_id=4102, user_id=4102)
    storage = TransactionalRedisStorage.from_url(REDIS_URL)
    await storage.set_state(key, Onboarding.village)  # outside an update: at once
    await storage.set_data(key, {"step": 1})

    async def confirm_then_fail(_event, _data):  # type: ignore[no-untyped-def]
        await storage.set_state(key, None)  # the confirmation step ends...
        await storage.set_data(key, {})
        raise RuntimeError("...but the update fails")

    async def unstorable(_event, _data):  # type: ignore[no-untyped-def]
        await storage.set_data(key, {"when": object()})  # refused inside the handler, not after

    try:
        with pytest.raises(RuntimeError):
            await _in_update(sessionmaker, confirm_then_fail)
        with pytest.raises(TypeError):
            await _in_update(sessionmaker, unstorable)
        assert await storage.get_state(key) == Onboarding.village.state
        assert await storage.get_data(key) == {"step": 1}
    finally:
        await storage.set_state(key, None)
        await storage.set_data(key, {})
        await storage.close()


async def test_redis_url_gives_the_transactional_storage(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from bot.fsm_redis import TransactionalRedisStorage

    monkeypatch.setenv("REDIS_URL", REDIS_URL)
    storage = build_fsm_storage(load_settings())
    assert isinstance(storage, TransactionalRedisStorage)
    await storage.close()
