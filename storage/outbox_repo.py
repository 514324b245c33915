"""The outbox's queries: enqueueing with a dedupe key, claiming, outcomes, crash
recovery. Nothing here commits: the caller's unit of work does."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, delete, func, literal, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Chat, Commune, OutboxMessage, OutboxStatus, SenderWorker, User, Village

READY = (OutboxStatus.PENDING, OutboxStatus.RETRYING)
OPEN = (OutboxStatus.PENDING, OutboxStatus.RETRYING, OutboxStatus.SENDING)
DONE = (OutboxStatus.SENT, OutboxStatus.FAILED, OutboxStatus.SKIPPED)
ENQUEUE_CHUNK = 1000  # rows a read of their bots and an INSERT (SQLAlchemy pages its VALUES lists)


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """What the sender needs to deliver one outbox message (a plain snapshot)."""

    id: int
    kind: str
    ref: str
    priority: int
    payload: dict[str, Any]
    channel: str
    run_id: int | None
    chat_id: int | None
    user_id: int | None
    group_id: int | None
    locale: str
    attempts: int


@dataclass(frozen=True, slots=True)
class Candidate:
    id: int
    chat_id: int | None
    user_id: int | None = None
    group_id: int | None = None
    priority: int = 30

    @property
    def key(self) -> str:
        """One in flight per recipient: its address when known, else its row id."""
        if self.chat_id is not None:
            return f"a{self.chat_id}"
        return f"u{self.user_id}" if self.user_id is not None else f"c{self.group_id}"


@dataclass(frozen=True, slots=True)
class Address:
    """Where a recipient is now, and in which language to write to it."""

    chat_id: int
    locale: str | None
    reachable: bool


class OutboxRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.enqueued = 0  # rows added in this unit of work: the engine is woken after its commit

    @property
    def dialect(self) -> str:
        return self.session.bind.dialect.name if self.session.bind else "sqlite"

    async def enqueue(self, values: dict[str, Any]) -> bool:
        """Insert one row; False when a row with its ``dedupe_key`` exists already.
        The unique constraint decides (``ON CONFLICT DO NOTHING``), so two processes
        racing on the same key insert exactly one row."""
        insert_ = pg_insert if self.dialect == "postgresql" else sqlite_insert
        if "bot_key" not in values:  # several bots: the recipient's (see bot/multibot.py)
            values = {**values, "bot_key": bot_key_of(values.get("user_id"), values.get("group_id"), values.get("chat_id"))}
        statement = insert_(OutboxMessage).values(**values)
        if values.get("dedupe_key") is not None:
            statement = statement.on_conflict_do_nothing(index_elements=["dedupe_key"])
        result = await self.session.execute(statement)
        added = result.rowcount == 1
        self.enqueued += int(added)
        return added

    async def enqueue_many(self, rows: Sequence[dict[str, Any]], chunk: int = ENQUEUE_CHUNK) -> int:
        """:meth:`enqueue` for many rows of users or groups, in order: per ``chunk`` rows
        one read of the recipients' bots (what :func:`bot_key_of` gives one row) and one
        executemany INSERT … ON CONFLICT (dedupe_key) DO NOTHING RETURNING id (sent as
        multi-row VALUES); how many were added. Plain values only: the statement is
        compiled once, not once per row's subquery."""
        insert_ = pg_insert if self.dialect == "postgresql" else sqlite_insert
        table = OutboxMessage.__table__
        statement = insert_(table).on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(table.c.id)
        added = 0
        for start in range(0, len(rows), chunk):
            part = rows[start : start + chunk]
            bots = await self._bots_of(part)
            values = [
                {**row, "bot_key": row.get("bot_key", bots.get((row.get("user_id"), row.get("group_id"))))}
                for row in part
            ]
            added += len((await self.session.execute(statement, values)).all())
        self.enqueued += added
        return added

    async def _bots_of(self, rows: Sequence[dict[str, Any]]) -> dict[tuple[int | None, int | None], str | None]:
        """(user id, None) or (None, group id) → the bot that writes to it, for ``rows``."""
        users = {row["user_id"] for row in rows if row.get("user_id") is not None and "bot_key" not in row}
        groups = {row["group_id"] for row in rows if row.get("user_id") is None and "bot_key" not in row}
        if any(row.get("user_id") is None and row.get("group_id") is None for row in rows):
            raise ValueError("enqueue_many takes rows for a user or a group")
        bots: dict[tuple[int | None, int | None], str | None] = {}
        if users:
            found = await self.session.execute(_person_bot().add_columns(User.id).where(User.id.in_(users)))
            bots.update(((user_id, None), key) for key, user_id in found)
        if groups:
            found = await self.session.execute(_group_bot().add_columns(Chat.id).where(Chat.id.in_(groups)))
            bots.update(((None, group_id), key) for key, group_id in found)
        return bots

    async def address_of(self, *, user_id: int | None, group_id: int | None) -> Address | None:
        """The recipient's platform address now (a group may have migrated meanwhile)."""
        if user_id is not None:
            row = (
                await self.session.execute(
                    select(User.platform_user_id, User.language, User.reachable).where(
                        User.id == user_id
                    )
                )
            ).first()
            return Address(row[0], row[1], bool(row[2])) if row else None
        row = (
            await self.session.execute(
                select(Chat.platform_chat_id, Chat.active).where(Chat.id == group_id)
            )
        ).first()
        return Address(row[0], None, bool(row[1])) if row else None

    async def set_address(self, row_id: int, chat_id: int, locale: str) -> None:
        await self.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row_id)
            .values(chat_id=chat_id, locale=locale)
            .execution_options(synchronize_session=False)
        )

    async def mark_skipped(self, row_id: int, worker_id: str, *, reason: str) -> bool:
        return await self._finish(
            row_id, worker_id, status=OutboxStatus.SKIPPED, error=reason[:255]
        )

    async def by_ref(self, ref: str) -> Sequence[OutboxMessage]:
        result = await self.session.scalars(
            select(OutboxMessage).where(OutboxMessage.ref == ref).order_by(OutboxMessage.id)
        )
        return result.all()

    async def cancel(self, ref: str) -> int:
        """Rows about ``ref`` not sent yet are skipped (a pledge paid, a visit moved)."""
        result = await self.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.ref == ref, OutboxMessage.status.in_(READY))
            .values(status=OutboxStatus.SKIPPED, error="cancelled")
            .execution_options(synchronize_session=False)
        )
        return result.rowcount or 0

    async def prune(self, before: datetime) -> int:
        """Finished rows of no broadcast run, older than ``before``."""
        result = await self.session.execute(
            delete(OutboxMessage).where(
                OutboxMessage.run_id.is_(None),
                OutboxMessage.status.in_(DONE),
                OutboxMessage.next_attempt_at < before,
            )
        )
        return result.rowcount or 0

    # ---------------------------------------------------------------- outbox

    async def candidates(
        self, now: datetime, limit: int = 200, exclude: Iterable[int] = (), lane: Any = None
    ) -> Sequence[Candidate]:
        """Rows ready to go (no lock: the claim decides); with several bots, only the
        rows of ``lane`` (a :class:`bot.multibot.OutboxLane`)."""
        query = (
            select(
                OutboxMessage.id,
                OutboxMessage.chat_id,
                OutboxMessage.user_id,
                OutboxMessage.group_id,
                OutboxMessage.priority,
            )
            .where(OutboxMessage.status.in_(READY), OutboxMessage.next_attempt_at <= now)
            .order_by(OutboxMessage.priority, OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
        )
        excluded = list(exclude)
        if excluded:
            query = query.where(OutboxMessage.id.not_in(excluded))
        if lane is not None:
            query = query.where(of_lane(lane))
        result = await self.session.execute(query)
        return [
            Candidate(row.id, row.chat_id, row.user_id, row.group_id, row.priority)
            for row in result
        ]

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
        pick = pick.order_by(
            OutboxMessage.priority, OutboxMessage.next_attempt_at, OutboxMessage.id
        ).limit(limit)
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
            .returning(*(getattr(OutboxMessage, name) for name in OutboxRow.__slots__))
            .execution_options(synchronize_session=False)
        )
        rows = [OutboxRow(*row) for row in result]
        rows.sort(key=lambda r: (r.priority, r.id))
        return rows

    async def in_flight(self, ids: Sequence[int]) -> list[OutboxRow]:
        """Rows of ``ids`` still "sending" (the sent journal's candidates at start-up)."""
        if not ids:
            return []
        result = await self.session.execute(
            select(*(getattr(OutboxMessage, name) for name in OutboxRow.__slots__)).where(
                OutboxMessage.id.in_(list(ids)), OutboxMessage.status == OutboxStatus.SENDING
            )
        )
        return [OutboxRow(*row) for row in result]

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
        self,
        row_id: int,
        worker_id: str,
        *,
        message_id: int,
        call_started_at: datetime,
        sent_at: datetime,
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


# ------------------------------------------------------------ several bots


def of_lane(lane: Any) -> Any:
    """The rows a bot's sender takes: its own; the default bot's also those naming no
    bot or a bot no longer configured (nothing is stranded by a removed token)."""
    if not lane.default:
        return OutboxMessage.bot_key == lane.key
    others = list(lane.others)
    return or_(
        OutboxMessage.bot_key.is_(None),
        OutboxMessage.bot_key == lane.key,
        OutboxMessage.bot_key.not_in(others) if others else literal(True),
    )


def _person_bot() -> Any:
    return (
        select(func.coalesce(User.bot_key, Commune.bot_key))
        .select_from(User)
        .outerjoin(Village, Village.id == User.village_id)
        .outerjoin(Commune, Commune.id == Village.commune_id)
    )


def _group_bot() -> Any:
    return (
        select(func.coalesce(Chat.bot_key, Commune.bot_key))
        .select_from(Chat)
        .outerjoin(Village, Village.id == Chat.village_id)
        .outerjoin(Commune, Commune.id == Village.commune_id)
    )


def bot_key_of(user_id: int | None, group_id: int | None, chat_id: int | None) -> Any:
    """The bot that writes to this recipient, as a scalar subquery (NULL: the default
    bot): the person's last bot, else their commune's; a group's likewise (the bot
    last seen in it, else its village's commune's)."""
    if user_id is not None:
        return _person_bot().where(User.id == user_id).scalar_subquery()
    if group_id is not None:
        return _group_bot().where(Chat.id == group_id).scalar_subquery()
    if chat_id is not None and chat_id > 0:
        return _person_bot().where(User.platform == "telegram", User.platform_user_id == chat_id).scalar_subquery()
    if chat_id is not None:
        return _group_bot().where(Chat.platform == "telegram", Chat.platform_chat_id == chat_id).scalar_subquery()
    return None


async def assign_bots(session: AsyncSession, run_id: int) -> None:
    """A broadcast run's rows (just inserted, not yet committed) get their recipients' bots."""
    by_user = _person_bot().where(User.id == OutboxMessage.user_id).scalar_subquery()
    by_group = _group_bot().where(Chat.id == OutboxMessage.group_id).scalar_subquery()
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.run_id == run_id, OutboxMessage.bot_key.is_(None))
        .values(bot_key=case((OutboxMessage.user_id.is_not(None), by_user), else_=by_group))
        .execution_options(synchronize_session=False)
    )
