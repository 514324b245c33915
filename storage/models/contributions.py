"""Contributions (đóng góp): campaigns, their goals per kind, residents' pledges and
the receipts the treasurer records against them.

Amounts are integers in the kind's unit: đồng for money, days for labour, the
material's own unit for materials, m² for land."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.core import Base
from storage.types import utcnow


class ContributionKind(enum.StrEnum):
    MONEY = "money"
    LABOUR = "labour"
    MATERIAL = "material"
    LAND = "land"


class PledgeStatus(enum.StrEnum):
    PLEDGED = "pledged"
    PARTLY_RECEIVED = "partly_received"
    RECEIVED = "received"
    OVERDUE = "overdue"
    CANCELLED = "cancelled"


class CampaignStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class PaymentMethod(enum.StrEnum):
    CASH = "cash"
    TRANSFER = "transfer"


class Campaign(Base):
    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)  # the deep link: dg_<code>
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(Text, default="")
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    bank_bin: Mapped[str] = mapped_column(String(8), default="")
    bank_name: Mapped[str] = mapped_column(String(120), default="")
    account_number: Mapped[str] = mapped_column(String(32), default="")
    account_holder: Mapped[str] = mapped_column(String(120), default="")
    names_public: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(16), default=CampaignStatus.OPEN)
    reminder_days: Mapped[int] = mapped_column(Integer, default=3)
    board_chat_id: Mapped[int | None] = mapped_column(ForeignKey("chats.id"))
    board_message_id: Mapped[int | None] = mapped_column(BigInteger)
    board_updated_at: Mapped[datetime | None] = mapped_column()
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class CampaignGoal(Base):
    """A kind the campaign accepts, with its goal (None: no goal, any amount welcome)."""

    __tablename__ = "campaign_goals"
    __table_args__ = (UniqueConstraint("campaign_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    goal: Mapped[int | None] = mapped_column(BigInteger)
    unit: Mapped[str] = mapped_column(String(32), default="")


class Pledge(Base):
    __tablename__ = "pledges"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"))
    kind: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int] = mapped_column(BigInteger)
    material: Mapped[str] = mapped_column(String(120), default="")
    unit: Mapped[str] = mapped_column(String(32), default="")
    received: Mapped[int] = mapped_column(BigInteger, default=0)
    status: Mapped[str] = mapped_column(String(20), default=PledgeStatus.PLEDGED)
    contributor_name: Mapped[str] = mapped_column(String(200), default="")
    show_name: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    stop_reminders: Mapped[bool] = mapped_column(Boolean, default=False)
    # Five letters in the transfer memo (DG <campaign> <id> <check>): without them a
    # statement line naming this pledge is only ever confirmed on its own.
    memo_check: Mapped[str] = mapped_column(String(8), default="", server_default="")
    # One confirmation press = one pledge: a second press with the same key finds the first.
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True)
    recorded_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Receipt(Base):
    """What the treasurer received against a pledge (partial amounts allowed)."""

    __tablename__ = "receipts"

    id: Mapped[int] = mapped_column(primary_key=True)
    pledge_id: Mapped[int] = mapped_column(ForeignKey("pledges.id"), index=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    received_on: Mapped[date] = mapped_column(Date)
    number: Mapped[str] = mapped_column(String(64), default="")
    method: Mapped[str] = mapped_column(String(16), default=PaymentMethod.CASH)
    # A bank statement line recorded once, however often the statement is uploaded.
    source_ref: Mapped[str | None] = mapped_column(String(120), unique=True)
    recorded_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
