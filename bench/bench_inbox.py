"""Cost of the durable inbox: ``python bench/bench_inbox.py [--updates 600 --chats 60]``.

In process, the real dispatcher (every handler and middleware) against the sandbox
answering at once with its limits off (and the bot's own flood budget off), on SQLite
and on PostgreSQL:

* before: updates fed straight to ``dispatcher.feed_update`` (as aiogram's polling
  did, one task per update, nothing stored first);
* after: the batch stored in the inbox (one commit), then handled by the inbox's
  workers (one chat in order, chats in parallel).

Reported: updates handled per second.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text  # noqa: E402

from bot.app import build_bot, build_dispatcher, settings_parallel  # noqa: E402
from bot.delivery.budget import SendBudget  # noqa: E402
from bot.i18n import create_i18n  # noqa: E402
from bot.inbox import Inbox  # noqa: E402
from bot.middlewares import FairShare  # noqa: E402
from bot.sandbox import Sandbox  # noqa: E402
from bot.services.org_import import apply_org, parse_org  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from storage.db import create_engine, create_sessionmaker  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.repo import Repo  # noqa: E402
from tests.data_org import ORG_YAML  # noqa: E402
from tests.handlers.test_dispatcher import text_update  # noqa: E402


class NoBudget(SendBudget):
    """The bot's own flood budget off too: this measures the inbox, not Telegram's pace."""

    def wait_time(self, chat_id: int) -> float:
        return 0.0


PG_ADMIN = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)


async def database(kind: str, workdir: Path) -> tuple[str, str | None]:
    if kind == "sqlite":
        return f"sqlite+aiosqlite:///{workdir / 'inbox.db'}", None
    name = f"villagebot_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN)
    async with admin.connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    return f"{PG_ADMIN.rsplit('/', 1)[0]}/{name}", name


async def drop(name: str | None) -> None:
    if name is None:
        return
    admin = create_engine(PG_ADMIN)
    async with admin.connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await admin.dispose()


async def measure(kind: str, mode: str, updates: int, chats: int) -> float:
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
            bot = build_bot(
                settings, token="424242:inbox-bench", api_url=sandbox.base_url, budget=NoBudget()
            )
            dispatcher = build_dispatcher(
                settings, sessionmaker, create_i18n("vi"), fair_share=FairShare(limit=10**9)
            )
            for c in range(chats):
                sandbox.user(70_000 + c, f"U{c}").started = True
            batch = [
                text_update(1_000_000 + n, 70_000 + n % chats, "/help") for n in range(updates)
            ]
            started = time.perf_counter()
            if mode == "before":
                await asyncio.gather(*(dispatcher.feed_update(bot, u) for u in batch))
            else:
                inbox = Inbox(
                    bot,
                    dispatcher,
                    sessionmaker,
                    parallel=settings_parallel(settings.model_copy(update={"database_url": url})),
                    poll_every=0.05,
                )
                inbox.start()
                await inbox.store(batch)
                while inbox.handled < updates:
                    await asyncio.sleep(0.01)
                await inbox.stop()
            took = time.perf_counter() - started
            await bot.session.close()
            await sandbox.stop()
        finally:
            await engine.dispose()
            await drop(name)
    return updates / took


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--updates", type=int, default=600)
    parser.add_argument("--chats", type=int, default=60)
    args = parser.parse_args()
    print(f"{args.updates} updates (/help) from {args.chats} chats; {os.cpu_count()} CPUs")
    print("| database | before (no inbox) | after (inbox) |")
    print("|---|---|---|")
    for kind in ("sqlite", "postgresql"):
        before = asyncio.run(measure(kind, "before", args.updates, args.chats))
        after = asyncio.run(measure(kind, "after", args.updates, args.chats))
        print(f"| {kind} | {before:.0f} updates/s | {after:.0f} updates/s |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
