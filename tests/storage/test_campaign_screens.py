"""Campaign screens (issue 16.4): the group announcement names only the kinds the
campaign accepts (it offered "hiến đất" to a campaign that takes no land)."""

from __future__ import annotations

import pytest

from bot.services.contributions import delivery as contrib
from storage.repo import Repo
from tests.storage.test_contributions_delivery import render_ctx
from tests.storage.test_contributions_repo import NOW, make_campaign, seed

SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@SQLITE_ONLY
async def test_the_announcement_names_only_the_accepted_kinds(repo: Repo) -> None:
    world = await seed(repo)
    campaign = await make_campaign(repo, world, goals={"money": 600_000_000, "labour": None})
    await repo.session.commit()
    [announcement] = contrib.announcement_deliveries(campaign.id, [5], "villagebot", NOW)
    message = await contrib.render_announcement(render_ctx(repo, NOW), announcement.payload)
    assert message is not None
    assert "money, labour days." in message.text
    assert "land" not in message.text and "materials" not in message.text
