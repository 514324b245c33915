"""Group commit for the durable inbox: concurrent stores share one transaction.

A webhook POST is answered 200 only once its update is committed (:mod:`bot.inbox`).
One INSERT and one commit a POST made intake cost a session, a transaction and a
round trip (an fsync on PostgreSQL) per update. Here the rows of every store that
arrives while a transaction is in flight, or within ``gather`` seconds of the first
one after a quiet spell, go into the next transaction: one multi-row INSERT per bot
(``InboxRepository.store_new``, the statement long polling uses for a ``getUpdates``
batch), one commit. Each caller is told only when the transaction holding its rows
has committed:

* its ``store`` returns how many of its rows were new (an update id stored before, or
  by another caller of the same batch, counts once: the unique constraint keeps it
  stored once);
* if the transaction fails, every caller of that batch gets the exception (the webhook
  answers 5xx and Telegram posts the update again), and only those: the next batch is
  a new transaction. Nothing is acknowledged that was not committed, so a kill -9 at
  any point loses no update that Telegram was told we have.

One transaction is in flight at a time (the next batch gathers meanwhile); a batch
holds at most ``max_rows`` rows.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from storage import inbox_notify
from storage.repo import Repo

log = logging.getLogger("villagebot.inbox")

GATHER = 0.002  # seconds the first store after a quiet spell waits for others
MAX_ROWS = 1000


@dataclass
class _Waiting:
    bot_id: int
    rows: Sequence[tuple[Any, ...]]
    told: asyncio.Future[int] = field(default_factory=lambda: asyncio.get_running_loop().create_future())


class GroupCommit:
    def __init__(
        self,
        sessionmaker: Any,
        now: Callable[[], datetime],
        *,
        gather: float = GATHER,
        max_rows: int = MAX_ROWS,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.now = now
        self.gather = gather
        self.max_rows = max_rows
        self._waiting: list[_Waiting] = []
        self._flusher: asyncio.Task[None] | None = None
        self.announce = False  # several processes (PostgreSQL): wake the other workers on commit
        self.commits = 0  # transactions committed (read by tests and the bench)
        self.stores = 0  # stores those transactions answered

    async def store(self, bot_id: int, rows: Sequence[tuple[Any, ...]]) -> int:
        """Store ``rows`` (see ``InboxRepository.store``) in the next transaction;
        return once it has committed, with how many of them were new."""
        if not rows:
            return 0
        waiting = _Waiting(bot_id, rows)
        self._waiting.append(waiting)
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush(), name="inbox-group-commit")
        return await waiting.told

    async def _flush(self) -> None:
        batch: list[_Waiting] = []
        try:
            if self.gather > 0:
                await asyncio.sleep(self.gather)
            else:
                await asyncio.sleep(0)  # the stores already scheduled in this loop turn
            while self._waiting:
                batch = self._take()
                try:
                    new = await self._commit(batch)
                except Exception as exc:
                    log.warning("storing %s updates failed: %s", sum(len(w.rows) for w in batch), exc)
                    for waiting in batch:
                        if not waiting.told.done():
                            waiting.told.set_exception(exc)
                    batch = []
                    continue
                self.commits += 1
                self.stores += len(batch)
                for waiting in batch:
                    fresh = new.setdefault(waiting.bot_id, set())
                    count = 0
                    for update_id, *_ in waiting.rows:
                        if update_id in fresh:
                            fresh.discard(update_id)  # counted once, for its first caller
                            count += 1
                    if not waiting.told.done():  # a caller that went away: its rows are kept
                        waiting.told.set_result(count)
                batch = []
        finally:
            # Cancelled (the loop is closing): no caller is left waiting for ever.
            for waiting in batch + self._waiting:
                if not waiting.told.done():
                    waiting.told.set_exception(RuntimeError("the inbox stopped before storing this update"))
            if batch or self._waiting:
                self._waiting.clear()

    def _take(self) -> list[_Waiting]:
        """The next batch: in arrival order, at most ``max_rows`` rows (at least one store)."""
        rows = 0
        taken = 0
        for waiting in self._waiting:
            if taken and rows + len(waiting.rows) > self.max_rows:
                break
            rows += len(waiting.rows)
            taken += 1
        batch, self._waiting = self._waiting[:taken], self._waiting[taken:]
        return batch

    async def _commit(self, batch: list[_Waiting]) -> dict[int, set[int]]:
        """One transaction: one multi-row INSERT per bot; the new update ids per bot."""
        by_bot: dict[int, list[tuple[Any, ...]]] = {}
        for waiting in batch:
            by_bot.setdefault(waiting.bot_id, []).extend(waiting.rows)
        now = self.now()
        new: dict[int, set[int]] = {}
        async with self.sessionmaker() as session:
            repo = Repo(session)
            for bot_id, rows in by_bot.items():
                new[bot_id] = await repo.inbox.store_new(bot_id, rows, now)
            if self.announce and any(new.values()):
                await inbox_notify.announce(session)  # delivered by PostgreSQL at the commit
            await session.commit()
        return new
