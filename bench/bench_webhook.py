"""Webhook throughput on the Q&A path (issue 18): ``python bench/bench_webhook.py``.

In one run, on one machine, against one in-process sandbox (the Bot API):

1. **villagebot** — the real process (``python -m bot.cli run``) in webhook mode
   (WEBHOOK_URL/WEBHOOK_LISTEN/WEBHOOK_SECRET) on a fresh PostgreSQL database
   (``--sqlite`` for the embedded default) holding the test org file and one resident
   account per chat (linked to a village): every update is a resident asking a
   criteria question ("tieu chi so N la gi") in a private chat of its own;
2. **echo** — a bare aiogram echo bot (``bench/echo_bot.py``: aiogram's own webhook
   handler, one handler answering each message with its text, no database).

Each bot gets the same two loads, from this process over HTTP with the secret header:

* **paced**: ``--rate`` updates a second (default 20, under Telegram's 30/s) for
  ``--seconds``, each from a new chat, the sandbox's flood limits **on** (30/s a bot,
  1/s a private chat): latency = the POST leaves → the reply reaches the sandbox
  (its ``sendMessage`` is recorded), p50/p99/max, and the POST's own round trip;
* **max**: ``--burst`` updates from new chats posted as fast as ``--concurrency``
  connections allow, the sandbox's limits **off**: updates accepted (HTTP 200) a
  second = accepted ÷ (last answer − first POST), and replies a second until the
  last reply. villagebot still paces its own replies at 30/s (its send budget); the
  echo bot has no budget. The ratio reported is ours ÷ echo for accepted updates/s.

``--split`` (PostgreSQL) runs villagebot as two processes, as a production install would:
``run --role web`` (receives and stores: the 200 follows the insert's commit) and
``run --role worker`` (handles the inbox and sends); CPU is then counted for both.

Replies on villagebot are deferred: the handler's answer is an outbox row committed
with the update, sent by the engine right after (bot/channels/telegram/deferred.py).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.sandbox import Sandbox  # noqa: E402

TOKEN = "424242:bench-webhook-token"
SECRET = "bench-Wh00k_Tk-0123456789abcdefXYZqrs"
ADMIN_URL = os.environ.get("NATIONAL_PG_ADMIN", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def port_open(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.2)
        return probe.connect_ex(("127.0.0.1", port)) == 0


async def prepare_database(url: str, chats: list[int]) -> None:
    from bot.services.org_import import apply_org, parse_org
    from storage.db import create_engine, create_sessionmaker
    from storage.migrate import upgrade
    from storage.models import User
    from storage.repo import Repo
    from tests.data_org import ORG_YAML

    engine = create_engine(url)
    await upgrade(engine)
    async with create_sessionmaker(engine)() as session:
        repo = Repo(session)
        await apply_org(repo, parse_org(ORG_YAML))
        village = await repo.places.village_by_code("nam-bac-thanh")
        assert village is not None
        session.add_all(
            User(platform_user_id=chat, full_name=f"Cư dân {chat}", language="vi", village_id=village.id)
            for chat in chats
        )
        await session.commit()
    await engine.dispose()


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def transactions(database: str) -> tuple[int, int]:
    """PostgreSQL's count of committed and rolled back transactions in ``database``."""
    from sqlalchemy import text

    from storage.db import create_engine

    engine = create_engine(ADMIN_URL)
    async with engine.connect() as conn:
        row = (await conn.execute(text(
            "SELECT xact_commit, xact_rollback FROM pg_stat_database WHERE datname = :d"), {"d": database})).one()
    await engine.dispose()
    return int(row[0]), int(row[1])


async def admin(sql: str) -> None:
    from sqlalchemy import text

    from storage.db import create_engine

    engine = create_engine(ADMIN_URL)
    async with engine.connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text(sql))
    await engine.dispose()


class Load:
    """Posts updates to one webhook and matches each with the first reply in its chat."""

    def __init__(self, sandbox: Sandbox, url: str, first_update: int) -> None:
        self.sandbox = sandbox
        self.url = url
        self.update_id = first_update
        self.posts: dict[int, tuple[float, float, int]] = {}  # chat -> (sent, answered, status)

    def update(self, chat: int) -> dict[str, object]:
        self.update_id += 1
        user = {"id": chat, "is_bot": False, "first_name": f"Cư dân {chat}", "language_code": "vi"}
        return {
            "update_id": self.update_id,
            "message": {
                "message_id": self.update_id, "date": int(time.time()), "from": user,
                "chat": {"id": chat, "type": "private", "first_name": user["first_name"]},
                "text": f"tieu chi so {chat % 19 + 1} la gi",
            },
        }

    async def post(self, http: aiohttp.ClientSession, chat: int) -> None:
        body = self.update(chat)
        sent = time.time()
        try:
            async with http.post(self.url, json=body, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}) as answer:
                await answer.read()
                status = answer.status
        except aiohttp.ClientError:
            status = 0
        self.posts[chat] = (sent, time.time(), status)

    async def paced(self, chats: list[int], rate: float) -> None:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=200)) as http:
            began = time.monotonic()
            tasks = []
            for n, chat in enumerate(chats):
                delay = began + n / rate - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                tasks.append(asyncio.create_task(self.post(http, chat)))
            await asyncio.gather(*tasks)

    async def flood(self, chats: list[int], concurrency: int) -> None:
        queue = list(reversed(chats))
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as http:

            async def worker() -> None:
                while queue:
                    await self.post(http, queue.pop())

            await asyncio.gather(*(worker() for _ in range(concurrency)))

    def replies(self) -> dict[int, float]:
        first: dict[int, float] = {}
        for call in self.sandbox.calls:
            if call.method == "sendMessage" and call.status == 200:
                chat = int(call.params.get("chat_id", 0))
                if chat in self.posts and chat not in first and call.time >= self.posts[chat][0]:
                    first[chat] = call.time
        return first

    async def wait_replies(self, timeout: float) -> dict[int, float]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.replies()
            if len(got) >= sum(1 for _s, _a, status in self.posts.values() if status == 200):
                return got
            await asyncio.sleep(0.25)
        return self.replies()


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def summarize(name: str, load: Load, replies: dict[int, float], kind: str) -> dict[str, float]:
    posts = load.posts
    ok = [chat for chat, (_s, _a, status) in posts.items() if status == 200]
    latency = [(replies[c] - posts[c][0]) * 1e3 for c in ok if c in replies]
    post_rtt = [(posts[c][1] - posts[c][0]) * 1e3 for c in ok]
    first = min(s for s, _a, _st in posts.values())
    last_answer = max(a for _s, a, _st in posts.values())
    accepted_rate = len(ok) / max(last_answer - first, 1e-9)
    reply_rate = len(replies) / max(max(replies.values(), default=first) - first, 1e-9)
    row = {"posted": len(posts), "accepted": len(ok), "answered": len(replies),
           "accepted_per_s": accepted_rate, "replies_per_s": reply_rate,
           "p50": pct(latency, 0.5), "p99": pct(latency, 0.99), "max": max(latency, default=float("nan")),
           "post_p50": pct(post_rtt, 0.5), "post_p99": pct(post_rtt, 0.99)}
    print(f"  {name:10s} {kind:6s} posted {row['posted']}, 200 {row['accepted']}, answered {row['answered']}; "
          f"accepted {accepted_rate:.1f}/s, replies {reply_rate:.1f}/s; POST→reply p50 {row['p50']:.0f} ms "
          f"p99 {row['p99']:.0f} ms max {row['max']:.0f} ms; POST round trip p50 {row['post_p50']:.1f} ms "
          f"p99 {row['post_p99']:.1f} ms", flush=True)
    return row


async def start_process(args: list[str], env: dict[str, str], workdir: Path, port: int) -> asyncio.subprocess.Process:
    log = (workdir / "process.log").open("ab")
    process = await asyncio.create_subprocess_exec(*args, cwd=workdir, env=env, stdout=log, stderr=log)
    log.close()
    deadline = time.monotonic() + 60
    while not port_open(port):
        if process.returncode is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{args} did not listen: {(workdir / 'process.log').read_text()[-3000:]}")
        await asyncio.sleep(0.2)
    return process


async def stop_process(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        process.send_signal(2)
        try:
            await asyncio.wait_for(process.wait(), 20)
        except TimeoutError:
            process.kill()
            await process.wait()


async def start_worker(process_args: list[str], env: dict[str, str], workdir: Path) -> asyncio.subprocess.Process:
    """``--split``: the worker (``run --role worker``) that handles what the web process stores."""
    workdir.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - a bench's set-up, nothing else runs
    log = (workdir / "process.log").open("ab")  # noqa: ASYNC240
    process = await asyncio.create_subprocess_exec(*process_args, cwd=workdir, env=env, stdout=log, stderr=log)
    log.close()
    return process


async def measure(name: str, sandbox: Sandbox, process_args: list[str], env: dict[str, str], port: int,
                  chat_base: int, args: argparse.Namespace, workdir: Path) -> dict[str, dict[str, float]]:
    url = env["WEBHOOK_URL"]
    worker = None
    if name == "villagebot" and args.split:
        worker = await start_worker([*process_args, "--role", "worker"], env, workdir / "worker")
        process_args = [*process_args, "--role", "web"]
    process = await start_process(process_args, env, workdir, port)
    results: dict[str, dict[str, float]] = {}
    try:
        await sandbox.wait_until(lambda: sandbox.webhook is not None and sandbox.webhook["url"] == url, timeout=60)
        warm = Load(sandbox, url, chat_base * 10)
        await warm.paced([chat_base + n for n in range(5)], 5)  # the matcher is built on first use
        await warm.wait_replies(60)
        paced_chats = [chat_base + 1000 + n for n in range(int(args.rate * args.seconds))]
        sandbox.limits_enabled = True
        load = Load(sandbox, url, chat_base * 10 + 1000)
        await load.paced(paced_chats, args.rate)
        results["paced"] = summarize(name, load, await load.wait_replies(120), "paced")
        await asyncio.sleep(2)
        sandbox.limits_enabled = False
        burst_chats = [chat_base + 100_000 + n for n in range(args.burst)]
        load = Load(sandbox, url, chat_base * 10 + 200_000)
        database = getattr(args, "database", None) if name == "villagebot" else None
        pids = [process.pid] + ([worker.pid] if worker is not None else [])
        cpu, xacts = sum(map(cpu_seconds, pids)), await transactions(database) if database else (0, 0)
        await load.flood(burst_chats, args.concurrency)
        results["max"] = summarize(name, load, await load.wait_replies(args.burst / 20 + 60), "max")
        # The process's CPU per update of the burst (robust to other load on the machine:
        # it counts this process's own time), and PostgreSQL transactions per update.
        cpu = (sum(map(cpu_seconds, pids)) - cpu) * 1e3 / args.burst
        line = f"  {name:10s} max    CPU of the process{'es (web + worker)' if worker else ''} {cpu:.1f} ms an update"
        if database:
            await asyncio.sleep(1.5)  # PostgreSQL publishes its counters at most once a second
            after = await transactions(database)
            commits, rollbacks = ((a - b) / args.burst for a, b in zip(after, xacts, strict=True))
            line += f"; PostgreSQL transactions an update: {commits:.1f} committed, {rollbacks:.1f} rolled back"
        print(line, flush=True)
        results["max"]["cpu_ms"] = cpu
        sandbox.limits_enabled = True
    finally:
        await stop_process(process)
        if worker is not None:
            await stop_process(worker)
    for path in (workdir / "process.log", workdir / "worker" / "process.log"):
        log = path.read_text(errors="replace") if path.exists() else ""
        if "Traceback" in log:
            print(f"  {name}: Traceback in {path.name}:\n{log[-2000:]}")
    return results


def chats_for(base: int, args: argparse.Namespace) -> list[int]:
    return ([base + n for n in range(5)] + [base + 1000 + n for n in range(int(args.rate * args.seconds))]
            + [base + 100_000 + n for n in range(args.burst)])


async def main(args: argparse.Namespace) -> int:
    if args.split and args.sqlite:
        raise SystemExit("--split needs PostgreSQL (SQLite refuses a second process)")
    print(f"webhook bench {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC; load {os.getloadavg()}; "
          f"{'villagebot as web + worker processes; ' if args.split else ''}"
          f"paced {args.rate}/s × {args.seconds} s (limits on), max {args.burst} updates × {args.concurrency} "
          f"connections (limits off)", flush=True)
    sandbox = await Sandbox.start(limits=True, bot_username="villagebot")
    for base in (OURS, ECHO):
        for chat in chats_for(base, args):
            sandbox.user(chat, f"Cư dân {chat}").started = True
    work = Path(tempfile.mkdtemp(prefix="bench-webhook-"))
    database = f"villagebot_webhook_{os.getpid()}"
    if args.sqlite:
        url = f"sqlite+aiosqlite:///{work}/bench.db"
    else:
        await admin(f'CREATE DATABASE "{database}"')
        url = ADMIN_URL.rsplit("/", 1)[0] + "/" + database
        args.database = database
    results: dict[str, dict[str, dict[str, float]]] = {}
    try:
        await prepare_database(url, chats_for(OURS, args))
        for name, base, command in (
            ("villagebot", OURS, [sys.executable, *(["-m", "cProfile", "-o", args.profile] if args.profile else []),
                                  "-m", "bot.cli", "run"]),
            ("echo", ECHO, [sys.executable, str(ROOT / "bench" / "echo_bot.py")]),
        ):
            port = free_port()
            env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "WEBHOOK_", "DATABASE_", "REDIS_"))}
            env.update(BOT_TOKEN=TOKEN, TELEGRAM_API_URL=sandbox.base_url, DATABASE_URL=url, PYTHONUNBUFFERED="1",
                       WEBHOOK_URL=f"http://127.0.0.1:{port}/telegram", WEBHOOK_LISTEN=f"127.0.0.1:{port}",
                       WEBHOOK_SECRET=SECRET, PYTHONPATH=str(ROOT))
            (work / name).mkdir()
            results[name] = await measure(name, sandbox, command, env, port, base, args, work / name)
    finally:
        await sandbox.stop()
        if not args.sqlite:
            await admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    ours, echo = results["villagebot"], results["echo"]
    print(f"ratio villagebot ÷ echo, updates accepted a second at max rate: "
          f"{ours['max']['accepted_per_s'] / echo['max']['accepted_per_s']:.2f} (target ≥ 0.5); "
          f"replies a second: {ours['max']['replies_per_s'] / echo['max']['replies_per_s']:.2f}")
    print(f"villagebot POST→reply p99 at {args.rate}/s: {ours['paced']['p99']:.0f} ms (target < 100 ms); "
          f"echo {echo['paced']['p99']:.0f} ms; 429s from the sandbox {len(sandbox.rate_limited)}")
    print(f"finished {time.strftime('%H:%M', time.gmtime())} UTC; load {os.getloadavg()}")
    complete = all(r[k]["answered"] == r[k]["accepted"] == r[k]["posted"] for r in results.values() for k in r)
    print("every update accepted and answered by both bots" if complete else "SOME UPDATES WERE NOT ANSWERED")
    return 0 if complete else 1


OURS, ECHO = 10_000_000, 20_000_000


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--burst", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--sqlite", action="store_true", help="villagebot on SQLite instead of PostgreSQL")
    parser.add_argument("--profile", metavar="FILE", help="run villagebot under cProfile, its stats to FILE")
    parser.add_argument("--split", action="store_true",
                        help="villagebot as two processes: run --role web (intake) and run --role worker (PostgreSQL)")
    return parser.parse_args(argv)


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main(parse())))
