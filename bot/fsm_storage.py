"""Conversation (FSM) state in the database, for a bot without Redis: a pledge half
done when ``make run`` restarts goes on where it stopped (issue 16: "500k" typed after
the restart was answered as a criteria question).

What can go wrong, and why it holds:
- *The state commits apart from the update that changed it.* Written behind by its
  own session, a state could commit before the update's own transaction (PostgreSQL);
  a kill -9 between the two replayed the update from the inbox against a state that
  had already moved on (the replayed "confirm" found no pending pledge: the
  resident's pledge was lost). So a state changed while an update is handled
  (:mod:`storage.update_tx`) is written in that update's session, just before its
  commit: both commit, or neither.
- *The update rolls back* (its handler or its commit failed, or it was handled
  meanwhile elsewhere). What it set is forgotten in memory too: the cached entry goes
  back to what it was before the update (or is dropped, and read again).
- *A deadlock with the update's own transaction.* SQLite has one writer: a state
  written from inside a handler through a second session would wait for the
  update's transaction, which waits for the handler. So no second session is opened
  inside an update: its states go in its own session, and states are kept in memory
  (read-your-writes within the process, as ``MemoryStorage``).
- *A state changed outside any update* (no update's session to join; the bot's own
  handlers always run inside one) is written behind by one task in its own session. The process dying before that write loses
  the change (milliseconds old): the user's next message starts from the state
  before it, never from a wrong one.
- *Data that JSON cannot hold.* Stored as JSON (what Redis stores too); anything else
  is written as its text, and the store never stops because of one value.
- *Several bot processes* (PostgreSQL: ``--role web|worker``, or several of ``all``). A
  chat's updates can be handled by one worker, then by another: a copy kept from an
  earlier update would be stale. So ``shared=True`` (what the bot uses on PostgreSQL)
  keeps nothing between updates: each update reads a state once, in its own session,
  and a change outside an update is written at once. On SQLite only one process runs, and
  the states it has read stay in memory.
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

from storage import update_tx
from storage.db import Sessionmaker
from storage.fsm_repo import load_state, store_states

log = logging.getLogger("villagebot.fsm")

RETRY_AFTER = 1.0


class DatabaseStorage(BaseStorage):
    """aiogram's FSM storage on the ``fsm_states`` table: in the update's transaction
    when one is open, else written behind."""

    def __init__(
        self, sessionmaker: Sessionmaker, *, key_builder: KeyBuilder | None = None,
        shared: bool = False,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.shared = shared  # other processes write these states too: no copy kept between updates
        self.key_builder = key_builder or DefaultKeyBuilder(with_bot_id=True, with_destiny=True)
        self._cache: dict[str, tuple[str | None, dict[str, Any]]] = {}
        self._dirty: dict[str, None] = {}  # keys changed since the last write, in order
        self._wake = asyncio.Event()
        self._flush_lock = asyncio.Lock()
        self._writer: asyncio.Task[None] | None = None

    async def _entry(self, key: StorageKey) -> tuple[str, tuple[str | None, dict[str, Any]]]:
        name = self.key_builder.build(key)
        if self.shared and name not in self._dirty:
            self._forget_unless_read_in_this_update(name)
        if name not in self._cache:
            tx = update_tx.current()
            if tx is not None:  # never a second session while the update's is open
                loaded = await load_state(tx.session, name)
            else:
                async with self.sessionmaker() as session:
                    loaded = await load_state(session, name)
            self._cache.setdefault(name, loaded or (None, {}))
        return name, self._cache[name]

    def _forget_unless_read_in_this_update(self, name: str) -> None:
        tx = update_tx.current()
        if tx is None:
            self._cache.pop(name, None)  # read it again: another process may have changed it
            return
        read: set[str] = tx.parts.setdefault(("read", id(self)), set())
        if name not in read:  # first use in this update: what is committed now, not an old copy
            read.add(name)
            self._cache.pop(name, None)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        name, entry = await self._entry(key)
        self._changed(name, entry)
        self._cache[name] = (state.state if isinstance(state, State) else state, entry[1])
        await self._written_at_once_if_shared()

    async def _written_at_once_if_shared(self) -> None:
        if self.shared and update_tx.current() is None:
            await self.flush()  # nothing waits in this process for another to miss

    async def get_state(self, key: StorageKey) -> str | None:
        _name, (state, _data) = await self._entry(key)
        return state

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        name, entry = await self._entry(key)
        self._changed(name, entry)
        self._cache[name] = (entry[0], dict(data))
        await self._written_at_once_if_shared()

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

    def _changed(self, name: str, before: tuple[str | None, dict[str, Any]]) -> None:
        """``name`` is about to change from ``before``: inside an update, written with
        its commit (and undone in memory if it rolls back); else written behind."""
        tx = update_tx.current()
        if tx is not None:
            self._join(tx, name, before)
            return
        self._dirty[name] = None
        self._wake.set()
        if self._writer is None or self._writer.done():
            self._writer = asyncio.get_running_loop().create_task(
                self._write_behind(), name="fsm-writer"
            )

    def _join(self, tx: update_tx.UpdateTx, name: str, before: tuple[str | None, dict[str, Any]]) -> None:
        changed: dict[str, tuple[tuple[str | None, dict[str, Any]], bool]] | None = tx.parts.get(id(self))
        if changed is None:
            changed = tx.parts[id(self)] = {}
            tx.before_commit.append(lambda session: self._write_in(session, changed))
            tx.on_rollback.append(lambda: self._undo(changed))
        if name not in changed:  # what it was before this update, and whether it waited for the writer
            changed[name] = (before, name in self._dirty)
        self._dirty.pop(name, None)  # the update's commit writes it, never the writer before it

    async def _write_in(self, session: Any, changed: Mapping[str, object]) -> None:
        items = [(name, self._cache[name][0], _as_json(self._cache[name][1])) for name in changed]
        await store_states(session, items)

    def _undo(self, changed: Mapping[str, tuple[tuple[str | None, dict[str, Any]], bool]]) -> None:
        for name, (before, was_dirty) in changed.items():
            if was_dirty:  # a change made outside any update, not yet written: still to write
                self._cache[name] = before
                self._changed(name, before)
            else:  # read again from the database, which holds what was committed
                self._cache.pop(name, None)

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
