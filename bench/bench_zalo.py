"""The Zalo channel: ``python bench/bench_zalo.py [--users 100 --each 3 --runs 3]``.

The real process (``python -m bot.cli run``, SQLite) with both channels, against the
Telegram sandbox and the Zalo sandbox (in this process):

* start-up = process spawned → both its first Telegram ``getUpdates`` and its first
  Zalo ``getUpdates``; idle RSS = ``VmRSS`` after ``--idle`` seconds with nothing to do;
* Zalo intake: ``users × each`` text events queued at once; stored/s = events in the
  inbox per second (Zalo hands out one event per ``getUpdates``), handled/s = updates
  handled (each a first contact → /start → a numbered language menu sent back).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select  # noqa: E402

from bench.bench_footprint import rss_mib  # noqa: E402
from bot.sandbox import Sandbox  # noqa: E402
from bot.sandbox.zalo import ZaloSandbox  # noqa: E402
from storage.db import create_engine, create_sessionmaker  # noqa: E402
from storage.models import InboxUpdate  # noqa: E402
from tests.e2e.harness import BotProcess  # noqa: E402
from tests.e2e.seeding import seed_org  # noqa: E402

ZALO_TOKEN = "5550001:zalo-bench-token"


async def counts(url: str) -> tuple[int, int]:
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session:
            rows = dict((await session.execute(
                select(InboxUpdate.status, func.count()).where(InboxUpdate.bot_id == 5550001).group_by(InboxUpdate.status)
            )).all())
    finally:
        await engine.dispose()
    return sum(rows.values()), rows.get("done", 0) + rows.get("dropped", 0)


async def once(users: int, each: int, idle: float) -> dict[str, float]:
    sandbox = await Sandbox.start(limits=True, bot_username="villagebot")
    zalo = await ZaloSandbox.start(webchat=False)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/zalo.db"
        await seed_org(url)
        bot = BotProcess(sandbox, url, Path(tmp), ZALO_BOT_TOKEN=ZALO_TOKEN, ZALO_API_URL=zalo.base_url,
                         ZALO_LISTEN="127.0.0.1:0", PUBLIC_URL="http://127.0.0.1:1")
        spawned = time.time()
        await bot.start()
        await zalo.wait_until(lambda: any(c.method == "getUpdates" for c in zalo.calls), 20)
        telegram = next(c.time for c in sandbox.calls if c.method.lower() == "getupdates") - spawned
        startup = next(c.time for c in zalo.calls if c.method == "getUpdates") - spawned
        await asyncio.sleep(idle)
        assert bot.process is not None
        rss = rss_mib(bot.process.pid)
        people = [zalo.user(f"Dân {i}") for i in range(users)]
        total = users * each
        began = time.perf_counter()
        for round_ in range(each):
            for person in people:
                await person.send(f"câu hỏi {round_}")
        stored_at = handled_at = None
        while handled_at is None:
            stored, handled = await counts(url)
            now = time.perf_counter()
            if stored_at is None and stored >= total:
                stored_at = now
            if handled >= total:
                handled_at = now
            await asyncio.sleep(0.2)
        await bot.stop()
    await zalo.stop()
    await sandbox.stop()
    return {"startup_telegram": telegram, "startup": startup, "rss": rss, "stored_per_s": total / (stored_at - began),
            "handled_per_s": total / (handled_at - began)}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--each", type=int, default=3)
    parser.add_argument("--idle", type=float, default=8.0)
    args = parser.parse_args()
    results = [asyncio.run(once(args.users, args.each, args.idle)) for _ in range(args.runs)]
    for key in ("startup_telegram", "startup", "rss", "stored_per_s", "handled_per_s"):
        values = [r[key] for r in results]
        print(f"{key}: median {statistics.median(values):.2f} (runs: {', '.join(f'{v:.2f}' for v in values)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
