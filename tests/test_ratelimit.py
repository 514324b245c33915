"""The shared flood budget: every sender keeps inside Telegram's limits, and a 429
pauses them all."""

from __future__ import annotations

from bot.ratelimit import (
    GLOBAL_LIMIT,
    GLOBAL_WINDOW,
    GROUP_LIMIT,
    GROUP_WINDOW,
    PRIVATE_BURST,
    SendBudget,
)
from bot.sandbox.limits import RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def drive(budget: SendBudget, clock: Clock, chats: list[int]) -> list[float]:
    """Send to ``chats`` in order as fast as the budget allows; the departure times."""
    times = []
    for chat in chats:
        clock.now += budget.wait_time(chat)
        assert budget.wait_time(chat) == 0
        budget.take(chat)
        times.append(clock.now)
    return times


def test_a_broadcast_paced_by_the_budget_is_never_refused_by_telegrams_limits() -> None:
    clock = Clock()
    budget = SendBudget(clock)
    chats = [1000 + i for i in range(400)] + [-100 - i % 10 for i in range(100)]
    times = drive(budget, clock, chats)
    telegram = RateLimiter(clock)
    for chat, at in zip(chats, times, strict=True):
        clock.now = at
        assert telegram.acquire(chat, "private" if chat > 0 else "group") == 0
    busiest = max(sum(1 for t in times if start <= t < start + GLOBAL_WINDOW) for start in times)
    assert busiest == GLOBAL_LIMIT
    long_run = (len(times) - GLOBAL_LIMIT) / (times[-1] - times[0])  # after the first full window
    assert 0.95 * 30 <= long_run <= GLOBAL_LIMIT / GLOBAL_WINDOW + 1e-6


def test_group_and_private_chat_limits() -> None:
    clock = Clock()
    budget = SendBudget(clock)
    group_times = drive(budget, clock, [-5] * (GROUP_LIMIT + 1))
    assert group_times[-1] - group_times[0] >= GROUP_WINDOW
    clock.now += 100
    private_times = drive(budget, clock, [7] * (PRIVATE_BURST + 2))
    assert private_times[PRIVATE_BURST - 1] == private_times[0]  # a short burst is fine
    assert private_times[PRIVATE_BURST] > private_times[0]


def test_a_429_pauses_every_sender() -> None:
    clock = Clock()
    budget = SendBudget(clock)
    budget.pause(3)
    assert budget.wait_time(1) == 3 and budget.wait_time(-1) == 3
    clock.now += 3
    assert budget.wait_time(1) == 0
