"""Chat methods: pins, getChat and its members, leaveChat, chat actions, the command
lists and getFile."""

from __future__ import annotations

import copy
import re
from typing import Any

from .api_errors import bad_request
from .chat import SandboxChat
from .core import Sandbox
from .methods_base import CHAT_ACTIONS, method, p_int, p_obj, resolve_chat
from .outgoing import _store_bot_message
from .records import _scope_key


@method("pinChatMessage")
async def pin_chat_message(sb: Sandbox, params: dict[str, Any]) -> bool:
    chat = resolve_chat(sb, params.get("chat_id"), for_send=False)
    if chat.type != "private" and not chat.bot_is_admin:
        raise bad_request("not enough rights to manage pinned messages in the chat")
    stored = chat.messages.get(p_int(params, "message_id") or 0)
    if stored is None or stored.deleted:
        raise bad_request("message to pin not found")
    if stored.message_id in chat.pinned:
        chat.pinned.remove(stored.message_id)
    chat.pinned.append(stored.message_id)
    pinned = copy.deepcopy(stored.api)
    pinned.pop("reply_to_message", None)
    _store_bot_message(sb, chat, {"pinned_message": pinned}, {}, service=True)
    return True


@method("unpinChatMessage")
async def unpin_chat_message(sb: Sandbox, params: dict[str, Any]) -> bool:
    chat = resolve_chat(sb, params.get("chat_id"), for_send=False)
    if chat.type != "private" and not chat.bot_is_admin:
        raise bad_request("not enough rights to manage pinned messages in the chat")
    message_id = p_int(params, "message_id")
    if message_id is None:
        if chat.pinned:
            chat.pinned.pop()
        return True
    if message_id not in chat.pinned:
        raise bad_request("message to unpin not found")
    chat.pinned.remove(message_id)
    return True


@method("unpinAllChatMessages")
async def unpin_all_chat_messages(sb: Sandbox, params: dict[str, Any]) -> bool:
    chat = resolve_chat(sb, params.get("chat_id"), for_send=False)
    if chat.type != "private" and not chat.bot_is_admin:
        raise bad_request("not enough rights to manage pinned messages in the chat")
    chat.pinned.clear()
    return True


@method("getChat")
async def get_chat(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    chat = resolve_chat(sb, params.get("chat_id"), for_send=False)
    info = {
        **chat.to_api(),
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": _accepted_gift_types(sb),
    }
    if chat.pinned:
        pinned = chat.messages.get(chat.pinned[-1])
        if pinned is not None:
            info["pinned_message"] = copy.deepcopy(pinned.api)
    if chat.type != "private":
        info["permissions"] = {
            "can_send_messages": True,
            "can_send_photos": True,
            "can_send_documents": True,
            "can_invite_users": True,
        }
    if chat.migrated_from is not None:
        info["has_visible_history"] = True
    return info


def _accepted_gift_types(sb: Sandbox) -> dict[str, bool]:
    fields = ["unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription"]
    if sb.spec and "AcceptedGiftTypes" in sb.spec.types:
        fields = [
            f["name"] for f in sb.spec.types["AcceptedGiftTypes"].get("fields", []) if f["required"]
        ]
    return dict.fromkeys(fields, False)


def _member_status(sb: Sandbox, chat: SandboxChat, user_id: int) -> tuple[dict[str, Any], str]:
    if user_id == sb.bot_id:
        return sb.bot_user(), chat.bot_status
    user = sb.users.get(user_id)
    if user is None:
        raise bad_request("user not found")
    if chat.type == "private":
        return user.to_api(), "member" if user.id == chat.id else "left"
    return user.to_api(), chat.members.get(user_id, "left")


@method("getChatMember")
async def get_chat_member(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    chat = resolve_chat(sb, params.get("chat_id"), for_send=False)
    user, status = _member_status(sb, chat, p_int(params, "user_id") or 0)
    return sb._member_api(user, status)


@method("getChatAdministrators")
async def get_chat_administrators(sb: Sandbox, params: dict[str, Any]) -> list[dict[str, Any]]:
    chat = resolve_chat(sb, params.get("chat_id"), for_send=False)
    if chat.type == "private":
        raise bad_request("there are no administrators in the private chat")
    admins = [
        sb._member_api(sb.users[uid].to_api(), status)
        for uid, status in chat.members.items()
        if status in ("creator", "administrator") and uid in sb.users
    ]
    if chat.bot_is_admin:
        admins.append(sb._member_api(sb.bot_user(), chat.bot_status))
    return admins


@method("getChatMemberCount")
async def get_chat_member_count(sb: Sandbox, params: dict[str, Any]) -> int:
    chat = resolve_chat(sb, params.get("chat_id"), for_send=False)
    if chat.type == "private":
        return 2
    return sum(1 for uid in chat.members if chat.is_member(uid)) + int(chat.bot_is_member)


@method("leaveChat")
async def leave_chat(sb: Sandbox, params: dict[str, Any]) -> bool:
    chat = resolve_chat(sb, params.get("chat_id"), for_send=False)
    if chat.type == "private":
        raise bad_request("chat member status can't be changed in private chats")
    old = chat.bot_status
    chat.bot_status = "left"
    sb._chat_member_update("my_chat_member", chat, None, None, old, "left")
    return True


@method("sendChatAction")
async def send_chat_action(sb: Sandbox, params: dict[str, Any]) -> bool:
    resolve_chat(sb, params.get("chat_id"))
    if params.get("action") not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    return True


_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")


@method("setMyCommands")
async def set_my_commands(sb: Sandbox, params: dict[str, Any]) -> bool:
    commands = p_obj(params, "commands")
    if not isinstance(commands, list) or len(commands) > 100:
        raise bad_request(
            "BOT_COMMANDS_TOO_MUCH"
            if isinstance(commands, list)
            else "can't parse commands JSON object"
        )
    for cmd in commands:
        if not isinstance(cmd, dict) or not _COMMAND_RE.fullmatch(str(cmd.get("command", ""))):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(str(cmd.get("description", ""))) <= 256:
            raise bad_request("command description must be non-empty")
    key = (_scope_key(p_obj(params, "scope")), params.get("language_code") or "")
    sb.commands[key] = [
        {"command": c["command"], "description": c["description"]} for c in commands
    ]
    sb._notify()
    return True


@method("getMyCommands")
async def get_my_commands(sb: Sandbox, params: dict[str, Any]) -> list[dict[str, Any]]:
    key = (_scope_key(p_obj(params, "scope")), params.get("language_code") or "")
    return copy.deepcopy(sb.commands.get(key, []))


@method("deleteMyCommands")
async def delete_my_commands(sb: Sandbox, params: dict[str, Any]) -> bool:
    key = (_scope_key(p_obj(params, "scope")), params.get("language_code") or "")
    sb.commands.pop(key, None)
    return True


@method("getFile")
async def get_file(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    f = sb.file(str(params.get("file_id") or ""))
    if f is None:
        raise bad_request("invalid file_id")
    out: dict[str, Any] = {"file_id": f.file_id, "file_unique_id": f.file_unique_id}
    if f.data is not None:
        out["file_size"] = len(f.data)
        out["file_path"] = f.file_path
    return out
