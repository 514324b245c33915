"""Conversation (FSM) state in the database, for a bot without Redis: a pledge half
done when ``make run`` restarts goes on where it stopped (issue 16: "500k" typed after
the restart was answered as a criteria question).

What can go wrong, and why it holds:
- *A deadlock with the update's own transaction.* SQLite has one writer: a state
  written from inside a handler through a second session would wait for the
  update's transaction, which waits for the handler. So states are kept in memory
  (read-your-writes within the process, as ``MemoryStorage``) and written behind by
  one task in its own session; it waits for the update's commit, never the reverse.
- *The process dies before the write.* The last change (milliseconds old) is lost:
  the user's next message starts from the state before it, never from a wrong one.
- *Data that JSON cannot hold.* Stored as JSON (what Redis stores too); anything else
  is written as its text, and the store never stops because of one value.
- *Several bot processes.* Each keeps its own copy of the states it has read: run one
  process per bot with this storage, or set ``REDIS_URL``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Mapping
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import (
    BaseStorage,
    DefaultKeyBuilder,
    KeyBuilder,
    StateType,
    StorageKey,
)

from storage.db import Sessionmaker
from storage.fsm_repo import load_state, store_states

log = logging.getLogger("villagebot.fsm")

RETRY_AFTER = 1.0


class DatabaseStorage(BaseStorage):
    """aiogram's FSM storage on the ``fsm_states`` table, written behind."""

    def __init__(
        self, sessionmaker: Sessionmaker, *, key_builder: KeyBuilder | None = None
    ) -> None:
        self.sessionmaker = sessionmaker
        self.key_builder = key_builder or DefaultKeyBuilder(with_bot_id=True, with_destiny=True)
        self._cache: dict[str, tuple[str | None, dict[str, Any]]] = {}
        self._dirty: dict[str, None] = {}  # keys changed since the last write, in order
        self._wake = asyncio.Event()
        self._flush_lock = asyncio.Lock()
        self._writer: asyncio.Task[None] | None = None

    async def _entry(self, key: StorageKey) -> tuple[str, tuple[str | None, dict[str, Any]]]:
        name = self.key_builder.build(key)
        if name not in self._cache:
            async with self.sessionmaker() as session:
                loaded = await load_state(session, name)
            self._cache.setdefault(name, loaded or (None, {}))
        return name, self._cache[name]

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        name, (_old, data) = await self._entry(key)
        self._cache[name] = (state.state if isinstance(state, State) else state, data)
        self._changed(name)

    async def get_state(self, key: StorageKey) -> str | None:
        _name, (state, _data) = await self._entry(key)
        return state

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        name, (state, _old) = await self._entry(key)
        self._cache[name] = (state, dict(data))
        self._changed(name)

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        _name, (_state, data) = await self._entry(key)
        return data.copy()

    async def close(self) -> None:
        """Write what is pending and stop the writer."""
        if self._writer is not None:
            self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._writer
            self._writer = None
        await self.flush()

    async def flush(self) -> None:
        """Write every changed state now (the writer does this by itself)."""
        async with self._flush_lock:
            names = list(self._dirty)
            if not names:
                return
            self._dirty.clear()
            items = [(name, self._cache[name][0], _as_json(self._cache[name][1])) for name in names]
            try:
                async with self.sessionmaker() as session:
                    await store_states(session, items)
                    await session.commit()
            except BaseException:
                for name in names:
                    self._dirty.setdefault(name, None)
                raise

    def _changed(self, name: str) -> None:
        self._dirty[name] = None
        self._wake.set()
        if self._writer is None or self._writer.done():
            self._writer = asyncio.get_running_loop().create_task(
                self._write_behind(), name="fsm-writer"
            )

    async def _write_behind(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                await self.flush()
            except Exception:
                log.exception("could not store conversation states; retrying")
                await asyncio.sleep(RETRY_AFTER)
                self._wake.set()


def _as_json(data: dict[str, Any]) -> dict[str, Any]:
    try:
        return json.loads(json.dumps(data))
    except (TypeError, ValueError):
        return json.loads(json.dumps(data, default=str))
