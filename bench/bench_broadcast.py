"""Benchmark of broadcast delivery: ``python bench/bench_broadcast.py``.

The real bot process (``villagebot run``, SQLite) against the in-process sandbox with
Telegram's limits on (30 messages/s per bot, 20/min per group, 1/s per private chat).
A broadcast to N private recipients (who have /start-ed) and G groups is confirmed
in the database and then measured from the sandbox's side:

* rate: messages accepted by the sandbox ÷ (last accepted − first accepted), against
  the 30/s that Telegram allows (the binding limit here);
* duplicates (a chat with more than one copy) and lost (a chat with none);
* 429s the sandbox had to answer (should be none);
* the duplicate window: per sent row, ``sent_at − call_started_at`` (request sent →
  the "sent" commit) — a crash inside it is the only way to a duplicate.

Then the same with a ``kill -9`` of the bot in the middle and a restart.

While the broadcast sends, a resident asks a question every ``--ask-every`` seconds
(a different resident each time); the time from the question to the bot's answer
is reported (p50/p99/max): replies go before bulk.

Options: ``--people 5000 --groups 100 --skip-kill``; ``--strict`` counts arrivals in
an exact 1.0 s window (no jitter allowance); ``--hog`` runs a CPU hog process
beside the bot during the runs.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from bot.sandbox import Sandbox  # noqa: E402
from bot.services import broadcasts as service  # noqa: E402
from bot.services.authz import Actor  # noqa: E402
from bot.services.org_import import apply_org, parse_org  # noqa: E402
from storage.db import create_engine, create_sessionmaker  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import Chat, OutboxMessage, Role, User  # noqa: E402
from storage.repo import Repo  # noqa: E402
from tests.data_org import ORG_YAML  # noqa: E402
from tests.e2e.harness import BotProcess  # noqa: E402

ALLOWED_RATE = 30.0
MARK = "Bản tin thử tải"


async def prepare(workdir: Path, sandbox: Sandbox, people: int, groups: int) -> tuple[str, list[int]]:
    url = f"sqlite+aiosqlite:///{workdir / 'bench.db'}"
    engine = create_engine(url)
    await upgrade(engine)
    chats: list[int] = []
    async with create_sessionmaker(engine)() as session:
        repo = Repo(session)
        await apply_org(repo, parse_org(ORG_YAML))
        village = await repo.places.village_by_code("nam-bac-thanh")
        assert village is not None
        org_group = sandbox.group(-1001000000001, "Thôn Nam Bắc Thành", type="supergroup")
        org_group.bot_status = "member"
        chats.append(org_group.id)
        for i in range(people):
            pid = 5_000_000 + i
            session.add(User(platform_user_id=pid, full_name=f"Dân {i}", village_id=village.id))
            sandbox.user(pid, f"Dân {i}").started = True
            chats.append(pid)
        for i in range(groups - 1):
            gid = -100_700_000_000 - i
            session.add(Chat(platform_chat_id=gid, title=f"Xóm {i}", village_id=village.id, active=True))
            sandbox.group(gid, f"Xóm {i}", type="supergroup").bot_status = "member"
            chats.append(gid)
        await session.commit()
    await engine.dispose()
    return url, chats


async def broadcast(url: str) -> None:
    engine = create_engine(url)
    async with create_sessionmaker(engine)() as session:
        repo = Repo(session)
        village = await repo.places.village_by_code("nam-bac-thanh")
        assert village is not None
        actor = Actor(user_id=None, platform_user_id=1001, village_id=village.id, role=Role.SECRETARY)
        await service.create_broadcast(
            repo,
            actor,
            service.Draft("text", f"{MARK} <1> & 🌾", service.Audience(all_groups=True, residents=True)),
            author_chat_id=1001,
            author_locale="vi",
            now=datetime.now(UTC),
            tz=UTC,
            default_locale="vi",
        )
        await session.commit()
    await engine.dispose()


def copies(sandbox: Sandbox, chats: list[int]) -> Counter[int]:
    counts: Counter[int] = Counter()
    for chat_id in chats:
        chat = sandbox.chats.get(chat_id)
        counts[chat_id] = sum(
            1 for m in (chat.messages.values() if chat else ()) if m.from_bot and MARK in (m.api.get("text") or "")
        )
    return counts


class Accepted:
    """Broadcast messages the sandbox accepted, counted incrementally (the sandbox
    shares this event loop: a full scan on every check would slow its answers)."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.seen = 0
        self.times: list[float] = []

    def count(self) -> int:
        calls = self.sandbox.calls
        while self.seen < len(calls) and calls[self.seen].outcome != "pending":
            call = calls[self.seen]
            if call.method == "sendMessage" and call.status == 200 and MARK in str(call.params.get("text", "")):
                self.times.append(call.time)
            self.seen += 1
        return len(self.times)


def accepted_times(sandbox: Sandbox) -> list[float]:
    return sorted(
        c.time for c in sandbox.calls if c.method == "sendMessage" and c.status == 200 and MARK in str(c.params.get("text", ""))
    )


async def windows(url: str) -> list[float]:
    engine = create_engine(url)
    async with create_sessionmaker(engine)() as session:
        rows = (await session.execute(select(OutboxMessage.call_started_at, OutboxMessage.sent_at).where(OutboxMessage.status == "sent"))).all()
        resent = (await session.scalars(select(OutboxMessage.id).where(OutboxMessage.resent_after_crash > 0))).all()
    await engine.dispose()
    windows.resent = len(resent)  # type: ignore[attr-defined]
    return [(sent - started).total_seconds() * 1000 for started, sent in rows if started and sent]


QUESTION = "tieu chi so 17 la gi vay"


async def ask_while_sending(sandbox: Sandbox, people: list[int], every: float, stop: asyncio.Event) -> list[float]:
    """Residents ask one question each, one every ``every`` s; seconds until answered."""
    latencies: list[float] = []
    pending: list[asyncio.Task[None]] = []

    async def one(pid: int) -> None:
        user = sandbox.user(pid, "Dân")
        before = len(sandbox.messages(pid))
        asked = time.monotonic()
        await user.send(QUESTION)
        try:
            await sandbox.wait_until(
                lambda: any("Tiêu chí" in (m.get("text") or "") for m in sandbox.messages(pid)[before:]),
                timeout=60, interval=0.02,
            )
        except TimeoutError:
            latencies.append(float("inf"))
            return
        latencies.append(time.monotonic() - asked)

    for pid in people:
        if stop.is_set():
            break
        pending.append(asyncio.create_task(one(pid)))
        try:
            await asyncio.wait_for(stop.wait(), every)
        except TimeoutError:
            pass
    await asyncio.gather(*pending)
    return latencies


async def run(
    people: int, groups: int, kill_at: float | None, *, strict: bool = False, ask_every: float = 0.0
) -> dict[str, object]:
    sandbox = await Sandbox.start(limits=True, bot_username="villagebot")
    sandbox.limiter.strict = strict
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        url, chats = await prepare(workdir, sandbox, people, groups)
        bot = BotProcess(sandbox, url, workdir)
        await bot.start()
        started = time.time()
        await broadcast(url)
        total = len(chats)
        killed_after = None
        accepted = Accepted(sandbox)
        stop_asking = asyncio.Event()
        askers = [c for c in chats if c > 0][-200:]
        asking = asyncio.create_task(ask_while_sending(sandbox, askers, ask_every, stop_asking)) if ask_every else None
        try:
            if kill_at is not None:
                await sandbox.wait_until(lambda: accepted.count() >= total * kill_at, timeout=600, interval=0.2)
                await bot.kill()
                killed_after = accepted.count()
                await bot.start()
            await sandbox.wait_until(lambda: accepted.count() >= total, timeout=1200, interval=0.5)
            stop_asking.set()
            latencies = sorted(await asking) if asking is not None else []
            await asyncio.sleep(3)  # anything late (a duplicate) would show up now
        finally:
            stop_asking.set()
            await bot.stop()
        counts = copies(sandbox, chats)
        times = accepted_times(sandbox)
        span = times[-1] - times[0]
        rate = (len(times) - 1) / span if span > 0 else 0.0
        # Every message the bot sent in that span (the residents' answers take slots too).
        every = [
            c.time for c in sandbox.calls
            if c.method in ("sendMessage", "sendPhoto", "sendDocument") and c.status == 200 and times[0] <= c.time <= times[-1]
        ]
        rate_all = (len(every) - 1) / span if span > 0 else 0.0
        win = sorted(await windows(url))
        result = {
            "recipients": total,
            "accepted": len(times),
            "span_s": round(span, 1),
            "end_to_end_s": round(times[-1] - started, 1),
            "rate": round(rate, 2),
            "ratio": round(rate / ALLOWED_RATE, 3),
            "ratio_all": round(rate_all / ALLOWED_RATE, 3),
            "duplicates": sum(n - 1 for n in counts.values() if n > 1),
            "lost": sum(1 for n in counts.values() if n == 0),
            "429s": len(sandbox.rate_limited),
            "killed_after": killed_after,
            "in_flight_at_kill": getattr(windows, "resent", 0),
            "window_ms_p50": round(statistics.median(win), 1) if win else None,
            "window_ms_p99": round(win[int(len(win) * 0.99) - 1], 1) if win else None,
            "window_ms_max": round(win[-1], 1) if win else None,
            "asked": len(latencies),
            "answer_s_p50": round(statistics.median(latencies), 2) if latencies else None,
            "answer_s_p99": round(latencies[max(0, int(len(latencies) * 0.99) - 1)], 2) if latencies else None,
            "answer_s_max": round(latencies[-1], 2) if latencies else None,
        }
    await sandbox.stop()
    return result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--groups", type=int, default=100)
    parser.add_argument("--skip-kill", action="store_true")
    parser.add_argument("--strict", action="store_true")
    parser.add_argument("--hog", action="store_true")
    parser.add_argument("--ask-every", type=float, default=1.0)
    args = parser.parse_args()
    hog = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if args.hog else None
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    runs = [("clean run", None)] + ([] if args.skip_kill else [("kill -9 at 40 %, restart", 0.4)])
    mode = (" strict sandbox" if args.strict else "") + (" + CPU hog" if args.hog else "")
    print(f"broadcast to {args.people} private chats + {args.groups} groups; {os.cpu_count()} CPUs;{mode}")
    print(
        "| run | recipients | span s | rate /s | ÷ 30/s | all sends ÷ 30/s | duplicates | lost | 429s | in flight at kill "
        "| window p50/p99/max ms | questions | answer p50/p99/max s |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    try:
        for name, kill_at in runs:
            r = asyncio.run(run(args.people, args.groups, kill_at, strict=args.strict, ask_every=args.ask_every))
            print(
                f"| {name} | {r['recipients']} | {r['span_s']} | {r['rate']} | {r['ratio']} | {r['ratio_all']} | {r['duplicates']} | "
                f"{r['lost']} | {r['429s']} | {r['in_flight_at_kill'] if kill_at else '–'} | "
                f"{r['window_ms_p50']} / {r['window_ms_p99']} / {r['window_ms_max']} | {r['asked']} | "
                f"{r['answer_s_p50']} / {r['answer_s_p99']} / {r['answer_s_max']} |",
                flush=True,
            )
    finally:
        if hog is not None:
            hog.kill()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
