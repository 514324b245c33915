"""Operations from outside: /healthz and /metrics on METRICS_LISTEN, JSON logs that
hold neither a phone number nor what people wrote (the real process, the sandbox)."""

from __future__ import annotations

import json
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.sandbox import Sandbox
from tests.e2e.harness import BotProcess


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
async def monitored(sandbox: Sandbox, e2e_db: str, tmp_path: Path) -> AsyncIterator[tuple[BotProcess, str]]:
    port = _free_port()
    process = BotProcess(sandbox, e2e_db, tmp_path, METRICS_LISTEN=f"127.0.0.1:{port}", LOG_FORMAT="json")
    await process.start()
    yield process, f"http://127.0.0.1:{port}"
    await process.stop()


async def _get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        return response.status, await response.text()


async def test_health_metrics_and_clean_json_logs(sandbox: Sandbox, monitored: tuple[BotProcess, str]) -> None:
    process, base = monitored

    async def healthy() -> dict[str, object] | None:
        status, body = await _get(f"{base}/healthz")
        data = json.loads(body)
        return data if status == 200 else None

    health = await sandbox.wait_until(healthy, timeout=15)
    assert health == {"ok": True, "database": "ok", "sender": "ok", "inbox": "ok", "outbox": "ok"}

    secret_words = "đường bê tông nhà tôi số 0987654321 bao giờ làm"
    member = sandbox.user(3101, "Bình", language_code="vi", phone="+84 912 000 002")
    await member.send("/start")
    await member.next_message()
    await member.share_contact()
    await member.send(secret_words)
    await member.next_message()

    async def counted() -> str | None:
        status, body = await _get(f"{base}/metrics")
        assert status == 200
        handled = [line for line in body.splitlines() if line.startswith('villagebot_updates_handled_total{result="ok"}')]
        return body if handled and float(handled[0].split()[-1]) >= 3 else None

    body = await sandbox.wait_until(counted, timeout=15)
    assert 'villagebot_api_calls_total{bot="default",method="SendMessage",result="ok"}' in body
    assert 'villagebot_inbox_rows{status="done"}' in body
    assert "villagebot_handler_seconds_bucket" in body
    assert "villagebot_sender_heartbeat_age_seconds" in body
    assert "villagebot_is_leader 1.0" in body  # one process: it leads

    await process.stop()
    lines = [line for line in process.log().splitlines() if line.strip()]
    assert lines and all(json.loads(line)["level"] for line in lines), lines[:5]
    text = process.log()
    for leaked in ("0912000002", "912 000 002", "84912000002", "0987654321", "bê tông", "bao giờ làm"):
        assert leaked not in text, leaked


async def test_health_says_503_and_why_when_the_database_is_gone() -> None:
    from datetime import UTC, datetime

    from bot.monitoring import check_health
    from storage.db import create_engine, create_sessionmaker

    engine = create_engine("postgresql+asyncpg://postgres@127.0.0.1:9/nothing")  # nobody listens
    try:
        health, snap = await check_health(create_sessionmaker(engine), datetime.now(UTC))
    finally:
        await engine.dispose()
    assert not health.ok and snap is None
    assert health.checks["database"].startswith("unreachable")


async def test_a_second_process_on_sqlite_is_refused(sandbox: Sandbox, bot_process: BotProcess, tmp_path: Path) -> None:
    second = BotProcess(sandbox, bot_process.database_url, tmp_path / "second")
    (tmp_path / "second").mkdir()
    code, out = await second.run_cli("run")
    assert code == 2, out
    assert "another villagebot process is already running" in out and "PostgreSQL" in out
    assert "Traceback" not in out
    # the first one is untouched and still answers
    resident = sandbox.user(3201, "Hoa", language_code="vi")
    await resident.send("/start")
    assert await resident.next_message()
