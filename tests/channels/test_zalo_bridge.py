"""The Zalo bridge: aiogram calls become what Zalo can carry, Zalo events become
updates, and a typed number answers the menu stored for the conversation."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramRetryAfter
from aiogram.types import (
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)
from aiohttp import web

from bot.channels.zalo.api import ZaloApi
from bot.channels.zalo.directory import Directory
from bot.channels.zalo.files import FileShelf
from bot.channels.zalo.intake import ZaloIntake, update_id
from bot.channels.zalo.session import ZaloSession, menu_of
from bot.channels.zalo.text import html_to_plain, split_plain
from bot.sandbox.zalo import ZaloSandbox
from storage.db import create_engine, create_sessionmaker
from storage.migrate import upgrade
from storage.repo import Repo

TOKEN = "777:zalo-test"
KEYBOARD = InlineKeyboardMarkup(inline_keyboard=[
    [InlineKeyboardButton(text="Có", callback_data="yes"), InlineKeyboardButton(text="Không", callback_data="no")],
    [InlineKeyboardButton(text="Trang web", url="https://example.org")],
])


def test_html_becomes_plain_text() -> None:
    assert html_to_plain('<b>Tiêu chí 17</b> &amp; <a href="https://x.vn/a">xem</a><br>hết') == (
        "Tiêu chí 17 & xem (https://x.vn/a)\nhết"
    )
    assert html_to_plain("1 &lt; 2 <i>$x$</i>") == "1 < 2 $x$"


def test_long_text_splits_on_lines_and_keeps_the_menu_whole_at_the_end() -> None:
    body = "\n".join(f"dòng {i} " + "x" * 80 for i in range(60))
    menu = "\n".join(f"{i}. lựa chọn {i}" for i in range(1, 6))
    pieces = split_plain(body, 2000, tail=menu)
    assert all(len(p) <= 2000 for p in pieces) and len(pieces) >= 3
    assert pieces[-1].endswith(menu) and all("1. lựa chọn" not in p for p in pieces[:-1])
    assert all(line.startswith("dòng") for p in pieces[:-1] for line in p.splitlines())
    assert "\n".join(pieces).replace("\n\n", "\n").count("dòng") == 60


def test_keyboards_become_numbered_lines() -> None:
    items, lines = menu_of(KEYBOARD)
    assert items == [{"label": "Có", "data": "yes"}, {"label": "Không", "data": "no"}]
    assert lines[:2] == ["1. Có", "2. Không"] and lines[-1] == "🔗 Trang web: https://example.org"
    reply = ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text="📢 Thông báo")],
                                          [KeyboardButton(text="📱 share", request_contact=True)]])
    items, lines = menu_of(reply)
    assert items == [{"label": "📢 Thông báo", "text": "📢 Thông báo"}]
    assert any("invite code" in line for line in lines)  # typing instead of the phone button


@pytest.fixture
async def sessionmaker(tmp_path: Path) -> AsyncIterator[Any]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'z.db'}")
    await upgrade(engine)
    yield create_sessionmaker(engine)
    await engine.dispose()


@pytest.fixture
async def zalo() -> AsyncIterator[ZaloSandbox]:
    sb = await ZaloSandbox.start()
    yield sb
    await sb.stop()


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[FileShelf]:
    shelf = FileShelf("http://127.0.0.1:0")
    app = web.Application()
    shelf.install(app)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    shelf.public_url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]  # noqa: SLF001
    yield shelf
    await runner.cleanup()


@pytest.fixture
async def bridge(zalo: ZaloSandbox, sessionmaker: Any, served: FileShelf) -> AsyncIterator[tuple[Bot, ZaloIntake]]:
    from aiogram.client.default import DefaultBotProperties

    directory = Directory(sessionmaker)
    bot = Bot(TOKEN, session=ZaloSession(ZaloApi(TOKEN, zalo.base_url), directory, served),
              default=DefaultBotProperties(parse_mode="HTML"))
    me = await bot.get_me()
    yield bot, ZaloIntake(directory, me.model_dump(mode="json", exclude_none=True))
    await directory.flush()
    await bot.session.close()


def event(user: Any, text: str, name: str = "message.text.received", message_id: str = "") -> dict[str, Any]:
    return {"event_name": name, "message": {
        "from": {"id": user.id, "display_name": user.display_name}, "chat": {"id": user.id, "chat_type": "PRIVATE"},
        "text": text, "message_id": message_id or f"{abs(hash(text)):020x}"[:20], "date": user.sandbox.now_ms()}}


async def test_a_menu_is_numbered_stored_and_answered_by_number(zalo: ZaloSandbox, bridge: Any, sessionmaker: Any) -> None:
    bot, intake = bridge
    lan = zalo.user("Lan")
    first = await intake.convert(event(lan, "Xin chào"))
    chat_id = first.updates[0].message.chat.id
    assert first.updates[0].message.text == "/start"  # a first message starts the conversation
    await bot.send_message(chat_id, "Bạn <b>đồng ý</b>?", reply_markup=KEYBOARD)
    sent = lan.messages()[-1]["text"]
    assert sent.startswith("Bạn đồng ý?\n\n1. Có\n2. Không\nReply with a number from 1 to 2.")
    await bot.session.directory.flush()  # type: ignore[attr-defined]
    async with sessionmaker() as session:
        assert (await Repo(session).channels.menu("zalo", chat_id)).items[1]["data"] == "no"

    picked = await intake.convert(event(lan, " 2 "))
    assert picked.updates[0].callback_query.data == "no"
    assert picked.updates[0].callback_query.message.chat.id == chat_id
    wrong = await intake.convert(event(lan, "5"))
    assert wrong.updates == [] and "1 to 2" in wrong.answers[0][1]
    big = await intake.convert(event(lan, "500000"))  # an amount, not a choice
    assert big.updates[0].message.text == "500000"

    fresh = ZaloIntake(Directory(sessionmaker), intake.bot_user)  # after a restart: read from the database
    assert (await fresh.convert(event(lan, "1"))).updates[0].callback_query.data == "yes"

    # A photo without choices goes with the message before it: its numbers still hold.
    await bot.send_photo(chat_id, BufferedInputFile(b"\x89PNG-qr", "vietqr.png"), caption="QR")
    assert (await intake.convert(event(lan, "2"))).updates[0].callback_query.data == "no"

    await bot.send_message(chat_id, "Cảm ơn.")  # a message without buttons: no menu any more
    plain = await intake.convert(event(lan, "2"))
    assert plain.updates[0].message.text == "2"


async def test_a_menu_is_in_the_database_when_its_message_reaches_zalo(
    zalo: ZaloSandbox, bridge: Any, sessionmaker: Any
) -> None:
    """A kill -9 right after a send must find that message's menu stored: the sandbox
    looks at the database at the moment the message arrives."""
    bot, intake = bridge
    lan = zalo.user("Lan")
    chat_id = (await intake.convert(event(lan, "Xin chào"))).updates[0].message.chat.id
    seen: list[Any] = []

    async def look() -> None:
        async with sessionmaker() as session:
            seen.append(await Repo(session).channels.menu("zalo", chat_id))

    original = zalo._sendMessage  # noqa: SLF001 - the moment Zalo has the message

    async def send_and_look(params: dict[str, Any]) -> dict[str, Any]:
        await look()
        return await original(params)

    zalo._sendMessage = send_and_look  # type: ignore[method-assign]  # noqa: SLF001
    await bot.send_message(chat_id, "Bạn đồng ý?", reply_markup=KEYBOARD)
    await bot.send_message(chat_id, "Cảm ơn.")  # no buttons: the menu is gone before it arrives
    assert seen[0] is not None and [item["data"] for item in seen[0].items] == ["yes", "no"]
    assert seen[1] is None


async def test_an_expired_menu_is_said_so(zalo: ZaloSandbox, bridge: Any, sessionmaker: Any) -> None:
    bot, intake = bridge
    lan = zalo.user("Lan")
    chat_id = (await intake.convert(event(lan, "hi"))).updates[0].message.chat.id
    async with sessionmaker() as session:
        past = datetime.now(UTC) - timedelta(days=3)
        await Repo(session).channels.set_menu("zalo", chat_id, items=[{"label": "A", "data": "a"}], message_id=1,
                                              message_text="", locale="vi", now=past, expires_at=past)
        await session.commit()
    fresh = ZaloIntake(Directory(sessionmaker), intake.bot_user)
    answer = await fresh.convert(event(lan, "1"))
    assert answer.updates == [] and "expired" in answer.answers[0][1]


async def test_stickers_and_unsupported_messages_get_an_answer(zalo: ZaloSandbox, bridge: Any) -> None:
    _, intake = bridge
    lan = zalo.user("Lan")
    for name in ("message.sticker.received", "message.unsupported.received", "message.image.received"):
        result = await intake.convert(event(lan, "", name=name))
        assert result.updates == [] and "text" in result.answers[0][1]
    image = event(lan, "", name="message.image.received")
    image["message"].update(photo="https://zalo.example/p.jpg", caption="nhà bác C")
    [update] = (await intake.convert(image)).updates
    assert update.message.photo[-1].file_id == "https://zalo.example/p.jpg" and update.message.caption == "nhà bác C"


def test_update_ids_follow_dates_and_dedupe_on_the_event_key() -> None:
    a = update_id("message.text.received", "2d758cb5e222177a4e35", 1750316131602)
    assert a == update_id("message.text.received", "2d758cb5e222177a4e35", 1750316131602)
    assert update_id("message.text.received", "ffffffffffffffffffff", 1750316131603) > a
    assert a != update_id("message.sticker.received", "2d758cb5e222177a4e35", 1750316131602)
    assert a < 2**63


async def test_edits_alerts_photos_documents_and_pins(zalo: ZaloSandbox, bridge: Any) -> None:
    bot, intake = bridge
    lan = zalo.user("Lan")
    chat_id = (await intake.convert(event(lan, "hi"))).updates[0].message.chat.id
    sent = await bot.send_message(chat_id, "một")
    await bot.edit_message_text("hai", chat_id=chat_id, message_id=sent.message_id)
    await bot.answer_callback_query(f"{chat_id}:1", text="Đã lưu", show_alert=True)
    await bot.send_photo(chat_id, BufferedInputFile(b"\x89PNG-qr", "vietqr.png"), caption="<b>QR</b>")
    await bot.send_document(chat_id, BufferedInputFile(b"a;b", "bao-cao.csv"), caption="Báo cáo")
    assert await bot.pin_chat_message(chat_id, sent.message_id) is True
    got = lan.messages()
    assert [m.get("text") or m.get("caption") for m in got[:4]] == ["một", "hai", "Đã lưu", "QR"]
    assert list(zalo.photos.values()) == [b"\x89PNG-qr"] and "/f/" in got[3]["photo"]
    assert got[4]["text"].startswith("Báo cáo\n📎 http://127.0.0.1:") and got[4]["text"].endswith("/bao-cao.csv")
    assert zalo.violations == []


async def test_quota_exceeded_pauses_zalo(zalo: ZaloSandbox, bridge: Any) -> None:
    bot, intake = bridge
    lan = zalo.user("Lan")
    chat_id = (await intake.convert(event(lan, "hi"))).updates[0].message.chat.id
    zalo.quota = 0
    with pytest.raises(TelegramRetryAfter):
        await bot.send_message(chat_id, "một")
    zalo.quota = None
    with pytest.raises(TelegramRetryAfter):  # paused: not even tried
        await bot.send_message(chat_id, "hai")
    assert [c.method for c in zalo.calls].count("sendMessage") == 1


def test_telegram_deep_links_become_the_command_to_type_and_phone_button_words_go() -> None:
    from bot.channels.zalo.session import for_zalo

    link = InlineKeyboardMarkup(inline_keyboard=[
        [InlineKeyboardButton(text="🤝 Đóng góp", url="https://t.me/village_bot?start=dg_AB12cd")]])
    assert menu_of(link)[1] == ["🔗 🤝 Đóng góp: /start dg_AB12cd"]
    assert for_zalo("Trả lời tại https://t.me/village_bot?start=yk_Q9 nhé") == "Trả lời tại /start yk_Q9 nhé"
    hint = "Party member? Choose “📱 I am a party member: share my phone” below to link your account."
    assert for_zalo(f"Your village: X\n\n{hint}\nWrong village? Send /doithon.") == (
        "Your village: X\n\nWrong village? Send /doithon."
    )


def test_served_files_outlive_a_restart_and_expire(tmp_path: Path) -> None:
    now = [1_000_000.0]
    first = FileShelf("https://bot.example", tmp_path / "files", ttl=3600, clock=lambda: now[0])
    url = first.put(b"\x89PNG-qr", "vietqr.png")
    name = url.split("/f/", 1)[1].split("/", 1)[0]
    again = FileShelf("https://bot.example", tmp_path / "files", ttl=3600, clock=lambda: now[0])  # a restart
    served = again.get(name)
    assert served is not None and served.data == b"\x89PNG-qr" and served.content_type == "image/png"
    assert again.get("../../etc/passwd") is None and again.get("x" * 22) is None
    now[0] += 3601
    assert again.get(name) is None  # expired: the link answers 404
    again.put(b"other", "chart.png")  # the next upkeep removes the expired files
    assert not (tmp_path / "files" / name).exists() and not (tmp_path / "files" / f"{name}.json").exists()


def test_served_files_are_bounded(tmp_path: Path) -> None:
    shelf = FileShelf("https://bot.example", tmp_path / "files", max_bytes=10)
    shelf.put(b"a" * 8, "a.png")
    shelf._swept = 0  # noqa: SLF001  (sweep at once, not a minute later)
    shelf.put(b"b" * 8, "b.png")
    shelf._swept = 0  # noqa: SLF001
    shelf.put(b"c" * 8, "c.png")
    assert sum(1 for p in (tmp_path / "files").iterdir() if p.suffix != ".json") <= 2


async def test_near_the_quota_bulk_waits_and_replies_go(zalo: ZaloSandbox, bridge: Any) -> None:
    from bot.channels.base import SENDING_PRIORITY, RateLimited
    from bot.channels.zalo.quota import QuotaGuard
    from bot.channels.zalo.runtime import ZaloChannel
    from bot.delivery.contract import OutgoingMessage, Priority

    bot, intake = bridge
    lan = zalo.user("Lan")
    chat_id = (await intake.convert(event(lan, "hi"))).updates[0].message.chat.id
    bot.session.guard = QuotaGuard(quota=10, reserve_percent=20)
    channel = ZaloChannel(bot)
    for n in range(8):
        SENDING_PRIORITY.set(Priority.BULK)
        await channel.send(chat_id, OutgoingMessage(text=f"tin {n}"))  # 8 sent: now near (10 - 20 %)
    assert bot.session.guard.near and bot.session.guard.should_tell() and not bot.session.guard.should_tell()
    with pytest.raises(RateLimited) as held:
        await channel.send(chat_id, OutgoingMessage(text="thông báo"))
    assert not held.value.whole_budget and held.value.retry_after > 0  # waits; Telegram does not
    for priority in (Priority.INTERACTIVE, Priority.REMINDER, None):
        SENDING_PRIORITY.set(priority)
        await channel.send(chat_id, OutgoingMessage(text="trả lời"))
    texts = [m.get("text") for m in lan.messages()]
    assert "thông báo" not in texts and texts.count("trả lời") == 3


async def test_a_polled_event_outlives_a_crash_before_the_inbox_has_it(
    zalo: ZaloSandbox, bridge: Any, tmp_path: Path
) -> None:
    """Zalo's getUpdates hands an event out once: killed between the poll and the
    inbox's commit, the bot finds the event in its journal at the next start."""
    import asyncio

    from bot.channels.zalo.runtime import ZaloRunner

    bot, intake = bridge

    class Inbox:
        def __init__(self) -> None:
            self.crash, self.stored = True, []  # type: ignore[var-annotated]

        async def store(self, updates: list[Any], bot_id: int | None = None) -> int:
            if self.crash:
                raise asyncio.CancelledError  # the process dies here, before the commit
            self.stored.extend(updates)
            return len(updates)

    inbox = Inbox()
    runner = ZaloRunner(bot, inbox, None, journal_dir=tmp_path / "polled")
    runner.intake = intake
    await zalo.user("Lan").send("Xin chào")
    with pytest.raises(asyncio.CancelledError):
        await runner._poll()  # noqa: SLF001
    assert zalo.pending_updates == 0 and inbox.stored == []  # Zalo will not hand it out again

    inbox.crash = False
    restarted = ZaloRunner(bot, inbox, None, journal_dir=tmp_path / "polled")
    restarted.intake = intake
    assert await restarted.replay() == 1
    # Stored (as typed: the first attempt had already given the person an address, so
    # the replay does not see a newcomer), and the journal is empty again.
    assert inbox.stored[0].message.text == "Xin chào" and not list((tmp_path / "polled").glob("*.json"))
    assert await restarted.replay() == 0


async def test_the_bridges_own_words_follow_the_recipients_language(zalo: ZaloSandbox, bridge: Any) -> None:
    """A message the engine builds (a reminder with choices) carries its recipient's
    language (the sender stamps it); the hint the bridge adds under the numbered menu
    follows it, not the bot's default language."""
    from bot.channels.zalo.runtime import ZaloChannel
    from bot.delivery.contract import Choice, OutgoingMessage
    from bot.i18n import create_i18n

    bot, intake = bridge
    bot.session.languages = (create_i18n("vi"), "vi")
    channel = ZaloChannel(bot)
    lan = zalo.user("Lan")
    chat_id = (await intake.convert(event(lan, "hi"))).updates[0].message.chat.id
    choices = ((Choice("Đã thăm", "v:1"),), (Choice("Hẹn lại", "v:2"),))
    await channel.send(chat_id, OutgoingMessage(text="Visit reminder", choices=choices, locale="en"))
    assert "Reply with a number from 1 to 2" in lan.messages()[-1]["text"]
    await channel.send(chat_id, OutgoingMessage(text="Nhắc thăm hộ", choices=choices, locale="vi"))
    assert "Reply with a number" not in lan.messages()[-1]["text"]


STEP = InlineKeyboardMarkup(inline_keyboard=[
    [InlineKeyboardButton(text="Ngày mai", callback_data="d:1"), InlineKeyboardButton(text="Tuần sau", callback_data="d:7")],
    [InlineKeyboardButton(text="✖ Hủy", callback_data="x")],
])
ONLY_CANCEL = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="❌ Hủy", callback_data="yk:cancel")]])


def test_a_steps_way_out_is_number_zero() -> None:
    items, lines = menu_of(STEP)
    assert lines == ["1. Ngày mai", "2. Tuần sau", "0. ✖ Hủy", "Reply with a number from 1 to 2, or 0 to cancel."]
    assert [item["data"] for item in items] == ["d:1", "d:7", "x"]
    items, lines = menu_of(ONLY_CANCEL)
    assert lines == ["0. ❌ Hủy", "Type your answer, or 0 to cancel."]


async def test_a_number_typed_on_a_step_is_its_answer_not_a_wrong_choice(zalo: ZaloSandbox, bridge: Any) -> None:
    """A prompt whose only button is ✖ (a day, an 'other' answer, an amount) read "1"
    as ✖ and "25" as out of range: the typed answer was lost."""
    bot, intake = bridge
    lan = zalo.user("Lan")
    chat_id = (await intake.convert(event(lan, "Xin chào"))).updates[0].message.chat.id
    await bot.send_message(chat_id, "Hoãn đến ngày nào?", reply_markup=ONLY_CANCEL)
    assert lan.messages()[-1]["text"].endswith("0. ❌ Hủy\nType your answer, or 0 to cancel.")
    for typed in ("1", "25", "2"):
        assert (await intake.convert(event(lan, typed))).updates[0].message.text == typed
    assert (await intake.convert(event(lan, "0"))).updates[0].callback_query.data == "yk:cancel"

    await bot.send_message(chat_id, "Hoãn đến khi nào?", reply_markup=STEP)
    assert (await intake.convert(event(lan, "2"))).updates[0].callback_query.data == "d:7"
    assert (await intake.convert(event(lan, "0"))).updates[0].callback_query.data == "x"
    assert (await intake.convert(event(lan, "25"))).updates[0].message.text == "25"

    await bot.send_message(chat_id, "Bạn đồng ý?", reply_markup=KEYBOARD)  # a choice, no way out
    wrong = await intake.convert(event(lan, "5"))
    assert wrong.updates == [] and "1 to 2" in wrong.answers[0][1]
