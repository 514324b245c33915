"""A chat past its fair share gets one polite slow-down and its excess is dropped
before any database work; other chats are not affected."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from sqlalchemy import func, select

from bot.app import build_bot, build_dispatcher
from bot.i18n import create_i18n
from bot.middlewares import FairShare
from bot.sandbox import Sandbox
from bot.settings import load_settings
from storage.models import ProcessedUpdate
from tests.handlers.test_dispatcher import text_update


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    sb = await Sandbox.start(limits=False, webchat=False)
    yield sb
    await sb.stop()
    assert sb.violations == []


@pytest.fixture
async def bot(sandbox: Sandbox) -> AsyncIterator[Bot]:
    bot = build_bot(load_settings(), token="424242:fair-share-test", api_url=sandbox.base_url)
    yield bot
    await bot.session.close()


def test_fair_share_window() -> None:
    now = [0.0]
    share = FairShare(limit=3, window=60.0, clock=lambda: now[0])
    assert [share.check(1) for _ in range(6)] == ["ok", "ok", "ok", "warn", "drop", "drop"]
    assert share.check(2) == "ok"  # another chat keeps its share
    now[0] = 60.5
    assert share.check(1) == "ok"  # the window moved on
    assert [share.check(1) for _ in range(3)] == ["ok", "ok", "warn"]  # a new episode warns again


async def test_flooder_gets_one_slow_down_and_the_excess_is_dropped(
    sandbox: Sandbox, bot: Bot, sessionmaker
) -> None:  # type: ignore[no-untyped-def]
    dispatcher = build_dispatcher(
        load_settings(), sessionmaker, create_i18n("vi"), fair_share=FairShare(limit=3, window=60.0)
    )
    sandbox.user(8101, "Lan").started = True
    sandbox.user(8102, "Tư").started = True
    for n in range(8):
        await dispatcher.feed_update(bot, text_update(910000 + n, 8101, "/start"))
    await dispatcher.feed_update(bot, text_update(910100, 8102, "/start"))
    # The slow-down is sent in the background: no worker waits for the flooder's send slot.
    await sandbox.wait_until(lambda: any("nhanh quá" in m["text"] for m in sandbox.messages(8101)))
    flooder = [m["text"] for m in sandbox.messages(8101)]
    slow = [t for t in flooder if "nhanh quá" in t]
    assert len(slow) == 1, flooder
    other = [m["text"] for m in sandbox.messages(8102)]
    assert other and not any("nhanh quá" in t for t in other)
    async with sessionmaker() as session:
        handled = await session.scalar(select(func.count()).select_from(ProcessedUpdate))
    assert (
        handled == 4
    )  # three of the flooder's, one of the other chat: the rest never touched the database
    assert len(flooder) == len([t for t in flooder if "nhanh quá" not in t]) + 1


def test_a_steady_20_per_minute_is_never_refused_and_faster_is() -> None:
    now = [0.0]
    share = FairShare(clock=lambda: now[0])  # 20 a minute, 6 at once
    verdicts = []
    for n in range(200):
        now[0] = n * 3.0
        verdicts.append(share.check(1))
    assert set(verdicts) == {"ok"}
    now[0] = 1000.0
    fast = []
    for n in range(60):
        now[0] = 1000.0 + n * 1.0  # one a second
        fast.append(share.check(2))
    assert fast[:6] == ["ok"] * 6 and fast.count("warn") >= 1 and fast.count("ok") <= 6 + 20
