"""Conformance: real client libraries talk to the sandbox without violations."""

from __future__ import annotations

import struct
import zlib

import telegram
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup

from bot.sandbox import Sandbox

from .conftest import TOKEN


def tiny_png(width: int = 3, height: int = 2) -> bytes:
    """A valid PNG image of the given size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


async def test_python_telegram_bot_speaks_to_sandbox(sandbox: Sandbox) -> None:
    bot = telegram.Bot(
        TOKEN, base_url=f"{sandbox.base_url}/bot", base_file_url=f"{sandbox.base_url}/file/bot"
    )
    async with bot:
        me = await bot.get_me()
        assert me.id == 123456 and me.username == "villagebot" and me.is_bot
        alice = sandbox.user(1001, "Alice")
        await alice.send("xin chào")
        updates = await bot.get_updates(timeout=1)
        assert [u.message.text for u in updates] == ["xin chào"]
        assert updates[0].message.from_user.id == 1001
        sent = await bot.send_message(chat_id=1001, text="<i>Chào</i> Alice", parse_mode="HTML")
        assert sent.text == "Chào Alice" and sent.chat.id == 1001
        # offset confirms: nothing left after acknowledging
        assert await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0) == ()
    got = await alice.next_message(timeout=1)
    assert got["text"] == "Chào Alice"
    assert sandbox.violations == []


async def test_aiogram_keyboard_photo_and_edit(sandbox: Sandbox) -> None:
    session = AiohttpSession(api=TelegramAPIServer.from_base(sandbox.base_url))
    bot = Bot(TOKEN, session=session)
    alice = sandbox.user(1001, "Alice")
    await alice.send("/start")
    try:
        markup = InlineKeyboardMarkup(
            inline_keyboard=[
                [
                    InlineKeyboardButton(text="Tiếng Việt", callback_data="lang:vi"),
                    InlineKeyboardButton(text="Trang web", url="https://example.org/"),
                ]
            ]
        )
        msg = await bot.send_message(
            1001, "<b>Chọn</b> ngôn ngữ", parse_mode="HTML", reply_markup=markup
        )
        assert msg.text == "Chọn ngôn ngữ"
        assert msg.entities and msg.entities[0].type == "bold"
        photo = await bot.send_photo(
            1001, BufferedInputFile(tiny_png(), "map.png"), caption="Bản đồ <thôn>"
        )
        assert photo.photo[-1].width == 3 and photo.photo[-1].height == 2
        file = await bot.get_file(photo.photo[-1].file_id)
        data = await bot.download_file(file.file_path)
        assert data is not None and data.read() == tiny_png()
        again = await bot.send_photo(1001, photo.photo[-1].file_id)  # file_id reuse
        assert again.photo[-1].file_id == photo.photo[-1].file_id
        edited = await bot.edit_message_text("Đã chọn", chat_id=1001, message_id=msg.message_id)
        assert edited.edit_date is not None and edited.reply_markup is None
        await bot.set_my_commands([{"command": "start", "description": "Bắt đầu"}])
        assert sandbox.commands_for(None) == [{"command": "start", "description": "Bắt đầu"}]
    finally:
        await bot.session.close()
    views = sandbox.messages(1001)
    assert [v["text"] for v in views] == ["Đã chọn", "Bản đồ <thôn>", None]
    assert views[0]["edit_history"][0]["text"] == "Chọn ngôn ngữ"
    assert sandbox.violations == []


async def test_aiogram_press_button_roundtrip(sandbox: Sandbox) -> None:
    """A user presses a button; an aiogram bot answers the callback via polling."""
    import asyncio

    session = AiohttpSession(api=TelegramAPIServer.from_base(sandbox.base_url))
    bot = Bot(TOKEN, session=session)
    alice = sandbox.user(1001, "Alice")
    await alice.send("/start")
    try:
        markup = InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(text="OK", callback_data="ok")]]
        )
        await bot.send_message(1001, "Chọn", reply_markup=markup)
        msg = await alice.next_message(timeout=1)

        async def answer() -> None:
            offset = 0
            while True:
                for update in await bot.get_updates(offset=offset, timeout=1):
                    offset = update.update_id + 1
                    if update.callback_query:
                        await update.callback_query.answer("Đã lưu")
                        return

        task = asyncio.create_task(answer())
        result = await alice.press(msg, "OK", timeout=5)
        await task
        assert result is not None and result["text"] == "Đã lưu"
    finally:
        await bot.session.close()
    assert sandbox.violations == []
