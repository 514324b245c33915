"""The scheduling parser: what people type, read back in words, and property tests."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.timeparse import describe, parse_when

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
# Wednesday 02/12/2026 10:15 in Vietnam.
NOW = datetime(2026, 12, 2, 10, 15, tzinfo=TZ).astimezone(UTC)


def at(y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=TZ)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3/12 7h30", at(2026, 12, 3, 7, 30)),
        ("7h30 ngày 3/12", at(2026, 12, 3, 7, 30)),
        ("7h30 ngay 3/12", at(2026, 12, 3, 7, 30)),
        ("mai 7h", at(2026, 12, 3, 7)),
        ("sáng mai 7 giờ", at(2026, 12, 3, 7)),
        ("sang mai 7 gio", at(2026, 12, 3, 7)),
        ("SÁNG MAI 7 GIỜ", at(2026, 12, 3, 7)),
        ("tối nay 19h", at(2026, 12, 2, 19)),
        ("toi nay 7h", at(2026, 12, 2, 19)),
        ("chiều mai 3 giờ rưỡi", at(2026, 12, 3, 15, 30)),
        ("thứ 7 này 19h", at(2026, 12, 5, 19)),
        ("thu 7 nay 19h", at(2026, 12, 5, 19)),
        ("thứ bảy 19h", at(2026, 12, 5, 19)),
        ("t7 19:00", at(2026, 12, 5, 19)),
        ("thứ 2 này 8h", at(2026, 12, 7, 8)),  # Monday already past this week: the coming one
        ("thứ 2 tuần sau 8h", at(2026, 12, 7, 8)),
        ("thứ 4 9h", at(2026, 12, 9, 9)),  # today is Wednesday but 9h has passed
        ("thứ 4 11h", at(2026, 12, 2, 11)),
        ("chủ nhật tuần sau 6h30", at(2026, 12, 13, 6, 30)),
        ("chu nhat tuan toi 6h30", at(2026, 12, 13, 6, 30)),
        ("chủ nhật 6h30", at(2026, 12, 6, 6, 30)),
        ("CN này 6h30", at(2026, 12, 6, 6, 30)),
        ("19:00 25/12", at(2026, 12, 25, 19)),
        ("25/12/2026 07:30", at(2026, 12, 25, 7, 30)),
        ("25/12/26 07:30", at(2026, 12, 25, 7, 30)),
        ("2/1 8h", at(2027, 1, 2, 8)),  # already past this year: next January
        ("lúc 8 giờ 15 phút ngày 5 tháng 1 năm 2027", at(2027, 1, 5, 8, 15)),
        ("2026-12-24 20:00", at(2026, 12, 24, 20)),
        ("16h", at(2026, 12, 2, 16)),
        ("9h", at(2026, 12, 3, 9)),
        ("tomorrow 7pm", at(2026, 12, 3, 19)),
        ("3/12, 7h30", at(2026, 12, 3, 7, 30)),
        ("đêm nay 11h", at(2026, 12, 2, 23)),
    ],
)
def test_what_people_type(text: str, expected: datetime) -> None:
    assert parse_when(text, NOW, TZ) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "mai",
        "sáng mai",
        "đường thôn cần đạt gì",
        "31/2 7h",
        "25/12 25h",
        "25/12 7h75",
        "mai 3/12 7h",
        "7h 8h",
        "sáng 19h",
        "thứ 8 7h",
        "7h30mai",
        "13/13 7h",
        "0/1 7h",
        "mai mai 7h",
        "hôm nay và mai 7h",
        "dd/mm/yyyy HH:mm",
    ],
)
def test_unreadable_is_none(text: str) -> None:
    assert parse_when(text, NOW, TZ) is None


def test_default_time_for_a_date_alone() -> None:
    assert parse_when("mai", NOW, TZ, default_time=time(8)) == at(2026, 12, 3, 8)
    assert parse_when("3/12", NOW, TZ, default_time=time(8)) == at(2026, 12, 3, 8)
    assert parse_when("sáng mai", NOW, TZ, default_time=time(8)) is None  # part without hour


def test_naive_now_is_a_bug() -> None:
    with pytest.raises(ValueError):
        parse_when("mai 7h", datetime(2026, 12, 2, 10, 0), TZ)  # noqa: DTZ001


def test_today_is_counted_in_vietnam_not_utc() -> None:
    late = datetime(2026, 12, 2, 18, 30, tzinfo=UTC)  # 01:30 on 03/12 in Vietnam
    assert parse_when("mai 7h", late, TZ) == at(2026, 12, 4, 7)


def test_describe_in_words() -> None:
    moment = at(2026, 12, 5, 19)
    assert describe(moment, "vi", TZ) == "Thứ Bảy, 05/12/2026 lúc 19:00"
    assert describe(moment, "en", TZ) == "Saturday, 05/12/2026 at 19:00"
    assert describe(moment.astimezone(UTC), "vi", TZ) == "Thứ Bảy, 05/12/2026 lúc 19:00"


moments = st.datetimes(
    min_value=datetime(2026, 12, 3),  # noqa: DTZ001 (hypothesis wants naive bounds)
    max_value=datetime(2099, 12, 31),  # noqa: DTZ001
    timezones=st.just(TZ),
).map(lambda d: d.replace(second=0, microsecond=0, fold=0))

SHAPES = [
    lambda d: d.strftime("%d/%m/%Y %H:%M"),
    lambda d: f"{d.day}/{d.month}/{d.year} {d.hour}h{d.minute:02d}",
    lambda d: f"{d.hour}h{d.minute:02d} ngày {d.day}/{d.month}/{d.year}",
    lambda d: f"{d.hour}:{d.minute:02d} {d.day}/{d.month}/{d.year}",
    lambda d: f"{d.hour} giờ {d.minute} phút ngày {d.day} tháng {d.month} năm {d.year}",
    lambda d: f"lúc {d.hour}:{d.minute:02d}, {d:%Y-%m-%d}",
]


@settings(max_examples=300, deadline=None)
@given(moment=moments, shape=st.sampled_from(SHAPES))
def test_any_moment_in_a_supported_shape_parses_back(moment: datetime, shape) -> None:  # type: ignore[no-untyped-def]
    assert parse_when(shape(moment), NOW, TZ) == moment


@settings(max_examples=200, deadline=None)
@given(moment=moments)
def test_dates_without_a_year_are_the_next_such_day(moment: datetime) -> None:
    parsed = parse_when(f"{moment.day}/{moment.month} {moment.hour}h{moment.minute:02d}", NOW, TZ)
    assert parsed is not None
    assert (parsed.day, parsed.month, parsed.hour, parsed.minute) == (
        moment.day,
        moment.month,
        moment.hour,
        moment.minute,
    )
    assert NOW - timedelta(days=1) < parsed < NOW + timedelta(days=366 * 5)


@settings(max_examples=500, deadline=None)
@given(text=st.text(max_size=80), now=st.datetimes(timezones=st.just(UTC)))
def test_arbitrary_text_never_crashes(text: str, now: datetime) -> None:
    result = parse_when(text, now, TZ)
    assert result is None or result.tzinfo is not None


@settings(max_examples=300, deadline=None)
@given(
    words=st.lists(
        st.sampled_from(
            [
                "mai",
                "nay",
                "tối",
                "sáng",
                "thứ 7",
                "chủ nhật",
                "tuần sau",
                "7h",
                "19:30",
                "3/12",
                "ngày",
                "lúc",
                "rưỡi",
                "giờ",
                "99h",
                "31/2",
                "2099",
                "pm",
            ]
        ),
        max_size=6,
    )
)
def test_word_salad_never_crashes(words: list[str]) -> None:
    result = parse_when(" ".join(words), NOW, TZ)
    assert result is None or result.tzinfo is not None
