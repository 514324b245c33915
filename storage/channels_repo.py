"""Queries of channel-neutral addresses and pending numbered menus. Nothing here commits."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    ChannelAddress,
    ChannelUsage,
    OutboxMessage,
    OutboxStatus,
    PendingMenu,
    User,
)

# Internal ids of channels other than Telegram: beyond any Telegram id (user ids are
# below 2^52, group ids above -2^52 - 10^12); groups get negative ids, as on Telegram.
FOREIGN_BASE = 1 << 53
BULK = 30  # bot.delivery.contract.Priority.BULK (storage imports nothing of bot/)


def platform_of(internal_id: int) -> str:
    """The channel an internal address belongs to (only Zalo is allocated today)."""
    return "zalo" if abs(internal_id) >= FOREIGN_BASE else "telegram"


class ChannelRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def address(self, channel: str, platform_id: str) -> ChannelAddress | None:
        return await self.session.scalar(
            select(ChannelAddress).where(
                ChannelAddress.channel == channel, ChannelAddress.platform_id == platform_id
            )
        )

    async def by_internal(self, internal_id: int) -> ChannelAddress | None:
        return await self.session.scalar(
            select(ChannelAddress).where(ChannelAddress.internal_id == internal_id)
        )

    async def allocate(
        self, channel: str, platform_id: str, chat_type: str, display_name: str = ""
    ) -> tuple[ChannelAddress, bool]:
        """The address of (channel, platform id), created with a new internal id when
        unknown; the flag says whether it was created."""
        found = await self.address(channel, platform_id)
        if found is not None:
            return found, False
        row = ChannelAddress(
            channel=channel,
            platform_id=platform_id,
            chat_type=chat_type,
            display_name=display_name[:200],
            internal_id=-secrets.randbits(62),  # unique placeholder until the row id is known
        )
        try:
            async with self.session.begin_nested():
                self.session.add(row)
                await self.session.flush()
                number = FOREIGN_BASE + row.id
                row.internal_id = -number if chat_type == "group" else number
                await self.session.flush()
        except IntegrityError:  # allocated meanwhile by another request
            found = await self.address(channel, platform_id)
            if found is None:
                raise
            return found, False
        return row, True

    async def menu(self, channel: str, chat_id: int) -> PendingMenu | None:
        return await self.session.get(PendingMenu, (channel, chat_id))

    async def set_menu(
        self,
        channel: str,
        chat_id: int,
        *,
        items: list[dict[str, Any]],
        message_id: int,
        message_text: str,
        locale: str | None,
        now: datetime,
        expires_at: datetime,
    ) -> None:
        await self.clear_menu(channel, chat_id)
        self.session.add(
            PendingMenu(
                channel=channel,
                chat_id=chat_id,
                items=items,
                message_id=message_id,
                message_text=message_text[:4000],
                locale=locale,
                created_at=now,
                expires_at=expires_at,
            )
        )

    async def clear_menu(self, channel: str, chat_id: int) -> None:
        await self.session.execute(
            delete(PendingMenu).where(PendingMenu.channel == channel, PendingMenu.chat_id == chat_id)
        )

    async def add_usage(
        self, channel: str, month: str, *, sent: int, quota_hits: int, last_quota_at: datetime | None
    ) -> None:
        row = await self.session.get(ChannelUsage, (channel, month))
        if row is None:
            row = ChannelUsage(channel=channel, month=month, sent=0, quota_hits=0)
            self.session.add(row)
        row.sent += sent
        row.quota_hits += quota_hits
        if last_quota_at is not None:
            row.last_quota_at = last_quota_at

    async def usage(self, month: str) -> list[ChannelUsage]:
        result = await self.session.scalars(
            select(ChannelUsage).where(ChannelUsage.month == month).order_by(ChannelUsage.channel)
        )
        return list(result.all())

    async def usage_of(self, channel: str, month: str) -> ChannelUsage | None:
        return await self.session.get(ChannelUsage, (channel, month))

    def _bulk_for_foreign(self) -> Any:
        """Bulk rows (announcements, boards, reports) waiting for a non-Telegram address."""
        foreign_user = select(User.id).where(User.platform != "telegram")
        return (
            OutboxMessage.status.in_((OutboxStatus.PENDING, OutboxStatus.RETRYING)),
            OutboxMessage.priority >= BULK,
            or_(
                OutboxMessage.chat_id >= FOREIGN_BASE,
                OutboxMessage.chat_id <= -FOREIGN_BASE,
                OutboxMessage.user_id.in_(foreign_user),
            ),
        )

    async def bulk_waiting(self) -> int:
        """How many bulk messages wait for Zalo (held near its quota, or not yet due)."""
        return int(
            await self.session.scalar(select(func.count()).select_from(OutboxMessage).where(*self._bulk_for_foreign()))
            or 0
        )

    async def release_bulk(self, now: datetime) -> int:
        """Bulk retrying for Zalo is due now (it was held near the quota)."""
        result = await self.session.execute(
            update(OutboxMessage)
            .where(*self._bulk_for_foreign(), OutboxMessage.status == OutboxStatus.RETRYING,
                   OutboxMessage.next_attempt_at > now)
            .values(next_attempt_at=now)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount or 0

    async def outbox_counts(self) -> dict[str, int]:
        """Outbox rows by status (for ``villagebot status``)."""
        result = await self.session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        )
        return {status: count for status, count in result}

    async def addresses(self) -> dict[str, int]:
        result = await self.session.execute(
            select(ChannelAddress.channel, func.count()).group_by(ChannelAddress.channel)
        )
        return {channel: count for channel, count in result}
