"""The durable inbox: every update, stored before it is acknowledged."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.core import Base
from storage.types import utcnow


class InboxStatus(enum.StrEnum):
    PENDING = "pending"
    DONE = "done"
    PARKED = "parked"  # failed too many times: kept with its error, never retried by itself
    DROPPED = (
        "dropped"  # past the chat's fair share: kept so a redelivery is recognised, never handled
    )


class InboxUpdate(Base):
    """One update as received. ``chat_key`` orders one chat's updates (handled one
    at a time, in ``update_id`` order); different chats are handled in parallel."""

    __tablename__ = "inbox"
    __table_args__ = (UniqueConstraint("bot_id", "update_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bot_id: Mapped[int] = mapped_column(BigInteger)
    update_id: Mapped[int] = mapped_column(BigInteger)
    chat_key: Mapped[int] = mapped_column(BigInteger)
    payload: Mapped[dict[str, Any]] = mapped_column()
    status: Mapped[str] = mapped_column(String(16), default=InboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    retry_at: Mapped[datetime | None] = mapped_column()  # after a failure: not before this
    error: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    handled_at: Mapped[datetime | None] = mapped_column(index=True)


Index("ix_inbox_open", InboxUpdate.status, InboxUpdate.chat_key, InboxUpdate.update_id)


class InboxLease(Base):
    """Which worker process handles a chat's updates now (PostgreSQL, several processes).

    A worker claims a chat before draining it and renews the claim while it works; a
    claim whose holder died expires at ``expires_at`` and another worker takes it."""

    __tablename__ = "inbox_leases"

    bot_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    chat_key: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    holder: Mapped[str] = mapped_column(String(40))
    expires_at: Mapped[datetime] = mapped_column(index=True)


class SendSlot(Base):
    """A message that left, for the installation-wide flood budget (PostgreSQL, several
    processes): Telegram's 30/s per bot and 20/min per group are counted here across
    processes. Rows older than a minute are deleted as new ones come."""

    __tablename__ = "send_slots"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    bot_id: Mapped[int] = mapped_column(BigInteger)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column()


Index("ix_send_slots_bot_at", SendSlot.bot_id, SendSlot.at)
Index("ix_send_slots_chat_at", SendSlot.bot_id, SendSlot.chat_id, SendSlot.at)


class PlannerRun(Base):
    """When each planner last ran anywhere in the installation: an interval run
    claims its row with a conditional update, so with several worker processes a
    planner fires once per interval, not once per process (issue 18)."""

    __tablename__ = "planner_runs"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_at: Mapped[datetime] = mapped_column()
