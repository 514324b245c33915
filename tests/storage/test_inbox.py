"""The durable inbox on SQLite and PostgreSQL: stored once, one chat in order,
chats in parallel, failures retried then parked, pruning."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from aiogram import Bot
from aiogram.types import Update
from sqlalchemy import select

from bot.clock import ManualClock
from bot.inbox import Inbox, chat_key
from storage.models import InboxStatus, InboxUpdate
from storage.repo import Repo
from tests.handlers.test_dispatcher import text_update

T0 = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)


class RecordingDispatcher:
    def __init__(self, fail: set[int] | None = None, delay: float = 0.0) -> None:
        self.seen: list[tuple[int, int]] = []  # (chat, update id)
        self.fail = fail or set()
        self.delay = delay
        self.running = 0
        self.most_running = 0

    async def feed_update(self, bot: Bot, update: Update, **kwargs: Any) -> None:
        self.running += 1
        self.most_running = max(self.most_running, self.running)
        try:
            await asyncio.sleep(self.delay)
            if update.update_id in self.fail:
                raise RuntimeError("handler exploded")
            self.seen.append((chat_key(update), update.update_id))
        finally:
            self.running -= 1


async def _until(predicate: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached")
        await asyncio.sleep(0.02)


async def test_updates_are_stored_once_and_handled_in_order_per_chat(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    bot = Bot("123456:inbox-test")
    dispatcher = RecordingDispatcher(delay=0.01)
    inbox = Inbox(bot, dispatcher, sessionmaker, parallel=4, poll_every=0.05)  # type: ignore[arg-type]
    updates = [text_update(100 + n, 5000 + n % 3, f"câu {n}") for n in range(12)]
    assert await inbox.store(updates) == 12
    assert await inbox.store(updates[:4]) == 0  # redelivered: stored once
    inbox.start()
    try:
        await _until(lambda: len(dispatcher.seen) == 12)
    finally:
        await inbox.stop()
    for chat in (5000, 5001, 5002):
        ids = [u for c, u in dispatcher.seen if c == chat]
        assert ids == sorted(ids) and len(ids) == 4
    assert dispatcher.most_running > 1  # different chats at once
    async with sessionmaker() as session:
        counts = await Repo(session).inbox.counts()
    assert counts == {InboxStatus.DONE: 12}


async def test_a_failing_update_is_retried_then_parked_and_the_chat_goes_on(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    clock = ManualClock(T0)
    bot = Bot("123456:inbox-test")
    dispatcher = RecordingDispatcher(fail={201})
    inbox = Inbox(bot, dispatcher, sessionmaker, clock=clock, max_attempts=3, poll_every=0.05)  # type: ignore[arg-type]
    await inbox.store(
        [text_update(200, 6000, "một"), text_update(201, 6000, "hai"), text_update(202, 6000, "ba")]
    )
    inbox.start()
    try:
        await _until(lambda: dispatcher.seen == [(6000, 200)])
        for _ in range(
            3
        ):  # each retry waits its backoff (2, 4 s): move the clock instead of sleeping
            await asyncio.sleep(0.2)
            clock.advance(timedelta(seconds=10))
            inbox.wake()
        await _until(lambda: (6000, 202) in dispatcher.seen)
    finally:
        await inbox.stop()
    assert dispatcher.seen == [
        (6000, 200),
        (6000, 202),
    ]  # 201 never reached a handler; 202 after it
    async with sessionmaker() as session:
        parked = await session.scalar(select(InboxUpdate).where(InboxUpdate.update_id == 201))
    assert parked is not None and parked.status == InboxStatus.PARKED and parked.attempts == 3
    assert parked.error and "handler exploded" in parked.error


async def test_prune_keeps_parked_and_recent(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    async with sessionmaker() as session:
        repo = Repo(session)
        await repo.inbox.store(1, [(1, 1, {}), (2, 1, {}), (3, 1, {})], T0)
        rows = {r.update_id: r for r in (await session.scalars(select(InboxUpdate))).all()}
        await repo.inbox.mark_done(rows[1].id, T0 - timedelta(days=8))
        await repo.inbox.mark_done(rows[2].id, T0 - timedelta(days=1))
        await repo.inbox.mark_failed(
            rows[3].id, attempts=5, error="x", retry_at=None, now=T0 - timedelta(days=30)
        )
        assert await repo.inbox.prune(T0 - timedelta(days=7)) == 1
        await session.commit()
        left = sorted(r.update_id for r in (await session.scalars(select(InboxUpdate))).all())
    assert left == [2, 3]


async def test_fair_share_is_applied_at_intake(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    from bot.middlewares import FairShare

    bot = Bot("123456:inbox-test")
    dispatcher = RecordingDispatcher()
    seen_verdicts: list[str | None] = []
    original = dispatcher.feed_update

    async def feed(bot: Bot, update: Update, **kwargs: Any) -> None:
        seen_verdicts.append(kwargs.get("fair_verdict"))
        await original(bot, update, **kwargs)

    dispatcher.feed_update = feed  # type: ignore[method-assign]
    inbox = Inbox(bot, dispatcher, sessionmaker, poll_every=0.05, share=FairShare(limit=3))  # type: ignore[arg-type]
    await inbox.store(
        [text_update(300 + n, 6100, f"tin {n}") for n in range(8)]
        + [text_update(400, 6200, "khác")]
    )
    inbox.start()
    try:
        await _until(lambda: len(dispatcher.seen) == 5)
        await asyncio.sleep(0.2)
    finally:
        await inbox.stop()
    assert [u for c, u in dispatcher.seen if c == 6100] == [
        300,
        301,
        302,
        303,
    ]  # three, then the one that is told
    assert sorted(v or "" for v in seen_verdicts) == ["ok", "ok", "ok", "ok", "warn"]
    async with sessionmaker() as session:
        counts = await Repo(session).inbox.counts()
    assert counts == {InboxStatus.DONE: 5, InboxStatus.DROPPED: 4}


async def test_a_newcomer_is_taken_at_once_while_busy_chats_fill_the_workers(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    """Issue 21, item 3: two of the workers are kept for chats silent for a minute."""
    bot = Bot("123456:inbox-test")
    dispatcher = RecordingDispatcher(delay=0.3)  # slow handlers
    inbox = Inbox(bot, dispatcher, sessionmaker, parallel=4, reserve=2, poll_every=0.05)  # type: ignore[arg-type]
    busy = [6300 + c for c in range(12)]
    await inbox.store([text_update(500 + c, chat, "trước") for c, chat in enumerate(busy)])
    inbox.start()
    try:
        await _until(lambda: len(dispatcher.seen) == len(busy))  # they have all written now
        await inbox.store([text_update(600 + n, busy[n % 12], "lại") for n in range(24)])
        await asyncio.sleep(0.1)
        await inbox.store([text_update(700, 6999, "người mới")])
        await _until(lambda: any(c == 6999 for c, _ in dispatcher.seen))
        before_newcomer = len([c for c, _ in dispatcher.seen if c != 6999]) - len(busy)
    finally:
        await inbox.stop()
    # The busy chats' 24 updates take 12 rounds of 0.3 s on two workers; the newcomer
    # went to a kept worker at once, not after them.
    assert before_newcomer < 12, before_newcomer
    assert dispatcher.most_running <= 4


async def test_a_newcomer_with_one_question_goes_before_newcomers_that_came_with_a_burst(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    """Issue 21: 30 fresh accounts sending 5 questions each are newcomers too; a resident
    asking one question right after them is not queued behind all their first ones."""
    bot = Bot("123456:inbox-test")
    dispatcher = RecordingDispatcher(delay=0.2)
    inbox = Inbox(bot, dispatcher, sessionmaker, parallel=2, reserve=1, poll_every=0.05)  # type: ignore[arg-type]
    burst = [6400 + c for c in range(10)]
    await inbox.store([text_update(800 + 10 * r + c, chat, "hỏi") for r in range(5) for c, chat in enumerate(burst)])
    await inbox.store([text_update(900, 6499, "một câu")])
    inbox.start()
    try:
        await _until(lambda: any(c == 6499 for c, _ in dispatcher.seen))
        before = [c for c, _ in dispatcher.seen if c != 6499]
    finally:
        await inbox.stop()
    # Oldest-first would take the ten burst chats' first updates (five rounds of 0.2 s on
    # two workers) before the single question.
    assert len(before) <= 2, before


class KwargsDispatcher(RecordingDispatcher):
    def __init__(self) -> None:
        super().__init__()
        self.received: dict[int, Any] = {}

    async def feed_update(self, bot: Bot, update: Update, **kwargs: Any) -> None:
        self.received[update.update_id] = kwargs.get("received_at")
        await super().feed_update(bot, update, **kwargs)


async def test_a_replayed_update_is_handled_with_the_moment_it_was_received(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    """After a restart the stored updates are handled late; the handler is told when each
    was received (a vote pressed before a consultation closed still counts)."""
    clock = ManualClock(T0)
    bot = Bot("123456:inbox-test")
    before_restart = Inbox(bot, RecordingDispatcher(), sessionmaker, clock=clock, poll_every=0.05)  # type: ignore[arg-type]
    await before_restart.store([text_update(300, 7000, "một")])  # stored, never handled: the bot died
    clock.advance(timedelta(minutes=10))
    dispatcher = KwargsDispatcher()
    inbox = Inbox(bot, dispatcher, sessionmaker, clock=clock, poll_every=0.05)  # type: ignore[arg-type]
    await inbox.store([text_update(301, 7000, "hai")])
    inbox.start()
    try:
        await _until(lambda: len(dispatcher.seen) == 2)
    finally:
        await inbox.stop()
    assert dispatcher.received == {300: T0, 301: T0 + timedelta(minutes=10)}
