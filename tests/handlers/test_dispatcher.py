"""The dispatcher in process: errors become a polite message, redelivered updates are
ignored, and the middlewares commit once per update."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from aiogram import Bot
from aiogram.types import Update
from sqlalchemy import func, select

from bot.app import build_bot, build_dispatcher
from bot.i18n import create_i18n
from bot.sandbox import Sandbox
from bot.services import onboarding
from bot.services.org_import import apply_org, parse_org
from bot.settings import load_settings
from storage.models import User
from storage.repo import Repo
from tests.data_org import ORG_YAML


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    sb = await Sandbox.start(limits=False, webchat=False)
    yield sb
    await sb.stop()
    assert sb.violations == []


@pytest.fixture
async def bot(sandbox: Sandbox) -> AsyncIterator[Bot]:
    bot = build_bot(load_settings(), token="424242:dispatcher-test", api_url=sandbox.base_url)
    yield bot
    await bot.session.close()


def text_update(update_id: int, user_id: int, text: str) -> Update:
    return Update.model_validate(
        {
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "date": int(datetime.now(UTC).timestamp()),
                "chat": {"id": user_id, "type": "private", "first_name": "Lan"},
                "from": {"id": user_id, "is_bot": False, "first_name": "Lan", "language_code": "vi"},
                "text": text,
                **({"entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]} if text.startswith("/") else {}),
            },
        }
    )


async def test_a_failing_handler_gives_a_polite_message_and_logs_the_update(
    sandbox: Sandbox, bot: Bot, sessionmaker, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture  # type: ignore[no-untyped-def]
) -> None:
    async with sessionmaker() as session:
        await apply_org(Repo(session), parse_org(ORG_YAML))
        await session.commit()
    dispatcher = build_dispatcher(load_settings(), sessionmaker, create_i18n("vi"))
    user = sandbox.user(8001, "Lan")
    user.started = True

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database exploded")

    monkeypatch.setattr(onboarding, "village_from_payload", broken)
    with caplog.at_level(logging.ERROR, logger="villagebot.errors"):
        await dispatcher.feed_update(bot, text_update(900001, 8001, "/start v_nam-bac-thanh"))
    assert "update 900001 failed" in caplog.text
    messages = [m["text"] for m in sandbox.messages(8001)]
    assert messages == ["Xin lỗi, hệ thống đang gặp trục trặc. Bạn vui lòng thử lại sau ít phút."]
    async with sessionmaker() as session:
        stored = await session.scalar(select(User).where(User.platform_user_id == 8001))
        # The person's row is written in a short unit of work of its own (issue 21,
        # item 5); the failed update's own work (joining the village) was rolled back.
        assert stored is not None and stored.village_id is None


async def test_a_redelivered_update_is_handled_once(sandbox: Sandbox, bot: Bot, sessionmaker) -> None:  # type: ignore[no-untyped-def]
    async with sessionmaker() as session:
        await apply_org(Repo(session), parse_org(ORG_YAML))
        await session.commit()
    dispatcher = build_dispatcher(load_settings(), sessionmaker, create_i18n("vi"))
    sandbox.user(8002, "Tư").started = True
    update = text_update(900002, 8002, "/start v_trung-thanh")
    await dispatcher.feed_update(bot, update)
    await dispatcher.feed_update(bot, update)
    welcomes = [m for m in sandbox.messages(8002) if "Chào mừng" in m["text"]]
    assert len(welcomes) == 1
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(User).where(User.platform_user_id == 8002)) == 1
