"""The Telegram adapter of the channel port.

It owns what is Telegram's: aiogram and its exceptions, the HTML parse mode, the
4096-character text and 1024-character caption limits (a longer text is split at
line boundaries, never inside a tag or an entity), inline keyboards, and addresses
(a private chat is the user's positive id, a group a negative id). Flood limits are
the caller's: ``before_call`` is awaited right before each request that sends, so
the slot is taken at the moment of the call (a long text split in three takes three).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.channels.base import (
    Capabilities,
    Moved,
    PermanentError,
    RateLimited,
    SentRef,
    TransientError,
    Unreachable,
    degrade,
)
from bot.channels.telegram.deferred import SENDING, rebuild
from bot.channels.text import split_html
from bot.delivery.contract import OutgoingMessage

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
TELEGRAM_CAPABILITIES = Capabilities(
    buttons=True, edits=True, max_text=TEXT_LIMIT, max_caption=CAPTION_LIMIT, pins=True
)

BeforeCall = Callable[[int], Awaitable[None]]


async def _no_wait(_address: int) -> None:
    return None


def unthrottled_clone(bot: Bot) -> Bot:
    """A second client of the same bot with no throttling middleware: for a sender
    that takes its slots from the shared budget itself."""
    return Bot(bot.token, session=AiohttpSession(api=bot.session.api), default=bot.default)


def is_group(address: int) -> bool:
    return address < 0


class TelegramChannel:
    name = "telegram"
    capabilities = TELEGRAM_CAPABILITIES

    def __init__(
        self, bot: Bot, *, request_timeout: int = 10, before_call: BeforeCall = _no_wait
    ) -> None:
        self.bot = bot
        self.request_timeout = request_timeout
        self.before_call = before_call

    async def send(self, address: int, message: OutgoingMessage) -> SentRef:
        message = degrade(message, self.capabilities)
        try:
            if message.native is not None:
                return await self._replay(address, message.native)
            return await self._send(address, message)
        except TelegramRetryAfter as exc:
            raise RateLimited(exc.retry_after, exc.message) from exc
        except TelegramMigrateToChat as exc:
            raise Moved(exc.migrate_to_chat_id, exc.message) from exc
        except TelegramForbiddenError as exc:
            raise Unreachable(exc.message) from exc
        except (TelegramServerError, TelegramNetworkError, TimeoutError) as exc:
            raise TransientError(
                f"{type(exc).__name__}: {getattr(exc, 'message', '') or exc}"
            ) from exc
        except TelegramBadRequest as exc:
            if "chat not found" in exc.message.lower():
                raise Unreachable(exc.message) from exc
            raise PermanentError(exc.message) from exc
        except TelegramAPIError as exc:
            raise PermanentError(exc.message) from exc

    async def pin(self, address: int, message_id: int) -> None:
        try:
            await self.bot.pin_chat_message(address, message_id, disable_notification=True)
        except TelegramAPIError as exc:
            raise PermanentError(exc.message) from exc

    async def _replay(self, address: int, native: Mapping[str, Any]) -> SentRef:
        """A handler's call kept until its update committed (:mod:`.deferred`)."""
        method = rebuild(dict(native))
        if method.__api_method__ in SENDING:
            await self.before_call(address)
        try:
            result = await self.bot(method, request_timeout=self.request_timeout)
        except TelegramBadRequest as exc:
            # An edit to what the message shows already (a used button removed twice):
            # done. In the handler this was caught in place; replayed, it is caught here.
            if method.__api_method__.startswith("edit") and "message is not modified" in exc.message:
                return SentRef(getattr(method, "message_id", None))
            raise
        if isinstance(result, list):
            result = result[-1] if result else None
        message_id = getattr(result, "message_id", None)
        return SentRef(message_id if isinstance(message_id, int) else None)

    async def _send(self, address: int, message: OutgoingMessage) -> SentRef:
        markup = keyboard(message)
        timeout = self.request_timeout
        if message.edit_message_id is not None:
            text = split_html(message.text, TEXT_LIMIT)[0] if message.text else ""
            if message.attachment is not None:
                await self.bot.edit_message_caption(
                    chat_id=address,
                    message_id=message.edit_message_id,
                    caption=text[:CAPTION_LIMIT],
                    reply_markup=markup,
                    request_timeout=timeout,
                )
            else:
                await self.bot.edit_message_text(
                    text=text,
                    chat_id=address,
                    message_id=message.edit_message_id,
                    reply_markup=markup,
                    request_timeout=timeout,
                )
            return SentRef(message.edit_message_id)
        sent: Message | None = None
        parts = 0
        if message.attachment is not None:
            caption_parts = split_html(message.text, CAPTION_LIMIT) if message.text else [""]
            caption, rest = caption_parts[0], "\n".join(caption_parts[1:])
            only = not rest
            await self.before_call(address)
            sent = await self._attachment(address, message, caption, markup if only else None)
            parts = 1
            texts = split_html(rest, TEXT_LIMIT) if rest else []
        else:
            texts = split_html(message.text, TEXT_LIMIT)
        for index, text in enumerate(texts):
            last = index == len(texts) - 1
            await self.before_call(address)
            sent = await self.bot.send_message(
                address, text, reply_markup=markup if last else None, request_timeout=timeout
            )
            parts += 1
        return SentRef(sent.message_id if sent is not None else None, parts)

    async def _attachment(
        self,
        address: int,
        message: OutgoingMessage,
        caption: str,
        markup: InlineKeyboardMarkup | None,
    ) -> Message:
        attachment = message.attachment
        assert attachment is not None
        media: str | BufferedInputFile = attachment.file_id or BufferedInputFile(
            attachment.content or b"", filename=attachment.filename or "file"
        )
        if attachment.kind == "photo":
            return await self.bot.send_photo(
                address,
                media,
                caption=caption or None,
                reply_markup=markup,
                request_timeout=self.request_timeout,
            )
        return await self.bot.send_document(
            address,
            media,
            caption=caption or None,
            reply_markup=markup,
            request_timeout=self.request_timeout,
        )


def keyboard(message: OutgoingMessage) -> InlineKeyboardMarkup | None:
    if not message.choices:
        return None
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(text=choice.label, url=choice.url)
                if choice.url
                else InlineKeyboardButton(text=choice.label, callback_data=choice.data or "")
                for choice in row
            ]
            for row in message.choices
        ]
    )
