"""Benchmark of visit reminder planning: ``python bench/bench_visits.py``.

Builds a roster of ``--households`` households (default 100,000) and ``--members``
party members (default 25,000, all with a linked account) in 1 village per 100
households, every household assigned and given a plan whose next visit falls on a
day spread over the next 90 days (cadences as in the villages: a third monthly).
Then it runs the visit planners against that database, with their real queries, for
a whole month of simulated time: the reminder planner every ``--tick`` minutes
(default 60; the engine runs it every 15), the overdue planner every hour, the need
planner every ``--tick`` minutes. Deliveries go to an in-memory outbox that refuses
a duplicate dedupe key, as the real one does. Nobody reports a visit: the worst case
for overdue notices.

Reported: the seed time, the total and per-run (p50/p99/max) planner time, deliveries
queued per kind, duplicates refused, and the peak memory of the process (ru_maxrss).
With ``--engine`` it measures the delivery engine instead: the real bot process
(``villagebot run``) against the sandbox with Telegram's limits, its clock moved with
``VILLAGEBOT_CLOCK_OFFSET`` (default roster 2,000 households, 500 members, every
household due the same day D):

1. *Restart*: the bot was down over 19:00 the evening before D and starts at 19:05:
   the time from launching the process to the first and the last reminder accepted
   by the sandbox (one per member).
2. *On time*: the bot is running at 06:59:30 on D (started then); the morning
   reminders are due at 07:00: each one's lateness is the time it was accepted
   minus 07:00 (p50, p99, max), bounded by the 30 messages/s budget.

Options: ``--households 20000 --members 5000 --days 30 --tick 60 --database-url URL``,
``--engine [--households 2000 --members 500]``.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select  # noqa: E402

from bot.delivery.contract import Delivery, PlanContext  # noqa: E402
from bot.services.visits import planners  # noqa: E402
from storage.db import create_engine, create_sessionmaker  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import (  # noqa: E402
    Branch,
    Commune,
    Household,
    HouseholdVisitPlan,
    Member,
    Province,
    User,
    Village,
    VisitAssignment,
)
from storage.repo import Repo  # noqa: E402
from storage.visits_repo import new_qr_token  # noqa: E402

TZ = "Asia/Ho_Chi_Minh"
START = datetime(2026, 3, 1, 0, 0, tzinfo=UTC)
CHUNK = 5000


class Outbox:
    def __init__(self) -> None:
        self.keys: set[str] = set()
        self.kinds: Counter[str] = Counter()
        self.refused = 0

    async def enqueue(self, delivery: Delivery) -> bool:
        if delivery.dedupe_key in self.keys:
            self.refused += 1
            return False
        self.keys.add(delivery.dedupe_key or "")
        self.kinds[delivery.kind] += 1
        return True


async def _bulk(session, model, rows) -> None:  # type: ignore[no-untyped-def]
    for start in range(0, len(rows), CHUNK):
        await session.execute(insert(model), rows[start : start + CHUNK])


async def seed(sessionmaker, households: int, members: int) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(10)
    villages = max(1, households // 100)
    per_village_members = max(1, members // villages)
    async with sessionmaker() as session:
        session.add(Province(id=1, name="Hà Tĩnh"))
        session.add(Commune(id=1, code="bench", name="Xã Thử", province_id=1))
        await session.flush()
        await _bulk(
            session,
            Village,
            [
                {"id": v + 1, "code": f"v{v}", "name": f"Thôn {v}", "commune_id": 1}
                for v in range(villages)
            ],
        )
        await _bulk(
            session,
            Branch,
            [{"id": v + 1, "village_id": v + 1, "name": f"Chi bộ {v}"} for v in range(villages)],
        )
        total_members = villages * per_village_members
        await _bulk(
            session,
            User,
            [
                {
                    "id": m + 1,
                    "platform": "telegram",
                    "platform_user_id": 10_000_000 + m,
                    "full_name": f"ĐV {m}",
                    "reachable": True,
                    "created_at": START,
                }
                for m in range(total_members)
            ],
        )
        await _bulk(
            session,
            Member,
            [
                {
                    "id": m + 1,
                    "branch_id": m // per_village_members + 1,
                    "name": f"Đảng viên {m}",
                    "phone": f"09{m:08d}",
                    "role": "secretary" if m % per_village_members == 0 else "member",
                    "user_id": m + 1,
                }
                for m in range(total_members)
            ],
        )
        rows, assignments, plans = [], [], []
        for h in range(households):
            village = h % villages
            flag = rng.random() < 0.33
            rows.append(
                {
                    "id": h + 1,
                    "village_id": village + 1,
                    "code": f"H{h}",
                    "head_name": f"Chủ hộ {h}",
                    "address": "",
                    "cluster": f"Tổ {h % 7}",
                    "poor": flag,
                    "near_poor": False,
                    "policy": False,
                }
            )
            assignments.append(
                {
                    "household_id": h + 1,
                    "member_id": village * per_village_members
                    + rng.randrange(per_village_members)
                    + 1,
                }
            )
            plans.append(
                {
                    "household_id": h + 1,
                    "qr_token": new_qr_token(),
                    "due_on": START.date() + timedelta(days=rng.randrange(90)),
                }
            )
        await _bulk(session, Household, rows)
        await _bulk(session, VisitAssignment, assignments)
        await _bulk(session, HouseholdVisitPlan, plans)
        await session.commit()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _bot_accepts(sandbox, since: float) -> list[float]:  # type: ignore[no-untyped-def]
    return sorted(
        c.time
        for c in sandbox.calls
        if c.method == "sendMessage" and c.status == 200 and c.time >= since
    )


async def engine_bench(households: int, members: int) -> int:
    """The restart → first reminder time and the lateness of reminders, with the engine."""
    from zoneinfo import ZoneInfo

    from sqlalchemy import update

    from bot.clock import OFFSET_ENV
    from bot.sandbox import Sandbox
    from tests.e2e.harness import BotProcess

    vn = ZoneInfo(TZ)
    workdir = Path(tempfile.mkdtemp(prefix="bench-visits-engine-"))
    url = f"sqlite+aiosqlite:///{workdir}/bench.db"
    engine = create_engine(url)
    await upgrade(engine)
    sessionmaker = create_sessionmaker(engine)
    await seed(sessionmaker, households, members)
    due = datetime.now(vn).date() + timedelta(days=2)
    async with sessionmaker() as session:
        await session.execute(update(HouseholdVisitPlan).values(due_on=due))
        users = (await session.execute(select(User.platform_user_id))).scalars().all()
        # One reminder per member with a household (a few members got none).
        expected = await session.scalar(
            select(func.count(func.distinct(VisitAssignment.member_id)))
        )
        await session.commit()
    await engine.dispose()

    sandbox = await Sandbox.start(limits=True, bot_username="villagebot")
    for pid in users:
        sandbox.user(pid, f"ĐV {pid}").started = True
    bot = BotProcess(sandbox, url, workdir)
    results: dict[str, str] = {}
    try:

        def at(local: datetime) -> str:
            return str((local - datetime.now(UTC)).total_seconds())

        # 1. Down over 19:00 the evening before; started at 19:05.
        evening = datetime.combine(due - timedelta(days=1), datetime.min.time(), tzinfo=vn)
        bot.extra_env[OFFSET_ENV] = at(evening + timedelta(hours=19, minutes=5))
        launched = time.time()
        await bot.start()
        await sandbox.wait_until(
            lambda: len(_bot_accepts(sandbox, launched)) >= expected, timeout=300, interval=0.2
        )
        sent = _bot_accepts(sandbox, launched)
        results["restart → first reminder"] = f"{sent[0] - launched:.2f} s"
        results[f"restart → last of {expected} reminders"] = f"{sent[-1] - launched:.2f} s"
        await bot.stop()

        # 2. Running at 06:59:30 on D: the 07:00 reminders, on time.
        morning = datetime.combine(due, datetime.min.time(), tzinfo=vn) + timedelta(hours=7)
        bot.extra_env[OFFSET_ENV] = at(morning - timedelta(seconds=30))
        offset = float(bot.extra_env[OFFSET_ENV])
        launched = time.time()
        await bot.start()
        await sandbox.wait_until(
            lambda: len(_bot_accepts(sandbox, launched)) >= expected, timeout=300, interval=0.2
        )
        due_at = morning.timestamp() - offset  # 07:00 on the bot's clock, in real time
        late = [t - due_at for t in _bot_accepts(sandbox, launched)]
        early = sum(1 for value in late if value < 0)
        results["morning reminders sent before 07:00"] = str(early)
        results["lateness p50 / p99 / max"] = (
            f"{statistics.median(late):.2f} / {percentile(late, 0.99):.2f} / {max(late):.2f} s"
        )
        results["429s from the sandbox"] = str(len(sandbox.rate_limited))
        await bot.stop()
    finally:
        await bot.stop()
        await sandbox.stop()
    print(f"engine: {households} households, {len(users)} members, SQLite, bot process + sandbox")
    for key, value in results.items():
        print(f"  {key}: {value}")
    print(f"run on: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    return 0


async def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--members", type=int, default=25_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument(
        "--tick", type=int, default=60, help="minutes between reminder planner runs"
    )
    parser.add_argument(
        "--database-url", default=None, help="an EMPTY database (default: a temporary SQLite file)"
    )
    parser.add_argument(
        "--engine", action="store_true", help="measure the engine: restart → first reminder, lateness"
    )
    args = parser.parse_args()
    if args.engine:
        households = 2000 if args.households == 100_000 else args.households
        members = 500 if args.members == 25_000 else args.members
        return await engine_bench(households, members)
    workdir = tempfile.mkdtemp(prefix="bench-visits-")
    url = args.database_url or f"sqlite+aiosqlite:///{workdir}/bench.db"
    engine = create_engine(url)
    await upgrade(engine)
    sessionmaker = create_sessionmaker(engine)
    began = time.perf_counter()
    await seed(sessionmaker, args.households, args.members)
    seeded = time.perf_counter() - began
    specs = {spec.name: spec.planner for spec in planners()}
    outbox = Outbox()
    timings: dict[str, list[float]] = {name: [] for name in specs}
    now = START
    end = START + timedelta(days=args.days)
    while now < end:
        due = ["visits.reminders", "visits.needs"]
        if now.minute == 0:
            due.append("visits.overdue")
            due.append("visits.monthly")
        for name in due:
            async with sessionmaker() as session:
                t0 = time.perf_counter()
                await specs[name](
                    PlanContext(repo=Repo(session), now=now, timezone=TZ, enqueue=outbox.enqueue)
                )
                await session.commit()
                timings[name].append(time.perf_counter() - t0)
        now += timedelta(minutes=args.tick)
    await engine.dispose()
    total = sum(sum(v) for v in timings.values())
    print(
        f"database: {engine.url.get_backend_name()}, {args.households} households, {args.members} members, "
        f"{args.days} days simulated, reminder planner every {args.tick} min"
    )
    print(f"seed: {seeded:.1f} s")
    print(f"planning {args.days} days: {total:.1f} s in total")
    for name, values in timings.items():
        if values:
            print(
                f"  {name}: {len(values)} runs, p50 {statistics.median(values) * 1000:.0f} ms, "
                f"p99 {percentile(values, 0.99) * 1000:.0f} ms, max {max(values) * 1000:.0f} ms"
            )
    print("deliveries queued: " + ", ".join(f"{k} {v}" for k, v in sorted(outbox.kinds.items())))
    print(f"duplicates refused by dedupe key: {outbox.refused}")
    print(
        f"peak memory (ru_maxrss): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )
    print(f"run on: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
