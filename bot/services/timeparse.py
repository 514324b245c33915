"""Dates and times as people type them in Vietnamese, and read back in words.

Pure functions with an injected ``now`` and time zone (no aiogram, no clock): a
secretary scheduling an announcement and a member postponing a household visit both
type things like "3/12 7h30", "7h30 ngày 3/12", "sáng mai 7 giờ", "tối nay 19h",
"thứ 7 này 19h", "chủ nhật tuần sau 6h30", "19:00 25/12" or the old
"25/12/2026 07:30", with or without diacritics.

The text is read left to right as a sequence of known pieces (a date, a time, a part of
the day, a relative day, a weekday, filler words such as "ngày" or "lúc"); anything
unknown, or the same kind of piece twice, and the answer is ``None`` rather than a guess.
A result may lie in the past: the caller decides whether that is allowed.
"""

from __future__ import annotations

import functools
import gettext as gettext_module
import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import Path

from babel.dates import format_date

__all__ = ["describe", "normalize", "parse_when"]

_LOCALES_DIR = Path(__file__).resolve().parent.parent.parent / "locales"

_WEEKDAY_WORDS = {"hai": 0, "ba": 1, "tu": 2, "nam": 3, "sau": 4, "bay": 5}


def normalize(text: str) -> str:
    """Lower case, no diacritics (đ → d), single spaces."""
    text = unicodedata.normalize("NFD", text.lower().replace("đ", "d").replace("Đ", "d"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.split())


@dataclass
class _Pieces:
    day: tuple[int, int, int | None] | None = None  # (day, month, year or None)
    relative: int | None = None  # days from today
    weekday: tuple[int, str] | None = None  # (0 = Monday, "this" | "next" | "coming")
    hour: int | None = None
    minute: int = 0
    meridiem: str | None = None  # "am" | "pm"
    part: str | None = None  # sang, trua, chieu, toi, dem

    def dates(self) -> int:
        return sum(x is not None for x in (self.day, self.relative, self.weekday))


_SEP = re.compile(r"(?:\s*,\s*|\s+|$)")
_NOT_WORD = r"(?![a-z0-9])"

# Ordered: longer and more specific pieces first (``tuan toi`` before ``toi``).
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (kind, re.compile(pattern))
    for kind, pattern in (
        ("iso", r"(\d{4})-(\d{1,2})-(\d{1,2})" + _NOT_WORD),
        # "cuối tháng 1", "cuối tháng 1/2027", "cuối tháng này", "hết tháng", "cuối năm"
        ("month_end", r"(?:cuoi|het) thang(?:\s+(\d{1,2})(?:\s*(?:/|nam)\s*(\d{4}))?|\s+nay)?" + _NOT_WORD),
        ("year_end", r"(?:cuoi|het) nam(?:\s+(\d{4})|\s+nay)?" + _NOT_WORD),
        ("dmy", r"(\d{1,2})\s*[/.-]\s*(\d{1,2})(?:\s*[/.-]\s*(\d{4}|\d{2}))?(?![0-9/.:-])"),
        ("dmy_words", r"(\d{1,2}) thang (\d{1,2})(?: nam (\d{4}))?" + _NOT_WORD),
        (
            "weekday",
            r"(?:thu|t)\s*([2-7]|hai|ba|tu|nam|sau|bay)(?:\s+(tuan nay|tuan sau|tuan toi|nay))?"
            + _NOT_WORD,
        ),
        ("sunday", r"(?:chu nhat|cn)(?:\s+(tuan nay|tuan sau|tuan toi|nay))?" + _NOT_WORD),
        ("clock", r"(\d{1,2}):(\d{2})(?::\d{2})?(?:\s*(am|pm))?" + _NOT_WORD),
        (
            "hours",
            r"(\d{1,2})\s*(?:gio|h|g)(?:\s*(\d{1,2})|\s*(ruoi))?(?:\s*(?:phut|ph|p))?" + _NOT_WORD,
        ),
        ("ampm", r"(\d{1,2})\s*(am|pm)" + _NOT_WORD),
        (
            "relative",
            r"(hom nay|ngay mai|ngay kia|ngay mot|today|tomorrow|nay|mai|mot|kia)" + _NOT_WORD,
        ),
        ("part", r"(sang|trua|chieu|toi|dem|khuya|morning|afternoon|evening|tonight)" + _NOT_WORD),
        ("filler", r"(?:vao luc|vao|luc|ngay|hom|at|on|the)" + _NOT_WORD),
    )
]

_RELATIVE = {
    "hom nay": 0,
    "nay": 0,
    "today": 0,
    "ngay mai": 1,
    "mai": 1,
    "tomorrow": 1,
    "ngay kia": 2,
    "ngay mot": 2,
    "mot": 2,
    "kia": 2,
}
_PART_ALIASES = {"morning": "sang", "afternoon": "chieu", "evening": "toi", "khuya": "dem"}
_WEEK_MODIFIER = {
    None: "coming",
    "nay": "this",
    "tuan nay": "this",
    "tuan sau": "next",
    "tuan toi": "next",
}


def _set(pieces: _Pieces, field: str, value: object) -> bool:
    if getattr(pieces, field) is not None:
        return False
    setattr(pieces, field, value)
    return True


def _read(text: str) -> _Pieces | None:
    pieces = _Pieces()
    pos = 0
    while pos < len(text):
        found = next(
            (
                (kind, m)
                for kind, pattern in _PATTERNS
                if (m := pattern.match(text, pos)) is not None
            ),
            None,
        )
        if found is None:
            return None
        kind, match = found
        groups = match.groups()
        ok = True
        if kind == "iso":
            ok = _set(pieces, "day", (int(groups[2]), int(groups[1]), int(groups[0])))
        elif kind == "month_end":  # day -1: the month's last day
            month = int(groups[0]) if groups[0] else None
            ok = (month is None or 1 <= month <= 12) and _set(
                pieces, "day", (-1, month or 0, int(groups[1]) if groups[1] else None)
            )
        elif kind == "year_end":
            ok = _set(pieces, "day", (31, 12, int(groups[0]) if groups[0] else None))
        elif kind in ("dmy", "dmy_words"):
            year = groups[2]
            full_year = None if year is None else int(year) + (2000 if len(year) == 2 else 0)
            ok = _set(pieces, "day", (int(groups[0]), int(groups[1]), full_year))
        elif kind == "weekday":
            word = groups[0]
            weekday = int(word) - 2 if word.isdigit() else _WEEKDAY_WORDS[word]
            ok = _set(pieces, "weekday", (weekday, _WEEK_MODIFIER[groups[1]]))
        elif kind == "sunday":
            ok = _set(pieces, "weekday", (6, _WEEK_MODIFIER[groups[0]]))
        elif kind == "clock":
            ok = _set(pieces, "hour", int(groups[0]))
            pieces.minute = int(groups[1])
            pieces.meridiem = groups[2]
        elif kind == "hours":
            ok = _set(pieces, "hour", int(groups[0]))
            pieces.minute = 30 if groups[2] else int(groups[1] or 0)
        elif kind == "ampm":
            ok = _set(pieces, "hour", int(groups[0]))
            pieces.meridiem = groups[1]
        elif kind == "relative":
            ok = _set(pieces, "relative", _RELATIVE[groups[0]])
        elif kind == "part":
            word = groups[0]
            if word == "tonight":
                ok = _set(pieces, "relative", 0)
                word = "toi"
            ok = ok and _set(pieces, "part", _PART_ALIASES.get(word, word))
        if not ok:
            return None
        pos = match.end()
        sep = _SEP.match(text, pos)
        if sep is None:
            return None  # pieces must be separated ("7h30mai" is not read)
        pos = sep.end()
    return pieces


def _hour_24(pieces: _Pieces) -> int | None:
    hour = pieces.hour
    if hour is None or not 0 <= hour <= 23 or not 0 <= pieces.minute <= 59:
        return None
    if pieces.meridiem is not None:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if pieces.meridiem == "pm" else 0)
    part = pieces.part
    if part == "sang" and hour >= 12:
        return None
    if part in ("chieu", "toi") and 1 <= hour < 12:
        hour += 12
    elif part == "trua" and 1 <= hour <= 5:
        hour += 12
    elif part == "dem" and 6 <= hour < 12:
        hour += 12
    return hour


def _date_for(pieces: _Pieces, today: date, at: time, now_local: datetime) -> date | None:
    if pieces.day is not None:
        day, month, year = pieces.day
        if day == -1:
            return _month_end(month or today.month, year, today)
        try:
            if year is not None:
                return date(year, month, day)
            candidate = date(today.year, month, day) if _valid(today.year, month, day) else None
            if candidate is None or candidate < today:
                # 29/2 or a day already past this year: the next time it comes.
                for later in range(today.year + 1, today.year + 9):
                    if _valid(later, month, day):
                        return date(later, month, day)
                return None
            return candidate
        except ValueError:
            return None
    if pieces.relative is not None:
        return today + timedelta(days=pieces.relative)
    if pieces.weekday is not None:
        weekday, which = pieces.weekday
        monday = today - timedelta(days=today.weekday())
        if which == "next":
            return monday + timedelta(days=7 + weekday)
        if which == "this":
            candidate = monday + timedelta(days=weekday)
            return candidate if candidate >= today else candidate + timedelta(days=7)
        ahead = (weekday - today.weekday()) % 7
        if ahead == 0 and at <= now_local.time().replace(tzinfo=None):
            ahead = 7
        return today + timedelta(days=ahead)
    # A time alone: its next occurrence.
    return today if at > now_local.time().replace(tzinfo=None) else today + timedelta(days=1)


def _month_end(month: int, year: int | None, today: date) -> date:
    """The last day of ``month`` (of ``year``, else its next end from today on)."""

    def last(y: int) -> date:
        return date(y + month // 12, month % 12 + 1, 1) - timedelta(days=1)

    if year is not None:
        return last(year)
    return last(today.year) if last(today.year) >= today else last(today.year + 1)


def _valid(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def parse_when(
    text: str, now: datetime, tz: tzinfo, *, default_time: time | None = None
) -> datetime | None:
    """What ``text`` means as an aware datetime in ``tz``, or ``None`` if it cannot be read.

    ``now`` must be aware; words like "mai" and "thứ 7 này" count from its date in ``tz``.
    Without a time in the text, ``default_time`` is used if given, else ``None`` is returned.
    """
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    if not isinstance(text, str) or len(text) > 200:
        return None
    normalized = normalize(text).strip(" .,;")
    if not normalized:
        return None
    pieces = _read(normalized)
    if pieces is None or pieces.dates() > 1:
        return None
    if pieces.hour is None:
        if default_time is None or pieces.part is not None:
            return None
        at = default_time.replace(tzinfo=None)
    else:
        hour = _hour_24(pieces)
        if hour is None:
            return None
        at = time(hour, pieces.minute)
    now_local = now.astimezone(tz)
    day = _date_for(pieces, now_local.date(), at, now_local)
    if day is None or not 1 <= day.year <= 9998:
        return None
    return datetime.combine(day, at, tzinfo=tz)


@functools.cache
def _catalog(locale: str) -> gettext_module.NullTranslations:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    po_path = _LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not po_path.exists():
        return gettext_module.NullTranslations()
    with po_path.open("rb") as fp:
        catalog = read_po(fp, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext_module.GNUTranslations(buffer)


def _(message: str, locale: str) -> str:
    """gettext for an explicit locale (this module runs outside any update's i18n context)."""
    return _catalog(locale).gettext(message)


def describe(moment: datetime, locale: str, tz: tzinfo) -> str:
    """``moment`` in words for a confirmation: "Thứ Bảy, 05/12/2026 lúc 19:00"."""
    local = moment.astimezone(tz)
    weekday = format_date(local.date(), "EEEE", locale=locale)
    weekday = weekday[:1].upper() + weekday[1:]
    return _("{weekday}, {date} at {time}", locale).format(
        weekday=weekday, date=local.strftime("%d/%m/%Y"), time=local.strftime("%H:%M")
    )
