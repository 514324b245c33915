"""The sender stamps each rendered message with its recipient's language, so a channel's
own added words (Zalo's hint under a numbered menu) follow the recipient, not the bot's
default (issue 17: engine-built messages on Zalo got the default language's hint)."""

from __future__ import annotations

from typing import Any

from bot.clock import ManualClock
from bot.delivery.budget import SendBudget
from bot.delivery.contract import OutgoingMessage
from bot.delivery.queue import enqueue
from bot.delivery.sender import Sender
from bot.i18n import create_i18n
from storage.repo import Repo
from tests.delivery.test_sender import T0, FakeChannel, _until, _users, note, registry


class LocaleChannel(FakeChannel):
    def __init__(self) -> None:
        super().__init__()
        self.locales: list[tuple[int, str | None]] = []

    async def send(self, address: int, message: OutgoingMessage) -> Any:
        self.locales.append((address, message.locale))
        return await super().send(address, message)


async def test_rendered_messages_carry_the_recipients_language(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    vi, en = await _users(sessionmaker, ["vi", "en"])
    async with sessionmaker() as session:
        repo = Repo(session)
        await enqueue(repo, note(vi, "a", T0))
        await enqueue(repo, note(en, "b", T0))
        await session.commit()
    channel = LocaleChannel()
    sender = Sender(channel, sessionmaker, SendBudget(), create_i18n("vi"), registry(), clock=ManualClock(T0))
    channel.before = sender.take_slot
    await sender.start()
    try:
        await _until(lambda: len(channel.locales) == 2)
    finally:
        await sender.stop()
    assert sorted(channel.locales) == [(9000, "vi"), (9001, "en")]
