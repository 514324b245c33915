"""The inbox worker's turn on a chat (bot/inbox.py ``_drain``), on SQLite and
PostgreSQL: it looks for the chat's next update only when one was pending behind the
one it took, so an update stored while the last one is handled must still be handled
(by the look the chat's end wakes), in order; drained chats' leases are released in
the next claim's transaction, and at stop."""

from __future__ import annotations

import asyncio

from aiogram import Bot
from sqlalchemy import func, select

from bot.inbox import Inbox
from storage.models import InboxLease
from tests.handlers.test_dispatcher import text_update
from tests.storage.test_inbox import RecordingDispatcher, _until


async def test_an_update_stored_while_the_chats_last_is_handled_is_handled_next(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    dispatcher = RecordingDispatcher(delay=0.3)
    inbox = Inbox(Bot("123456:inbox-test"), dispatcher, sessionmaker, poll_every=30.0)  # type: ignore[arg-type]
    await inbox.store([text_update(301, 8001, "một")])
    inbox.start()
    try:
        await _until(lambda: dispatcher.running == 1)  # 301 is being handled, nothing behind it
        await inbox.store([text_update(302, 8001, "hai")])
        # Found without waiting for the 30 s poll: the chat's end wakes the workers' look.
        await _until(lambda: len(dispatcher.seen) == 2, timeout=10)
    finally:
        await inbox.stop()
    assert dispatcher.seen == [(8001, 301), (8001, 302)]


async def test_drained_chats_leases_are_released(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    dispatcher = RecordingDispatcher(delay=0.01)
    inbox = Inbox(
        Bot("123456:inbox-test"), dispatcher, sessionmaker, poll_every=0.05, leases=True
    )  # type: ignore[arg-type]
    await inbox.store([text_update(400 + n, 8100 + n % 4, "câu") for n in range(12)])
    inbox.start()
    try:
        await _until(lambda: len(dispatcher.seen) == 12)
        await asyncio.sleep(0.3)  # a few more looks: the drained chats are released by them
        async with sessionmaker() as session:
            held = await session.scalar(select(func.count()).select_from(InboxLease))
        assert held == 0
        await inbox.store([text_update(450, 8100, "lại")])  # a released chat is claimed again
        await _until(lambda: len(dispatcher.seen) == 13)
    finally:
        await inbox.stop()
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(InboxLease)) == 0  # at stop
    assert [u for c, u in dispatcher.seen if c == 8100] == [400, 404, 408, 450]
