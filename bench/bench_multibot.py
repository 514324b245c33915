"""Several bots in one process: ``python bench/bench_multibot.py [--tokens 1 2 10] [--runs 3] [--pg]``.

The real process (``python -m bot.cli run``) serving N bot tokens (``BOT_TOKENS``)
against the sandbox hub (one sandbox per token, one server): start-up = process
spawned → the last of its N bots' first ``getUpdates`` (every bot long-polls: each
leads its own token); idle RSS = ``VmRSS`` after ``--idle`` seconds with nothing to do.
1 token runs with ``BOT_TOKEN`` (the single-bot path) for comparison.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_footprint import rss_mib, seed_org  # noqa: E402
from bot.sandbox.multi import SandboxHub  # noqa: E402
from tests.e2e.harness import BotProcess  # noqa: E402


@contextlib.asynccontextmanager
async def database(pg: bool, tmp: str):  # type: ignore[no-untyped-def]
    if pg:
        from tests.conftest import fresh_pg_database

        async with fresh_pg_database("villagebot_bench_multibot") as url:
            yield url
    else:
        yield f"sqlite+aiosqlite:///{tmp}/multibot.db"


async def once(tokens: int, idle: float, pg: bool) -> tuple[float, float]:
    bots = {f"{700_000 + n}:bench-token-{n}": f"tinh_{n}_bot" for n in range(tokens)}
    hub = await SandboxHub.start(bots, limits=True)
    with tempfile.TemporaryDirectory() as tmp:
        async with database(pg, tmp) as url:
            await seed_org(url)
            first_token = next(iter(bots))
            env = {"TELEGRAM_API_URL": hub.base_url}
            if tokens > 1:
                env["BOT_TOKENS"] = ",".join(f"t{n}={token}" for n, token in enumerate(bots))
            process = BotProcess(hub.bot(first_token), url, Path(tmp), **env)
            if tokens > 1:
                process.env = _without_bot_token(process.env)  # type: ignore[method-assign]
            else:
                process.env = _with_token(process.env, first_token)  # type: ignore[method-assign]
            spawned = time.time()  # the sandbox stamps calls with the wall clock
            await process.start()
            for sb in hub.sandboxes.values():
                await sb.wait_until(lambda sb=sb: any(c.method.lower() == "getupdates" for c in sb.calls), timeout=60)
            last = max(
                next(c.time for c in sb.calls if c.method.lower() == "getupdates") for sb in hub.sandboxes.values()
            )
            await asyncio.sleep(idle)
            assert process.process is not None
            rss = rss_mib(process.process.pid)
            await process.stop()
    await hub.stop()
    return last - spawned, rss


def _without_bot_token(env_of):  # type: ignore[no-untyped-def]
    def env() -> dict[str, str]:
        values = env_of()
        values.pop("BOT_TOKEN", None)
        return values

    return env


def _with_token(env_of, token: str):  # type: ignore[no-untyped-def]
    def env() -> dict[str, str]:
        return {**env_of(), "BOT_TOKEN": token}

    return env


async def reply_latency(residents: int = 8, rounds: int = 3) -> tuple[list[float], list[float], list[float], int]:
    """Bot B's answers (question sent → its sendMessage call) with bot A idle, while
    bot A sends a 300-recipient broadcast, and after it (``tests/e2e/test_multibot.py``'s scenario,
    PostgreSQL, one process, sandbox limits on). Returns (before, during, after, A's 429s);
    the first round warms up (the criteria matcher is built on the first question)."""
    from tests.conftest import fresh_pg_database
    from tests.e2e.test_multibot import (
        RECIPIENTS,
        TOKEN_A,
        TOKEN_B,
        MultiBotProcess,
        _broadcast,
        _prepare,
        _texts,
    )

    hub = await SandboxHub.start({TOKEN_A: "hatinh_xa_bot", TOKEN_B: "nghean_xa_bot"}, limits=True)
    a, b = hub.bot(TOKEN_A), hub.bot(TOKEN_B)
    with tempfile.TemporaryDirectory() as tmp:
        async with fresh_pg_database("villagebot_bench_multibot") as url:
            recipients = await _prepare(url, a)
            process = MultiBotProcess(hub, url, Path(tmp))
            await process.start()
            people = [b.user(40_000 + n, f"B{n}", language_code="vi") for n in range(residents)]
            for user in people:
                await user.send("/start v_dong-hoa")
            await b.wait_until(lambda: all(any("Chào mừng" in t for t in _texts(b, u.id)) for u in people), timeout=60)

            async def ask_all(n: int) -> list[float]:
                asked = {}
                for user in people:
                    asked[user.id] = time.time()
                    await user.send(f"tieu chi so {n} la gi")

                def answered() -> bool:
                    return all(_answer_at(b, u.id, asked[u.id]) is not None for u in people)

                await b.wait_until(answered, timeout=60)
                return [_answer_at(b, u.id, asked[u.id]) - asked[u.id] for u in people]  # type: ignore[operator]

            idle: list[float] = []
            for n in range(1, rounds + 1):
                idle += await ask_all(n)
                await asyncio.sleep(1.5)
            await _broadcast(url)
            mark = "Họp dân"
            await a.wait_until(lambda: sum(mark in "".join(_texts(a, r)) for r in recipients) >= 20, timeout=60)
            during: list[float] = []
            for n in range(rounds + 1, 2 * rounds + 1):
                during += await ask_all(n)
                assert sum(mark in "".join(_texts(a, r)) for r in recipients) < RECIPIENTS, "the broadcast ended"
                await asyncio.sleep(1.5)
            await a.wait_until(lambda: all(mark in "".join(_texts(a, r)) for r in recipients), timeout=120)
            after: list[float] = []
            for n in range(2 * rounds + 1, 3 * rounds + 1):
                after += await ask_all(n % 19 + 1)
                await asyncio.sleep(1.5)
            await process.stop()
    await hub.stop()
    return idle, during, after, sum(1 for c in a.calls if c.status == 429)


def _answer_at(sb, user, after: float) -> float | None:  # type: ignore[no-untyped-def]
    user_id = user if isinstance(user, int) else user.id
    for call in sb.calls:
        if call.method.lower() == "sendmessage" and call.time >= after and str(call.params.get("chat_id")) == str(user_id):
            return call.time
    return None


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tokens", type=int, nargs="+", default=[1, 2, 10])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--idle", type=float, default=8.0)
    parser.add_argument("--pg", action="store_true", help="PostgreSQL (leaders and shared send slots per token)")
    parser.add_argument("--latency", action="store_true", help="bot B's reply latency while bot A broadcasts")
    args = parser.parse_args()
    if args.latency:
        idle, during, after, too_many = asyncio.run(reply_latency())
        print(f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}, PostgreSQL, 2 tokens")
        for name, values in (("before (bot A idle)", idle), ("bot A broadcasting 300", during), ("after", after)):
            ordered = sorted(values)
            print(f"bot B reply latency, {name}: median {statistics.median(values):.2f} s, "
                  f"max {ordered[-1]:.2f} s ({len(values)} answers)")
        print(f"bot A 429s: {too_many}")
        return 0
    print(f"{args.runs} runs, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}, "
          f"{'PostgreSQL' if args.pg else 'SQLite'}")
    for tokens in args.tokens:
        results = [asyncio.run(once(tokens, args.idle, args.pg)) for _ in range(args.runs)]
        startups = [s for s, _ in results]
        rss = [r for _, r in results]
        print(
            f"{tokens:>3} token(s): start-up to every bot's first getUpdates median {statistics.median(startups):.2f} s "
            f"(min {min(startups):.2f}, max {max(startups):.2f}); idle RSS after {args.idle:.0f} s median "
            f"{statistics.median(rss):.0f} MiB (min {min(rss):.0f}, max {max(rss):.0f})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
