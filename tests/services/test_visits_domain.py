"""Pure visit logic: cadences, overdue levels, reminder slots, typed dates, the
balanced assignment proposal."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.services.visits.domain import (
    Cadence,
    HouseholdForPlan,
    Overdue,
    add_months,
    default_cadence,
    next_due,
    overdue_level,
    parse_day,
    parse_past_day,
    propose_assignment,
    slots_to_plan,
)

TZ = "Asia/Ho_Chi_Minh"
TODAY = date(2026, 12, 2)


def test_default_cadence() -> None:
    assert default_cadence(poor=True, near_poor=False, policy=False) is Cadence.MONTHLY
    assert default_cadence(poor=False, near_poor=True, policy=False) is Cadence.MONTHLY
    assert default_cadence(poor=False, near_poor=False, policy=True) is Cadence.MONTHLY
    assert default_cadence(poor=False, near_poor=False, policy=False) is Cadence.QUARTERLY


def test_months_clamp_to_month_end() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert next_due(date(2026, 11, 30), Cadence.QUARTERLY) == date(2027, 2, 28)
    assert next_due(date(2026, 12, 15), Cadence.MONTHLY) == date(2027, 1, 15)


@pytest.mark.parametrize(
    ("late", "level"),
    [
        (-2, Overdue.NONE),
        (3, Overdue.NONE),
        (4, Overdue.MEMBER),
        (7, Overdue.MEMBER),
        (8, Overdue.SECRETARY),
    ],
)
def test_overdue_levels(late: int, level: Overdue) -> None:
    assert overdue_level(date.fromordinal(TODAY.toordinal() - late), TODAY) is level


def test_slots_in_local_time() -> None:
    vn = ZoneInfo(TZ)

    def at(hour: int) -> list[tuple[date, str, time]]:
        now = datetime.combine(TODAY, time(hour, 0), tzinfo=vn).astimezone(UTC)
        return [
            (s.due_on, s.slot, s.not_before.astimezone(vn).time()) for s in slots_to_plan(now, TZ)
        ]

    tomorrow = date(2026, 12, 3)
    # Today's morning slot (07:00) is past by more than two hours: never queued late
    # (issue 16: a household assigned at 20:11 got "today" at 20:17); future slots
    # two hours ahead.
    assert at(12) == []
    assert at(18) == [(tomorrow, "evening", time(19))]
    # 08:00: the morning slot is past but still within its two hours (a restart sends it).
    assert at(8) == [(TODAY, "morning", time(7))]
    # 05:30: the evening-before slot (19:00 yesterday) is long over; the morning one is ahead.
    assert at(5) == [(TODAY, "morning", time(7))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mai", date(2026, 12, 3)),
        ("Ngày mai", date(2026, 12, 3)),
        ("ngay kia", date(2026, 12, 4)),
        ("3 ngày nữa", date(2026, 12, 5)),
        ("25/12", date(2026, 12, 25)),
        ("5/1", date(2027, 1, 5)),  # already past this year: next year
        ("05/01/2027", date(2027, 1, 5)),
        ("7-12-26", date(2026, 12, 7)),
        ("31/02", None),
        # read by the shared timeparse.parse_when now: its words work here too
        ("mốt", date(2026, 12, 4)),
        ("Mai nhé!", date(2026, 12, 3)),
        ("thứ 7", date(2026, 12, 5)),  # TODAY is a Wednesday
        ("25.12", date(2026, 12, 25)),
        ("10 ngày tới", date(2026, 12, 12)),
        ("hôm nào đó", None),
        ("", None),
    ],
)
def test_parse_day(text: str, expected: date | None) -> None:
    assert parse_day(text, TODAY) == expected


def _village(n: int, clusters: int, priority_every: int) -> list[HouseholdForPlan]:
    return [
        HouseholdForPlan(i, f"Tổ {i * clusters // n + 1}", i % priority_every == 0, f"H{i:03d}")
        for i in range(n)
    ]


def test_proposal_loads_4_to_5_clusters_together_priority_spread() -> None:
    households = _village(45, 9, 3)  # 15 priority households, clusters of 5
    plan = propose_assignment(households, list(range(100, 110)))
    loads = Counter(plan.values())
    assert len(plan) == 45 and set(loads.values()) <= {4, 5}
    priority = Counter(plan[h.household_id] for h in households if h.priority)
    counts = [priority.get(member, 0) for member in loads]
    assert max(counts) - min(counts) <= 1
    clusters_per_member = Counter()
    for member in loads:
        clusters_per_member[member] = len(
            {h.cluster for h in households if plan[h.household_id] == member}
        )
    assert sum(clusters_per_member.values()) <= 2 * len(loads)  # mostly one cluster each


def test_proposal_uses_fewer_members_when_few_households() -> None:
    plan = propose_assignment(_village(10, 2, 4), list(range(1, 6)))
    assert sorted(Counter(plan.values()).values()) == [5, 5]
    assert propose_assignment([], [1]) == {} and propose_assignment(_village(3, 1, 2), []) == {}


def test_proposal_with_more_households_than_4_to_5_each_stays_balanced() -> None:
    plan = propose_assignment(_village(23, 3, 2), [1, 2, 3])
    assert sorted(Counter(plan.values()).values()) == [7, 8, 8]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5/11", date(2026, 11, 5)),  # last month, not next year
        ("2/12", TODAY),
        ("3/12", None),  # tomorrow: a visit cannot be reported ahead
        ("mai", None),
        ("05/01/2027", None),  # a typed year is kept
        ("29/02", None),
    ],
)
def test_parse_past_day(text: str, expected: date | None) -> None:
    assert parse_past_day(text, TODAY) == expected
