"""Fairness under attack (issue 21): ``python bench/bench_fairness.py [--pg] [--bystanders 20]``.

The real bot process (``villagebot run``) against the sandbox with Telegram's limits on,
as in ``tests/e2e/test_fairness.py``. For each attack of the issue's table, right after
the attack is sent, ``--bystanders`` newcomers each ask one question in private, one
every 0.2 s; reported: their latency (question sent → first answer seen by the
sandbox; p50, p99, max) and what the attackers got back. ``--pg`` runs the attacks on
PostgreSQL too.

Then, in process (as ``bench/bench_inbox.py``), updates handled per second through the
inbox with the fair gate on, on SQLite and PostgreSQL (every update inside the share);
and the cost of writing a person's row in a short transaction of its own (issue 21,
item 5) against writing it inside the update's.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_inbox import NoBudget, database, drop  # noqa: E402
from bot.app import build_bot, build_dispatcher, settings_parallel  # noqa: E402
from bot.channels.telegram import TelegramChannel, deferred, unthrottled_clone  # noqa: E402
from bot.delivery.registry import default_registry  # noqa: E402
from bot.delivery.sender import Sender  # noqa: E402
from bot.fairness import FairGate, FairShare  # noqa: E402
from bot.i18n import create_i18n  # noqa: E402
from bot.inbox import Inbox  # noqa: E402
from bot.sandbox import Sandbox  # noqa: E402
from bot.sandbox.records import _PendingCallback  # noqa: E402
from bot.services.org_import import apply_org, parse_org  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from storage.db import create_engine, create_sessionmaker  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.repo import Repo  # noqa: E402
from tests.data_org import ORG_YAML  # noqa: E402
from tests.e2e.harness import BotProcess  # noqa: E402
from tests.handlers.test_dispatcher import text_update  # noqa: E402

QUESTION = "tieu chi 17 la gi"
MENTION = "@villagebot tieu chi 17 la gi"

Attack = Callable[[Sandbox], Awaitable[Callable[[], dict[str, Any]]]]


def _group(sandbox: Sandbox, chat_id: int) -> Any:
    group = sandbox.group(chat_id, f"Nhóm {chat_id}", type="supergroup")
    group.bot_status = "member"
    return group


def _count(sandbox: Sandbox, chats: list[Any]) -> int:
    return sum(len(sandbox.messages(c)) for c in chats)


async def no_attack(sandbox: Sandbox) -> Callable[[], dict[str, Any]]:
    return lambda: {}


async def thirty_new_accounts(sandbox: Sandbox) -> Callable[[], dict[str, Any]]:
    group = _group(sandbox, -1001000031001)
    for n in range(30):
        await sandbox.user(61_000 + n, f"Người {n}").send(MENTION, chat=group)
    return lambda: {"group messages (answers + summary)": _count(sandbox, [group])}


async def renames(sandbox: Sandbox) -> Callable[[], dict[str, Any]]:
    group = _group(sandbox, -1001000031002)
    renamer = sandbox.user(62_000, "Tên")
    for n in range(28):
        renamer.first_name = f"Tên {n}"
        await renamer.send(MENTION, chat=group)
    return lambda: {"group messages (answers + summary)": _count(sandbox, [group])}


async def eight_groups(sandbox: Sandbox) -> Callable[[], dict[str, Any]]:
    groups = [_group(sandbox, -1001000031100 - g) for g in range(8)]
    attacker = sandbox.user(63_000, "Kẻ phá")
    for _ in range(25):
        for group in groups:
            await attacker.send(MENTION, chat=group)
    return lambda: {"messages in the 8 groups": _count(sandbox, groups)}


async def presses(sandbox: Sandbox) -> Callable[[], dict[str, Any]]:
    presser = sandbox.user(64_000, "Bấm")
    await presser.send("/start")
    await sandbox.wait_until(lambda: sandbox.messages(presser.id), timeout=30)
    chat = sandbox.chats[presser.id]
    message = chat.messages[max(chat.messages)]
    pending: list[_PendingCallback] = []
    for _ in range(1200):
        query_id = str(next(sandbox._ids))
        pending.append(_PendingCallback(query_id, presser.id, presser.id, message.message_id))
        sandbox.callbacks[query_id] = pending[-1]
        sandbox._enqueue(
            "callback_query",
            {"id": query_id, "from": presser.to_api(), "message": copy.deepcopy(message.api),
             "chat_instance": "1", "data": "zz:stale"},
        )

    def outcome() -> dict[str, Any]:
        fast = sum(1 for p in pending if p.answer and "nhanh quá" in (p.answer.get("text") or ""))
        answered = sum(p.answered for p in pending)
        return {"presses handled": answered - fast, "answered 'too fast'": fast}

    return outcome


async def fresh_accounts(sandbox: Sandbox) -> Callable[[], dict[str, Any]]:
    accounts = [sandbox.user(65_000 + n, f"Mới {n}") for n in range(30)]
    for round_ in range(5):
        for account in accounts:
            await account.send(f"{QUESTION} {round_}")
    return lambda: {"replies to the 30 accounts": _count(sandbox, accounts)}


ATTACKS: list[tuple[str, Attack]] = [
    ("none (the same bystanders on a quiet bot)", no_attack),
    ("30 new accounts mention the bot once in a group", thirty_new_accounts),
    ("one account renames itself before each of 28 mentions", renames),
    ("one account mentions the bot 25 times in each of 8 groups", eight_groups),
    ("1,200 button presses from one account", presses),
    ("30 fresh accounts, 5 questions each (within the share)", fresh_accounts),
]


async def bystanders(sandbox: Sandbox, count: int, base: int) -> list[float]:
    async def one(n: int) -> float:
        await asyncio.sleep(0.2 * n)
        user = sandbox.user(base + n, f"Khách {n}")
        started = time.monotonic()
        await user.send(QUESTION)
        await sandbox.wait_until(lambda: sandbox.messages(user.id), timeout=120, interval=0.01)
        return time.monotonic() - started

    return list(await asyncio.gather(*(one(n) for n in range(count))))


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


async def run_attack(name: str, attack: Attack, kind: str, count: int, index: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url, db_name = await database(kind, Path(tmp))
        engine = create_engine(url)
        try:
            await upgrade(engine)
            async with create_sessionmaker(engine)() as session:
                await apply_org(Repo(session), parse_org(ORG_YAML))
                await session.commit()
            await engine.dispose()
            sandbox = await Sandbox.start(limits=True, bot_username="villagebot", webchat=False)
            bot = BotProcess(sandbox, url, Path(tmp))
            await bot.start()
            try:
                outcome = await attack(sandbox)
                latencies = await bystanders(sandbox, count, 90_000 + 1000 * index)
                await asyncio.sleep(8.0)  # the summaries and what the attackers get back
                log = bot.log()
                got = outcome()
            finally:
                await bot.stop()
                await sandbox.stop()
        finally:
            await engine.dispose()
            await drop(db_name)
    locked = "yes" if "database is locked" in log else "no"
    print(
        f"| {name} | {kind} | {_p(latencies, 0.5):.2f} s | {_p(latencies, 0.99):.2f} s | "
        f"{max(latencies):.2f} s | {'; '.join(f'{k}: {v}' for k, v in got.items()) or '–'} | {locked} |",
        flush=True,
    )


async def throughput(kind: str, updates: int, chats: int, after_commit: bool) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        url, name = await database(kind, Path(tmp))
        engine = create_engine(url)
        try:
            await upgrade(engine)
            sessionmaker = create_sessionmaker(engine)
            async with sessionmaker() as session:
                await apply_org(Repo(session), parse_org(ORG_YAML))
                await session.commit()
            sandbox = await Sandbox.start(limits=False, webchat=False)
            settings = load_settings()
            bot = build_bot(settings, token="424242:fair-bench", api_url=sandbox.base_url, budget=NoBudget())
            sender = None
            if after_commit:  # as in production: replies kept, written to the outbox, sent by the engine
                deferred.install(bot)
                client = unthrottled_clone(bot)
                sender = Sender(
                    TelegramChannel(client), sessionmaker, NoBudget(), create_i18n("vi"),
                    default_registry(), poll_every=0.05,
                )
                await sender.start()
            dispatcher = build_dispatcher(settings, sessionmaker, create_i18n("vi"), outbox=sender)
            for c in range(chats):
                sandbox.user(70_000 + c, f"U{c}").started = True
            batch = [text_update(1_000_000 + n, 70_000 + n % chats, "/help") for n in range(updates)]
            gate = FairGate(users=FairShare(limit=10**9, burst=10**9))  # every update inside the share
            inbox = Inbox(
                bot, dispatcher, sessionmaker, share=gate, i18n=create_i18n("vi"),
                parallel=settings_parallel(settings.model_copy(update={"database_url": url})),
                poll_every=0.05,
            )
            started = time.perf_counter()
            inbox.start()
            await inbox.store(batch)
            while inbox.handled < updates:
                await asyncio.sleep(0.01)
            took = time.perf_counter() - started
            await inbox.stop()
            if sender is not None:
                await sender.stop()
                await client.session.close()
            await bot.session.close()
            await sandbox.stop()
        finally:
            await engine.dispose()
            await drop(name)
    return updates / took


async def user_rows(kind: str, count: int) -> dict[str, float]:
    """ms per update for a person's row: before, written inside the update's own
    transaction; after, in a short transaction of its own, then read in the update's."""
    with tempfile.TemporaryDirectory() as tmp:
        url, name = await database(kind, Path(tmp))
        engine = create_engine(url)
        try:
            await upgrade(engine)
            sessionmaker = create_sessionmaker(engine)
            results: dict[str, float] = {}
            for mode in ("before", "after"):
                base = 80_000 if mode == "before" else 90_000
                for step, suffix in (("new", ""), ("renamed", " mới")):
                    started = time.perf_counter()
                    for n in range(count):
                        full_name = f"Người {n}{suffix}"
                        if mode == "after":
                            async with sessionmaker() as session:
                                await Repo(session).users.ensure(base + n, full_name=full_name, username=None)
                                await session.commit()
                        async with sessionmaker() as session:
                            await Repo(session).users.get_or_create(base + n, full_name=full_name, username=None)
                            await session.commit()
                    results[f"{mode} {step}"] = (time.perf_counter() - started) * 1000 / count
        finally:
            await engine.dispose()
            await drop(name)
    return results


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bystanders", type=int, default=20)
    parser.add_argument("--pg", action="store_true", help="run the attacks on PostgreSQL too")
    parser.add_argument("--only", type=int, default=None, help="run one attack (0: none, 1-5; -1: no attack runs)")
    parser.add_argument("--updates", type=int, default=600)
    parser.add_argument("--chats", type=int, default=60)
    args = parser.parse_args()
    print(f"bystanders: {args.bystanders}, one every 0.2 s after the attack; {os.cpu_count()} CPUs")
    print("| attack | database | bystander p50 | p99 | max | what the attackers got | 'database is locked' |")
    print("|---|---|---|---|---|---|---|")
    kinds = ["sqlite", "postgresql"] if args.pg else ["sqlite"]
    for index, (name, attack) in enumerate(ATTACKS):
        if args.only is not None and index != args.only:
            continue
        for kind in kinds:
            asyncio.run(run_attack(name, attack, kind, args.bystanders, index))
    print(f"\n{args.updates} updates (/help) from {args.chats} chats through the inbox, fair gate on")
    print("| database | replies sent from the handler | replies after commit (outbox, engine sending) |")
    print("|---|---|---|")
    for kind in ("sqlite", "postgresql"):
        direct = asyncio.run(throughput(kind, args.updates, args.chats, after_commit=False))
        kept = asyncio.run(throughput(kind, args.updates, args.chats, after_commit=True))
        print(f"| {kind} | {direct:.0f} updates/s | {kept:.0f} updates/s |", flush=True)
    print("\nA person's row, ms per update (300 people): before, written in the update's transaction;")
    print("after, a short transaction of its own first (an unchanged, known person skips it)")
    print("| database | new, before | new, after | renamed, before | renamed, after |")
    print("|---|---|---|---|---|")
    for kind in ("sqlite", "postgresql"):
        r = asyncio.run(user_rows(kind, 300))
        print(
            f"| {kind} | {r['before new']:.2f} | {r['after new']:.2f} | "
            f"{r['before renamed']:.2f} | {r['after renamed']:.2f} |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
