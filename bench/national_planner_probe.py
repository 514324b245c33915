"""The visit-reminder planner alone at a national scale (issue 18):
``python bench/national_planner_probe.py 0.1 [--profile] [--monthly]``.

Seeds a database of its own as ``bench/bench_national.py`` does (dropped at the end), then
runs ``visits.reminders`` through the real scheduler at 05:00 (the morning slot's first
run: it queues every reminder), 05:15 and 05:30 (they find the slot planned), and prints
the wall and CPU time of each run and the rows queued. Nothing else runs in the process.
With ``--monthly``: ``visits.monthly`` instead, on 1 April at 09:00 (the first run of
the month: every branch's report and spreadsheet), 10:00 and 11:00 (month planned).
"""

from __future__ import annotations

import asyncio
import cProfile
import os
import pstats
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import bench_national as bn  # noqa: E402
import national_engine as ne  # noqa: E402
import national_seed as ns  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.ext.asyncio import create_async_engine  # noqa: E402

from bot.delivery.registry import default_registry  # noqa: E402
from bot.delivery.scheduler import Scheduler  # noqa: E402
from bot.multibot import Senders  # noqa: E402
from storage.db import create_sessionmaker  # noqa: E402
from storage.migrate import upgrade  # noqa: E402

VN = ZoneInfo(bn.TZ)


async def main(scale: float, profile: bool, monthly: bool = False) -> None:
    database = f"villagebot_national_{os.getpid()}"
    await bn._admin(f'CREATE DATABASE "{database}"')  # noqa: SLF001
    engine = create_async_engine(bn.ADMIN_URL.rsplit("/", 1)[0] + "/" + database, pool_size=4)
    try:
        await upgrade(engine)
        sessionmaker = create_sessionmaker(engine)
        start = datetime(2026, 3, 4, tzinfo=VN).astimezone(UTC)
        async with sessionmaker() as session:
            await ns.seed(session, ns.Shape.at(scale), start.astimezone(VN).date())
            await session.commit()
        async with engine.connect() as conn:
            await (await conn.execution_options(isolation_level="AUTOCOMMIT")).execute(text("ANALYZE"))
        clock = ne.SimClock(start)
        scheduler = Scheduler(sessionmaker, Senders([]), default_registry(), clock=clock, timezone=bn.TZ)
        planner = "visits.monthly" if monthly else "visits.reminders"
        runs = (
            [datetime(2026, 4, 1, hour, tzinfo=VN) for hour in (9, 10, 11)]
            if monthly
            else [datetime(2026, 3, 4, 5, minute, tzinfo=VN) for minute in (0, 15, 30)]
        )
        for at in runs:
            clock.jump(at.astimezone(UTC))
            profiler = cProfile.Profile() if profile and at == runs[0] else None
            wall, cpu = time.perf_counter(), time.process_time()
            if profiler:
                profiler.enable()
            await scheduler.run_planner(planner)
            if profiler:
                profiler.disable()
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
            print(f"{at:%d/%m %H:%M} wall {time.perf_counter() - wall:.2f} s, CPU here {time.process_time() - cpu:.2f} s")
        async with sessionmaker() as session:
            rows = await session.scalar(text("SELECT count(*) FROM outbox"))
            bots = await session.scalar(text("SELECT count(DISTINCT bot_key) FROM outbox"))
        print(f"scale {scale}: {rows} {'monthly reports' if monthly else 'reminders'} queued, through {bots} bots")
    finally:
        await engine.dispose()
        await bn._admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')  # noqa: SLF001


if __name__ == "__main__":
    if {"-h", "--help"} & set(sys.argv):
        print(__doc__)
        sys.exit(0)
    numbers = [arg for arg in sys.argv[1:] if not arg.startswith("--")]
    asyncio.run(main(float(numbers[0]) if numbers else 0.005, "--profile" in sys.argv, "--monthly" in sys.argv))
