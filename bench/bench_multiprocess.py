"""Several processes on PostgreSQL at the issue's size (``make bench``).

A web process and two workers against the sandbox (Telegram's limits on); 50 residents
ask 3 questions each while a broadcast goes to 1,000 residents; the sending leader is
killed with -9 in the middle. Reports: every question answered (in order), duplicates,
the broadcast's rate for the whole installation, the sandbox's 429s, and the failover:
the longest gap between two accepted broadcast messages around the kill.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.sandbox import Sandbox  # noqa: E402
from tests.e2e import test_multiprocess as multi  # noqa: E402

RESIDENTS, RECIPIENTS = 50, 1000


async def main() -> None:
    multi.RECIPIENTS = RECIPIENTS
    sandbox = await Sandbox.start(limits=True, bot_username="villagebot")
    database = multi.fresh_pg_database("villagebot_bench")
    url = await database.__aenter__()
    work = Path(tempfile.mkdtemp(prefix="bench-multi-"))
    try:
        recipients = await multi._prepare(url, sandbox)
        port = multi.free_port()
        env = {"WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram", "WEBHOOK_SECRET": multi.SECRET,
               "WEBHOOK_LISTEN": f"127.0.0.1:{port}"}
        first = multi.RoleProcess(sandbox, url, work / "w1", role="worker", **env)
        second = multi.RoleProcess(sandbox, url, work / "w2", role="worker", **env)
        web = multi.RoleProcess(sandbox, url, work / "web", role="web", **env)
        await first.start()
        await sandbox.wait_until(lambda: sandbox.webhook is not None, timeout=30)
        await second.start()
        await web.start()
        await sandbox.wait_until(lambda: multi._port_open("127.0.0.1", port), timeout=30)
        residents = [sandbox.user(40_000 + n, f"Cư dân {n}", language_code="vi") for n in range(RESIDENTS)]
        for user in residents:
            await user.send("/start v_nam-bac-thanh")
        await sandbox.wait_until(
            lambda: all(any("Chào mừng" in t for t in multi._received(sandbox, u.id)) for u in residents),
            timeout=300,
        )
        before = {u.id: len(multi._received(sandbox, u.id)) for u in residents}
        await multi._broadcast(url)
        started = time.monotonic()
        await sandbox.wait_until(
            lambda: sum(multi.MARK in "".join(multi._received(sandbox, r)) for r in recipients) >= 300, timeout=120
        )
        for question in ("tieu chi so 1 la gi", "tieu chi so 2 la gi", "tieu chi so 3 la gi"):
            for user in residents:
                await user.send(question)
        killed_at = time.time()
        await first.kill()
        await sandbox.wait_until(
            lambda: all(len(multi._received(sandbox, u.id)) - before[u.id] >= 3 for u in residents), timeout=600
        )
        answered_after = time.monotonic() - started
        await sandbox.wait_until(
            lambda: all(multi.MARK in "".join(multi._received(sandbox, r)) for r in recipients), timeout=600
        )
        await asyncio.sleep(3)
        times = sorted(c.time for c in sandbox.calls if c.method == "sendMessage" and c.status == 200
                       and multi.MARK in str(c.params.get("text", "")))
        around = [t for t in times if killed_at - 5 <= t <= killed_at + 60]
        gap = max((b - a for a, b in zip(around, around[1:], strict=False)), default=0.0)
        copies = [sum(multi.MARK in t for t in multi._received(sandbox, r)) for r in recipients]
        dup_answers = sum(
            max(0, len([t for t in multi._received(sandbox, u.id)[before[u.id]:] if t.startswith("Tiêu chí ")]) - 3)
            for u in residents
        )
        rate = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else 0
        print(f"multi-process: web + 2 workers on PostgreSQL, {RESIDENTS} residents × 3 questions, "
              f"broadcast to {RECIPIENTS}, leader killed with -9 mid-broadcast")
        print(f"  questions answered: all, the last {answered_after:.1f} s after the broadcast began")
        print(f"  duplicate answers: {dup_answers}; broadcast copies: min {min(copies)} max {max(copies)}")
        print(f"  broadcast rate for the installation: {rate:.1f}/s ({rate / 30:.3f} of 30/s)")
        print(f"  failover: longest gap between broadcast messages around the kill {gap:.1f} s")
        print(f"  429s from the sandbox: {sum(1 for c in sandbox.calls if c.status == 429)}")
        for process in (second, web):
            await process.stop()
    finally:
        await sandbox.stop()
        await database.__aexit__(None, None, None)


if __name__ == "__main__":
    asyncio.run(main())
