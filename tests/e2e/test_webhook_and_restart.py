"""Webhook mode, redelivered updates and updates sent while the bot was down."""

from __future__ import annotations

import socket

from bot.sandbox import Sandbox
from tests.e2e.harness import BotProcess
from tests.e2e.test_onboarding import next_containing


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_webhook_mode_with_secret(sandbox: Sandbox, e2e_db: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    port = free_port()
    process = BotProcess(
        sandbox,
        e2e_db,
        tmp_path,
        WEBHOOK_URL=f"http://127.0.0.1:{port}/telegram",
        WEBHOOK_SECRET="s3cret-token",
        WEBHOOK_LISTEN=f"127.0.0.1:{port}",
    )
    await process.start()
    try:
        assert sandbox.webhook is not None and sandbox.webhook["url"].endswith("/telegram")
        user = sandbox.user(5001, "Hoa")
        await user.send("/start v_trung-thanh")
        assert "Thôn Trung Thành" in (await user.next_message())["text"]
    finally:
        await process.stop()
    assert "Traceback" not in process.log()


async def test_updates_sent_while_down_are_handled_once(sandbox: Sandbox, e2e_db: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    process = BotProcess(sandbox, e2e_db, tmp_path)
    await process.start()
    await process.stop()
    user = sandbox.user(5002, "Minh")
    await user.send("/start v_trung-thanh")  # the bot is down
    await process.start()
    try:
        await next_containing(user, "Thôn Trung Thành")
        await user.next_message()  # help text
        await process.kill()  # kill -9 right after: nothing in flight
        await process.start()
        await user.send("/help")
        await next_containing(user, "/tieuchi")
        welcomes = [m for m in sandbox.messages(user.id) if "Chào mừng" in (m.get("text") or "")]
        assert len(welcomes) == 1
    finally:
        await process.stop()
