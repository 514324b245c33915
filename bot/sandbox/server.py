"""The Bot API side of the sandbox: ``/bot{token}/{method}`` and file downloads.

Every call goes through :func:`dispatch`: parameter parsing (JSON, urlencoded
or multipart), spec validation, injected faults, persistent chat states
(blocked, kicked, migrated), flood limits, then the method implementation.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlparse

from aiohttp import ClientSession, ClientTimeout, web

from .core import (
    DEFAULT_ALLOWED_UPDATES,
    ROUTE_INSTALLERS,
    SANDBOX_KEY,
    ApiCall,
    Fault,
    RateLimited,
    Sandbox,
    SandboxChat,
    StoredMessage,
    _scope_key,
)
from .formatting import EntityParseError, parse_html, utf16_len
from .spec import ApiError, UploadedFile, Violation, bad_request

log = logging.getLogger(__name__)

TOKEN_RE = re.compile(r"\d+:[A-Za-z0-9_-]+")
NOT_FOUND = ApiError(404, "Not Found")

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


# ------------------------------------------------------------------- reading


async def read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
    """Parameters from the query string and a JSON, urlencoded or multipart body."""
    params: dict[str, Any] = dict(request.query)
    files: dict[str, UploadedFile] = {}
    if request.method != "POST" or not request.can_read_body:
        return params, files
    ctype = request.content_type
    if ctype == "application/json":
        raw = await request.read()
        if raw.strip():
            try:
                body = json.loads(raw)
            except ValueError:
                raise bad_request("can't parse JSON encoded request") from None
            if not isinstance(body, dict):
                raise bad_request("JSON object expected")
            params.update(body)
    elif ctype == "multipart/form-data":
        reader = await request.multipart()
        async for part in reader:
            if part is None or not hasattr(part, "read") or part.name is None:
                continue
            if part.filename is not None:
                data = await part.read()  # type: ignore[union-attr]
                files[part.name] = UploadedFile(
                    part.filename,
                    part.headers.get("Content-Type", "application/octet-stream"),
                    bytes(data),
                )
            else:
                params[part.name] = await part.text()  # type: ignore[union-attr]
    else:
        post = await request.post()
        for key, value in post.items():
            params[key] = value if isinstance(value, str) else str(value)
    return params, files


def summarize(params: dict[str, Any]) -> dict[str, Any]:
    return {
        k: (f"<file {v.filename!r}, {len(v.data)} bytes>" if isinstance(v, UploadedFile) else v)
        for k, v in params.items()
    }


# ------------------------------------------------------------------ dispatch


async def dispatch(
    sb: Sandbox,
    method_name: str,
    params: dict[str, Any],
    files: dict[str, UploadedFile] | None = None,
) -> Any:
    """Run one Bot API call; return its result or raise :class:`ApiError`."""
    files = files or {}
    call = ApiCall(method_name, summarize({**params, **files}), time.time())
    sb.calls.append(call)
    try:
        result = await _dispatch(sb, call, method_name, params, files)
    except ApiError as exc:
        prefix = f"{call.outcome}: " if call.outcome.startswith("fault") else ""
        call.outcome, call.status = f"{prefix}error {exc.code}: {exc.description}", exc.code
        raise
    except asyncio.CancelledError:
        call.outcome, call.status = "cancelled (client went away)", 0
        raise
    call.outcome = "ok" if call.outcome == "pending" else f"{call.outcome}: ok"
    call.status = 200
    return result


async def _dispatch(
    sb: Sandbox,
    call: ApiCall,
    method_name: str,
    params: dict[str, Any],
    files: dict[str, UploadedFile],
) -> Any:
    name = sb.spec.canonical_method(method_name) if sb.spec else None
    if name is None:
        name = next((h for h in HANDLERS if h.lower() == method_name.lower()), None)
    if name is None:
        raise NOT_FOUND
    call.method = name
    if sb.spec is not None:
        params = sb.spec.validate_params(
            name, params, files, from_form=False, violations=sb.violations
        )
    else:
        params = {**params, **files}
    handler = HANDLERS.get(name)
    if handler is None:
        sb.violations.append(
            Violation(
                name, "unimplemented_method", name, "the sandbox does not implement this method"
            )
        )
        raise bad_request(f"method {name} is not implemented by the sandbox")
    fault = _take_fault(sb, name, params)
    if fault is not None:
        call.outcome = f"fault {fault.kind}"
        return await _apply_fault(sb, fault, handler, params, name)
    return await handler(sb, params)


def _take_fault(sb: Sandbox, name: str, params: dict[str, Any]) -> Fault | None:
    chat_id = params.get("chat_id")
    for fault in sb.faults:
        if fault.times <= 0 or fault.method not in (name, "*"):
            continue
        if fault.chat_id is not None and str(fault.chat_id) != str(chat_id):
            continue
        fault.times -= 1
        if fault.times <= 0:
            sb.faults.remove(fault)
        return fault
    return None


async def _hang(sb: Sandbox) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(sb._closing.wait(), sb.fault_hang_seconds)


async def _apply_fault(
    sb: Sandbox, fault: Fault, handler: Handler, params: dict[str, Any], name: str
) -> Any:
    kind = fault.kind
    if kind == "429":
        sb.rate_limited.append(
            RateLimited(
                name, int(params.get("chat_id") or 0), fault.retry_after, time.time(), injected=True
            )
        )
        raise too_many_requests(fault.retry_after)
    if kind == "500":
        raise ApiError(500, "Internal Server Error")
    if kind == "blocked":
        raise ApiError(403, "Forbidden: bot was blocked by the user")
    if kind == "kicked":
        raise ApiError(403, "Forbidden: bot was kicked from the group chat")
    if kind == "migrate":
        chat_id = int(params.get("chat_id") or 0)
        chat = sb.chats.get(chat_id)
        new_id = chat.migrated_to if chat and chat.migrated_to else int(f"-100{abs(chat_id)}")
        raise bad_request(
            "group chat was upgraded to a supergroup chat", {"migrate_to_chat_id": new_id}
        )
    if kind == "timeout_before":
        await _hang(sb)
        raise ApiError(502, "Bad Gateway")
    # timeout_after: deliver, then hang before answering
    result = await handler(sb, params)
    await _hang(sb)
    return result


def too_many_requests(retry_after: int) -> ApiError:
    return ApiError(
        429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
    )


# ------------------------------------------------------------- HTTP handlers


def _json(body: dict[str, Any], status: int = 200) -> web.Response:
    return web.json_response(body, status=status, dumps=lambda o: json.dumps(o, ensure_ascii=False))


async def handle_bot_api(request: web.Request) -> web.Response:
    sb: Sandbox = request.app[SANDBOX_KEY]
    token = request.match_info["token"]
    if not TOKEN_RE.fullmatch(token):
        return _json(ApiError(401, "Unauthorized").to_json(), 401)
    sb.bot_id = int(token.split(":", 1)[0])
    try:
        params, files = await read_params(request)
        result = await dispatch(sb, request.match_info["method"], params, files)
    except ApiError as exc:
        return _json(exc.to_json(), exc.code)
    return _json({"ok": True, "result": result})


async def handle_file(request: web.Request) -> web.StreamResponse:
    sb: Sandbox = request.app[SANDBOX_KEY]
    path = request.match_info["path"]
    for f in sb.files.values():
        if f.file_path == path and f.data is not None:
            return web.Response(body=f.data, content_type=f.mime_type or "application/octet-stream")
    return _json(NOT_FOUND.to_json(), 404)


def setup_bot_api(app: web.Application, sb: Sandbox) -> None:
    app[SANDBOX_KEY] = sb
    app.router.add_route("*", "/bot{token}/{method}", handle_bot_api)
    app.router.add_get("/file/bot{token}/{path:.+}", handle_file)


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


# -------------------------------------------------------------- content rules


def parse_text(
    text: Any, parse_mode: Any, entities: Any, *, caption: bool = False
) -> tuple[str, list[dict[str, Any]], str | None]:
    """``(plain, entities, html_as_sent)`` with Telegram's content rules."""
    raw = "" if text is None else str(text)
    html: str | None = None
    ents: list[dict[str, Any]] = []
    mode = (parse_mode or "").lower() if isinstance(parse_mode, str) else ""
    if mode == "html":
        html = raw
        try:
            plain, ents = parse_html(raw)
        except EntityParseError as exc:
            raise ApiError(400, exc.description) from None
    elif mode in ("markdown", "markdownv2", ""):
        plain = raw.strip() if mode == "" else raw
        if isinstance(entities, list):
            ents = entities
    else:
        raise bad_request(f"unsupported parse_mode {parse_mode!r}")
    if not caption and not plain.strip():
        raise bad_request("message text is empty")
    limit = 1024 if caption else 4096
    if utf16_len(plain) > limit:
        raise bad_request("message caption is too long" if caption else "message is too long")
    return plain, ents, html


def check_reply_markup(markup: Any) -> dict[str, Any] | None:
    if markup is None or markup == "":
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise bad_request(
                'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
            )
        for row in rows:
            for button in row:
                _check_inline_button(button)
    elif "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise bad_request(
                'field "keyboard" of the ReplyKeyboardMarkup must be an Array of Arrays'
            )
        for row in rows:
            for button in row:
                label = button if isinstance(button, str) else button.get("text")
                if not label:
                    raise bad_request("can't parse keyboard button: Text must be non-empty")
    return markup


_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict):
        raise bad_request(
            "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
        )
    if not button.get("text"):
        raise bad_request("can't parse inline keyboard button: Text must be non-empty")
    actions = [a for a in _BUTTON_ACTIONS if a in button]
    if not actions:
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button:
        url = urlparse(str(button["url"]))
        if url.scheme not in ("http", "https", "tg") or not (url.netloc or url.scheme == "tg"):
            raise bad_request("BUTTON_URL_INVALID")


# ------------------------------------------------------------ message storage


def _store_bot_message(
    sb: Sandbox,
    chat: SandboxChat,
    content: dict[str, Any],
    params: dict[str, Any],
    *,
    html: str | None = None,
    service: bool = False,
) -> StoredMessage:
    msg: dict[str, Any] = {
        "message_id": chat.next_message_id,
        "from": sb.bot_user(),
        "chat": chat.to_api(),
        "date": int(time.time()),
    }
    reply_to = _reply_target(chat, params)
    if reply_to is not None:
        msg["reply_to_message"] = reply_to
    msg.update(content)
    markup = check_reply_markup(p_obj(params, "reply_markup"))
    keyboard = None
    if markup is not None:
        if "inline_keyboard" in markup:
            msg["reply_markup"] = markup
        else:
            keyboard = markup
    chat.next_message_id += 1
    stored = StoredMessage(
        chat.id,
        msg["message_id"],
        msg,
        from_bot=True,
        html=html,
        service=service,
        keyboard=keyboard,
    )
    chat.messages[stored.message_id] = stored
    sb._notify()
    return stored


def _reply_target(chat: SandboxChat, params: dict[str, Any]) -> dict[str, Any] | None:
    reply_params = p_obj(params, "reply_parameters")
    reply_id = p_int(params, "reply_to_message_id")
    allow = p_bool(params, "allow_sending_without_reply")
    if isinstance(reply_params, dict):
        reply_id = p_int(reply_params, "message_id")
        allow = p_bool(reply_params, "allow_sending_without_reply")
    if reply_id is None:
        return None
    original = chat.messages.get(reply_id)
    if original is None or original.deleted:
        if allow:
            return None
        raise bad_request("message to be replied not found")
    reply = copy.deepcopy(original.api)
    reply.pop("reply_to_message", None)
    return reply


def _text_content(params: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    plain, ents, html = parse_text(
        params.get("text"), params.get("parse_mode"), p_obj(params, "entities")
    )
    content: dict[str, Any] = {"text": plain}
    if ents:
        content["entities"] = ents
    return content, html


def _caption_content(params: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    if params.get("caption") in (None, ""):
        return {}, None
    plain, ents, html = parse_text(
        params.get("caption"),
        params.get("parse_mode"),
        p_obj(params, "caption_entities"),
        caption=True,
    )
    content: dict[str, Any] = {"caption": plain} if plain else {}
    if ents:
        content["caption_entities"] = ents
    return content, html


def _input_file(sb: Sandbox, value: Any, folder: str, ext: str, mime: str | None):  # noqa: ANN202
    """Store an uploaded file, or resolve a file_id / URL; returns StoredFile."""
    if isinstance(value, UploadedFile):
        if not value.data:
            raise bad_request("file must be non-empty")
        name = value.filename or f"file.{ext}"
        suffix = name.rsplit(".", 1)[-1] if "." in name else ext
        content_type = value.content_type
        if content_type in ("application/octet-stream", "") and mime:
            content_type = mime
        return sb._store_file(value.data, folder, suffix, content_type, file_name=name)
    if isinstance(value, str) and value:
        known = sb.file(value)
        if known is not None:
            return known
        if value.startswith(("http://", "https://")):
            # The sandbox never fetches URLs: remember the URL without bytes.
            return sb._store_file(None, folder, ext, mime, url=value)
    raise bad_request("wrong file identifier/HTTP URL specified")


async def _send(
    sb: Sandbox,
    name: str,
    params: dict[str, Any],
    build: Callable[[SandboxChat], tuple[dict[str, Any], str | None]],
) -> dict[str, Any]:
    chat = resolve_chat(sb, params.get("chat_id"))
    content, html = build(chat)  # content rules before flood limits
    _reply_target(chat, params)
    check_reply_markup(p_obj(params, "reply_markup"))
    _rate_limit(sb, name, chat)
    return copy.deepcopy(_store_bot_message(sb, chat, content, params, html=html).api)


# ------------------------------------------------------------------- methods


@method("getMe")
async def get_me(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    return {
        **sb.bot_user(),
        "can_join_groups": True,
        "can_read_all_group_messages": not sb.privacy_mode,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


@method("logOut")
async def log_out(sb: Sandbox, params: dict[str, Any]) -> bool:
    return True


@method("close")
async def close(sb: Sandbox, params: dict[str, Any]) -> bool:
    return True


@method("getUpdates")
async def get_updates(sb: Sandbox, params: dict[str, Any]) -> list[dict[str, Any]]:
    if sb.webhook is not None:
        raise ApiError(
            409,
            "Conflict: can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first",
        )
    offset = p_int(params, "offset", 0) or 0
    limit = max(1, min(100, p_int(params, "limit", 100) or 100))
    timeout = max(0, p_int(params, "timeout", 0) or 0)
    allowed = p_obj(params, "allowed_updates")
    if isinstance(allowed, list):
        sb.allowed_updates = frozenset(allowed) if allowed else DEFAULT_ALLOWED_UPDATES
    if offset > 0:
        sb.confirm_updates(offset)
    elif offset < 0:
        sb.updates = sb.updates[offset:]
    token = object()
    sb._poll_token = token
    sb._notify()  # wakes an older poller, which then answers 409
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        if sb._poll_token is not token:
            raise ApiError(
                409,
                "Conflict: terminated by other getUpdates request; make sure "
                "that only one bot instance is running",
            )
        batch = sb.updates[:limit]
        remaining = deadline - loop.time()
        if batch or remaining <= 0 or sb._closing.is_set():
            return [
                {"update_id": uid, kind: copy.deepcopy(payload)} for uid, kind, payload in batch
            ]
        event = sb._changed
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), remaining)


@method("setWebhook")
async def set_webhook(sb: Sandbox, params: dict[str, Any]) -> bool:
    url = params.get("url") or ""
    if p_bool(params, "drop_pending_updates"):
        sb.dropped_pending_updates_calls.append(sb.calls[-1])
        sb.updates.clear()
    if not url:
        _delete_webhook(sb)
        return True
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = params.get("secret_token")
    if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
        raise bad_request("secret token contains unallowed characters")
    allowed = p_obj(params, "allowed_updates")
    if isinstance(allowed, list):
        sb.allowed_updates = frozenset(allowed) if allowed else DEFAULT_ALLOWED_UPDATES
    sb.webhook = {
        "url": url,
        "secret_token": secret,
        "max_connections": p_int(params, "max_connections", 40),
    }
    sb._poll_token = None
    sb._notify()
    if sb._webhook_task is None or sb._webhook_task.done():
        sb._webhook_task = asyncio.get_running_loop().create_task(_webhook_loop(sb))
    return True


def _delete_webhook(sb: Sandbox) -> None:
    sb.webhook = None
    sb.webhook_last_error = None
    if sb._webhook_task is not None:
        sb._webhook_task.cancel()
        sb._webhook_task = None


@method("deleteWebhook")
async def delete_webhook(sb: Sandbox, params: dict[str, Any]) -> bool:
    if p_bool(params, "drop_pending_updates"):
        sb.dropped_pending_updates_calls.append(sb.calls[-1])
        sb.updates.clear()
    _delete_webhook(sb)
    return True


@method("getWebhookInfo")
async def get_webhook_info(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    info: dict[str, Any] = {
        "url": sb.webhook["url"] if sb.webhook else "",
        "has_custom_certificate": False,
        "pending_update_count": len(sb.updates),
    }
    if sb.webhook:
        info["max_connections"] = sb.webhook["max_connections"]
        info["ip_address"] = "127.0.0.1"
        if sb.allowed_updates != DEFAULT_ALLOWED_UPDATES:
            info["allowed_updates"] = sorted(sb.allowed_updates)
    if sb.webhook_last_error:
        info["last_error_date"], info["last_error_message"] = sb.webhook_last_error
    return info


async def _webhook_loop(sb: Sandbox) -> None:
    """Deliver pending updates to the webhook in order, retrying failures."""
    async with ClientSession(timeout=ClientTimeout(total=60)) as session:
        while sb.webhook is not None and not sb._closing.is_set():
            if not sb.updates:
                event = sb._changed
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(event.wait(), 1.0)
                continue
            uid, kind, payload = sb.updates[0]
            headers = {}
            if sb.webhook.get("secret_token"):
                headers["X-Telegram-Bot-Api-Secret-Token"] = sb.webhook["secret_token"]
            error = ""
            try:
                async with session.post(
                    sb.webhook["url"], json={"update_id": uid, kind: payload}, headers=headers
                ) as resp:
                    body = await resp.read()
                    if 200 <= resp.status < 300:
                        if sb.updates and sb.updates[0][0] == uid:
                            sb.updates.pop(0)
                        sb._notify()
                        await _webhook_reply(sb, resp.content_type, body)
                        continue
                    error = f"Wrong response from the webhook: {resp.status} {resp.reason}"
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - any delivery failure is retried
                error = f"Connection failed: {exc.__class__.__name__}"
            sb.webhook_last_error = (int(time.time()), error)
            log.info("webhook delivery of update %s failed: %s", uid, error)
            await asyncio.sleep(sb.webhook_retry_delay)


async def _webhook_reply(sb: Sandbox, content_type: str, body: bytes) -> None:
    """A webhook may answer with a method call in the response body."""
    if content_type != "application/json" or not body.strip():
        return
    try:
        data = json.loads(body)
    except ValueError:
        return
    if isinstance(data, dict) and isinstance(data.get("method"), str):
        name = data.pop("method")
        with contextlib.suppress(ApiError):
            await dispatch(sb, name, data)


@method("sendMessage")
async def send_message(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    return await _send(sb, "sendMessage", params, lambda chat: _text_content(params))


@method("sendPhoto")
async def send_photo(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    def build(chat: SandboxChat) -> tuple[dict[str, Any], str | None]:
        caption, html = _caption_content(params)
        f = _input_file(sb, params.get("photo"), "photos", "jpg", "image/jpeg")
        content = {"photo": sb._photo_sizes(f.data or b"", existing=f), **caption}
        if p_bool(params, "has_spoiler"):
            content["has_media_spoiler"] = True
        return content, html

    return await _send(sb, "sendPhoto", params, build)


@method("sendDocument")
async def send_document(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    def build(chat: SandboxChat) -> tuple[dict[str, Any], str | None]:
        caption, html = _caption_content(params)
        f = _input_file(sb, params.get("document"), "documents", "bin", None)
        doc: dict[str, Any] = {"file_id": f.file_id, "file_unique_id": f.file_unique_id}
        if f.file_name:
            doc["file_name"] = f.file_name
        if f.mime_type:
            doc["mime_type"] = f.mime_type
        if f.data is not None:
            doc["file_size"] = len(f.data)
        return {"document": doc, **caption}, html

    return await _send(sb, "sendDocument", params, build)


@method("sendLocation")
async def send_location(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    def build(chat: SandboxChat) -> tuple[dict[str, Any], str | None]:
        return {
            "location": {
                "latitude": float(params["latitude"]),
                "longitude": float(params["longitude"]),
            }
        }, None

    return await _send(sb, "sendLocation", params, build)


@method("sendContact")
async def send_contact(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    def build(chat: SandboxChat) -> tuple[dict[str, Any], str | None]:
        contact = {
            "phone_number": str(params["phone_number"]),
            "first_name": str(params["first_name"]),
        }
        if params.get("last_name"):
            contact["last_name"] = str(params["last_name"])
        return {"contact": contact}, None

    return await _send(sb, "sendContact", params, build)


_COPYABLE = (
    "text",
    "entities",
    "photo",
    "document",
    "caption",
    "caption_entities",
    "location",
    "contact",
    "sticker",
    "voice",
)


def _source_message(sb: Sandbox, params: dict[str, Any], what: str) -> StoredMessage:
    source_chat = sb.chats.get(p_int(params, "from_chat_id") or 0)
    if source_chat is None:
        raise bad_request("chat not found")
    source = source_chat.messages.get(p_int(params, "message_id") or 0)
    if source is None or source.deleted:
        raise bad_request(f"message to {what} not found")
    if source.service or not any(k in source.api for k in _COPYABLE):
        raise bad_request(
            f"message can't be {what.replace('copy', 'copied')}".replace("forward", "forwarded")
        )
    return source


@method("copyMessage")
async def copy_message(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    source = _source_message(sb, params, "copy")

    def build(chat: SandboxChat) -> tuple[dict[str, Any], str | None]:
        content = {k: copy.deepcopy(v) for k, v in source.api.items() if k in _COPYABLE}
        html = source.html
        if "caption" in params:
            content.pop("caption", None)
            content.pop("caption_entities", None)
            caption, html = _caption_content(params)
            content.update(caption)
        return content, html

    message = await _send(sb, "copyMessage", params, build)
    return {"message_id": message["message_id"]}


@method("forwardMessage")
async def forward_message(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    source = _source_message(sb, params, "forward")

    def build(chat: SandboxChat) -> tuple[dict[str, Any], str | None]:
        content = {k: copy.deepcopy(v) for k, v in source.api.items() if k in _COPYABLE}
        sender = source.api.get("from", {})
        content["forward_origin"] = {
            "type": "user",
            "sender_user": sender,
            "date": source.api["date"],
        }
        return content, source.html

    return await _send(sb, "forwardMessage", params, build)


def _editable(sb: Sandbox, params: dict[str, Any]) -> tuple[SandboxChat, StoredMessage]:
    if params.get("inline_message_id"):
        raise bad_request("MESSAGE_ID_INVALID")
    chat = resolve_chat(sb, params.get("chat_id"), for_send=False)
    message_id = p_int(params, "message_id")
    if message_id is None:
        raise bad_request("message identifier is not specified")
    stored = chat.messages.get(message_id)
    if stored is None or stored.deleted:
        raise bad_request("message to edit not found")
    if not stored.from_bot or stored.service:
        raise bad_request("message can't be edited")
    return chat, stored


def _apply_edit(
    sb: Sandbox,
    stored: StoredMessage,
    new: dict[str, Any],
    drop: tuple[str, ...],
    markup: dict[str, Any] | None,
    html: str | None,
    *,
    update_html: bool,
) -> dict[str, Any]:
    """Replace the ``drop`` keys by ``new`` and the inline keyboard by ``markup``.

    Like Telegram, an edit without ``reply_markup`` removes the inline keyboard
    and an edit that changes nothing answers "message is not modified".
    """
    updated = copy.deepcopy(stored.api)
    for key in drop:
        updated.pop(key, None)
    updated.update(new)
    if markup is not None and "inline_keyboard" in markup:
        updated["reply_markup"] = markup
    else:
        updated.pop("reply_markup", None)
    compare = ("text", "entities", "caption", "caption_entities", "reply_markup")
    if all(updated.get(k) == stored.api.get(k) for k in compare):
        raise bad_request(
            "message is not modified: specified new message content and reply "
            "markup are exactly the same as a current content and reply markup "
            "of the message"
        )
    stored.history.append(copy.deepcopy(stored.api))
    updated["edit_date"] = int(time.time())
    stored.api = updated
    if update_html:
        stored.html = html
    sb._notify()
    return copy.deepcopy(updated)


@method("editMessageText")
async def edit_message_text(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    _, stored = _editable(sb, params)
    if "text" not in stored.api:
        raise bad_request("there is no text in the message to edit")
    content, html = _text_content(params)
    markup = check_reply_markup(p_obj(params, "reply_markup"))
    return _apply_edit(sb, stored, content, ("text", "entities"), markup, html, update_html=True)


@method("editMessageCaption")
async def edit_message_caption(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    _, stored = _editable(sb, params)
    if "text" in stored.api:
        raise bad_request("there is no caption in the message to edit")
    content, html = _caption_content(params)
    markup = check_reply_markup(p_obj(params, "reply_markup"))
    return _apply_edit(
        sb, stored, content, ("caption", "caption_entities"), markup, html, update_html=True
    )


@method("editMessageReplyMarkup")
async def edit_message_reply_markup(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    _, stored = _editable(sb, params)
    markup = check_reply_markup(p_obj(params, "reply_markup"))
    return _apply_edit(sb, stored, {}, (), markup, None, update_html=False)


@method("deleteMessage")
async def delete_message(sb: Sandbox, params: dict[str, Any]) -> bool:
    chat = resolve_chat(sb, params.get("chat_id"), for_send=False)
    stored = chat.messages.get(p_int(params, "message_id") or 0)
    if stored is None or stored.deleted:
        raise bad_request("message to delete not found")
    if chat.type != "private" and not stored.from_bot and not chat.bot_is_admin:
        raise bad_request("message can't be deleted")
    stored.deleted = True
    sb._notify()
    return True


@method("answerCallbackQuery")
async def answer_callback_query(sb: Sandbox, params: dict[str, Any]) -> bool:
    pending = sb.callbacks.get(str(params.get("callback_query_id")))
    if pending is None or pending.answered:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    text = params.get("text")
    if text is not None and len(str(text)) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    pending.answered = True
    pending.answer = {
        "text": text,
        "show_alert": p_bool(params, "show_alert"),
        "url": params.get("url"),
        "cache_time": p_int(params, "cache_time", 0),
    }
    sb._notify()
    return True


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


ROUTE_INSTALLERS["bot_api"] = setup_bot_api
