"""Households only for their own (issue 14.7): somebody who scanned a campaign poster
(any Telegram user) pledges, but is not offered the village's households, and a forged
household button is refused; a resident who chose the village finds theirs by name."""

from __future__ import annotations

from sqlalchemy import select

from bot.sandbox import Sandbox
from handlers.contributions.callbacks import DgAmount, DgHousehold, DgKind, PledgeAction
from storage.models import Campaign, Household, Pledge
from tests.e2e.harness import BotProcess
from tests.e2e.test_broadcasts import forged_press
from tests.e2e.test_contributions import create_campaign, eventually, next_with, rows

STRANGER, NEIGHBOUR = 3101, 3102


async def pledge(sandbox: Sandbox, user, campaign: Campaign) -> dict:  # type: ignore[no-untyped-def]
    """Kind, amount, confirm; returns the thank-you message with its extra buttons."""
    await user.send("/donggop")
    card = await next_with(user, lambda m: "dgk:" in str(m.get("reply_markup")))
    await user.press(card, callback_data=DgKind(campaign_id=campaign.id, kind="money").pack())
    amounts = await user.next_message()
    await user.press(amounts, callback_data=DgAmount(amount=500_000).pack())
    confirm = await user.next_message()
    await user.press(confirm, callback_data=confirm["reply_markup"]["inline_keyboard"][0][0]["callback_data"])
    # The confirmation is edited into the thank-you (with its extra buttons) once the pledge
    # is committed: replies leave after the commit, through the engine.
    message = sandbox.chats[user.id].messages[confirm["message_id"]]
    await sandbox.wait_until(lambda: "dgp:" in str(message.view().get("reply_markup")), timeout=10)
    return message.view()


async def test_a_poster_scanner_is_not_offered_the_households(sandbox: Sandbox, bot_process: BotProcess) -> None:
    url = bot_process.database_url
    await create_campaign(sandbox)
    [campaign] = await eventually(sandbox, url, select(Campaign), lambda found: len(found) == 1)
    [household] = await rows(url, select(Household).where(Household.code == "NBT-002"))

    stranger = sandbox.user(STRANGER, "Lạ", language_code="vi")
    await stranger.send(f"/start dg_{campaign.code}")
    await stranger.next_message()
    thanks = await pledge(sandbox, stranger, campaign)
    [mine] = await eventually(sandbox, url, select(Pledge), lambda found: len(found) == 1)
    await stranger.press(thanks, callback_data=PledgeAction(action="hh", pledge_id=mine.id).pack())
    answer = await next_with(stranger, lambda m: "/doithon" in (m["text"] or ""))
    assert "Hồ Thị E" not in str(answer) and "NBT-00" not in str(answer)
    await stranger.send("Hồ")  # not a household search: no names come back
    reply = await stranger.next_message()
    assert "Hồ Thị E" not in str(reply)
    refused = await forged_press(
        sandbox, stranger, thanks, DgHousehold(pledge_id=mine.id, household_id=household.id).pack()
    )
    assert refused is not None and refused.get("show_alert")
    [after] = await rows(url, select(Pledge).where(Pledge.id == mine.id))
    assert after.household_id is None

    # A resident who chose the village at /start types part of a name.
    neighbour = sandbox.user(NEIGHBOUR, "Hàng xóm", language_code="vi")
    await neighbour.send("/start v_nam-bac-thanh")
    await neighbour.next_message()
    thanks = await pledge(sandbox, neighbour, campaign)
    [theirs] = [
        p for p in await eventually(sandbox, url, select(Pledge), lambda found: len(found) == 2) if p.id != mine.id
    ]
    await neighbour.press(thanks, callback_data=PledgeAction(action="hh", pledge_id=theirs.id).pack())
    await next_with(neighbour, lambda m: "một phần tên chủ hộ" in (m["text"] or ""))
    await neighbour.send("ho thi")
    matches = await neighbour.next_message()
    labels = [b["text"] for row in matches["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == ["NBT-002 · Hồ Thị E", "✖ Hủy"]
