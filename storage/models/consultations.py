"""Residents' consultations (lấy ý kiến): a question put to the village by the branch,
its options, the votes, and the group boards that show the result as it comes in.

One vote per voter: ``voter_key`` names the household (``h:<id>``), the resident
(``u:<id>``) or the party member (``m:<id>``) that voted, unique per consultation, so
a later vote replaces the earlier one and a vote can never be counted twice."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.core import Base
from storage.types import utcnow


class ConsultationKind(enum.StrEnum):
    YES_NO = "yes_no"
    SINGLE = "single"
    MULTI = "multi"


class Voters(enum.StrEnum):
    HOUSEHOLD = "household"  # one vote per household (the default for village decisions)
    RESIDENT = "resident"  # one vote per resident
    MEMBER = "member"  # one vote per party member (the branch's own decisions)


class ConsultationStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Consultation(Base):
    __tablename__ = "consultations"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)  # the deep link: yk_<code>
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id"), index=True)
    question: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16), default=ConsultationKind.YES_NO)
    allow_other: Mapped[bool] = mapped_column(Boolean, default=False)
    voters: Mapped[str] = mapped_column(String(16), default=Voters.HOUSEHOLD)
    names_public: Mapped[bool] = mapped_column(Boolean, default=False)
    opens_at: Mapped[datetime] = mapped_column(default=utcnow)
    closes_at: Mapped[datetime] = mapped_column(index=True)
    closed_at: Mapped[datetime | None] = mapped_column()
    status: Mapped[str] = mapped_column(String(16), default=ConsultationStatus.OPEN)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"))
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ConsultationOption(Base):
    __tablename__ = "consultation_options"
    __table_args__ = (UniqueConstraint("consultation_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE")
    )
    position: Mapped[int] = mapped_column(Integer)  # 0, 1, ... as shown
    label: Mapped[str] = mapped_column(String(200))


class ConsultationVote(Base):
    __tablename__ = "consultation_votes"
    __table_args__ = (UniqueConstraint("consultation_id", "voter_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE")
    )
    voter_key: Mapped[str] = mapped_column(String(32))
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    voter_name: Mapped[str] = mapped_column(String(200), default="")
    choices: Mapped[list[int]] = mapped_column(JSON, default=list)
    other_text: Mapped[str] = mapped_column(Text, default="")
    changes: Mapped[int] = mapped_column(Integer, default=0)  # times replaced by a later vote
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class ConsultationBoard(Base):
    """The result board posted to one of the village's groups, edited in place."""

    __tablename__ = "consultation_boards"

    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), primary_key=True
    )
    chat_id: Mapped[int] = mapped_column(ForeignKey("chats.id"), primary_key=True)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    updated_at: Mapped[datetime | None] = mapped_column()
    button_url: Mapped[str] = mapped_column(String(200), default="")  # the "answer" deep link


__all__ = [
    "Consultation",
    "ConsultationBoard",
    "ConsultationKind",
    "ConsultationOption",
    "ConsultationStatus",
    "ConsultationVote",
    "Voters",
]
