"""Broadcasts: what a secretary announces, each time it is sent (a run), the outbox
(one row per recipient of a run) and who acknowledged it."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.core import Base
from storage.types import utcnow


class BroadcastStatus(enum.StrEnum):
    SCHEDULED = "scheduled"  # waits for next_due_at (one-off or recurring)
    ACTIVE = "active"  # a one-off that has been handed to the outbox
    DONE = "done"  # a one-off whose run finished
    CANCELLED = "cancelled"
    MISSED = "missed"  # a one-off that fell due while the bot was down, beyond the grace


class RunStatus(enum.StrEnum):
    SENDING = "sending"
    DONE = "done"


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed and committed before the Bot API call
    SENT = "sent"
    RETRYING = "retrying"  # waits for next_attempt_at (429, 5xx, timeout, migration, crash)
    FAILED = "failed"
    SKIPPED = "skipped"  # the renderer had nothing to say any more (a reminder already moot)


class Broadcast(Base):
    """An announcement as composed: content, audience, options and schedule."""

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id"), index=True)
    author_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    author_chat_id: Mapped[int] = mapped_column(BigInteger)
    author_locale: Mapped[str] = mapped_column(String(8), default="vi")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(16), default="text")  # text | photo | document
    text: Mapped[str] = mapped_column(Text, default="")
    file_id: Mapped[str | None] = mapped_column(String(255))
    audience: Mapped[dict[str, Any]] = mapped_column(default=dict)
    pin: Mapped[bool] = mapped_column(Boolean, default=False)
    ask_ack: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default=BroadcastStatus.SCHEDULED)
    next_due_at: Mapped[datetime | None] = mapped_column(index=True)
    recurrence: Mapped[str | None] = mapped_column(String(32))  # "weekly:6:06:30", "monthly:31:07:00"


class BroadcastRun(Base):
    """One sending of a broadcast (a recurring one has a run per occurrence)."""

    __tablename__ = "broadcast_runs"
    __table_args__ = (UniqueConstraint("broadcast_id", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcasts.id"), index=True)
    due_at: Mapped[datetime] = mapped_column()
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column()
    status: Mapped[str] = mapped_column(String(16), default=RunStatus.SENDING, index=True)
    total: Mapped[int] = mapped_column(Integer, default=0)
    progress_message_id: Mapped[int | None] = mapped_column(BigInteger)
    progress_text: Mapped[str | None] = mapped_column(Text)


class OutboxMessage(Base):
    """One message to one recipient: the unit the delivery engine claims and sends.

    A broadcast's rows have ``kind`` "broadcast" and ``run_id`` set, their address
    (``chat_id``) resolved when the run was filled; every other kind names its
    recipient by row id (``user_id`` or ``group_id``) and is addressed at send time.
    ``next_attempt_at`` is the row's not-before time (quiet hours already applied)."""

    __tablename__ = "outbox"
    __table_args__ = (UniqueConstraint("run_id", "target"), UniqueConstraint("dedupe_key"))

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), default="telegram")
    kind: Mapped[str] = mapped_column(String(40), default="broadcast")
    ref: Mapped[str] = mapped_column(String(64), default="")
    dedupe_key: Mapped[str | None] = mapped_column(String(160))
    priority: Mapped[int] = mapped_column(Integer, default=30)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("broadcast_runs.id"))
    target: Mapped[str] = mapped_column(String(32))  # "u<user id>" or "c<chat row id>": one per run
    chat_id: Mapped[int | None] = mapped_column(BigInteger)  # the platform address, once resolved
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("chats.id"))
    locale: Mapped[str] = mapped_column(String(8), default="vi")
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(40))
    claimed_at: Mapped[datetime | None] = mapped_column()
    call_started_at: Mapped[datetime | None] = mapped_column()
    sent_at: Mapped[datetime | None] = mapped_column()
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    error: Mapped[str | None] = mapped_column(String(255))
    resent_after_crash: Mapped[int] = mapped_column(Integer, default=0)
    bot_key: Mapped[str | None] = mapped_column(String(32))  # the bot that sends it; None: the default


class SenderWorker(Base):
    """A running outbox sender and its heartbeat: rows claimed by a worker whose
    heartbeat stopped were in flight during a crash."""

    __tablename__ = "outbox_workers"

    worker_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    beat_at: Mapped[datetime] = mapped_column(default=utcnow)


class BroadcastAck(Base):
    """Somebody pressed "Đã nắm" under a run's message (once per person and run)."""

    __tablename__ = "broadcast_acks"
    __table_args__ = (UniqueConstraint("run_id", "platform_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("broadcast_runs.id"), index=True)
    platform_user_id: Mapped[int] = mapped_column(BigInteger)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(200), default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)


Index("ix_outbox_ready", OutboxMessage.status, OutboxMessage.next_attempt_at)
Index("ix_outbox_due", OutboxMessage.status, OutboxMessage.priority, OutboxMessage.next_attempt_at)
Index("ix_outbox_ref", OutboxMessage.ref)
# Several bots: a bot's sender looks for its own due rows without reading past another bot's broadcast.
Index("ix_outbox_bot_due", OutboxMessage.bot_key, OutboxMessage.status, OutboxMessage.priority, OutboxMessage.next_attempt_at)
Index("ix_outbox_run_status", OutboxMessage.run_id, OutboxMessage.status)
