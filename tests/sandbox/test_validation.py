"""Spec validation and Telegram's content rules."""

from __future__ import annotations

import pytest

from bot.sandbox import Sandbox
from bot.sandbox.formatting import EntityParseError, parse_html


@pytest.fixture
def alice(sandbox: Sandbox):
    user = sandbox.user(1001, "Alice")
    user.started = True
    return user


async def test_unknown_method_is_404(api) -> None:
    status, body = await api("sendTelepathy", chat_id=1)
    assert status == 404
    assert body == {"ok": False, "error_code": 404, "description": "Not Found"}


async def test_method_names_are_case_insensitive(api) -> None:
    assert (await api.ok("getme"))["is_bot"] is True


async def test_bad_token_is_401(sandbox: Sandbox, api) -> None:
    resp = await api.session.post(f"{sandbox.base_url}/botnot-a-token/getMe")
    assert resp.status == 401


async def test_missing_required_parameters(api, alice) -> None:
    status, body = await api("sendMessage", text="hi")
    assert (status, body["description"]) == (400, "Bad Request: chat_id is empty")
    status, body = await api("sendMessage", chat_id=1001)
    assert (status, body["description"]) == (400, "Bad Request: message text is empty")
    status, body = await api("sendPhoto", chat_id=1001)
    assert status == 400 and "photo" in body["description"]


async def test_wrong_types(api, alice) -> None:
    status, body = await api("sendMessage", chat_id="not-a-chat", text="x")
    assert (status, body["description"]) == (400, "Bad Request: chat not found")
    status, body = await api("sendMessage", chat_id=1001, text="x", disable_notification="maybe")
    assert status == 400 and "Boolean" in body["description"]
    status, body = await api("sendMessage", chat_id=1001, text="x", reply_markup=[1, 2])
    assert status == 400 and body["description"].startswith("Bad Request: can't parse")
    status, body = await api(
        "sendMessage",
        chat_id=1001,
        text="x",
        reply_markup={"inline_keyboard": [[{"text": 5, "url": 3}]]},
    )
    assert status == 400


async def test_form_encoded_values_are_coerced(api, alice) -> None:
    status, body = await api(
        "sendMessage",
        _form=True,
        chat_id="1001",
        text="xin chào",
        disable_notification="true",
        reply_markup={"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]},
    )
    assert status == 200, body
    assert body["result"]["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "a"


async def test_unknown_parameter_is_accepted_but_recorded(sandbox: Sandbox, api, alice) -> None:
    assert await api.ok("sendMessage", chat_id=1001, text="hi", colour="red")
    assert [(v.kind, v.path) for v in sandbox.violations] == [("unknown_parameter", "colour")]


async def test_unknown_nested_field_is_recorded(sandbox: Sandbox, api, alice) -> None:
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a", "colour": "red"}]]}
    assert await api.ok("sendMessage", chat_id=1001, text="hi", reply_markup=markup)
    assert [v.kind for v in sandbox.violations] == ["unknown_field"]
    assert "colour" in sandbox.violations[0].path


async def test_legacy_parameters_are_not_violations(sandbox: Sandbox, api, alice) -> None:
    first = await api.ok("sendMessage", chat_id=1001, text="one")
    second = await api.ok(
        "sendMessage", chat_id=1001, text="two", reply_to_message_id=first["message_id"]
    )
    assert second["reply_to_message"]["text"] == "one"
    assert sandbox.violations == []


@pytest.mark.parametrize(
    ("html", "fragment"),
    [
        ("<foo>x</foo>", 'Unsupported start tag "foo"'),
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("a < b", "Unsupported start tag"),
        ("Tom & Jerry", 'Unescaped "&"'),
        ("<b>x</i>", "Unmatched end tag"),
        ("x</b>", "Unexpected end tag"),
        ('<a href="x>y', "Unclosed start tag"),
    ],
)
async def test_bad_html_is_400(api, alice, html: str, fragment: str) -> None:
    status, body = await api("sendMessage", chat_id=1001, text=html, parse_mode="HTML")
    assert status == 400
    assert body["description"].startswith("Bad Request: can't parse entities: ")
    assert fragment in body["description"]


def test_html_parser_entities() -> None:
    text, entities = parse_html(
        '<b>Thôn</b> <a href="https://x.vn/?a=1&amp;b=2">link</a> &lt;3 '
        '<tg-spoiler>s</tg-spoiler> <span class="tg-spoiler">t</span> '
        '<pre><code class="language-python">x</code></pre> &#128512;'
    )
    assert text == "Thôn link <3 s t x 😀"
    kinds = [(e["type"], e["offset"], e["length"]) for e in entities]
    assert ("bold", 0, 4) in kinds and ("text_link", 5, 4) in kinds
    assert entities[1]["url"] == "https://x.vn/?a=1&b=2"
    assert ("spoiler", 13, 1) in kinds and ("spoiler", 15, 1) in kinds
    assert any(e["type"] == "pre" and e.get("language") == "python" for e in entities)
    with pytest.raises(EntityParseError):
        parse_html('<span class="x">no</span>')


async def test_text_length_limits(api, alice) -> None:
    assert await api.ok("sendMessage", chat_id=1001, text="ă" * 4096)
    status, body = await api("sendMessage", chat_id=1001, text="ă" * 4097)
    assert (status, body["description"]) == (400, "Bad Request: message is too long")
    status, body = await api("sendMessage", chat_id=1001, text="  ")
    assert (status, body["description"]) == (400, "Bad Request: message text is empty")
    status, body = await api("sendMessage", chat_id=1001, text="<b></b>", parse_mode="HTML")
    assert (status, body["description"]) == (400, "Bad Request: message text is empty")
    status, body = await api(
        "sendPhoto", chat_id=1001, photo="https://example.org/a.jpg", caption="c" * 1025
    )
    assert (status, body["description"]) == (400, "Bad Request: message caption is too long")


async def test_callback_data_limits(api, alice) -> None:
    for data in ("", "x" * 65, "ư" * 33):
        markup = {"inline_keyboard": [[{"text": "A", "callback_data": data}]]}
        status, body = await api("sendMessage", chat_id=1001, text="x", reply_markup=markup)
        assert (status, body["description"]) == (400, "Bad Request: BUTTON_DATA_INVALID"), data
    status, body = await api(
        "sendMessage", chat_id=1001, text="x", reply_markup={"inline_keyboard": [[{"text": "A"}]]}
    )
    assert status == 400 and "Text buttons are unallowed" in body["description"]


async def test_edit_rules(sandbox: Sandbox, api, alice) -> None:
    msg = await api.ok("sendMessage", chat_id=1001, text="one")
    status, body = await api(
        "editMessageText", chat_id=1001, message_id=msg["message_id"], text="one"
    )
    assert status == 400 and "message is not modified" in body["description"]
    status, body = await api("editMessageText", chat_id=1001, message_id=999, text="x")
    assert (status, body["description"]) == (400, "Bad Request: message to edit not found")
    await api.ok("deleteMessage", chat_id=1001, message_id=msg["message_id"])
    status, body = await api("deleteMessage", chat_id=1001, message_id=msg["message_id"])
    assert (status, body["description"]) == (400, "Bad Request: message to delete not found")
    assert sandbox.messages(1001) == []


async def test_chat_states(sandbox: Sandbox, api) -> None:
    stranger = sandbox.user(2002, "Bình")
    status, body = await api("sendMessage", chat_id=2002, text="hi")
    assert (status, body["description"]) == (
        403,
        "Forbidden: bot can't initiate conversation with a user",
    )
    status, body = await api("sendMessage", chat_id=555, text="hi")
    assert (status, body["description"]) == (400, "Bad Request: chat not found")
    await stranger.send("/start")
    stranger.block_bot()
    status, body = await api("sendMessage", chat_id=2002, text="hi")
    assert (status, body["description"]) == (403, "Forbidden: bot was blocked by the user")
    updates = await api.ok("getUpdates")
    assert updates[-1]["my_chat_member"]["new_chat_member"]["status"] == "kicked"


def test_spec_describes_sandbox_results(sandbox: Sandbox) -> None:
    """The objects the sandbox builds have every required field of the spec."""
    assert sandbox.spec is not None, "api.json must be found in this repository layout"
    alice = sandbox.user(1001, "Alice", last_name="Nguyễn", username="alice")
    admin = sandbox._member_api(alice.to_api(), "administrator")
    assert sandbox.spec.check_result("ChatMember", admin) == []
    assert sandbox.spec.check_result("User", sandbox.bot_user()) == []
    assert sandbox.spec.check_result("Chat", alice.chat_api()) == []
