"""Several processes on PostgreSQL (issue 18): an update stored by the web process wakes
the workers at its commit (LISTEN/NOTIFY, storage/inbox_notify.py) instead of waiting for
their next look. Here the worker looks only once an hour, so only the notification can
make it handle the update."""

from __future__ import annotations

import asyncio

import pytest
from aiogram import Bot
from sqlalchemy import text

from bot.inbox import Inbox
from storage.db import create_engine, create_sessionmaker
from tests.handlers.test_dispatcher import text_update
from tests.storage.test_inbox import RecordingDispatcher, _until


async def test_a_store_in_another_process_wakes_the_worker(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("LISTEN/NOTIFY: PostgreSQL only (SQLite runs one process)")
    web_engine, worker_engine = create_engine(database_url), create_engine(database_url)
    bot = Bot("123456:inbox-test")
    web = Inbox(bot, RecordingDispatcher(), create_sessionmaker(web_engine), leases=True)  # type: ignore[arg-type]
    handled = RecordingDispatcher()
    worker = Inbox(bot, handled, create_sessionmaker(worker_engine), leases=True, poll_every=3600)  # type: ignore[arg-type]
    worker.start()
    try:
        async def listening() -> bool:
            async with web_engine.connect() as connection:
                found = await connection.scalar(text(
                    "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'LISTEN %villagebot_inbox%'"
                ))
            return bool(found)

        for _ in range(200):
            if await listening():
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError("the worker never listened")
        await asyncio.sleep(0.3)  # its first look (nothing stored yet) is over
        assert await web.store([text_update(5001, 77, "tieu chi so 2 la gi")]) == 1
        await _until(lambda: handled.seen == [(77, 5001)], timeout=10)
    finally:
        await worker.stop()
        await bot.session.close()
        await web_engine.dispose()
        await worker_engine.dispose()
