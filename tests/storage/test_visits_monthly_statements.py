"""The monthly report planner is set-wise (issue 18, national simulation): a run on the
1st offers the reports of N branches with a bounded number of SQL statements, whatever
N, and a later run in the same month writes nothing. Counted with a SQLAlchemy event
listener on the real scheduler's engine, on SQLite and PostgreSQL. The rows are the
ones the one-at-a-time planner wrote (kind, recipient, dedupe key, payload, quiet
hours, order: branch, secretary before deputies, member id, the report before its
spreadsheet)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from bot.clock import ManualClock
from bot.services.visits import delivery as vd
from storage.models import OutboxMessage, Role
from storage.repo import Repo
from tests.storage.statement_count import counted_statements, planner_scheduler
from tests.storage.test_visits_planners import vn

N = 15  # branches; the old planner: 2 managers × 2 kinds = 4 INSERTs each
BOUND = 6  # statements a run may take, whatever N
FIRST = date(2026, 4, 1)


async def _branches(repo: Repo, n: int) -> list[tuple[int, int, int, int]]:
    """``n`` villages with a branch each: a deputy and a secretary with accounts (the
    deputy created first), a deputy without an account and a plain member with one (no
    report for either). Returns the expected (branch id, village id, member id, user id)
    in the planner's order."""
    province = await repo.org.province("Hà Tĩnh")
    commune = await repo.org.commune("cam-thanh", name="Xã Cẩm Thành", province_id=province.id)
    expected = []
    for b in range(n):
        village = await repo.org.village(f"v{b}", name=f"Thôn {b}", commune_id=commune.id)
        branch = await repo.org.branch(village.id, f"Chi bộ {b}")
        managers = []
        for i, role in enumerate((Role.DEPUTY, Role.SECRETARY, Role.DEPUTY, Role.MEMBER)):
            user = None
            if i != 2:
                user = await repo.users.get_or_create(10_000 + b * 10 + i, full_name=f"u{b}.{i}", username=None)
                user.village_id = village.id
                await repo.session.flush()
            member = await repo.org.member(
                f"09{b:04d}{i:04d}", name=f"Đảng viên {b}.{i}", role=role, branch_id=branch.id,
                user_id=user.id if user else None,
            )
            if role is not Role.MEMBER and user is not None:
                managers.append((role, member.id, user.id))
        managers.sort(key=lambda m: (m[0] is not Role.SECRETARY, m[1]))
        expected += [(branch.id, village.id, member_id, user_id) for _r, member_id, user_id in managers]
    await repo.session.commit()
    return expected


async def test_a_run_offers_n_branches_reports_in_a_bounded_number_of_statements(
    repo: Repo, sessionmaker  # type: ignore[no-untyped-def]
) -> None:
    expected = await _branches(repo, N)
    clock = ManualClock(vn(FIRST, 9))
    scheduler = planner_scheduler(sessionmaker, clock)
    with counted_statements(sessionmaker) as statements:
        await scheduler.run_planner("visits.monthly")
        first = len(statements)
        statements.clear()
        clock.advance(timedelta(hours=1))
        await scheduler.run_planner("visits.monthly")
        second = len(statements)
        statements.clear()
        clock.advance(timedelta(days=1))  # the 2nd: still inside the grace days
        await scheduler.run_planner("visits.monthly")
        third = len(statements)

    async with sessionmaker() as session:
        rows = (await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all()
    want = [
        (kind, user_id, f"{kind}:{branch_id}:{member_id}:2026-03", f"branch:{branch_id}",
         {"village_id": village_id, "month": "2026-03-01"})
        for branch_id, village_id, member_id, user_id in expected
        for kind in (vd.MONTHLY, vd.MONTHLY_XLSX)
    ]
    assert len(want) == 4 * N
    assert [(r.kind, r.user_id, r.dedupe_key, r.ref, r.payload) for r in rows] == want
    for row in rows:
        assert row.target == f"u{row.user_id}"
        assert (row.status, row.priority, row.attempts) == ("pending", 30, 0)
        assert row.next_attempt_at.replace(tzinfo=None) == vn(FIRST, 7).replace(tzinfo=None)
    assert first <= BOUND, (first, statements)
    assert second <= BOUND, second
    assert third <= BOUND, third
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(OutboxMessage)) == 4 * N


async def test_a_manager_missing_one_of_the_two_gets_only_that_one(
    repo: Repo, sessionmaker  # type: ignore[no-untyped-def]
) -> None:
    """A report already queued (an earlier run, another process) is not queued again; its
    spreadsheet, missing, is."""
    expected = await _branches(repo, 2)
    branch_id, _village, member_id, _user = expected[0]
    scheduler = planner_scheduler(sessionmaker, ManualClock(vn(FIRST, 9)))
    await scheduler.run_planner("visits.monthly")
    async with sessionmaker() as session:
        row = await session.scalar(
            select(OutboxMessage).where(
                OutboxMessage.dedupe_key == f"{vd.MONTHLY_XLSX}:{branch_id}:{member_id}:2026-03"
            )
        )
        await session.delete(row)
        await session.commit()
    await scheduler.run_planner("visits.monthly")
    async with sessionmaker() as session:
        keys = (await session.scalars(select(OutboxMessage.dedupe_key))).all()
    assert len(keys) == len(set(keys)) == 8
    assert f"{vd.MONTHLY_XLSX}:{branch_id}:{member_id}:2026-03" in keys
