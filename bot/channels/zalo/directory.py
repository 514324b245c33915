"""Where the Zalo bridge keeps what must survive a restart: the addresses (Zalo's
text ids ↔ internal integers) and the menu pending in each conversation."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from storage.repo import Repo

log = logging.getLogger("villagebot.zalo")

CHANNEL = "zalo"
MENU_TTL = timedelta(days=2)  # a reminder sent at 19:00 is still answered the next evening


@dataclass(frozen=True, slots=True)
class Address:
    internal_id: int
    platform_id: str
    chat_type: str
    created: bool = False


@dataclass(frozen=True, slots=True)
class Menu:
    items: list[dict[str, Any]]
    message_id: int
    message_text: str
    locale: str | None
    expired: bool
    expires_at: datetime


class Directory:
    def __init__(self, sessionmaker: Any) -> None:
        self.sessionmaker = sessionmaker
        self._by_internal: dict[int, str] = {}
        self._types: dict[int, str] = {}
        self._menus: dict[int, Menu | None] = {}
        self._dirty: set[int] = set()
        self._writer: asyncio.Task[None] | None = None
        self._writing: int | None = None  # the chat whose menu is being written
        self._waiters: dict[int, list[asyncio.Future[None]]] = {}  # chat -> sends waiting for its menu

    async def allocate(self, platform_id: str, chat_type: str, name: str = "") -> Address:
        async with self.sessionmaker() as session:
            row, created = await Repo(session).channels.allocate(CHANNEL, platform_id, chat_type, name)
            await session.commit()
        self._by_internal[row.internal_id] = platform_id
        self._types[row.internal_id] = row.chat_type
        return Address(row.internal_id, platform_id, row.chat_type, created)

    async def platform_id(self, internal_id: int) -> str | None:
        known = self._by_internal.get(internal_id)
        if known is None:
            async with self.sessionmaker() as session:
                row = await Repo(session).channels.by_internal(internal_id)
            if row is None or row.channel != CHANNEL:
                return None
            known = self._by_internal[internal_id] = row.platform_id
            self._types[internal_id] = row.chat_type
        return known

    def chat_type(self, internal_id: int) -> str:
        """"private" or "group", as Zalo said (known once the address was looked up)."""
        return self._types.get(internal_id, "private")

    # The latest menu of each chat is kept here at once (the intake reads it from here
    # first) and written by a background task. A handler's replies leave after its
    # commit, from the delivery engine (no transaction of its own open), which waits
    # for that chat's write (:meth:`stored`) before the message goes out: after a kill -9 the
    # stored menu is the one of the last message sent, or of one about to be sent again.

    async def set_menu(
        self, chat_id: int, items: list[dict[str, Any]], message_id: int, text: str, locale: str | None
    ) -> None:
        now = datetime.now(UTC)
        self._menus[chat_id] = Menu(items, message_id, text, locale, False, now + MENU_TTL)
        self._write_behind(chat_id)

    async def clear_menu(self, chat_id: int) -> None:
        self._menus[chat_id] = None
        self._write_behind(chat_id)

    def _write_behind(self, chat_id: int) -> None:
        self._dirty.add(chat_id)
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write(), name="zalo-menus")

    async def _write(self) -> None:
        failures = 0
        while self._dirty:
            chat_id = self._dirty.pop()
            menu = self._menus.get(chat_id)
            self._writing = chat_id
            try:
                async with self.sessionmaker() as session:
                    repo = Repo(session)
                    if menu is None:
                        await repo.channels.clear_menu(CHANNEL, chat_id)
                    else:
                        await repo.channels.set_menu(
                            CHANNEL, chat_id, items=menu.items, message_id=menu.message_id,
                            message_text=menu.message_text, locale=menu.locale,
                            now=menu.expires_at - MENU_TTL, expires_at=menu.expires_at,
                        )
                    await session.commit()
                failures = 0
                if chat_id not in self._dirty:  # not changed again meanwhile: this one is stored
                    for waiter in self._waiters.pop(chat_id, []):
                        if not waiter.done():
                            waiter.set_result(None)
            except Exception:
                failures += 1
                self._dirty.add(chat_id)
                log.warning("zalo: storing the menu of %s failed (%s); trying again", chat_id, failures)
                await asyncio.sleep(min(5.0, 0.1 * 2**failures))
            finally:
                self._writing = None

    async def stored(self, chat_id: int, timeout: float = 5.0) -> bool:
        """Wait (at most ``timeout`` s) until the chat's latest menu is in the database
        (only this chat's write: other chats' menus never hold this send up)."""
        if chat_id not in self._dirty and self._writing != chat_id:
            return True
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(chat_id, []).append(waiter)
        try:
            await asyncio.wait_for(waiter, timeout)
        except TimeoutError:
            log.warning("zalo: the menu of %s is not stored yet after %ss; sending anyway", chat_id, timeout)
            return False
        return True

    async def flush(self) -> None:
        """Wait until every menu is stored (at shutdown)."""
        if self._writer is not None:
            await self._writer

    async def menu(self, chat_id: int) -> Menu | None:
        if chat_id in self._menus:
            cached = self._menus[chat_id]
        else:
            async with self.sessionmaker() as session:
                row = await Repo(session).channels.menu(CHANNEL, chat_id)
            cached = None if row is None else Menu(
                list(row.items), row.message_id, row.message_text, row.locale, False, row.expires_at
            )
        if cached is None:
            return None
        return replace(cached, expired=cached.expires_at <= datetime.now(UTC))

    async def add_usage(self, sent: int, quota_hits: int, last_quota_at: datetime | None) -> None:
        month = datetime.now(UTC).strftime("%Y-%m")
        async with self.sessionmaker() as session:
            await Repo(session).channels.add_usage(
                CHANNEL, month, sent=sent, quota_hits=quota_hits, last_quota_at=last_quota_at
            )
            await session.commit()

    async def month_sent(self, month: str) -> int:
        async with self.sessionmaker() as session:
            row = await Repo(session).channels.usage_of(CHANNEL, month)
        return row.sent if row is not None else 0

    async def release_bulk(self) -> int:
        """Bulk held for the quota is due now (the quota was raised, or a month began)."""
        async with self.sessionmaker() as session:
            released = await Repo(session).channels.release_bulk(datetime.now(UTC))
            await session.commit()
        return released

    async def invite_exists(self, token: str) -> bool:
        async with self.sessionmaker() as session:
            return await Repo(session).invites.by_token(token) is not None
