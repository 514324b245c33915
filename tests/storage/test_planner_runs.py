"""Issue 18: with several worker processes an interval planner fires once per interval
across the installation, not once per process (both stores)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from bot.delivery.contract import PlanContext, PlannerSpec
from bot.delivery.registry import Registry
from bot.delivery.scheduler import Scheduler
from storage.repo import Repo

T0 = datetime(2026, 12, 5, 0, 0, tzinfo=UTC)
GAP = timedelta(minutes=7, seconds=30)


async def test_one_claim_per_interval(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    async def claim(at: datetime) -> bool:
        async with sessionmaker() as session:
            won = await Repo(session).planner_runs.claim("visits.reminders", at, GAP)
            await session.commit()
            return won

    assert await claim(T0)
    assert not await claim(T0 + timedelta(minutes=3))  # a second process, same interval
    assert await claim(T0 + timedelta(minutes=15))
    async with sessionmaker() as session:  # each planner has its own row
        assert await Repo(session).planner_runs.claim("pledge.reminders", T0, GAP)


async def test_a_failed_run_leaves_the_interval_to_another_process(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    async with sessionmaker() as session:
        assert await Repo(session).planner_runs.claim("x", T0, GAP)
        await session.rollback()  # the planner failed: its claim goes with it
    async with sessionmaker() as session:
        assert await Repo(session).planner_runs.claim("x", T0 + timedelta(seconds=1), GAP)


class _Clock:
    def __init__(self, now: datetime) -> None:
        self.at = now

    def now(self) -> datetime:
        return self.at


class _Sender:
    def wake(self) -> None:
        pass


async def test_two_schedulers_plan_once_per_interval(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    """Two processes' schedulers on one database: their interval ticks, racing at the
    same moment, plan once; start-up runs (no claim) always plan."""
    runs: list[str] = []

    async def planner(context: PlanContext) -> None:
        runs.append("run")
        await asyncio.sleep(0.05)  # hold the claim's transaction a moment, as real planners do

    def scheduler() -> Scheduler:
        registry = Registry()
        registry.add_planner(PlannerSpec("p", planner, every=timedelta(minutes=15)))
        return Scheduler(sessionmaker, _Sender(), registry, clock=_Clock(T0))

    first, second = scheduler(), scheduler()
    await asyncio.gather(first.run_planner("p", claim=True), second.run_planner("p", claim=True))
    assert runs == ["run"]
    await first.run_planner("p")
    assert len(runs) == 2
    from storage.models import PlannerRun

    async with sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(PlannerRun)) == 1
