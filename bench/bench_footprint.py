"""Footprint of the bot process: ``python bench/bench_footprint.py [--runs 3]``.

The real process (``python -m bot.cli run``, SQLite) against the in-process sandbox:
start-up = process spawned → its first ``getUpdates``; idle RSS = ``VmRSS`` of the
process after 10 s with nothing to do (after start-up's one-off work).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.sandbox import Sandbox  # noqa: E402
from tests.e2e.harness import BotProcess  # noqa: E402
from tests.e2e.seeding import seed_org  # noqa: E402


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def once(idle: float) -> tuple[float, float]:
    sandbox = await Sandbox.start(limits=True, bot_username="villagebot")
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/footprint.db"
        await seed_org(url)
        bot = BotProcess(sandbox, url, Path(tmp))
        spawned = time.time()  # the sandbox stamps calls with the wall clock
        await bot.start()
        first = next(c.time for c in sandbox.calls if c.method.lower() == "getupdates")
        startup = first - spawned
        await asyncio.sleep(idle)
        assert bot.process is not None
        rss = rss_mib(bot.process.pid)
        await bot.stop()
    await sandbox.stop()
    return startup, rss


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--idle", type=float, default=10.0)
    args = parser.parse_args()
    results = [asyncio.run(once(args.idle)) for _ in range(args.runs)]
    startups = [s for s, _ in results]
    rss = [r for _, r in results]
    print(f"{args.runs} runs, {os.cpu_count()} CPUs")
    print(
        f"start-up to first getUpdates: median {statistics.median(startups):.2f} s (min {min(startups):.2f}, max {max(startups):.2f})"
    )
    print(
        f"idle RSS after {args.idle:.0f} s: median {statistics.median(rss):.0f} MiB (min {min(rss):.0f}, max {max(rss):.0f})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
