"""Message methods: send (text, photo, document, location, contact), copy, forward, edit,
delete, and answering a callback query."""

from __future__ import annotations

import copy
import time
from typing import Any

from .api_errors import bad_request
from .chat import SandboxChat
from .core import Sandbox
from .methods_base import method, p_bool, p_int, p_obj, resolve_chat
from .outgoing import _caption_content, _input_file, _send, _text_content, check_reply_markup
from .records import StoredMessage


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
