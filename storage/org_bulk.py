"""Set-wise writes for the org import: members, households and visit assignments.

A province's org file holds hundreds of thousands of rows. They are written one
commune at a time (bounded memory): compared with what is stored in a few chunked
queries and written with Core executemany INSERT … RETURNING / UPDATE statements,
with no ORM object, no flush per row and no second read of what was just inserted.
The caller commits (one transaction).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Branch, Chat, Household, Member, Village, VisitAssignment

CHUNK = 500  # ids per IN (…): well inside SQLite's and asyncpg's parameter limits

MEMBERS = Member.__table__
HOUSEHOLDS = Household.__table__
ASSIGNMENTS = VisitAssignment.__table__
VILLAGES = Village.__table__
BRANCHES = Branch.__table__
CHATS = Chat.__table__

MEMBER_FIELDS = ("name", "role", "branch_id")
HOUSEHOLD_FIELDS = ("head_name", "address", "cluster", "poor", "near_poor", "policy", "phone")
HOUSEHOLD_DEFAULTS = {"address": "", "cluster": "", "poor": False, "near_poor": False,
                      "policy": False, "phone": None}  # fmt: skip


class _Keep:
    """A household value the file does not give: the stored one stays (a new household
    gets the column's default)."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP: Any = _Keep()


class TelegramIdTaken(ValueError):
    """A telegram_id in the file already belongs to a stored member with another phone."""

    def __init__(self, telegram_id: int, wanted_by: str, held_by: str) -> None:
        super().__init__(f"telegram_id {telegram_id} is held by another member")
        self.telegram_id = telegram_id
        self.wanted_by = wanted_by
        self.held_by = held_by


def _postgres(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


async def _copy(
    session: AsyncSession, table: Any, columns: Sequence[str], records: list[tuple[Any, ...]]
) -> None:
    """PostgreSQL: COPY the rows in through asyncpg on the session's own connection
    (so inside its transaction): far fewer round trips than INSERTs."""
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    await raw.driver_connection.copy_records_to_table(
        table.name, records=records, columns=list(columns)
    )


async def _new_ids(session: AsyncSession, table: Any, count: int) -> list[int]:
    """PostgreSQL: take ``count`` ids from the table's sequence for rows about to be copied."""
    query = select(func.nextval(func.pg_get_serial_sequence(table.name, "id"))).select_from(
        func.generate_series(1, count)
    )
    return list(await session.scalars(query))


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


async def write_places(
    session: AsyncSession,
    table: Any,
    key: str,
    fields: Sequence[str],
    rows: list[tuple[Any, ...]],
    fixed: dict[str, Any] | None = None,
) -> dict[Any, int]:
    """Upsert rows of villages, branches or group chats by one key column (and the
    ``fixed`` column values), given tuples (key, *fields); returns key -> id."""
    c = table.c
    fixed = fixed or {}
    stored: dict[Any, tuple[int, tuple[Any, ...]]] = {}
    for chunk in chunks([row[0] for row in rows]):
        query = select(c.id, c[key], *(c[name] for name in fields)).where(
            c[key].in_(chunk), *(c[name] == value for name, value in fixed.items())
        )
        for row_id, found, *values in await session.execute(query):
            stored[found] = (row_id, tuple(values))
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    ids: dict[Any, int] = {}
    for wanted_key, *values in rows:
        row = stored.get(wanted_key)
        if row is None:
            inserts.append({**fixed, key: wanted_key, **dict(zip(fields, values, strict=True))})
            continue
        ids[wanted_key] = row[0]
        if tuple(values) != row[1]:
            updates.append({"_id": row[0], **dict(zip(fields, values, strict=True))})
    if inserts:
        result = await session.execute(insert(table).returning(c.id, c[key]), inserts)
        ids.update((found, row_id) for row_id, found in result)
    if updates:
        await session.execute(
            update(table)
            .where(c.id == bindparam("_id"))
            .values({name: bindparam(name) for name in fields}),
            updates,
        )
    return ids


async def write_members(
    session: AsyncSession, members: list[tuple[str, str, str, int, int | None]]
) -> dict[str, int]:
    """Upsert members by phone, given (phone, name, role, branch_id, telegram_id);
    returns phone -> id. A telegram_id is never taken from another stored member, and
    a stored telegram_id is kept when the file gives none."""
    c = MEMBERS.c
    stored: dict[str, tuple[int, tuple[Any, ...]]] = {}
    for chunk in chunks([m[0] for m in members]):
        query = select(c.id, c.phone, c.name, c.role, c.branch_id, c.telegram_id).where(
            c.phone.in_(chunk)
        )
        for member_id, phone, *values in await session.execute(query):
            stored[phone] = (member_id, tuple(values))
    wanted_ids = {m[4]: m[0] for m in members if m[4] is not None}
    for chunk in chunks(list(wanted_ids)):
        query = select(c.phone, c.telegram_id).where(c.telegram_id.in_(chunk))
        for phone, telegram_id in await session.execute(query):
            if phone != wanted_ids[telegram_id]:
                raise TelegramIdTaken(telegram_id, wanted_ids[telegram_id], phone)
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    ids: dict[str, int] = {}
    for phone, name, role, branch_id, telegram_id in members:
        row = stored.get(phone)
        if row is None:
            inserts.append(
                {
                    "phone": phone,
                    "name": name,
                    "role": role,
                    "branch_id": branch_id,
                    "telegram_id": telegram_id,
                }
            )
            continue
        ids[phone] = row[0]
        if telegram_id is None:
            telegram_id = row[1][3]  # not in the file: keep what is stored
        if (name, role, branch_id, telegram_id) != row[1]:
            updates.append(
                {
                    "_id": row[0],
                    "name": name,
                    "role": role,
                    "branch_id": branch_id,
                    "telegram_id": telegram_id,
                }
            )
    if inserts:
        result = await session.execute(insert(MEMBERS).returning(c.id, c.phone), inserts)
        ids.update((phone, member_id) for member_id, phone in result)
    if updates:
        await session.execute(
            update(MEMBERS)
            .where(c.id == bindparam("_id"))
            .values(
                name=bindparam("name"),
                role=bindparam("role"),
                branch_id=bindparam("branch_id"),
                telegram_id=bindparam("telegram_id"),
            ),
            updates,
        )
    return ids


async def write_households(
    session: AsyncSession, households: list[tuple[Any, ...]]
) -> dict[tuple[int, str], int]:
    """Upsert households by (village_id, code), given (village_id, code, head_name,
    address, cluster, poor, near_poor, policy, phone); a value :data:`KEEP` leaves the
    stored one (a new household gets the default). Returns (village id, code) -> id."""
    c = HOUSEHOLDS.c
    columns = [c.id, c.village_id, c.code] + [c[name] for name in HOUSEHOLD_FIELDS]
    village_ids = sorted({h[0] for h in households})
    stored: dict[tuple[int, str], tuple[int, tuple[Any, ...]]] = {}
    for chunk in chunks(village_ids):
        for household_id, village_id, code, *values in await session.execute(
            select(*columns).where(c.village_id.in_(chunk))
        ):
            stored[(village_id, code)] = (household_id, tuple(values))
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    ids: dict[tuple[int, str], int] = {}
    for h in households:
        key = (h[0], h[1])
        row = stored.get(key)
        values = h[2:]
        if KEEP in values:
            values = tuple(
                (HOUSEHOLD_DEFAULTS[name] if row is None else row[1][i]) if value is KEEP else value
                for i, (name, value) in enumerate(zip(HOUSEHOLD_FIELDS, values, strict=True))
            )
        if row is None:
            inserts.append(
                {
                    "village_id": h[0],
                    "code": h[1],
                    **dict(zip(HOUSEHOLD_FIELDS, values, strict=True)),
                }
            )
            continue
        ids[key] = row[0]
        if values != row[1]:
            updates.append({"_id": row[0], **dict(zip(HOUSEHOLD_FIELDS, values, strict=True))})
    if inserts and _postgres(session):
        new_ids = await _new_ids(session, HOUSEHOLDS, len(inserts))
        columns = ("id", "village_id", "code", *HOUSEHOLD_FIELDS)
        records = [
            (i, *(row[name] for name in columns[1:]))
            for i, row in zip(new_ids, inserts, strict=True)
        ]
        await _copy(session, HOUSEHOLDS, columns, records)
        ids.update(
            ((row["village_id"], row["code"]), i) for i, row in zip(new_ids, inserts, strict=True)
        )
    elif inserts:
        result = await session.execute(
            insert(HOUSEHOLDS).returning(c.id, c.village_id, c.code), inserts
        )
        ids.update(((village_id, code), household_id) for household_id, village_id, code in result)
    if updates:
        await session.execute(
            update(HOUSEHOLDS)
            .where(c.id == bindparam("_id"))
            .values({name: bindparam(name) for name in HOUSEHOLD_FIELDS}),
            updates,
        )
    return ids


async def write_assignments(
    session: AsyncSession, village_ids: Sequence[int], wanted: dict[int, int | None]
) -> None:
    """Who visits each household of these villages (None: nobody): insert, change or
    remove set-wise. Stored assignments are read by village, not by household id."""
    stored: dict[int, int] = {}
    a, h = ASSIGNMENTS.c, HOUSEHOLDS.c
    for chunk in chunks(sorted(village_ids)):
        query = (
            select(a.household_id, a.member_id)
            .join(HOUSEHOLDS, h.id == a.household_id)
            .where(h.village_id.in_(chunk))
        )
        for household_id, member_id in await session.execute(query):
            stored[household_id] = member_id
    inserts = [(hid, mid) for hid, mid in wanted.items() if mid is not None and hid not in stored]
    updates = [
        {"_household_id": hid, "member_id": mid}
        for hid, mid in wanted.items()
        if mid is not None and hid in stored and stored[hid] != mid
    ]
    removed = [hid for hid, mid in wanted.items() if mid is None and hid in stored]
    if inserts and _postgres(session):
        await _copy(session, ASSIGNMENTS, ("household_id", "member_id"), inserts)
    elif inserts:
        await session.execute(
            insert(ASSIGNMENTS), [{"household_id": hid, "member_id": mid} for hid, mid in inserts]
        )
    if updates:
        await session.execute(
            update(ASSIGNMENTS)
            .where(a.household_id == bindparam("_household_id"))
            .values(member_id=bindparam("member_id")),
            updates,
        )
    for chunk in chunks(removed):
        await session.execute(delete(ASSIGNMENTS).where(a.household_id.in_(chunk)))
