"""Benchmark of a consultation's answers: ``python bench/bench_consultations.py``.

The real bot process (``villagebot run``) against the in-process sandbox, with
Telegram's flood limits on (30 messages/s in all, 20 a minute per group), on SQLite
and on PostgreSQL (127.0.0.1:5432, a fresh database dropped afterwards). A village of
N households (default 2,000; the org file's two more have no phone), each with a resident whose phone matched it, and an
open per-household consultation whose board is in the village group:

1. every resident opens the group's link (``/start yk_<code>``) and gets the ballot;
2. all of them press an answer at once (a tenth then change their mind); the clock
   runs from the first press to the last vote in the database, which must be under
   10 minutes, and to the last "recorded" reply;
3. the bot restarts 11 minutes later (``VILLAGEBOT_CLOCK_OFFSET``): the board is
   edited in place once, with the final counts.

Reported: answers per second, time to the last vote and the last reply, exactness
(one row per household, the last answer standing, none changed twice), the board's
length (≤ 4,096 characters) and the bot's sends and edits to the group per minute
(Telegram allows 20). Options: ``--households 2000``, ``--only sqlite|postgresql``.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import select, text  # noqa: E402

from bot.clock import OFFSET_ENV  # noqa: E402
from bot.sandbox import Sandbox  # noqa: E402
from bot.sandbox.records import _PendingCallback  # noqa: E402
from bot.services.authz import Actor  # noqa: E402
from bot.services.consultations import delivery as yk  # noqa: E402
from bot.services.consultations import service  # noqa: E402
from bot.services.org_import import apply_org, parse_org  # noqa: E402
from storage.db import create_engine, create_sessionmaker  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import ConsultationKind, ConsultationVote, Household, Role, User, Voters  # noqa: E402
from storage.repo import Repo  # noqa: E402
from tests.data_org import ORG_YAML  # noqa: E402
from tests.e2e.harness import BotProcess  # noqa: E402

PG_ADMIN = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
GROUP = -1001000000001
FIRST = 7_000_000
LABELS = ["Đồng ý", "Không đồng ý"]


async def prepare(url: str, households: int) -> str:
    engine = create_engine(url)
    await upgrade(engine)
    async with create_sessionmaker(engine)() as session:
        repo = Repo(session)
        await apply_org(repo, parse_org(ORG_YAML))
        village = await repo.places.village_by_code("nam-bac-thanh")
        assert village is not None
        for n in range(households):
            household = Household(village_id=village.id, code=f"B-{n:04d}", head_name=f"Hộ {n}")
            session.add(household)
            await session.flush()
            session.add(
                User(platform_user_id=FIRST + n, full_name=f"Dân {n}", village_id=village.id,
                     household_id=household.id, language="vi", reachable=True)
            )  # fmt: skip
        member = await repo.members.by_phone("0912000001")
        assert member is not None
        actor = Actor(None, None, village.id, member.id, Role.SECRETARY)
        now = datetime.now(UTC)
        poll = await service.create(
            repo, actor,
            service.Draft(question="Làm đường bê tông trục thôn, mỗi hộ góp 500.000 đ?",
                          kind=ConsultationKind.YES_NO, labels=LABELS, allow_other=False,
                          voters=Voters.HOUSEHOLD, names_public=False, closes_at=now + timedelta(days=3)),
            now=now,
        )  # fmt: skip

        async def enqueue(repo_, delivery):  # type: ignore[no-untyped-def]
            from bot.delivery.queue import enqueue as put

            return await put(repo_, delivery)

        await yk.announce(repo, enqueue, poll, "villagebot", now)
        await session.commit()
        code = poll.code
    await engine.dispose()
    return code


async def votes(url: str) -> list[ConsultationVote]:
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session:
            return list((await session.scalars(select(ConsultationVote))).all())
    finally:
        await engine.dispose()


async def poll_until(check, timeout: float, every: float = 1.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = await check()
        if value:
            return value
        await asyncio.sleep(every)
    raise TimeoutError("not done in time")


def press(sandbox: Sandbox, user_id: int, message: dict, data: str) -> None:
    """A button press, queued without waiting for the answer."""
    chat = sandbox.chats[message["chat"]["id"]]
    stored = chat.messages[message["message_id"]]
    query_id = str(next(sandbox._ids))
    sandbox.callbacks[query_id] = _PendingCallback(query_id, user_id, chat.id, stored.message_id)
    user = sandbox.users[user_id]
    sandbox._enqueue(
        "callback_query",
        {"id": query_id, "from": user.to_api(), "message": stored.api, "chat_instance": "1", "data": data},
    )


def ballot_of(sandbox: Sandbox, user_id: int) -> dict | None:
    for message in reversed(sandbox.messages(user_id)):
        if "ykv:" in str(message.get("reply_markup")):
            return message
    return None


def replies(sandbox: Sandbox, user_id: int) -> int:
    return sum("Đã ghi ý kiến" in (m.get("text") or "") or "thay ý kiến" in (m.get("text") or "")
               for m in sandbox.messages(user_id))  # fmt: skip


async def run(label: str, url: str, households: int) -> dict[str, object]:
    code = await prepare(url, households)
    sandbox = await Sandbox.start(limits=True, bot_username="villagebot")
    group = sandbox.group(GROUP, "Thôn Nam Bắc Thành", type="supergroup")
    group.bot_status = "administrator"
    workdir = Path(tempfile.mkdtemp(prefix="bench-consult-"))
    bot = BotProcess(sandbox, url, workdir)
    await bot.start()
    ids = [FIRST + n for n in range(households)]
    try:
        users = [sandbox.user(pid, f"Dân {pid}", language_code="vi") for pid in ids]
        opened = time.perf_counter()
        for user in users:
            await user.send(f"/start yk_{code}")

        async def all_ballots():  # type: ignore[no-untyped-def]
            found = {pid: ballot_of(sandbox, pid) for pid in ids}
            return found if all(found.values()) else None

        ballots = await poll_until(all_ballots, timeout=900)
        ballots_s = time.perf_counter() - opened
        expected: dict[str, list[int]] = {}
        started = time.perf_counter()
        for n, pid in enumerate(ids):
            first = n % 2
            buttons = [b for row in ballots[pid]["reply_markup"]["inline_keyboard"] for b in row]
            press(sandbox, pid, ballots[pid], buttons[first]["callback_data"])
            last = first
            if n % 10 == 0:
                last = 1 - first
                press(sandbox, pid, ballots[pid], buttons[last]["callback_data"])
            expected[f"h:{n}"] = [last]

        async def all_votes():  # type: ignore[no-untyped-def]
            found = await votes(url)
            return found if len(found) == households else None

        await poll_until(all_votes, timeout=900, every=0.5)
        votes_s = time.perf_counter() - started

        async def all_replies():  # type: ignore[no-untyped-def]
            return all(replies(sandbox, pid) >= 1 for pid in ids)

        await poll_until(all_replies, timeout=900)
        replies_s = time.perf_counter() - started
        stored = await votes(url)
        code_of = {}
        engine = create_engine(url)
        async with create_sessionmaker(engine)() as session:
            for h in (await session.scalars(select(Household))).all():
                code_of[h.id] = h.code
        await engine.dispose()
        exact = len(stored) == households and all(
            v.choices == expected[f"h:{int(code_of[v.household_id][2:])}"]
            and v.changes == (1 if int(code_of[v.household_id][2:]) % 10 == 0 else 0)
            for v in stored
        )
        # The board: edited in place once the 10 minutes since it was drawn are over.
        board_id = next(
            m["message_id"] for m in sandbox.messages(GROUP) if "🗳" in (m.get("text") or "")
        )
        await bot.stop()
        bot.extra_env[OFFSET_ENV] = str(11 * 60)
        await bot.start()

        async def board_final():  # type: ignore[no-untyped-def]
            view = sandbox.chats[GROUP].messages[board_id].view()
            return view if f": {households}/{households + 2} " in (view.get("text") or "") else None

        board = await poll_until(board_final, timeout=300)
    finally:
        await bot.stop()
        await sandbox.stop()
    group_calls = [
        c for c in sandbox.calls
        if str(c.params.get("chat_id")) == str(GROUP) and c.method.lower() in ("sendmessage", "editmessagetext", "sendphoto")
    ]  # fmt: skip
    per_minute = Counter(int(c.time // 60) for c in group_calls)
    return {
        "db": label,
        "households": households,
        "ballots s": ballots_s,
        "votes s": votes_s,
        "votes/s": households * 1.1 / votes_s,
        "replies s": replies_s,
        "exact": exact,
        "board chars": len(board.get("text") or ""),
        "group max/min": max(per_minute.values()) if per_minute else 0,
        "group calls": len(group_calls),
    }


async def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=2000)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    results = []
    if args.only in (None, "sqlite"):
        workdir = Path(tempfile.mkdtemp(prefix="bench-consult-db-"))
        results.append(await run("SQLite", f"sqlite+aiosqlite:///{workdir / 'bench.db'}", args.households))
    if args.only in (None, "postgresql"):
        name = f"bench_consult_{uuid.uuid4().hex[:8]}"
        admin = create_engine(PG_ADMIN)
        async with admin.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            results.append(
                await run("PostgreSQL", f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}", args.households)
            )
        finally:
            async with admin.connect() as conn:
                conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
                await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            await admin.dispose()
    print("| database | households | all ballots | first press → last vote | answers/s | → last reply | exact | board chars | group sends+edits (max/min) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r['db']} | {r['households']} | {r['ballots s']:.0f} s | {r['votes s']:.0f} s | {r['votes/s']:.1f} "
            f"| {r['replies s']:.0f} s | {'yes' if r['exact'] else 'NO'} | {r['board chars']} "
            f"| {r['group calls']} ({r['group max/min']}) |"
        )
    ok = all(r["exact"] and r["votes s"] < 600 and r["board chars"] <= 4096 and r["group max/min"] <= 20 for r in results)  # type: ignore[operator]
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
