"""The control HTTP API used by the web chat page and out-of-process tests."""

from __future__ import annotations

import asyncio

from bot.sandbox import Sandbox
from bot.sandbox.__main__ import add_demo_personas


async def test_control_api_drives_a_conversation(sandbox: Sandbox, api) -> None:
    add_demo_personas(sandbox)
    base = f"{sandbox.base_url}/sandbox/api"
    s = api.session

    async def post(path: str, body: dict) -> dict:
        async with s.post(base + path, json=body) as resp:
            data = await resp.json()
            assert resp.status == 200, data
            return data

    async with s.get(f"{base}/state") as resp:
        state = await resp.json()
    assert [p["role_label"] for p in state["personas"]] == ["Cư dân", "Đảng viên", "Bí thư chi bộ"]
    fresh = await post("/users", {"first_name": "Tư", "role_label": "Cư dân mới"})
    assert fresh["id"] > 900000 and fresh["phone"]

    await post("/users/1001/send", {"text": "/start"})
    updates = await api.ok("getUpdates")
    assert updates[-1]["message"]["text"] == "/start"
    await api.ok(
        "sendMessage",
        chat_id=1001,
        text="Chọn",
        reply_markup={"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]},
    )

    # long-poll for changes, then read the chat
    async with s.get(f"{base}/chats/1001/messages?since_rev=0&wait=1") as resp:
        chat = await resp.json()
    bot_msg = chat["messages"][-1]
    assert bot_msg["from_bot"] and bot_msg["text"] == "Chọn"

    async def answer_later() -> None:
        await sandbox.wait_until(lambda: sandbox.callbacks, timeout=2)
        query_id = next(iter(sandbox.callbacks))
        await api.ok("answerCallbackQuery", callback_query_id=query_id, text="Đã chọn A")

    task = asyncio.create_task(answer_later())
    pressed = await post(
        "/users/1001/press",
        {"chat_id": 1001, "message_id": bot_msg["message_id"], "callback_data": "a", "timeout": 3},
    )
    await task
    assert pressed == {
        "answered": True,
        "answer": {"text": "Đã chọn A", "show_alert": False, "url": None, "cache_time": 0},
    }

    group_id = -1001000000001
    await post("/users/1003/add_bot", {"chat_id": group_id, "as_admin": True})
    async with s.get(f"{base}/users/1001/chats") as resp:
        chats = await resp.json()
    assert {c["id"] for c in chats} == {1001, group_id}
    shared = await post("/users/1001/share_contact", {})
    assert shared["contact"]["user_id"] == 1001

    fault = await post("/faults", {"method": "sendMessage", "kind": "500"})
    assert fault["times"] == 1
    status, _ = await api("sendMessage", chat_id=1001, text="x")
    assert status == 500
    async with s.get(f"{base}/records/calls") as resp:
        calls = await resp.json()
    assert calls[-1]["outcome"].startswith("fault 500")
    async with s.get(f"{base}/records/violations") as resp:
        assert await resp.json() == []
    async with s.post(f"{base}/users/424242/send", json={"text": "x"}) as resp:
        assert resp.status == 404
