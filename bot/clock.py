"""The one place time is read. Everything that needs "now" takes a :class:`Clock`
(``bot.delivery.contract.Clock``) so tests can move time instead of sleeping."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

#: Test-only: seconds added to the real time by :class:`SystemClock` when this
#: environment variable is set (end-to-end tests start the bot process "tomorrow
#: evening" to see its reminders). Never set it in production.
OFFSET_ENV = "VILLAGEBOT_CLOCK_OFFSET"


def _offset_from_env() -> timedelta:
    raw = os.environ.get(OFFSET_ENV)
    return timedelta(seconds=float(raw)) if raw else timedelta(0)


class SystemClock:
    """The real time, aware, in UTC (moved by ``VILLAGEBOT_CLOCK_OFFSET`` only when set)."""

    def __init__(self) -> None:
        self.offset = _offset_from_env()

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset


def now() -> datetime:
    """The process's "now" for handlers that have no clock injected."""
    return _SYSTEM.now()


_SYSTEM = SystemClock()


class ManualClock:
    """A clock that only moves when told to (tests, benches, replays)."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("a clock's time is aware")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def set(self, when: datetime) -> None:
        if when.tzinfo is None:
            raise ValueError("a clock's time is aware")
        self._now = when.astimezone(UTC)

    def advance(self, delta: timedelta) -> datetime:
        self._now += delta
        return self._now
