"""Several bots in one installation (issue 18, part 2): two tokens, two communes.

One ``villagebot run`` process on PostgreSQL serves two bot tokens (``BOT_TOKENS``),
against a sandbox hub that keeps the two bots apart as Telegram does (their own
users' chats, updates and flood limits). Each commune is bound to its bot in the org
file. Residents of each commune start their own bot and are answered by it, never by
the other. A 300-recipient broadcast in commune A goes through bot A at bot A's pace
(30/s, no 429), and bot B's residents get their answers while it is still going: the
broadcast takes bot A's budget, not bot B's. (No timing is asserted: only the order of
events; ``bench/bench_multibot.py`` measures the footprint of 2 and 10 tokens.)
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import select

from bot.sandbox import Sandbox
from bot.sandbox.multi import SandboxHub
from bot.services.org_import import apply_org, parse_org
from storage.db import create_engine, create_sessionmaker
from storage.migrate import upgrade
from storage.models import OutboxMessage, User
from storage.repo import Repo
from tests.conftest import fresh_pg_database
from tests.e2e.harness import BotProcess
from tests.e2e.seeding import broadcast_to_residents, seed_residents

TOKEN_A = "515151:multibot-token-a"
TOKEN_B = "525252:multibot-token-b"
MARK = "Họp dân toàn xã Cẩm Thành"
RECIPIENTS = 300
RESIDENTS = 4

ORG = """\
communes:
  - code: cam-thanh
    name: Xã Cẩm Thành
    province: Hà Tĩnh
    criteria_set: ntm-2021-2025
    group: 2
    bot: hatinh
    villages:
      - code: nam-bac-thanh
        name: Thôn Nam Bắc Thành
        branch: Chi bộ thôn Nam Bắc Thành
        members:
          - {name: Nguyễn Thị A, role: secretary, phone: "0912000001", telegram_id: 1001}
  - code: hoa-binh
    name: Xã Hòa Bình
    province: Nghệ An
    criteria_set: ntm-2021-2025
    group: 2
    bot: nghean
    villages:
      - code: dong-hoa
        name: Thôn Đông Hòa
        branch: Chi bộ thôn Đông Hòa
        members:
          - {name: Lê Văn H, role: secretary, phone: "0912000051", telegram_id: 2001}
"""


class MultiBotProcess(BotProcess):
    """``villagebot run`` with ``BOT_TOKENS`` instead of ``BOT_TOKEN``."""

    def __init__(self, hub: SandboxHub, *args: object, **env: str) -> None:
        super().__init__(hub.bot(TOKEN_A), *args, **env)  # type: ignore[arg-type]
        self.hub = hub

    def env(self) -> dict[str, str]:
        env = super().env()
        env.pop("BOT_TOKEN", None)
        env.update(BOT_TOKENS=f"hatinh={TOKEN_A},nghean={TOKEN_B}", TELEGRAM_API_URL=self.hub.base_url)
        return env

    async def start(self) -> None:
        await super().start()  # bot A polls or sets its webhook; then bot B
        b = self.hub.bot(TOKEN_B)
        await b.wait_until(lambda: any(c.method.lower() in ("getupdates", "setwebhook") for c in b.calls), timeout=30)


@pytest.fixture
async def hub() -> AsyncIterator[SandboxHub]:
    hub = await SandboxHub.start({TOKEN_A: "hatinh_xa_bot", TOKEN_B: "nghean_xa_bot"}, limits=True)
    yield hub
    await hub.stop()
    for sb in hub.sandboxes.values():
        assert sb.violations == [], sb.violations
        assert sb.dropped_pending_updates_calls == []


@pytest.fixture
async def pg_url() -> AsyncIterator[str]:
    async with fresh_pg_database("villagebot_multibot") as url:
        yield url


async def _bot_keys(url: str) -> tuple[dict[int, str | None], dict[str | None, int]]:
    engine = create_engine(url)
    async with create_sessionmaker(engine)() as session:
        users = dict((await session.execute(select(User.platform_user_id, User.bot_key))).all())
        rows = (await session.execute(select(OutboxMessage.bot_key).where(OutboxMessage.kind == "broadcast"))).all()
    await engine.dispose()
    counts: dict[str | None, int] = {}
    for (key,) in rows:
        counts[key] = counts.get(key, 0) + 1
    return users, counts


def _texts(sb: Sandbox, chat_id: int) -> list[str]:
    return [m.get("text") or "" for m in sb.messages(chat_id)]


def _sent_to(sb: Sandbox) -> set[int]:
    return {int(c.params["chat_id"]) for c in sb.calls if c.method.lower() == "sendmessage" and "chat_id" in c.params}


async def test_two_bots_two_communes_and_a_broadcast_that_does_not_slow_the_other(
    hub: SandboxHub, pg_url: str, tmp_path: Path
) -> None:
    a, b = hub.bot(TOKEN_A), hub.bot(TOKEN_B)
    recipients = await seed_residents(pg_url, a, ORG, RECIPIENTS)
    process = MultiBotProcess(hub, pg_url, tmp_path)
    try:
        await process.start()
        # Each commune's residents start their own bot (its QR plaque's link).
        residents_a = [a.user(30_000 + n, f"Cư dân A{n}", language_code="vi") for n in range(RESIDENTS)]
        residents_b = [b.user(40_000 + n, f"Cư dân B{n}", language_code="vi") for n in range(RESIDENTS)]
        for user in residents_a:
            await user.send("/start v_nam-bac-thanh")
        for user in residents_b:
            await user.send("/start v_dong-hoa")
        await a.wait_until(lambda: all(any("Chào mừng" in t for t in _texts(a, u.id)) for u in residents_a), timeout=60)
        await b.wait_until(lambda: all(any("Chào mừng" in t for t in _texts(b, u.id)) for u in residents_b), timeout=60)

        users, _ = await _bot_keys(pg_url)
        assert {users[u.id] for u in residents_a} == {"hatinh"}
        assert {users[u.id] for u in residents_b} == {"nghean"}

        before_b = {u.id: len(_texts(b, u.id)) for u in residents_b}
        await broadcast_to_residents(pg_url, MARK)
        await a.wait_until(lambda: sum(MARK in "".join(_texts(a, r)) for r in recipients) >= 30, timeout=60)
        questions = ("tieu chi so 1 la gi", "tieu chi so 2 la gi")
        for question in questions:
            for user in residents_b:
                await user.send(question)

        def b_answered() -> bool:
            return all(len(_texts(b, u.id)) - before_b[u.id] >= len(questions) for u in residents_b)

        await b.wait_until(b_answered, timeout=60)
        delivered_when_b_done = sum(MARK in "".join(_texts(a, r)) for r in recipients)
        # Bot B answered while bot A's broadcast was still leaving at bot A's pace.
        assert delivered_when_b_done < RECIPIENTS, "the broadcast ended before bot B's answers: nothing was compared"

        await a.wait_until(lambda: all(MARK in "".join(_texts(a, r)) for r in recipients), timeout=120)
        await asyncio.sleep(1.0)
        for user in residents_b:
            replies = [t for t in _texts(b, user.id)[before_b[user.id]:] if t.startswith("Tiêu chí ")]
            assert sorted(int(t.split()[2]) for t in replies) == [1, 2], replies

        # Every message went through the bot of its recipient's commune, never the other.
        ours_a = {u.id for u in residents_a} | set(recipients) | {1001}
        ours_b = {u.id for u in residents_b} | {2001}
        assert _sent_to(a) <= ours_a, _sent_to(a) - ours_a
        assert _sent_to(b) <= ours_b, _sent_to(b) - ours_b
        assert not any(MARK in "".join(_texts(b, r)) for r in ours_b)
        _, rows = await _bot_keys(pg_url)
        assert rows == {"hatinh": RECIPIENTS + RESIDENTS}  # its residents who onboarded too
        copies = [sum(MARK in t for t in _texts(a, r)) for r in recipients]
        assert min(copies) == 1 and max(copies) == 1
        for sb in (a, b):
            too_many = [c for c in sb.calls if c.status == 429]
            assert too_many == [], [(c.method, c.params.get("chat_id")) for c in too_many]
    finally:
        await process.stop()
    assert "Traceback" not in process.log(), process.log()[-3000:]


async def test_each_bot_receives_on_its_own_webhook_path(hub: SandboxHub, tmp_path: Path) -> None:
    """aiogram's multibot webhook pattern: bot KEY at WEBHOOK_URL/KEY, one listener, one secret."""
    import socket

    url = f"sqlite+aiosqlite:///{tmp_path / 'webhook.db'}"
    engine = create_engine(url)
    await upgrade(engine)
    async with create_sessionmaker(engine)() as session:
        await apply_org(Repo(session), parse_org(ORG))
        await session.commit()
    await engine.dispose()
    ports = []
    for _ in range(2):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            ports.append(probe.getsockname()[1])
    port, metrics_port = ports
    a, b = hub.bot(TOKEN_A), hub.bot(TOKEN_B)
    process = MultiBotProcess(
        hub, url, tmp_path, WEBHOOK_URL=f"http://127.0.0.1:{port}/telegram",
        WEBHOOK_SECRET="mP3x9QvL2rT7wZ1kB5nH8cJ4dF6gY0sAeUiOq", WEBHOOK_LISTEN=f"127.0.0.1:{port}",
        METRICS_LISTEN=f"127.0.0.1:{metrics_port}",
    )
    try:
        await process.start()
        await b.wait_until(lambda: b.webhook is not None, timeout=30)
        assert a.webhook is not None and a.webhook["url"].endswith("/telegram/hatinh")
        assert b.webhook["url"].endswith("/telegram/nghean")
        lan, hoa = a.user(31_000, "Lan", language_code="vi"), b.user(41_000, "Hoa", language_code="vi")
        await lan.send("/start v_nam-bac-thanh")
        await hoa.send("/start v_dong-hoa")
        await a.wait_until(lambda: any("Chào mừng" in t for t in _texts(a, lan.id)), timeout=60)
        await b.wait_until(lambda: any("Chào mừng" in t for t in _texts(b, hoa.id)), timeout=60)
        assert _sent_to(a) == {lan.id} and _sent_to(b) == {hoa.id}
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{metrics_port}/metrics") as response:
                body = await response.text()
        assert 'villagebot_bot_is_leader{bot="hatinh"} 1.0' in body
        assert 'villagebot_bot_is_leader{bot="nghean"} 1.0' in body
    finally:
        await process.stop()
    assert "Traceback" not in process.log(), process.log()[-3000:]
