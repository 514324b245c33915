"""Quiet hours: pure time logic with the time zone passed in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.delivery.contract import QuietHours

DEFAULT_TZ = "Asia/Ho_Chi_Minh"


def in_quiet_hours(when: datetime, quiet: QuietHours, tz: str = DEFAULT_TZ) -> bool:
    local = when.astimezone(ZoneInfo(tz)).time()
    if quiet.start <= quiet.end:  # e.g. 12:00–13:30
        return quiet.start <= local < quiet.end
    return local >= quiet.start or local < quiet.end  # across midnight, e.g. 21:00–06:30


def after_quiet_hours(when: datetime, quiet: QuietHours | None, tz: str = DEFAULT_TZ) -> datetime:
    """``when`` itself, or the end of the quiet hours it falls in (aware, UTC)."""
    if when.tzinfo is None:
        raise ValueError("not_before must be aware")
    if quiet is None or not in_quiet_hours(when, quiet, tz):
        return when.astimezone(UTC)
    zone = ZoneInfo(tz)
    local = when.astimezone(zone)
    end = datetime.combine(local.date(), quiet.end, tzinfo=zone)
    if end <= local:
        end = datetime.combine(local.date() + timedelta(days=1), quiet.end, tzinfo=zone)
    return end.astimezone(UTC)
