"""Every query of broadcasts and the outbox. Nothing here commits: the per-update
middleware does, or the outbox sender's own unit of work."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Broadcast,
    BroadcastAck,
    BroadcastRun,
    BroadcastStatus,
    Chat,
    OutboxMessage,
    OutboxStatus,
    RunStatus,
    SenderWorker,
    User,
)

READY = (OutboxStatus.PENDING, OutboxStatus.RETRYING)
OPEN = (OutboxStatus.PENDING, OutboxStatus.RETRYING, OutboxStatus.SENDING)


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """What the sender needs to deliver one outbox message (a plain snapshot)."""

    id: int
    run_id: int
    chat_id: int
    user_id: int | None
    group_id: int | None
    locale: str
    attempts: int


@dataclass(frozen=True, slots=True)
class Candidate:
    id: int
    chat_id: int


class BroadcastRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @property
    def dialect(self) -> str:
        return self.session.bind.dialect.name if self.session.bind else "sqlite"

    # ------------------------------------------------------------ broadcasts

    def add(self, broadcast: Broadcast) -> None:
        self.session.add(broadcast)

    async def get(self, broadcast_id: int) -> Broadcast | None:
        return await self.session.get(Broadcast, broadcast_id)

    async def of_village(self, village_id: int, limit: int = 20) -> Sequence[Broadcast]:
        result = await self.session.scalars(
            select(Broadcast)
            .where(Broadcast.village_id == village_id)
            .order_by(Broadcast.id.desc())
            .limit(limit)
        )
        return result.all()

    async def scheduled(self) -> Sequence[Broadcast]:
        result = await self.session.scalars(
            select(Broadcast)
            .where(Broadcast.status == BroadcastStatus.SCHEDULED, Broadcast.next_due_at.is_not(None))
            .order_by(Broadcast.next_due_at)
        )
        return result.all()

    async def due(self, now: datetime) -> Sequence[Broadcast]:
        result = await self.session.scalars(
            select(Broadcast)
            .where(Broadcast.status == BroadcastStatus.SCHEDULED, Broadcast.next_due_at <= now)
            .order_by(Broadcast.next_due_at, Broadcast.id)
        )
        return result.all()

    async def advance(
        self, broadcast_id: int, *, expected_due: datetime, next_due: datetime | None, status: str
    ) -> bool:
        """Move a scheduled broadcast past ``expected_due``; False when another
        process (or an earlier wake-up) already did: only the winner sends."""
        result = await self.session.execute(
            update(Broadcast)
            .where(
                Broadcast.id == broadcast_id,
                Broadcast.status == BroadcastStatus.SCHEDULED,
                Broadcast.next_due_at == expected_due,
            )
            .values(next_due_at=next_due, status=status)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1

    async def cancel(self, broadcast_id: int) -> bool:
        result = await self.session.execute(
            update(Broadcast)
            .where(Broadcast.id == broadcast_id, Broadcast.status == BroadcastStatus.SCHEDULED)
            .values(status=BroadcastStatus.CANCELLED, next_due_at=None)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1

    # ------------------------------------------------------------------ runs

    def add_run(self, run: BroadcastRun) -> None:
        self.session.add(run)

    async def run(self, run_id: int) -> BroadcastRun | None:
        return await self.session.get(BroadcastRun, run_id)

    async def runs_of(self, broadcast_id: int, limit: int = 5) -> Sequence[BroadcastRun]:
        result = await self.session.scalars(
            select(BroadcastRun)
            .where(BroadcastRun.broadcast_id == broadcast_id)
            .order_by(BroadcastRun.id.desc())
            .limit(limit)
        )
        return result.all()

    async def sending_runs(self) -> Sequence[BroadcastRun]:
        result = await self.session.scalars(
            select(BroadcastRun).where(BroadcastRun.status == RunStatus.SENDING).order_by(BroadcastRun.id)
        )
        return result.all()

    async def finish_run(self, run_id: int, now: datetime) -> bool:
        """Mark a run done once nothing of it is open; True for the one caller that did."""
        still_open = (
            select(OutboxMessage.id)
            .where(OutboxMessage.run_id == run_id, OutboxMessage.status.in_(OPEN))
            .exists()
        )
        result = await self.session.execute(
            update(BroadcastRun)
            .where(BroadcastRun.id == run_id, BroadcastRun.status == RunStatus.SENDING, ~still_open)
            .values(status=RunStatus.DONE, finished_at=now)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1

    async def set_progress(self, run_id: int, message_id: int | None, text: str | None) -> None:
        await self.session.execute(
            update(BroadcastRun)
            .where(BroadcastRun.id == run_id)
            .values(progress_message_id=message_id, progress_text=text)
            .execution_options(synchronize_session=False)
        )

    # ---------------------------------------------------------------- outbox

    async def fill_outbox(self, run_id: int, rows: Iterable[dict[str, Any]], now: datetime) -> int:
        """One row per recipient (``target`` unique within the run)."""
        values = [
            {
                "run_id": run_id,
                "status": OutboxStatus.PENDING,
                "attempts": 0,
                "next_attempt_at": now,
                "resent_after_crash": 0,
                **row,
            }
            for row in rows
        ]
        if values:
            await self.session.execute(insert(OutboxMessage), values)
        return len(values)

    async def candidates(
        self, now: datetime, limit: int = 200, exclude: Iterable[int] = ()
    ) -> Sequence[Candidate]:
        """Rows ready to go (no lock: the claim decides)."""
        query = (
            select(OutboxMessage.id, OutboxMessage.chat_id)
            .where(OutboxMessage.status.in_(READY), OutboxMessage.next_attempt_at <= now)
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
        )
        excluded = list(exclude)
        if excluded:
            query = query.where(OutboxMessage.id.not_in(excluded))
        result = await self.session.execute(query)
        return [Candidate(row.id, row.chat_id) for row in result]

    async def claim(
        self, worker_id: str, now: datetime, *, ids: Sequence[int] | None = None, limit: int = 30
    ) -> list[OutboxRow]:
        """Move ready rows to "sending" for ``worker_id`` and return them.

        PostgreSQL: ``SELECT ... FOR UPDATE SKIP LOCKED`` then the UPDATE, so two
        processes never get the same row and never wait for each other. SQLite (one
        writer at a time): a single conditional UPDATE ... RETURNING is the claim.
        The caller commits before it sends anything.
        """
        ready = and_(OutboxMessage.status.in_(READY), OutboxMessage.next_attempt_at <= now)
        pick = select(OutboxMessage.id).where(ready)
        if ids is not None:
            if not ids:
                return []
            pick = pick.where(OutboxMessage.id.in_(list(ids)))
        pick = pick.order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(limit)
        if self.dialect == "postgresql":
            locked = (await self.session.scalars(pick.with_for_update(skip_locked=True))).all()
            if not locked:
                return []
            where = OutboxMessage.id.in_(locked)
        else:
            where = and_(OutboxMessage.id.in_(pick.scalar_subquery()), ready)
        result = await self.session.execute(
            update(OutboxMessage)
            .where(where)
            .values(status=OutboxStatus.SENDING, claimed_by=worker_id, claimed_at=now)
            .returning(
                OutboxMessage.id,
                OutboxMessage.run_id,
                OutboxMessage.chat_id,
                OutboxMessage.user_id,
                OutboxMessage.group_id,
                OutboxMessage.locale,
                OutboxMessage.attempts,
            )
            .execution_options(synchronize_session=False)
        )
        rows = [OutboxRow(*row) for row in result]
        rows.sort(key=lambda r: r.id)
        return rows

    async def _finish(self, row_id: int, worker_id: str, **values: Any) -> bool:
        result = await self.session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == row_id,
                OutboxMessage.status == OutboxStatus.SENDING,
                OutboxMessage.claimed_by == worker_id,
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1

    async def mark_sent(
        self, row_id: int, worker_id: str, *, message_id: int, call_started_at: datetime, sent_at: datetime
    ) -> bool:
        return await self._finish(
            row_id,
            worker_id,
            status=OutboxStatus.SENT,
            message_id=message_id,
            call_started_at=call_started_at,
            sent_at=sent_at,
            error=None,
        )

    async def mark_retry(
        self,
        row_id: int,
        worker_id: str,
        *,
        at: datetime,
        error: str,
        attempts: int,
        chat_id: int | None = None,
    ) -> bool:
        values: dict[str, Any] = {
            "status": OutboxStatus.RETRYING,
            "next_attempt_at": at,
            "error": error[:255],
            "attempts": attempts,
        }
        if chat_id is not None:
            values["chat_id"] = chat_id
        return await self._finish(row_id, worker_id, **values)

    async def mark_failed(self, row_id: int, worker_id: str, *, error: str, attempts: int) -> bool:
        return await self._finish(
            row_id, worker_id, status=OutboxStatus.FAILED, error=error[:255], attempts=attempts
        )

    async def note(self, row_id: int, error: str) -> None:
        await self.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row_id)
            .values(error=error[:255])
            .execution_options(synchronize_session=False)
        )

    async def follow_migration(self, old_chat_id: int, new_chat_id: int) -> None:
        """Open rows to a group that became a supergroup go to its new id."""
        await self.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.chat_id == old_chat_id, OutboxMessage.status.in_(READY))
            .values(chat_id=new_chat_id)
            .execution_options(synchronize_session=False)
        )

    # --------------------------------------------------- workers and crashes

    async def heartbeat(self, worker_id: str, now: datetime) -> None:
        insert_ = pg_insert if self.dialect == "postgresql" else sqlite_insert
        statement = insert_(SenderWorker).values(worker_id=worker_id, started_at=now, beat_at=now)
        statement = statement.on_conflict_do_update(
            index_elements=["worker_id"], set_={"beat_at": now}
        )
        await self.session.execute(statement)

    async def forget_worker(self, worker_id: str) -> None:


        await self.session.execute(delete(SenderWorker).where(SenderWorker.worker_id == worker_id))

    async def recover_in_flight(self, worker_id: str, now: datetime, dead_before: datetime) -> int:
        """Rows left in "sending" by a worker whose heartbeat stopped (a crash, kill -9)
        go back to "retrying" and are sent again: at-least-once. A duplicate is
        possible only for a row whose Bot API call Telegram had accepted before the
        crash and whose "sent" was not yet committed."""
        alive = select(SenderWorker.worker_id).where(SenderWorker.beat_at >= dead_before)
        result = await self.session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.status == OutboxStatus.SENDING,
                OutboxMessage.claimed_by != worker_id,
                or_(OutboxMessage.claimed_by.is_(None), OutboxMessage.claimed_by.not_in(alive)),
            )
            .values(
                status=OutboxStatus.RETRYING,
                next_attempt_at=now,
                resent_after_crash=OutboxMessage.resent_after_crash + 1,
                error="in flight during a crash: sent again",
            )
            .execution_options(synchronize_session=False)
        )
        return result.rowcount or 0

    async def prune_workers(self, dead_before: datetime) -> None:


        in_use = select(OutboxMessage.claimed_by).where(
            OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.claimed_by.is_not(None)
        )
        await self.session.execute(
            delete(SenderWorker).where(
                SenderWorker.beat_at < dead_before, SenderWorker.worker_id.not_in(in_use)
            )
        )

    # --------------------------------------------------------------- reports

    async def counts(self, run_id: int) -> dict[str, int]:
        result = await self.session.execute(
            select(OutboxMessage.status, func.count())
            .where(OutboxMessage.run_id == run_id)
            .group_by(OutboxMessage.status)
        )
        return {status: count for status, count in result}

    async def failures(self, run_id: int) -> dict[str, int]:
        result = await self.session.execute(
            select(OutboxMessage.error, func.count())
            .where(OutboxMessage.run_id == run_id, OutboxMessage.status == OutboxStatus.FAILED)
            .group_by(OutboxMessage.error)
        )
        return {error or "": count for error, count in result}

    async def failed_rows(self, run_id: int, limit: int = 20) -> Sequence[OutboxMessage]:
        result = await self.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.run_id == run_id, OutboxMessage.status == OutboxStatus.FAILED)
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
        return result.all()

    async def open_rows_of_run(self, run_id: int) -> int:
        return (
            await self.session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.run_id == run_id, OutboxMessage.status.in_(OPEN))
            )
            or 0
        )

    async def names_of_targets(self, run_id: int) -> dict[int, str]:
        """Outbox row id -> a readable name (user's name or group title)."""
        result = await self.session.execute(
            select(OutboxMessage.id, User.full_name, Chat.title)
            .select_from(OutboxMessage)
            .outerjoin(User, User.id == OutboxMessage.user_id)
            .outerjoin(Chat, Chat.id == OutboxMessage.group_id)
            .where(OutboxMessage.run_id == run_id)
        )
        return {row_id: (name or title or "") for row_id, name, title in result}

    # ------------------------------------------------------------------ acks

    async def add_ack(self, run_id: int, platform_user_id: int, user_id: int | None, name: str) -> bool:
        """Record an acknowledgement; False when this person had already pressed."""
        insert_ = pg_insert if self.dialect == "postgresql" else sqlite_insert
        statement = (
            insert_(BroadcastAck)
            .values(run_id=run_id, platform_user_id=platform_user_id, user_id=user_id, name=name[:200])
            .on_conflict_do_nothing(index_elements=["run_id", "platform_user_id"])
        )
        result = await self.session.execute(statement)
        return result.rowcount == 1

    async def acks(self, run_id: int) -> Sequence[BroadcastAck]:
        result = await self.session.scalars(
            select(BroadcastAck).where(BroadcastAck.run_id == run_id).order_by(BroadcastAck.at)
        )
        return result.all()

    async def ack_count(self, run_id: int) -> int:
        return (
            await self.session.scalar(
                select(func.count()).select_from(BroadcastAck).where(BroadcastAck.run_id == run_id)
            )
            or 0
        )
