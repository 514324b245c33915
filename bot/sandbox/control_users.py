"""Control API actions of a played user: send, press a button, share a contact or a
location, send a document, photo or sticker, block the bot, add it to a group or
remove it."""

from __future__ import annotations

import base64

from aiohttp import web

from .control_base import _body, _chat, _guarded, _json, _sb, _user, chat_json, user_json


@_guarded
async def user_send(request: web.Request) -> web.Response:
    sb = _sb(request)
    user = _user(request)
    body = await _body(request)
    return _json(
        await user.send(
            str(body["text"]), chat=_chat(sb, body.get("chat_id")), reply_to=body.get("reply_to")
        )
    )


@_guarded
async def user_press(request: web.Request) -> web.Response:
    sb = _sb(request)
    user = _user(request)
    body = await _body(request)
    chat = sb.chats[int(body["chat_id"])]
    stored = chat.messages[int(body["message_id"])]
    answer = await user.press(
        stored.api,
        body.get("text"),
        callback_data=body.get("callback_data"),
        timeout=float(body.get("timeout", 10)),
    )
    return _json({"answered": answer is not None, "answer": answer})


@_guarded
async def user_reply_button(request: web.Request) -> web.Response:
    sb = _sb(request)
    user = _user(request)
    body = await _body(request)
    return _json(
        await user.press_reply_button(str(body["text"]), chat=_chat(sb, body.get("chat_id")))
    )


@_guarded
async def user_share_contact(request: web.Request) -> web.Response:
    sb = _sb(request)
    user = _user(request)
    body = await _body(request)
    user_id = body.get("user_id")
    return _json(
        await user.share_contact(
            phone=body.get("phone"),
            user_id=int(user_id) if user_id else None,
            first_name=body.get("first_name"),
            chat=_chat(sb, body.get("chat_id")),
        )
    )


@_guarded
async def user_location(request: web.Request) -> web.Response:
    sb = _sb(request)
    body = await _body(request)
    return _json(
        await _user(request).send_location(
            float(body["latitude"]), float(body["longitude"]), chat=_chat(sb, body.get("chat_id"))
        )
    )


@_guarded
async def user_document(request: web.Request) -> web.Response:
    """A document from the web chat's 📎 (multipart ``document`` part, or base64 + ``file_name``)."""
    sb = _sb(request)
    body = await _body(request)
    part = body.get("document")
    file_name = body.get("document.filename") or body.get("file_name") or "tep"
    mime = body.get("document.content_type") or "application/octet-stream"
    if isinstance(part, str):
        part = base64.b64decode(part)
    if not isinstance(part, bytes) or not part:
        raise ValueError("document (file part or base64) is required")
    return _json(
        await _user(request).send_document(
            part,
            file_name=str(file_name),
            mime_type=str(mime),
            caption=body.get("caption") or None,
            chat=_chat(sb, body.get("chat_id")),
        )
    )


@_guarded
async def user_photo(request: web.Request) -> web.Response:
    sb = _sb(request)
    body = await _body(request)
    data = body.get("photo")
    if isinstance(data, str):
        data = base64.b64decode(data)
    if not isinstance(data, bytes) or not data:
        raise ValueError("photo (file part or base64) is required")
    return _json(
        await _user(request).send_photo(
            data, caption=body.get("caption") or None, chat=_chat(sb, body.get("chat_id"))
        )
    )


@_guarded
async def user_sticker(request: web.Request) -> web.Response:
    sb = _sb(request)
    body = await _body(request)
    return _json(await _user(request).send_sticker(chat=_chat(sb, body.get("chat_id"))))


@_guarded
async def user_block(request: web.Request) -> web.Response:
    user = _user(request)
    body = await _body(request)
    if body.get("blocked", True):
        user.block_bot()
    else:
        user.unblock_bot()
    return _json(user_json(user))


@_guarded
async def user_add_bot(request: web.Request) -> web.Response:
    sb = _sb(request)
    body = await _body(request)
    chat = sb.chats[int(body["chat_id"])]
    await _user(request).add_bot_to(chat, as_admin=bool(body.get("as_admin")))
    return _json(chat_json(sb, chat))


@_guarded
async def user_remove_bot(request: web.Request) -> web.Response:
    sb = _sb(request)
    body = await _body(request)
    chat = sb.chats[int(body["chat_id"])]
    await _user(request).remove_bot_from(chat)
    return _json(chat_json(sb, chat))
