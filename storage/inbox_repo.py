"""The durable inbox's queries. Nothing here commits: the caller does."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import InboxStatus, InboxUpdate


class InboxRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @property
    def dialect(self) -> str:
        return self.session.bind.dialect.name if self.session.bind else "sqlite"

    async def store(self, bot_id: int, rows: Sequence[tuple[Any, ...]], now: datetime) -> int:
        """Store ``(update_id, chat_key, payload[, status])`` rows; an update id seen
        before is ignored (Telegram redelivers). Returns how many were new."""
        return len(await self.store_new(bot_id, rows, now))

    async def store_new(self, bot_id: int, rows: Sequence[tuple[Any, ...]], now: datetime) -> set[int]:
        """:meth:`store`, returning the update ids that were new (``RETURNING``: an id
        already stored, or twice in ``rows``, is not among them twice)."""
        if not rows:
            return set()
        insert_ = pg_insert if self.dialect == "postgresql" else sqlite_insert
        values = []
        for update_id, chat_key, payload, *rest in rows:
            status = rest[0] if rest else InboxStatus.PENDING
            values.append(
                {
                    "bot_id": bot_id,
                    "update_id": update_id,
                    "chat_key": chat_key,
                    "payload": payload,
                    "status": status,
                    "attempts": 0,
                    "received_at": now,
                    "handled_at": None if status == InboxStatus.PENDING else now,
                    "retry_at": None,
                    "error": None,
                }
            )
        # One statement per 100 rows (a getUpdates batch), not one per row: the batch's
        # transaction holds SQLite's write lock for as short as it can (1,200 button
        # presses stored row by row held it for about a second, while every handler's
        # commit and the engine's "sent" waited).
        stored: set[int] = set()
        for start in range(0, len(values), 100):
            statement = (
                insert_(InboxUpdate)
                .values(values[start : start + 100])
                .on_conflict_do_nothing(index_elements=["bot_id", "update_id"])
                .returning(InboxUpdate.update_id)
            )
            stored.update((await self.session.scalars(statement)).all())
        return stored

    async def ready_chats(
        self,
        now: datetime,
        exclude: Sequence[int],
        limit: int = 100,
        only: Sequence[int] | None = None,
        fewest_first: bool = False,
    ) -> list[int]:
        """Chats with a pending update that may be handled now, oldest first
        (``only``: among these chats; ``fewest_first``: the chats with the fewest
        pending updates first, then the oldest)."""
        query = (
            select(InboxUpdate.chat_key, func.min(InboxUpdate.update_id).label("first"))
            .where(
                InboxUpdate.status == InboxStatus.PENDING,
                or_(InboxUpdate.retry_at.is_(None), InboxUpdate.retry_at <= now),
            )
            .group_by(InboxUpdate.chat_key)
            .order_by(*((func.count(),) if fewest_first else ()), "first")
            .limit(limit)
        )
        if exclude:
            query = query.where(InboxUpdate.chat_key.not_in(list(exclude)))
        if only is not None:
            if not only:
                return []
            query = query.where(InboxUpdate.chat_key.in_(list(only)))
        return [row.chat_key for row in await self.session.execute(query)]

    async def next_of_chat(self, chat_key: int, now: datetime) -> tuple[InboxUpdate | None, bool]:
        """The chat's oldest pending update, unless it waits for a retry (order holds:
        a later update of the chat is not handled before it); and whether another
        pending update of the chat comes after it."""
        rows = (
            await self.session.scalars(
                select(InboxUpdate)
                .where(InboxUpdate.chat_key == chat_key, InboxUpdate.status == InboxStatus.PENDING)
                .order_by(InboxUpdate.update_id)
                .limit(2)
            )
        ).all()
        row = rows[0] if rows else None
        if row is None or (row.retry_at is not None and row.retry_at > now):
            return None, len(rows) > 1
        return row, len(rows) > 1

    async def waiting_since_before(self, moment: datetime) -> bool:
        """Whether an update received before ``moment`` still waits to be handled (a
        consultation's close waits for the votes pressed before its closing time)."""
        found = await self.session.scalar(
            select(InboxUpdate.id)
            .where(InboxUpdate.status == InboxStatus.PENDING, InboxUpdate.received_at < moment)
            .limit(1)
        )
        return found is not None

    async def mark_done(self, row_id: int, now: datetime) -> None:
        await self._set(row_id, status=InboxStatus.DONE, handled_at=now, retry_at=None)

    async def mark_failed(
        self, row_id: int, *, attempts: int, error: str, retry_at: datetime | None, now: datetime
    ) -> None:
        """Retry at ``retry_at``, or park the update (``retry_at`` None) with its error."""
        if retry_at is None:
            await self._set(
                row_id, status=InboxStatus.PARKED, attempts=attempts, error=error, handled_at=now
            )
        else:
            await self._set(row_id, attempts=attempts, error=error, retry_at=retry_at)

    async def _set(self, row_id: int, **values: Any) -> None:
        await self.session.execute(
            update(InboxUpdate)
            .where(InboxUpdate.id == row_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )

    async def counts(self) -> dict[str, int]:
        result = await self.session.execute(
            select(InboxUpdate.status, func.count()).group_by(InboxUpdate.status)
        )
        return {status: count for status, count in result}

    async def prune(self, before: datetime) -> int:
        """Handled updates older than ``before`` (parked ones are kept for a person to look at)."""
        result = await self.session.execute(
            delete(InboxUpdate).where(
                InboxUpdate.status.in_((InboxStatus.DONE, InboxStatus.DROPPED)),
                InboxUpdate.handled_at < before,
            )
        )
        return result.rowcount or 0
