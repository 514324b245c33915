"""Visits through the real bot process, the sandbox and the delivery engine, with the
bot's clock moved (``VILLAGEBOT_CLOCK_OFFSET``, read by ``bot.clock.SystemClock``):
the evening reminder arrives at 19:00 and not before; "✅ Visited" from it → a report
with a need → the secretary gets the need notice and sees it in /baocao; "📅 Later"
moves the reminder; a morning reminder due while the bot was stopped arrives once
after the restart, and a second restart does not send it again."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from bot.clock import OFFSET_ENV
from bot.sandbox import Sandbox
from handlers.visits.keyboards import CheckCb, NeedPick, ReportDay, SnoozeCb, StepCb, VisitCb
from storage.db import create_engine, create_sessionmaker
from storage.models import Household, HouseholdVisitPlan, OutboxMessage
from storage.repo import Repo
from tests.e2e.harness import BotProcess
from tests.e2e.test_visits import text_of, until

VN = ZoneInfo("Asia/Ho_Chi_Minh")
SECRETARY, MEMBER = 1001, 3010


async def run_sql(url: str, work) -> Any:  # type: ignore[no-untyped-def]
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session:
            result = await work(session)
            await session.commit()
            return result
    finally:
        await engine.dispose()


async def plan_due(url: str, due_on: date) -> int:
    """NBT-001 (assigned to the member) is due ``due_on``; returns its id."""

    async def work(session) -> int:  # type: ignore[no-untyped-def]
        repo = Repo(session)
        await repo.visits.ensure_plans(due_on)
        household_id = (
            await session.scalars(select(Household.id).where(Household.code == "NBT-001"))
        ).one()
        await session.execute(
            update(HouseholdVisitPlan)
            .where(HouseholdVisitPlan.household_id == household_id)
            .values(due_on=due_on)
        )
        return household_id

    return await run_sql(url, work)


async def reminders(url: str) -> list[OutboxMessage]:
    async def work(session):  # type: ignore[no-untyped-def]
        return list(
            (
                await session.scalars(
                    select(OutboxMessage)
                    .where(OutboxMessage.kind == "visit.reminder")
                    .order_by(OutboxMessage.id)
                )
            ).all()
        )

    return await run_sql(url, work)


def offset_to(local: datetime) -> str:
    """The clock offset that makes the bot's "now" ``local`` (aware) when it starts."""
    return str((local - datetime.now(UTC)).total_seconds())


async def restart_at(bot: BotProcess, local: datetime) -> None:
    await bot.stop()
    bot.extra_env[OFFSET_ENV] = offset_to(local)
    await bot.start()


async def test_reminders_need_notice_snooze_and_restart(
    sandbox: Sandbox, e2e_db: str, tmp_path: Path
) -> None:
    bot = BotProcess(sandbox, e2e_db, tmp_path)
    await bot.start()
    try:
        await _scenario(sandbox, bot)
    finally:
        await bot.stop()
    assert "Traceback" not in bot.log(), bot.log()[-5000:]


async def _scenario(sandbox: Sandbox, bot: BotProcess) -> None:
    url = bot.database_url
    member = sandbox.user(MEMBER, "Bình", phone="+84 912 000 002", language_code="en")
    await member.share_contact()
    await until(member, lambda m: "Trần Văn B" in text_of(m))
    secretary = sandbox.user(SECRETARY, "An", language_code="vi")
    await secretary.send("/start")
    await secretary.next_message()

    today = datetime.now(VN).date()
    due = today + timedelta(days=3)
    household_id = await plan_due(url, due)

    # The evening before, a few seconds before 19:00: the reminder waits for 19:00.
    evening = datetime.combine(due - timedelta(days=1), time(19, 0), tzinfo=VN)
    await restart_at(bot, evening - timedelta(seconds=4))
    reminder = await until(member, lambda m: "you are due to visit" in text_of(m))
    assert "Tomorrow" in text_of(reminder) and "NBT-001" in text_of(reminder)

    async def recorded():  # type: ignore[no-untyped-def]
        rows = await reminders(url)
        return rows if rows and rows[0].status == "sent" else None

    [row] = await sandbox.wait_until(recorded, timeout=10)
    assert row.sent_at is not None
    assert row.next_attempt_at.replace(tzinfo=UTC) == evening.astimezone(UTC)
    assert row.sent_at.replace(tzinfo=UTC) >= evening.astimezone(UTC) - timedelta(seconds=1)
    buttons = reminder["reply_markup"]["inline_keyboard"][0]
    assert buttons[0]["callback_data"] == VisitCb(action="done", household_id=household_id).pack()

    # "✅ Visited" from the reminder, with a need: the secretary is told and sees it.
    await member.press(reminder, callback_data=buttons[0]["callback_data"])
    asked = await until(member, lambda m: "When did you visit" in text_of(m))
    await member.press(asked, callback_data=ReportDay(days_ago=0).pack())
    checklist = await until(member, lambda m: "What did you see" in text_of(m))
    await member.press(checklist, callback_data=CheckCb(item="next").pack())
    await until(member, lambda m: "how the household is doing" in text_of(m))
    await member.send("Cần sửa mái nhà")
    needs = await until(member, lambda m: "raise any needs" in text_of(m))
    await member.press(needs, callback_data=NeedPick(kind="repair").pack())
    await member.press(needs, callback_data=NeedPick(kind="next").pack())
    photo = await until(member, lambda m: "send a photo" in text_of(m))
    await member.press(photo, callback_data=StepCb(step="finish").pack())
    await until(member, lambda m: "visit is recorded" in text_of(m))
    # The secretary reads Vietnamese. The notice leaves at once (queued
    # with the report), not at the needs planner's next sweep.
    notice = await until(secretary, lambda m: "NBT-001" in text_of(m))
    assert "Nhu cầu" in text_of(notice) and "Cần sửa mái nhà" in text_of(notice)
    assert "sửa nhà" in text_of(notice)
    await secretary.send("/baocao")
    report = await until(secretary, lambda m: "NBT-001" in text_of(m))
    assert "Trần Văn B: 1/1" in text_of(report) and "sửa nhà" in text_of(report)

    # The visit moved the plan on; make it due again, then "📅 Later" to the day after.
    await plan_due(url, due)
    await member.send("/lichtham")
    schedule = await until(member, lambda m: "My households (" in text_of(m))
    await member.press(
        schedule, callback_data=VisitCb(action="card", household_id=household_id).pack()
    )
    card = await until(member, lambda m: "NBT-001" in text_of(m))
    await member.press(
        card, callback_data=VisitCb(action="later", household_id=household_id).pack()
    )
    when = await until(member, lambda m: "When will you visit" in text_of(m))
    await member.press(when, callback_data=SnoozeCb(household_id=household_id, days=0).pack())
    await until(member, lambda m: "Type the day" in text_of(m))
    later = due + timedelta(days=1)
    await member.send(f"{later:%d/%m}")
    await until(member, lambda m: f"{later:%d/%m/%Y}" in text_of(m))

    # Stopped over the morning of ``later``: its 07:00 reminder arrives once on restart;
    # the morning reminder of ``due`` (no longer due that day) is never sent.
    morning = datetime.combine(later, time(8, 30), tzinfo=VN)
    await restart_at(bot, morning)
    late = await until(member, lambda m: "you are due to visit" in text_of(m))
    assert f"Today ({later:%d/%m})" in text_of(late), text_of(late)
    await restart_at(bot, morning + timedelta(minutes=20))

    async def settled():  # type: ignore[no-untyped-def]
        rows = await reminders(url)
        return rows if all(r.status in ("sent", "skipped") for r in rows) else None

    rows = await sandbox.wait_until(settled, timeout=10)
    sent = [(r.payload["due_on"], r.payload["slot"]) for r in rows if r.status == "sent"]
    assert sent == [(due.isoformat(), "evening"), (later.isoformat(), "morning")], sent
    private = sandbox._private_chat(member)
    texts = [m.view().get("text") or "" for m in private.messages.values() if m.from_bot]
    assert sum("you are due to visit" in t for t in texts) == 2, texts
