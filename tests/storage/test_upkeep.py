"""Upkeep deletes finished queue rows past retention, in batches, and nothing else."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from storage.models import InboxUpdate, OutboxMessage, ProcessedUpdate
from storage.upkeep import prune

NOW = datetime(2026, 12, 5, 12, tzinfo=UTC)
OLD = NOW - timedelta(days=8)
RECENT = NOW - timedelta(days=1)


async def test_prune_in_batches_keeps_what_is_live(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    async with sessionmaker() as session:
        rows = []
        for n in range(5):
            rows.append(InboxUpdate(bot_id=1, update_id=n, chat_key=7, payload={}, status="done", handled_at=OLD))
        rows.append(InboxUpdate(bot_id=1, update_id=10, chat_key=7, payload={}, status="parked", handled_at=OLD))
        rows.append(InboxUpdate(bot_id=1, update_id=11, chat_key=7, payload={}, status="pending"))
        rows.append(InboxUpdate(bot_id=1, update_id=12, chat_key=7, payload={}, status="done", handled_at=RECENT))
        for n in range(3):
            rows.append(OutboxMessage(kind="question_reply", target=f"u{n}", status="sent", next_attempt_at=OLD,
                                      dedupe_key=f"old{n}"))
        rows.append(OutboxMessage(kind="question_reply", target="u9", status="pending", next_attempt_at=OLD,
                                  dedupe_key="live"))
        rows += [ProcessedUpdate(bot_id=1, update_id=n, processed_at=OLD) for n in range(4)]
        rows.append(ProcessedUpdate(bot_id=1, update_id=99, processed_at=RECENT))
        session.add_all(rows)
        await session.commit()

    pruned = await prune(sessionmaker, NOW - timedelta(days=7), batch=2)

    assert (pruned.inbox, pruned.outbox, pruned.processed_updates) == (5, 3, 4)
    async with sessionmaker() as session:
        left = (await session.execute(select(InboxUpdate.update_id).order_by(InboxUpdate.update_id))).scalars().all()
        assert left == [10, 11, 12]
        assert (await session.scalar(select(func.count()).select_from(OutboxMessage))) == 1
        assert (await session.execute(select(ProcessedUpdate.update_id))).scalars().all() == [99]
