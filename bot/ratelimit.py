"""The throttling request middleware for aiogram: every message the bot sends
waits for the shared :class:`~bot.delivery.budget.SendBudget` (defined without
aiogram, so the delivery engine uses it directly)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType

from bot.delivery.budget import (  # noqa: F401  (re-exported)
    GLOBAL_LIMIT,
    GLOBAL_WINDOW,
    GROUP_LIMIT,
    GROUP_WINDOW,
    PRIVATE_BURST,
    PRIVATE_INTERVAL,
    SendBudget,
)

log = logging.getLogger(__name__)

SENDING_METHODS = frozenset(
    {
        "sendMessage", "sendPhoto", "sendDocument", "sendVideo", "sendAudio", "sendVoice",
        "sendAnimation", "sendSticker", "sendLocation", "sendContact", "sendPoll",
        "sendMediaGroup", "sendVenue", "sendDice", "sendVideoNote", "copyMessage",
        "forwardMessage", "copyMessages", "forwardMessages",
    }
)


def _chat_id(method: TelegramMethod[Any]) -> int | None:
    chat_id = getattr(method, "chat_id", None)
    return chat_id if isinstance(chat_id, int) else None


class ThrottlingMiddleware(BaseRequestMiddleware):
    """Every message the bot sends waits for the shared budget; a 429 pauses all
    senders and the request is retried (a few times) instead of failing."""

    def __init__(self, budget: SendBudget, max_retries: int = 3) -> None:
        self.budget = budget
        self.max_retries = max_retries

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Any,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        chat_id = _chat_id(method)
        counted = method.__api_method__ in SENDING_METHODS and chat_id is not None
        attempt = 0
        while True:
            if counted:
                await self.budget.acquire(chat_id)  # type: ignore[arg-type]
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as exc:
                self.budget.pause(exc.retry_after)
                attempt += 1
                log.warning("429 on %s: every sender pauses %ss", method.__api_method__, exc.retry_after)
                if attempt > self.max_retries:
                    raise
                await asyncio.sleep(exc.retry_after)
