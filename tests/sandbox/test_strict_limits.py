"""The sandbox's strict mode: no more than 30 arrivals in any 1.0 s, no jitter allowance."""

from __future__ import annotations

from bot.sandbox.limits import RateLimiter


def _arrivals(limiter: RateLimiter, now: list[float], spacing: float, count: int) -> int:
    refused = 0
    for n in range(count):
        now[0] = n * spacing
        refused += (
            limiter.acquire(-(1000 + n), "channel") > 0
        )  # no per-chat limit: only the global one
    return refused


def test_strict_refuses_what_the_jitter_allowance_lets_through() -> None:
    spacing = 0.97 / 30  # 31 arrivals within 1.0 s, but 30 within any 0.95 s
    now = [0.0]
    assert _arrivals(RateLimiter(lambda: now[0]), now, spacing, 31) == 0
    now = [0.0]
    assert _arrivals(RateLimiter(lambda: now[0], strict=True), now, spacing, 31) == 1


def test_strict_accepts_an_even_30_per_second() -> None:
    now = [0.0]
    assert _arrivals(RateLimiter(lambda: now[0], strict=True), now, 1.0 / 30 + 1e-6, 300) == 0
