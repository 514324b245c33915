"""The bridge: an aiogram session that talks to Zalo, so the handlers run unchanged.

A handler calls ``message.answer(text, reply_markup=keyboard)``; the call is kept until
the update commits (:mod:`bot.channels.telegram.deferred`, installed on the Zalo bot too),
then the delivery engine makes it, and aiogram hands the ``SendMessage`` to this session,
which sends what Zalo can carry:

* HTML becomes plain text; a text over 2,000 characters is split at line breaks,
  the numbered menu kept whole in the last part;
* an inline keyboard becomes numbered lines, and the menu is STORED for the
  conversation (``pending_menus``): a typed "2", even after a restart, becomes the
  second button's callback query (:mod:`.intake`); a reply keyboard's text buttons
  are numbered too, and a contact button becomes a hint to type instead;
* an edit becomes a new message; an ``answerCallbackQuery`` with text becomes a short
  message; an uploaded photo is served under an unguessable, expiring URL
  (:mod:`.files`) and sent by URL; a document becomes a link;
* what Zalo cannot do at all (pins, deletes, command menus) is a no-op with a log line.

Every message the bot sends replaces the conversation's pending menu (the numbers a
person types always refer to the latest message), except a photo without choices: it
belongs to the message before it (the VietQR after "thank you: add a note, your
household…"), whose numbers still hold. A 429 "Quota exceeded" (no
``retry_after`` on Zalo) pauses this session only, with a growing backoff.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncGenerator
from datetime import UTC, datetime, timedelta
from typing import Any

from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageCaption,
    EditMessageReplyMarkup,
    EditMessageText,
    GetMe,
    SendChatAction,
    SendDocument,
    SendMessage,
    SendPhoto,
    TelegramMethod,
)
from aiogram.types import (
    BufferedInputFile,
    FSInputFile,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    ReplyKeyboardMarkup,
    User,
)

from bot.channels.zalo.api import ZaloApi, ZaloApiError
from bot.channels.zalo.directory import Directory
from bot.channels.zalo.files import FileShelf
from bot.channels.zalo.quota import QuotaGuard
from bot.channels.zalo.text import deep_links_typed, html_to_plain, split_plain, without_sentences
from bot.channels.zalo.words import about_missing_controls, contact_hint, menu_hint, way_out_hint

log = logging.getLogger("villagebot.zalo")

TEXT_LIMIT = 2000
NO_OPS = frozenset({
    "pinChatMessage", "unpinChatMessage", "unpinAllChatMessages", "deleteMessage", "deleteMessages",
    "setMyCommands", "deleteMyCommands", "setChatMenuButton", "setMyDescription",
    "setMyShortDescription", "setMyName", "deleteWebhook", "setMessageReaction",
})
BACKOFF_FIRST, BACKOFF_MAX = 5.0, 300.0
SENDS = frozenset({"sendMessage", "sendPhoto", "sendSticker"})


class ZaloSession(BaseSession):
    channel = "zalo"
    contact_button = False  # no "share my phone" button (bot.channels.base.can_share_contact)

    def __init__(self, api: ZaloApi, directory: Directory, shelf: FileShelf, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.zalo = api
        self.directory = directory
        self.shelf = shelf
        self.paused_until = 0.0
        self._backoff = 0.0
        self.quota_hits = 0
        self.sent = 0  # messages sent, not yet added to the stored monthly usage
        self.last_quota_at: datetime | None = None
        self.quota_episodes = 0  # 429s after at least an hour without one: operators are told
        self._me: dict[str, Any] | None = None
        self.guard = QuotaGuard()  # the month's count against the plan's quota
        self.languages: tuple[Any, str] | None = None  # (i18n, default locale): see ZaloChannel

    async def close(self) -> None:
        await self.zalo.close()

    async def stream_content(self, url: str, headers: dict[str, Any] | None = None, timeout: int = 30,
                             chunk_size: int = 65536, raise_for_status: bool = True) -> AsyncGenerator[bytes, None]:
        raise NotImplementedError("Zalo has no file downloads")
        yield b""  # pragma: no cover

    # ------------------------------------------------------------- requests

    async def make_request(self, bot: Bot, method: TelegramMethod[Any], timeout: int | None = None) -> Any:
        name = method.__api_method__
        if isinstance(method, GetMe):
            return User.model_validate(await self._bot_user(method))
        if isinstance(method, SendMessage):
            return await self._send_text(bot, method, method.chat_id, method.text, method.reply_markup)
        if isinstance(method, EditMessageText):
            return await self._send_text(bot, method, method.chat_id, method.text, method.reply_markup)
        if isinstance(method, EditMessageCaption):
            return await self._send_text(bot, method, method.chat_id, method.caption or "", method.reply_markup)
        if isinstance(method, EditMessageReplyMarkup):
            chat_id = int(method.chat_id or 0)
            if _buttons(method.reply_markup):
                return await self._send_text(bot, method, chat_id, "", method.reply_markup)
            await self.directory.clear_menu(chat_id)
            return True
        if isinstance(method, AnswerCallbackQuery):
            chat_id = _callback_chat(method.callback_query_id)
            if method.text and method.show_alert and chat_id:  # a toast would only repeat the edit
                await self._send_text(bot, method, chat_id, method.text, None, keep_menu=True)
            return True
        if isinstance(method, SendPhoto):
            return await self._send_photo(bot, method)
        if isinstance(method, SendDocument):
            return await self._send_document(bot, method)
        if isinstance(method, SendChatAction):
            target = await self._target(method, method.chat_id)
            await self._call(method, "sendChatAction", chat_id=target, action="typing")
            return True
        if name in NO_OPS:
            log.info("zalo: %s is not available on Zalo; skipped", name)
            return True
        raise TelegramBadRequest(method, f"{name} is not available on Zalo")

    async def _bot_user(self, method: TelegramMethod[Any]) -> dict[str, Any]:
        if self._me is None:
            me = await self._call(method, "getMe")
            name = str(me.get("account_name") or me.get("name") or "Bot")
            self._me = {"id": int(me["id"]), "is_bot": True, "first_name": name, "username": "zalo_bot"}
        return self._me

    async def _target(self, method: TelegramMethod[Any], chat_id: Any) -> str:
        target = await self.directory.platform_id(int(chat_id or 0))
        if target is None:
            raise TelegramBadRequest(method, "Bad Request: chat not found")
        return target

    async def _call(self, method: TelegramMethod[Any], name: str, **params: Any) -> Any:
        left = self.paused_until - time.monotonic()
        if left > 0:
            raise TelegramRetryAfter(method, "Zalo quota exceeded: paused", int(left) + 1)
        try:
            result = await self.zalo.call(name, **params)
        except ZaloApiError as exc:
            raise self._error(method, exc) from exc
        self._backoff = 0.0
        if name in SENDS:
            self.sent += 1
            self.guard.count()
        return result

    def _error(self, method: TelegramMethod[Any], exc: ZaloApiError) -> Exception:
        if exc.code == 429:
            now = datetime.now(UTC)
            if self.last_quota_at is None or now - self.last_quota_at > timedelta(hours=1):
                self.quota_episodes += 1
            self.last_quota_at = now
            self.quota_hits += 1
            self._backoff = min(BACKOFF_MAX, self._backoff * 2 if self._backoff else BACKOFF_FIRST)
            self.paused_until = time.monotonic() + self._backoff
            log.warning("zalo: 429 %s; Zalo sends pause %ss", exc.description, self._backoff)
            return TelegramRetryAfter(method, f"Zalo: {exc.description}", int(self._backoff))
        if exc.code == 401:
            return TelegramUnauthorizedError(method, f"Zalo: {exc.description}")
        if exc.code in (400, 404):
            return TelegramBadRequest(method, f"Zalo: {exc.description}")
        if exc.code in (0, 408):
            return TelegramNetworkError(method, f"Zalo: {exc.description}")
        return TelegramServerError(method, f"Zalo {exc.code}: {exc.description}")  # 403 is "internal error"

    # -------------------------------------------------------------- sending

    async def _send_text(
        self, bot: Bot, method: TelegramMethod[Any], chat_id: Any, text: str, markup: Any,
        *, keep_menu: bool = False,
    ) -> Message:
        target = await self._target(method, chat_id)
        items, lines = menu_of(markup)
        plain = for_zalo(html_to_plain(text) if _html(method, bot) else text)
        if not keep_menu:  # stored before the send: a number typed the moment it arrives must find it
            await self._remember(int(chat_id), items, 0, plain, durable=True)
        sent: dict[str, Any] = {}
        for piece in split_plain(plain, TEXT_LIMIT, tail="\n".join(lines)):
            sent = await self._call(method, "sendMessage", chat_id=target, text=piece)
        message = self._message(bot, int(chat_id), sent, text=plain)
        if not keep_menu and items:
            await self._remember(int(chat_id), items, message.message_id, plain)
        return message

    async def say(self, bot: Bot, chat_id: int, text: str) -> None:
        """A plain answer of the bridge's own (a wrong number, a sticker): the pending
        menu stays, so the person can still answer it."""
        method = SendMessage(chat_id=chat_id, text=text)
        await self._send_text(bot, method, chat_id, text, None, keep_menu=True)

    async def _remember(
        self, chat_id: int, items: list[dict[str, Any]], message_id: int, text: str, *, durable: bool = False
    ) -> None:
        if items:
            await self.directory.set_menu(chat_id, items, message_id, text, _locale())
        else:
            await self.directory.clear_menu(chat_id)
        if durable:
            await self.directory.stored(chat_id)

    async def _send_photo(self, bot: Bot, method: SendPhoto) -> Message:
        target = await self._target(method, method.chat_id)
        url = self._publish(method.photo, "photo.png")
        items, lines = menu_of(method.reply_markup)
        caption = for_zalo(html_to_plain(method.caption or "") if _html(method, bot) else (method.caption or ""))
        if items:  # a photo without choices (the VietQR after the thank-you, a chart) goes
            await self._remember(int(method.chat_id), items, 0, caption, durable=True)  # with the menu before it
        pieces = split_plain(caption, TEXT_LIMIT, tail="\n".join(lines)) if (caption or lines) else [""]
        if url is None:  # a Telegram file id: nothing Zalo can fetch
            log.info("zalo: a photo by file id cannot be sent; its caption goes alone")
            sent = {}
        else:
            sent = await self._call(method, "sendPhoto", chat_id=target, photo=url, caption=pieces[0] or None)
            pieces = pieces[1:]
        for piece in pieces:
            if piece:
                sent = await self._call(method, "sendMessage", chat_id=target, text=piece)
        message = self._message(bot, int(method.chat_id), sent, text=caption, photo=url)
        if items:
            await self._remember(int(method.chat_id), items, message.message_id, caption)
        return message

    async def _send_document(self, bot: Bot, method: SendDocument) -> Message:
        url = self._publish(method.document, "file")
        caption = html_to_plain(method.caption or "") if _html(method, bot) else (method.caption or "")
        text = "\n".join(part for part in (caption, f"📎 {url}" if url else "") if part) or "📎"
        return await self._send_text(bot, method, method.chat_id, text, method.reply_markup)

    def _publish(self, media: Any, default_name: str) -> str | None:
        if isinstance(media, str):
            return media if media.startswith(("http://", "https://")) else None
        if isinstance(media, BufferedInputFile):
            return self.shelf.put(media.data, media.filename or default_name)
        if isinstance(media, FSInputFile):
            with open(media.path, "rb") as handle:
                return self.shelf.put(handle.read(), media.filename or default_name)
        if isinstance(media, InputFile):
            raise TypeError(f"unsupported upload {type(media).__name__}")
        return None

    def _message(self, bot: Bot, chat_id: int, sent: dict[str, Any], *, text: str, photo: str | None = None) -> Message:
        hex_id = str(sent.get("message_id") or "0")
        try:
            message_id = int(hex_id[:13], 16)
        except ValueError:
            message_id = abs(hash(hex_id)) % (1 << 52)
        data: dict[str, Any] = {
            "message_id": message_id,
            "date": int(sent.get("date") or time.time() * 1000) // 1000,
            "chat": {"id": chat_id, "type": self.directory.chat_type(chat_id)},
            "from": self._me or {"id": bot.id, "is_bot": True, "first_name": "Bot"},
        }
        if photo:
            data["photo"] = [{"file_id": photo, "file_unique_id": hex_id, "width": 1, "height": 1}]
            data["caption"] = text or None
        else:
            data["text"] = text or "…"
        return Message.model_validate(data, context={"bot": bot})


def for_zalo(text: str) -> str:
    """The handlers' words, fitted to Zalo: a Telegram deep link becomes the command to
    type, and a sentence about the phone button (absent here) is left out."""
    return without_sentences(deep_links_typed(text), about_missing_controls())


def menu_of(markup: Any) -> tuple[list[dict[str, Any]], list[str]]:
    """The numbered items a keyboard becomes, and the lines showing them. A step's way
    out ("✖ Hủy") is number 0, so the numbers 1, 2… are left for what the step asks: on a
    step whose only button is ✖, "25" typed for a day is the day, not a wrong choice."""
    items: list[dict[str, Any]] = []
    lines: list[str] = []
    extra: list[str] = []
    if isinstance(markup, InlineKeyboardMarkup):
        way_out: dict[str, Any] | None = None
        for row in markup.inline_keyboard:
            for button in row:
                if button.callback_data is not None:
                    if way_out is None and button.text.lstrip().startswith(WAY_OUT_MARKS):
                        way_out = {"label": button.text, "data": button.callback_data, "n": 0}
                        continue
                    items.append({"label": button.text, "data": button.callback_data})
                    lines.append(_numbered(len(items), button.text))
                elif button.url:
                    extra.append(f"🔗 {button.text}: {deep_links_typed(button.url)}")
        if way_out is not None:
            lines.append(f"0. {way_out['label']}")
            lines.append(way_out_hint(len(items)))
            return [*items, way_out], lines + extra
    elif isinstance(markup, ReplyKeyboardMarkup):
        for row in markup.keyboard:
            for button in row:
                if button.request_contact:
                    extra.append(contact_hint())
                elif not (button.request_location or button.request_users or button.request_chat
                          or button.request_poll or button.web_app):
                    items.append({"label": button.text, "text": button.text})
                    lines.append(f"{len(items)}. {button.text}")
    if items:
        lines.append(menu_hint(len(items)))
    return items, lines + extra


# A button whose label starts with one of these ends the step (✖ Cancel, ✖ Close, ❌ Cancel).
WAY_OUT_MARKS = ("✖", "❌")


def _numbered(number: int, label: str) -> str:
    """``2. Giao thông``; a label that already starts with its own number keeps it once."""
    return label if label.startswith(f"{number}. ") else f"{number}. {label}"


def _buttons(markup: Any) -> bool:
    return isinstance(markup, InlineKeyboardMarkup) and any(markup.inline_keyboard)


def _html(method: Any, bot: Bot) -> bool:
    """HTML unless the call says plain text (the bot's default parse mode is HTML)."""
    mode = getattr(method, "parse_mode", None)
    if mode is None:
        return False
    if isinstance(mode, str):
        return mode.upper() == "HTML"
    default = bot.default.parse_mode if bot.default is not None else None
    return str(getattr(default, "value", default) or "").upper() == "HTML"


def _callback_chat(callback_query_id: str) -> int:
    """Callback query ids made by the intake are ``<chat id>:<event key>``."""
    head = callback_query_id.split(":", 1)[0]
    return int(head) if head.lstrip("-").isdigit() else 0


def _locale() -> str | None:
    from aiogram.utils.i18n import get_i18n

    try:
        return get_i18n().current_locale
    except LookupError:
        return None
