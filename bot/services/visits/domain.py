"""Pure visit logic: cadences and due days, overdue levels, reminder times, the
balanced assignment proposal and typed snooze dates. No I/O; ``today``/``now`` and
the time zone are always passed in."""

from __future__ import annotations

import calendar
import enum
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.services.timeparse import parse_when
from bot.services.vntext import fold


class Cadence(enum.StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"


CADENCE_MONTHS = {Cadence.MONTHLY: 1, Cadence.QUARTERLY: 3}

CHECKLIST = ("housing", "health", "schooling", "income", "insurance")
NEED_KINDS = ("repair", "livelihood", "health", "paperwork", "other")
NEED_STATES = ("open", "in_progress", "resolved")

EVENING = time(19, 0)  # the evening before the due day
MORNING = time(7, 0)  # the due day itself
NUDGE_AFTER_DAYS = 3  # more than this late: the member is nudged
ESCALATE_AFTER_DAYS = 7  # more than this late: the secretary is told
MAX_SNOOZE_DAYS = 60


def default_cadence(*, poor: bool, near_poor: bool, policy: bool) -> Cadence:
    """Monthly for poor, near-poor and policy households, quarterly for the others."""
    return Cadence.MONTHLY if poor or near_poor or policy else Cadence.QUARTERLY


def effective_cadence(
    override: str | None, *, poor: bool, near_poor: bool, policy: bool
) -> Cadence:
    if override in Cadence.__members__.values():
        return Cadence(override)
    return default_cadence(poor=poor, near_poor=near_poor, policy=policy)


def add_months(day: date, months: int) -> date:
    """``day`` moved ``months`` on, the day clamped to the month's length (31/01 → 28/02)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_due(visited_on: date, cadence: Cadence) -> date:
    return add_months(visited_on, CADENCE_MONTHS[cadence])


class Overdue(enum.IntEnum):
    NONE = 0
    MEMBER = 1  # > 3 days late: nudge the member
    SECRETARY = 2  # > 7 days late: tell the secretary


def days_late(due_on: date, today: date) -> int:
    return max(0, (today - due_on).days)


def overdue_level(due_on: date, today: date) -> Overdue:
    late = days_late(due_on, today)
    if late > ESCALATE_AFTER_DAYS:
        return Overdue.SECRETARY
    if late > NUDGE_AFTER_DAYS:
        return Overdue.MEMBER
    return Overdue.NONE


def local_today(now: datetime, tz: str) -> date:
    return now.astimezone(ZoneInfo(tz)).date()


def at_local(day: date, moment: time, tz: str) -> datetime:
    """``day`` at ``moment`` in ``tz``, as an aware UTC datetime."""
    return datetime.combine(day, moment, tzinfo=ZoneInfo(tz)).astimezone(UTC)


@dataclass(frozen=True, slots=True)
class ReminderSlot:
    due_on: date
    slot: str  # "evening" | "morning"
    not_before: datetime  # UTC


def reminder_slots(due_on: date, tz: str) -> tuple[ReminderSlot, ReminderSlot]:
    """The evening before at 19:00 and the morning of the day at 07:00, local time."""
    return (
        ReminderSlot(due_on, "evening", at_local(due_on - timedelta(days=1), EVENING, tz)),
        ReminderSlot(due_on, "morning", at_local(due_on, MORNING, tz)),
    )


def slots_to_plan(
    now: datetime, tz: str, *, horizon: timedelta = timedelta(hours=2)
) -> list[ReminderSlot]:
    """The reminder slots a planner run at ``now`` queues: those starting within
    ``horizon`` and not yet superseded. A slot already past (the bot was down) is
    still queued while it is the latest one for its day, so it goes out once after
    a restart; an evening reminder is dropped once that day's morning one is due."""
    today = local_today(now, tz)
    chosen = []
    for due_on in (today, today + timedelta(days=1), today + timedelta(days=2)):
        evening, morning = reminder_slots(due_on, tz)
        if morning.not_before <= now:
            if due_on == today:
                chosen.append(morning)
            continue
        if evening.not_before <= now + horizon:
            chosen.append(evening)
        if morning.not_before <= now + horizon:
            chosen.append(morning)
    return chosen


# --- snooze dates typed as people type them -------------------------------------------

_IN_DAYS = re.compile(r"^(\d{1,2})\s*ngay\s*(nua|toi)?$")
_POLITE = re.compile(r"[\s!.,]*\b(nhé|nhe|nha|nhá|nhen|ạ)?[\s!.,]*$", re.IGNORECASE)
_NOON = time(12, 0)


def parse_day(text: str, today: date) -> date | None:
    """A day typed in a chat: ``25/12``, ``25/12/2026``, ``25-12``, "mai", "ngày kia",
    "thứ 7", "3 ngày nữa", "mai nhé". A ``dd/mm`` already past this year means next
    year. None when not understood. Dates and words are read by the shared
    :func:`bot.services.timeparse.parse_when`; only "N ngày nữa" and a polite "nhé"
    at the end are handled here."""
    plain = _POLITE.sub("", text.strip())
    if (match := _IN_DAYS.match(fold(plain))) is not None:
        return today + timedelta(days=int(match.group(1)))
    moment = parse_when(plain, datetime.combine(today, _NOON, tzinfo=UTC), UTC, default_time=_NOON)
    return moment.date() if moment is not None else None


def parse_past_day(text: str, today: date) -> date | None:
    """A day already past (the day of a visit): ``5/11`` typed in December is last
    November, not next year's; None for a day still to come or not understood."""
    day = parse_day(text, today)
    typed_year = len(re.findall(r"\d+", text)) >= 3
    if day is not None and day > today and day.year > today.year and not typed_year:
        try:
            day = day.replace(year=day.year - 1)
        except ValueError:
            return None
    return day if day is not None and day <= today else None


def valid_snooze(day: date, today: date) -> bool:
    return today < day <= today + timedelta(days=MAX_SNOOZE_DAYS)


# --- the balanced assignment proposal ------------------------------------------------

MIN_LOAD, MAX_LOAD = 4, 5


@dataclass(frozen=True, slots=True)
class HouseholdForPlan:
    household_id: int
    cluster: str
    priority: bool  # poor, near-poor or policy
    code: str = ""


def propose_assignment(
    households: Sequence[HouseholdForPlan], member_ids: Sequence[int]
) -> dict[int, int]:
    """Households → members: loads as even as possible (4–5 each when the roster
    allows; with few households fewer members are used so nobody gets under 4 and
    nobody over 5 unnecessarily), neighbours in the same cluster together, and the
    poor, near-poor and policy households spread (counts differ by at most one)."""
    if not households or not member_ids:
        return {}
    total = len(households)
    used = len(member_ids)
    if total < MIN_LOAD * used:
        used = min(used, max(1, math.ceil(total / MAX_LOAD)))
    members = list(member_ids)[:used]
    base, extra = divmod(total, used)
    sizes = [base + (1 if index < extra else 0) for index in range(used)]
    ordered = sorted(households, key=lambda h: (h.cluster, h.code, h.household_id))
    groups: list[list[HouseholdForPlan]] = []
    start = 0
    for size in sizes:
        groups.append(ordered[start : start + size])
        start += size
    _spread_priority(groups)
    return {h.household_id: members[index] for index, group in enumerate(groups) for h in group}


def _spread_priority(groups: list[list[HouseholdForPlan]]) -> None:
    def count(group: list[HouseholdForPlan]) -> int:
        return sum(h.priority for h in group)

    while True:
        counts = [count(g) for g in groups]
        high = max(range(len(groups)), key=lambda i: counts[i])
        low = min(range(len(groups)), key=lambda i: counts[i])
        if counts[high] - counts[low] <= 1:
            return
        giver, taker = groups[high], groups[low]
        # Prefer moving a priority household whose cluster the taker already has.
        taker_clusters = Counter(h.cluster for h in taker)
        give = max((h for h in giver if h.priority), key=lambda h: taker_clusters[h.cluster])
        giver_clusters = Counter(h.cluster for h in giver)
        take = max((h for h in taker if not h.priority), key=lambda h: giver_clusters[h.cluster])
        giver[giver.index(give)] = take
        taker[taker.index(take)] = give
