"""The Bot API methods' registry (:func:`method`), parameter access, the target chat of a
call with its persistent state (blocked, kicked, migrated) and the flood limits."""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

from .api_errors import ApiError, bad_request
from .chat import SandboxChat
from .core import Sandbox
from .records import RateLimited

#: Methods that deliver a message and therefore count against flood limits.
SEND_METHODS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendLocation",
        "sendContact",
        "copyMessage",
        "forwardMessage",
        "sendSticker",
        "sendVoice",
        "sendAudio",
        "sendVideo",
        "sendAnimation",
        "sendMediaGroup",
        "sendPoll",
        "sendDice",
        "sendVenue",
        "sendVideoNote",
        "copyMessages",
        "forwardMessages",
    }
)

CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)

Handler = Callable[[Sandbox, dict[str, Any]], Awaitable[Any]]
HANDLERS: dict[str, Handler] = {}


def method(name: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        HANDLERS[name] = fn
        return fn

    return register


# ---------------------------------------------------------------- param access


def p_int(params: dict[str, Any], name: str, default: int | None = None) -> int | None:
    value = params.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise bad_request(f'field "{name}" must be of type Integer') from None


def p_bool(params: dict[str, Any], name: str) -> bool:
    value = params.get(name)
    if isinstance(value, str):
        return value.lower() in ("true", "1")
    return bool(value)


def p_obj(params: dict[str, Any], name: str) -> Any:
    value = params.get(name)
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(f"can't parse {name} JSON object") from None
    return value


def too_many_requests(retry_after: int) -> ApiError:
    return ApiError(
        429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
    )


# ------------------------------------------------------------ chat resolution


def resolve_chat(sb: Sandbox, raw: Any, *, for_send: bool = True) -> SandboxChat:
    """The target chat of a call, raising Telegram's errors for its state."""
    if raw is None or raw == "":
        raise bad_request("chat_id is empty")
    chat: SandboxChat | None = None
    if isinstance(raw, str) and raw.startswith("@"):
        chat = next(
            (
                c
                for c in sb.chats.values()
                if c.user and c.user.username and f"@{c.user.username}" == raw
            ),
            None,
        )
    else:
        try:
            chat_id = int(raw)
        except (TypeError, ValueError):
            raise bad_request("chat not found") from None
        chat = sb.chats.get(chat_id)
        if chat is None and chat_id in sb.users:
            chat = sb._private_chat(sb.users[chat_id])
    if chat is None:
        raise bad_request("chat not found")
    if chat.type == "private":
        user = chat.user
        assert user is not None
        if user.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if for_send and not user.started:
            raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        return chat
    if chat.migrated_to is not None:
        raise bad_request(
            "group chat was upgraded to a supergroup chat", {"migrate_to_chat_id": chat.migrated_to}
        )
    kind = "supergroup chat" if chat.type == "supergroup" else "group chat"
    if chat.bot_status == "kicked":
        raise ApiError(403, f"Forbidden: bot was kicked from the {kind}")
    if not chat.bot_is_member:
        raise ApiError(403, f"Forbidden: bot is not a member of the {kind}")
    return chat


def _rate_limit(sb: Sandbox, name: str, chat: SandboxChat) -> None:
    if not sb.limits_enabled:
        return
    wait = sb.limiter.acquire(chat.id, chat.type)
    if wait:
        sb.rate_limited.append(RateLimited(name, chat.id, wait, time.time()))
        raise too_many_requests(wait)
