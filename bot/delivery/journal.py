"""The sent journal: which outbox rows the channel accepted, written the instant the
call returns, in a small file of the sender's own, so that a kill -9 before the
"sent" commit does not send them again.

Why a file of its own: the sender records "sent" in the database in small batches,
and on SQLite that commit waits its turn for the one write lock, which the inbox's
handlers take many times a second. Under a burst the batch waited up to 0.7 s, and a
kill -9 in that window resent every row in it (9 duplicates in one crash were seen).
Appending a line to this file takes microseconds and waits for nobody: ``os.write``
on an ``O_APPEND`` descriptor puts it in the kernel's page cache, which outlives the
process (kill -9), though not a power cut (then the rows are resent, as before: at
least once). One line per accepted call::

    <row id> <worker id> <message id or -> <call started, ISO 8601>

At start-up the sender reads the journal of its predecessor before anything else:
a row still "sending", claimed by the journaled worker, was accepted and is marked
sent (its ``on_sent`` hook runs), never resent. Rows whose "sent" is committed are
forgotten; the file is emptied whenever none is left, and rewritten with only the
unrecorded lines when it grows past ``COMPACT_AT`` bytes.

No SQLAlchemy and no aiogram here: plain files.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

log = logging.getLogger("villagebot.outbox")

COMPACT_AT = 256 * 1024


@dataclass(frozen=True, slots=True)
class Accepted:
    """One call the channel accepted: row, claiming worker, message id, when it left."""

    row_id: int
    worker_id: str
    message_id: int | None
    started: datetime

    def line(self) -> bytes:
        message = "-" if self.message_id is None else str(self.message_id)
        return f"{self.row_id} {self.worker_id} {message} {self.started.isoformat()}\n".encode()

    @classmethod
    def parse(cls, line: str) -> Accepted | None:
        """None for a line that is not whole (a write cut by a crash) or not ours."""
        parts = line.split()
        if len(parts) != 4:
            return None
        try:
            return cls(
                int(parts[0]),
                parts[1],
                None if parts[2] == "-" else int(parts[2]),
                datetime.fromisoformat(parts[3]),
            )
        except ValueError:
            return None


class SentJournal:
    """Append-only, one per sending process (its path beside the SQLite database)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None
        self._pending: dict[int, bytes] = {}  # row id -> its line, until "sent" commits

    @classmethod
    def beside(cls, database: Path | None) -> SentJournal | None:
        """The journal of a file database (``bot.db`` → ``bot.db-sent``); None otherwise."""
        return None if database is None else cls(database.with_name(database.name + "-sent"))

    def _open(self) -> int:
        if self._fd is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        return self._fd

    def read(self) -> list[Accepted]:
        """What a previous process journaled (call before this one appends)."""
        try:
            text = self.path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return []
        return [entry for line in text.splitlines() if (entry := Accepted.parse(line)) is not None]

    def append(self, entry: Accepted) -> None:
        """Synchronous on purpose: nothing may run between the call's answer and this."""
        line = entry.line()
        try:
            os.write(self._open(), line)
        except OSError:
            log.exception("could not journal sent row %s (a crash now would resend it)", entry.row_id)
            return
        self._pending[entry.row_id] = line

    def recorded(self, row_ids: Iterable[int]) -> None:
        """These rows' "sent" is committed in the database: their lines may go."""
        for row_id in row_ids:
            self._pending.pop(row_id, None)
        try:
            if not self._pending:
                self.clear()
            elif os.fstat(self._open()).st_size > COMPACT_AT:
                self._compact()
        except OSError:
            log.exception("could not trim the sent journal %s", self.path)

    def clear(self) -> None:
        """Empty the file (after the predecessor's lines were applied, or none is pending)."""
        os.ftruncate(self._open(), 0)

    def _compact(self) -> None:
        spare = self.path.with_name(self.path.name + ".new")
        spare.write_bytes(b"".join(self._pending.values()))
        os.replace(spare, self.path)
        self.close()

    def close(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None
