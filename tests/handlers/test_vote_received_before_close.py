"""A vote button pressed just before a consultation closed, handled after the close
(a restart: the inbox replays the stored update and tells when it was received),
counts; one pressed after the close is refused as before."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiogram import Bot, Dispatcher
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Update
from sqlalchemy import func, select

from bot.sandbox import Sandbox
from bot.sandbox.records import _PendingCallback
from bot.services.authz import Actor
from bot.services.consultations import service
from handlers.consultations.callbacks import YkVote
from storage.models import ConsultationKind, ConsultationVote, Voters
from storage.repo import Repo
from tests.handlers.test_way_out import bot, dispatcher, sandbox

__all__ = ["bot", "dispatcher", "sandbox"]

SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
RESIDENT = 8401


async def _closed_poll(sessionmaker: Any) -> tuple[int, datetime]:
    """A per-household consultation that closed at ``closes`` (the planner closed it a
    minute later); the resident is of household NBT-001."""
    started = datetime.now(UTC) - timedelta(days=2)
    closes = started + timedelta(days=1)
    async with sessionmaker() as session:
        repo = Repo(session)
        village = await repo.places.village_by_code("nam-bac-thanh")
        draft = service.Draft("Làm đường bê tông?", ConsultationKind.YES_NO, ["Đồng ý", "Không đồng ý"],
                              False, Voters.HOUSEHOLD, True, closes)
        poll = await service.create(repo, Actor(None, None, village.id, is_admin=True), draft, now=started)
        household = next(h for h in await repo.households.of_village(village.id) if h.code == "NBT-001")
        person = await repo.users.get_or_create(RESIDENT, full_name="Lan", username=None)
        person.village_id, person.household_id, person.language = village.id, household.id, "vi"
        assert await service.close(repo, poll, closes + timedelta(minutes=1))
        await session.commit()
        return poll.id, closes


async def _press_vote(dispatcher: Dispatcher, bot: Bot, sandbox: Sandbox, poll_id: int, update_id: int, received_at: datetime) -> None:
    packed = YkVote(consultation_id=poll_id, mask=1).pack()
    shown = await bot.send_message(
        RESIDENT, "…", reply_markup=InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="1", callback_data=packed)]])
    )
    sandbox.callbacks[str(update_id)] = _PendingCallback(str(update_id), RESIDENT, RESIDENT, shown.message_id)
    update = Update.model_validate({
        "update_id": update_id,
        "callback_query": {
            "id": str(update_id),
            "from": {"id": RESIDENT, "is_bot": False, "first_name": "Lan", "language_code": "vi"},
            "chat_instance": str(RESIDENT),
            "data": packed,
            "message": {
                "message_id": shown.message_id,
                "date": int(received_at.timestamp()),
                "chat": {"id": RESIDENT, "type": "private", "first_name": "Lan"},
                "from": {"id": (await bot.me()).id, "is_bot": True, "first_name": "Bot"},
                "text": "…",
            },
        },
    })
    await dispatcher.feed_update(bot, update, received_at=received_at)


async def _votes(sessionmaker: Any, poll_id: int) -> int:
    async with sessionmaker() as session:
        return int(await session.scalar(
            select(func.count()).select_from(ConsultationVote).where(ConsultationVote.consultation_id == poll_id)
        ))


@SQLITE_ONLY
async def test_a_press_received_before_the_close_counts_when_handled_after_it(
    dispatcher: Dispatcher, bot: Bot, sandbox: Sandbox, sessionmaker: Any
) -> None:
    sandbox.user(RESIDENT, "Lan").started = True
    poll_id, closes = await _closed_poll(sessionmaker)
    await _press_vote(dispatcher, bot, sandbox, poll_id, 730001, closes + timedelta(seconds=1))
    assert await _votes(sessionmaker, poll_id) == 0  # pressed after the close: refused as before
    await _press_vote(dispatcher, bot, sandbox, poll_id, 730002, closes - timedelta(seconds=1))
    assert await _votes(sessionmaker, poll_id) == 1
    assert "Cảm ơn" in sandbox.messages(RESIDENT)[-1]["text"], sandbox.messages(RESIDENT)[-1]["text"]
