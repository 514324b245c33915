"""What the bot sends: text and caption rules (length, entities), reply markup and inline
button checks, storing the bot's message and answering with it."""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse

from .api_errors import ApiError, UploadedFile, bad_request
from .chat import SandboxChat
from .core import Sandbox
from .formatting import EntityParseError, parse_html, utf16_len
from .methods_base import _rate_limit, p_bool, p_int, p_obj, resolve_chat
from .records import StoredMessage

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


MAX_INLINE_BUTTONS, MAX_INLINE_ROW = 100, 8


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
        # Telegram: at most 100 inline buttons, 8 in a row ("reply markup is too long").
        if sum(len(r) for r in rows) > MAX_INLINE_BUTTONS or any(
            len(r) > MAX_INLINE_ROW for r in rows
        ):
            raise bad_request("reply markup is too long")
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
