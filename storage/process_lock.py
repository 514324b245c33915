"""SQLite serves one bot process: a second one is refused at start, with one line.

The lock is an exclusive ``flock`` on ``<database>.lock`` beside the database file,
held for the life of the process; the kernel releases it when the process dies, even
by kill -9, so a crash never leaves a stale lock behind. PostgreSQL needs no such
lock: its processes coordinate through the database itself.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy.engine import make_url


class AlreadyRunning(Exception):
    pass


@contextlib.contextmanager
def single_process(database_url: str) -> Iterator[None]:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        yield
        return
    path = Path(f"{url.database}.lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise AlreadyRunning(
                f"another villagebot process is already running on {url.database}; "
                "SQLite serves one process (use PostgreSQL to run several)"
            ) from None
        os.ftruncate(descriptor, 0)
        os.write(descriptor, f"{os.getpid()}\n".encode())
        yield
    finally:
        os.close(descriptor)  # closing releases the lock
