"""getUpdates, webhooks, privacy mode and the user-side helpers."""

from __future__ import annotations

import asyncio

from aiohttp import web

from bot.sandbox import Sandbox


async def test_offset_confirms_and_pending_survive_restart(sandbox: Sandbox, api) -> None:
    alice = sandbox.user(1001, "Alice")
    await alice.send("one")
    await alice.send("two")
    first = await api.ok("getUpdates", limit=1)
    assert [u["message"]["text"] for u in first] == ["one"]
    # an unconfirmed update is delivered again (e.g. the bot restarted)
    again = await api.ok("getUpdates")
    assert [u["message"]["text"] for u in again] == ["one", "two"]
    rest = await api.ok("getUpdates", offset=first[0]["update_id"] + 1)
    assert [u["message"]["text"] for u in rest] == ["two"]
    await api.ok("getUpdates", offset=rest[-1]["update_id"] + 1)
    assert sandbox.updates == []


async def test_long_poll_waits_for_update(sandbox: Sandbox, api) -> None:
    alice = sandbox.user(1001, "Alice")
    poll = asyncio.create_task(api.ok("getUpdates", timeout=5))
    await asyncio.sleep(0.1)
    assert not poll.done()
    await alice.send("hello")
    updates = await asyncio.wait_for(poll, 2)
    assert updates[0]["message"]["text"] == "hello"
    assert await api.ok("getUpdates", offset=updates[0]["update_id"] + 1, timeout=0) == []


async def test_second_poller_conflicts_first(sandbox: Sandbox, api) -> None:
    first = asyncio.create_task(api("getUpdates", timeout=5))
    await asyncio.sleep(0.1)
    assert await api.ok("getUpdates", timeout=0) == []
    status, body = await asyncio.wait_for(first, 2)
    assert status == 409 and "terminated by other getUpdates" in body["description"]


async def test_allowed_updates_filters(sandbox: Sandbox, api) -> None:
    alice = sandbox.user(1001, "Alice")
    await api.ok("getUpdates", allowed_updates=["callback_query"])
    await alice.send("ignored")
    assert await api.ok("getUpdates") == []


async def test_webhook_delivery_with_secret_and_retry(sandbox: Sandbox, api) -> None:
    received: list[tuple[str | None, dict]] = []
    fail_first = [True]

    async def hook(request: web.Request) -> web.Response:
        if fail_first.pop() if fail_first else False:
            return web.Response(status=500)
        received.append(
            (request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json())
        )
        return web.Response()

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # noqa: SLF001
    try:
        alice = sandbox.user(1001, "Alice")
        await alice.send("before webhook")
        await api.ok("setWebhook", url=f"http://127.0.0.1:{port}/hook", secret_token="s3cret")
        status, body = await api("getUpdates")
        assert status == 409 and body["description"].startswith("Conflict: can't use getUpdates")
        await alice.send("after webhook")
        await sandbox.wait_until(lambda: len(received) == 2, timeout=5)
        assert [r[0] for r in received] == ["s3cret", "s3cret"]
        assert [r[1]["message"]["text"] for r in received] == ["before webhook", "after webhook"]
        info = await api.ok("getWebhookInfo")
        assert info["pending_update_count"] == 0 and "last_error_message" in info
        await api.ok("deleteWebhook")
        assert sandbox.dropped_pending_updates_calls == []
        await api.ok("deleteWebhook", drop_pending_updates=True)
        assert len(sandbox.dropped_pending_updates_calls) == 1
    finally:
        await runner.cleanup()


async def test_privacy_mode_in_groups(sandbox: Sandbox, api) -> None:
    alice = sandbox.user(1001, "Alice", username="alice_vn")
    bob = sandbox.user(1002, "Bob")
    grp = sandbox.group(-100123, "Thôn A", type="supergroup")
    await alice.send("before the bot joined", chat=grp)
    await alice.add_bot_to(grp)
    await alice.send("chatter", chat=grp)
    await alice.send("/report", chat=grp)
    await alice.send("/report@otherbot", chat=grp)
    await alice.send("hey @villagebot", chat=grp)
    await api.ok("sendMessage", chat_id=grp.id, text="bot says")
    bot_msg = sandbox.messages(grp.id)[0]
    await bob.send("reply to bot", chat=grp, reply_to=bot_msg)
    updates = await api.ok("getUpdates")
    seen = [u["message"].get("text") for u in updates if "message" in u]
    assert seen == [None, "/report", "hey @villagebot", "reply to bot"]  # None: new_chat_members
    assert updates[0]["my_chat_member"]["new_chat_member"]["status"] == "member"
    # as an administrator the bot sees everything
    grp.bot_status = "administrator"
    await bob.send("now visible", chat=grp)
    last = await api.ok("getUpdates", offset=updates[-1]["update_id"] + 1)
    assert last[0]["message"]["text"] == "now visible"


async def test_user_helpers(sandbox: Sandbox, api) -> None:
    alice = sandbox.user(1001, "Alice", phone="0912000001")
    await alice.send("/start")
    await api.ok(
        "sendMessage",
        chat_id=1001,
        text="Chia sẻ số",
        reply_markup={
            "keyboard": [[{"text": "Chia sẻ số điện thoại", "request_contact": True}]],
            "resize_keyboard": True,
        },
    )
    shared = await alice.press_reply_button("Chia sẻ số điện thoại")
    assert shared["contact"] == {
        "phone_number": "0912000001",
        "first_name": "Alice",
        "user_id": 1001,
    }
    other = await alice.share_contact(phone="0912999999")
    assert "user_id" not in other["contact"]
    await alice.send_location(21.0, 105.8)
    await alice.send_sticker()
    await alice.send_voice()
    photo = await alice.send_photo(b"\x89PNG fake", caption="ảnh")
    file = await api.ok("getFile", file_id=photo["photo"][-1]["file_id"])
    resp = await api.session.get(f"{sandbox.base_url}/file/bot123456:x/{file['file_path']}")
    assert await resp.read() == b"\x89PNG fake"
    updates = await api.ok("getUpdates")
    kinds = [
        sorted(set(u["message"]) & {"text", "contact", "location", "sticker", "voice", "photo"})
        for u in updates
    ]
    assert kinds == [
        ["text"],
        ["contact"],
        ["contact"],
        ["location"],
        ["sticker"],
        ["voice"],
        ["photo"],
    ]
    await api.ok("sendMessage", chat_id=1001, text="xong", reply_markup={"remove_keyboard": True})
    assert alice.current_reply_keyboard() is None


async def test_next_message_and_press_timeout(sandbox: Sandbox, api) -> None:
    alice = sandbox.user(1001, "Alice")
    await alice.send("/start")
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    await api.ok("sendMessage", chat_id=1001, text="first", reply_markup=markup)
    await api.ok("sendMessage", chat_id=1001, text="second")
    one = await alice.next_message(timeout=1)
    two = await alice.next_message(timeout=1)
    assert (one["text"], two["text"]) == ("first", "second")
    try:
        await alice.next_message(timeout=0.1)
    except TimeoutError as exc:
        assert "second" in str(exc)
    else:
        raise AssertionError("expected TimeoutError")
    assert await alice.press(one, "A", timeout=0.1) is None  # nobody answers
    updates = await api.ok("getUpdates")
    query = updates[-1]["callback_query"]
    assert query["data"] == "a" and query["message"]["text"] == "first"
    assert await api.ok("answerCallbackQuery", callback_query_id=query["id"], text="ok")
    status, _ = await api("answerCallbackQuery", callback_query_id=query["id"])
    assert status == 400


async def test_group_admin_queries(sandbox: Sandbox, api) -> None:
    alice = sandbox.user(1001, "Alice")
    bob = sandbox.user(1002, "Bob")
    grp = sandbox.group(-123, "Thôn A")
    grp.set_member(alice, "creator")
    grp.set_member(bob, "member")
    await alice.add_bot_to(grp, as_admin=True)
    admins = await api.ok("getChatAdministrators", chat_id=-123)
    assert sorted(a["status"] for a in admins) == ["administrator", "creator"]
    assert await api.ok("getChatMemberCount", chat_id=-123) == 3
    member = await api.ok("getChatMember", chat_id=-123, user_id=1002)
    assert member == {"status": "member", "user": bob.to_api()}
    chat = await api.ok("getChat", chat_id=-123)
    assert sandbox.spec.check_result("ChatFullInfo", chat) == []
    msg = await api.ok("sendMessage", chat_id=-123, text="ghim")
    assert await api.ok("pinChatMessage", chat_id=-123, message_id=msg["message_id"])
    assert (await api.ok("getChat", chat_id=-123))["pinned_message"]["text"] == "ghim"
    assert await api.ok("leaveChat", chat_id=-123)
    status, _ = await api("sendMessage", chat_id=-123, text="x")
    assert status == 403
