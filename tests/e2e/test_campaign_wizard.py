"""The new-campaign wizard through the real bot (issue 16.3–4): a goal for each chosen
kind, the last day typed as people say it, a review with edit and cancel before anything
is created, and a way out of the goal, date and bank steps."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.sandbox import Sandbox
from handlers.cancel import CancelCb
from handlers.contributions.callbacks import DgNew
from storage.models import Campaign, CampaignGoal
from tests.e2e.harness import BotProcess
from tests.e2e.test_contributions import SECRETARY, eventually, next_with, rows

NOW_TEXT = lambda m: m["text"] or ""  # noqa: E731


async def start(secretary, kinds: list[str]) -> dict:  # type: ignore[no-untyped-def]
    await secretary.send("/taodonggop")
    await secretary.next_message()
    await secretary.send("Đường bê tông xóm 2\nLàm mới 300 m đường")
    keyboard = await secretary.next_message()
    for kind in kinds:
        await secretary.press(keyboard, callback_data=DgNew(what="kind", kind=kind).pack())
    await secretary.press(keyboard, callback_data=DgNew(what="next").pack())
    return await secretary.next_message()


async def test_goals_for_each_kind_natural_date_review_and_edit(sandbox: Sandbox, bot_process: BotProcess) -> None:
    secretary = sandbox.user(SECRETARY, "An", language_code="vi")
    goal = await start(secretary, ["labour", "material", "land"])
    assert "ngày công" in goal["text"] and "Hủy" in str(goal["reply_markup"])
    await secretary.send("400 ngày công")
    land = await secretary.next_message()
    assert "m2" in land["text"]
    await secretary.send("150 m2")
    when = await secretary.next_message()
    assert "cuối tháng" in when["text"]
    await secretary.send("30/06/2020")
    past = await secretary.next_message()
    assert "đã qua" in past["text"]
    await secretary.send("cuối tháng 1")
    names = await secretary.next_message()
    await secretary.press(names, callback_data=DgNew(what="private").pack())
    review = await secretary.next_message()
    text = review["text"]
    assert "400 ngày công" in text and "150 m²" in text and "không đặt mục tiêu" in text  # materials
    assert "/01/" in text and "Đường bê tông xóm 2" in text
    assert await rows(bot_process.database_url, select(func.count()).select_from(Campaign)) == [0]

    # Edit the last day from the review, then create.
    await secretary.press(review, callback_data=DgNew(what="edit", kind="end").pack())
    await secretary.next_message()
    await secretary.send("cuối tháng 2")
    review = await secretary.next_message()
    assert "/02/" in review["text"]
    await secretary.press(review, callback_data=DgNew(what="create").pack())
    await next_with(secretary, lambda m: "reply_markup" in m and "Đường bê tông" in NOW_TEXT(m))
    [campaign] = await eventually(sandbox, bot_process.database_url, select(Campaign), lambda found: len(found) == 1)
    assert campaign.ends_on.month == 2 and not campaign.names_public
    goals = {
        g.kind: g.goal
        for g in await rows(bot_process.database_url, select(CampaignGoal).where(CampaignGoal.campaign_id == campaign.id))
    }
    assert goals == {"labour": 400, "material": None, "land": 150}


async def test_cancel_from_the_goal_and_date_steps(sandbox: Sandbox, bot_process: BotProcess) -> None:
    secretary = sandbox.user(SECRETARY, "An", language_code="vi")
    # The goal step: the typed word.
    await start(secretary, ["money"])
    await secretary.send("hủy")
    assert "Đã hủy" in (await secretary.next_message())["text"]
    # The date step: the button.
    await start(secretary, ["money"])
    await secretary.send("-")
    when = await secretary.next_message()
    await secretary.press(when, callback_data=CancelCb().pack())
    assert await next_with(secretary, lambda m: "Đã hủy" in NOW_TEXT(m))
    assert await rows(bot_process.database_url, select(func.count()).select_from(Campaign)) == [0]


async def test_cancel_from_the_bank_step(sandbox: Sandbox, bot_process: BotProcess) -> None:
    """(A test of its own: one chat's messages stay within its fair share.)"""
    secretary = sandbox.user(SECRETARY, "An", language_code="vi")
    # The bank step: /huy.
    await start(secretary, ["money"])
    await secretary.send("-")
    await secretary.next_message()
    await secretary.send("cuối tháng 3")
    bank = await secretary.next_message()
    assert "Agribank" in bank["text"] and "Hủy" in str(bank["reply_markup"])
    await secretary.send("/huy")
    assert "Đã hủy" in (await secretary.next_message())["text"]
    await secretary.send("970405 3600205123456 QUY THON")  # no longer taken as the bank
    await secretary.next_message()
    assert await rows(bot_process.database_url, select(func.count()).select_from(Campaign)) == [0]
