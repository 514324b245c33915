"""Month and year ends as people say them ("cuối tháng 1"), for the campaign wizard's
last day (issue 16.4: it was refused)."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.services.timeparse import parse_when

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 12, 5, 8, 0, tzinfo=TZ)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cuối tháng 1", date(2027, 1, 31)),
        ("cuoi thang 2", date(2027, 2, 28)),
        ("cuối tháng 2/2028", date(2028, 2, 29)),
        ("cuối tháng 12", date(2026, 12, 31)),
        ("cuối tháng này", date(2026, 12, 31)),
        ("hết tháng", date(2026, 12, 31)),
        ("cuối năm", date(2026, 12, 31)),
        ("cuối năm 2027", date(2027, 12, 31)),
    ],
)
def test_month_and_year_ends(text: str, expected: date) -> None:
    moment = parse_when(text, NOW, TZ, default_time=time(12))
    assert moment is not None and moment.date() == expected


@pytest.mark.parametrize("text", ["cuối tháng 13", "cuối tháng 0", "cuối tháng 1 2/3"])
def test_impossible_month_ends_are_not_guessed(text: str) -> None:
    assert parse_when(text, NOW, TZ, default_time=time(12)) is None
