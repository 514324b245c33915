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
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services.onboarding import load_actor
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
    when it raises. An update id seen before is skipped: Telegram redelivers after
    timeouts, and the marker commits together with the update's own changes."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], in_flight: InFlight) -> None:
        self.sessionmaker = sessionmaker
        self.in_flight = in_flight

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        bot: Bot = data["bot"]
        with self.in_flight.track():
            return await self._handle(bot, handler, event, data)

    async def _handle(self, bot: Bot, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        async with self.sessionmaker() as session:
            repo = Repo(session)
            if isinstance(event, Update) and not await repo.updates.mark_processed(bot.id, event.update_id):
                log.info("update %s was handled before; ignored", event.update_id)
                return None
            data["session"] = session
            data["repo"] = repo
            try:
                result = await handler(event, data)
            except BaseException:
                await session.rollback()
                raise
            await session.commit()
            return result


class CurrentUserMiddleware(BaseMiddleware):
    """Loads (or registers) the user behind the update, with roles and village, once."""

    def __init__(self, admins: frozenset[int]) -> None:
        self.admins = admins

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        from_user = data.get("event_from_user")
        repo: Repo | None = data.get("repo")
        if from_user is not None and repo is not None and not from_user.is_bot:
            user = await repo.users.get_or_create(
                from_user.id, full_name=from_user.full_name, username=from_user.username
            )
            data["user"] = user
            data["actor"] = await load_actor(repo, user, admins=self.admins)
        return await handler(event, data)
