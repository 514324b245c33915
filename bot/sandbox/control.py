"""Control HTTP API (``/sandbox/api/...``) and the web chat page (``/``).

The control API exposes what :class:`~bot.sandbox.Sandbox` offers in Python
(play users, press buttons, add the bot to groups, read chats, inject faults)
to the web chat page and to tests running in another process.  All bodies
are JSON; errors answer ``{"error": "..."}`` with status 400/404.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from aiohttp import web

from .control_base import _body, _guarded, _json, _sb, _user, chat_json, message_json, user_json
from .control_users import (
    user_add_bot,
    user_block,
    user_document,
    user_location,
    user_photo,
    user_press,
    user_remove_bot,
    user_reply_button,
    user_send,
    user_share_contact,
    user_sticker,
)
from .core import ROUTE_INSTALLERS, Sandbox
from .records import FAULT_KINDS

WEBCHAT_DIR = Path(__file__).with_name("webchat")
PREFIX = "/sandbox/api"

# ----------------------------------------------------------------- state


@_guarded
async def get_state(request: web.Request) -> web.Response:
    sb = _sb(request)
    return _json(
        {
            "bot": sb.bot_user(),
            "base_url": sb.base_url,
            "revision": sb.revision,
            "limits_enabled": sb.limits_enabled,
            "privacy_mode": sb.privacy_mode,
            "personas": sb.personas,
            "users": [user_json(u) for u in sb.users.values()],
            "chats": [chat_json(sb, c) for c in sb.chats.values()],
            "webhook": sb.webhook["url"] if sb.webhook else None,
            "pending_updates": len(sb.updates),
        }
    )


@_guarded
async def create_user(request: web.Request) -> web.Response:
    sb = _sb(request)
    body = await _body(request)
    uid = int(body.get("user_id") or sb.new_user_id())
    name = str(body.get("first_name") or body.get("name") or f"Cư dân {uid}")
    phone = body.get("phone") or f"09{uid % 100_000_000:08d}"
    if body.get("role_label"):
        user = sb.add_persona(
            uid,
            name,
            str(body["role_label"]),
            phone=phone,
            language_code=body.get("language_code", "vi"),
            last_name=body.get("last_name"),
            username=body.get("username"),
        )
    else:
        user = sb.user(
            uid,
            name,
            last_name=body.get("last_name"),
            username=body.get("username"),
            language_code=body.get("language_code", "vi"),
            phone=phone,
        )
    return _json(user_json(user))


@_guarded
async def user_chats(request: web.Request) -> web.Response:
    sb = _sb(request)
    user = _user(request)
    chats = [sb._private_chat(user)]
    chats += [
        c
        for c in sb.chats.values()
        if c.type != "private" and user.id in c.members and c.is_member(user.id)
    ]
    return _json([chat_json(sb, c, user) for c in chats])


# -------------------------------------------------------------- messages


@_guarded
async def chat_messages(request: web.Request) -> web.Response:
    """Messages of a chat; ``since_rev`` + ``wait`` long-poll for any change."""
    sb = _sb(request)
    chat = sb.chats[int(request.match_info["cid"])]
    since = int(request.query.get("since", 0))
    since_rev = int(request.query.get("since_rev", -1))
    wait = min(float(request.query.get("wait", 0)), 60.0)
    if since_rev >= 0 and wait > 0:
        with contextlib.suppress(TimeoutError):
            await sb._wait_for(lambda: sb.revision != since_rev or sb._closing.is_set(), wait)
    messages = [message_json(m) for _, m in sorted(chat.messages.items()) if m.message_id > since]
    return _json({"revision": sb.revision, "chat": chat_json(sb, chat), "messages": messages})


@_guarded
async def wait_revision(request: web.Request) -> web.Response:
    """Long-poll until anything changes: ``?since_rev=N&wait=25``."""
    sb = _sb(request)
    since_rev = int(request.query.get("since_rev", 0))
    wait = min(float(request.query.get("wait", 25)), 60.0)
    # ``!=``: a page open across a restart knows a revision of the earlier sandbox,
    # possibly higher than this one's; it must hear of the change at once.
    with contextlib.suppress(TimeoutError):
        await sb._wait_for(lambda: sb.revision != since_rev or sb._closing.is_set(), wait)
    return _json({"revision": sb.revision})


# ----------------------------------------------------------------- groups


@_guarded
async def create_group(request: web.Request) -> web.Response:
    sb = _sb(request)
    body = await _body(request)
    kind = str(body.get("type") or "group")
    default_id = min([-100, *(c.id for c in sb.chats.values())]) - 1
    if kind == "supergroup":
        default_id = int(f"-100{abs(default_id)}")
    chat = sb.group(
        int(body.get("chat_id") or default_id), str(body.get("title") or "Nhóm"), type=kind
    )
    creator = body.get("creator")
    if creator:
        chat.set_member(sb.users[int(creator)], "creator")
    for uid in body.get("members") or []:
        if int(uid) != creator:
            chat.set_member(sb.users[int(uid)], "member")
    return _json(chat_json(sb, chat))


@_guarded
async def group_join(request: web.Request) -> web.Response:
    sb = _sb(request)
    body = await _body(request)
    chat = sb.chats[int(request.match_info["cid"])]
    user = sb.users[int(body["user_id"])]
    if body.get("silent"):
        chat.set_member(user, str(body.get("status") or "member"))
        return _json(chat_json(sb, chat))
    return _json(await chat.join(user))


@_guarded
async def group_migrate(request: web.Request) -> web.Response:
    sb = _sb(request)
    body = await _body(request)
    chat = sb.chats[int(request.match_info["cid"])]
    new_id = int(body.get("new_chat_id") or f"-100{abs(chat.id)}")
    by = sb.users[int(body["by"])] if body.get("by") else None
    new = await chat.migrate_to_supergroup(new_id, by=by)
    return _json(chat_json(sb, new))


@_guarded
async def list_chats(request: web.Request) -> web.Response:
    sb = _sb(request)
    return _json([chat_json(sb, c) for c in sb.chats.values()])


# ------------------------------------------------------------- test hooks


@_guarded
async def get_file(request: web.Request) -> web.StreamResponse:
    f = _sb(request).file(request.match_info["file_id"])
    if f is None or f.data is None:
        return _json({"error": "no such file"}, 404)
    return web.Response(body=f.data, content_type=f.mime_type or "application/octet-stream")


@_guarded
async def get_records(request: web.Request) -> web.Response:
    sb = _sb(request)
    what = request.match_info["what"]
    records: dict[str, list[Any]] = {
        "calls": sb.calls,
        "violations": sb.violations,
        "rate_limited": sb.rate_limited,
        "dropped_pending_updates_calls": sb.dropped_pending_updates_calls,
    }
    if what not in records:
        raise KeyError(what)
    return _json([asdict(r) for r in records[what]])


@_guarded
async def post_fault(request: web.Request) -> web.Response:
    sb = _sb(request)
    body = await _body(request)
    if body.get("kind") not in FAULT_KINDS:
        raise ValueError(f"kind must be one of {FAULT_KINDS}")
    fault = sb.inject_fault(
        str(body["method"]),
        str(body["kind"]),
        chat_id=int(body["chat_id"]) if body.get("chat_id") else None,
        times=int(body.get("times", 1)),
        retry_after=int(body.get("retry_after", 3)),
    )
    return _json(asdict(fault))


@_guarded
async def post_settings(request: web.Request) -> web.Response:
    sb = _sb(request)
    body = await _body(request)
    if "limits_enabled" in body:
        sb.limits_enabled = bool(body["limits_enabled"])
    if "privacy_mode" in body:
        sb.privacy_mode = bool(body["privacy_mode"])
    if "fault_hang_seconds" in body:
        sb.fault_hang_seconds = float(body["fault_hang_seconds"])
    return _json(
        {
            "limits_enabled": sb.limits_enabled,
            "privacy_mode": sb.privacy_mode,
            "fault_hang_seconds": sb.fault_hang_seconds,
        }
    )


@_guarded
async def get_commands(request: web.Request) -> web.Response:
    sb = _sb(request)
    return _json(
        [
            {"scope": json.loads(scope), "language_code": lang, "commands": cmds}
            for (scope, lang), cmds in sb.commands.items()
        ]
    )


# -------------------------------------------------------------- web page


async def index(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(WEBCHAT_DIR / "index.html", headers={"Cache-Control": "no-cache"})


def setup_control(app: web.Application, sb: Sandbox) -> None:
    """Mount the control API and the web chat page on ``app``."""
    r = app.router
    r.add_get(f"{PREFIX}/state", get_state)
    r.add_get(f"{PREFIX}/wait", wait_revision)
    r.add_post(f"{PREFIX}/users", create_user)
    r.add_get(f"{PREFIX}/users/{{uid}}/chats", user_chats)
    r.add_post(f"{PREFIX}/users/{{uid}}/send", user_send)
    r.add_post(f"{PREFIX}/users/{{uid}}/press", user_press)
    r.add_post(f"{PREFIX}/users/{{uid}}/reply_button", user_reply_button)
    r.add_post(f"{PREFIX}/users/{{uid}}/share_contact", user_share_contact)
    r.add_post(f"{PREFIX}/users/{{uid}}/location", user_location)
    r.add_post(f"{PREFIX}/users/{{uid}}/photo", user_photo)
    r.add_post(f"{PREFIX}/users/{{uid}}/document", user_document)
    r.add_post(f"{PREFIX}/users/{{uid}}/sticker", user_sticker)
    r.add_post(f"{PREFIX}/users/{{uid}}/block", user_block)
    r.add_post(f"{PREFIX}/users/{{uid}}/add_bot", user_add_bot)
    r.add_post(f"{PREFIX}/users/{{uid}}/remove_bot", user_remove_bot)
    r.add_post(f"{PREFIX}/groups", create_group)
    r.add_post(f"{PREFIX}/groups/{{cid}}/join", group_join)
    r.add_post(f"{PREFIX}/groups/{{cid}}/migrate", group_migrate)
    r.add_get(f"{PREFIX}/chats", list_chats)
    r.add_get(f"{PREFIX}/chats/{{cid}}/messages", chat_messages)
    r.add_get(f"{PREFIX}/files/{{file_id}}", get_file)
    r.add_get(f"{PREFIX}/records/{{what}}", get_records)
    r.add_post(f"{PREFIX}/faults", post_fault)
    r.add_post(f"{PREFIX}/settings", post_settings)
    r.add_get(f"{PREFIX}/commands", get_commands)
    r.add_get("/", index)
    if WEBCHAT_DIR.is_dir():
        r.add_static("/webchat/", WEBCHAT_DIR)


__all__ = ["chat_json", "message_json", "setup_control"]


ROUTE_INSTALLERS["control"] = setup_control
