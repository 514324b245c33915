"""A kept edit that changes nothing is done, not failed (issue 16, item 6): handlers
remove a used button with an edit, and since replies leave after the commit the edit is
replayed by the outbox. A double press, or a ✖ pressed twice, asks for the same markup
again; Telegram answers "message is not modified", which the handlers used to catch in
place. Replayed, it became a failed outbox row (logged as a warning) instead."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.methods import EditMessageReplyMarkup, EditMessageText
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.app import build_bot
from bot.channels.base import PermanentError
from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.deferred import serialize
from bot.delivery.contract import OutgoingMessage
from bot.sandbox import Sandbox
from bot.settings import load_settings

USER = 8401


@pytest.fixture
async def bot() -> AsyncIterator[tuple[Sandbox, Bot]]:
    sandbox = await Sandbox.start(limits=False, webchat=False)
    bot = build_bot(load_settings(), token="424242:replay-test", api_url=sandbox.base_url)
    sandbox.user(USER, "An").started = True
    try:
        yield sandbox, bot
    finally:
        await bot.session.close()
        await sandbox.stop()


async def test_an_edit_to_what_is_shown_already_is_done(bot: tuple[Sandbox, Bot]) -> None:
    sandbox, telegram = bot
    markup = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="A", callback_data="a")]])
    shown = await telegram.send_message(USER, "screen", reply_markup=markup)
    channel = TelegramChannel(telegram)
    same = EditMessageReplyMarkup(chat_id=USER, message_id=shown.message_id, reply_markup=markup)
    sent = await channel.send(USER, OutgoingMessage(text="", native=serialize(same)))
    assert sent.message_id == shown.message_id
    # Any other refusal still fails the row.
    gone = EditMessageText(chat_id=USER, message_id=shown.message_id + 99, text="x")
    with pytest.raises(PermanentError):
        await channel.send(USER, OutgoingMessage(text="", native=serialize(gone)))
    assert sandbox.messages(USER)[-1]["text"] == "screen"
