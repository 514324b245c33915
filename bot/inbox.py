"""The durable inbox: every update is stored before Telegram is told we have it.

Polling: a batch from ``getUpdates`` is inserted (unique by update id) and
committed, and only then does the next ``getUpdates`` carry the offset that
acknowledges it; a kill -9 at any point loses nothing (an update stored twice is
ignored by the unique constraint). Webhook: the 200 goes out after the insert commits.

Workers handle stored updates: one chat's updates one at a time, in update id order;
different chats in parallel (``parallel`` chats at once, which also bounds the
database sessions in use: see ``storage/db.py``). Handling is
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
import uuid
from datetime import timedelta
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.types import Update

from bot.clock import SystemClock
from bot.delivery.contract import Clock
from bot.middlewares import FairShare
from storage.models import InboxStatus
from storage.repo import Repo

log = logging.getLogger("villagebot.inbox")

KEPT = timedelta(days=7)


def chat_key(update: Update) -> int:
    """The chat whose order this update keeps (0: no chat, e.g. an inline query)."""
    event = update.event
    chat = getattr(event, "chat", None)
    if chat is None and getattr(event, "message", None) is not None:
        chat = getattr(event.message, "chat", None)  # a callback query's message
    if chat is not None:
        return int(chat.id)
    user = getattr(event, "from_user", None)
    return int(user.id) if user is not None else 0


class Inbox:
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
        share: FairShare | None = None,
        leases: bool = False,
        lease_ttl: float = 30.0,
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
        self.share = share
        # Several worker processes (PostgreSQL): a chat is drained under a lease that
        # this process renews while it works and that expires if the process dies.
        self.leases = leases
        self.lease_ttl = timedelta(seconds=lease_ttl)
        self.holder = uuid.uuid4().hex
        self._verdicts: dict[int, str] = {}  # update id -> fair-share verdict taken at intake
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._active: dict[int, asyncio.Task[None]] = {}
        self._runner: asyncio.Task[None] | None = None
        self._renewer: asyncio.Task[None] | None = None
        self.handled = 0
        # Several channels share the inbox: the bot that handles a chat's updates
        # (the runtime sets this when Zalo runs next to Telegram).
        self.bot_for: Any = lambda _chat_key: self.bot

    # ---------------------------------------------------------------- intake

    async def store(self, updates: list[Update], bot_id: int | None = None) -> int:
        """Insert and commit; the caller acknowledges only after this returns."""
        rows = []
        for u in updates:
            status = InboxStatus.PENDING
            if (
                self.share is not None
                and u.message is not None
                and u.message.chat.type == "private"
            ):
                # Fair share at the door: the excess is stored as dropped (a redelivery
                # is still recognised) and costs no handler, no session, no reply.
                verdict = self.share.check(u.message.chat.id)
                if verdict == "drop":
                    status = InboxStatus.DROPPED
                else:
                    self._verdicts[u.update_id] = verdict
            rows.append(
                (
                    u.update_id,
                    chat_key(u),
                    u.model_dump(mode="json", exclude_none=True, exclude_unset=True),
                    status,
                )
            )
        async with self.sessionmaker() as session:
            stored = await Repo(session).inbox.store(bot_id or self.bot.id, rows, self.clock.now())
            await session.commit()
        self._wake.set()
        return stored

    async def poll(self, allowed_updates: list[str], timeout: int = 10) -> None:
        """Long polling until stopped: the offset moves only past committed updates."""
        offset: int | None = None
        failures = 0
        while not self._stopping.is_set():
            try:
                updates = await self.bot.get_updates(
                    offset=offset,
                    timeout=timeout,
                    allowed_updates=allowed_updates,
                    request_timeout=timeout + 10,
                )
                if updates:
                    await self.store(updates)
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
        """The chats of ``chats`` this process may drain (all of them with one process)."""
        if not self.leases or not chats:
            return chats
        now = self.clock.now()
        async with self.sessionmaker() as session:
            won = await Repo(session).leases.claim(self.bot.id, chats, self.holder, now, now + self.lease_ttl)
            await session.commit()
        return won

    async def _release(self, key: int) -> None:
        if self.leases:
            async with self.sessionmaker() as session:
                await Repo(session).leases.release(self.bot.id, key, self.holder)
                await session.commit()

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
        if self._active:
            await asyncio.wait(list(self._active.values()), timeout=timeout)

    async def _pause(self, seconds: float) -> None:
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)

    async def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                room = self.parallel - len(self._active)
                chats: list[int] = []
                if room > 0:
                    async with self.sessionmaker() as session:
                        busy = list(self._active)
                        if self.leases:
                            busy += await Repo(session).leases.held_by_others(
                                self.bot.id, self.holder, self.clock.now()
                            )
                        chats = await Repo(session).inbox.ready_chats(
                            self.clock.now(), exclude=busy, limit=room
                        )
                    chats = await self._claim(chats)
                for key in chats:
                    self._active[key] = asyncio.create_task(
                        self._drain(key), name=f"inbox-chat-{key}"
                    )
            except Exception:
                log.exception("looking for stored updates failed")
            await self._pause(self.poll_every)

    async def _drain(self, key: int) -> None:
        """Handle one chat's pending updates in order, until none is ready."""
        try:
            while not self._stopping.is_set():
                async with self.sessionmaker() as session:
                    row = await Repo(session).inbox.next_of_chat(key, self.clock.now())
                    # Read what we need, then let the connection go before handling.
                    job = (
                        (row.id, row.update_id, row.payload, row.attempts)
                        if row is not None
                        else None
                    )
                if job is None:
                    return
                await self._handle(*job, bot=self.bot_for(key))
        finally:
            with contextlib.suppress(Exception):
                await self._release(key)
            self._active.pop(key, None)
            self._wake.set()

    async def _handle(
        self, row_id: int, update_id: int, payload: dict[str, Any], attempts: int, bot: Bot | None = None
    ) -> None:
        bot = bot or self.bot
        try:
            update = Update.model_validate(payload, context={"bot": bot})
            ack: dict[str, Any] = {"row_id": row_id, "now": self.clock.now(), "done": False}
            extra = dict(self.feed_kwargs, inbox_ack=ack)
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
