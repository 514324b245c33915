"""A shutdown lets a planner that is mid-run finish its unit of work (a CI run logged a
CancelledError traceback from a planner cancelled at the loop's end), and starts no new run."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from bot.delivery.contract import PlanContext, PlannerSpec
from bot.delivery.registry import Registry
from bot.delivery.scheduler import Scheduler


class _Session:
    def __init__(self, log: list[str]) -> None:
        self.log = log

    async def __aenter__(self) -> _Session:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.log.append("closed")

    async def commit(self) -> None:
        self.log.append("commit")


class _Sender:
    def wake(self) -> None:
        pass


def _scheduler(log: list[str], started: asyncio.Event, delay: float) -> Scheduler:
    async def slow(context: PlanContext) -> None:
        log.append("planning")
        started.set()
        await asyncio.sleep(delay)
        log.append("planned")

    registry = Registry()
    registry.add_planner(PlannerSpec("slow", slow, every=timedelta(hours=1)))
    return Scheduler(lambda: _Session(log), _Sender(), registry)


async def test_stop_waits_for_the_run_in_flight_and_starts_no_new_one() -> None:
    log: list[str] = []
    started = asyncio.Event()
    scheduler = _scheduler(log, started, 0.2)
    run: asyncio.Task[Any] = asyncio.create_task(scheduler.run_planner("slow"))  # as APScheduler does
    await started.wait()
    await scheduler.stop(grace=5)
    assert run.done() and not run.cancelled()
    assert log == ["planning", "planned", "commit", "closed"]
    await scheduler.run_planner("slow")  # after stop: nothing runs
    assert log.count("planning") == 1


async def test_stop_cancels_only_what_outlives_the_grace() -> None:
    log: list[str] = []
    started = asyncio.Event()
    scheduler = _scheduler(log, started, 60)
    run: asyncio.Task[Any] = asyncio.create_task(scheduler.run_planner("slow"))
    await started.wait()
    await scheduler.stop(grace=0.1)
    await asyncio.sleep(0)
    assert run.cancelled() or run.done()
    assert "commit" not in log


async def test_a_run_started_by_apscheduler_also_finishes_its_unit_of_work() -> None:
    """APScheduler's own shutdown cancels the jobs it is running: it must come after the
    runs in flight have finished (a CI run logged a pool reset cut short, with a traceback)."""
    log: list[str] = []
    started = asyncio.Event()
    scheduler = _scheduler(log, started, 0.2)
    scheduler.scheduler.start()
    scheduler.scheduler.add_job(scheduler.run_planner, "date", args=["slow"])  # now, as an interval tick
    await asyncio.wait_for(started.wait(), 10)
    await scheduler.stop(grace=5)
    assert log == ["planning", "planned", "commit", "closed"]
