"""The installation-wide flood budget on PostgreSQL (several processes, one bot).

Each process keeps its own :class:`bot.delivery.budget.SendBudget` for spacing; before
a message leaves, :meth:`SharedSlots.reserve` also takes a slot here, in one short
transaction serialised per bot by an advisory lock, with the database's clock (one
clock for every process): at most ``GLOBAL_LIMIT`` messages in any ``GLOBAL_WINDOW``
and ``GROUP_LIMIT`` per group in ``GROUP_WINDOW``, the same numbers the local budget
uses. It answers 0 (taken) or how many seconds to wait. A private chat's 1/s is left
to the local budget: a chat's replies come from the one worker that holds its lease.
"""

from __future__ import annotations

import itertools

from sqlalchemy import text

from storage.db import Sessionmaker
from storage.leader import lock_key

_RESERVE = text("""
WITH recent AS (
    SELECT at FROM send_slots
    WHERE bot_id = :bot AND at > clock_timestamp() - make_interval(secs => :gw)
    ORDER BY at DESC LIMIT :gl
), group_recent AS (
    SELECT at FROM send_slots
    WHERE :is_group AND bot_id = :bot AND chat_id = :chat
      AND at > clock_timestamp() - make_interval(secs => :rw)
    ORDER BY at DESC LIMIT :rl
)
SELECT
    CASE WHEN (SELECT count(*) FROM recent) >= :gl
         THEN extract(epoch FROM (SELECT min(at) FROM recent) + make_interval(secs => :gw) - clock_timestamp())
         ELSE 0 END AS global_wait,
    CASE WHEN (SELECT count(*) FROM group_recent) >= :rl
         THEN extract(epoch FROM (SELECT min(at) FROM group_recent) + make_interval(secs => :rw) - clock_timestamp())
         ELSE 0 END AS group_wait
""")
_TAKE = text("INSERT INTO send_slots (bot_id, chat_id, at) VALUES (:bot, :chat, clock_timestamp())")
_FORGET = text("DELETE FROM send_slots WHERE bot_id = :bot AND at < clock_timestamp() - make_interval(secs => :keep)")


class SharedSlots:
    def __init__(self, sessionmaker: Sessionmaker, bot_id: int, *, global_limit: int, global_window: float,
                 group_limit: int, group_window: float) -> None:
        self.sessionmaker = sessionmaker
        self.bot_id = bot_id
        self.lock = lock_key(f"send-slots:{bot_id}")
        self.params = {"bot": bot_id, "gl": global_limit, "gw": global_window, "rl": group_limit, "rw": group_window}
        self._count = itertools.count()
        self.keep = group_window + 5

    async def reserve(self, chat_id: int) -> float:
        """Take a slot for ``chat_id`` now (returns 0) or say how long to wait."""
        async with self.sessionmaker() as session:
            await session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": self.lock})
            row = (await session.execute(
                _RESERVE, {**self.params, "chat": chat_id, "is_group": chat_id < 0}
            )).one()
            wait = max(float(row.global_wait or 0), float(row.group_wait or 0))
            if wait > 0:
                await session.rollback()
                return wait
            await session.execute(_TAKE, {"bot": self.bot_id, "chat": chat_id})
            if next(self._count) % 200 == 0:
                await session.execute(_FORGET, {"bot": self.bot_id, "keep": self.keep})
            await session.commit()
            return 0.0
