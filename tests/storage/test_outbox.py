"""The outbox on SQLite and PostgreSQL: filling, claiming, outcomes, crash recovery,
and two concurrent claimers that never get the same row."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.services import broadcasts as service
from bot.services.authz import Actor
from bot.services.org_import import apply_org, parse_org
from storage.models import Broadcast, BroadcastStatus, OutboxMessage, OutboxStatus, Role, User
from storage.repo import Repo
from tests.data_org import ORG_YAML

NOW = datetime(2026, 3, 1, 1, 0, tzinfo=UTC)


async def _village_with_residents(repo: Repo, count: int) -> tuple[int, int]:
    await apply_org(repo, parse_org(ORG_YAML))
    village = await repo.places.village_by_code("nam-bac-thanh")
    assert village is not None
    author = User(platform_user_id=1001, full_name="Bí thư", village_id=village.id, language="vi")
    repo.session.add(author)
    for i in range(count):
        repo.session.add(User(platform_user_id=50_000 + i, full_name=f"Dân {i}", village_id=village.id))
    await repo.session.flush()
    return village.id, author.id


async def _broadcast_now(repo: Repo, residents: int = 10) -> int:
    village_id, author_id = await _village_with_residents(repo, residents)
    actor = Actor(user_id=author_id, platform_user_id=1001, village_id=village_id, member_id=1, role=Role.SECRETARY)
    created = await service.create_broadcast(
        repo,
        actor,
        service.Draft("text", "Họp chi bộ <tối nay> & mai", service.Audience(all_groups=True, residents=True)),
        author_chat_id=1001,
        author_locale="vi",
        now=NOW,
        tz=UTC,
        default_locale="vi",
    )
    await repo.session.commit()
    assert created.run is not None
    return created.run.id


async def test_fill_claim_and_outcomes(repo: Repo) -> None:
    run_id = await _broadcast_now(repo, residents=10)
    rows = (await repo.session.scalars(select(OutboxMessage).where(OutboxMessage.run_id == run_id))).all()
    assert len(rows) == 12  # 1 group + 10 residents + the author, who lives in the village
    assert {r.status for r in rows} == {OutboxStatus.PENDING}

    claimed = await repo.broadcasts.claim("w1", NOW, limit=5)
    await repo.session.commit()
    assert len(claimed) == 5
    again = await repo.broadcasts.claim("w2", NOW, ids=[r.id for r in claimed], limit=5)
    assert again == []  # already "sending"

    first, second, third = claimed[:3]
    assert await repo.broadcasts.mark_sent(first.id, "w1", message_id=7, call_started_at=NOW, sent_at=NOW)
    assert not await repo.broadcasts.mark_sent(second.id, "w2", message_id=8, call_started_at=NOW, sent_at=NOW)
    assert await repo.broadcasts.mark_retry(second.id, "w1", at=NOW + timedelta(seconds=30), error="429", attempts=0)
    assert await repo.broadcasts.mark_failed(third.id, "w1", error="Forbidden: bot was blocked by the user", attempts=1)
    await repo.session.commit()
    # a retrying row waits for its time
    ready_now = {c.id for c in await repo.broadcasts.candidates(NOW)}
    assert second.id not in ready_now
    assert second.id in {c.id for c in await repo.broadcasts.candidates(NOW + timedelta(seconds=31))}

    report = await service.run_report(repo, run_id)
    assert (report.total, report.sent, report.failed, report.waiting) == (12, 1, 1, 10)
    assert report.failures == {"blocked": 1}
    assert not await repo.broadcasts.finish_run(run_id, NOW)


async def test_crashed_worker_rows_are_sent_again(repo: Repo) -> None:
    await _broadcast_now(repo, residents=3)
    await repo.broadcasts.heartbeat("dead", NOW - timedelta(minutes=5))
    await repo.broadcasts.heartbeat("alive", NOW)
    dead = await repo.broadcasts.claim("dead", NOW, limit=2)
    alive = await repo.broadcasts.claim("alive", NOW, limit=2)
    await repo.session.commit()
    recovered = await repo.broadcasts.recover_in_flight("me", NOW, NOW - timedelta(seconds=8))
    await repo.session.commit()
    assert recovered == 2
    rows = {r.id: r for r in (await repo.session.scalars(select(OutboxMessage))).all()}
    for row in dead:
        await repo.session.refresh(rows[row.id])
        assert rows[row.id].status == OutboxStatus.RETRYING and rows[row.id].resent_after_crash == 1
    for row in alive:
        await repo.session.refresh(rows[row.id])
        assert rows[row.id].status == OutboxStatus.SENDING
    # the dead worker's late answer no longer counts
    assert not await repo.broadcasts.mark_sent(dead[0].id, "dead", message_id=1, call_started_at=NOW, sent_at=NOW)


async def test_acks_count_once_and_only_from_recipients_when_asked(repo: Repo) -> None:
    run_id = await _broadcast_now(repo, residents=1)
    ack = dict(platform_user_id=50_000, user_id=None, name="Ông Năm", chat_id=50_000)
    # The run did not ask for "Đã nắm": nothing counts.
    assert await service.record_ack(repo, run_id, **ack) is None
    run = await repo.broadcasts.run(run_id)
    broadcast = await repo.broadcasts.get(run.broadcast_id)
    broadcast.ask_ack = True
    await repo.session.flush()
    # Someone who never received it (their own chat), and a forged run id: refused.
    assert await service.record_ack(repo, run_id, **{**ack, "platform_user_id": 77, "chat_id": 77}) is None
    assert await service.record_ack(repo, 9999, **ack) is None
    assert await service.record_ack(repo, run_id, **ack) is True
    assert await service.record_ack(repo, run_id, **ack) is False
    await repo.session.commit()
    assert [a.name for a in await repo.broadcasts.acks(run_id)] == ["Ông Năm"]


async def test_scheduled_fires_once_and_recurring_moves_on(repo: Repo) -> None:
    village_id, author_id = await _village_with_residents(repo, 2)
    actor = Actor(user_id=author_id, platform_user_id=1001, village_id=village_id, member_id=1, role=Role.SECRETARY)
    weekly = service.Recurrence("weekly", 6, 6, 30)  # Sundays 06:30 UTC here
    created = await service.create_broadcast(
        repo,
        actor,
        service.Draft("text", "Chủ nhật xanh", service.Audience(residents=True), recurrence=weekly),
        author_chat_id=1001,
        author_locale="vi",
        now=NOW,  # a Sunday, 01:00
        tz=UTC,
        default_locale="vi",
    )
    await repo.session.commit()
    broadcast = created.broadcast
    assert created.run is None and broadcast.next_due_at == datetime(2026, 3, 1, 6, 30, tzinfo=UTC)
    at = datetime(2026, 3, 1, 6, 31, tzinfo=UTC)
    fired = await service.fire_due(repo, now=at, grace=timedelta(minutes=60), tz=UTC, default_locale="vi")
    await repo.session.commit()
    assert len(fired) == 1 and fired[0].run is not None and fired[0].run.total == 3
    assert await service.fire_due(repo, now=at, grace=timedelta(minutes=60), tz=UTC, default_locale="vi") == []
    await repo.session.refresh(broadcast)
    assert broadcast.next_due_at == datetime(2026, 3, 8, 6, 30, tzinfo=UTC)
    # down for three weeks: one "missed", never three runs; then the next Sunday
    later = datetime(2026, 3, 29, 12, 0, tzinfo=UTC)
    fired = await service.fire_due(repo, now=later, grace=timedelta(minutes=60), tz=UTC, default_locale="vi")
    await repo.session.commit()
    assert len(fired) == 1 and fired[0].run is None and fired[0].due_at == datetime(2026, 3, 29, 6, 30, tzinfo=UTC)
    await repo.session.refresh(broadcast)
    assert broadcast.next_due_at == datetime(2026, 4, 5, 6, 30, tzinfo=UTC)
    assert broadcast.status == BroadcastStatus.SCHEDULED
    cancelled = await service.cancel_broadcast(repo, actor, broadcast.id)
    assert cancelled.status == BroadcastStatus.CANCELLED


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_two_claimers_on_postgresql_never_share_a_row(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    async with sessionmaker() as session:
        repo = Repo(session)
        await _broadcast_now(repo, residents=300)
    seen: dict[str, list[int]] = {"a": [], "b": []}

    async def claimer(name: str) -> None:
        while True:
            async with sessionmaker() as session:
                rows = await Repo(session).broadcasts.claim(name, NOW, limit=7)
                await asyncio.sleep(0.005)  # hold the locks a moment: the other must skip, not wait
                await session.commit()
            if not rows:
                return
            seen[name].extend(r.id for r in rows)

    await asyncio.gather(claimer("a"), claimer("b"), claimer("a"), claimer("b"))
    everything = seen["a"] + seen["b"]
    assert len(everything) == len(set(everything)) == 302
    assert seen["a"] and seen["b"]
    async with sessionmaker() as session:
        statuses = (await session.scalars(select(Broadcast.status))).all()
        assert statuses == [BroadcastStatus.ACTIVE]
