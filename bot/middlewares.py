"""Per-update middlewares: one database session (the one place that commits), the
current user and their roles, redelivery protection."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.types import TelegramObject, Update

from bot.services.onboarding import load_actor
from storage.db import Sessionmaker
from storage.repo import Repo

log = logging.getLogger(__name__)

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class InFlight:
    """Counts updates being handled, so a graceful stop can let them finish."""

    def __init__(self) -> None:
        self.count = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @contextlib.contextmanager
    def track(self) -> Iterator[None]:
        self.count += 1
        self._idle.clear()
        try:
            yield
        finally:
            self.count -= 1
            if self.count == 0:
                self._idle.set()

    async def drained(self, timeout: float = 10.0) -> bool:
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except TimeoutError:
            return False
        return True


class DbSessionMiddleware(BaseMiddleware):
    """Opens a session per update, commits when the handler succeeds and rolls back
    when it raises. An update id seen before is skipped: the inbox may hand over an
    update again after a crash, and the marker commits together with the update's
    own changes."""

    def __init__(self, sessionmaker: Sessionmaker, in_flight: InFlight) -> None:
        self.sessionmaker = sessionmaker
        self.in_flight = in_flight

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        bot: Bot = data["bot"]
        with self.in_flight.track():
            return await self._handle(bot, handler, event, data)

    async def _handle(self, bot: Bot, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        async with self.sessionmaker() as session:
            repo = Repo(session)
            update_id = event.update_id if isinstance(event, Update) else None
            if update_id is not None and await repo.updates.seen(bot.id, update_id):
                log.info("update %s was handled before; ignored", update_id)
                return None
            data["session"] = session
            data["repo"] = repo
            try:
                result = await handler(event, data)
            except BaseException:
                await session.rollback()
                raise
            # The marker is written last: an update that only reads never holds
            # SQLite's write lock while its replies wait for a send slot.
            if update_id is not None and not await repo.updates.mark_processed(bot.id, update_id):
                await session.rollback()
                log.warning("update %s was handled meanwhile by another worker; its changes are dropped", update_id)
                return None
            ack = data.get("inbox_ack")  # the inbox row is marked handled in the same commit
            if ack is not None:
                await repo.inbox.mark_done(ack["row_id"], ack["now"])
            await session.commit()
            if ack is not None:
                ack["done"] = True
            if repo.outbox.enqueued and (engine := data.get("outbox")) is not None:
                engine.wake()  # what the update queued is committed: send it now
            return result


class CurrentUserMiddleware(BaseMiddleware):
    """Loads (or registers) the user behind the update, with roles and village, once."""

    def __init__(self, admins: frozenset[int]) -> None:
        self.admins = admins

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        from_user = data.get("event_from_user")
        repo: Repo | None = data.get("repo")
        if from_user is not None and repo is not None and not from_user.is_bot:
            bot = data.get("bot")
            user = await repo.users.get_or_create(
                from_user.id, full_name=from_user.full_name, username=from_user.username,
                platform=getattr(getattr(bot, "session", None), "channel", "telegram"),
            )
            data["user"] = user
            data["actor"] = await load_actor(repo, user, admins=self.admins)
        return await handler(event, data)


# A fair share per chat: a person typing normally sends a few messages a minute.
# FAIR_LIMIT messages per FAIR_WINDOW, at most FAIR_BURST at once (a token bucket);
# past it the excess is dropped before any database work and the sender is told
# once per episode. The sustained rate stays well below Telegram's ~1 message/s per
# private chat and the burst close to its own (3), so the replies of a chat within
# its share wait at most a few seconds in all for their send slots (time during which
# an update that wrote holds SQLite's write lock: see docs/BENCHMARKS.md).
FAIR_LIMIT, FAIR_WINDOW, FAIR_BURST = 20, 60.0, 6


class FairShare:
    """A token bucket per chat (pure logic, clock injected)."""

    def __init__(
        self,
        limit: int = FAIR_LIMIT,
        window: float = FAIR_WINDOW,
        burst: int = FAIR_BURST,
        clock: Callable[[], float] | None = None,
    ) -> None:
        import time

        self.rate = limit / window
        self.burst = float(min(burst, limit))
        self.clock = clock or time.monotonic
        self._buckets: dict[int, tuple[float, float]] = {}  # chat -> (tokens, at)
        self._warned: set[int] = set()

    def check(self, chat_id: int) -> str:
        """"ok", "warn" (the first message over the share) or "drop"."""
        now = self.clock()
        tokens, at = self._buckets.get(chat_id, (self.burst, now))
        tokens = min(self.burst, tokens + (now - at) * self.rate)
        if tokens >= 1.0:
            self._buckets[chat_id] = (tokens - 1.0, now)
            self._warned.discard(chat_id)
            if len(self._buckets) > 10_000:  # forget chats whose bucket is full again
                full = (self.burst - 1.0) / self.rate
                for key in [k for k, (_, t) in self._buckets.items() if now - t > full]:
                    self._buckets.pop(key, None)
            return "ok"
        self._buckets[chat_id] = (tokens, now)
        if chat_id in self._warned:
            return "drop"
        self._warned.add(chat_id)
        return "warn"


class FairShareMiddleware(BaseMiddleware):
    """Outermost: a message past the chat's fair share is dropped (the first one
    gets a polite, localized "slow down")."""

    def __init__(self, i18n: Any, share: FairShare | None = None) -> None:
        self.i18n = i18n
        self.share = share or FairShare()

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        message = event.message if isinstance(event, Update) else None
        if message is None or message.chat.type != "private":
            return await handler(event, data)
        verdict = data.get("fair_verdict") or self.share.check(message.chat.id)
        if verdict == "ok":
            return await handler(event, data)
        if verdict == "warn":
            from aiogram.exceptions import TelegramAPIError
            from aiogram.utils.i18n import gettext as _

            from bot.i18n import pick_locale

            user = message.from_user
            locale = pick_locale(None, user.language_code if user else None, self.i18n.default_locale)
            with self.i18n.context(), self.i18n.use_locale(locale):
                text = _(
                    "You are sending messages too fast. Please wait a minute, then ask again: "
                    "messages sent meanwhile are not read."
                )
            try:
                await data["bot"].send_message(message.chat.id, text)
            except TelegramAPIError as exc:
                log.info("could not tell chat %s to slow down: %s", message.chat.id, exc.message)
        log.info("update %s dropped: chat %s is over its fair share", event.update_id, message.chat.id)  # type: ignore[union-attr]
        return None
