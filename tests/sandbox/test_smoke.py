"""Quick end-to-end check of the happy path."""

from bot.sandbox import Sandbox


async def test_send_and_receive(sandbox: Sandbox, api) -> None:
    me = await api.ok("getMe")
    assert me["id"] == 123456 and me["username"] == "villagebot"
    alice = sandbox.user(1001, "Alice", phone="0912000001")
    sent = await alice.send("/start v_abc")
    assert sent["entities"][0]["type"] == "bot_command"
    updates = await api.ok("getUpdates", timeout=1)
    assert updates[0]["message"]["text"] == "/start v_abc"
    msg = await api.ok(
        "sendMessage",
        chat_id=1001,
        text="<b>Xin chào</b> &amp; hi",
        parse_mode="HTML",
        reply_markup={"inline_keyboard": [[{"text": "Tiếng Việt", "callback_data": "lang:vi"}]]},
    )
    assert msg["text"] == "Xin chào & hi"
    got = await alice.next_message(timeout=1)
    assert got["html"] == "<b>Xin chào</b> &amp; hi"
    assert sandbox.violations == []
