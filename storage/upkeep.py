"""Upkeep of the queue tables: finished rows older than their retention are deleted in
small batches, each in its own short transaction, so the live tables stay small and
no delete holds a lock long enough to delay a reply.

Kept: parked inbox rows (for a person to look at), outbox rows of broadcast runs
(their delivery report), and anything not finished.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select

from storage.db import Sessionmaker
from storage.models import InboxStatus, InboxUpdate, OutboxMessage, ProcessedUpdate
from storage.outbox_repo import DONE as _OUTBOX_DONE

BATCH = 2_000


@dataclass(frozen=True)
class Pruned:
    inbox: int = 0
    outbox: int = 0
    processed_updates: int = 0


def _statements(before: datetime, batch: int):  # type: ignore[no-untyped-def]
    inbox = select(InboxUpdate.id).where(
        InboxUpdate.status.in_((InboxStatus.DONE, InboxStatus.DROPPED)), InboxUpdate.handled_at < before
    ).limit(batch)
    outbox = select(OutboxMessage.id).where(
        OutboxMessage.run_id.is_(None), OutboxMessage.status.in_(_OUTBOX_DONE),
        OutboxMessage.next_attempt_at < before,
    ).limit(batch)
    processed = select(ProcessedUpdate.bot_id, ProcessedUpdate.update_id).where(
        ProcessedUpdate.processed_at < before
    ).limit(batch)
    return {
        "inbox": delete(InboxUpdate).where(InboxUpdate.id.in_(inbox.scalar_subquery())),
        "outbox": delete(OutboxMessage).where(OutboxMessage.id.in_(outbox.scalar_subquery())),
        "processed_updates": delete(ProcessedUpdate).where(
            ProcessedUpdate.update_id.in_(processed.with_only_columns(ProcessedUpdate.update_id).scalar_subquery()),
            ProcessedUpdate.processed_at < before,
        ),
    }


async def prune(sessionmaker: Sessionmaker, before: datetime, *, batch: int = BATCH) -> Pruned:
    """Delete finished rows older than ``before``, ``batch`` rows per transaction."""
    counts = {"inbox": 0, "outbox": 0, "processed_updates": 0}
    for name in counts:
        while True:
            async with sessionmaker() as session:
                result = await session.execute(
                    _statements(before, batch)[name].execution_options(synchronize_session=False)
                )
                await session.commit()
            deleted = result.rowcount or 0
            counts[name] += deleted
            if deleted < batch:
                break
    return Pruned(**counts)
