"""The engine's paced slots go to the best-ranked waiter: a chat that has had nothing
sent lately is not queued behind the rows of chats being answered in bulk (issue 21:
a bystander's reply waited ~1 s behind 40 claimed flood replies)."""

from __future__ import annotations

import asyncio
import contextvars

from bot.delivery.budget import SendBudget
from bot.delivery.contract import Priority
from bot.delivery.pacing import PRIORITY, SlotOrder
from bot.delivery.registry import Registry
from bot.delivery.sender import Sender
from tests.delivery.test_sender import FakeChannel


async def _slots(waiters: list[tuple[int, int]], late: list[tuple[int, int]]) -> list[int]:
    """Addresses in the order their slots were taken; ``late`` join once the first
    slot is taken (the others already wait)."""
    budget = SendBudget()
    for address, _ in waiters:
        budget.take(address)  # each busy chat was just answered once (its bucket is not empty)
    sender = Sender(FakeChannel(), lambda: None, budget, None, Registry())
    taken: list[int] = []

    async def one(address: int, priority: int) -> None:
        PRIORITY.set((priority, 1))
        await sender.take_slot(address)
        taken.append(address)

    def start(address: int, priority: int) -> asyncio.Task[None]:
        return asyncio.create_task(one(address, priority), context=contextvars.copy_context())

    tasks = [start(a, p) for a, p in waiters]
    while not taken:
        await asyncio.sleep(0.001)
    tasks += [start(a, p) for a, p in late]
    await asyncio.gather(*tasks)
    return taken


async def test_a_chat_with_nothing_sent_lately_takes_the_next_slot() -> None:
    busy = [(1000 + n, int(Priority.INTERACTIVE)) for n in range(12)]
    taken = await _slots(busy, late=[(99, int(Priority.INTERACTIVE))])
    # the first busy one held the turn; the newcomer goes right after the slot in hand
    assert taken.index(99) <= 2, taken
    busy_order = [a for a in taken if a != 99]
    assert busy_order == sorted(busy_order)  # the busy chats keep their arrival order


async def test_priority_comes_before_how_lately_a_chat_was_sent() -> None:
    bulk = [(2000 + n, int(Priority.BULK)) for n in range(6)]
    taken = await _slots(bulk, late=[(2100, int(Priority.INTERACTIVE))])
    assert taken.index(2100) <= 2, taken


async def test_a_cancelled_waiter_leaves_the_line() -> None:
    order = SlotOrder()
    async with order.turn((1.0,)):
        waiter = asyncio.create_task(order.turn((2.0,)).__aenter__())  # ranked behind: waits
        await asyncio.sleep(0.01)
        assert order.waiting == 2
        waiter.cancel()
        await asyncio.gather(waiter, return_exceptions=True)
        assert order.waiting == 1
    assert order.waiting == 0


async def test_the_pace_counts_from_after_the_shared_slots_round_trip() -> None:
    """With several processes each send first takes the installation's slot (a round
    trip to PostgreSQL). The next slot is due one pace after that round trip ended, when
    the call really leaves: counting from before it sent at the budget's very edge, and a
    CI run under load saw a 429 in the several-bots broadcast."""
    budget = SendBudget()
    loop = asyncio.get_running_loop()
    asked: list[float] = []

    async def shared(_address: int) -> float:
        asked.append(loop.time())
        await asyncio.sleep(0.05)  # a slow round trip
        return 0.0

    budget.shared = shared
    sender = Sender(FakeChannel(), lambda: None, budget, None, Registry())
    await sender.take_slot(4242)
    assert len(asked) == 1 and sender.calls == 1
    assert sender._last_call >= asked[0] + 0.04
