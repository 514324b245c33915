"""Waking the inbox workers of other processes (PostgreSQL ``LISTEN``/``NOTIFY``).

With ``villagebot run --role web`` the updates are stored by one process and handled by
others. A worker used to find them by looking every second (``Inbox.poll_every``), so a
question waited half a second on average before any worker read it. The web process now
adds ``pg_notify`` to the transaction that stores a batch (PostgreSQL delivers it when
that transaction commits, never before, and not at all if it rolls back), and each worker
keeps one connection of its own listening, which wakes its inbox.

What can go wrong, and why it holds:
- *The listening connection drops* (PostgreSQL restarted, a network blip): it is opened
  again with a growing pause, and the worker's one-second look still finds every update
  meanwhile: a notification only saves time, it never carries data.
- *A notification arrives for work another worker has taken*: the woken worker looks,
  finds nothing ready and waits again (the leases decide who drains a chat).
- *Many batches a second*: one notification each, on a connection doing nothing else.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url

log = logging.getLogger("villagebot.inbox")

CHANNEL = "villagebot_inbox"


async def announce(session: Any) -> None:
    """Inside the storing transaction: tell the listening workers once it commits
    (PostgreSQL only; elsewhere there is one process and nobody to tell)."""
    bind = session.bind
    if bind is None or bind.dialect.name != "postgresql":
        return
    await session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": CHANNEL})


def _dsn(engine: Any) -> str:
    return make_url(engine.url).set(drivername="postgresql").render_as_string(hide_password=False)


async def listen(engine: Any, wake: Callable[[], None], stopping: asyncio.Event, *, retry_max: float = 30.0) -> None:
    """Call ``wake`` on every notification until ``stopping`` is set."""
    import asyncpg

    pause = 1.0
    while not stopping.is_set():
        connection = None
        try:
            connection = await asyncpg.connect(_dsn(engine))
            await connection.add_listener(CHANNEL, lambda *_: wake())
            pause = 1.0
            lost = asyncio.Event()
            connection.add_termination_listener(lambda *_, lost=lost: lost.set())
            waits = [asyncio.create_task(stopping.wait()), asyncio.create_task(lost.wait())]
            try:
                await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for task in waits:
                    task.cancel()
        except Exception as exc:  # asyncpg and OS errors alike: the one-second look goes on
            log.warning("listening for stored updates failed (%s); retrying in %.0f s", exc, pause)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), pause)
            pause = min(pause * 2, retry_max)
        finally:
            if connection is not None and not connection.is_closed():
                with contextlib.suppress(Exception):
                    await connection.close(timeout=2)
