"""What ``/healthz`` and ``/metrics`` read from the database: queue depths and ages,
and the senders' heartbeats. Each is one indexed aggregate query; nothing here writes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import func, select, text

from storage.db import Session
from storage.models import InboxStatus, InboxUpdate, OutboxMessage, OutboxStatus, SenderWorker


@dataclass(frozen=True)
class QueueSnapshot:
    inbox: dict[str, int] = field(default_factory=dict)  # rows by status
    inbox_oldest_pending_s: float = 0.0
    outbox_pending: dict[str, int] = field(default_factory=dict)  # by kind
    outbox_due: dict[str, int] = field(default_factory=dict)  # pending and due now, by kind
    outbox_oldest_due_s: dict[str, float] = field(default_factory=dict)  # lateness, by kind
    sender_beat_age_s: float | None = None  # the freshest sender heartbeat; None: no sender ever


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def ping(session: Session) -> None:
    await session.execute(text("SELECT 1"))


async def snapshot(session: Session, now: datetime) -> QueueSnapshot:
    inbox = dict(
        (await session.execute(select(InboxUpdate.status, func.count()).group_by(InboxUpdate.status))).all()
    )
    oldest_inbox = await session.scalar(
        select(func.min(InboxUpdate.received_at)).where(InboxUpdate.status == InboxStatus.PENDING)
    )
    pending = dict((await session.execute(
        select(OutboxMessage.kind, func.count())
        .where(OutboxMessage.status == OutboxStatus.PENDING)
        .group_by(OutboxMessage.kind)
    )).all())
    due_rows = (await session.execute(
        select(OutboxMessage.kind, func.count(), func.min(OutboxMessage.next_attempt_at))
        .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now)
        .group_by(OutboxMessage.kind)
    )).all()
    beat = await session.scalar(select(func.max(SenderWorker.beat_at)))
    return QueueSnapshot(
        inbox={str(status): int(count) for status, count in inbox.items()},
        inbox_oldest_pending_s=(now - _aware(oldest_inbox)).total_seconds() if oldest_inbox else 0.0,
        outbox_pending={str(kind): int(count) for kind, count in pending.items()},
        outbox_due={str(kind): int(count) for kind, count, _ in due_rows},
        outbox_oldest_due_s={str(kind): max(0.0, (now - _aware(oldest)).total_seconds())
                             for kind, _, oldest in due_rows},
        sender_beat_age_s=(now - _aware(beat)).total_seconds() if beat else None,
    )
