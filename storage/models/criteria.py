"""Criteria in a village: status history, residents' questions, FAQ entries saved from answers."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.core import Base
from storage.types import utcnow


class CriterionStatus(Base):
    """One decision about a criterion in a village; the newest row is the current status,
    older rows are its history."""

    __tablename__ = "criterion_statuses"
    __table_args__ = (Index("ix_criterion_statuses_lookup", "village_id", "set_code", "number", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id"))
    set_code: Mapped[str] = mapped_column(String(64))
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))  # met | not_met | in_progress
    note: Mapped[str] = mapped_column(Text, default="")
    decided_on: Mapped[date] = mapped_column(Date)
    set_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Question(Base):
    """A resident's free question; ``open`` ones wait in the secretary's inbox."""

    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    village_id: Mapped[int | None] = mapped_column(ForeignKey("villages.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    set_code: Mapped[str] = mapped_column(String(64))
    guess_number: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="asked")  # asked | open | answered
    asked_at: Mapped[datetime] = mapped_column(default=utcnow)
    forwarded_at: Mapped[datetime | None] = mapped_column()
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[datetime | None] = mapped_column()
    faq_saved: Mapped[bool] = mapped_column(default=False)


class SavedFaq(Base):
    """An FAQ entry a secretary saved from an answer.

    It belongs to its village (``scope="village"``) or, if the secretary chose so, to the
    village's commune (``"commune"``, ``commune_id`` set); only an operator promotes it to
    the whole set (``"set"``), and only then does every commune's matcher know it.
    """

    __tablename__ = "saved_faqs"

    id: Mapped[int] = mapped_column(primary_key=True)
    set_code: Mapped[str] = mapped_column(String(64))
    number: Mapped[int] = mapped_column(Integer)
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    village_id: Mapped[int | None] = mapped_column(ForeignKey("villages.id"))
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    scope: Mapped[str] = mapped_column(String(16), default="village", server_default="village")
    commune_id: Mapped[int | None] = mapped_column(ForeignKey("communes.id"))


class CriteriaExample(Base):
    """A labelled question for the matcher's corpus: a resident's pick among the offered
    criteria. Only the text and the choice are kept, nothing about who asked."""

    __tablename__ = "criteria_examples"
    __table_args__ = (UniqueConstraint("set_code", "number", "text", name="uq_criteria_examples"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    set_code: Mapped[str] = mapped_column(String(64))
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CriteriaLevel(Base):
    """The level ("mức đạt") of an indicator for one region or commune group, filled in by
    a province or commune office through ``villagebot criteria import``; with its source."""

    __tablename__ = "criteria_levels"
    __table_args__ = (UniqueConstraint("set_code", "indicator", "key", name="uq_criteria_levels"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    set_code: Mapped[str] = mapped_column(String(64))
    indicator: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(32))  # "all", a region code, "group1".."group3"
    value: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(500))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
