"""Demo villages and personas for trying the bot in the local sandbox."""

from __future__ import annotations

from importlib import resources

DEMO_GROUP_ID = -1001000000001
RESIDENT_ID = 2001
RESIDENT_PHONE = "0912000101"


def demo_org_text() -> str:
    return resources.files(__package__).joinpath("org.yaml").read_text(encoding="utf-8")


async def seed_demo_statuses(repo, settings) -> int:  # type: ignore[no-untyped-def]
    """Realistic statuses with notes for the demo village, once (a restart keeps what the
    user changed). Returns how many were written."""
    from datetime import datetime, timedelta

    import yaml

    from bot.services import village_criteria as vc
    from bot.services.authz import Actor

    spec = yaml.safe_load(resources.files(__package__).joinpath("statuses.yaml").read_text(encoding="utf-8"))
    village = await repo.places.village_by_code(spec["village"])
    if village is None:
        return 0
    today = datetime.now(settings.tz).date()
    criteria_set, _group = vc.set_for_village(vc.CriteriaKnowledge(settings.criteria_dir).catalog, village, today)
    if await repo.criteria.current_statuses(village.id, criteria_set.code):
        return 0
    operator = Actor(user_id=None, platform_user_id=None, is_admin=True)
    numbers = [criterion.number for criterion in criteria_set.criteria]
    written = 0
    for item in spec["statuses"]:
        if item["position"] > len(numbers):
            continue
        await vc.set_status(
            repo, operator, village_id=village.id, criteria_set=criteria_set, number=numbers[item["position"] - 1],
            status=vc.Status(item["status"]), note=item["note"], today=today - timedelta(days=3 * written + 2),
        )
        written += 1
    return written
