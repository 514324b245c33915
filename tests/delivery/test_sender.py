"""The sender with a fake channel, on both databases: priority, rendering in the
recipient's language at send time, skipped rows, channel errors, pacing after a
stalled event loop, and two senders on PostgreSQL never sending one row twice."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.channels.base import Capabilities, SentRef, Unreachable, degrade
from bot.clock import ManualClock
from bot.delivery.budget import SendBudget
from bot.delivery.contract import (
    Choice,
    Delivery,
    KindSpec,
    OutgoingMessage,
    Priority,
    Recipient,
    RenderContext,
    SentContext,
)
from bot.delivery.queue import enqueue
from bot.delivery.registry import Registry
from bot.delivery.sender import PACE, Sender
from bot.i18n import create_i18n
from storage.models import OutboxMessage, User
from storage.repo import Repo

T0 = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)  # 10:00 in Hà Nội


class FakeChannel:
    name = "fake"
    capabilities = Capabilities(buttons=False, edits=False, max_text=2000, max_caption=0)

    def __init__(
        self, sender_ref: list[Sender] | None = None, unreachable: frozenset[int] = frozenset()
    ) -> None:
        self.sent: list[tuple[int, str]] = []
        self.unreachable = unreachable
        self.before: Any = None

    async def send(self, address: int, message: OutgoingMessage) -> SentRef:
        if self.before is not None:
            await self.before(address)
        if address in self.unreachable:
            raise Unreachable("Forbidden: bot was blocked by the user")
        message = degrade(message, self.capabilities)
        await asyncio.sleep(0.001)
        self.sent.append((address, message.text))
        return SentRef(len(self.sent))

    async def pin(self, address: int, message_id: int) -> None:
        raise NotImplementedError


on_sent_calls: list[tuple[str, int | None]] = []


async def render_note(ctx: RenderContext, payload: Mapping[str, Any]) -> OutgoingMessage | None:
    if payload.get("moot"):
        return None
    # A translated msgid proves the locale switch: "Yes" exists in the Vietnamese catalog?
    return OutgoingMessage(
        text=f"[{ctx.locale}] {payload['text']}",
        choices=((Choice("A", data="a"), Choice("B", data="b")),) if payload.get("ask") else (),
    )


async def note_sent(ctx: SentContext, payload: Mapping[str, Any]) -> None:
    on_sent_calls.append((ctx.ref, ctx.message_id))


def registry() -> Registry:
    reg = Registry()
    reg.add_kind(KindSpec("note", render_note, quiet_hours=None, on_sent=note_sent))
    return reg


async def _users(sessionmaker, languages: list[str | None]) -> list[int]:  # type: ignore[no-untyped-def]
    async with sessionmaker() as session:
        users = [
            User(platform_user_id=9000 + i, full_name=f"U{i}", language=lang)
            for i, lang in enumerate(languages)
        ]
        session.add_all(users)
        await session.commit()
        return [u.id for u in users]


def note(
    user_id: int, text: str, when: datetime, priority: Priority = Priority.NOTICE, **payload: Any
) -> Delivery:
    return Delivery(
        kind="note",
        recipient=Recipient(user_id=user_id),
        ref=f"note:{text}",
        dedupe_key=f"note:{text}",
        not_before=when,
        priority=priority,
        payload={"text": text, **payload},
    )


async def _until(predicate: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached")
        await asyncio.sleep(0.02)


async def test_sender_orders_renders_skips_and_waits_for_not_before(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    on_sent_calls.clear()
    clock = ManualClock(T0)
    vi, en, blocked = await _users(sessionmaker, ["vi", "en", None])
    async with sessionmaker() as session:
        repo = Repo(session)
        await enqueue(repo, note(vi, "bulk", T0, Priority.BULK))
        await enqueue(repo, note(en, "answer", T0, Priority.INTERACTIVE, ask=True))
        await enqueue(repo, note(vi, "later", T0 + timedelta(hours=1)))
        await enqueue(repo, note(en, "moot", T0, moot=True))
        await enqueue(repo, note(blocked, "blocked", T0))
        await session.commit()
    channel = FakeChannel(unreachable=frozenset({9002}))
    sender = Sender(
        channel,
        sessionmaker,
        SendBudget(),
        create_i18n("vi"),
        registry(),
        clock=clock,
        concurrency=1,
    )
    channel.before = sender.take_slot
    await sender.start()
    try:
        await _until(lambda: len(channel.sent) >= 2)
        await asyncio.sleep(0.3)
        assert channel.sent == [(9001, "[en] answer\n\n1. A\n2. B"), (9000, "[vi] bulk")]
        clock.advance(timedelta(hours=1))
        sender.wake()
        await _until(lambda: len(channel.sent) >= 3)
        assert channel.sent[2] == (9000, "[vi] later")
    finally:
        await sender.stop()
    async with sessionmaker() as session:
        rows = {r.ref: r for r in (await session.scalars(select(OutboxMessage))).all()}
        blocked_user = await session.get(User, blocked)
    assert rows["note:moot"].status == "skipped"
    assert (
        rows["note:blocked"].status == "failed"
        and blocked_user is not None
        and not blocked_user.reachable
    )
    assert {rows[r].status for r in ("note:bulk", "note:answer", "note:later")} == {"sent"}
    assert rows["note:answer"].chat_id == 9001 or rows["note:answer"].chat_id is None
    assert sorted(on_sent_calls) == sorted(
        [("note:answer", 1), ("note:bulk", 2), ("note:later", 3)]
    )


async def test_pacing_is_rechecked_after_an_event_loop_stall() -> None:
    """Nine sends due during a stall leave one pace apart, not in a burst."""
    sender = Sender(FakeChannel(), lambda: None, SendBudget(), None, Registry())
    loop = asyncio.get_running_loop()
    taken: list[float] = []

    async def one(address: int) -> None:
        await sender.take_slot(address)
        taken.append(loop.time())

    tasks = [asyncio.create_task(one(100 + n)) for n in range(9)]
    await asyncio.sleep(0.005)  # the first takes its slot, the others wait
    time.sleep(0.5)  # the event loop stalls (a CPU hog, a slow callback)  # noqa: ASYNC251
    await asyncio.gather(*tasks)
    gaps = [b - a for a, b in zip(taken, taken[1:], strict=False)]
    assert len(taken) == 9
    assert min(gaps) >= PACE * 0.99, gaps


async def test_two_senders_on_postgresql_never_send_one_row_twice(
    sessionmaker, database_url: str
) -> None:  # type: ignore[no-untyped-def]
    if not database_url.startswith("postgresql"):
        pytest.skip("two processes' claims: PostgreSQL")
    users = await _users(sessionmaker, ["vi"] * 60)
    async with sessionmaker() as session:
        repo = Repo(session)
        for n, user_id in enumerate(users):
            await enqueue(repo, note(user_id, f"m{n}", T0))
        await session.commit()
    clock = ManualClock(T0)
    shared: list[tuple[int, str]] = []
    senders = []
    for _ in range(2):
        channel = FakeChannel()
        channel.sent = shared
        sender = Sender(
            channel,
            sessionmaker,
            SendBudget(),
            create_i18n("vi"),
            registry(),
            clock=clock,
            concurrency=8,
        )
        channel.before = sender.take_slot
        senders.append(sender)
    await asyncio.gather(*(s.start() for s in senders))
    try:
        await _until(lambda: len(shared) >= 60, timeout=30)
        await asyncio.sleep(0.3)
    finally:
        await asyncio.gather(*(s.stop() for s in senders))
    assert len(shared) == 60
    assert len(set(shared)) == 60
    assert all(s.calls > 0 for s in senders)  # both took part


async def test_a_chat_sent_least_lately_goes_first_and_each_chat_keeps_its_order(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    """Issue 21, item 3: a newcomer's answer is not queued behind a busy chat's."""
    from bot.delivery.kinds import call_row

    clock = ManualClock(T0)
    busy, newcomer = 7101, 7102
    async with sessionmaker() as session:
        repo = Repo(session)
        for n, address in enumerate([busy] * 4 + [newcomer]):
            row = call_row(address, {}, now=T0, ref=f"r{n}", dedupe_key=f"order:{n}")
            await repo.outbox.enqueue({**row, "kind": "note", "payload": {"text": f"{address}-{n}"}})
        await session.commit()
    budget = SendBudget()
    budget.take(busy)  # the busy chat was just sent to
    budget.take(busy)
    channel = FakeChannel()
    sender = Sender(channel, sessionmaker, budget, create_i18n("vi"), registry(), clock=clock, concurrency=1)
    channel.before = sender.take_slot
    await sender.start()
    try:
        await _until(lambda: len(channel.sent) >= 5, timeout=20)
    finally:
        await sender.stop()
    assert channel.sent[0] == (newcomer, "[vi] 7102-4")
    assert [text for address, text in channel.sent if address == busy] == [
        f"[vi] 7101-{n}" for n in range(4)
    ]
