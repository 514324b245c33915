"""One scheduler: due work lives in database rows; APScheduler only wakes us.

Every registered planner (:mod:`bot.delivery.registry`) runs at start-up and then
every ``PlannerSpec.every``, each run in its own unit of work with the injected
clock; it commits once, then the sender is woken. Nothing is persisted in
APScheduler's job store, so a restart never replays jobs: planners read the
database again. Scheduled broadcasts also get an exact wake-up at their due time
(``schedule``), so a broadcast set for 07:00 leaves at 07:00, not at the next sweep;
one that fell due while the bot was down is sent if late by less than the grace,
otherwise its author is told it was missed (see ``bot.services.broadcasts``).
Jobs run however late they are (``misfire_grace_time=None``): lateness is judged by
the planners. Several processes may plan at once: dedupe keys and conditional
updates let exactly one of them act.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from datetime import UTC, datetime
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.clock import SystemClock
from bot.delivery.contract import Clock, PlanContext
from bot.delivery.queue import enqueue, enqueue_many
from bot.delivery.registry import Registry
from storage.repo import Repo

log = logging.getLogger("villagebot.scheduler")

DUE_BROADCASTS = "broadcasts.due"


class Scheduler:
    def __init__(
        self,
        sessionmaker: Any,
        sender: Any,
        registry: Registry,
        *,
        settings: Any = None,
        clock: Clock | None = None,
        timezone: str = "Asia/Ho_Chi_Minh",
    ) -> None:
        self.sessionmaker = sessionmaker
        self.sender = sender
        self.registry = registry
        self.settings = settings
        self.clock = clock or SystemClock()
        self.timezone = timezone
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self._locks: dict[str, asyncio.Lock] = {}
        self._running: dict[asyncio.Future[None], asyncio.Task[Any] | None] = {}
        self._stopping = False

    async def start(self) -> None:
        self.scheduler.start()
        for spec in self.registry.planners.values():
            self.scheduler.add_job(
                self.run_planner,
                "interval",
                seconds=spec.every.total_seconds(),
                args=[spec.name],
                kwargs={"claim": True},
                id=f"planner-{spec.name}",
                coalesce=True,
                max_instances=1,
                misfire_grace_time=None,
            )
        for name in self.registry.planners:
            await self.run_planner(name)
        await self.sync_broadcasts()

    async def stop(self, grace: float = 10.0) -> None:
        """No new runs; the runs in flight finish their unit of work (bounded by
        ``grace``), so a shutdown never cancels a planner mid-transaction."""
        self._stopping = True  # new runs return at once
        if self._running:
            _done, late = await asyncio.wait(list(self._running), timeout=grace)
            for finished in late:
                task = self._running.get(finished)
                if task is not None and task is not asyncio.current_task():
                    log.warning("planner still running at shutdown; cancelled")
                    task.cancel()
        # Only then: APScheduler's shutdown cancels the jobs it is running, a planner
        # mid-transaction included (its connection's reset was cut, with a traceback).
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    async def run_planner(self, name: str, *, claim: bool = False) -> None:
        """Run one planner now in its own unit of work; then wake the sender.

        An interval tick (``claim``) runs only if no process of the installation ran
        this planner in the last half interval, so N workers do not plan N times;
        start-up runs and exact wake-ups always run (planners are idempotent)."""
        spec = self.registry.planners.get(name)
        if spec is None or self._stopping:
            return
        finished: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._running[finished] = asyncio.current_task()
        try:
            if not await self._plan(name, spec, claim=claim):
                return
        finally:
            del self._running[finished]
            finished.set_result(None)
        self.sender.wake()
        if name == DUE_BROADCASTS and not self._stopping:
            await self.sync_broadcasts()

    async def _plan(self, name: str, spec: Any, *, claim: bool) -> bool:
        lock = self._locks.setdefault(name, asyncio.Lock())
        async with lock:
            try:
                now = self.clock.now()
                if claim and not await self._claim(name, now, spec.every / 2):
                    return False  # another process ran it this interval
                async with self.sessionmaker() as session:
                    repo = Repo(session)
                    context = PlanContext(
                        repo=repo,
                        now=now,
                        timezone=self.timezone,
                        enqueue=functools.partial(enqueue, repo, tz=self.timezone),
                        settings=self.settings,
                        enqueue_many=functools.partial(enqueue_many, repo, tz=self.timezone),
                    )
                    await spec.planner(context)
                    await session.commit()
            except Exception:
                log.exception("planner %s failed", name)
                return False
            except asyncio.CancelledError:
                if not self._stopping:
                    raise
                log.warning("planner %s was cut short by the shutdown; its work was rolled back", name)
                return False
        return True

    async def _claim(self, name: str, now: Any, gap: Any) -> bool:
        """The interval's claim, committed at once in a short unit of work of its own:
        the planner's writes never hold the row (nor, on SQLite, the write lock) while it
        plans. A run that then fails leaves its interval unplanned; the next one plans."""
        async with self.sessionmaker() as session:
            won = await Repo(session).planner_runs.claim(name, now, gap)
            await session.commit()
            return won

    async def sync_broadcasts(self) -> None:
        """An exact wake-up for every scheduled broadcast (after a fire, a recurring
        one has moved to its next occurrence)."""
        async with self.sessionmaker() as session:
            scheduled = await Repo(session).broadcasts.scheduled()
        for broadcast in scheduled:
            assert broadcast.next_due_at is not None
            self.schedule(broadcast.id, broadcast.next_due_at)

    # The handlers' API for broadcasts (kept from the former BroadcastScheduler).

    def schedule(self, broadcast_id: int, when: datetime) -> None:
        """Wake at ``when`` (aware) for this broadcast; replaces an earlier wake-up."""
        self.scheduler.add_job(
            self.run_planner,
            "date",
            run_date=when,
            args=[DUE_BROADCASTS],
            id=f"broadcast-{broadcast_id}",
            replace_existing=True,
            coalesce=True,
            misfire_grace_time=None,
        )

    def unschedule(self, broadcast_id: int) -> None:
        job = self.scheduler.get_job(f"broadcast-{broadcast_id}")
        if job is not None:
            job.remove()
