"""Bulk load of the national simulation (``bench/bench_national.py``) on PostgreSQL.

Everything is one ``INSERT … SELECT … FROM generate_series`` per table, so a
million households load in seconds. Shapes at ``scale`` 1.0: 34 provinces, 60,000
villages (18 to a commune), 25 M households (≈417 a village), 5 M party members
(≈83 a village, each with a linked Telegram account; the first of each branch is its
secretary, the second a deputy). Villages, communes and members are numbered so that
each province holds one contiguous range of user ids (its token's recipients).
Each commune names its province's bot (``communes.bot_key`` = ``p<province>``, as the
org file's ``bot`` does), so every outbox row carries its province's bot key and each
token's sender (``bot.multibot`` lanes) claims only its province's rows.
Households: 13 % poor, near-poor or policy (visited monthly), the rest quarterly; each
is assigned to a member of its village and due on a day spread evenly over its first
cadence period, so every simulated day has the steady-state share of due visits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import text

PROVINCES = 34
VILLAGES = 60_000
HOUSEHOLDS = 25_000_000
MEMBERS = 5_000_000
VILLAGES_PER_COMMUNE = 18
USER_BASE = 1_000_000_000  # platform user id = USER_BASE + member index


@dataclass(frozen=True)
class Shape:
    provinces: int
    villages: int
    households: int
    members: int

    @classmethod
    def at(cls, scale: float, provinces: int = PROVINCES) -> Shape:
        villages = max(provinces, round(VILLAGES * scale))
        return cls(
            provinces=provinces,
            villages=villages,
            households=max(villages, round(HOUSEHOLDS * scale)),
            members=max(3 * villages, round(MEMBERS * scale)),
        )

    @property
    def communes(self) -> int:
        """About 18 villages a commune, at least one commune a province."""
        return max(self.provinces, -(-self.villages // VILLAGES_PER_COMMUNE))


def _statements(shape: Shape, start: date) -> list[tuple[str, dict[str, Any]]]:
    p = {"P": shape.provinces, "C": shape.communes, "V": shape.villages, "H": shape.households,
         "M": shape.members, "UB": USER_BASE, "start": start}
    # village index of member m / household h; first member index of village v
    mlo = "((({v})::bigint * :M + :V - 1) / :V)"
    mhi = "((({v} + 1)::bigint * :M + :V - 1) / :V)"
    hv = "(h::bigint * :V / :H)"
    cls = "((h::bigint * 37) % 100)"  # < 5 poor, 5–9 near-poor, 10–12 policy
    return [
        ("INSERT INTO provinces (id, name) SELECT p, 'Tỉnh ' || p FROM generate_series(1, :P) p", p),
        ("INSERT INTO communes (id, code, name, kind, province_id, bot_key) "  # the province's bot (BOT_TOKENS)
         "SELECT c + 1, 'x' || c, 'Xã ' || c, 'commune', (c::bigint * :P / :C) + 1, 'p' || ((c::bigint * :P / :C) + 1) "
         "FROM generate_series(0, :C - 1) c", p),
        ("INSERT INTO villages (id, code, name, kind, commune_id) "
         "SELECT v + 1, 'v' || v, 'Thôn ' || v, 'village', (v::bigint * :C / :V) + 1 FROM generate_series(0, :V - 1) v", p),
        ("INSERT INTO branches (id, village_id, name) "
         "SELECT v + 1, v + 1, 'Chi bộ thôn ' || v FROM generate_series(0, :V - 1) v", p),
        ("INSERT INTO users (id, platform, platform_user_id, full_name, language, village_id, reachable, created_at) "
         "SELECT m + 1, 'telegram', :UB + m, 'Đảng viên ' || m, 'vi', (m::bigint * :V / :M) + 1, true, now() "
         "FROM generate_series(0, :M - 1) m", p),
        ("INSERT INTO members (id, branch_id, name, phone, role, telegram_id, user_id) "
         "SELECT m + 1, v + 1, 'Đảng viên ' || m, '09' || lpad(m::text, 8, '0'), "
         f"CASE m - {mlo.format(v='v')} WHEN 0 THEN 'secretary' WHEN 1 THEN 'deputy' ELSE 'member' END, "
         ":UB + m, m + 1 FROM (SELECT m, (m::bigint * :V / :M) AS v FROM generate_series(0, :M - 1) m) s", p),
        ("INSERT INTO households (id, village_id, code, head_name, address, cluster, poor, near_poor, policy) "
         f"SELECT h + 1, {hv} + 1, 'H' || h, 'Chủ hộ ' || h, 'Xóm ' || (h % 7) || ', số ' || h, 'Tổ ' || (h % 7), "
         f"{cls} < 5, {cls} BETWEEN 5 AND 9, {cls} BETWEEN 10 AND 12 FROM generate_series(0, :H - 1) h", p),
        ("INSERT INTO visit_assignments (household_id, member_id) "
         f"SELECT h + 1, lo + (h % GREATEST(hi - lo, 1)) + 1 FROM (SELECT h, {mlo.format(v=hv)} AS lo, "
         f"{mhi.format(v=hv)} AS hi FROM generate_series(0, :H - 1) h) s", p),
        ("INSERT INTO household_visit_plans (household_id, qr_token, due_on) "
         f"SELECT h + 1, md5('q' || h), CAST(:start AS date) + ((h::bigint * 7919) % (CASE WHEN {cls} < 13 THEN 30 ELSE 90 END))::int "
         "FROM generate_series(0, :H - 1) h", p),
    ]


async def seed(session: Any, shape: Shape, start: date) -> None:
    for statement, params in _statements(shape, start):
        await session.execute(text(statement), params)
    for table in ("provinces", "communes", "villages", "branches", "users", "members", "households"):
        await session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
        ))


async def province_users(session: Any) -> dict[int, tuple[int, int]]:
    """Province id -> (lowest, highest) users.id of its members: one token's recipients."""
    rows = await session.execute(text(
        "SELECT c.province_id, min(m.user_id), max(m.user_id) FROM members m "
        "JOIN branches b ON b.id = m.branch_id JOIN villages v ON v.id = b.village_id "
        "JOIN communes c ON c.id = v.commune_id GROUP BY c.province_id ORDER BY 1"
    ))
    return {province: (lo, hi) for province, lo, hi in rows}


def bot_key(province: int) -> str:
    """The bot key of a province's communes (and so of its members' outbox rows)."""
    return f"p{province}"


# One simulated day of residents' visits: a share of the households due (or late) are
# visited at noon (a visit row, the plan moved one cadence on); one visit in 50 raises
# a need, which the needs planner sends to the branch's secretary and deputy.
VISITS = """
WITH due AS (
  SELECT p.household_id, a.member_id, (h.poor OR h.near_poor OR h.policy) AS monthly
  FROM household_visit_plans p
  JOIN visit_assignments a ON a.household_id = p.household_id
  JOIN households h ON h.id = p.household_id
  WHERE p.due_on <= CAST(:today AS date) AND abs(hashtext(p.household_id::text || :salt)) % 100 < :share
), made AS (
  INSERT INTO visits (household_id, member_id, visited_on, outcome, note, checklist, recorded_at)
  SELECT household_id, member_id, CAST(:today AS date), 'visited', 'Gia đình ổn định', '{}'::json, :now FROM due
  RETURNING id, household_id
), needs AS (
  INSERT INTO visit_needs (visit_id, household_id, kind, note, state, raised_at)
  SELECT id, household_id, 'repair', 'Sửa mái nhà', 'open', :now FROM made WHERE id % 50 = 0
)
UPDATE household_visit_plans p
SET last_visited_on = CAST(:today AS date), nudged_for = NULL, escalated_for = NULL,
    due_on = (CAST(:today AS date) + CASE WHEN d.monthly THEN interval '1 month' ELSE interval '3 months' END)::date
FROM due d WHERE p.household_id = d.household_id
"""


async def visit_day(session: Any, today: date, now: Any, share: int) -> int:
    result = await session.execute(
        text(VISITS), {"today": today, "now": now, "share": share, "salt": today.isoformat()}
    )
    return result.rowcount or 0


TABLES = """
SELECT c.relname, pg_total_relation_size(c.oid), pg_relation_size(c.oid)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY 2 DESC
"""


async def table_sizes(session: Any) -> list[tuple[str, int, int, int]]:
    """(table, total bytes with indexes and TOAST, heap bytes, rows) of every table."""
    sizes = []
    for name, total, heap in (await session.execute(text(TABLES))).all():
        rows = await session.scalar(text(f'SELECT count(*) FROM "{name}"'))
        sizes.append((name, total, heap, rows))
    return sizes
