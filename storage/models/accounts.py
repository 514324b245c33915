"""One person on two channels is one user.

``users.platform_user_id`` is where the person is reached now: the address they used
last. Once two accounts are linked, every address of the person is listed in
``user_accounts`` (an address is unique across channels, see
``storage/channels_repo.py``), so a message from either finds the same user.
A link starts with a short code shown on one channel (``link_codes``) and typed on the
other."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.core import Base
from storage.types import utcnow


class LinkedAccount(Base):
    __tablename__ = "user_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    platform: Mapped[str] = mapped_column(String(16))
    platform_user_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    linked_at: Mapped[datetime] = mapped_column(default=utcnow)


class LinkCode(Base):
    """A code shown to ``user_id`` (valid until ``expires_at``, used once). Typed on the
    other channel it is held for the typing account (``claimed_by_user_id``) until
    that account confirms: only the account that typed it may confirm."""

    __tablename__ = "link_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    claimed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    used_at: Mapped[datetime | None] = mapped_column()
