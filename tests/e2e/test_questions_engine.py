"""Questions reach the secretary through the delivery engine (issue 8), with the bot's
clock moved (``VILLAGEBOT_CLOCK_OFFSET``): a resident asks the branch twice and sends a
message from a house's QR ("Gửi ý kiến cho chi bộ"); the three, forwarded within one
ten-minute window, give the secretary ONE notice, and only once the window has ended;
the feedback shows in /cauhoi and its answer reaches the resident."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from bot.sandbox import Sandbox
from bot.services import question_notices
from handlers.criteria.callbacks import Crit
from handlers.visits.keyboards import FeedbackCb
from storage.models import Household, HouseholdVisitPlan, OutboxMessage, Question
from tests.e2e.harness import BotProcess
from tests.e2e.test_contributions import next_with, rows
from tests.e2e.test_visits_engine import plan_due, restart_at, run_sql

VN = ZoneInfo("Asia/Ho_Chi_Minh")
SECRETARY, RESIDENT = 1001, 4701


def text_of(message: dict[str, Any]) -> str:
    return message.get("text") or message.get("caption") or ""


def ask_button(message: dict[str, Any]) -> str | None:
    """The callback data of "❓ Hỏi chi bộ" / "❓ Gửi câu hỏi cho chi bộ", if shown."""
    for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
        for button in row:
            data = button.get("callback_data") or ""
            if data.startswith(Crit.__prefix__ + ":") and Crit.unpack(data).a == "ask":
                return data
    return None


async def ask_branch(resident: Any, text: str) -> None:
    await resident.send(text)
    answer = await next_with(resident, lambda m: ask_button(m) is not None)
    pressed = await resident.press(answer, callback_data=ask_button(answer))
    assert pressed is not None  # answered; the confirmation is a message that lasts
    await next_with(resident, lambda m: "Đã gửi đến chi bộ" in (m.get("text") or ""))


async def test_questions_batched_into_one_notice_and_feedback_answered(
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
    secretary = sandbox.user(SECRETARY, "An", language_code="vi")
    await secretary.send("/start")
    await secretary.next_message()
    resident = sandbox.user(RESIDENT, "Lan", language_code="vi")
    await resident.send("/start v_nam-bac-thanh")
    await next_with(resident, lambda m: "Chào mừng" in text_of(m))

    await ask_branch(resident, "đường thôn cần đạt tiêu chuẩn gì")
    await ask_branch(resident, "nhà văn hóa thôn cần rộng bao nhiêu")

    # "Gửi ý kiến cho chi bộ" from the public part of a house's QR card.
    await plan_due(url, datetime.now(VN).date() + timedelta(days=5))
    [token] = await rows(
        url,
        select(HouseholdVisitPlan.qr_token)
        .join(Household, Household.id == HouseholdVisitPlan.household_id)
        .where(Household.code == "NBT-001"),
    )
    await resident.send(f"/start h_{token}")
    public = await next_with(resident, lambda m: "vfb:" in str(m.get("reply_markup")))
    village_id = FeedbackCb.unpack(
        next(
            b["callback_data"]
            for row in public["reply_markup"]["inline_keyboard"]
            for b in row
            if b.get("callback_data", "").startswith("vfb:")
        )
    ).village_id
    await resident.press(public, callback_data=FeedbackCb(village_id=village_id).pack())
    await resident.next_message()
    await resident.send("Đèn đường xóm 1 bị hỏng")
    await next_with(resident, lambda m: "chi bộ" in text_of(m))

    async def forwarded():  # type: ignore[no-untyped-def]
        found = await rows(url, select(Question).where(Question.status == "open"))
        return found if len(found) == 3 else None

    questions = await sandbox.wait_until(forwarded, timeout=10)
    assert sorted(q.set_code for q in questions) == ["feedback", "ntm-2021-2025", "ntm-2021-2025"]

    # Daytime tomorrow, three minutes apart inside one window (10:00–10:10 local).
    day = datetime.now(VN).date() + timedelta(days=1)
    base = datetime.combine(day, time(10, 1), tzinfo=VN)
    for i, question in enumerate(questions):

        async def move(session, qid=question.id, at=base + timedelta(minutes=3 * i)):  # type: ignore[no-untyped-def]
            await session.execute(
                update(Question).where(Question.id == qid).values(forwarded_at=at.astimezone(UTC))
            )

        await run_sql(url, move)

    # The window has not ended at 10:09: nothing yet.
    await restart_at(bot, datetime.combine(day, time(10, 9), tzinfo=VN))
    assert (
        await rows(url, select(OutboxMessage).where(OutboxMessage.kind == question_notices.KIND))
        == []
    )
    # At 10:10:30 it has: one notice for the three.
    await restart_at(bot, datetime.combine(day, time(10, 10, 30), tzinfo=VN))
    notice = await next_with(secretary, lambda m: "📥" in text_of(m))
    assert "vừa gửi 3 câu hỏi mới" in text_of(notice) and "tổng cộng 3 câu" in text_of(notice)
    assert "Đèn đường xóm 1" in text_of(notice) and "/cauhoi" in text_of(notice)
    await restart_at(bot, datetime.combine(day, time(10, 13), tzinfo=VN))
    notices = [
        m
        for m in sandbox._private_chat(secretary).messages.values()
        if m.from_bot and "📥" in (m.view().get("text") or "")
    ]
    assert len(notices) == 1
    assert (
        len(
            await rows(
                url, select(OutboxMessage).where(OutboxMessage.kind == question_notices.KIND)
            )
        )
        == 1
    )

    # The feedback is in /cauhoi and can be answered; the answer reaches the resident.
    await secretary.send("/cauhoi")
    inbox = await next_with(secretary, lambda m: "Đèn đường xóm 1" in text_of(m))
    feedback = next(q for q in questions if q.set_code == "feedback")
    await secretary.press(
        inbox,
        callback_data=next(
            b["callback_data"]
            for row in inbox["reply_markup"]["inline_keyboard"]
            for b in row
            if b["text"].endswith(f"#{feedback.id}")
        ),
    )
    await next_with(secretary, lambda m: "Đèn đường xóm 1" in text_of(m))
    await secretary.send("Tuần sau xã thay bóng đèn mới.")
    answer = await next_with(resident, lambda m: "Tuần sau xã thay bóng đèn" in text_of(m))
    assert "Đèn đường xóm 1" in text_of(answer)
    [answered] = await rows(url, select(Question).where(Question.id == feedback.id))
    assert answered.status == "answered"
