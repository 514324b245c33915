"""Conversation (FSM) state kept in the database when there is no Redis: a half-done
pledge or wizard survives a restart of the bot."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.core import Base
from storage.types import utcnow


class FsmState(Base):
    """One conversation's state and data, by the key aiogram builds (bot, chat, user)."""

    __tablename__ = "fsm_states"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    state: Mapped[str | None] = mapped_column(String(255))
    data: Mapped[dict[str, Any]] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
