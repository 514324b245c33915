"""enqueue on SQLite and PostgreSQL, with time moved by hand: quiet hours,
not-before, dedupe (also two sessions racing on PostgreSQL) and priority."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.clock import ManualClock
from bot.delivery.contract import (
    Delivery,
    KindSpec,
    OutgoingMessage,
    Priority,
    QuietHours,
    Recipient,
)
from bot.delivery.queue import enqueue
from bot.delivery.quiet import after_quiet_hours
from bot.delivery.registry import Registry, build_registry
from storage.models import OutboxMessage, User
from storage.repo import Repo

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=HCM)


async def _user(repo: Repo, platform_id: int = 7001, language: str | None = "vi") -> int:
    user = User(platform_user_id=platform_id, full_name="Chị Lan", language=language)
    repo.session.add(user)
    await repo.session.flush()
    return user.id


def _delivery(user_id: int, when: datetime, **changes: object) -> Delivery:
    values: dict[str, object] = {
        "kind": "pledge.reminder",
        "recipient": Recipient(user_id=user_id),
        "ref": "pledge:1",
        "dedupe_key": None,
        "not_before": when,
        "priority": Priority.REMINDER,
        "payload": {"pledge_id": 1},
    }
    values.update(changes)
    return Delivery(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        (local(2, 22, 0), local(3, 6, 30)),  # evening: next morning
        (local(3, 5, 0), local(3, 6, 30)),  # before dawn: this morning
        (local(2, 21, 0), local(3, 6, 30)),  # the first quiet minute
        (local(3, 6, 30), local(3, 6, 30)),  # the first allowed minute
        (local(2, 20, 59), local(2, 20, 59)),  # still allowed
        (local(2, 12, 0), local(2, 12, 0)),
    ],
)
def test_quiet_hours_move_to_the_morning(when: datetime, expected: datetime) -> None:
    assert after_quiet_hours(when, QuietHours()) == expected.astimezone(UTC)


def test_quiet_hours_within_a_day_and_none() -> None:
    lunch = QuietHours(start=time(11, 30), end=time(13, 30))
    assert after_quiet_hours(local(2, 12, 0), lunch) == local(2, 13, 30).astimezone(UTC)
    assert after_quiet_hours(local(2, 14, 0), lunch) == local(2, 14, 0).astimezone(UTC)
    assert after_quiet_hours(local(2, 23, 0), None) == local(2, 23, 0).astimezone(UTC)
    with pytest.raises(ValueError):
        after_quiet_hours(datetime(2026, 12, 2, 23, 0), QuietHours())  # noqa: DTZ001


async def test_enqueue_applies_the_kinds_quiet_hours_and_exemptions(repo: Repo) -> None:
    user_id = await _user(repo)
    late = local(2, 23, 15)
    assert await enqueue(repo, _delivery(user_id, late, dedupe_key="a"), quiet_hours=QuietHours())
    assert await enqueue(
        repo,
        _delivery(user_id, late, dedupe_key="b", respect_quiet_hours=False),
        quiet_hours=QuietHours(),
    )
    assert await enqueue(repo, _delivery(user_id, late, dedupe_key="c"), quiet_hours=None)
    # Without an override, the registry's spec for the kind decides (unknown kind: default hours).
    assert await enqueue(repo, _delivery(user_id, late, dedupe_key="d", kind="unknown.kind"))
    assert await enqueue(
        repo, _delivery(user_id, late, dedupe_key="e", kind="reply")
    )  # reply: any hour
    await repo.session.commit()
    rows = {
        row.dedupe_key: row
        for row in (
            await repo.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        ).all()
    }
    morning = local(3, 6, 30).astimezone(UTC)
    assert rows["a"].next_attempt_at == morning
    assert rows["b"].next_attempt_at == late.astimezone(UTC)
    assert rows["c"].next_attempt_at == late.astimezone(UTC)
    assert rows["d"].next_attempt_at == morning
    assert rows["e"].next_attempt_at == late.astimezone(UTC)
    a = rows["a"]
    assert (a.kind, a.ref, a.priority, a.payload, a.user_id, a.chat_id, a.status) == (
        "pledge.reminder",
        "pledge:1",
        int(Priority.REMINDER),
        {"pledge_id": 1},
        user_id,
        None,
        "pending",
    )


async def test_dedupe_key_queues_once_and_none_never_collides(repo: Repo) -> None:
    user_id = await _user(repo)
    when = local(2, 9, 0)
    assert await enqueue(repo, _delivery(user_id, when, dedupe_key="pledge:1:d-3"))
    assert not await enqueue(
        repo, _delivery(user_id, when + timedelta(hours=1), dedupe_key="pledge:1:d-3")
    )
    assert await enqueue(repo, _delivery(user_id, when))
    assert await enqueue(repo, _delivery(user_id, when))
    await repo.session.commit()
    assert not await enqueue(
        repo, _delivery(user_id, when, dedupe_key="pledge:1:d-3")
    )  # after the commit too
    await repo.session.commit()
    rows = (await repo.session.scalars(select(OutboxMessage))).all()
    assert len(rows) == 3
    assert sum(1 for row in rows if row.dedupe_key == "pledge:1:d-3") == 1


async def test_not_before_and_priority_decide_what_is_ready(repo: Repo) -> None:
    clock = ManualClock(local(2, 9, 0))
    user_id = await _user(repo)
    other = await _user(repo, 7002)
    await enqueue(
        repo,
        _delivery(user_id, clock.now(), kind="bulk", priority=Priority.BULK, dedupe_key="bulk"),
    )
    await enqueue(
        repo,
        _delivery(other, clock.now() + timedelta(minutes=30), kind="later", dedupe_key="later"),
    )
    await enqueue(
        repo,
        _delivery(
            other, clock.now(), kind="answer", priority=Priority.INTERACTIVE, dedupe_key="answer"
        ),
    )
    await repo.session.commit()

    ready = await repo.outbox.candidates(clock.now())
    kinds = [(await repo.session.get(OutboxMessage, c.id)).kind for c in ready]  # type: ignore[union-attr]
    assert kinds == ["answer", "bulk"]  # the person waiting goes first; "later" is not due

    clock.advance(timedelta(minutes=30))
    claimed = await repo.outbox.claim("w1", clock.now(), limit=10)
    await repo.session.commit()
    assert [row.kind for row in claimed] == ["answer", "later", "bulk"]


async def test_concurrent_enqueue_of_one_key_inserts_one_row(
    sessionmaker, database_url: str
) -> None:  # type: ignore[no-untyped-def]
    if not database_url.startswith("postgresql"):
        pytest.skip("two writers at once: PostgreSQL")
    async with sessionmaker() as session:
        user_id = await _user(Repo(session))
        await session.commit()
    start = asyncio.Event()

    async def one(n: int) -> bool:
        async with sessionmaker() as session:
            repo = Repo(session)
            await start.wait()
            ok = await enqueue(
                repo,
                _delivery(user_id, local(2, 9, 0), dedupe_key="visit:9:reminder", payload={"n": n}),
            )
            await asyncio.sleep(0.05)  # hold the transaction open while the others try
            await session.commit()
            return ok

    tasks = [asyncio.create_task(one(n)) for n in range(8)]
    await asyncio.sleep(0.05)
    start.set()
    results = await asyncio.gather(*tasks)
    assert results.count(True) == 1
    async with sessionmaker() as session:
        rows = (
            await session.scalars(
                select(OutboxMessage).where(OutboxMessage.dedupe_key == "visit:9:reminder")
            )
        ).all()
    assert len(rows) == 1


async def _nothing(_ctx: object, _payload: object) -> OutgoingMessage | None:
    return None


def test_registry_collects_features_and_refuses_duplicates() -> None:
    registry = build_registry()
    assert {
        "reply",
        "broadcast",
        "broadcast.notice",
        "broadcast.progress",
        "broadcast.report",
    } <= set(registry.kinds)
    assert {"broadcasts.due", "broadcasts.progress"} <= set(registry.planners)
    assert registry.quiet_hours("reply") is None
    assert registry.quiet_hours("never.registered") == QuietHours()
    fresh = Registry()
    fresh.add_kind(KindSpec("x", _nothing))
    with pytest.raises(ValueError):
        fresh.add_kind(KindSpec("x", _nothing))
