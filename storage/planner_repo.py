"""Planner runs: one interval run of a planner per installation (see ``PlannerRun``).

A run claims the planner's row with a conditional update: it wins only when the last
run anywhere is older than ``min_gap``. On PostgreSQL a second process's update waits
for the first one's transaction and then sees the new time, so it does not run too.
The scheduler commits a claim at once, in its own short transaction, before planning.
Nothing here commits.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import PlannerRun

_NEVER = datetime(2000, 1, 1, tzinfo=UTC)


class PlannerRunRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def claim(self, name: str, now: datetime, min_gap: timedelta) -> bool:
        """True when this run of ``name`` is the installation's run for its interval."""
        dialect = self.session.bind.dialect.name if self.session.bind else "sqlite"
        insert_ = pg_insert if dialect == "postgresql" else sqlite_insert
        await self.session.execute(
            insert_(PlannerRun).values(name=name, last_at=_NEVER).on_conflict_do_nothing(index_elements=["name"])
        )
        result = await self.session.execute(
            update(PlannerRun)
            .where(PlannerRun.name == name, PlannerRun.last_at <= now - min_gap)
            .values(last_at=now)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)
