"""One leader per bot token among any number of processes: PostgreSQL's advisory lock.

The leader holds ``pg_try_advisory_lock(key)`` on a connection of its own for as long
as it leads; PostgreSQL releases the lock the moment that connection ends, so a
leader killed with -9 (its socket closed by the kernel) or cut off from the database
hands over to a standby, which tries every ``retry_every`` seconds. The leader checks
its connection every ``check_every`` seconds and steps down when it is gone.

On SQLite there is one process (``storage.process_lock``): it always leads.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import AsyncIterator

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.db import Engine

log = logging.getLogger("villagebot.leader")


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for ``name`` (the bot id, say)."""
    return int.from_bytes(hashlib.sha256(f"villagebot:{name}".encode()).digest()[:8], "big", signed=True)


class Leadership:
    def __init__(self, engine: Engine, name: str, *, retry_every: float = 2.0, check_every: float = 2.0) -> None:
        self.engine = engine
        self.key = lock_key(name)
        self.retry_every = retry_every
        self.check_every = check_every
        self.is_leader = asyncio.Event()
        self.lost = asyncio.Event()

    @property
    def single_process(self) -> bool:
        return self.engine.dialect.name != "postgresql"

    @contextlib.asynccontextmanager
    async def lead(self) -> AsyncIterator[None]:
        """Wait until this process leads; inside, ``lost`` is set if it stops leading."""
        if self.single_process:
            self.is_leader.set()
            yield
            return
        connection = await self._acquire()
        watcher = asyncio.create_task(self._watch(connection), name="leader-watch")
        try:
            yield
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await watcher
            with contextlib.suppress(Exception):
                await connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self.key})
            with contextlib.suppress(Exception):
                await connection.close()
            self.is_leader.clear()

    async def _acquire(self) -> AsyncConnection:
        while True:
            connection = None
            try:
                connection = await self.engine.connect()
                got = (await connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": self.key})).scalar()
                await connection.commit()  # end the implicit transaction; the session-level lock stays
                if got:
                    log.info("this process is now the sending leader")
                    self.lost.clear()
                    self.is_leader.set()
                    return connection
            except Exception:
                log.warning("trying to become leader failed; retrying", exc_info=True)
            if connection is not None:
                with contextlib.suppress(Exception):
                    await connection.close()
            await asyncio.sleep(self.retry_every)

    async def _watch(self, connection: AsyncConnection) -> None:
        while True:
            await asyncio.sleep(self.check_every)
            try:
                await connection.execute(text("SELECT 1"))
                await connection.commit()
            except Exception:
                log.error("lost the database connection that holds leadership: stepping down")
                self.is_leader.clear()
                self.lost.set()
                return
