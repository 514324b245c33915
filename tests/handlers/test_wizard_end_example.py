"""The campaign wizard's example last day is always ahead (issue 16, item 4: it read
30/06/2026 when that day had passed), and both of its forms are understood by the
step that reads the answer, whatever the day the wizard runs."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from handlers.contributions.wizard import end_example, parse_end

TZ = "Asia/Ho_Chi_Minh"


def test_the_example_is_ahead_and_read_back_on_every_day_of_two_years() -> None:
    day = date(2026, 1, 1)
    while day < date(2028, 1, 1):
        now = datetime.combine(day, time(9), ZoneInfo(TZ))
        typed, words = end_example(day)
        for example in (typed, words):
            read = parse_end(example, now, TZ)
            assert read is not None and read > day, f"{day}: {example!r} read as {read}"
        day += timedelta(days=1)
