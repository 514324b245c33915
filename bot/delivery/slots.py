"""The engine's paced send slots: one call every ``PACE`` seconds at most, inside the
flood budget (and, with several processes, the installation's shared slots). Mixed
into :class:`bot.delivery.sender.Sender` (see its header and bot/delivery/pacing.py).

Sends are spread evenly over the global window instead of leaving in bursts of 30:
the same rate, but only about one call is ever in flight, so a crash can catch (and a
restart duplicate) at most about one message. The pace counts from after the
installation's shared slot is taken (with several processes, a round trip to
PostgreSQL: it lengthens each pace, ~22 sends a second instead of 30, and keeps a
margin under Telegram's limit; see docs/BENCHMARKS.md, issue 18, webhook). The
budget's sliding window is the hard limit (at most ``GLOBAL_LIMIT`` in any
``GLOBAL_WINDOW``), locally and in the shared slots.
"""

from __future__ import annotations

import asyncio
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from bot.delivery.budget import GLOBAL_LIMIT, GLOBAL_WINDOW
from bot.delivery.pacing import PRIORITY, SlotOrder

PACE = 0.97 * GLOBAL_WINDOW / GLOBAL_LIMIT  # a hair faster: the budget stays the binding limit

# When the request of the row being delivered (in this task) actually left: the
# duplicate window is measured from here, not from before the wait for a slot.
_CALLED_AT: ContextVar[list[datetime] | None] = ContextVar("called_at", default=None)


class Slots:
    """``take_slot`` for the sender (its attributes: ``budget``, ``_order``,
    ``_pace_lock``, ``_last_call``, ``calls``, ``now``)."""

    budget: Any
    _order: SlotOrder
    _pace_lock: asyncio.Lock
    _last_call: float
    calls: int
    now: Any  # the sender's clock: () -> datetime

    async def take_slot(self, address: int) -> None:
        """Wait for a slot for ``address`` and take it: the channel calls this right
        before each request. The clock is read again after every wait, under the lock,
        so a stalled event loop cannot release several due sends at once."""
        loop = asyncio.get_running_loop()
        priority = PRIORITY.get()
        while True:
            # This chat's own limit, out of line; the global window is waited for in line.
            while (delay := self.budget.chat_wait_time(address)) > 0:
                await asyncio.sleep(delay)
            # Messages the chat got in the last minute: chats alike keep their arrival order.
            recent = int(self.budget.recent(address))
            rank = None if priority is None else (priority[0], recent, priority[1])
            async with self._order.turn(rank), self._pace_lock:
                while self.budget.chat_wait_time(address) <= 0:  # (a direct send may take it)
                    ready = loop.time()
                    wait = max(self._last_call + PACE - ready, self.budget.wait_time(address))
                    if wait <= 0 and self.budget.shared is not None:
                        wait = await self.budget.shared(address)  # 0: the installation's slot is taken
                        if wait <= 0 and self.budget.wait_time(address) > 0:
                            wait = 0.01
                    if wait <= 0:
                        # The pace counts from after the shared slot's round trip (when the
                        # call really leaves). Counting it from before (branch ``hook``) let
                        # PostgreSQL installations send at the budget's very edge, and a
                        # fresh-clone CI run under load saw one 429 in the several-bots
                        # broadcast: the margin is kept until that is understood.
                        self._last_call = loop.time()
                        self.budget.take(address)
                        self.calls += 1
                        break
                    await asyncio.sleep(wait)
                else:
                    continue  # out of line again until the chat's own limit allows
            break
        called = _CALLED_AT.get()
        if called is not None:
            called.append(self.now())
