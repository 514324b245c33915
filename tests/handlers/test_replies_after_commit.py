"""Replies after commit, in process: a handler's calls become outbox rows in the
update's own transaction (none for a failed update) and the engine replays them."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from sqlalchemy import select

from bot.app import build_bot, build_dispatcher
from bot.channels.telegram import TelegramChannel, deferred, unthrottled_clone
from bot.delivery.budget import SendBudget
from bot.delivery.kinds import CALL
from bot.delivery.registry import default_registry
from bot.delivery.sender import Sender
from bot.i18n import create_i18n
from bot.sandbox import Sandbox
from bot.services import onboarding
from bot.services.org_import import apply_org, parse_org
from bot.settings import load_settings
from storage.models import OutboxMessage
from storage.repo import Repo
from tests.data_org import ORG_YAML
from tests.handlers.test_dispatcher import text_update


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    sb = await Sandbox.start(limits=False, webchat=False)
    yield sb
    await sb.stop()
    assert sb.violations == []


@pytest.fixture
async def bot(sandbox: Sandbox) -> AsyncIterator[Bot]:
    bot = build_bot(load_settings(), token="424242:after-commit", api_url=sandbox.base_url)
    deferred.install(bot)
    yield bot
    await bot.session.close()


async def test_replies_are_rows_until_the_engine_sends_them(
    sandbox: Sandbox, bot: Bot, sessionmaker, monkeypatch: pytest.MonkeyPatch  # type: ignore[no-untyped-def]
) -> None:
    async with sessionmaker() as session:
        await apply_org(Repo(session), parse_org(ORG_YAML))
        await session.commit()
    i18n = create_i18n("vi")
    dispatcher = build_dispatcher(load_settings(), sessionmaker, i18n)
    sandbox.user(8201, "Lan").started = True
    await dispatcher.feed_update(bot, text_update(920001, 8201, "/start v_nam-bac-thanh"))
    assert sandbox.messages(8201) == []  # nothing left inside the update
    async with sessionmaker() as session:
        rows = (await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all()
    assert rows and {r.kind for r in rows} == {CALL} and {r.chat_id for r in rows} == {8201}
    kept = len(rows)

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database exploded")

    monkeypatch.setattr(onboarding, "village_from_payload", broken)
    await dispatcher.feed_update(bot, text_update(920002, 8201, "/start v_nam-bac-thanh"))
    async with sessionmaker() as session:
        assert len((await session.scalars(select(OutboxMessage))).all()) == kept  # none for a failure
    # the polite error is the only thing said at once (after the rollback, outside the update)
    assert [m["text"] for m in sandbox.messages(8201)] == [
        "Xin lỗi, hệ thống đang gặp trục trặc. Bạn vui lòng thử lại sau ít phút."
    ]

    client = unthrottled_clone(bot)
    sender = Sender(TelegramChannel(client), sessionmaker, SendBudget(), i18n, default_registry(), poll_every=0.05)
    await sender.start()
    try:
        await sandbox.wait_until(lambda: len(sandbox.messages(8201)) == 1 + kept)
    finally:
        await sender.stop()
        await client.session.close()
    welcome = [m["text"] for m in sandbox.messages(8201)][1:]
    assert "Chào mừng" in welcome[0]  # in the order the handler sent them
