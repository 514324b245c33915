"""A sender's heartbeat identity (the ``worker_id`` its claims carry).

A row left in "sending" by a worker whose heartbeat is older than ``dead_after`` is
taken back and sent again (:meth:`Sender.recover`). Senders in one process (one per
bot token, :mod:`bot.multibot`) share the process's fate, so they share one identity:
any of them keeps it alive, none of them takes a sibling's rows for a dead worker's,
and one heartbeat (and one recovery sweep) per interval serves them all. With an
identity each (as ``Sender()`` makes it alone), a sibling whose heartbeat lagged behind
a busy event loop or a short connection pool had its in-flight rows taken back and
sent twice: 79 rows of 919 in the national simulation (docs/BENCHMARKS.md, issue 18).
"""

from __future__ import annotations

import time
import uuid


class SenderIdentity:
    def __init__(self, worker_id: str | None = None) -> None:
        self.worker_id = worker_id or uuid.uuid4().hex
        self.running = 0  # senders of this identity started and not yet stopped
        self._beaten = float("-inf")

    def beat_due(self, every: float) -> bool:
        """True when no sender of this identity beat in the last ``every`` / 2 seconds
        (it then beats now): one heartbeat per interval however many senders share it."""
        now = time.monotonic()
        if now - self._beaten < every / 2:
            return False
        self._beaten = now
        return True
