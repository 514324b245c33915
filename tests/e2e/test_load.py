"""The real bot under load and crashes: the durable inbox and fair shares.

* Crash: 50 residents each send 3 questions, the bot is killed with kill -9 at a
  random moment and restarted; every question is answered, duplicates counted
  (3 rounds here; ``bench/bench_crash.py`` runs 10).
* Load: 150 residents ask at once; one resident floods 200 messages while 30
  others ask once.
"""

from __future__ import annotations

import asyncio
import random
import time
from typing import Any

from bot.sandbox import Sandbox
from tests.e2e.harness import BotProcess

QUESTIONS = (
    "tieu chi so 17 la gi vay",
    "bhyt thi phai dat bao nhieu phan tram",
    "duong giao thong thon dat chua",
)
ERROR = "trục trặc"
SLOW_DOWN = "nhanh quá"


async def onboard(sandbox: Sandbox, ids: list[int]) -> list[Any]:
    users = [sandbox.user(i, f"Dân {i}", language_code="vi") for i in ids]
    for user in users:
        await user.send("/start v_nam-bac-thanh")

    def welcomed() -> bool:  # the welcome, then the help text
        return all(
            any("Chào mừng" in (m.get("text") or "") for m in sandbox.messages(u.id))
            and len(sandbox.messages(u.id)) >= 2
            for u in users
        )

    await sandbox.wait_until(welcomed, timeout=120, interval=0.2)
    return users


def bot_messages(sandbox: Sandbox, user_id: int) -> list[dict[str, Any]]:
    return sandbox.messages(user_id)  # the bot's messages only


async def test_kill_9_loses_no_question(sandbox: Sandbox, bot_process: BotProcess) -> None:
    rounds, residents = 3, 50
    users = await onboard(sandbox, [20_000 + n for n in range(residents)])
    rng = random.Random(7)
    duplicates = 0
    for _round in range(rounds):
        before = {u.id: len(bot_messages(sandbox, u.id)) for u in users}
        for question in QUESTIONS:
            for user in users:
                await user.send(question)
        await asyncio.sleep(rng.uniform(0.0, 3.0))
        await bot_process.kill()
        await bot_process.start()

        def answered(before: dict[int, int] = before) -> bool:
            return all(
                len(bot_messages(sandbox, u.id)) - before[u.id] >= len(QUESTIONS) for u in users
            )

        await sandbox.wait_until(answered, timeout=180)
        await asyncio.sleep(2.0)  # let any duplicate arrive before counting
        duplicates += sum(
            len(bot_messages(sandbox, u.id)) - before[u.id] - len(QUESTIONS) for u in users
        )
    assert not any(
        ERROR in (m.get("text") or "") for u in users for m in bot_messages(sandbox, u.id)
    )
    print(
        f"\ncrash e2e: {rounds} rounds × {residents * len(QUESTIONS)} questions, duplicates: {duplicates}"
    )
    # A duplicate needs the crash to land between Telegram accepting a reply and the
    # bot reading the answer: the engine appends every accepted call to its sent journal
    # (bot/delivery/journal.py) before anything else, and a restart marks those rows
    # sent. Without the journal the window also held the batched "sent" commit, which on
    # SQLite waits behind the inbox's writers: 17 in 3 crashes were seen (up to 9 in one).
    # With it: 0–2 per crash (docs/BENCHMARKS.md). Nothing may be lost.
    assert duplicates <= 3 * rounds


async def test_150_at_once_and_a_flooder_does_not_starve_others(
    sandbox: Sandbox, bot_process: BotProcess
) -> None:
    users = await onboard(sandbox, [30_000 + n for n in range(150)])
    before = {u.id: len(bot_messages(sandbox, u.id)) for u in users}
    start = time.monotonic()
    for user in users:
        await user.send(QUESTIONS[0])
    await sandbox.wait_until(
        lambda: all(len(bot_messages(sandbox, u.id)) > before[u.id] for u in users), timeout=60
    )
    took = time.monotonic() - start
    print(f"\n150 at once: last answered after {took:.1f} s (limit {2 * 150 / 30:.0f} s)")

    flooder, others = users[0], users[1:31]
    before = {u.id: len(bot_messages(sandbox, u.id)) for u in users}
    for n in range(200):
        await flooder.send(f"{QUESTIONS[n % 3]} {n}")
    start = time.monotonic()
    for user in others:
        await user.send(QUESTIONS[1])
    await sandbox.wait_until(
        lambda: all(len(bot_messages(sandbox, u.id)) > before[u.id] for u in others), timeout=30
    )
    others_took = time.monotonic() - start
    # The flooder's own replies trickle out at its chat's pace (about 1 a second).
    await sandbox.wait_until(
        lambda: any(
            SLOW_DOWN in (m.get("text") or "")
            for m in bot_messages(sandbox, flooder.id)[before[flooder.id] :]
        ),
        timeout=30,
    )
    await asyncio.sleep(3.0)
    flood_replies = [
        m.get("text") or "" for m in bot_messages(sandbox, flooder.id)[before[flooder.id] :]
    ]
    print(
        f"flood: 30 others answered after {others_took:.1f} s; flooder got {len(flood_replies)} replies"
    )
    assert sum(SLOW_DOWN in t for t in flood_replies) == 1
    assert (
        len(flood_replies) <= 6 + 1 + 1
    )  # its share at once (and one more as the bucket refills), the slow-down
    assert not any(
        ERROR in (m.get("text") or "") for u in users for m in bot_messages(sandbox, u.id)
    )
