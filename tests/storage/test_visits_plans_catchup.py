"""Who gives a household its visit plan: the org import for its own villages, and a
daily catch-up for anything else. The hourly overdue planner no longer reads every
household of the country (at 25 M households it cost 13 s a run, the most frequent
PostgreSQL statement in the national simulation). SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.delivery.contract import PlanContext
from bot.services.org_import import apply_org, parse_org
from bot.services.visits import planners
from storage.models import Household, HouseholdVisitPlan
from storage.repo import Repo
from tests.data_org import ORG_YAML

TZ = "Asia/Ho_Chi_Minh"
DAY = date(2026, 3, 10)
NOW = datetime.combine(DAY, time(9), tzinfo=ZoneInfo(TZ)).astimezone(UTC)


async def _planned(repo: Repo) -> dict[str, date | None]:
    rows = await repo.session.execute(
        select(Household.code, HouseholdVisitPlan.due_on).outerjoin(
            HouseholdVisitPlan, HouseholdVisitPlan.household_id == Household.id
        )
    )
    return {code: due for code, due in rows.all()}


async def _run(repo: Repo, name: str) -> None:
    async def enqueue(_delivery: object) -> bool:
        return True

    (spec,) = [spec for spec in planners() if spec.name == name]
    await spec.planner(PlanContext(repo=repo, now=NOW, timezone=TZ, enqueue=enqueue))
    await repo.session.flush()


async def _stray(repo: Repo) -> None:
    """A household of another commune, written without a plan (as an older version's
    import left them for up to an hour)."""
    province = await repo.org.province("Nghệ An")
    commune = await repo.org.commune("xa-khac", name="Xã Khác", province_id=province.id)
    village = await repo.org.village("thon-khac", name="Thôn Khác", commune_id=commune.id)
    await repo.org.household(village.id, "K-1", head_name="Chủ hộ K")
    await repo.session.flush()


async def test_the_org_import_plans_its_own_households_only(repo: Repo) -> None:
    await _stray(repo)
    await apply_org(repo, parse_org(ORG_YAML), plans_due=DAY)
    await repo.session.flush()
    assert await _planned(repo) == {"NBT-001": DAY, "NBT-002": DAY, "K-1": None}

    # Idempotent: a second import keeps the plans (and their QR tokens) as they are.
    tokens = dict(
        (
            await repo.session.execute(
                select(HouseholdVisitPlan.household_id, HouseholdVisitPlan.qr_token)
            )
        ).all()
    )
    await apply_org(repo, parse_org(ORG_YAML), plans_due=date(2026, 4, 1))
    await repo.session.flush()
    again = dict(
        (
            await repo.session.execute(
                select(HouseholdVisitPlan.household_id, HouseholdVisitPlan.qr_token)
            )
        ).all()
    )
    assert again == tokens
    assert (await _planned(repo))["NBT-001"] == DAY


async def test_the_hourly_planner_leaves_planning_to_the_daily_catch_up(repo: Repo) -> None:
    await _stray(repo)
    await _run(repo, "visits.overdue")
    assert await _planned(repo) == {"K-1": None}  # the old hourly run planned it
    await _run(repo, "visits.plans")
    assert await _planned(repo) == {"K-1": DAY}
