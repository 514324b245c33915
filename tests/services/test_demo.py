"""The demo village shows realistic progress: some criteria met, some in progress, with notes."""

from __future__ import annotations

from bot.demo import demo_org_text, seed_demo_statuses
from bot.services import village_criteria as vc
from bot.services.org_import import apply_org, parse_org
from bot.settings import Settings
from storage.repo import Repo


async def test_demo_statuses_are_seeded_once(repo: Repo, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(criteria_dir=tmp_path / "criteria")
    await apply_org(repo, parse_org(demo_org_text(), source="demo"))
    assert await seed_demo_statuses(repo, settings) == 8
    await repo.session.flush()
    assert await seed_demo_statuses(repo, settings) == 0  # a restart keeps what is there
    village = await repo.places.village_by_code("nam-bac-thanh")
    knowledge = vc.CriteriaKnowledge(settings.criteria_dir)
    from datetime import date

    criteria_set, _ = vc.set_for_village(knowledge.catalog, village, date.today())  # noqa: DTZ011
    result = await vc.progress(repo, village.id, criteria_set)
    statuses = {row.status for row in result.rows}
    assert result.met == 4 and vc.Status.IN_PROGRESS in statuses and vc.Status.NOT_MET in statuses
    notes = [
        row.note
        for row in (await repo.criteria.current_statuses(village.id, criteria_set.code)).values()
    ]
    assert all(notes) and any("kênh" in n for n in notes)
