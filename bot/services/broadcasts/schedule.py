"""When a broadcast goes out: the weekly or monthly rule, a typed date and time, and
whether a due broadcast is still sent or was missed."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from bot.services.errors import BroadcastInvalid

_WHEN = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s+(\d{1,2})[:hH.](\d{2})\s*$")
_TIME = re.compile(r"^\s*(\d{1,2})[:hH.](\d{2})\s*$")


@dataclass(frozen=True, slots=True)
class Recurrence:
    """Weekly (``day`` = weekday, Monday 0 .. Sunday 6) or monthly (``day`` = 1..31;
    a month without that day uses its last day) at ``hour:minute`` local time."""

    kind: str  # "weekly" | "monthly"
    day: int
    hour: int
    minute: int

    def __post_init__(self) -> None:
        valid_day = 0 <= self.day <= 6 if self.kind == "weekly" else 1 <= self.day <= 31
        if self.kind not in ("weekly", "monthly") or not valid_day:
            raise BroadcastInvalid("bad_recurrence")
        if not (0 <= self.hour <= 23 and 0 <= self.minute <= 59):
            raise BroadcastInvalid("bad_recurrence")

    def to_str(self) -> str:
        return f"{self.kind}:{self.day}:{self.hour:02d}:{self.minute:02d}"

    @classmethod
    def parse(cls, value: str) -> Recurrence:
        try:
            kind, day, hour, minute = value.split(":")
            return cls(kind, int(day), int(hour), int(minute))
        except ValueError:
            raise BroadcastInvalid("bad_recurrence") from None

    def _on(self, year: int, month: int, tz: tzinfo) -> datetime:
        day = min(self.day, calendar.monthrange(year, month)[1])
        return datetime(year, month, day, self.hour, self.minute, tzinfo=tz)

    def next_after(self, after: datetime, tz: tzinfo) -> datetime:
        """The first occurrence strictly after ``after`` (aware), as an aware datetime in ``tz``."""
        local = after.astimezone(tz)
        if self.kind == "weekly":
            candidate = datetime(
                local.year, local.month, local.day, self.hour, self.minute, tzinfo=tz
            ) + timedelta(days=(self.day - local.weekday()) % 7)
            if candidate <= local:
                candidate += timedelta(days=7)
            return candidate
        year, month = local.year, local.month
        while True:
            candidate = self._on(year, month, tz)
            if candidate > local:
                return candidate
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)

    def latest_at_or_before(self, moment: datetime, tz: tzinfo) -> datetime:
        """The last occurrence at or before ``moment``."""
        local = moment.astimezone(tz)
        if self.kind == "weekly":
            candidate = datetime(
                local.year, local.month, local.day, self.hour, self.minute, tzinfo=tz
            ) - timedelta(days=(local.weekday() - self.day) % 7)
            if candidate > local:
                candidate -= timedelta(days=7)
            return candidate
        year, month = local.year, local.month
        while True:
            candidate = self._on(year, month, tz)
            if candidate <= local:
                return candidate
            year, month = (year - 1, 12) if month == 1 else (year, month - 1)


def parse_when(text: str, tz: tzinfo, now: datetime) -> datetime:
    """``dd/mm/yyyy HH:mm`` in ``tz`` -> an aware datetime, which must be in the future."""
    match = _WHEN.match(text or "")
    if match is None:
        raise BroadcastInvalid("bad_datetime")
    day, month, year, hour, minute = (int(g) for g in match.groups())
    try:
        when = datetime(year, month, day, hour, minute, tzinfo=tz)
    except ValueError:
        raise BroadcastInvalid("bad_datetime") from None
    if when <= now:
        raise BroadcastInvalid("in_past")
    return when


def parse_time(text: str) -> tuple[int, int]:
    match = _TIME.match(text or "")
    if match is None:
        raise BroadcastInvalid("bad_datetime")
    hour, minute = int(match.group(1)), int(match.group(2))
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise BroadcastInvalid("bad_datetime")
    return hour, minute


@dataclass(frozen=True, slots=True)
class DueDecision:
    """What to do with a scheduled broadcast found due: send the occurrence
    ``due_at`` or report it missed; then wait for ``next_due`` (None: finished)."""

    send: bool
    due_at: datetime
    next_due: datetime | None


def decide_due(
    next_due_at: datetime, recurrence: str | None, *, now: datetime, grace: timedelta, tz: tzinfo
) -> DueDecision:
    """A broadcast late by less than ``grace`` is sent; a later one is missed. A
    recurring one sends (or misses) only its latest occurrence, never several."""
    due = next_due_at
    next_due: datetime | None = None
    if recurrence:
        rule = Recurrence.parse(recurrence)
        due = max(due, rule.latest_at_or_before(now, tz))
        next_due = rule.next_after(max(now, due), tz)
    return DueDecision(send=now - due <= grace, due_at=due, next_due=next_due)
