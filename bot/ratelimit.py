"""One budget of Telegram's flood limits for everything the bot sends.

Telegram allows about 30 messages/s per bot, 20/min per group and about 1/s per
private chat (short bursts tolerated). Ordinary replies and the broadcast sender
take their slots from the same :class:`SendBudget`, so a broadcast cannot starve
replies into 429s or the other way round. A 429 pauses every sender for
``retry_after``: it is a signal about the whole bot, not about one request.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType

log = logging.getLogger(__name__)

Clock = Callable[[], float]

# Slightly inside Telegram's limits: requests sent at the edge of a window may arrive
# closer together than they left (2 % here, about 20 ms a second; see docs/BENCHMARKS.md).
GLOBAL_LIMIT, GLOBAL_WINDOW = 30, 1.02
GROUP_LIMIT, GROUP_WINDOW = 20, 61.0
PRIVATE_BURST, PRIVATE_INTERVAL = 3, 1.05

SENDING_METHODS = frozenset(
    {
        "sendMessage", "sendPhoto", "sendDocument", "sendVideo", "sendAudio", "sendVoice",
        "sendAnimation", "sendSticker", "sendLocation", "sendContact", "sendPoll",
        "sendMediaGroup", "sendVenue", "sendDice", "sendVideoNote", "copyMessage",
        "forwardMessage", "copyMessages", "forwardMessages",
    }
)


class SendBudget:
    """Sliding windows (global, per group) and token buckets (per private chat)."""

    def __init__(self, clock: Clock = time.monotonic) -> None:
        self.clock = clock
        self._global: deque[float] = deque()
        self._groups: dict[int, deque[float]] = {}
        self._private: dict[int, tuple[float, float]] = {}
        self._paused_until = 0.0

    def pause(self, seconds: float) -> None:
        """Stop every sender for ``seconds`` (after a 429)."""
        self._paused_until = max(self._paused_until, self.clock() + seconds)

    def wait_time(self, chat_id: int) -> float:
        """Seconds until a message to ``chat_id`` may leave (0: now)."""
        now = self.clock()
        waits = [self._paused_until - now]
        _expire(self._global, now - GLOBAL_WINDOW)
        if len(self._global) >= GLOBAL_LIMIT:
            waits.append(self._global[-GLOBAL_LIMIT] + GLOBAL_WINDOW - now)
        if chat_id < 0:
            group = self._groups.get(chat_id)
            if group is not None:
                _expire(group, now - GROUP_WINDOW)
                if len(group) >= GROUP_LIMIT:
                    waits.append(group[-GROUP_LIMIT] + GROUP_WINDOW - now)
        else:
            tokens = self._tokens(chat_id, now)
            if tokens < 1.0:
                waits.append((1.0 - tokens) * PRIVATE_INTERVAL)
        return max(0.0, *waits)

    def take(self, chat_id: int) -> None:
        """Record a message leaving now (call only when :meth:`wait_time` is 0)."""
        now = self.clock()
        self._global.append(now)
        if chat_id < 0:
            self._groups.setdefault(chat_id, deque()).append(now)
        else:
            self._private[chat_id] = (self._tokens(chat_id, now) - 1.0, now)

    async def acquire(self, chat_id: int) -> None:
        """Wait for a slot for ``chat_id`` and take it."""
        while (delay := self.wait_time(chat_id)) > 0:
            await asyncio.sleep(delay)
        self.take(chat_id)

    def _tokens(self, chat_id: int, now: float) -> float:
        tokens, at = self._private.get(chat_id, (float(PRIVATE_BURST), now))
        return min(float(PRIVATE_BURST), tokens + (now - at) / PRIVATE_INTERVAL)


def _expire(window: deque[float], before: float) -> None:
    while window and window[0] <= before:
        window.popleft()


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
