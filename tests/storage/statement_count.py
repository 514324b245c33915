"""Shared by the set-wise planner tests: the real scheduler with a clock of the test's,
and the SQL statements its runs send, counted on the engine."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from sqlalchemy import event

from bot.delivery.registry import default_registry
from bot.delivery.scheduler import Scheduler


class _Sender:
    def wake(self) -> None:
        pass


def planner_scheduler(sessionmaker: Any, clock: Any) -> Scheduler:
    return Scheduler(sessionmaker, _Sender(), default_registry(), clock=clock, timezone="Asia/Ho_Chi_Minh")


@contextlib.contextmanager
def counted_statements(sessionmaker: Any) -> Iterator[list[str]]:
    """Every statement sent on the sessionmaker's engine inside the block."""
    engine = sessionmaker.kw["bind"]
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)
