"""The Zalo sandbox answers as the documented Zalo Bot API does."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.sandbox.zalo import ZaloSandbox

TOKEN = "1234567890:zalo-secret"


@pytest.fixture
async def zalo() -> AsyncIterator[ZaloSandbox]:
    sb = await ZaloSandbox.start()
    yield sb
    await sb.stop()


async def call(sb: ZaloSandbox, method: str, **params: Any) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as http, http.post(f"{sb.base_url}/bot{TOKEN}/{method}", json=params) as r:
        return r.status, await r.json()


async def test_get_me_and_the_envelope(zalo: ZaloSandbox) -> None:
    status, body = await call(zalo, "getMe")
    assert status == 200 and body["ok"] is True and body["result"]["id"] == "1234567890"


async def test_unknown_and_wrongly_cased_methods_are_errors(zalo: ZaloSandbox) -> None:
    for method in ("editMessageText", "sendmessage", "answerCallbackQuery", "sendDocument"):
        status, body = await call(zalo, method, chat_id="x")
        assert (status, body["ok"], body["error_code"]) == (404, False, 404), method


async def test_get_updates_hands_out_one_update_then_408(zalo: ZaloSandbox) -> None:
    user = zalo.user("Lan")
    await user.send("một")
    await user.send("hai")
    _, first = await call(zalo, "getUpdates", timeout=1)
    _, second = await call(zalo, "getUpdates", timeout=1)
    assert first["result"]["message"]["text"] == "một" and second["result"]["message"]["text"] == "hai"
    message = first["result"]["message"]
    assert first["result"]["event_name"] == "message.text.received"
    assert len(message["from"]["id"]) == 20 and message["chat"] == {"id": user.id, "chat_type": "PRIVATE"}
    assert message["date"] > 10**12  # milliseconds
    status, idle = await call(zalo, "getUpdates", timeout=0)
    assert (status, idle["ok"], idle["error_code"]) == (408, False, 408)


async def test_send_message_limits_and_refused_parameters(zalo: ZaloSandbox) -> None:
    user = zalo.user("Lan")
    status, body = await call(zalo, "sendMessage", chat_id=user.id, text="x" * 2000)
    assert status == 200 and len(body["result"]["message_id"]) == 20
    for params in ({"text": "x" * 2001}, {"text": ""}, {"text": "a", "reply_markup": {}}, {"text": "a", "parse_mode": "HTML"}):
        status, body = await call(zalo, "sendMessage", chat_id=user.id, **params)
        assert status == 400 and body["ok"] is False, params
    assert zalo.violations == ["sendMessage: reply_markup", "sendMessage: parse_mode"]
    status, _ = await call(zalo, "sendMessage", chat_id="0" * 20, text="a")
    assert status == 400
    assert [m["text"] for m in user.messages()] == ["x" * 2000]


async def test_quota_exceeded_is_429_without_retry_after(zalo: ZaloSandbox) -> None:
    user = zalo.user("Lan")
    zalo.quota = 1
    assert (await call(zalo, "sendMessage", chat_id=user.id, text="a"))[0] == 200
    status, body = await call(zalo, "sendMessage", chat_id=user.id, text="b")
    assert status == 429 and body["description"] == "Quota exceeded" and "parameters" not in body


async def test_send_photo_downloads_the_url(zalo: ZaloSandbox) -> None:
    user = zalo.user("Lan")
    async def png(_request: web.Request) -> web.Response:
        return web.Response(body=b"\x89PNG", content_type="image/png")

    app = web.Application()
    app.router.add_get("/p.png", png)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]  # noqa: SLF001
    try:
        status, _ = await call(zalo, "sendPhoto", chat_id=user.id, photo=f"http://127.0.0.1:{port}/p.png", caption="QR")
        assert status == 200 and list(zalo.photos.values()) == [b"\x89PNG"]
        status, _ = await call(zalo, "sendPhoto", chat_id=user.id, photo=f"http://127.0.0.1:{port}/missing.png")
        assert status == 400
    finally:
        await runner.cleanup()


async def test_webhook_mode_posts_with_the_secret_and_blocks_polling(zalo: ZaloSandbox) -> None:
    got: list[tuple[str, dict[str, Any]]] = []

    async def receive(request: web.Request) -> web.Response:
        got.append((request.headers["X-Bot-Api-Secret-Token"], await request.json()))
        return web.Response(status=200)

    app = web.Application()
    app.router.add_post("/hook", receive)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]  # noqa: SLF001
    try:
        assert (await call(zalo, "setWebhook", url=f"http://127.0.0.1:{port}/hook", secret_token="short"))[0] == 400
        assert (await call(zalo, "setWebhook", url=f"http://127.0.0.1:{port}/hook", secret_token="s" * 16))[0] == 200
        await zalo.user("Lan").send("chào")
        await zalo.wait_until(lambda: got, 5)
        secret, body = got[0]
        assert secret == "s" * 16 and body["result"]["message"]["text"] == "chào"
        assert (await call(zalo, "getUpdates", timeout=0))[0] == 400
    finally:
        await runner.cleanup()


async def test_the_web_chat_offers_zalo_personas(zalo: ZaloSandbox) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{zalo.base_url}/") as r:
            assert r.status == 200 and "Zalo" in await r.text()
        async with http.post(f"{zalo.base_url}/api/personas", json={"name": "Bà Hoa"}) as r:
            persona = await r.json()
        async with http.post(f"{zalo.base_url}/api/send", json={"user_id": persona["id"], "text": "chào"}) as r:
            assert r.status == 200
        _, update = await call(zalo, "getUpdates", timeout=0)
        await call(zalo, "sendMessage", chat_id=persona["id"], text="Xin chào bà")
        async with http.get(f"{zalo.base_url}/api/messages", params={"user_id": persona["id"]}) as r:
            shown = await r.json()
    assert update["result"]["message"]["text"] == "chào"
    assert [(m.get("mine", False), m["text"]) for m in shown] == [(True, "chào"), (False, "Xin chào bà")]
