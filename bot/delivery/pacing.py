"""The order in which claimed rows take the engine's paced send slots.

The engine keeps up to ``concurrency`` rows in flight, and they leave one pace
(about 34 ms) apart. First come, first served would make a reply claimed behind 40
flood replies wait 1.3 s for its slot, though its chat has had nothing for minutes.
So the waiters are ranked: by priority (a person waiting before bulk), then by how
much their chat has been sent lately (:meth:`SendBudget.recent`: a chat that got
nothing lately goes before one that is being answered in bulk), then by how much its
chat asks (its rows waiting and its updates of the last minute: one question before a
burst of five, even when both chats are new), then by arrival.
One waiter at a time paces and takes a slot; when it is done, the best-ranked
waiter then goes next, so a better one arriving meanwhile goes right after the slot
being taken.

No aiogram and no SQLAlchemy here.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar

Rank = tuple[float, ...]

#: The row being delivered in this task: its priority and how much its chat asks (the
#: rows it had waiting when claimed, plus the updates it sent in the last minute beyond
#: the first; set by the sender around the call).
PRIORITY: ContextVar[tuple[int, int] | None] = ContextVar("send_priority", default=None)

LAST: Rank = (float("inf"),)  # a call with no rank (not the engine's) goes after ranked ones


class SlotOrder:
    """One waiter at a time takes a slot; the next is chosen when it is done: the best
    ranked then waiting (among equals, the first come)."""

    def __init__(self) -> None:
        self._heap: list[tuple[Rank, int]] = []
        self._seq = itertools.count()
        self._turn = asyncio.Condition()
        self._busy = False

    @property
    def waiting(self) -> int:
        return len(self._heap)

    @asynccontextmanager
    async def turn(self, rank: Rank | None) -> AsyncIterator[None]:
        """Wait until nobody holds the turn and no better-ranked waiter is ahead, then
        hold it until the block ends (the slot is taken or the wait cancelled)."""
        entry = (rank if rank is not None else LAST, next(self._seq))
        heapq.heappush(self._heap, entry)
        held = False
        try:
            async with self._turn:
                await self._turn.wait_for(lambda: not self._busy and self._heap[0] is entry)
                self._busy = held = True
            yield
        finally:
            self._heap.remove(entry)
            heapq.heapify(self._heap)
            async with self._turn:
                if held:
                    self._busy = False
                self._turn.notify_all()
