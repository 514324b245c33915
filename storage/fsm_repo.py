"""Reading and writing conversation states (``fsm_states``); the aiogram storage on top
of it is ``bot/fsm_storage.py``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models.fsm import FsmState
from storage.types import utcnow


async def load_state(session: AsyncSession, key: str) -> tuple[str | None, dict[str, Any]] | None:
    """(state, data) stored under ``key``, or None."""
    row = await session.scalar(select(FsmState).where(FsmState.key == key))
    return None if row is None else (row.state, dict(row.data or {}))


async def store_states(
    session: AsyncSession, items: Iterable[tuple[str, str | None, Mapping[str, Any]]]
) -> None:
    """Write (key, state, data) rows; a row with no state and no data is deleted."""
    for key, state, data in items:
        if state is None and not data:
            await session.execute(delete(FsmState).where(FsmState.key == key))
            continue
        row = await session.get(FsmState, key)
        if row is None:
            session.add(FsmState(key=key, state=state, data=dict(data)))
        else:
            row.state, row.data, row.updated_at = state, dict(data), utcnow()
