"""Household visits: each household's plan (cadence, next due day, QR token), the
visits members record, the needs they bring back.

``household_visit_plans.due_on`` is the day the next visit is due, kept up to date by
the visits service (a visit moves it one cadence on, "Hẹn lại" moves it to the chosen
day), so the reminder planners find due households with one indexed range query even
with 100,000 households. ``nudged_for`` / ``escalated_for`` hold the ``due_on`` an
overdue notice was already queued for: one nudge per late visit, not one a day.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.core import Base
from storage.types import utcnow


class HouseholdVisitPlan(Base):
    __tablename__ = "household_visit_plans"

    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), primary_key=True)
    cadence: Mapped[str | None] = mapped_column(String(16))  # None: by the household's category
    qr_token: Mapped[str] = mapped_column(String(32), unique=True)
    due_on: Mapped[date] = mapped_column(Date)
    last_visited_on: Mapped[date | None] = mapped_column(Date)
    snoozed_to: Mapped[date | None] = mapped_column(Date)
    nudged_for: Mapped[date | None] = mapped_column(Date)
    escalated_for: Mapped[date | None] = mapped_column(Date)


Index("ix_household_visit_plans_due_on", HouseholdVisitPlan.due_on)


class Visit(Base):
    """A visit made (``outcome`` "visited") or attempted ("not_visited", with a reason)."""

    __tablename__ = "visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    visited_on: Mapped[date] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(String(16), default="visited")
    note: Mapped[str] = mapped_column(Text, default="")
    checklist: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    photo_file_id: Mapped[str | None] = mapped_column(String(255))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


Index("ix_visits_household", Visit.household_id, Visit.visited_on)


class VisitNeed(Base):
    """A need a household raised during a visit; ``notified_at`` once the secretary is told."""

    __tablename__ = "visit_needs"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(16), default="open")
    raised_at: Mapped[datetime] = mapped_column(default=utcnow)
    notified_at: Mapped[datetime | None] = mapped_column()


Index("ix_visit_needs_unnotified", VisitNeed.notified_at)
