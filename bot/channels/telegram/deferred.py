"""Replies after commit: what a handler sends during an update leaves only once the
update's transaction has committed, through the delivery engine.

While an update is handled (:func:`collecting`, opened by the per-update session
middleware), the request middleware :class:`DeferReplies` keeps every call that shows
something to a person (sending, editing, deleting, pinning, answering a button) instead
of making it, and gives the handler a stand-in result (a message with ``message_id`` 0,
``True``). After the handler returns, the calls are written to the outbox in the
update's own transaction (kind ``reply.call``, see :mod:`bot.delivery.kinds`), so:

* nobody reads "sent to the branch" before the question is committed, and a failed
  update (rolled back) sends nothing of what it had prepared;
* no transaction, database connection or inbox worker waits for a send slot: the
  engine paces the calls per chat and per group, like everything else it sends;
* a kill -9 after the commit loses nothing: the rows are there at the restart.

Reads (``getMe``, ``getChatMember``, ``getFile``, ...) pass through: a handler needs
their answers. A handler that needs the id of a message it sends (to edit it later)
must not rely on the stand-in: it queues a delivery whose kind records the id when it
is sent (``KindSpec.on_sent``), as the broadcast's progress message does.

This is a request middleware, so it works for any aiogram session (``BaseSession``
applies request middlewares to every call); it must be the outermost one
(:func:`install`), or the calls would wait for a throttling slot before being kept.
"""

from __future__ import annotations

import base64
import contextlib
import logging
import typing
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiogram.methods as methods
from aiogram import Bot
from aiogram.client.default import Default
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType
from aiogram.types import BufferedInputFile, Chat, FSInputFile, InputFile, Message, MessageId
from pydantic import BaseModel

log = logging.getLogger("villagebot.replies")

# Calls a person sees. Everything else (reads, getUpdates, webhook setup) passes through.
SENDING = frozenset(
    {
        "sendMessage", "sendPhoto", "sendDocument", "sendVideo", "sendAudio", "sendVoice",
        "sendAnimation", "sendSticker", "sendLocation", "sendContact", "sendPoll",
        "sendMediaGroup", "sendVenue", "sendDice", "sendVideoNote", "copyMessage",
        "forwardMessage", "copyMessages", "forwardMessages",
    }
)
DEFERRED = SENDING | {
    "editMessageText", "editMessageCaption", "editMessageMedia", "editMessageReplyMarkup",
    "deleteMessage", "deleteMessages", "answerCallbackQuery", "pinChatMessage",
    "unpinChatMessage", "setMessageReaction",
}


@dataclass(slots=True)
class Kept:
    """One call kept for after the commit: where it goes and the call itself, as JSON."""

    address: int
    api_method: str
    payload: dict[str, Any]


@dataclass(slots=True)
class Collector:
    """The calls of one update. ``address`` is the update's chat: a call without a chat
    (answering a button) is paced and ordered with that chat's messages."""

    address: int
    calls: list[Kept] = field(default_factory=list)
    open: bool = True

    def close(self) -> list[Kept]:
        """No more collecting (a task the handler left behind sends directly)."""
        self.open = False
        calls, self.calls = self.calls, []
        return calls


_COLLECTOR: ContextVar[Collector | None] = ContextVar("reply_collector", default=None)


@contextlib.contextmanager
def collecting(address: int) -> Iterator[Collector]:
    """Keep the replies sent inside this block; the caller writes them after the work."""
    collector = Collector(address)
    token = _COLLECTOR.set(collector)
    try:
        yield collector
    finally:
        _COLLECTOR.reset(token)
        collector.open = False


class DeferReplies(BaseRequestMiddleware):
    """Keeps what an update shows to people until its transaction has committed."""

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        collector = _COLLECTOR.get()
        if collector is None or not collector.open or method.__api_method__ not in DEFERRED:
            return await make_request(bot, method)
        chat_id = getattr(method, "chat_id", None)
        if chat_id is not None and not isinstance(chat_id, int):
            return await make_request(bot, method)  # a @username: not ours to pace
        if getattr(method, "message_id", None) == 0:
            log.warning(
                "%s uses the stand-in id of a message sent in the same update: it will fail; "
                "queue a delivery whose kind records the id instead (see bot/channels/telegram/deferred.py)",
                method.__api_method__,
            )
        try:
            payload = serialize(method)
        except TypeError:
            return await make_request(bot, method)  # a file by URL: cannot be kept as JSON
        if (locale := current_locale()) is not None:
            payload["locale"] = locale  # the language it was written in (a bridge may need it)
        collector.calls.append(
            Kept(chat_id if chat_id is not None else collector.address, method.__api_method__, payload)
        )
        return Response[Any](ok=True, result=stand_in(method, bot))  # type: ignore[return-value]


def current_locale() -> str | None:
    """The locale of the update being handled, if the i18n middleware set one."""
    from aiogram.utils.i18n import get_i18n

    try:
        return get_i18n().current_locale
    except LookupError:
        return None


def install(bot: Bot) -> None:
    """Put :class:`DeferReplies` first among ``bot``'s request middlewares."""
    manager = bot.session.middleware
    others = list(manager)
    for middleware in others:
        manager.unregister(middleware)
    manager(DeferReplies())
    for middleware in others:
        manager(middleware)


# ------------------------------------------------------------------ stand-ins


def stand_in(method: TelegramMethod[Any], bot: Bot) -> Any:
    """What the handler gets back instead of Telegram's answer."""
    returning = method.__returning__
    chat_id = getattr(method, "chat_id", None)
    if returning is Message:
        chat = Chat.model_construct(id=chat_id or 0, type="private" if (chat_id or 0) > 0 else "group")
        message = Message.model_construct(
            message_id=0, date=datetime.now(UTC), chat=chat, text=getattr(method, "text", None)
        )
        return message.as_(bot)
    if returning is MessageId:
        return MessageId.model_construct(message_id=0)
    if typing.get_origin(returning) is list:
        return []
    return True


# --------------------------------------------------------------- as JSON


def serialize(method: TelegramMethod[Any]) -> dict[str, Any]:
    """The call as JSON: its class and its fields (defaults, files kept as markers)."""
    return {"method": type(method).__name__, "params": _encode(method)}


def rebuild(payload: dict[str, Any]) -> TelegramMethod[Any]:
    cls = getattr(methods, payload["method"])
    return cls.model_validate(_decode(payload["params"]))


def _encode(value: Any) -> Any:
    if isinstance(value, Default):
        return {"__default__": value.name}
    if isinstance(value, BufferedInputFile):
        return {"__file__": base64.b64encode(value.data).decode(), "filename": value.filename}
    if isinstance(value, FSInputFile):
        data = Path(value.path).read_bytes()
        return {"__file__": base64.b64encode(data).decode(), "filename": value.filename}
    if isinstance(value, InputFile):
        raise TypeError("this file cannot be kept as JSON")
    if isinstance(value, BaseModel):
        return {
            name: _encode(item)
            for name, item in value
            if item is not None or name in value.model_fields_set
        }
    if isinstance(value, list | tuple):
        return [_encode(item) for item in value]
    if isinstance(value, dict):
        return {key: _encode(item) for key, item in value.items()}
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if "__default__" in value and len(value) == 1:
            return Default(value["__default__"])
        if "__file__" in value:
            return BufferedInputFile(base64.b64decode(value["__file__"]), filename=value.get("filename") or "file")
        return {key: _decode(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_decode(item) for item in value]
    return value
