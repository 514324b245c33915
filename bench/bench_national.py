"""National simulation (issue 18): ``python bench/bench_national.py --scale 0.005``.

34 provinces, one bot token each; at ``--scale 1.0`` 60,000 villages, 5 M party members
(each with a linked account) and 25 M households, bulk-loaded into a database of its own
(``villagebot_national_<pid>``, dropped at the end unless ``--keep``) with generate_series
(``bench/national_seed.py``). Then a month of simulated time, from 4 March 2026 00:00
(Hà Nội time) to 3 April 09:00 (so March's monthly report goes out on 1 April), in 15-minute ticks:

* every registered planner (``bot.delivery.registry``) runs through the real
  ``Scheduler.run_planner`` with the simulated clock, each as often as its ``every``
  allows (planners of less than 15 minutes run once a tick);
* at noon each day residents' visits are simulated in SQL: ``--visit-share`` % of the
  households due or late are visited (their plan moves one cadence on), 1 visit in 50
  raises a need;
* at 03:00 the upkeep removes finished outbox rows older than 7 days, as the runtime does;
* for the first ``--engine-days`` days the real delivery engine sends: one real ``Sender``
  per province on the runtime's lanes (``bot.multibot``: each province's communes name its
  bot, its rows carry that ``bot_key``, its sender claims only them; its own ``SendBudget``
  = that token's 30/s; all senders share the process's heartbeat identity) against a fake Bot API
  per token that answers at once and refuses the 31st message in any second. After each
  tick the bench waits until everything due has left. The clock runs at the real pace
  while the engine sends, so the lateness of the 07:00 reminders is real seconds;
* for the other days each tick's due rows are marked sent by one UPDATE (an engine with
  no cost), so the tables hold what a month leaves behind without a month of sending;
  on those days only the ``visits.*`` planners run (the others have no rows to read:
  no campaign, consultation, broadcast or question is loaded; their cost per run is
  measured on the engine days), and those only at the hours they can find something new
  (``FAST_RUNS``).

Reports: seed time and rows; planner time per run; messages per token and in total
during the 07:00 bursts and the engine days; the lateness of the 07:00 reminders
(p50/p99/max); 429s; CPU seconds per message in this process and in PostgreSQL; table
sizes after the month; and the full-scale extrapolation (printed with its formula).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import resource
import statistics
import sys
import time
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import national_engine as ne  # noqa: E402
import national_seed as ns  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.ext.asyncio import create_async_engine  # noqa: E402

from bot.delivery.budget import SendBudget  # noqa: E402
from bot.delivery.identity import SenderIdentity  # noqa: E402
from bot.delivery.registry import default_registry  # noqa: E402
from bot.delivery.scheduler import Scheduler  # noqa: E402
from bot.delivery.sender import Sender  # noqa: E402
from bot.i18n import create_i18n  # noqa: E402
from bot.multibot import Senders, outbox_lanes  # noqa: E402
from storage.db import create_engine, create_sessionmaker  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.upkeep import prune  # noqa: E402

TZ = "Asia/Ho_Chi_Minh"
VN = ZoneInfo(TZ)
TICK = timedelta(minutes=15)
ADMIN_URL = os.environ.get("NATIONAL_PG_ADMIN", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
# On the fast days (no engine) a planner runs only at the hours when it can find something
# new in this simulation; on the engine days each runs as often as its ``every`` allows.
# The reminder planner: when a slot enters its 2-hour horizon (its later runs re-offer the
# same rows, refused by their dedupe key); the overdue planner: at 06:00 (nudges are per
# day; nothing becomes late during a day); the needs planner: at 13:00 (needs are raised
# by the noon visits); the monthly report: hourly until 07:00 (it acts on days 1–3 only).
FAST_RUNS = {
    "visits.reminders": {(5, 0), (17, 0)},
    "visits.overdue": {(6, 0)},
    "visits.needs": {(13, 0)},
    "visits.monthly": {(h, 0) for h in range(8)},
}
RETENTION = timedelta(days=7)  # bot/app.py PROCESSED_UPDATES_KEPT
LATENESS = text(
    "SELECT user_id, extract(epoch FROM call_started_at - :at) FROM outbox "
    "WHERE kind = 'visit.reminder' AND status = 'sent' AND payload->>'slot' = 'morning' "
    "AND payload->>'due_on' = :day AND bot_key = ANY(CAST(:keys AS text[]))"
)
# The rows of the provinces whose senders run in other processes (``--engine-provinces``):
# marked sent as they fall due, as the instant days do, so this process sends only its own.
OTHERS = text(
    "UPDATE outbox SET status = 'sent', attempts = attempts + 1, claimed_at = :now, "
    "call_started_at = greatest(next_attempt_at, :queued), sent_at = greatest(next_attempt_at, :queued), "
    "message_id = id WHERE status IN ('pending', 'retrying') AND next_attempt_at <= :now "
    "AND NOT (bot_key = ANY(CAST(:keys AS text[])))"
)


class Problems(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.counts: Counter[str] = Counter()
        self.first: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.counts[record.levelname] += 1
        if len(self.first) < 5:
            self.first.append(f"{record.levelname} {record.name}: {record.getMessage()[:200]}")


async def _admin(sql: str) -> None:
    admin = create_engine(ADMIN_URL)
    async with admin.connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text(sql))
    await admin.dispose()


async def run(args: argparse.Namespace) -> dict[str, object]:  # noqa: C901, PLR0915
    shape = ns.Shape.at(args.scale, args.provinces)
    await _admin(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
    await _admin(f'CREATE DATABASE "{args.database}"')
    url = ADMIN_URL.rsplit("/", 1)[0] + "/" + args.database
    # The runtime's pool (storage/db.py: 16 + 8, 10 s timeout) is sized for one sender; with
    # 34 senders of 40 rows in flight each, claims, deliveries and heartbeats failed with
    # QueuePool timeouts. Same size here, a longer timeout, fewer rows in flight per sender.
    engine = create_async_engine(url, pool_pre_ping=True, pool_size=16, max_overflow=8, pool_timeout=300)
    problems = Problems()
    logging.getLogger().addHandler(problems)
    out: dict[str, object] = {"shape": shape}
    try:
        await upgrade(engine)
        sessionmaker = create_sessionmaker(engine)
        # A typical day first (after the 1st–3rd, when February's report would still go
        # out); the simulated month ends with 1 April's monthly report.
        start = datetime.combine(args.start, datetime.min.time(), tzinfo=VN).astimezone(UTC)
        began = time.perf_counter()
        async with sessionmaker() as session:
            await ns.seed(session, shape, start.astimezone(VN).date())
            await session.commit()
        async with engine.connect() as conn:
            await (await conn.execution_options(isolation_level="AUTOCOMMIT")).execute(text("ANALYZE"))
        out["seed_s"] = time.perf_counter() - began
        async with sessionmaker() as session:
            provinces = await ns.province_users(session)
        print(f"seeded {shape} in {out['seed_s']:.1f} s", flush=True)

        registry = default_registry()
        i18n = create_i18n("vi")
        clock = ne.SimClock(start)
        apis, senders = [], []
        # This process's provinces (``--engine-provinces``: the first N; the others' rows are
        # marked sent as they fall due, as if other processes sent them).
        mine = dict(sorted(provinces.items())[: args.engine_provinces or len(provinces)])
        keys = [ns.bot_key(province) for province in mine]
        out["engine_provinces"] = len(mine)
        lanes = outbox_lanes(keys)  # BOT_TOKENS' order
        shared = SenderIdentity(f"national-{os.getpid()}")  # the process's, as bot/multibot.py gives it
        for lane, (province, (lo, hi)) in zip(lanes, mine.items(), strict=True):
            api = ne.FakeApi(province, (ns.USER_BASE + lo - 1, ns.USER_BASE + hi - 1))
            sender = Sender(api, sessionmaker, SendBudget(), i18n, registry, clock=clock, timezone=TZ,
                            default_locale="vi", concurrency=args.sender_concurrency,
                            identity=None if args.sender_ids else shared)
            sender.lane = lane
            api.before_call = sender.take_slot
            apis.append(api)
            senders.append(sender)
        scheduler = Scheduler(sessionmaker, Senders(senders), registry, clock=clock, timezone=TZ)
        for sender in senders:
            await sender.start()
        server = ne.ServerCpu(sessionmaker, args.database)
        server.start()
        await server.sample()
        cpu0, server0 = time.process_time(), server.total()
        engine_wall = 0.0
        planner_times: dict[str, list[float]] = defaultdict(list)
        planner_cpu = 0.0
        bursts: list[dict[str, object]] = []
        daily_sent: Counter[int] = Counter()
        visited = 0
        last_run: dict[str, datetime] = {}
        engine_on = True
        engine_sent = 0
        for i in range(args.hours * 4 if args.hours else args.days * 96 + 36):  # to 09:00 after the last day
            t = start + i * TICK
            local = t.astimezone(VN)
            day = i // 96
            if engine_on and (day >= args.engine_days or (args.engine_hours and i >= args.engine_hours * 4)):
                for sender in senders:
                    await sender.stop()
                engine_on = False
                await server.stop()
                out["engine_cpu_s"] = time.process_time() - cpu0
                out["engine_server_cpu_s"] = server.total() - server0
                out["engine_planner_cpu_s"] = planner_cpu
                engine_sent = sum(len(api.accepted) for api in apis)
            tick_began = time.monotonic()
            marks = [len(api.accepted) for api in apis]
            tick_cpu = time.process_time()
            if engine_on and (local.hour, local.minute) == (7, 0):
                await server.sample()
                tick_server = server.total()
            if engine_on:  # beats at the new time before and after the jump: no sender looks dead
                await ne.beat_all(sessionmaker, senders, t)
            clock.jump(t)
            if engine_on:
                await ne.beat_all(sessionmaker, senders, clock.now())
            if (local.hour, local.minute) == (12, 0):
                async with sessionmaker() as session:
                    visited += await ns.visit_day(session, local.date(), clock.now(), args.visit_share)
                    await session.commit()
            if (local.hour, local.minute) == (3, 0):
                await prune(sessionmaker, clock.now() - RETENTION)
            for name, spec in registry.planners.items():
                if name in last_run and t - last_run[name] < spec.every:
                    continue
                if not engine_on and not name.startswith("visits."):
                    continue  # nothing to do: no campaign, consultation, broadcast or question is loaded
                if not engine_on and (local.hour, local.minute) not in FAST_RUNS.get(name, {(local.hour, local.minute)}):
                    continue  # its other runs find nothing new (see FAST_RUNS)
                last_run[name] = t
                w0, c0 = time.perf_counter(), time.process_time()
                await scheduler.run_planner(name)
                planner_times[name].append(time.perf_counter() - w0)
                planner_cpu += time.process_time() - c0
            if engine_on:
                if len(mine) < len(provinces):
                    async with sessionmaker() as session:
                        others = await session.execute(OTHERS, {"now": clock.now(), "queued": t, "keys": keys})
                        await session.commit()
                    daily_sent[day] += others.rowcount or 0
                await ne.drain(sessionmaker, clock, senders, keys)
                engine_wall += time.monotonic() - tick_began
                sent_now = [api.accepted[m:] for api, m in zip(apis, marks, strict=True)]
                daily_sent[day] += sum(len(s) for s in sent_now)
                if (local.hour, local.minute) == (7, 0):
                    bursts.append(await _burst(sessionmaker, local, t, mine, keys, sent_now, tick_began))
                    await server.sample()
                    bursts[-1]["cpu_s"] = time.process_time() - tick_cpu  # planners of the tick included
                    bursts[-1]["server_cpu_s"] = server.total() - tick_server
                    print(f"day {day + 1} 07:00: {bursts[-1]['summary']}", flush=True)
            else:
                async with sessionmaker() as session:
                    result = await session.execute(ne.INSTANT, {"now": clock.now(), "queued": t})
                    await session.commit()
                daily_sent[day] += result.rowcount or 0
            if i % 96 == 95:
                print(f"day {day + 1} done at {datetime.now(UTC):%H:%M:%S} UTC: {daily_sent[day]} messages, "
                      f"{sum(len(v) for v in planner_times.values())} planner runs so far", flush=True)
        async with sessionmaker() as session:
            out["sizes"] = await ns.table_sizes(session)
            out["outbox_rows"] = (await session.execute(
                text("SELECT kind, status, count(*) FROM outbox GROUP BY 1, 2 ORDER BY 1, 2"))).all()
            out["resent_after_crash"] = await session.scalar(
                text("SELECT coalesce(sum(resent_after_crash), 0) FROM outbox"))
        out.update(
            planner_times=planner_times, bursts=bursts, daily_sent=daily_sent, visited=visited,
            refused=sum(a.refused for a in apis), misrouted=sum(a.misrouted for a in apis),
            engine_wall_s=engine_wall, engine_sent=engine_sent or sum(len(a.accepted) for a in apis),
            documents=sum(a.documents for a in apis), problems=problems,
            rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        )
        if engine_on:
            for sender in senders:
                await sender.stop()
            await server.stop()
            out["engine_cpu_s"] = time.process_time() - cpu0
            out["engine_server_cpu_s"] = server.total() - server0
            out["engine_planner_cpu_s"] = planner_cpu
    finally:
        await engine.dispose()
        logging.getLogger().removeHandler(problems)
        if not args.keep:
            await _admin(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
    return out


async def _burst(sessionmaker, local, t, provinces, keys, sent_now, began) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """The 07:00 tick: per token rate, total rate, lateness of the morning reminders."""
    async with sessionmaker() as session:
        rows = (await session.execute(LATENESS, {"at": t, "day": local.date().isoformat(), "keys": keys})).all()
    ranges = sorted(provinces.items())
    late_by_token: dict[int, list[float]] = defaultdict(list)
    for user_id, seconds in rows:
        province = next(p for p, (lo, hi) in ranges if lo <= user_id <= hi)
        late_by_token[province].append(float(seconds))
    late = [v for values in late_by_token.values() for v in values]
    rates = [ne.rate(s) for s in sent_now if len(s) > 1]
    everything = sorted(x for s in sent_now for x in s)
    reminders = [len(v) for v in late_by_token.values()]
    summary = (
        f"{len(late)} morning reminders ({min(reminders, default=0)}–{max(reminders, default=0)} a token), "
        f"{len(everything)} messages; lateness p50 {statistics.median(late) if late else 0:.1f} s, "
        f"p99 {ne.percentile(late, 0.99):.1f} s, max {max(late, default=0):.1f} s; per token "
        f"{statistics.median(rates) if rates else 0:.1f}/s (min {min(rates, default=0):.1f}, "
        f"max {max(rates, default=0):.1f}); total {ne.rate(everything):.1f}/s"
    )
    return {"late": late, "per_token": reminders, "rates": rates, "total_rate": ne.rate(everything),
            "messages": len(everything), "summary": summary, "drain_s": time.monotonic() - began}


def report(args: argparse.Namespace, out: dict[str, object]) -> None:  # noqa: C901
    shape, s = out["shape"], args.scale
    through = f"the first {args.engine_hours} hours" if args.engine_hours else f"the first {args.engine_days} days"
    print(f"\nnational simulation at scale {s}: {shape}; {args.days} days simulated, {through} through the engine "
          f"for {out['engine_provinces']} provinces (the others' rows marked sent as they fall due); "
          f"visit share {args.visit_share} %")
    print(f"seed (generate_series, one INSERT a table, then ANALYZE): {out['seed_s']:.1f} s")
    print("planner time per run (wall, ms): " + "; ".join(
        f"{name} ×{len(v)} p50 {statistics.median(v) * 1e3:.0f} p99 {ne.percentile(v, 0.99) * 1e3:.0f} "
        f"max {max(v) * 1e3:.0f}" for name, v in sorted(out["planner_times"].items()) if v))
    for n, burst in enumerate(out["bursts"], 1):
        print(f"07:00 burst, day {n}: {burst['summary']}; drained in {burst['drain_s']:.1f} s; CPU of the tick (its planners too) per message "
              f"{burst['cpu_s'] / max(burst['messages'], 1) * 1e3:.2f} ms here, "
              f"{burst['server_cpu_s'] / max(burst['messages'], 1) * 1e3:.2f} ms in PostgreSQL")
    sent = out["engine_sent"]
    wall = out["engine_wall_s"]
    cpu = out["engine_cpu_s"] - out["engine_planner_cpu_s"]
    pg = out["engine_server_cpu_s"]
    print(f"engine days: {sent} messages in {wall:.0f} s of sending ({sent / max(wall, 1e-9):.1f}/s on average), "
          f"{out['documents']} with a file; 429s {out['refused']}, misrouted {out['misrouted']}, "
          f"resent after a crash {out['resent_after_crash']}")
    print(f"CPU per message sent: this process {cpu / max(sent, 1) * 1e3:.2f} ms (planners' "
          f"{out['engine_planner_cpu_s']:.1f} s taken out), PostgreSQL {pg / max(sent, 1) * 1e3:.2f} ms "
          f"(its backends for this database, planners' queries included); peak RSS {out['rss_mb']:.0f} MB")
    print("messages a day: " + ", ".join(f"{d + 1}: {n}" for d, n in sorted(out["daily_sent"].items())))
    print(f"visits simulated: {out['visited']}")
    print("outbox after the month: " + ", ".join(f"{k}/{st} {n}" for k, st, n in out["outbox_rows"]))
    print("table sizes after the month (total incl. indexes / heap / rows):")
    for name, total, heap, rows in out["sizes"]:
        if total >= 64 * 1024:
            print(f"  {name:28s} {total / 2**20:9.1f} MiB {heap / 2**20:9.1f} MiB {rows:>11,}")
    whole = sum(total for _name, total, _heap, _rows in out["sizes"])
    print(f"  all tables {whole / 2**20:.0f} MiB; at scale 1.0 (linear in rows): ≈ {whole / s / 2**30:.1f} GiB")
    problems = out["problems"]
    print(f"log warnings/errors: {dict(problems.counts)} {problems.first}")
    if out["bursts"]:
        last = out["bursts"][-1]
        cpu, pg, sent = last["cpu_s"], last["server_cpu_s"], last["messages"]
        per_token = [n for b in out["bursts"] for n in b["per_token"]]
        full = max(per_token) / s
        print(f"extrapolation to 1.0: the busiest token's 07:00 reminders ≈ {max(per_token)} / {s} = {full:.0f}; "
              f"at 30/s the last leaves ≈ {full / 30:.0f} s after 07:00 (p99 ≈ {0.99 * full / 30:.0f} s) if "
              f"the senders keep 30/s; 34 tokens then need {34 * 30} msg/s (CPU per message of the last 07:00 burst): "
              f"{34 * 30 * cpu / max(sent, 1):.1f} cores of Python and {34 * 30 * pg / max(sent, 1):.1f} of PostgreSQL; "
              f"one process per 10 provinces (300 msg/s) ≈ {300 * cpu / max(sent, 1):.2f} cores of Python")


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=0.005)
    parser.add_argument("--provinces", type=int, default=ns.PROVINCES)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--start", type=date.fromisoformat, default=date(2026, 3, 4),
                        help="first simulated day (a typical one: not the 1st–3rd, when the monthly report goes out)")
    parser.add_argument("--engine-days", type=int, default=1)
    parser.add_argument("--engine-hours", type=int, default=0,
                        help="the engine sends for only the first H hours (at scale 1.0: through the 07:00 burst)")
    parser.add_argument("--engine-provinces", type=int, default=0,
                        help="this process sends for the first N provinces only (0: all); the others' rows are "
                             "marked sent as they fall due, as if other processes sent them")
    parser.add_argument("--hours", type=int, default=0, help="stop after this many simulated hours (smoke test)")
    parser.add_argument("--visit-share", type=int, default=85, help="% of due households visited each day")
    parser.add_argument("--database", default=f"villagebot_national_{os.getpid()}")
    parser.add_argument("--sender-concurrency", type=int, default=8, help="rows in flight per sender (runtime: 40)")
    parser.add_argument("--sender-ids", action="store_true",
                        help="each province's sender its own heartbeat identity (as Sender() makes it)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    return parser.parse_args(argv)


def main() -> int:
    args = parse()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    print(f"started {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; load {os.getloadavg()}", flush=True)
    out = asyncio.run(run(args))
    report(args, out)
    print(f"finished {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; load {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
