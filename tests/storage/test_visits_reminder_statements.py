"""The reminder planner is set-wise (issue 18, national simulation): a run offers N
reminders with a bounded number of SQL statements, whatever N, and a run that finds
the slot already planned writes nothing. Counted with a SQLAlchemy event listener on
the real scheduler's engine, on SQLite and PostgreSQL. The rows are the ones the
one-at-a-time planner wrote (kind, recipient, dedupe key, payload, quiet hours)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.clock import ManualClock
from bot.services.visits import delivery as vd
from storage.models import OutboxMessage, Role
from storage.repo import Repo
from tests.storage.statement_count import counted_statements, planner_scheduler
from tests.storage.test_visits_planners import DAY, vn

N = 60  # members, each with a household due on DAY (the old planner: one INSERT each)
BOUND = 6  # statements a run may take, whatever N (a slot: one read, one INSERT per 400 rows)


async def _village_of(repo: Repo, members: int) -> dict[int, int]:
    """``members`` members with linked accounts, one household each, all due on DAY;
    one more member without an account (no reminder). Returns member id → user id."""
    province = await repo.org.province("Hà Tĩnh")
    commune = await repo.org.commune("cam-thanh", name="Xã Cẩm Thành", province_id=province.id)
    village = await repo.org.village("nbt", name="Thôn Nam Bắc Thành", commune_id=commune.id)
    branch = await repo.org.branch(village.id, "Chi bộ NBT")
    users = {}
    for i in range(members + 1):
        user = None
        if i < members:
            user = await repo.users.get_or_create(1000 + i, full_name=f"u{i}", username=None)
            user.village_id = village.id
            await repo.session.flush()
        member = await repo.org.member(
            f"0912{i:06d}", name=f"Đảng viên {i}", role=Role.MEMBER, branch_id=branch.id,
            user_id=user.id if user else None,
        )
        household = await repo.org.household(village.id, f"H{i}", head_name=f"Chủ hộ {i}")
        await repo.visits.assign(household.id, member.id)
        if user is not None:
            users[member.id] = user.id
    await repo.session.flush()
    await repo.visits.ensure_plans(DAY)
    await repo.session.commit()
    return users


async def test_a_run_offers_n_reminders_in_a_bounded_number_of_statements(
    repo: Repo, sessionmaker  # type: ignore[no-untyped-def]
) -> None:
    users = await _village_of(repo, N)
    clock = ManualClock(vn(DAY, 7, 5))  # inside the morning slot's window
    scheduler = planner_scheduler(sessionmaker, clock)
    with counted_statements(sessionmaker) as statements:
        await scheduler.run_planner("visits.reminders")
        first = len(statements)
        statements.clear()
        clock.advance(timedelta(minutes=15))
        await scheduler.run_planner("visits.reminders")
        second = len(statements)

    async with sessionmaker() as session:
        rows = (
            await session.scalars(
                select(OutboxMessage).where(OutboxMessage.kind == vd.REMINDER).order_by(OutboxMessage.id)
            )
        ).all()
    assert len(rows) == N  # the one member without an account gets none
    assert [row.user_id for row in rows] == [users[m] for m in sorted(users)]  # member order, as before
    for row in rows:
        member_id = next(m for m, u in users.items() if u == row.user_id)
        assert row.dedupe_key == f"visit.reminder:{member_id}:{DAY.isoformat()}:morning"
        assert row.payload == {"member_id": member_id, "due_on": DAY.isoformat(), "slot": "morning"}
        assert row.ref == f"member:{member_id}"
        assert row.target == f"u{row.user_id}"
        assert (row.status, row.priority, row.attempts) == ("pending", 20, 0)
        assert row.next_attempt_at.replace(tzinfo=None) == vn(DAY, 7).replace(tzinfo=None)
    assert first <= BOUND, (first, statements)
    assert second <= BOUND, second
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(OutboxMessage)) == N


async def test_the_evening_slot_keeps_its_hour(
    repo: Repo, sessionmaker  # type: ignore[no-untyped-def]
) -> None:
    """A run at 19:10 the day before plans the evening reminders, not before 19:00."""
    await _village_of(repo, 3)
    # the evening reminder for DAY is due at 19:00 the day before; a run at 19:10 plans it
    clock = ManualClock(vn(DAY - timedelta(days=1), 19, 10))
    scheduler = planner_scheduler(sessionmaker, clock)
    await scheduler.run_planner("visits.reminders")
    async with sessionmaker() as session:
        rows = (await session.scalars(select(OutboxMessage))).all()
    assert {row.payload["slot"] for row in rows} == {"evening"}
    assert len(rows) == 3
    assert all(
        row.next_attempt_at.replace(tzinfo=None) == vn(DAY - timedelta(days=1), 19).replace(tzinfo=None)
        for row in rows
    )
