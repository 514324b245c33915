"""The sandbox hub: several bots on one server, apart as on Telegram."""

from __future__ import annotations

from typing import Any

import aiohttp

from bot.sandbox.multi import SandboxHub

A, B = "111:hub-a", "222:hub-b"


class FakeClock:
    now = 1000.0

    def __call__(self) -> float:
        return self.now


async def _call(session: aiohttp.ClientSession, hub: SandboxHub, token: str, method: str, **params: Any) -> tuple[int, dict[str, Any]]:
    async with session.post(f"{hub.base_url}/bot{token}/{method}", json=params) as response:
        return response.status, await response.json()


async def test_each_token_is_its_own_bot_with_its_own_limits() -> None:
    hub = await SandboxHub.start({A: "tinh_a_bot", B: "tinh_b_bot"}, clock=FakeClock())
    try:
        a, b = hub.bot(A), hub.bot(B)
        for sb, first in ((a, 5000), (b, 6000)):
            for i in range(31):
                sb.user(first + i, f"User {i}").started = True
        async with aiohttp.ClientSession() as session:
            status, me = await _call(session, hub, A, "getMe")
            assert (status, me["result"]["username"], me["result"]["id"]) == (200, "tinh_a_bot", 111)
            status, me = await _call(session, hub, B, "getMe")
            assert (status, me["result"]["username"], me["result"]["id"]) == (200, "tinh_b_bot", 222)
            status, _ = await _call(session, hub, "333:not-ours", "getMe")
            assert status == 401
            # Bot A spends its 30 messages a second; bot B still has all of its own.
            for i in range(30):
                status, _ = await _call(session, hub, A, "sendMessage", chat_id=5000 + i, text="a")
                assert status == 200
            status, body = await _call(session, hub, A, "sendMessage", chat_id=5030, text="a")
            assert status == 429, body
            status, _ = await _call(session, hub, B, "sendMessage", chat_id=6000, text="b")
            assert status == 200
            # A bot reaches only the people who started it.
            status, _ = await _call(session, hub, B, "sendMessage", chat_id=5001, text="b")
            assert status in (400, 403)
        assert len(a.rate_limited) == 1 and b.rate_limited == []
        assert [m["text"] for m in b.messages(6000)] == ["b"] and a.messages(6000) == []
    finally:
        await hub.stop()
