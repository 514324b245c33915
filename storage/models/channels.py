"""Channel-neutral addresses and the menus offered on channels without buttons.

The rest of the code knows a person or a chat by one integer (``users.platform_user_id``,
``chats.platform_chat_id``, the outbox's ``chat_id``…). On Telegram that integer is
Telegram's own id. Any other channel's ids are text (Zalo: 20 hex characters), so each
one gets an integer allocated here, in a range Telegram never uses, and this table maps
(channel, platform id, chat type) ↔ that integer.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.core import Base
from storage.types import utcnow


class ChannelAddress(Base):
    __tablename__ = "channel_addresses"
    __table_args__ = (UniqueConstraint("channel", "platform_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    platform_id: Mapped[str] = mapped_column(String(64))
    chat_type: Mapped[str] = mapped_column(String(16), default="private")  # private | group
    internal_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PendingMenu(Base):
    """The choices last offered in a conversation on a channel without buttons: the
    person answers with a number, and that number must mean the same choice after a
    restart. ``items`` are ``{"label", "data"}`` (a button press), ``{"label",
    "text"}`` (a reply-keyboard button: the label is sent as text) or a link."""

    __tablename__ = "pending_menus"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    message_id: Mapped[int] = mapped_column(BigInteger)
    message_text: Mapped[str] = mapped_column(Text, default="")
    locale: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()


class ChannelUsage(Base):
    """Messages a channel sent in a month, and how often its quota ran out (Zalo
    publishes no quota: the operator watches these with ``villagebot status``)."""

    __tablename__ = "channel_usage"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # "2026-12"
    sent: Mapped[int] = mapped_column(BigInteger, default=0)
    quota_hits: Mapped[int] = mapped_column(BigInteger, default=0)
    last_quota_at: Mapped[datetime | None] = mapped_column()
