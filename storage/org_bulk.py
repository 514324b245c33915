"""Set-wise writes for the org import: members, households and visit assignments.

A province's org file holds hundreds of thousands of rows, so they are compared with
what is stored in a few chunked queries and written with bulk INSERT/UPDATE
statements: no ORM object and no flush per row. The caller commits (one transaction).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Household, Member, VisitAssignment

CHUNK = 500  # ids per IN (…): well inside SQLite's and asyncpg's parameter limits

MEMBER_FIELDS = ("name", "role", "branch_id")
HOUSEHOLD_FIELDS = ("head_name", "address", "cluster", "poor", "near_poor", "policy", "phone")


class TelegramIdTaken(ValueError):
    """A telegram_id in the file already belongs to a stored member with another phone."""

    def __init__(self, telegram_id: int, wanted_by: str, held_by: str) -> None:
        super().__init__(f"telegram_id {telegram_id} is held by another member")
        self.telegram_id = telegram_id
        self.wanted_by = wanted_by
        self.held_by = held_by


def chunks(items: list[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


async def write_members(session: AsyncSession, members: list[dict[str, Any]]) -> dict[str, int]:
    """Upsert members by phone (keys: phone, name, role, branch_id, telegram_id);
    returns phone -> id. A telegram_id is never taken from another stored member."""
    stored: dict[str, Any] = {}
    for chunk in chunks([m["phone"] for m in members]):
        query = select(
            Member.id, Member.phone, Member.name, Member.role, Member.branch_id, Member.telegram_id
        ).where(Member.phone.in_(chunk))
        for row in await session.execute(query):
            stored[row.phone] = row
    wanted_ids = {m["telegram_id"]: m["phone"] for m in members if m["telegram_id"] is not None}
    for chunk in chunks(list(wanted_ids)):
        query = select(Member.phone, Member.telegram_id).where(Member.telegram_id.in_(chunk))
        for phone, telegram_id in await session.execute(query):
            if phone != wanted_ids[telegram_id]:
                raise TelegramIdTaken(telegram_id, wanted_ids[telegram_id], phone)
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for m in members:
        values = {key: m[key] for key in MEMBER_FIELDS}
        if m["telegram_id"] is not None:
            values["telegram_id"] = m["telegram_id"]
        row = stored.get(m["phone"])
        if row is None:
            inserts.append({"phone": m["phone"], "telegram_id": None, **values})
        elif any(getattr(row, k) != v for k, v in values.items()):
            updates.append({"id": row.id, **values})
    if inserts:
        await session.execute(insert(Member), inserts)
    if updates:
        await session.execute(update(Member), updates)
    ids = {phone: row.id for phone, row in stored.items()}
    for chunk in chunks([row["phone"] for row in inserts]):
        query = select(Member.id, Member.phone).where(Member.phone.in_(chunk))
        for member_id, phone in await session.execute(query):
            ids[phone] = member_id
    return ids


async def write_households(
    session: AsyncSession, households: list[dict[str, Any]]
) -> dict[tuple[int, str], int]:
    """Upsert households by (village_id, code); returns (village id, code) -> id."""
    columns = (Household.id, Household.village_id, Household.code) + tuple(
        getattr(Household, name) for name in HOUSEHOLD_FIELDS
    )
    village_ids = sorted({h["village_id"] for h in households})
    stored: dict[tuple[int, str], Any] = {}
    for chunk in chunks(village_ids):
        for row in await session.execute(select(*columns).where(Household.village_id.in_(chunk))):
            stored[(row.village_id, row.code)] = row
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for h in households:
        values = {key: h[key] for key in HOUSEHOLD_FIELDS}
        row = stored.get((h["village_id"], h["code"]))
        if row is None:
            inserts.append({"village_id": h["village_id"], "code": h["code"], **values})
        elif any(getattr(row, k) != v for k, v in values.items()):
            updates.append({"id": row.id, **values})
    if inserts:
        await session.execute(insert(Household), inserts)
    if updates:
        await session.execute(update(Household), updates)
    ids = {key: row.id for key, row in stored.items()}
    if inserts:
        for chunk in chunks(village_ids):
            query = select(Household.id, Household.village_id, Household.code).where(
                Household.village_id.in_(chunk)
            )
            for household_id, village_id, code in await session.execute(query):
                ids[(village_id, code)] = household_id
    return ids


async def write_assignments(session: AsyncSession, wanted: dict[int, int | None]) -> None:
    """Who visits each household (None: nobody): insert, change or remove set-wise."""
    stored: dict[int, int] = {}
    for chunk in chunks(list(wanted)):
        query = select(VisitAssignment.household_id, VisitAssignment.member_id).where(
            VisitAssignment.household_id.in_(chunk)
        )
        for household_id, member_id in await session.execute(query):
            stored[household_id] = member_id
    inserts = [
        {"household_id": h, "member_id": m} for h, m in wanted.items() if m is not None and h not in stored
    ]
    updates = [
        {"household_id": h, "member_id": m}
        for h, m in wanted.items()
        if m is not None and h in stored and stored[h] != m
    ]
    removed = [h for h, m in wanted.items() if m is None and h in stored]
    if inserts:
        await session.execute(insert(VisitAssignment), inserts)
    if updates:
        await session.execute(update(VisitAssignment), updates)
    for chunk in chunks(removed):
        await session.execute(delete(VisitAssignment).where(VisitAssignment.household_id.in_(chunk)))
