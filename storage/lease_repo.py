"""Inbox leases: one worker process at a time handles a chat (see ``InboxLease``).

A claim is one upsert that succeeds only where no live lease of another holder
exists, so two workers racing for a chat cannot both win; nothing here commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import InboxLease


class LeaseRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def claim(self, bot_id: int, keys: Sequence[int], holder: str, now: datetime, until: datetime) -> list[int]:
        """The chats of ``keys`` that ``holder`` now holds (its own live leases included)."""
        if not keys:
            return []
        dialect = self.session.bind.dialect.name if self.session.bind else "sqlite"
        insert_ = pg_insert if dialect == "postgresql" else sqlite_insert
        won = []
        for key in keys:
            statement = insert_(InboxLease).values(bot_id=bot_id, chat_key=key, holder=holder, expires_at=until)
            statement = statement.on_conflict_do_update(
                index_elements=["bot_id", "chat_key"],
                set_={"holder": holder, "expires_at": until},
                where=(InboxLease.expires_at < now) | (InboxLease.holder == holder),
            ).returning(InboxLease.chat_key)
            if (await self.session.execute(statement)).first() is not None:
                won.append(key)
        return won

    async def renew(self, bot_id: int, keys: Sequence[int], holder: str, until: datetime) -> None:
        if keys:
            await self.session.execute(
                update(InboxLease)
                .where(InboxLease.bot_id == bot_id, InboxLease.holder == holder, InboxLease.chat_key.in_(list(keys)))
                .values(expires_at=until)
                .execution_options(synchronize_session=False)
            )

    async def release(self, bot_id: int, key: int, holder: str) -> None:
        await self.session.execute(
            delete(InboxLease)
            .where(InboxLease.bot_id == bot_id, InboxLease.chat_key == key, InboxLease.holder == holder)
            .execution_options(synchronize_session=False)
        )

    async def held_by_others(self, bot_id: int, holder: str, now: datetime) -> list[int]:
        rows = await self.session.execute(
            select(InboxLease.chat_key).where(
                InboxLease.bot_id == bot_id, InboxLease.holder != holder, InboxLease.expires_at >= now
            )
        )
        return [row.chat_key for row in rows]
