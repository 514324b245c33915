"""Benchmark of pledge confirmations: ``python bench/bench_contributions.py``.

The real bot process (``villagebot run``) against the in-process sandbox, on SQLite
and on PostgreSQL (127.0.0.1:5432, a fresh database dropped afterwards). N residents
of one village open the campaign's link at the same moment and go through the whole
flow: ``/start dg_<code>`` → kind → amount button → Confirm → the VietQR photo.

Reported per database:

* flows per second: N ÷ (first ``/start`` → last VietQR photo received);
* confirmations per second: N ÷ (first Confirm press → last VietQR photo);
* Confirm → VietQR latency p50 / p95 / max (the pledge commit and the QR image);
* exactness: pledges in the database and their sum against what was pressed.

Telegram's per-chat limits (1 message/s in a private chat) would make this measure the
sandbox's pacing, so they are off unless ``--limits``. Options: ``--people 100``,
``--only sqlite|postgresql``.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select, text  # noqa: E402

from bot.sandbox import Sandbox  # noqa: E402
from bot.services.authz import Actor  # noqa: E402
from bot.services.contributions import service  # noqa: E402
from bot.services.org_import import apply_org, parse_org  # noqa: E402
from handlers.contributions.callbacks import DgAmount, DgKind  # noqa: E402
from storage.db import create_engine, create_sessionmaker  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import Pledge, Role, User  # noqa: E402
from storage.repo import Repo  # noqa: E402
from tests.data_org import ORG_YAML  # noqa: E402
from tests.e2e.harness import BotProcess  # noqa: E402

PG_ADMIN = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
AMOUNT = 1_000_000
TZ = "Asia/Ho_Chi_Minh"


async def prepare(url: str, people: int) -> tuple[int, str]:
    engine = create_engine(url)
    await upgrade(engine)
    async with create_sessionmaker(engine)() as session:
        repo = Repo(session)
        await apply_org(repo, parse_org(ORG_YAML))
        village = await repo.places.village_by_code("nam-bac-thanh")
        assert village is not None
        secretary = await repo.users.get_or_create(1001, full_name="An", username=None)
        member = await repo.members.by_phone("0912000001")
        assert member is not None
        member.user_id = secretary.id
        for i in range(people):
            session.add(
                User(
                    platform_user_id=6_000_000 + i,
                    full_name=f"Dân {i}",
                    village_id=village.id,
                    language="vi",
                )
            )
        now = datetime.now(UTC)
        actor = Actor(secretary.id, 1001, village.id, member.id, Role.SECRETARY)
        campaign = await service.create_campaign(
            repo, actor, village_id=village.id, name="Nhà văn hóa", purpose="", goals={"money": 600_000_000},
            starts_on=service.local_today(now, TZ), ends_on=service.local_today(now, TZ) + timedelta(days=30), bank_bin="970405",
            account_number="3600205123456", account_holder="QUY THON", now=now,
        )  # fmt: skip
        await session.commit()
        result = campaign.id, campaign.code
    await engine.dispose()
    return result


async def one_resident(
    sandbox: Sandbox, pid: int, campaign_id: int, code: str, marks: dict[str, list[float]]
) -> None:
    user = sandbox.user(pid, f"Dân {pid}", language_code="vi")
    await user.send(f"/start dg_{code}")
    card = await user.next_message(timeout=120)
    await user.press(
        card, callback_data=DgKind(campaign_id=campaign_id, kind="money").pack(), timeout=120
    )
    amounts = await user.next_message(timeout=120)
    await user.press(amounts, callback_data=DgAmount(amount=AMOUNT).pack(), timeout=120)
    confirm = await user.next_message(timeout=120)
    pressed = time.perf_counter()
    marks["confirm"].append(pressed)
    await user.press(
        confirm,
        callback_data=confirm["reply_markup"]["inline_keyboard"][0][0]["callback_data"],
        timeout=120,
    )
    while "photo" not in await user.next_message(timeout=120):
        pass
    done = time.perf_counter()
    marks["done"].append(done)
    marks["latency"].append(done - pressed)


async def run(label: str, url: str, people: int, limits: bool) -> dict[str, object]:
    campaign_id, code = await prepare(url, people)
    sandbox = await Sandbox.start(limits=limits, bot_username="villagebot")
    workdir = Path(tempfile.mkdtemp(prefix="bench-contrib-"))
    bot = BotProcess(sandbox, url, workdir)
    await bot.start()
    marks: dict[str, list[float]] = {"confirm": [], "done": [], "latency": []}
    try:
        started = time.perf_counter()
        await asyncio.gather(
            *(one_resident(sandbox, 6_000_000 + i, campaign_id, code, marks) for i in range(people))
        )
        finished = max(marks["done"])
    finally:
        await bot.stop()
        await sandbox.stop()
    engine = create_engine(url)
    async with create_sessionmaker(engine)() as session:
        count = await session.scalar(select(func.count()).select_from(Pledge))
        total = await session.scalar(select(func.sum(Pledge.amount)))
    await engine.dispose()
    latency = sorted(marks["latency"])
    return {
        "db": label,
        "people": people,
        "flows/s": people / (finished - started),
        "confirms/s": people / (finished - min(marks["confirm"])),
        "p50 ms": statistics.median(latency) * 1000,
        "p95 ms": latency[max(0, int(len(latency) * 0.95) - 1)] * 1000,
        "max ms": latency[-1] * 1000,
        "exact": count == people and total == people * AMOUNT,
    }


async def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=100)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--limits", action="store_true")
    args = parser.parse_args()
    results = []
    if args.only in (None, "sqlite"):
        workdir = Path(tempfile.mkdtemp(prefix="bench-contrib-db-"))
        results.append(
            await run(
                "SQLite", f"sqlite+aiosqlite:///{workdir / 'bench.db'}", args.people, args.limits
            )
        )
    if args.only in (None, "postgresql"):
        name = f"bench_contrib_{uuid.uuid4().hex[:8]}"
        admin = create_engine(PG_ADMIN)
        async with admin.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            results.append(
                await run(
                    "PostgreSQL",
                    f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}",
                    args.people,
                    args.limits,
                )
            )
        finally:
            async with admin.connect() as conn:
                conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
                await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            await admin.dispose()
    print(
        "| database | residents | flows/s | confirmations/s | Confirm→QR p50 | p95 | max | exact totals |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r['db']} | {r['people']} | {r['flows/s']:.1f} | {r['confirms/s']:.1f} | {r['p50 ms']:.0f} ms "
            f"| {r['p95 ms']:.0f} ms | {r['max ms']:.0f} ms | {'yes' if r['exact'] else 'NO'} |"
        )
    return 0 if all(r["exact"] for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
