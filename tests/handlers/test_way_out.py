"""A way out of every step (issue 16, item 3): every State of every StatesGroup the
handlers define accepts "hủy", "/huy" and "/start", and ends the step."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from aiogram import Bot, Dispatcher
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import Update

import handlers
from bot.app import build_bot, build_dispatcher
from bot.i18n import create_i18n
from bot.middlewares import FairShare
from bot.sandbox import Sandbox
from bot.services.org_import import apply_org, parse_org
from bot.settings import load_settings
from storage.repo import Repo
from tests.data_org import ORG_YAML

SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def all_states() -> list[State]:
    for module in pkgutil.walk_packages(handlers.__path__, "handlers."):
        importlib.import_module(module.name)
    groups: list[type[StatesGroup]] = []
    pending = list(StatesGroup.__subclasses__())
    while pending:
        group = pending.pop()
        pending.extend(group.__subclasses__())
        if group.__module__.startswith("handlers."):
            groups.append(group)
    return sorted((s for g in groups for s in g.__all_states__), key=lambda s: s.state or "")


STATES = all_states()


def test_the_handlers_define_states() -> None:
    names = {s.state for s in STATES}
    # The flows the issue names; a rename must keep them enumerated here.
    assert {"Pledging:amount", "NewCampaign:goal", "NewCampaign:end", "NewCampaign:bank", "Answering:text"} <= names
    assert len(STATES) >= 20


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    sb = await Sandbox.start(limits=False, webchat=False)
    yield sb
    await sb.stop()


@pytest.fixture
async def bot(sandbox: Sandbox) -> AsyncIterator[Bot]:
    bot = build_bot(load_settings(), token="424242:way-out-test", api_url=sandbox.base_url)
    yield bot
    await bot.session.close()


def text_update(update_id: int, user_id: int, text: str) -> Update:
    entities = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}] if text.startswith("/") else []
    return Update.model_validate(
        {
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "date": int(datetime.now(UTC).timestamp()),
                "chat": {"id": user_id, "type": "private", "first_name": "An"},
                "from": {"id": user_id, "is_bot": False, "first_name": "An", "language_code": "vi"},
                "text": text,
                **({"entities": entities} if entities else {}),
            },
        }
    )


@pytest.fixture
async def dispatcher(sessionmaker) -> Dispatcher:  # type: ignore[no-untyped-def]
    async with sessionmaker() as session:
        await apply_org(Repo(session), parse_org(ORG_YAML))
        await session.commit()
    unlimited = FairShare(limit=10**6, burst=10**6)  # one chat goes through every state
    return build_dispatcher(load_settings(), sessionmaker, create_i18n("vi"), fair_share=unlimited)


@SQLITE_ONLY
@pytest.mark.parametrize("word", ["hủy", "Huỷ", "/huy", "/start"])
async def test_every_state_has_a_way_out(dispatcher: Dispatcher, bot: Bot, sandbox: Sandbox, word: str) -> None:
    update_id = 700000
    for index, state in enumerate(STATES):
        user_id = 8200 + index  # a chat each: the sandbox paces replies per chat as Telegram does
        sandbox.user(user_id, "An").started = True
        context = dispatcher.fsm.get_context(bot=bot, chat_id=user_id, user_id=user_id)
        await context.set_state(state)
        await context.update_data(marker=1)
        before = len(sandbox.messages(user_id))
        update_id += 1
        await dispatcher.feed_update(bot, text_update(update_id, user_id, word))
        assert await context.get_state() is None, f"{state.state} kept its state after {word!r}"
        replies = [m["text"] for m in sandbox.messages(user_id)[before:]]
        assert replies, f"{state.state}: no reply to {word!r}"
        if word != "/start":
            assert any("Đã hủy" in r for r in replies), f"{state.state}: {replies}"


@SQLITE_ONLY
async def test_cancel_without_a_step_says_so(dispatcher: Dispatcher, bot: Bot, sandbox: Sandbox) -> None:
    sandbox.user(8102, "Bình").started = True
    await dispatcher.feed_update(bot, text_update(700900, 8102, "/huy"))
    assert "Không có việc gì để hủy" in sandbox.messages(8102)[-1]["text"]
