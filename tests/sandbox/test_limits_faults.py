"""Flood limits (with an injected clock) and injected/persistent faults."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest
import pytest_asyncio

from bot.sandbox import Sandbox

from .conftest import ApiClient


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest_asyncio.fixture
async def clocked() -> AsyncIterator[tuple[Sandbox, ApiClient, FakeClock]]:
    clock = FakeClock()
    sb = await Sandbox.start(clock=clock, webchat=False)
    try:
        async with aiohttp.ClientSession() as session:
            yield sb, ApiClient(sb, session), clock
    finally:
        await sb.stop()


def started_users(sb: Sandbox, count: int) -> list[int]:
    ids = []
    for i in range(count):
        user = sb.user(5000 + i, f"User {i}")
        user.started = True
        ids.append(user.id)
    return ids


async def test_private_chat_token_bucket(clocked) -> None:
    sb, api, clock = clocked
    (uid,) = started_users(sb, 1)
    for _ in range(3):
        await api.ok("sendMessage", chat_id=uid, text="x")
    status, body = await api("sendMessage", chat_id=uid, text="x")
    assert status == 429
    assert body == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 1",
        "parameters": {"retry_after": 1},
    }
    assert len(sb.messages(uid)) == 3 and len(sb.rate_limited) == 1
    clock.now += 1.0
    await api.ok("sendMessage", chat_id=uid, text="x")
    status, _ = await api("sendMessage", chat_id=uid, text="x")
    assert status == 429


async def test_global_thirty_per_second(clocked) -> None:
    sb, api, clock = clocked
    ids = started_users(sb, 31)
    for uid in ids[:30]:
        await api.ok("sendMessage", chat_id=uid, text="x")
        clock.now += 0.01
    status, body = await api("sendMessage", chat_id=ids[30], text="x")
    assert status == 429 and body["parameters"]["retry_after"] == 1
    assert sb.messages(ids[30]) == []
    clock.now += 0.8
    assert await api.ok("sendMessage", chat_id=ids[30], text="x")


async def test_group_twenty_per_minute(clocked) -> None:
    sb, api, clock = clocked
    grp = sb.group(-100123, "Thôn A", type="supergroup")
    grp.bot_status = "member"
    for _ in range(20):
        await api.ok("sendMessage", chat_id=grp.id, text="x")
        clock.now += 1.0
    status, body = await api("sendMessage", chat_id=grp.id, text="x")
    assert status == 429 and body["parameters"]["retry_after"] == 40
    assert len(sb.messages(grp.id)) == 20
    sb.limits_enabled = False
    assert await api.ok("sendMessage", chat_id=grp.id, text="x")


async def test_injected_429_and_500(sandbox: Sandbox, api) -> None:
    alice = sandbox.user(1001, "Alice")
    await alice.send("/start")
    sandbox.inject_fault("sendMessage", "429", chat_id=1001, retry_after=2)
    sandbox.inject_fault("sendMessage", "500")
    status, body = await api("sendMessage", chat_id=1001, text="x")
    assert status == 429 and body["parameters"] == {"retry_after": 2}
    status, body = await api("sendMessage", chat_id=1001, text="x")
    assert (status, body["description"]) == (500, "Internal Server Error")
    assert await api.ok("sendMessage", chat_id=1001, text="x")
    assert len(sandbox.messages(1001)) == 1
    assert [c.outcome.split(":")[0] for c in sandbox.calls] == ["fault 429", "fault 500", "ok"]


@pytest.mark.parametrize(
    ("kind", "status", "description"),
    [
        ("blocked", 403, "Forbidden: bot was blocked by the user"),
        ("kicked", 403, "Forbidden: bot was kicked from the group chat"),
        ("migrate", 400, "Bad Request: group chat was upgraded to a supergroup chat"),
    ],
)
async def test_injected_error_kinds(sandbox: Sandbox, api, kind, status, description) -> None:
    grp = sandbox.group(-123, "Thôn B")
    grp.bot_status = "member"
    sandbox.inject_fault("sendMessage", kind, times=1)
    got_status, body = await api("sendMessage", chat_id=-123, text="x")
    assert (got_status, body["description"]) == (status, description)
    if kind == "migrate":
        assert body["parameters"] == {"migrate_to_chat_id": -100123}
    assert sandbox.messages(-123) == []


async def test_timeout_before_does_not_deliver(sandbox: Sandbox, api) -> None:
    alice = sandbox.user(1001, "Alice")
    await alice.send("/start")
    sandbox.inject_fault("sendMessage", "timeout_before")
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(api("sendMessage", chat_id=1001, text="lost"), 0.3)
    assert await api.ok("getMe")  # other requests are not blocked
    assert sandbox.messages(1001) == []


async def test_timeout_after_delivers(sandbox: Sandbox, api) -> None:
    alice = sandbox.user(1001, "Alice")
    await alice.send("/start")
    sandbox.inject_fault("sendMessage", "timeout_after")
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(api("sendMessage", chat_id=1001, text="ambiguous"), 0.3)
    assert [m["text"] for m in sandbox.messages(1001)] == ["ambiguous"]


async def test_persistent_kick_and_migration(sandbox: Sandbox, api) -> None:
    alice = sandbox.user(1001, "Alice")
    grp = sandbox.group(-123, "Thôn A")
    grp.set_member(alice, "creator")
    await alice.add_bot_to(grp)
    assert await api.ok("sendMessage", chat_id=-123, text="hi")
    new = await grp.migrate_to_supergroup(-1009999)
    status, body = await api("sendMessage", chat_id=-123, text="x")
    assert status == 400 and body["parameters"] == {"migrate_to_chat_id": -1009999}
    assert await api.ok("sendMessage", chat_id=-1009999, text="x")
    updates = await api.ok("getUpdates")
    kinds = [next(k for k in u if k != "update_id") for u in updates]
    assert kinds == ["my_chat_member", "message", "message", "message"]
    assert updates[2]["message"]["migrate_to_chat_id"] == -1009999
    assert updates[3]["message"]["migrate_from_chat_id"] == -123
    await alice.remove_bot_from(new)
    status, body = await api("sendMessage", chat_id=-1009999, text="x")
    assert (status, body["description"]) == (
        403,
        "Forbidden: bot was kicked from the supergroup chat",
    )


def test_global_limit_tolerates_jitter_but_not_a_faster_sender() -> None:
    from bot.sandbox.limits import RateLimiter

    clock = FakeClock()
    steady = RateLimiter(clock)
    refused = 0
    for i in range(300):  # exactly 30/s, arrivals up to 20 ms early or late
        clock.now = 1000.0 + i / 30 + (0.02 if i % 7 == 0 else -0.02 if i % 5 == 0 else 0.0)
        refused += steady.acquire(9000 + i, "private") > 0
    assert refused == 0
    clock.now = 2000.0
    fast = RateLimiter(clock)
    refused = 0
    for i in range(320):  # 32/s, perfectly even
        clock.now = 2000.0 + i / 32
        refused += fast.acquire(19000 + i, "private") > 0
    assert refused > 0
