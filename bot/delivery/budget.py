"""One budget of Telegram's flood limits for everything the bot sends.

Telegram allows about 30 messages/s per bot, 20/min per group and about 1/s per
private chat (short bursts tolerated). Ordinary replies and the delivery engine
take their slots from the same :class:`SendBudget`, so bulk cannot starve replies
into 429s or the other way round. A 429 pauses every sender for ``retry_after``:
it is a signal about the whole bot, not about one request.

Group chats have negative ids (Telegram's rule, applied here by the Telegram
channel's addresses). No aiogram here: the engine uses this module directly.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable

Monotonic = Callable[[], float]

# Slightly inside Telegram's limits: requests sent at the edge of a window may arrive
# closer together than they left (2 % here, about 20 ms a second; see docs/BENCHMARKS.md).
GLOBAL_LIMIT, GLOBAL_WINDOW = 30, 1.02
GROUP_LIMIT, GROUP_WINDOW = 20, 61.0
PRIVATE_BURST, PRIVATE_INTERVAL = 3, 1.05
RECENT_WINDOW = 60.0  # "sent lately": messages to the chat in the last minute


class SendBudget:
    """Sliding windows (global, per group) and token buckets (per private chat)."""

    def __init__(self, clock: Monotonic = time.monotonic) -> None:
        self.clock = clock
        self._global: deque[float] = deque()
        self._groups: dict[int, deque[float]] = {}
        self._private: dict[int, tuple[float, float]] = {}
        self._recent: dict[int, deque[float]] = {}  # chat -> its sends in the last minute
        self._paused_until = 0.0
        # Several processes (PostgreSQL): a slot is also taken from the installation-wide
        # budget (``storage.send_slots``); it answers 0 (taken) or seconds to wait.
        self.shared: Callable[[int], Awaitable[float]] | None = None

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

    def chat_wait_time(self, chat_id: int) -> float:
        """Seconds until ``chat_id``'s own limit lets a message go (the global window and
        a 429 pause left out: the engine waits for those in line, ranked)."""
        now = self.clock()
        if chat_id < 0:
            group = self._groups.get(chat_id)
            if group is not None:
                _expire(group, now - GROUP_WINDOW)
                if len(group) >= GROUP_LIMIT:
                    return max(0.0, group[-GROUP_LIMIT] + GROUP_WINDOW - now)
            return 0.0
        tokens = self._tokens(chat_id, now)
        return (1.0 - tokens) * PRIVATE_INTERVAL if tokens < 1.0 else 0.0

    def recent(self, chat_id: int) -> float:
        """How many messages ``chat_id`` was sent in the last minute (0: a newcomer): the
        engine serves the chats that got least first, so a newcomer is not queued behind
        busy chats (a chat answered every two seconds is busy, though its private-chat
        bucket refills in three)."""
        sent = self._recent.get(chat_id)
        if not sent:
            return 0.0
        _expire(sent, self.clock() - RECENT_WINDOW)
        return float(len(sent))

    def take(self, chat_id: int) -> None:
        """Record a message leaving now (call only when :meth:`wait_time` is 0)."""
        now = self.clock()
        self._global.append(now)
        if chat_id < 0:
            self._groups.setdefault(chat_id, deque()).append(now)
        else:
            self._private[chat_id] = (self._tokens(chat_id, now) - 1.0, now)
        if len(self._recent) > 20_000:  # forget the chats sent nothing for a minute
            self._recent = {c: d for c, d in self._recent.items() if d and d[-1] > now - RECENT_WINDOW}
        self._recent.setdefault(chat_id, deque()).append(now)

    async def acquire(self, chat_id: int) -> None:
        """Wait for a slot for ``chat_id`` and take it. The check and the take happen
        in one step with no await between them, right before the caller's request."""
        while True:
            while (delay := self.wait_time(chat_id)) > 0:
                await asyncio.sleep(delay)
            if self.shared is None:
                break
            delay = await self.shared(chat_id)
            # A shared slot taken while the local window filled is simply not used.
            if delay <= 0 and self.wait_time(chat_id) <= 0:
                break
            await asyncio.sleep(max(delay, 0.01))
        self.take(chat_id)

    def _tokens(self, chat_id: int, now: float) -> float:
        tokens, at = self._private.get(chat_id, (float(PRIVATE_BURST), now))
        return min(float(PRIVATE_BURST), tokens + (now - at) / PRIVATE_INTERVAL)


def _expire(window: deque[float], before: float) -> None:
    while window and window[0] <= before:
        window.popleft()
