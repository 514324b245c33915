"""Several processes on PostgreSQL: a web process and two workers, one killed with -9.

Residents' questions are each answered, in order per chat; the broadcast reaches
every recipient once at Telegram's pace for the whole installation (the sandbox
enforces 30/s and answers 429 beyond it: none may be seen); when the sending leader
dies, the other worker takes over and sending resumes. (``bench/bench_multiprocess.py``
runs the issue's full size: 50 residents, 1,000 recipients.)
"""

from __future__ import annotations

import asyncio
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.sandbox import Sandbox
from tests.conftest import _port_open, fresh_pg_database
from tests.data_org import ORG_YAML
from tests.e2e.harness import BotProcess
from tests.e2e.seeding import broadcast_to_residents, seed_residents

SECRET = "mP3x9QvL2rT7wZ1kB5nH8cJ4dF6gY0sAeUiOq"
MARK = "Thông báo họp thôn"
RECIPIENTS = 300
RESIDENTS = 20


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RoleProcess(BotProcess):
    """``villagebot run --role ROLE``; started without waiting for a poll (a web
    process and a standby worker never call Telegram)."""

    def __init__(self, *args: object, role: str, **env: str) -> None:
        super().__init__(*args, **env)  # type: ignore[arg-type]
        self.role = role

    async def start(self) -> None:
        self.starts += 1
        self.workdir.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "run", "--role", self.role,
            cwd=self.workdir, env=self.env(), stdout=log, stderr=log,
        )
        log.close()


@pytest.fixture
async def pg_url() -> AsyncIterator[str]:
    async with fresh_pg_database("villagebot_multi") as url:
        yield url


def _received(sandbox: Sandbox, chat_id: int) -> list[str]:
    return [m.get("text") or "" for m in sandbox.messages(chat_id)]


async def test_web_and_two_workers_survive_a_killed_leader(sandbox: Sandbox, pg_url: str, tmp_path: Path) -> None:
    recipients = await seed_residents(pg_url, sandbox, ORG_YAML, RECIPIENTS)
    port = free_port()
    env = {
        "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram", "WEBHOOK_SECRET": SECRET,
        "WEBHOOK_LISTEN": f"127.0.0.1:{port}",
    }
    first = RoleProcess(sandbox, pg_url, tmp_path / "w1", role="worker", **env)
    second = RoleProcess(sandbox, pg_url, tmp_path / "w2", role="worker", **env)
    web = RoleProcess(sandbox, pg_url, tmp_path / "web", role="web", **env)
    processes = [first, second, web]
    try:
        await first.start()
        await sandbox.wait_until(lambda: sandbox.webhook is not None, timeout=30)  # the leader set it
        await second.start()
        await web.start()
        await sandbox.wait_until(lambda: _port_open("127.0.0.1", port), timeout=30)

        residents = [sandbox.user(30_000 + n, f"Cư dân {n}", language_code="vi") for n in range(RESIDENTS)]
        for user in residents:
            await user.send("/start v_nam-bac-thanh")
        await sandbox.wait_until(
            lambda: all(any("Chào mừng" in t for t in _received(sandbox, u.id)) for u in residents), timeout=120
        )
        before = {u.id: len(_received(sandbox, u.id)) for u in residents}
        await broadcast_to_residents(pg_url, MARK)
        await sandbox.wait_until(lambda: sum(MARK in "".join(_received(sandbox, r)) for r in recipients) >= 30,
                                 timeout=60)
        questions = ("tieu chi so 1 la gi", "tieu chi so 2 la gi", "tieu chi so 3 la gi")
        for question in questions:
            for user in residents:
                await user.send(question)
        await first.kill()  # the leader (it set the webhook), mid-broadcast and mid-questions

        def answered() -> bool:
            return all(len(_received(sandbox, u.id)) - before[u.id] >= len(questions) for u in residents)

        await sandbox.wait_until(answered, timeout=180)
        await sandbox.wait_until(
            lambda: all(MARK in "".join(_received(sandbox, r)) for r in recipients), timeout=120
        )
        await asyncio.sleep(2.0)  # let a duplicate arrive before counting

        duplicates = 0
        for user in residents:
            replies = [t for t in _received(sandbox, user.id)[before[user.id]:] if t.startswith("Tiêu chí ")]
            numbers = [int(t.split()[2]) for t in replies]
            assert sorted(set(numbers)) == [1, 2, 3], replies
            first_seen = [n for i, n in enumerate(numbers) if n not in numbers[:i]]
            assert first_seen == [1, 2, 3], f"out of order for {user.id}: {numbers}"
            duplicates += len(numbers) - 3
        copies = [sum(MARK in t for t in _received(sandbox, r)) for r in recipients]
        assert min(copies) == 1
        # At least once: only a reply or row in flight at the kill can go twice.
        assert duplicates + sum(c - 1 for c in copies) <= 3
        too_many = [c for c in sandbox.calls if c.status == 429]
        assert too_many == [], [(c.method, c.params.get("chat_id"), c.time) for c in too_many]
        assert "now the sending leader" in second.log()
    finally:
        for process in processes:
            await process.stop()
    for process in (second, web):
        assert "Traceback" not in process.log(), process.log()[-3000:]
