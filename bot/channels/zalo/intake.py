"""Zalo events → aiogram Updates for the durable inbox.

Zalo has no update id: an update's id is made from the event's date (ms) and a
20-bit digest of its dedupe key ``event_name:message_id``, so one chat's updates are
handled in date order and a redelivered event lands on the same id (the inbox's
unique key ignores it). Ids of people and chats are text; each gets an internal
integer (:class:`~bot.channels.zalo.directory.Directory`).

A typed number answers the menu stored for the conversation: in range, it becomes
the button's callback query (or, for a reply-keyboard button, its text); out of range
(up to two digits) or after the menu expired, the person is told at once. A bare number
with no menu is an ordinary text. An image becomes a photo message (its URL as the
file id); a sticker or an unsupported message gets a clear answer. A person's first message starts the conversation (``/start``); a
first message that is an invite code links them (``/start inv_<code>``); a first
message that is an account link code (``/ketnoi`` on the other channel) is passed on as
it is. Groups are not served (beta on Zalo, where a bot hears only the messages that
mention it): a mention is answered "write to me in private", at most once an hour per
group; anything else from a group is left alone.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from dataclasses import dataclass
from typing import Any

from aiogram.types import Update

from bot.channels.zalo.directory import Directory
from bot.channels.zalo.words import group_not_served, menu_expired, not_understood, out_of_range
from bot.services.account_links import looks_like_code

log = logging.getLogger("villagebot.zalo")

INVITE_CODE = re.compile(r"(?:inv_)?([A-Za-z0-9_-]{16})")
MENU_ANSWER = re.compile(r"\s*(\d{1,2})\s*\.?\s*")
GROUP_NOTICE_EVERY = 3600.0  # seconds between two "write to me in private" in one group


def update_id(event_name: str, message_id: str, date_ms: int) -> int:
    digest = int.from_bytes(hashlib.sha256(f"{event_name}:{message_id}".encode()).digest()[:4], "big")
    return (int(date_ms) << 20) | (digest & 0xFFFFF)


@dataclass(frozen=True, slots=True)
class Intake:
    """The updates to store, and answers to send at once (chat id, text)."""

    updates: list[Update]
    answers: list[tuple[int, str]]


class ZaloIntake:
    def __init__(self, directory: Directory, bot_user: dict[str, Any], i18n: Any = None, locale: str = "vi") -> None:
        self.directory = directory
        self.bot_user = bot_user
        self.i18n = i18n
        self.locale = locale
        self._told_groups: dict[str, float] = {}  # group -> when last told to write in private

    def _say(self, words: Any, *args: Any, locale: str | None = None) -> str:
        if self.i18n is None:
            return words(*args)
        with self.i18n.context(), self.i18n.use_locale(locale or self.locale):
            return words(*args)

    async def convert(self, event: dict[str, Any]) -> Intake:
        name = str(event.get("event_name") or "")
        message = event.get("message") or {}
        sender, chat = message.get("from") or {}, message.get("chat") or {}
        if not sender.get("id") or not chat.get("id") or sender.get("is_bot"):
            log.info("zalo: ignored an event without a sender or chat (%s)", name)
            return Intake([], [])
        chat_type = "group" if str(chat.get("chat_type", "")).upper() == "GROUP" else "private"
        if chat_type == "group":  # not served on Zalo (beta, mention-only); the sender stays unknown
            return await self._group(str(chat["id"]), name, str(message.get("text") or ""))
        display = str(sender.get("display_name") or sender.get("name") or "Zalo")[:200]
        person = await self.directory.allocate(str(sender["id"]), "private", display)
        place = person if chat["id"] == sender["id"] else await self.directory.allocate(str(chat["id"]), chat_type)
        date_ms = int(message.get("date") or 0)
        uid = update_id(name, str(message.get("message_id") or ""), date_ms)
        user = {"id": person.internal_id, "is_bot": False, "first_name": display}
        chat_obj = {"id": place.internal_id, "type": chat_type}
        if chat_type == "private":
            chat_obj["first_name"] = display
        base = {"message_id": uid & 0xFFFFFFFF, "date": date_ms // 1000, "chat": chat_obj, "from": user}

        photo = str(message.get("photo") or message.get("photo_url") or "")
        if name == "message.image.received" and photo.startswith(("http://", "https://")):
            # A photo by URL: as a Telegram photo whose file id is the URL (a visit's photo).
            size = {"file_id": photo, "file_unique_id": str(message.get("message_id") or uid), "width": 0, "height": 0}
            content = {"photo": [size], "caption": str(message.get("caption") or "")[:1024] or None}
            payload = {**base, **{k: v for k, v in content.items() if v is not None}}
            return Intake([Update.model_validate({"update_id": uid, "message": payload})], [])
        if name != "message.text.received":
            log.info("zalo: %s answered with the text-only notice", name)
            return Intake([], [(place.internal_id, self._say(not_understood))])
        text = str(message.get("text") or "").strip()
        if not text:
            return Intake([], [])
        if person.created and not text.startswith("/"):
            text = await self._first_words(text)
        elif chat_type == "private" and (picked := await self._numbered(place.internal_id, text)) is not None:
            kind, value = picked
            if kind == "answer":
                return Intake([], [(place.internal_id, value["text"])])
            if kind == "text":
                text = value["text"]
            else:
                callback = {
                    "id": f"{place.internal_id}:{uid}",
                    "from": user,
                    "chat_instance": str(place.internal_id),
                    "data": value["data"],
                    "message": {
                        "message_id": value["message_id"], "date": date_ms // 1000, "chat": chat_obj,
                        "from": self.bot_user, "text": value["message_text"] or "…",
                    },
                }
                return Intake([Update.model_validate({"update_id": uid, "callback_query": callback})], [])
        elif chat_type == "private" and await self._is_invite(text):
            text = "/start inv_" + INVITE_CODE.fullmatch(text).group(1)  # type: ignore[union-attr]
        return Intake([Update.model_validate({"update_id": uid, "message": {**base, "text": text}})], [])

    async def _group(self, group_id: str, name: str, text: str) -> Intake:
        """A group message: one that mentions the bot is told, politely and at most once
        an hour per group, to write in private; anything else is left alone."""
        bot_name = str(self.bot_user.get("first_name") or "")
        mentioned = name == "message.text.received" and bool(bot_name) and f"@{bot_name}".lower() in text.lower()
        now = time.monotonic()
        if not mentioned or now - self._told_groups.get(group_id, float("-inf")) < GROUP_NOTICE_EVERY:
            log.info("zalo: a group message left alone (%s)", "mention, told lately" if mentioned else "no mention")
            return Intake([], [])
        self._told_groups[group_id] = now
        if len(self._told_groups) > 10_000:
            self._told_groups.clear()
        group = await self.directory.allocate(group_id, "group")
        return Intake([], [(group.internal_id, self._say(group_not_served, bot_name))])

    async def _first_words(self, text: str) -> str:
        """A new person's first message: an invite code links them; anything else starts."""
        if await self._is_invite(text):
            return "/start inv_" + INVITE_CODE.fullmatch(text).group(1)  # type: ignore[union-attr]
        if looks_like_code(text):
            return text  # a link code shown on the other channel: this person is known there
        return "/start"

    async def _is_invite(self, text: str) -> bool:
        match = INVITE_CODE.fullmatch(text.strip())
        return bool(match) and await self.directory.invite_exists(match.group(1))  # type: ignore[union-attr]

    async def _numbered(self, chat_id: int, text: str) -> tuple[str, dict[str, Any]] | None:
        match = MENU_ANSWER.fullmatch(text)
        if match is None:
            return None
        menu = await self.directory.menu(chat_id)
        if menu is None:
            return None  # a bare number outside a menu is an ordinary text
        number = int(match.group(1))
        if menu.expired:
            await self.directory.clear_menu(chat_id)
            return "answer", {"text": self._say(menu_expired, locale=menu.locale)}
        numbered = {item.get("n", i + 1): item for i, item in enumerate(menu.items)}
        item = numbered.get(number)
        if item is None:
            if 0 in numbered:  # a step with a way out reads typed answers: "25" is the day
                return None
            return "answer", {"text": self._say(out_of_range, len(menu.items), locale=menu.locale)}
        if "data" in item:
            return "callback", {"data": item["data"], "message_id": menu.message_id, "message_text": menu.message_text}
        return "text", {"text": item.get("text") or item.get("label") or ""}
