"""Telegram's flood limits for message-sending calls, with an injectable clock.

* at most 30 messages in any sliding 1 s window per bot (less ``ARRIVAL_JITTER``);
* at most 20 messages in any sliding 60 s window per group/supergroup;
* private chats: a token bucket of capacity 3 refilled at 1 message/s.

:meth:`RateLimiter.acquire` either records the send (returns 0) or returns the
number of seconds until a slot frees (``ceil``, at least 1) and records
nothing, so a refused message is not counted.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable

Clock = Callable[[], float]

GLOBAL_PER_SECOND = 30
#: Telegram's limit is "about 30 messages per second", not a millisecond-exact window.
#: Requests also reach this server bunched by scheduler and network jitter (the sandbox
#: shares two cores with the bot in tests), so arrivals are counted in a window this much
#: shorter than a second: a sender keeping to 30/s is never refused for jitter, while one
#: sending faster than ~31.5/s still is.
ARRIVAL_JITTER = 0.05
GROUP_PER_MINUTE = 20
PRIVATE_BURST = 3
PRIVATE_RATE = 1.0  # tokens per second


class RateLimiter:
    """Sliding windows and token buckets keyed by chat id.

    ``strict``: no allowance for arrival jitter: no more than 30 arrivals in any
    1.0 s window (for benchmarks that check a sender never bunches its calls)."""

    def __init__(self, clock: Clock = time.monotonic, *, strict: bool = False) -> None:
        self.clock = clock
        self.strict = strict
        self._global: deque[float] = deque()
        self._groups: dict[int, deque[float]] = {}
        self._private: dict[int, tuple[float, float]] = {}  # chat -> (tokens, at)

    def reset(self) -> None:
        self._global.clear()
        self._groups.clear()
        self._private.clear()

    def acquire(self, chat_id: int, chat_type: str) -> int:
        """Count one message to ``chat_id``; return 0, or retry_after seconds."""
        now = self.clock()
        waits: list[float] = []
        window = 1.0 if self.strict else 1.0 - ARRIVAL_JITTER
        _expire(self._global, now - window)
        if len(self._global) >= GLOBAL_PER_SECOND:
            waits.append(self._global[-GLOBAL_PER_SECOND] + window - now)
        group: deque[float] | None = None
        if chat_type in ("group", "supergroup"):
            group = self._groups.setdefault(chat_id, deque())
            _expire(group, now - 60.0)
            if len(group) >= GROUP_PER_MINUTE:
                waits.append(group[-GROUP_PER_MINUTE] + 60.0 - now)
        tokens = None
        if chat_type == "private":
            tokens, at = self._private.get(chat_id, (float(PRIVATE_BURST), now))
            tokens = min(float(PRIVATE_BURST), tokens + (now - at) * PRIVATE_RATE)
            if tokens < 1.0:
                waits.append((1.0 - tokens) / PRIVATE_RATE)
        if waits:
            return max(1, math.ceil(max(waits) - 1e-9))
        self._global.append(now)
        if group is not None:
            group.append(now)
        if tokens is not None:
            self._private[chat_id] = (tokens - 1.0, now)
        return 0


def _expire(window: deque[float], before: float) -> None:
    while window and window[0] <= before:
        window.popleft()
