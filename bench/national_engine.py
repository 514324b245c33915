"""Parts of the national simulation (``bench/bench_national.py``): simulated time, a
fake Bot API per token, one real :class:`~bot.delivery.sender.Sender` per province.

* :class:`SimClock` — simulated time that runs at the real pace between jumps: the
  bench jumps it from one planner tick to the next, and while the engine drains a
  tick's messages it moves with the wall clock, so lateness is real seconds of sending.
* :class:`FakeApi` — one token's Bot API: answers at once, refuses (RateLimited, as a
  429) the 31st message in any 1 s window, records when each message was accepted.
* one real :class:`~bot.delivery.sender.Sender` per token on the runtime's lanes
  (:mod:`bot.multibot`): each province's communes name its bot, so its rows carry that
  ``bot_key`` and its sender claims only them (``of_lane``); the fake API of each token
  counts a message to an address outside its province as misrouted.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import time
from collections import deque
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import text

from bot.channels.base import Capabilities, RateLimited, SentRef
from bot.delivery.contract import OutgoingMessage

TOKEN_LIMIT, TOKEN_WINDOW = 30, 1.0  # Telegram: about 30 messages a second per bot


class SimClock:
    def __init__(self, start: datetime) -> None:
        self._base = start
        self._anchor = time.monotonic()

    def now(self) -> datetime:
        return self._base + timedelta(seconds=time.monotonic() - self._anchor)

    def jump(self, to: datetime) -> datetime:
        """Move to ``to`` (never back)."""
        self._base = max(to, self.now())
        self._anchor = time.monotonic()
        return self._base


async def _no_wait(_address: int) -> None:
    return None


class FakeApi:
    name = "telegram"
    capabilities = Capabilities(buttons=True, edits=True, max_text=4096, max_caption=1024, pins=True)

    def __init__(self, province: int, addresses: tuple[int, int]) -> None:
        self.province = province
        self.addresses = addresses
        self.before_call = _no_wait
        self._window: deque[float] = deque()
        self._ids = itertools.count(1)
        self.accepted: list[float] = []  # monotonic time of each accepted message
        self.refused = 0
        self.misrouted = 0
        self.documents = 0

    async def send(self, address: int, message: OutgoingMessage) -> SentRef:
        await self.before_call(address)
        now = time.monotonic()
        while self._window and self._window[0] <= now - TOKEN_WINDOW:
            self._window.popleft()
        if len(self._window) >= TOKEN_LIMIT:
            self.refused += 1
            raise RateLimited(1.0, "Too Many Requests: retry after 1")
        if not self.addresses[0] <= address <= self.addresses[1]:
            self.misrouted += 1
        if message.attachment is not None:
            self.documents += 1
        self._window.append(now)
        self.accepted.append(now)
        return SentRef(next(self._ids))


READY_NOW = text(
    "SELECT count(*) FROM outbox WHERE status IN ('pending', 'retrying', 'sending') AND next_attempt_at <= :now "
    "AND bot_key = ANY(CAST(:keys AS text[]))"
)


async def drain(
    sessionmaker: Any, clock: SimClock, senders: list[Any], keys: list[str], timeout: float = 3600
) -> float:
    """Wait until nothing due of the bots ``keys`` is left in the outbox and nothing is in
    flight; seconds taken."""
    began = time.monotonic()
    while time.monotonic() - began < timeout:
        async with sessionmaker() as session:
            left = await session.scalar(READY_NOW, {"now": clock.now(), "keys": keys})
        if not left and not any(s._inflight for s in senders):  # noqa: SLF001
            return time.monotonic() - began
        await asyncio.sleep(0.2)
    raise TimeoutError("the outbox did not drain")


async def beat_all(sessionmaker: Any, senders: list[Any], now: datetime) -> None:
    """After a jump of the clock every sender's heartbeat is fresh again (else one
    sender would take the others' claims for a crash's and send them twice)."""
    from storage.repo import Repo

    for worker_id in sorted({sender.worker_id for sender in senders}):  # shared: one row
        async with sessionmaker() as session:
            await Repo(session).outbox.heartbeat(worker_id, now)
            await session.commit()


# Instant delivery for the days not driven through the engine: the rows the planners
# queued are marked sent as the engine would leave them (their sizes count the same).
INSTANT = text(
    "UPDATE outbox SET status = 'sent', attempts = attempts + 1, claimed_at = :now, "
    "call_started_at = greatest(next_attempt_at, :queued), sent_at = greatest(next_attempt_at, :queued), "
    "message_id = id WHERE status IN ('pending', 'retrying') AND next_attempt_at <= :now"
)


class ServerCpu:
    """CPU seconds of the PostgreSQL backends serving one database (from /proc)."""

    def __init__(self, sessionmaker: Any, database: str) -> None:
        self.sessionmaker = sessionmaker
        self.database = database
        self.seen: dict[int, float] = {}
        self._task: asyncio.Task[None] | None = None
        self.tick = os.sysconf("SC_CLK_TCK")

    def _cpu(self, pid: int) -> float | None:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / self.tick

    async def sample(self) -> None:
        async with self.sessionmaker() as session:
            pids = (await session.scalars(
                text("SELECT pid FROM pg_stat_activity WHERE datname = :d"), {"d": self.database}
            )).all()
        for pid in pids:
            cpu = self._cpu(pid)
            if cpu is not None:
                self.seen[pid] = max(cpu, self.seen.get(pid, 0.0))

    def total(self) -> float:
        return sum(self.seen.values())

    async def _loop(self) -> None:
        while True:
            await self.sample()
            await asyncio.sleep(0.5)

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        await self.sample()
        if self._task is not None:
            self._task.cancel()


def rate(times: list[float]) -> float:
    return (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 and times[-1] > times[0] else 0.0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")
