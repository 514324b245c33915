"""The durable inbox: every update is stored before Telegram is told we have it.

Polling: a batch from ``getUpdates`` is inserted (unique by update id) and
committed, and only then does the next ``getUpdates`` carry the offset that
acknowledges it; a kill -9 at any point loses nothing (an update stored twice is
ignored by the unique constraint). Webhook: the 200 goes out after the insert commits. Stores that
arrive together share one transaction (:mod:`bot.inbox_commit`, a group commit).

Fair shares (:mod:`bot.fairness`) are checked at the door: an update over its
sender's, its group's or its chat's share is stored as dropped and costs no handler;
the excess button press is answered "too fast" and a group's unanswered mentions get
one summary, both from the door (:mod:`bot.inbox_door`), in the background.

Workers handle stored updates: one chat's updates one at a time, in update id order;
different chats in parallel (``parallel`` chats at once, which also bounds the
database sessions in use: see ``storage/db.py``). ``reserve`` of them are kept for
chats that had sent nothing for a minute before, so a newcomer's first question is
taken at once however many busy chats wait. A handler never waits for a send slot
(its replies leave after its commit: :mod:`bot.channels.telegram.deferred`). Handling is
``dispatcher.feed_update``; its database effects commit with the update's marker in
``processed_updates`` (:class:`bot.middlewares.DbSessionMiddleware`), so an update
handled again after a crash changes nothing twice. An update whose handling raises
is retried after 2, 4, 8… seconds, at most ``max_attempts`` times, then parked with
its error: it never loops, and the chat's later updates go on. Handled rows are
pruned after 7 days.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from datetime import datetime, timedelta
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.types import Update

from bot.clock import SystemClock
from bot.delivery.contract import Clock
from bot.fairness import FairGate, FairShare, Verdict
from bot.inbox_commit import GATHER, GroupCommit
from bot.inbox_door import Door, chat_key
from storage import inbox_notify
from storage.models import InboxStatus
from storage.repo import Repo

log = logging.getLogger("villagebot.inbox")

KEPT = timedelta(days=7)
FRESH_AFTER = 60.0  # seconds of silence after which a chat counts as a newcomer again
RESERVE = 2  # workers kept for newcomers



class Inbox(Door):
    def __init__(
        self,
        bot: Bot,
        dispatcher: Dispatcher,
        sessionmaker: Any,
        *,
        clock: Clock | None = None,
        parallel: int = 8,
        max_attempts: int = 5,
        backoff_base: float = 2.0,
        poll_every: float = 1.0,
        share: FairShare | FairGate | None = None,
        i18n: Any = None,
        budget: Any = None,
        reserve: int = RESERVE,
        leases: bool = False,
        lease_ttl: float = 30.0,
        gather: float = GATHER,
        **feed_kwargs: Any,
    ) -> None:
        self.bot = bot
        self.dispatcher = dispatcher
        self.sessionmaker = sessionmaker
        self.clock = clock or SystemClock()
        self.parallel = parallel
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.poll_every = poll_every
        self.feed_kwargs = feed_kwargs
        self.committer = GroupCommit(sessionmaker, self.clock.now, gather=gather)
        self.gate = FairGate(users=share) if isinstance(share, FairShare) else share
        self.i18n = i18n
        self.budget = budget  # a group whose send slots are used up gets no summary
        self.reserve = min(reserve, max(0, parallel - 1))
        self._last_seen: dict[int, float] = {}  # chat -> monotonic time of its last update
        self._arrivals: dict[int, list[float]] = {}  # chat -> its updates of the last minute
        self._fresh: set[int] = set()  # chats waiting whose previous update is over a minute old
        self._notices: set[asyncio.Task[None]] = set()
        self._alerted: dict[int, float] = {}  # presser -> when last told "too fast"
        self._me: dict[int, tuple[int, str]] = {}  # bot id -> (id, username)
        # Several worker processes (PostgreSQL): a chat is drained under a lease that
        # this process renews while it works and that expires if the process dies.
        self.leases = leases
        self.committer.announce = leases  # the web process's stores wake the workers (inbox_notify)
        self._listener: asyncio.Task[None] | None = None
        self.lease_ttl = timedelta(seconds=lease_ttl)
        self.holder = uuid.uuid4().hex
        self._verdicts: dict[int, str] = {}  # update id -> fair-share verdict taken at intake
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._active: dict[int, asyncio.Task[None]] = {}
        self._runner: asyncio.Task[None] | None = None
        self._renewer: asyncio.Task[None] | None = None
        self._released: set[int] = set()  # drained chats whose lease the next claim releases
        self.handled = 0
        # Several channels share the inbox: the bot that handles a chat's updates
        # (the runtime sets this when Zalo runs next to Telegram).
        self.bot_for: Any = lambda _chat_key: self.bot
        # Several Telegram bots (bot/multibot.py): bot id -> the bot that handles its
        # rows, and its flood budget; a row's ``bot_id`` picks them.
        self.bots: dict[int, Bot] = {}
        self.budgets: dict[int, Any] = {}

    # ---------------------------------------------------------------- intake

    async def store(self, updates: list[Update], bot_id: int | None = None, bot: Bot | None = None) -> int:
        """Insert and commit; the caller acknowledges only after this returns
        (``bot``: the Telegram bot they came to, with several bots)."""
        bot = bot or self.bot
        bot_id = bot_id or bot.id
        rows = []
        fresh: list[int] = []
        now = time.monotonic()
        for u in updates:
            status = InboxStatus.PENDING
            key = chat_key(u)
            if self.gate is not None:
                # Fair share at the door: the excess is stored as dropped (a redelivery
                # is still recognised) and costs no handler, no session, no reply.
                verdict = self.gate.check(await self._traffic(u, bot))
                if verdict in (Verdict.OK, Verdict.WARN):
                    self._verdicts[u.update_id] = str(verdict)
                else:
                    status = InboxStatus.DROPPED
                    self._notice(u, verdict, bot)
            if status == InboxStatus.PENDING:
                if now - self._last_seen.get(key, float("-inf")) > FRESH_AFTER:
                    fresh.append(key)
                    self._arrivals[key] = []
                self._last_seen[key] = now
                self._arrivals.setdefault(key, []).append(now)
            payload = (  # a dropped update is never handled: its id is all that is kept
                u.model_dump(mode="json", exclude_none=True, exclude_unset=True)
                if status == InboxStatus.PENDING
                else {"update_id": u.update_id}
            )
            rows.append((u.update_id, key, payload, status))
        if len(self._last_seen) > 20_000:
            for old in [k for k, t in self._last_seen.items() if now - t > FRESH_AFTER]:
                self._last_seen.pop(old, None)
                self._arrivals.pop(old, None)
        stored = await self.committer.store(bot_id, rows)  # committed, with concurrent stores
        self._fresh.update(fresh)  # only once the workers can see their rows
        self._wake.set()
        return stored

    async def poll(self, allowed_updates: list[str], timeout: int = 10, bot: Bot | None = None) -> None:
        """Long polling (of ``bot``, default the inbox's) until stopped: the offset
        moves only past committed updates."""
        bot = bot or self.bot
        offset: int | None = None
        failures = 0
        while not self._stopping.is_set():
            try:
                updates = await bot.get_updates(
                    offset=offset,
                    timeout=timeout,
                    allowed_updates=allowed_updates,
                    request_timeout=timeout + 10,
                )
                if updates:
                    await self.store(updates, bot=bot)
                    offset = updates[-1].update_id + 1
                failures = 0
            except asyncio.CancelledError:
                raise
            except Exception:
                failures += 1
                log.exception("getUpdates or storing the batch failed (%s in a row)", failures)
                await self._pause(min(30.0, 0.5 * 2**failures))

    # --------------------------------------------------------------- workers

    def start(self) -> None:
        self._runner = asyncio.create_task(self._run(), name="inbox-workers")
        if self.leases:
            self._renewer = asyncio.create_task(self._renew_leases(), name="inbox-leases")
            engine = self.sessionmaker.kw.get("bind")
            if engine is not None and engine.dialect.name == "postgresql":
                self._listener = asyncio.create_task(
                    inbox_notify.listen(engine, self.wake, self._stopping), name="inbox-listen"
                )

    async def _renew_leases(self) -> None:
        while not self._stopping.is_set():
            await asyncio.sleep(self.lease_ttl.total_seconds() / 3)
            try:
                async with self.sessionmaker() as session:
                    await Repo(session).leases.renew(
                        self.bot.id, list(self._active), self.holder, self.clock.now() + self.lease_ttl
                    )
                    await session.commit()
            except Exception:
                log.exception("renewing the inbox leases failed")

    async def _claim(self, chats: list[int]) -> list[int]:
        """The chats of ``chats`` this process may drain (all of them with one process).
        The leases of chats drained since the last look are released in the same
        transaction (one commit, not one a chat; a chat drained again keeps its lease)."""
        if not self.leases:
            return chats
        done = [k for k in self._released if k not in self._active and k not in chats]
        self._released.clear()
        if not chats and not done:
            return chats
        now = self.clock.now()
        async with self.sessionmaker() as session:
            repo = Repo(session)
            for key in done:
                await repo.leases.release(self.bot.id, key, self.holder)
            won = await repo.leases.claim(self.bot.id, chats, self.holder, now, now + self.lease_ttl)
            await session.commit()
        return won

    def wake(self) -> None:
        self._wake.set()

    async def stop(self, timeout: float = 10.0) -> None:
        """Stop taking new work and let the updates being handled finish."""
        self._stopping.set()
        self._wake.set()
        if self._runner is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(self._runner, timeout)
        if self._renewer is not None:
            self._renewer.cancel()
        if self._listener is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(self._listener, 3)
        if self._active:
            await asyncio.wait(list(self._active.values()), timeout=timeout)
        if self._released:  # otherwise they would expire after ``lease_ttl``
            with contextlib.suppress(Exception):
                await self._claim([])

    async def _pause(self, seconds: float) -> None:
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)

    async def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                chats = await self._claim(await self._ready())
                for key in chats:
                    self._active[key] = asyncio.create_task(
                        self._drain(key), name=f"inbox-chat-{key}"
                    )
            except Exception:
                log.exception("looking for stored updates failed")
            await self._pause(self.poll_every)

    async def _ready(self) -> list[int]:
        """Chats to start now: newcomers first, into any free worker; busy chats only
        into the workers outside the reserve."""
        room = self.parallel - len(self._active)
        if room <= 0:
            return []
        now = self.clock.now()
        async with self.sessionmaker() as session:
            repo = Repo(session)
            # Chats another worker process holds (several processes, PostgreSQL) wait for it.
            held = await repo.leases.held_by_others(self.bot.id, self.holder, now) if self.leases else []
            fresh: list[int] = []
            waiting = [k for k in self._fresh if k not in self._active and k not in held]
            if waiting:
                # Among newcomers, one asking a single question goes before one that
                # arrived with a burst (30 fresh accounts sending 5 each, issue 21).
                fresh = await repo.inbox.ready_chats(
                    now, exclude=[], limit=room, only=waiting, fewest_first=True
                )
            busy_room = min(room - len(fresh), self.parallel - self.reserve - len(self._active))
            busy: list[int] = []
            if busy_room > 0:
                busy = await repo.inbox.ready_chats(
                    now, exclude=[*self._active, *fresh, *waiting, *held], limit=busy_room
                )
        if len(fresh) < room:  # every waiting newcomer with a ready update was returned
            self._fresh.difference_update(set(waiting) - set(fresh))
        return fresh + busy

    async def _drain(self, key: int) -> None:
        """Handle one chat's pending updates in order, until none is ready, or until a
        newcomer waits for a worker (then this chat goes back in line after the update
        in hand: a chat's updates are still handled one at a time, in order)."""
        self._fresh.discard(key)  # taken: from now on it is a busy chat
        try:
            more = True
            while more and not self._stopping.is_set():
                async with self.sessionmaker() as session:
                    row, more = await Repo(session).inbox.next_of_chat(key, self.clock.now())
                    # Read what we need, then let the connection go before handling.
                    job = (row.id, row.update_id, row.payload, row.attempts, row.received_at) if row is not None else None
                    bot = self.bots.get(row.bot_id) if row is not None else None
                if job is None:
                    return
                await self._handle(*job, bot=bot or self.bot_for(key))
                if any(k not in self._active for k in self._fresh):
                    return  # at least one handled per turn: no chat is ever stuck
            # Nothing was pending behind the update handled last: no second look. One
            # stored meanwhile is found by the look this chat's end wakes (``_ready``).
        finally:
            if self.leases:
                self._released.add(key)  # released by the next claim (or at stop)
            self._active.pop(key, None)
            self._fresh.discard(key)
            self._wake.set()

    async def _handle(
        self,
        row_id: int,
        update_id: int,
        payload: dict[str, Any],
        attempts: int,
        received_at: datetime | None = None,
        bot: Bot | None = None,
    ) -> None:
        bot = bot or self.bot
        try:
            update = Update.model_validate(payload, context={"bot": bot})
            ack: dict[str, Any] = {"row_id": row_id, "now": self.clock.now(), "done": False}
            # When the update was received: a handler may need it (a vote pressed before
            # a consultation closed counts, however late it is handled).
            extra = dict(self.feed_kwargs, inbox_ack=ack, received_at=received_at)
            # How many updates the chat sent in the last minute: its replies wait for a
            # send slot after those of a chat that asked once (bot/delivery/pacing.py).
            since = time.monotonic() - FRESH_AFTER
            arrivals = [t for t in self._arrivals.get(chat_key(update), ()) if t > since]
            if arrivals:
                self._arrivals[chat_key(update)] = arrivals
            extra["chat_arrivals"] = max(1, len(arrivals))
            verdict = self._verdicts.pop(update_id, None)
            if verdict is not None:
                extra["fair_verdict"] = (
                    verdict  # counted at intake: the middleware does not count again
                )
            await self.dispatcher.feed_update(bot, update, **extra)
        except Exception as exc:
            attempts += 1
            error = f"{type(exc).__name__}: {exc}"[:2000]
            parked = attempts >= self.max_attempts
            now = self.clock.now()
            retry_at = (
                None if parked else now + timedelta(seconds=self.backoff_base * 2 ** (attempts - 1))
            )
            log.log(
                logging.ERROR if parked else logging.WARNING,
                "update %s failed (attempt %s): %s%s",
                update_id,
                attempts,
                error,
                " — parked" if parked else "",
            )
            async with self.sessionmaker() as session:
                await Repo(session).inbox.mark_failed(
                    row_id, attempts=attempts, error=error, retry_at=retry_at, now=now
                )
                await session.commit()
            return
        if not ack["done"]:  # not committed with the update's own work (dropped, or no session)
            async with self.sessionmaker() as session:
                await Repo(session).inbox.mark_done(row_id, self.clock.now())
                await session.commit()
        self.handled += 1
