"""Household visits through the real bot process and the sandbox: a member opens a
due visit from /lichtham, reports it with a need and a photo, the secretary sees it
in /baocao; the house QR link gives the assigned member the card and anybody else
only the public part; forged buttons for somebody else's household are refused."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.sandbox import Sandbox
from handlers.visits.keyboards import (
    AssignCb,
    CadenceCb,
    CheckCb,
    NeedPick,
    ReasonCb,
    ReportDay,
    SnoozeCb,
    VisitCb,
)
from storage.db import create_engine, create_sessionmaker
from storage.models import Household, HouseholdVisitPlan, Visit, VisitNeed
from tests.e2e.harness import BotProcess

SECRETARY = 1001


async def fetch(url: str, statement):  # type: ignore[no-untyped-def]
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session:
            return (await session.execute(statement)).all()
    finally:
        await engine.dispose()


async def rows_of(sandbox: Sandbox, url: str, statement):  # type: ignore[no-untyped-def]
    """The bot commits right after it answers: wait for rows to appear."""

    async def ready():  # type: ignore[no-untyped-def]
        return await fetch(url, statement) or None

    return await sandbox.wait_until(ready, timeout=10)


async def until(user: Any, check: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    """The next bot message satisfying ``check`` (earlier ones, e.g. /help, are skipped)."""
    for _ in range(6):
        message = await user.next_message()
        if check(message):
            return message
    raise AssertionError("expected message not received")


async def forge_press(
    sandbox: Sandbox, user: Any, message: dict[str, Any], data: str
) -> dict[str, Any] | None:
    """A hostile client: press a button with callback data the bot never sent it."""
    stored = sandbox.chats[message["chat"]["id"]].messages[message["message_id"]]
    stored.api["reply_markup"] = {"inline_keyboard": [[{"text": "x", "callback_data": data}]]}
    return await user.press(message, callback_data=data)


def text_of(message: dict[str, Any]) -> str:
    return message.get("text") or message.get("caption") or ""


async def test_visit_report_reaches_the_report_and_qr_card(
    sandbox: Sandbox, bot_process: BotProcess
) -> None:
    member = sandbox.user(3010, "Bình", phone="+84 912 000 002", language_code="en")
    await member.share_contact()
    await until(member, lambda m: "Trần Văn B" in text_of(m))

    await member.send("/lichtham")
    schedule = await until(member, lambda m: "My households (" in text_of(m))
    assert "NBT-001" in text_of(schedule) and "NBT-002" not in text_of(
        schedule
    )  # NBT-002 is nobody's
    [(household_id,)] = await fetch(
        bot_process.database_url, select(Household.id).where(Household.code == "NBT-001")
    )
    await member.press(
        schedule, callback_data=VisitCb(action="card", household_id=household_id).pack()
    )
    card = await until(member, lambda m: "NBT-001" in text_of(m))
    assert "Lê Văn C" in text_of(card) and "poor" in text_of(card)

    await member.press(card, callback_data=VisitCb(action="done", household_id=household_id).pack())
    asked = await until(member, lambda m: "When did you visit" in text_of(m))
    await member.press(asked, callback_data=ReportDay(days_ago=0).pack())
    checklist = await until(member, lambda m: "What did you see" in text_of(m))
    await member.send("nhà ổn")  # typing instead of pressing: asked to use the buttons
    await until(member, lambda m: "choose one of the items above" in text_of(m))
    await member.press(checklist, callback_data=CheckCb(item="housing").pack())
    await member.press(checklist, callback_data=CheckCb(item="housing").pack())  # fine → a concern
    await member.press(checklist, callback_data=CheckCb(item="next").pack())
    await until(member, lambda m: "how the household is doing" in text_of(m))
    await member.send("Mái nhà bị dột, cần sửa trước mùa mưa")
    needs = await until(member, lambda m: "raise any needs" in text_of(m))
    await member.press(needs, callback_data=NeedPick(kind="repair").pack())
    await member.press(needs, callback_data=NeedPick(kind="next").pack())
    await until(member, lambda m: "send a photo" in text_of(m))
    await member.send("xong")  # text at the photo step: asked for a photo again, nothing lost
    await until(member, lambda m: "Please send a photo" in text_of(m))
    await member.send_photo(b"\x89PNG fake photo of the roof")
    done = await until(member, lambda m: "visit is recorded" in text_of(m))
    assert "branch secretary" in text_of(done)

    rows = await rows_of(
        sandbox, bot_process.database_url, select(Visit.checklist, Visit.note, Visit.photo_file_id)
    )
    assert rows[0][0] == {"housing": "concern"} and "Mái nhà" in rows[0][1] and rows[0][2]
    [(kind, state)] = await rows_of(
        sandbox, bot_process.database_url, select(VisitNeed.kind, VisitNeed.state)
    )
    assert (kind, state) == ("repair", "open")

    secretary = sandbox.user(SECRETARY, "An", language_code="en")
    await secretary.send("/baocao")
    report = await until(secretary, lambda m: "Household visits" in text_of(m))
    assert "Trần Văn B: 1/1" in text_of(report)
    assert "NBT-001" in text_of(report) and "house repair" in text_of(report)
    chart = await secretary.next_message()
    assert chart.get("photo"), chart
    sheet = await secretary.next_message()
    assert sheet["document"]["file_name"].endswith(".xlsx")

    # A resident asking for the report, and forging the member's buttons, gets nothing.
    resident = sandbox.user(3030, "Lan", language_code="en")
    await resident.send("/baocao")
    refused = await until(resident, lambda m: "secretary" in text_of(m))
    assert "NBT-001" not in text_of(refused)
    for action in ("done", "later", "cannot", "card"):
        alert = await forge_press(
            sandbox, resident, refused, VisitCb(action=action, household_id=household_id).pack()
        )
        assert alert is not None and "not assigned to you" in alert["text"]

    [(token,)] = await fetch(
        bot_process.database_url,
        select(HouseholdVisitPlan.qr_token).where(HouseholdVisitPlan.household_id == household_id),
    )
    await member.send(f"/start h_{token}")
    mine = await until(member, lambda m: "NBT-001" in text_of(m))
    assert "Visited" in str(mine.get("reply_markup")) and "Mái nhà" in text_of(mine)

    await resident.send(f"/start h_{token}")
    public = await until(resident, lambda m: "household of" in text_of(m))
    assert "Trần Văn B" in text_of(public) and "Thôn Nam Bắc Thành" in text_of(public)
    for secret in ("Lê Văn C", "NBT-001", "poor", "Mái nhà", "Xóm 1"):
        assert secret not in text_of(public)
    assert "party branch" in str(public.get("reply_markup")) and "Visited" not in str(
        public.get("reply_markup")
    )

    await resident.send("/start h_NBT-001")  # the household code is not a link
    invalid = await until(resident, lambda m: "not valid" in text_of(m))
    assert "Lê Văn C" not in text_of(invalid)

    # "📅 Hẹn lại" with a date typed as people type it, then "🚫 Không thăm được".
    await member.press(
        mine, callback_data=VisitCb(action="later", household_id=household_id).pack()
    )
    when = await until(member, lambda m: "When will you visit" in text_of(m))
    await member.press(when, callback_data=SnoozeCb(household_id=household_id, days=0).pack())
    await until(member, lambda m: "Type the day" in text_of(m))
    await member.send("ngày kia")
    moved = await until(member, lambda m: "remind you again" in text_of(m))
    in_two_days = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date() + timedelta(days=2)
    assert f"{in_two_days:%d/%m/%Y}" in text_of(moved)
    await rows_of(
        sandbox,
        bot_process.database_url,
        select(HouseholdVisitPlan.due_on).where(HouseholdVisitPlan.due_on == in_two_days),
    )
    await member.press(
        mine, callback_data=VisitCb(action="cannot", household_id=household_id).pack()
    )
    why = await until(member, lambda m: "Why could you not visit" in text_of(m))
    await member.press(why, callback_data=ReasonCb(reason="away").pack())
    await until(member, lambda m: "still due" in text_of(m))
    [(outcome, note)] = await rows_of(
        sandbox,
        bot_process.database_url,
        select(Visit.outcome, Visit.note).where(Visit.outcome == "not_visited"),
    )
    assert (outcome, note) == ("not_visited", "Nobody at home")


async def test_secretary_accepts_the_balanced_proposal_with_one_press(
    sandbox: Sandbox, bot_process: BotProcess
) -> None:
    member = sandbox.user(3050, "Bình", language_code="en")
    await member.send("/phancong")
    refused = await until(member, lambda m: "secretary and deputy" in text_of(m))
    alert = await forge_press(sandbox, member, refused, AssignCb(action="accept").pack())
    assert alert is not None and "secretary and deputy" in alert["text"]

    secretary = sandbox.user(SECRETARY, "An", language_code="en")
    await secretary.send("/phancong")
    screen = await until(secretary, lambda m: "who visits whom" in text_of(m))
    assert "Not assigned: 1 households" in text_of(screen)
    # The household's button names its head, not only its code (issue 16).
    assert "NBT-002 · Hồ Thị E" in str(screen["reply_markup"])
    await secretary.press(screen, callback_data=AssignCb(action="propose").pack())
    proposal = await until(secretary, lambda m: "Balanced proposal" in text_of(m))
    # Household → member, with the heads' names, before anything changes; and a way out.
    assert "NBT-002 Hồ Thị E" in text_of(proposal) and "Cancel" in str(proposal["reply_markup"])
    await secretary.press(proposal, callback_data=AssignCb(action="accept").pack())
    after = await until(secretary, lambda m: "who visits whom" in text_of(m))
    assert "Not assigned: 0 households" in text_of(after)
    accepted = sandbox.chats[SECRETARY].messages[proposal["message_id"]].view()
    assert "changed hands" in accepted["text"] and not accepted.get("reply_markup")
    await secretary.press(after, callback_data=AssignCb(action="qr").pack())
    sheet = await secretary.next_message()
    assert sheet["document"]["file_name"] == "qr-ho.pdf"

    # The secretary scanning a house sees the full card and may change its cadence.
    [(household_id, token)] = await fetch(
        bot_process.database_url,
        select(Household.id, HouseholdVisitPlan.qr_token)
        .join(HouseholdVisitPlan, HouseholdVisitPlan.household_id == Household.id)
        .where(Household.code == "NBT-002"),
    )
    await secretary.send(f"/start h_{token}")
    card = await until(secretary, lambda m: "NBT-002" in text_of(m))
    assert "Hồ Thị E" in text_of(card) and "Every quarter" in str(card.get("reply_markup"))
    assert "✖ Close" in str(card.get("reply_markup")), "the household card has no way out (issue 16)"
    saved = await secretary.press(
        card, callback_data=CadenceCb(household_id=household_id, cadence="quarterly").pack()
    )
    assert saved is not None and "Saved" in saved["text"]
    await rows_of(
        sandbox,
        bot_process.database_url,
        select(HouseholdVisitPlan.cadence).where(HouseholdVisitPlan.cadence == "quarterly"),
    )
    forged = await forge_press(
        sandbox, member, refused, CadenceCb(household_id=household_id, cadence="monthly").pack()
    )
    assert forged is not None and "cannot change" in forged["text"]
