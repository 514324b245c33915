"""The unit of work of the update being handled, for code that must write in it
without being handed its session (the FSM storage: aiogram calls it with a key, not a
session).

``bot.middlewares.DbSessionMiddleware`` opens it around the handler; a participant
registers what it writes just before the commit (``before_commit``), what it applies
elsewhere only once the commit is done (``after_commit``: a store that cannot join the
transaction, Redis), and how it forgets what it did if the update does not commit
(``on_rollback``: a failed handler, a failed commit, a redelivery handled meanwhile
elsewhere). Outside an update ``current()`` is None.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)


@dataclass
class UpdateTx:
    session: Any  # the update's AsyncSession
    before_commit: list[Callable[[Any], Awaitable[None]]] = field(default_factory=list)
    on_rollback: list[Callable[[], None]] = field(default_factory=list)
    after_commit: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    parts: dict[int, Any] = field(default_factory=dict)  # participant id -> its own record
    committed: bool = False

    async def prepare(self) -> None:
        """Run the participants' writes in the update's session (before its commit)."""
        for write in self.before_commit:
            await write(self.session)

    async def finish(self) -> None:
        """After the commit: apply what waited for it. The update stands whatever happens
        here; a failure is logged (the store keeps what it had before the update)."""
        for apply in self.after_commit:
            try:
                await apply()
            except Exception:
                log.exception("applying a committed update's changes outside the database failed")


_current: ContextVar[UpdateTx | None] = ContextVar("villagebot_update_tx", default=None)


def current() -> UpdateTx | None:
    """The update being handled in this task, or None."""
    return _current.get()


@contextlib.contextmanager
def opened(session: Any) -> Iterator[UpdateTx]:
    """The update's unit of work for the ``with`` block; set ``committed`` after the
    commit, else the participants undo what they kept in memory when it ends."""
    tx = UpdateTx(session)
    token = _current.set(tx)
    try:
        yield tx
    finally:
        _current.reset(token)
        if not tx.committed:
            for undo in tx.on_rollback:
                try:
                    undo()
                except Exception:  # one participant's undo never hides the update's error
                    log.exception("undoing a rolled-back update's changes failed")
