"""The bot's last getMe (table ``bot_identity``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models.identity import BotIdentity


class BotIdentityRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def remember(self, bot_id: int, username: str, now: datetime) -> None:
        row = await self.session.get(BotIdentity, bot_id)
        if row is None:
            self.session.add(BotIdentity(bot_id=bot_id, username=username[:64], seen_at=now))
        else:
            row.username, row.seen_at = username[:64], now

    async def username_of(self, bot_id: int) -> str | None:
        row = await self.session.get(BotIdentity, bot_id)
        return row.username if row is not None and row.username else None

    async def last_username(self) -> str | None:
        row = await self.session.scalar(
            select(BotIdentity).order_by(BotIdentity.seen_at.desc()).limit(1)
        )
        return row.username if row is not None and row.username else None
