"""Reminders keep their hours (issue 16): whatever makes a household due — an
assignment in chat, the balanced proposal, an import — a visit reminder reaches the
member only at 19:00 the evening before or 07:00 on the day (or up to two hours later
when the bot was stopped then), never at 20:17. And in a reminder listing several
households every button names its household. Time travel with the injected clock,
on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

import pytest

from bot.delivery.contract import Delivery, PlanContext, RenderContext
from bot.services.visits import delivery as vd
from bot.services.visits import service
from bot.services.visits.domain import REMINDER_GRACE
from bot.services.visits.importer import import_households, parse_rows
from storage.repo import Repo
from tests.storage.test_visits_planners import DAY, VN, FakeOutbox, World, render, vn, world

__all__ = ["world"]  # the fixture, shared with the planner tests

TZ = "Asia/Ho_Chi_Minh"
HOURS = {"evening": (time(19), time(21)), "morning": (time(7), time(9))}


class TimedOutbox(FakeOutbox):
    """Also remembers when each delivery was queued: the engine sends a row at
    ``max(not_before, queued)``."""

    def __init__(self) -> None:
        super().__init__()
        self.now: datetime | None = None
        self.queued_at: dict[str, datetime] = {}

    async def enqueue(self, delivery: Delivery) -> bool:
        added = await super().enqueue(delivery)
        if added:
            assert self.now is not None
            self.queued_at[delivery.dedupe_key] = self.now
        return added


async def _plan_for(repo: Repo, outbox: TimedOutbox, start: datetime, hours: int) -> None:
    now = start
    while now <= start + timedelta(hours=hours):
        outbox.now = now
        spec = next(s for s in vd.planners() if s.name == "visits.reminders")
        await spec.planner(PlanContext(repo=repo, now=now, timezone=TZ, enqueue=outbox.enqueue))
        await repo.session.flush()
        now += timedelta(minutes=15)


async def _sent(repo: Repo, outbox: TimedOutbox) -> list[tuple[datetime, str]]:
    """(local send time, slot) of every reminder the engine would send."""
    sent = []
    for key, delivery in outbox.rows.items():
        if delivery.kind != vd.REMINDER:
            continue
        at = max(delivery.not_before, outbox.queued_at[key])
        message = await render(repo, delivery, at)
        if message is not None:
            sent.append((at.astimezone(VN), delivery.payload["slot"]))
    return sent


def _in_hours(local: datetime, slot: str) -> bool:
    """A "tomorrow" reminder between 19:00 and 21:00, a "today" one between 07:00 and 09:00."""
    start, end = HOURS[slot]
    return start <= local.time() <= end


async def test_assigning_at_20_11_sends_no_today_reminder(repo: Repo, world: World) -> None:
    """The report: households assigned at 20:11, "Hôm nay (05/12) … có lịch thăm" at 20:17."""
    assigned = vn(DAY, 20, 11)
    outbox = TimedOutbox()
    for household_id in world.households.values():
        if household_id != world.households["T1"]:
            await service.assign(
                repo, world.secretary, household_id, world.member.member_id, today=DAY
            )
    await _plan_for(repo, outbox, assigned, hours=30)
    sent = await _sent(repo, outbox)
    # Due "today" but assigned after today's reminder hours: no "today" reminder at 20:17.
    assert [(at, slot) for at, slot in sent if not _in_hours(at, slot)] == []
    assert sent == []


@pytest.mark.parametrize("hour", [0, 6, 7, 8, 10, 19, 20, 23])
async def test_no_way_of_becoming_due_sends_out_of_hours(
    repo: Repo, world: World, hour: int
) -> None:
    """Whenever the proposal is accepted or the sheet imported, for a day and a half
    of planner runs every reminder sent falls in its hours."""
    now = vn(DAY, hour, 11)
    today = now.astimezone(VN).date()
    await service.apply_proposal(repo, world.secretary, world.village_id, today)
    rows = parse_rows(
        [["Mã hộ", "Chủ hộ", "Đảng viên phụ trách"], ["NEW-1", "Chủ hộ mới", "0912000002"]]
    )
    report = await import_households(repo, world.village_id, rows, skip_bad=True, today=today)
    assert report.written
    outbox = TimedOutbox()
    await _plan_for(repo, outbox, now, hours=36)
    sent = await _sent(repo, outbox)
    assert [(at, slot) for at, slot in sent if not _in_hours(at, slot)] == [], sent


async def test_reminder_rendered_past_its_hours_says_nothing(repo: Repo, world: World) -> None:
    """A row queued in time but sent late (the bot stopped at 06:50 and back at 20:17)
    is skipped, not delivered in the evening as "today"."""
    outbox = TimedOutbox()
    await service.assign(
        repo, world.secretary, world.households["H1"], world.member.member_id, today=DAY
    )
    await _plan_for(repo, outbox, vn(DAY, 6), hours=0)
    [morning] = [
        d
        for d in outbox.rows.values()
        if d.payload["slot"] == "morning" and d.payload["member_id"] == world.member.member_id
    ]
    assert await render(repo, morning, vn(DAY, 7) + REMINDER_GRACE) is not None
    assert await render(repo, morning, vn(DAY, 20, 17)) is None


async def test_every_button_of_a_several_household_reminder_names_it(
    repo: Repo, world: World
) -> None:
    h = world.households
    outbox = TimedOutbox()
    await _plan_for(repo, outbox, vn(DAY - timedelta(days=1), 18, 45), hours=0)  # nothing due
    for code in ("H1", "H2", "H3"):
        await repo.visits.ensure_plans(DAY + timedelta(days=200))
        plan = await repo.visits.plan(h[code])
        plan.due_on = DAY
    await repo.session.flush()
    await _plan_for(repo, outbox, vn(DAY - timedelta(days=1), 18, 45), hours=0)
    [evening] = [
        d for d in outbox.rows.values() if d.payload["member_id"] == world.member.member_id
    ]
    message = await render(repo, evening, vn(DAY - timedelta(days=1), 19))
    assert message is not None
    codes = {household_id: code for code, household_id in h.items()}
    buttons = [choice for row in message.choices for choice in row]
    assert len(buttons) == 9
    for choice in buttons:
        household_id = int(re.fullmatch(r"vis:\w+:(\d+)", choice.data).group(1))
        assert codes[household_id] in choice.label, choice.label
    for row in message.choices:  # a row never mixes two households
        assert len({re.fullmatch(r"vis:\w+:(\d+)", c.data).group(1) for c in row}) == 1


class _Sender:
    def wake(self) -> None:
        pass


async def test_time_travel_through_the_engine_with_the_injected_clock(
    repo: Repo,
    sessionmaker,
    world: World,  # type: ignore[no-untyped-def]
) -> None:
    """The real scheduler and outbox with a ManualClock (bot/clock.py): households
    assigned at 20:11; for the next day and a half every row the engine would send
    (at ``max(next_attempt_at, queued)``, rendered then) falls in the reminder hours,
    and the next morning's reminder does go out at 07:00."""
    from sqlalchemy import select

    from bot.clock import ManualClock
    from bot.delivery.registry import default_registry
    from bot.delivery.scheduler import Scheduler
    from storage.models import OutboxMessage

    for household_id in world.households.values():
        if household_id != world.households["T1"]:
            await service.assign(
                repo, world.secretary, household_id, world.member.member_id, today=DAY
            )
    for household_id in world.households.values():  # all due tomorrow, but assigned tonight
        plan = await repo.visits.plan(household_id)
        if plan is not None and household_id != world.households["H4"]:
            plan.due_on = DAY + timedelta(days=1)
    await repo.session.commit()
    clock = ManualClock(vn(DAY, 20, 11))
    registry = default_registry()
    scheduler = Scheduler(sessionmaker, _Sender(), registry, clock=clock, timezone=TZ)
    queued_at: dict[int, datetime] = {}
    end = clock.now() + timedelta(hours=36)
    while clock.now() <= end:
        await scheduler.run_planner("visits.reminders")
        async with sessionmaker() as session:
            ids = (await session.scalars(select(OutboxMessage.id))).all()
        for row_id in ids:
            queued_at.setdefault(row_id, clock.now())
        clock.advance(timedelta(minutes=15))
    async with sessionmaker() as session:
        rows = (
            await session.scalars(select(OutboxMessage).where(OutboxMessage.kind == vd.REMINDER))
        ).all()
        sent = []
        for row in rows:
            at = max(row.next_attempt_at, queued_at[row.id])
            renderer = registry.kinds[vd.REMINDER].renderer
            ctx = RenderContext(locale="en", repo=Repo(session), now=at, timezone=TZ, gettext=str)
            if await renderer(ctx, row.payload) is not None:
                sent.append((at.astimezone(VN), row.payload["slot"]))
    assert [(at, slot) for at, slot in sent if not _in_hours(at, slot)] == [], sent
    assert (vn(DAY + timedelta(days=1), 7).astimezone(VN), "morning") in sent
