"""A way out of every step, as a button where a button fits (issue 16, item 3): the
prompts that ask for typed text — the village that is not listed, a statement or
receipts file, a criterion's status note, the day of a postponed visit, the reason a
visit could not be made — carry "✖ Cancel" beside their other buttons, and pressing it
ends the step. (Before, these prompts had no button, or only "Skip".)"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from aiogram import Bot, Dispatcher
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.state import State
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.sandbox import Sandbox
from bot.sandbox.records import _PendingCallback
from bot.services.authz import Actor
from bot.services.contributions.campaigns import create_campaign
from handlers.cancel import CancelCb
from handlers.contributions.callbacks import DgManage
from handlers.contributions.common import Books
from handlers.criteria.callbacks import Crit
from handlers.criteria.states import StatusNote
from handlers.start import NotListed, Onboarding
from handlers.visits import keyboards as vkb
from handlers.visits.common import Cannot, Snooze
from storage.repo import Repo
from tests.handlers.test_way_out import bot, dispatcher, sandbox, text_update

__all__ = ["bot", "dispatcher", "sandbox"]  # the fixtures, shared with test_way_out

SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
SECRETARY = 1001  # Nguyễn Thị A in tests/data_org.py (the secretary may record payments)
_update_ids = iter(range(710000, 720000))


async def _press(dispatcher: Dispatcher, bot: Bot, sandbox: Sandbox, user_id: int, data: CallbackData | str) -> None:
    """Presses a button with ``data`` under a message the bot sent to ``user_id``."""
    packed = data if isinstance(data, str) else data.pack()
    button = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="▶", callback_data=packed)]])
    shown = await bot.send_message(user_id, "…", reply_markup=button)
    update_id = next(_update_ids)
    # Known to the sandbox, as a press through its own client would be.
    sandbox.callbacks[str(update_id)] = _PendingCallback(str(update_id), user_id, user_id, shown.message_id)
    sender = {"id": user_id, "is_bot": False, "first_name": "An", "language_code": "vi"}
    update = {
        "update_id": update_id,
        "callback_query": {
            "id": str(update_id),
            "from": sender,
            "chat_instance": str(user_id),
            "data": packed,
            "message": {
                "message_id": shown.message_id,
                "date": int(datetime.now(UTC).timestamp()),
                "chat": {"id": user_id, "type": "private", "first_name": "An"},
                "from": {"id": (await bot.me()).id, "is_bot": True, "first_name": "Bot"},
                "text": "…",
            },
        },
    }
    await dispatcher.feed_update(bot, Update.model_validate(update))


def _buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    markup = message.get("reply_markup") or {}
    return [b for row in markup.get("inline_keyboard", []) for b in row]


async def _the_prompt_has_cancel_and_it_works(
    dispatcher: Dispatcher, bot: Bot, sandbox: Sandbox, user_id: int, state: State, before: int
) -> None:
    context = dispatcher.fsm.get_context(bot=bot, chat_id=user_id, user_id=user_id)
    assert await context.get_state() == state.state
    prompt = sandbox.messages(user_id)[-1]
    assert len(sandbox.messages(user_id)) > before, "no prompt"
    cancel = [b for b in _buttons(prompt) if b.get("callback_data") == CancelCb().pack()]
    assert cancel, f"{state.state}: no ✖ button under {prompt.get('text')!r}: {_buttons(prompt)}"
    assert "Hủy" in cancel[0]["text"]
    await _press(dispatcher, bot, sandbox, user_id, cancel[0]["callback_data"])
    assert await context.get_state() is None
    assert "Đã hủy" in sandbox.messages(user_id)[-1]["text"]


async def _started(dispatcher: Dispatcher, bot: Bot, sandbox: Sandbox, user_id: int, name: str) -> int:
    """The user has sent /start; returns how many messages they had then."""
    sandbox.user(user_id, name).started = True
    await dispatcher.feed_update(bot, text_update(next(_update_ids), user_id, "/start"))
    return len(sandbox.messages(user_id))


@SQLITE_ONLY
async def test_the_village_not_listed(dispatcher: Dispatcher, bot: Bot, sandbox: Sandbox) -> None:
    user_id = 8301
    before = await _started(dispatcher, bot, sandbox, user_id, "An")
    await _press(dispatcher, bot, sandbox, user_id, NotListed())
    await _the_prompt_has_cancel_and_it_works(dispatcher, bot, sandbox, user_id, Onboarding.not_listed, before + 1)


@SQLITE_ONLY
@pytest.mark.parametrize("action", ["statement", "import"])
async def test_the_statement_and_receipts_files(
    dispatcher: Dispatcher, bot: Bot, sandbox: Sandbox, sessionmaker: Any, action: str
) -> None:
    async with sessionmaker() as session:
        repo = Repo(session)
        village = await repo.places.village_by_code("nam-bac-thanh")
        assert village is not None
        campaign = await create_campaign(
            repo,
            Actor(user_id=None, platform_user_id=None, is_admin=True),
            village_id=village.id,
            name="Đường Xóm 2",
            purpose="",
            goals={"money": 1_000_000},
            starts_on=date(2026, 1, 1),
            ends_on=date(2036, 1, 1),
            now=datetime.now(UTC),
        )
        await session.commit()
    before = await _started(dispatcher, bot, sandbox, SECRETARY, "A")
    await _press(dispatcher, bot, sandbox, SECRETARY, DgManage(action=action, campaign_id=campaign.id))
    state = Books.statement if action == "statement" else Books.receipts
    await _the_prompt_has_cancel_and_it_works(dispatcher, bot, sandbox, SECRETARY, state, before + 1)


@SQLITE_ONLY
async def test_a_criterions_status_note(dispatcher: Dispatcher, bot: Bot, sandbox: Sandbox) -> None:
    before = await _started(dispatcher, bot, sandbox, SECRETARY, "A")
    await _press(dispatcher, bot, sandbox, SECRETARY, Crit(a="status", s="ntm-2021-2025", n=2, v="in_progress"))
    # The note's prompt replaces the pressed message (an edit): count it as the one before.
    await _the_prompt_has_cancel_and_it_works(dispatcher, bot, sandbox, SECRETARY, StatusNote.note, before)


@SQLITE_ONLY
async def test_the_day_of_a_postponed_visit(dispatcher: Dispatcher, bot: Bot, sandbox: Sandbox) -> None:
    user_id = 8302
    before = await _started(dispatcher, bot, sandbox, user_id, "B")
    await _press(dispatcher, bot, sandbox, user_id, vkb.SnoozeCb(household_id=1, days=0))
    await _the_prompt_has_cancel_and_it_works(dispatcher, bot, sandbox, user_id, Snooze.day, before + 1)


@SQLITE_ONLY
async def test_the_reason_a_visit_could_not_be_made(dispatcher: Dispatcher, bot: Bot, sandbox: Sandbox) -> None:
    user_id = 8303
    sandbox.user(user_id, "B").started = True
    await dispatcher.feed_update(bot, text_update(next(_update_ids), user_id, "/start"))
    context = dispatcher.fsm.get_context(bot=bot, chat_id=user_id, user_id=user_id)
    await context.set_state(Cannot.reason)
    await context.set_data({"household_id": 1})
    before = len(sandbox.messages(user_id))
    await _press(dispatcher, bot, sandbox, user_id, vkb.ReasonCb(reason="type"))
    await _the_prompt_has_cancel_and_it_works(dispatcher, bot, sandbox, user_id, Cannot.reason, before + 1)


@SQLITE_ONLY
async def test_the_village_prompt_of_a_newcomer(dispatcher: Dispatcher, bot: Bot, sandbox: Sandbox) -> None:
    """The first prompt a newcomer meets (which village?) had only the phone button, no ✖.
    The phone button is still offered, on the line before the prompt."""
    from handlers.start import LanguageChoice

    user_id = 8304
    before = await _started(dispatcher, bot, sandbox, user_id, "C")  # the language choice
    await _press(dispatcher, bot, sandbox, user_id, LanguageChoice(code="vi"))
    keyboard = sandbox.user(user_id, "C").current_reply_keyboard()
    assert keyboard is not None and any(b.get("request_contact") for row in keyboard["keyboard"] for b in row)
    await _the_prompt_has_cancel_and_it_works(dispatcher, bot, sandbox, user_id, Onboarding.village, before + 1)


@SQLITE_ONLY
async def test_the_village_prompt_of_doithon(dispatcher: Dispatcher, bot: Bot, sandbox: Sandbox) -> None:
    user_id = 8305
    sandbox.user(user_id, "D").started = True
    await dispatcher.feed_update(bot, text_update(next(_update_ids), user_id, "/start v_nam-bac-thanh"))
    before = len(sandbox.messages(user_id))
    await dispatcher.feed_update(bot, text_update(next(_update_ids), user_id, "/doithon"))
    assert len(sandbox.messages(user_id)) == before + 1  # the prompt alone: the main keyboard stays
    await _the_prompt_has_cancel_and_it_works(dispatcher, bot, sandbox, user_id, Onboarding.village, before)
