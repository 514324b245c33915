"""Helpers of the control API: JSON answers and bodies, errors as 400/404, the user or
chat a request names, and the JSON shapes of messages, chats and users."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from .chat import SandboxChat
from .core import SANDBOX_KEY, Sandbox
from .records import StoredMessage
from .user import SandboxUser

Route = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _json(data: Any, status: int = 200) -> web.Response:
    return web.json_response(
        data, status=status, dumps=lambda o: json.dumps(o, ensure_ascii=False, default=str)
    )


def _guarded(fn: Route) -> Route:
    async def wrapper(request: web.Request) -> web.StreamResponse:
        try:
            return await fn(request)
        except KeyError as exc:
            return _json({"error": f"not found: {exc.args[0]}"}, 404)
        except (ValueError, TypeError) as exc:
            return _json({"error": str(exc)}, 400)

    return wrapper


async def _body(request: web.Request) -> dict[str, Any]:
    if not request.can_read_body:
        return {}
    if request.content_type == "multipart/form-data":
        out: dict[str, Any] = {}
        reader = await request.multipart()
        async for part in reader:
            if part is None or part.name is None or not hasattr(part, "read"):
                continue
            if part.filename is not None:
                out[part.name] = bytes(await part.read())  # type: ignore[union-attr]
                out[f"{part.name}.filename"] = part.filename
                out[f"{part.name}.content_type"] = part.headers.get(
                    "Content-Type", "application/octet-stream"
                )
            else:
                out[part.name] = await part.text()  # type: ignore[union-attr]
        return out
    data = await request.json()
    if not isinstance(data, dict):
        raise ValueError("JSON object expected")
    return data


def _sb(request: web.Request) -> Sandbox:
    return request.app[SANDBOX_KEY]


def _user(request: web.Request) -> SandboxUser:
    return _sb(request).users[int(request.match_info["uid"])]


def _chat(sb: Sandbox, raw: Any) -> SandboxChat | None:
    if raw in (None, ""):
        return None
    return sb.chats[int(raw)]


def message_json(stored: StoredMessage) -> dict[str, Any]:
    """A message as the web chat page needs it."""
    out = stored.view()
    out["from_bot"] = stored.from_bot
    out["service"] = stored.service
    out["keyboard"] = stored.keyboard
    return out


def chat_json(sb: Sandbox, chat: SandboxChat, user: SandboxUser | None = None) -> dict[str, Any]:
    last = next((m for _, m in sorted(chat.messages.items(), reverse=True) if not m.deleted), None)
    title = chat.title or (chat.user.full_name if chat.user else str(chat.id))
    if chat.type == "private":
        title = f"@{sb.bot_username}"
    return {
        "id": chat.id,
        "type": chat.type,
        "title": title,
        "bot_status": chat.bot_status,
        "migrated_to": chat.migrated_to,
        "member_status": chat.members.get(user.id) if user else None,
        "members": {str(k): v for k, v in chat.members.items()},
        "last_text": (last.api.get("text") or last.api.get("caption") or "…") if last else "",
        "last_message_id": last.message_id if last else 0,
    }


def user_json(user: SandboxUser) -> dict[str, Any]:
    return {
        **user.to_api(),
        "phone": user.phone,
        "blocked": user.blocked,
        "started": user.started,
        "full_name": user.full_name,
    }
