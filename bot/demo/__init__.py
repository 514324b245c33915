"""Demo villages and personas for trying the bot in the local sandbox."""

from __future__ import annotations

from importlib import resources

DEMO_GROUP_ID = -1001000000001
RESIDENT_ID = 2001
RESIDENT_PHONE = "0912000101"


def demo_org_text() -> str:
    return resources.files(__package__).joinpath("org.yaml").read_text(encoding="utf-8")


async def demo_seeded(repo, specs) -> bool:  # type: ignore[no-untyped-def]
    """Whether the demo's villages are in the database already (seeded by an earlier run)."""
    codes = [village.code for commune in specs for village in commune.villages]
    for code in codes:
        if await repo.places.village_by_code(code) is None:
            return False
    return bool(codes)


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
    numbers = {criterion.number for criterion in criteria_set.criteria}
    written = 0
    for item in spec["sets"].get(criteria_set.code, ()):  # a set with no demo notes: none
        if item["number"] not in numbers:
            continue
        await vc.set_status(
            repo, operator, village_id=village.id, criteria_set=criteria_set, number=item["number"],
            status=vc.Status(item["status"]), note=item["note"], today=today - timedelta(days=3 * written + 2),
        )
        written += 1
    return written


async def seed_demo_campaign(repo, settings, *, now, bot_username: str | None) -> int | None:  # type: ignore[no-untyped-def]
    """The demo's open campaign, announced to the village's groups when the bot's
    username is known (the sandbox's). Returns its id; call once, with the villages."""
    from datetime import timedelta

    import yaml

    from bot.delivery.queue import enqueue
    from bot.services.authz import Actor
    from bot.services.contributions.campaigns import create_campaign
    from bot.services.contributions.delivery import announcement_deliveries

    spec = yaml.safe_load(
        resources.files(__package__).joinpath("campaign.yaml").read_text(encoding="utf-8")
    )
    village = await repo.places.village_by_code(spec["village"])
    if village is None:
        return None
    today = now.astimezone(settings.tz).date()
    bank = spec["bank"]
    campaign = await create_campaign(
        repo,
        Actor(user_id=None, platform_user_id=None, is_admin=True),
        village_id=village.id,
        name=spec["name"],
        purpose=spec["purpose"],
        goals=dict(spec["goals"]),
        starts_on=today,
        ends_on=today + timedelta(days=int(spec["days"])),
        bank_bin=bank["bin"],
        bank_name=bank["name"],
        account_number=bank["account"],
        account_holder=bank["holder"],
        now=now,
    )
    if bot_username:
        groups = [chat.id for chat in await repo.chats.of_village(village.id)]
        for delivery in announcement_deliveries(campaign.id, groups, bot_username, now):
            await enqueue(repo, delivery, tz=settings.timezone)
    return campaign.id
