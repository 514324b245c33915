"""Conversation (FSM) state in Redis that moves with its update's commit.

aiogram's :class:`RedisStorage` writes at once, from inside the handler. The update's
own work (a pledge, the inbox row marked handled) commits later, in the database, and
may not commit at all:

- *the handler or the commit fails* (a constraint, a lost connection, SQLite busy): the
  update rolls back and is handled again from the inbox, against a state that already
  moved on; the resident's input is read as the answer to the next step, or lost;
- *kill -9 between the two*: the same, after the restart;
- *a redelivery handled meanwhile by another worker*: its changes are dropped, but its
  state stayed.

Redis cannot join the database's transaction, so a state changed while an update is
handled (:mod:`storage.update_tx`) waits in the update, is read back from there by the
update itself (read-your-writes), and is written to Redis only once the update has
committed (``after_commit``); a rolled-back update leaves Redis as it was. What is left:
the process dying in the milliseconds between the commit and the Redis write leaves the
state before the update (the resident repeats one step; nothing they confirmed is lost or
done twice). Outside an update (no handler does this) it writes at once, as aiogram's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import StateType, StorageKey
from aiogram.fsm.storage.redis import RedisStorage

from storage import update_tx

_STATE, _DATA = "state", "data"


class TransactionalRedisStorage(RedisStorage):
    """:class:`RedisStorage` whose writes during an update wait for its commit."""

    def _pending(self, *, create: bool) -> dict[StorageKey, dict[str, Any]] | None:
        """This update's unwritten changes, by key; None outside an update."""
        tx = update_tx.current()
        if tx is None:
            return None
        pending: dict[StorageKey, dict[str, Any]] | None = tx.parts.get(id(self))
        if pending is None and create:
            pending = tx.parts[id(self)] = {}
            tx.after_commit.append(lambda: self._apply(pending))
        return pending if pending is not None else {}

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        pending = self._pending(create=True)
        if pending is None:
            await super().set_state(key, state)
            return
        pending.setdefault(key, {})[_STATE] = state.state if isinstance(state, State) else state

    async def get_state(self, key: StorageKey) -> str | None:
        pending = self._pending(create=False)
        if pending and _STATE in pending.get(key, {}):
            return pending[key][_STATE]  # type: ignore[no-any-return]
        return await super().get_state(key)

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        pending = self._pending(create=True)
        if pending is None or not isinstance(data, dict):  # aiogram's own error for a non-dict
            await super().set_data(key, data)
            return
        # As Redis will hold it (JSON), and refused now, inside the handler, if it cannot be.
        pending.setdefault(key, {})[_DATA] = self.json_loads(self.json_dumps(data))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        pending = self._pending(create=False)
        if pending and _DATA in pending.get(key, {}):
            return dict(pending[key][_DATA])
        return await super().get_data(key)

    async def _apply(self, pending: Mapping[StorageKey, Mapping[str, Any]]) -> None:
        for key, change in pending.items():
            if _STATE in change:
                await super().set_state(key, change[_STATE])
            if _DATA in change:
                await super().set_data(key, change[_DATA])
