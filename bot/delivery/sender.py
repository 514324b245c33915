"""The sender: delivers outbox rows of every kind at the channel's rate, at least
once and, outside a crash window of milliseconds, exactly once.

State machine of an outbox row::

    pending ──claim──▶ sending ──ok──────▶ sent
                ▲        │ └─renderer None─▶ skipped
                │        ├─RateLimited─────▶ retrying (at now + retry_after; every sender paused)
                │        ├─Transient───────▶ retrying (backoff 2, 4, 8, 16 s) … then failed
                │        ├─Moved───────────▶ retrying (now, to the new address)
                │        ├─Unreachable─────▶ failed (user / chat marked inactive)
                │        └─Permanent───────▶ failed
                └────── retrying (when next_attempt_at comes)

* Rows are claimed by priority, then not-before time: a person waiting for an
  answer goes before bulk. A row is claimed (status "sending", ``claimed_by`` =
  this worker) and the claim committed *before* the call; its outcome right after.
  No transaction is open while waiting for a slot or for the network.
* Rendering happens at send time, in the recipient's language, with the renderer
  registered for the row's kind; the address is resolved then too (a group may have
  migrated). A renderer returning None marks the row skipped.
* Crash policy (at-least-once): a row found in "sending" whose worker's heartbeat
  stopped was in flight during a crash; it goes back to "retrying" and is sent again
  (``resent_after_crash``). With a sent journal (:mod:`bot.delivery.journal`, beside a
  SQLite database), every accepted call is appended to it the instant it returns and a
  restart marks those rows sent first (a duplicate then needs a crash within one round
  trip). Without one (PostgreSQL) the window adds the batched "sent" commit.
* Flood limits: the slot is taken by the channel's ``before_call`` right before
  each request; the rows waiting for one are ranked (priority, then the chats sent
  least lately: :mod:`bot.delivery.pacing`), and the best takes it under one lock that re-reads the clock after every wait: after an
  event-loop stall, sends that were due leave one pace apart again instead of in a
  burst (nine 429s were seen when slots were taken before an await that stalled).
  A 429 pauses the whole budget (every sender, replies too) for ``retry_after``.
* Claims are safe across processes: ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, a
  conditional UPDATE on SQLite; outcomes are conditional on still owning the claim.

No aiogram and no SQLAlchemy here: the channel and ``storage`` own those.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from bot.channels.base import (
    SENDING_PRIORITY,
    Channel,
    Moved,
    PermanentError,
    RateLimited,
    TransientError,
    Unreachable,
)
from bot.clock import SystemClock
from bot.delivery.budget import SendBudget
from bot.delivery.contract import Clock, OutgoingMessage, RenderContext
from bot.delivery.identity import SenderIdentity
from bot.delivery.journal import Accepted, SentJournal
from bot.delivery.outcomes import Outcomes
from bot.delivery.pacing import PRIORITY, SlotOrder
from bot.delivery.registry import Registry
from bot.delivery.slots import _CALLED_AT, Slots
from bot.delivery.slots import PACE as PACE  # re-exported: tests pace with it
from storage.outbox_repo import OutboxRow
from storage.repo import Repo

log = logging.getLogger("villagebot.outbox")

CLAIM_BATCH = 8
FRESH_ROOM = 8  # rows in flight beyond ``concurrency``, for chats sent nothing lately

Sessions = Callable[[], Any]  # an async_sessionmaker: ``async with sessions() as session``



class Sender(Outcomes, Slots):
    """One per process. ``start()`` recovers rows left by a crash and begins sending;
    ``wake()`` after new rows are committed; ``stop()`` lets calls in flight finish."""

    def __init__(
        self,
        channel: Channel,
        sessionmaker: Sessions,
        budget: SendBudget,
        i18n: Any,
        registry: Registry,
        *,
        clock: Clock | None = None,
        timezone: str = "Asia/Ho_Chi_Minh",
        default_locale: str = "vi",
        concurrency: int = 40,
        max_attempts: int = 5,
        backoff_base: float = 2.0,
        heartbeat_every: float = 2.0,
        dead_after: float = 8.0,
        poll_every: float = 1.0,
        journal: SentJournal | None = None,
        identity: SenderIdentity | None = None,  # several bots: the process's, shared (identity.py)
    ) -> None:
        self.channel = channel
        self.sessionmaker = sessionmaker
        self.budget = budget
        self.i18n = i18n
        self.registry = registry
        self.clock = clock or SystemClock()
        self.timezone = timezone
        self.default_locale = default_locale
        self.concurrency = concurrency
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.heartbeat_every = heartbeat_every
        self.dead_after = dead_after
        self.poll_every = poll_every
        self.journal = journal
        self.identity = identity or SenderIdentity()
        self.worker_id = self.identity.worker_id
        self._counted = False  # counted among the identity's running senders
        self.lane: Any = None  # several bots: the outbox rows of this sender's bot (bot/multibot.py)
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._inflight: dict[int, asyncio.Task[None]] = {}
        self._keys: dict[int, str] = {}  # row id in flight -> its recipient key
        self._backlog: dict[int, int] = {}  # row id in flight -> its chat's rows waiting then
        self._new_rows = False  # woken because rows were committed (maybe a newcomer's)
        # The sender's writes go one at a time (SQLite's busy handler sleeps coarsely
        # when writers collide) and "sent" outcomes are committed in small batches.
        self._db_lock = asyncio.Lock()
        self._sent: list[tuple[OutboxRow, int | None, datetime, asyncio.Future[bool]]] = []
        self._sent_ready = asyncio.Event()
        self._recorder: asyncio.Task[None] | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._pace_lock = asyncio.Lock()
        self._order = SlotOrder()  # who takes the next slot: see bot/delivery/pacing.py
        self._last_call = float("-inf")
        self.calls = 0

    def now(self) -> datetime:
        return self.clock.now()

    # ------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        async with self.sessionmaker() as session:
            await Repo(session).outbox.heartbeat(self.worker_id, self.now())
            await session.commit()
        self.identity.running += not self._counted  # stop() takes it back, even after a failed start
        self._counted = True
        await self.replay_journal()
        await self.recover()
        self._recorder = asyncio.create_task(self._record_sent(), name="outbox-recorder")
        self._tasks = [
            asyncio.create_task(self._run(), name="outbox-send"),
            asyncio.create_task(self._heartbeats(), name="outbox-heartbeat"),
        ]
        log.info("outbox sender %s started", self.worker_id)

    async def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        self._wake.set()
        # Let the loops reach a safe point (cancelling one inside a transaction aborts it
        # mid-flight); cancel only what does not finish in time.
        if self._tasks:
            _, stuck = await asyncio.wait(self._tasks, timeout=timeout)
            for task in stuck:
                task.cancel()
            for task in self._tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        if self._inflight:
            _, pending = await asyncio.wait(list(self._inflight.values()), timeout=timeout)
            for task in pending:
                task.cancel()
        if self._recorder is not None:
            self._sent_ready.set()
            await asyncio.sleep(0)
            self._recorder.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._recorder
        self.identity.running -= self._counted
        self._counted = False
        if not self._inflight and not self.identity.running:  # siblings of the identity still send
            with contextlib.suppress(Exception):
                async with self.sessionmaker() as session:
                    await Repo(session).outbox.forget_worker(self.worker_id)
                    await session.commit()
        if self.journal is not None:
            self.journal.close()

    def wake(self) -> None:
        """New rows were committed: look now instead of at the next poll."""
        self._new_rows = True
        self._wake.set()

    async def recover(self) -> int:
        """Rows in flight when some worker died go back to the queue."""
        now = self.now()
        dead_before = now - timedelta(seconds=self.dead_after)
        async with self._db_lock, self.sessionmaker() as session:
            repo = Repo(session)
            count = await repo.outbox.recover_in_flight(self.worker_id, now, dead_before)
            await repo.outbox.prune_workers(dead_before - timedelta(minutes=10))
            await session.commit()
        if count:
            log.warning("%s outbox rows were in flight during a crash: sending them again", count)
            self._wake.set()
        return count

    # --------------------------------------------------------------- loops

    async def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                delay = await self._claim_some()
            except Exception:
                log.exception("claiming outbox rows failed")
                delay = self.poll_every
            if delay > 0:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), delay)

    async def _claim_some(self) -> float:
        """Claim rows that can leave within about a second; the delay until the next look.
        ``FRESH_ROOM`` more rows than ``concurrency`` may be in flight for chats sent
        nothing lately, so a newcomer's answer is claimed at once, not after the flood's."""
        room = self.concurrency - len(self._inflight)
        new_rows, self._new_rows = self._new_rows, False
        if room + FRESH_ROOM <= 0 or (
            room < min(CLAIM_BATCH, self.concurrency) and self._inflight and not new_rows
        ):
            return self.poll_every  # claim in batches: fewer queries and commits per message
        now = self.now()
        busy = set(self._keys.values())
        async with self.sessionmaker() as session:
            repo = Repo(session)
            candidates = await repo.outbox.candidates(
                now, limit=max(400, room * 4), exclude=self._inflight, lane=self.lane
            )
            if not candidates:
                return self.poll_every
            # Within a priority, the chats sent least lately first, then the chats with
            # the fewest rows waiting (a stable sort keeps each chat's own order): a
            # newcomer's answer is not queued behind the replies of busy chats.
            recent: dict[int, int] = {}  # read once per chat: the value moves with the clock
            backlog = Counter(c.key for c in candidates)
            for c in candidates:
                if c.chat_id is not None and c.chat_id not in recent:
                    recent[c.chat_id] = int(self.budget.recent(c.chat_id))
            candidates = sorted(candidates, key=lambda c: (c.priority, recent.get(c.chat_id or 0, 0), backlog[c.key]))
            picked: list[int] = []
            keys: dict[int, str] = {}
            soonest = self.poll_every
            for candidate in candidates:
                fresh = candidate.chat_id is not None and recent[candidate.chat_id] == 0
                if candidate.key in busy or (not fresh and len(picked) >= room):
                    continue
                wait = self.budget.wait_time(candidate.chat_id) if candidate.chat_id is not None else 0.0
                if wait <= 1.0:
                    picked.append(candidate.id)
                    keys[candidate.id] = candidate.key
                    self._backlog[candidate.id] = backlog[candidate.key]
                    busy.add(candidate.key)
                    if len(picked) >= room + FRESH_ROOM:
                        break
                else:
                    soonest = min(soonest, wait)
            if not picked:
                return soonest
            async with self._db_lock:
                rows = await repo.outbox.claim(self.worker_id, now, ids=picked, limit=len(picked))
                await session.commit()
        for row in rows:
            self._keys[row.id] = keys.get(row.id, f"r{row.id}")
            self._inflight[row.id] = asyncio.create_task(self._deliver(row), name=f"outbox-{row.id}")
        return 0.0 if len(rows) < len(picked) else 0.05

    async def _pause(self, seconds: float) -> bool:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)
        return self._stopping.is_set()

    async def _heartbeats(self) -> None:
        while not await self._pause(self.heartbeat_every):
            if not self.identity.beat_due(self.heartbeat_every):
                continue  # a sibling sender of this process beat for it
            try:
                async with self._db_lock, self.sessionmaker() as session:
                    await Repo(session).outbox.heartbeat(self.worker_id, self.now())
                    await session.commit()
                await self.recover()
            except Exception:
                log.exception("outbox heartbeat failed")

    # ------------------------------------------------------------- delivery

    async def _deliver(self, row: OutboxRow) -> None:
        try:
            await self._deliver_once(row)
        except Exception:
            log.exception("delivering outbox row %s failed", row.id)
        finally:
            self._inflight.pop(row.id, None)
            self._keys.pop(row.id, None)
            self._backlog.pop(row.id, None)
            self._wake.set()

    async def _render(self, row: OutboxRow) -> tuple[int | None, OutgoingMessage | None, str]:
        """The address and the message, read now; (None, None, why) when it cannot go."""
        spec = self.registry.spec(row.kind)
        if spec is None:
            return None, None, f"no renderer for kind {row.kind!r}"
        payload = dict(row.payload or {})
        if row.run_id is not None:
            payload.setdefault("run_id", row.run_id)
        async with self.sessionmaker() as session:
            repo = Repo(session)
            address, locale = row.chat_id, row.locale
            if address is None:
                found = await repo.outbox.address_of(user_id=row.user_id, group_id=row.group_id)
                if found is None or not found.reachable:
                    return None, None, "unreachable"
                address, locale = found.chat_id, found.locale or self.default_locale
            with self.i18n.context(), self.i18n.use_locale(locale):
                context = RenderContext(
                    locale=locale,
                    repo=repo,
                    now=self.now(),
                    timezone=self.timezone,
                    gettext=self.i18n.gettext,
                )
                message = await spec.renderer(context, payload)
        if message is not None and message.locale is None:
            message = dataclasses.replace(message, locale=locale)
        return address, message, "" if message is not None else "nothing to say"

    async def _deliver_once(self, row: OutboxRow) -> None:
        address, message, why = await self._render(row)
        if address is None:
            await self._outcome(row, "failed", error=why, attempts=row.attempts + 1)
            return
        if message is None:
            async with self._db_lock, self.sessionmaker() as session:
                await Repo(session).outbox.mark_skipped(row.id, self.worker_id, reason=why)
                await session.commit()
            return
        started = self.now()
        called: list[datetime] = []
        token = _CALLED_AT.set(called)
        burst = (row.payload or {}).get("burst", 1)  # the chat's updates in the last minute
        PRIORITY.set((row.priority, int(burst) + self._backlog.get(row.id, 1) - 1))
        try:
            SENDING_PRIORITY.set(row.priority)  # a channel near its quota holds bulk back
            ref = await self.channel.send(address, message)
        except RateLimited as exc:
            if exc.whole_budget:
                self.budget.pause(exc.retry_after)
            log.warning("429 for chat %s: pause %ss", address, exc.retry_after)
            await self._outcome(
                row,
                "retry",
                at=self.now() + timedelta(seconds=exc.retry_after),
                error=f"429 retry after {exc.retry_after}",
                attempts=row.attempts,
            )
        except Moved as exc:
            await self._migrated(row, address, exc.new_address)
        except Unreachable as exc:
            await self._forbidden(row, address, exc.detail)
        except TransientError as exc:
            attempts = row.attempts + 1
            if attempts >= self.max_attempts:
                await self._outcome(row, "failed", error=exc.detail, attempts=attempts)
            else:
                backoff = self.backoff_base * 2 ** (attempts - 1)
                await self._outcome(
                    row,
                    "retry",
                    at=self.now() + timedelta(seconds=backoff),
                    error=exc.detail,
                    attempts=attempts,
                )
        except PermanentError as exc:
            await self._outcome(row, "failed", error=exc.detail, attempts=row.attempts + 1)
        else:
            started = called[0] if called else started
            if self.journal is not None:  # before any await: a kill -9 from here on resends nothing
                self.journal.append(Accepted(row.id, self.worker_id, ref.message_id, started))
            done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
            self._sent.append((row, ref.message_id, started, done))
            self._sent_ready.set()
            owned = await done
            if not owned:
                log.error(
                    "row %s was sent but its claim had been taken over (duplicate possible)", row.id
                )
            if (
                message.pin
                and address < 0
                and ref.message_id is not None
                and self.channel.capabilities.pins
            ):
                await self._pin(row, address, ref.message_id)
        finally:
            _CALLED_AT.reset(token)
