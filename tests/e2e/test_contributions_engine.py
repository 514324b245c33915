"""Contributions through the real bot process, the sandbox and the delivery engine:
the campaign announcement reaches the village group with its "🤝 Đóng góp" button and
a resident pledges from it; the board posted to the group is edited in place after
new pledges, not sooner than 10 minutes after it was drawn; the pledge reminder
arrives on its day, and one falling in the quiet hours waits for the morning. The
bot's clock is moved between restarts (``VILLAGEBOT_CLOCK_OFFSET``)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.sandbox import Sandbox
from bot.services.contributions import delivery as contrib_delivery
from handlers.contributions.callbacks import DgAmount, DgKind, DgManage
from storage.models import Campaign, OutboxMessage, Pledge
from tests.e2e.harness import BotProcess
from tests.e2e.test_contributions import create_campaign, eventually, next_with, rows
from tests.e2e.test_visits_engine import restart_at

VN = ZoneInfo("Asia/Ho_Chi_Minh")
SECRETARY, LAN, TUAN = 1001, 3001, 3002
ORG_GROUP = -1001000000001


def text_of(message: dict[str, Any]) -> str:
    return message.get("text") or message.get("caption") or ""


def bot_messages(sandbox: Sandbox, chat_id: int) -> list[dict[str, Any]]:
    chat = sandbox.chats[chat_id]
    return [m.view() for _, m in sorted(chat.messages.items()) if m.from_bot and not m.service]


async def pledge_from_link(
    sandbox: Sandbox, user: Any, link: str, campaign_id: int, amount: int
) -> None:
    """A resident follows the "🤝 Đóng góp" link: /start with its payload, then 3 taps."""
    payload = link.split("?start=", 1)[1]
    await user.send(f"/start {payload}")
    card = await next_with(user, lambda m: "💰" in str(m.get("reply_markup")))
    await user.press(card, callback_data=DgKind(campaign_id=campaign_id, kind="money").pack())
    amounts = await user.next_message()
    await user.press(amounts, callback_data=DgAmount(amount=amount).pack())
    confirm = await user.next_message()
    await user.press(
        confirm, callback_data=confirm["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    )
    await next_with(user, lambda m: "photo" in m)


async def outbox(url: str, kind: str) -> list[OutboxMessage]:
    return list(
        await rows(
            url, select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
        )
    )


async def test_announcement_board_and_reminder_through_the_engine(
    sandbox: Sandbox, e2e_db: str, tmp_path: Path
) -> None:
    group = sandbox.group(ORG_GROUP, "Thôn Nam Bắc Thành", type="supergroup")
    group.bot_status = "administrator"
    bot = BotProcess(sandbox, e2e_db, tmp_path)
    # Real time first (rows the bot stamps with the database's own "now" agree with
    # its clock); announcements and the board have no quiet hours.
    start = datetime.now(VN)
    await restart_at(bot, start)
    try:
        await _scenario(sandbox, bot, group, start)
    finally:
        await bot.stop()
    assert "Traceback" not in bot.log(), bot.log()[-5000:]


async def _scenario(sandbox: Sandbox, bot: BotProcess, group: Any, start: datetime) -> None:
    url = bot.database_url
    await create_campaign(sandbox)
    [campaign] = await eventually(sandbox, url, select(Campaign), lambda found: len(found) == 1)
    secretary = sandbox.user(SECRETARY, "An", language_code="vi")

    # The announcement: queued by the button, sent by the engine, with its link button.
    await secretary.send("/donggop")
    listing = await next_with(secretary, lambda m: "dgo:" in str(m.get("reply_markup")))
    await secretary.press(
        listing, callback_data=listing["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    )
    card = await next_with(secretary, lambda m: "dgm:announce" in str(m.get("reply_markup")))
    alert = await secretary.press(
        card, callback_data=DgManage(action="announce", campaign_id=campaign.id).pack()
    )
    assert alert is not None and not alert.get("show_alert")
    # A confirmation that lasts: a message naming the campaign, not a pop-up.
    assert await next_with(secretary, lambda m: "đang được gửi tới 1 nhóm" in (m["text"] or ""))
    shown = sandbox.chats[card["chat"]["id"]].messages[card["message_id"]].view()
    assert "dgm:announce" not in str(shown.get("reply_markup"))  # the used button is gone

    async def announced():  # type: ignore[no-untyped-def]
        found = [m for m in bot_messages(sandbox, ORG_GROUP) if campaign.name in text_of(m)]
        return found or None

    [announcement] = await sandbox.wait_until(announced, timeout=10)
    [[button]] = announcement["reply_markup"]["inline_keyboard"]
    assert button["text"] == "🤝 Đóng góp" and button["url"].endswith(f"?start=dg_{campaign.code}")

    lan = sandbox.user(LAN, "Lan", language_code="vi")
    await pledge_from_link(sandbox, lan, button["url"], campaign.id, 1_000_000)
    [pledge] = await eventually(sandbox, url, select(Pledge), lambda found: len(found) == 1)
    assert pledge.user_id is not None and pledge.amount == 1_000_000

    # The board, posted to the group once, then edited in place.
    await secretary.send("/congkhai")
    board_card = await next_with(secretary, lambda m: "dgm:post" in str(m.get("reply_markup")))
    await secretary.press(
        board_card, callback_data=DgManage(action="post", campaign_id=campaign.id).pack()
    )

    async def board_posted():  # type: ignore[no-untyped-def]
        [found] = await rows(url, select(Campaign))
        return found if found.board_message_id is not None else None

    posted = await sandbox.wait_until(board_posted, timeout=10)
    board = sandbox.chats[ORG_GROUP].messages[posted.board_message_id].view()
    assert "1.000.000" in text_of(board), text_of(board)
    in_group = len(bot_messages(sandbox, ORG_GROUP))

    tuan = sandbox.user(TUAN, "Tuấn", language_code="vi")
    await pledge_from_link(sandbox, tuan, button["url"], campaign.id, 2_000_000)
    await eventually(sandbox, url, select(Pledge), lambda found: len(found) == 2)
    # The bot restarts two minutes later (the board planner runs at start): the edit is
    # planned for 10 minutes after the board was drawn, and waits.
    await restart_at(bot, start + timedelta(minutes=3))

    async def edit_planned():  # type: ignore[no-untyped-def]
        found = await outbox(url, contrib_delivery.BOARD)
        return found if len(found) == 2 else None

    first, edit = await sandbox.wait_until(edit_planned, timeout=10)
    assert edit.status == "pending"
    drawn = first.sent_at.replace(tzinfo=UTC)
    assert edit.next_attempt_at.replace(tzinfo=UTC) >= drawn + timedelta(minutes=10) - timedelta(
        seconds=1
    )
    assert "3.000.000" not in text_of(
        sandbox.chats[ORG_GROUP].messages[posted.board_message_id].view()
    )

    await restart_at(bot, start + timedelta(minutes=12))

    async def board_edited():  # type: ignore[no-untyped-def]
        view = sandbox.chats[ORG_GROUP].messages[posted.board_message_id].view()
        return view if "3.000.000" in text_of(view) else None

    await sandbox.wait_until(board_edited, timeout=10)
    assert len(bot_messages(sandbox, ORG_GROUP)) == in_group, "edited in place, not sent again"
    # The sender records "sent" in small batches right after the call: wait for the commit.
    async def both_sent():  # type: ignore[no-untyped-def]
        return [r.status for r in await outbox(url, contrib_delivery.BOARD)] == ["sent", "sent"]

    await sandbox.wait_until(both_sent, timeout=10)

    # Reminders: none the day before the reminder window; on its first day at 22:00
    # (quiet hours) one is queued per owed pledge for 06:30, and arrives then.
    window = campaign.ends_on - timedelta(days=campaign.reminder_days)
    await restart_at(bot, datetime.combine(window - timedelta(days=1), time(10, 0), tzinfo=VN))
    # The planners run at start-up before polling begins: started means planned.
    assert await outbox(url, contrib_delivery.REMINDER) == []
    await restart_at(bot, datetime.combine(window, time(22, 0), tzinfo=VN))

    async def queued():  # type: ignore[no-untyped-def]
        found = await outbox(url, contrib_delivery.REMINDER)
        return found if len(found) == 2 else None

    waiting = await sandbox.wait_until(queued, timeout=10)
    morning = datetime.combine(window + timedelta(days=1), time(6, 30), tzinfo=VN).astimezone(UTC)
    assert {r.next_attempt_at.replace(tzinfo=UTC) for r in waiting} == {morning}
    assert {r.status for r in waiting} == {"pending"}
    await restart_at(bot, datetime.combine(window + timedelta(days=1), time(6, 31), tzinfo=VN))
    reminder = await next_with(lan, lambda m: "nhắc" in text_of(m).lower() or "🤝" in text_of(m))
    assert campaign.name in text_of(reminder) and "1.000.000" in text_of(reminder)
    await next_with(tuan, lambda m: campaign.name in text_of(m) and "2.000.000" in text_of(m))
