"""Every query of broadcasts, their runs and acknowledgements. Nothing here commits: the per-update
middleware does, or the outbox sender's own unit of work."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from storage.models import (
    Broadcast,
    BroadcastAck,
    BroadcastRun,
    BroadcastStatus,
    Chat,
    OutboxMessage,
    OutboxStatus,
    RunStatus,
    User,
)
from storage.outbox_repo import OPEN, Candidate, OutboxRepository, OutboxRow, assign_bots  # noqa: F401  (re-exported)


class BroadcastRepository(OutboxRepository):
    """Broadcasts, their runs, their outbox rows and acknowledgements (the generic
    outbox queries are inherited, so ``repo.broadcasts.claim`` keeps working)."""

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
                "kind": "broadcast",
                "ref": f"run:{run_id}",
                "priority": 30,  # Priority.BULK
                "payload": {"run_id": run_id},
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
            await assign_bots(self.session, run_id)  # several bots: each row its recipient's
        return len(values)

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

    async def not_pinned_count(self, run_id: int) -> int:
        """Delivered group messages whose pin failed (the sender notes "not pinned: …")."""
        count = await self.session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(
                OutboxMessage.run_id == run_id,
                OutboxMessage.status == OutboxStatus.SENT,
                OutboxMessage.error.like("not pinned:%"),
            )
        )
        return int(count or 0)

    async def delivered_message_ids(self, run_id: int, chat_id: int) -> list[int | None]:
        """The message ids of the run's rows addressed to ``chat_id`` (None: not known yet)."""
        result = await self.session.scalars(
            select(OutboxMessage.message_id).where(
                OutboxMessage.run_id == run_id, OutboxMessage.chat_id == chat_id
            )
        )
        return list(result.all())
