"""The Zalo channel end to end: the real bot process, the Telegram sandbox and the
Zalo sandbox; the same handlers answer on Zalo through the bridge session."""

from __future__ import annotations

import re
import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.sandbox import Sandbox
from bot.sandbox.zalo import ZaloSandbox, ZaloUser
from storage.models import PendingMenu, Pledge, Question, User, Visit
from tests.e2e.harness import BotProcess
from tests.e2e.test_onboarding import eventually

ZALO_TOKEN = "5550001:zalo-e2e-token"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
async def zalo() -> AsyncIterator[ZaloSandbox]:
    sb = await ZaloSandbox.start()
    yield sb
    await sb.stop()
    assert sb.violations == [], f"the bot used what Zalo does not have: {sb.violations}"


@pytest.fixture
async def zalo_db(request: pytest.FixtureRequest, e2e_db: str) -> str:
    """SQLite (``e2e_db``), or with ``indirect`` parametrization "postgresql": the
    session's PostgreSQL database, emptied and given the same organisation."""
    if getattr(request, "param", "sqlite") == "sqlite":
        return e2e_db
    from bot.services.org_import import apply_org, parse_org
    from storage.db import create_engine, create_sessionmaker
    from storage.repo import Repo
    from tests.conftest import _truncate_pg
    from tests.data_org import ORG_YAML

    url = request.getfixturevalue("postgres_url")
    await _truncate_pg(url)
    engine = create_engine(url)
    async with create_sessionmaker(engine)() as session:
        await apply_org(Repo(session), parse_org(ORG_YAML))
        await session.commit()
    await engine.dispose()
    return url


@pytest.fixture
async def zalo_bot(sandbox: Sandbox, zalo: ZaloSandbox, zalo_db: str, tmp_path: Path) -> AsyncIterator[BotProcess]:
    port = free_port()
    process = BotProcess(
        sandbox, zalo_db, tmp_path, ZALO_BOT_TOKEN=ZALO_TOKEN, ZALO_API_URL=zalo.base_url,
        ZALO_LISTEN=f"127.0.0.1:{port}", PUBLIC_URL=f"http://127.0.0.1:{port}",
    )
    await process.start()
    await zalo.wait_until(lambda: any(c.method == "getUpdates" for c in zalo.calls), 20)
    yield process
    await process.stop()
    print("---- bot log ----\n" + process.log()[-6000:])
    print("---- zalo ----", [(m.get("text") or m.get("photo")) for msgs in zalo.chats.values() for m in msgs])
    assert "Traceback" not in process.log(), process.log()[-5000:]


async def until(user: ZaloUser, words: str) -> dict:
    message = await user.next_message()
    while words not in message.get("text", ""):
        message = await user.next_message()
    return message


async def onboard(user: ZaloUser) -> None:
    await user.send("Xin chào")
    hello = await user.next_message()
    assert "1. 🇻🇳 Tiếng Việt" in hello["text"] and "2. 🇬🇧 English" in hello["text"]
    await user.send("1")
    asked = await until(user, "thôn")
    assert "<i>" not in asked["text"]  # HTML became plain text
    await user.send("nam bac thnh")
    choices = await until(user, "Thôn Nam Bắc Thành – Xã Cẩm Thành")
    number = next(line.split(".")[0] for line in choices["text"].splitlines() if "Nam Bắc Thành –" in line)
    await user.send(number)
    await until(user, "Thôn Nam Bắc Thành")


async def test_onboarding_by_typed_village_name_and_numbers(zalo: ZaloSandbox, zalo_bot: BotProcess) -> None:
    lan = zalo.user("Lan")
    await onboard(lan)
    rows = await eventually(
        zalo_bot.sandbox, zalo_bot.database_url, select(User).where(User.platform == "zalo"),
        lambda rows: rows[0].village_id is not None and rows[0].language == "vi",
    )
    assert rows[0].full_name == "Lan"


async def test_bad_input_gets_a_clear_answer(zalo: ZaloSandbox, zalo_bot: BotProcess) -> None:
    lan = zalo.user("Lan")
    await lan.send("Xin chào")
    await lan.next_message()  # the language menu: 2 choices
    await lan.send("7")
    assert "từ 1 đến 2" in (await lan.next_message())["text"]
    await lan.send_sticker()
    assert "tin nhắn chữ" in (await lan.next_message())["text"]
    await lan.send_unsupported()
    assert "tin nhắn chữ" in (await lan.next_message())["text"]
    await lan.send("2")  # the menu is still there after the wrong answers
    assert "English" in (await lan.next_message())["text"]


async def test_a_numbered_menu_survives_a_restart(zalo: ZaloSandbox, zalo_bot: BotProcess) -> None:
    lan = zalo.user("Lan")
    await lan.send("Xin chào")
    hello = await lan.next_message()
    assert "2. 🇬🇧 English" in hello["text"]
    await eventually(zalo_bot.sandbox, zalo_bot.database_url, select(PendingMenu), lambda rows: len(rows[0].items) == 2)
    await zalo_bot.kill()
    await zalo_bot.start()
    await lan.send("2")
    asked = await lan.next_message()
    while "village" not in asked["text"].lower():
        asked = await lan.next_message()
    assert "Which village" in asked["text"]


async def test_a_criteria_question_is_answered(zalo: ZaloSandbox, zalo_bot: BotProcess) -> None:
    lan = zalo.user("Lan")
    await onboard(lan)
    await lan.send("tiêu chí môi trường là gì")
    answer = await until(lan, "Tiêu chí 17 – Môi trường")
    assert "<b>" not in answer["text"] and len(answer["text"]) <= 2000

    # Asking the branch: the "❓" choice by number; the alert comes back as a short message.
    await lan.send("đường thôn cần đạt tiêu chuẩn gì")
    offered = await until(lan, "Gửi câu hỏi cho chi bộ")
    await lan.send(numbered(offered, "Gửi câu hỏi cho chi bộ"))
    told = await until(lan, "chi bộ")
    assert told["text"] != offered["text"]
    await eventually(  # forwarded to the branch ("open"), like on Telegram
        zalo_bot.sandbox, zalo_bot.database_url, select(Question),
        lambda rows: any("đường thôn" in q.text and q.status == "open" for q in rows),
    )


def numbered(message: dict, label: str) -> str:
    """The number shown in front of ``label`` in a numbered menu."""
    for line in message["text"].splitlines():
        head, _, rest = line.partition(". ")
        if head.isdigit() and label in rest:
            return head
    raise AssertionError(f"no {label!r} in {message['text']!r}")


async def test_a_broadcast_reaches_a_zalo_resident(sandbox: Sandbox, zalo: ZaloSandbox, zalo_bot: BotProcess) -> None:
    from tests.e2e.test_broadcasts import compose_now

    lan = zalo.user("Lan")
    await onboard(lan)
    await compose_now(sandbox, "Chủ nhật xanh: 6h30 tập trung ở nhà văn hóa & mang chổi")
    got = await until(lan, "Chủ nhật xanh")
    assert "& mang chổi" in got["text"] and "&amp;" not in got["text"]


async def test_a_pledge_with_its_vietqr_photo(sandbox: Sandbox, zalo: ZaloSandbox, zalo_bot: BotProcess) -> None:
    from tests.e2e.test_contributions import create_campaign

    await create_campaign(sandbox)
    lan = zalo.user("Lan")
    await onboard(lan)
    await lan.send("/donggop")
    menu = await until(lan, "Nhà văn hóa thôn")
    if "1. " in menu["text"] and "Tiền" not in menu["text"]:
        await lan.send(numbered(menu, "Nhà văn hóa thôn"))
        menu = await until(lan, "Tiền")
    await lan.send(numbered(menu, "Tiền"))
    await until(lan, "1. ")  # quick amounts, or type one
    await lan.send("1tr")
    confirm = await until(lan, "1.000.000")
    assert confirm["text"].splitlines()[-1].startswith("Trả lời bằng một số từ 1 đến")
    await lan.send("1")  # the first button confirms (as on Telegram)

    async def photo() -> dict | None:
        return next((m for m in lan.messages() if m.get("type") == "photo"), None)

    qr = await zalo.wait_until(photo, 15)
    assert zalo.photos[qr["message_id"]].startswith(b"\x89PNG") and "DG " in qr["caption"]
    assert qr["photo"].startswith(zalo_bot.extra_env["PUBLIC_URL"] + "/f/")

    await zalo_bot.kill()  # the link sent before a crash still opens after the restart
    await zalo_bot.start()
    import aiohttp

    async def fetched() -> tuple[int, bytes] | None:
        try:
            async with aiohttp.ClientSession() as http, http.get(qr["photo"]) as response:
                return response.status, await response.read()
        except aiohttp.ClientConnectionError:
            return None  # the Zalo side's server is not listening yet

    assert await zalo.wait_until(fetched, 15) == (200, zalo.photos[qr["message_id"]])

    shown = len(lan.messages())
    await lan.send("/congkhai")  # the totals and the chart, the chart by URL too

    async def board() -> list[dict] | None:
        new = lan.messages()[shown:]
        texts = " ".join(m.get("text") or m.get("caption") or "" for m in new)
        return new if "Nhà văn hóa thôn" in texts and "1.000.000" in texts else None

    await zalo.wait_until(board, 15)


@pytest.mark.parametrize("zalo_db", ["sqlite", "postgresql"], indirect=True)
async def test_kill_9_right_after_a_pledge_is_confirmed_loses_nothing(
    sandbox: Sandbox, zalo: ZaloSandbox, zalo_bot: BotProcess
) -> None:
    """The resident reads "✅ your pledge #N is recorded" and the bot dies that instant
    (the sandbox shows the message, then holds the call's answer until the kill): the
    pledge is there after the restart, and what was still to come (the VietQR) comes."""
    from tests.e2e.test_contributions import create_campaign

    await create_campaign(sandbox)
    lan = zalo.user("Lan")
    await onboard(lan)
    await lan.send("/donggop")
    menu = await until(lan, "Nhà văn hóa thôn")
    if "1. " in menu["text"] and "Tiền" not in menu["text"]:
        await lan.send(numbered(menu, "Nhà văn hóa thôn"))
        menu = await until(lan, "Tiền")
    await lan.send(numbered(menu, "Tiền"))
    await until(lan, "1. ")
    await lan.send("1tr")
    await until(lan, "1.000.000")
    zalo.hold = lambda message: (message.get("text") or "").startswith("✅")
    await lan.send("1")  # confirm
    await zalo.wait_until(lambda: zalo.held, 15)
    seen = zalo.held[0]["text"]
    number = int(re.search(r"#(\d+)", seen).group(1))  # type: ignore[union-attr]
    await zalo_bot.kill()  # kill -9 while the confirmation is on the resident's screen
    zalo.release()
    await zalo_bot.start()

    [pledge] = await eventually(
        zalo_bot.sandbox, zalo_bot.database_url, select(Pledge), lambda rows: len(rows) >= 1
    )
    assert pledge.id == number and pledge.amount == 1_000_000
    await zalo.wait_until(lambda: any(m.get("type") == "photo" for m in lan.messages()), 20)  # the VietQR
    confirmed = [m for m in lan.messages() if (m.get("text") or "").startswith("✅")]
    assert 1 <= len(confirmed) <= 2  # at most the one in flight at the kill, again


async def test_a_member_links_by_code_then_answers_a_reminder_by_number(
    sandbox: Sandbox, zalo: ZaloSandbox, zalo_bot: BotProcess
) -> None:
    from tests.e2e.test_visits_engine import VN, plan_due, restart_at

    code, out = await zalo_bot.run_cli("invite", "0912000002")
    assert code == 0, out
    token = out.strip().rsplit("inv_", 1)[1]
    binh = zalo.user("Bình")
    await binh.send(token)  # typed: Zalo has no deep links and no phone button
    await until(binh, "Trần Văn B")

    due = datetime.now(VN).date() + timedelta(days=3)
    await plan_due(zalo_bot.database_url, due)
    await restart_at(zalo_bot, datetime.combine(due - timedelta(days=1), time(19, 0), tzinfo=VN) - timedelta(seconds=2))
    reminder = await until(binh, "đồng chí có lịch thăm")
    assert "NBT-001" in reminder["text"]
    await binh.send(numbered(reminder, "Đã thăm"))
    day = await until(binh, "Đồng chí thăm hôm nào")
    await binh.send(numbered(day, "Hôm nay"))
    checklist = await until(binh, "Đồng chí thấy tình hình thế nào")
    await binh.send(numbered(checklist, "Tiếp"))
    await until(binh, "Ghi vài dòng")
    await binh.send("Nhà dột, cần sửa mái")
    needs = await until(binh, "Hộ có nêu nhu cầu")
    await binh.send(numbered(needs, "Tiếp"))
    photo = await until(binh, "gửi ảnh")
    assert numbered(photo, "Hoàn tất không cần ảnh")
    await binh.send_image("https://photo-zalo.example/visit.jpg", "mái nhà")
    await until(binh, "Đã ghi nhận buổi thăm")
    [visit] = await eventually(zalo_bot.sandbox, zalo_bot.database_url, select(Visit), lambda rows: len(rows) == 1)
    assert visit.photo_file_id == "https://photo-zalo.example/visit.jpg"
    await binh.send("/lichtham")
    await until(binh, "NBT-001")


async def test_webhook_mode_answers_200_after_the_insert(sandbox: Sandbox, zalo: ZaloSandbox, e2e_db: str, tmp_path: Path) -> None:
    port = free_port()
    secret = "Zk3-q9xP_w2LmV7rT4yB8nC1dF6gH0jA"
    bot = BotProcess(
        sandbox, e2e_db, tmp_path, ZALO_BOT_TOKEN=ZALO_TOKEN, ZALO_API_URL=zalo.base_url,
        ZALO_LISTEN=f"127.0.0.1:{port}", PUBLIC_URL=f"http://127.0.0.1:{port}",
        ZALO_WEBHOOK_URL=f"http://127.0.0.1:{port}/zalo-hook", ZALO_WEBHOOK_SECRET=secret,
    )
    await bot.start()
    try:
        await zalo.wait_until(lambda: zalo.webhook_url, 20)
        assert zalo.webhook_secret == secret and not any(c.method == "getUpdates" for c in zalo.calls)
        lan = zalo.user("Lan")
        await lan.send("Xin chào")
        assert "1. 🇻🇳 Tiếng Việt" in (await lan.next_message())["text"]
        assert zalo.pending_updates == 0
        import aiohttp

        async with aiohttp.ClientSession() as http:  # a forged call without the secret
            async with http.post(f"http://127.0.0.1:{port}/zalo-hook", json={"ok": True, "result": {}}) as r:
                assert r.status == 401
    finally:
        await bot.stop()
    assert "Traceback" not in bot.log(), bot.log()[-5000:]


async def test_quota_exceeded_pauses_only_zalo_and_loses_nothing(
    sandbox: Sandbox, zalo: ZaloSandbox, e2e_db: str, tmp_path: Path
) -> None:
    from tests.e2e.test_broadcasts import compose_now

    port = free_port()
    bot = BotProcess(
        sandbox, e2e_db, tmp_path, ZALO_BOT_TOKEN=ZALO_TOKEN, ZALO_API_URL=zalo.base_url,
        ZALO_LISTEN=f"127.0.0.1:{port}", PUBLIC_URL=f"http://127.0.0.1:{port}", BOT_ADMINS="9001",
    )
    operator = sandbox.user(9001, "Operator", language_code="vi")
    await operator.send("/start")
    await bot.start()
    try:
        await operator.next_message()
        lan = zalo.user("Lan")
        await onboard(lan)
        neighbour = sandbox.user(3001, "Hoa", language_code="vi")
        await neighbour.send("/start v_nam-bac-thanh")
        await neighbour.next_message()
        zalo.quota = 0
        await compose_now(sandbox, "Họp thôn tối nay")

        async def on_telegram() -> bool:
            return any("Họp thôn tối nay" in (m.get("text") or "") for m in sandbox.messages(neighbour))

        await sandbox.wait_until(on_telegram, timeout=15)  # Telegram goes on while Zalo is paused
        assert not any("Họp thôn" in (m.get("text") or "") for m in lan.messages())
        told = await operator.next_message(timeout=20)  # once per episode, in the operator's language
        while "hạn mức" not in (told.get("text") or ""):
            told = await operator.next_message(timeout=20)
        zalo.quota = None
        got = await until(lan, "Họp thôn tối nay")  # sent after the backoff, not dropped
        assert got["type"] == "text"
    finally:
        await bot.stop()
    assert "Traceback" not in bot.log(), bot.log()[-5000:]
    code, out = await bot.run_cli("status")
    month = datetime.now(UTC).strftime("%Y-%m")
    assert code == 0 and f"zalo {month}: " in out and "quota exceeded" in out, out
    assert "people and chats: zalo 1" in out, out


async def test_browsing_progress_and_my_pledges(zalo: ZaloSandbox, zalo_bot: BotProcess) -> None:
    lan = zalo.user("Lan")
    await onboard(lan)
    await lan.send("/tieuchi")
    sets = await until(lan, "Bạn muốn xem bộ tiêu chí nào")
    await lan.send(numbered(sets, "2021–2025"))
    criteria = await lan.next_message()  # the set's criteria, numbered, with the navigation
    assert "19 tiêu chí" in criteria["text"] and numbered(criteria, "Các bộ tiêu chí") == "10"
    assert "\n1. Quy hoạch" in criteria["text"]  # a label that carries its own number is not numbered twice
    await lan.send("/tiendo")

    async def chart() -> dict | None:
        return next((m for m in lan.messages() if m.get("type") == "photo"), None)

    await zalo.wait_until(chart, 15)
    await lan.send("/cuatoi")
    mine = await lan.next_message()
    while mine.get("type") == "photo" or "tiêu chí" in mine.get("text", "").lower():
        mine = await lan.next_message()
    assert mine["type"] == "text" and mine["text"]


async def test_one_person_on_both_channels_is_one_user(sandbox: Sandbox, zalo: ZaloSandbox, zalo_bot: BotProcess) -> None:
    """A resident on Telegram shows a code (/ketnoi), types it on Zalo and confirms:
    one user, reached once, on the channel used last."""
    from tests.e2e.test_broadcasts import compose_now

    hoa = sandbox.user(3001, "Hoa", language_code="vi")
    await hoa.send("/start v_nam-bac-thanh")
    await hoa.next_message()
    await hoa.send("/ketnoi")
    shown = await next_text(sandbox, hoa, "Mã liên kết")
    code = re.search(r"Mã liên kết của bạn: ([A-Z0-9]{6})", shown["text"]).group(1)  # type: ignore[union-attr]
    assert "Không đưa mã này cho bất kỳ ai" in shown["text"]  # whoever types it gets the account

    lan = zalo.user("Hoa Zalo")
    await lan.send("ZZZ999")  # a wrong code: refused politely, and counted
    assert "không đúng hoặc đã hết hạn" in (await lan.next_message())["text"]
    await lan.send(code.lower())
    offer = await until(lan, "Hoa")
    await lan.send(numbered(offer, "Có, liên kết"))
    await until(lan, "là một")
    await eventually(
        sandbox, zalo_bot.database_url, select(User).where(User.full_name.like("Hoa%")),
        lambda rows: len(rows) == 1 and rows[0].platform == "zalo" and rows[0].village_id is not None,
    )
    await compose_now(sandbox, "Họp thôn lúc 19h")
    await until(lan, "Họp thôn lúc 19h")  # on Zalo, used last ...
    await hoa.send("/cuatoi")  # ... until the person writes on Telegram again
    await hoa.next_message()
    await eventually(
        sandbox, zalo_bot.database_url, select(User).where(User.full_name.like("Hoa%")),
        lambda rows: len(rows) == 1 and (rows[0].platform, rows[0].platform_user_id) == ("telegram", 3001),
    )
    everything = [m.get("text") or "" for m in lan.messages()] + [m.get("text") or "" for m in sandbox.messages(hoa)]
    assert sum("Họp thôn lúc 19h" in t for t in everything) == 1


async def next_text(sandbox: Sandbox, user, words: str) -> dict:  # type: ignore[no-untyped-def]
    message = await user.next_message()
    while words not in (message.get("text") or ""):
        message = await user.next_message()
    return message


async def ask(zalo: ZaloSandbox, user: ZaloUser, text: str) -> dict:
    """Send ``text`` and return the first message that comes back."""
    shown = len(user.messages())
    await user.send(text)
    await zalo.wait_until(lambda: len(user.messages()) > shown or None, 15)
    return user.messages()[shown]


async def open_money_pledge(user: ZaloUser, money: str) -> None:
    """/donggop, the campaign if asked, then the money kind: up to the amounts."""
    await user.send("/donggop")
    menu = await until(user, "Nhà văn hóa thôn")
    if money not in menu["text"]:
        await user.send(numbered(menu, "Nhà văn hóa thôn"))
        menu = await until(user, money)
    await user.send(numbered(menu, money))


async def walk_resident_flows(zalo: ZaloSandbox, walkers: list[ZaloUser], words: dict[str, str]) -> list[str]:
    """Four residents walk the flows a resident has on Zalo (four, so that each stays
    within a person's fair share of typed messages); every text they were sent."""
    lan, hong, cuc, mai = walkers
    for command in ("/help", "/tiendo", "/congkhai", "/layykien"):
        await ask(zalo, lan, command)
    await ask(zalo, hong, "/ketnoi")
    languages = await ask(zalo, hong, "/ngonngu")
    await ask(zalo, hong, numbered(languages, words["language"]))
    await ask(zalo, hong, "/doithon")
    await ask(zalo, hong, "hủy")

    sets = await ask(zalo, cuc, "/tieuchi")
    criteria = await ask(zalo, cuc, numbered(sets, "2021–2025"))
    await words["criteria"](cuc, criteria)  # type: ignore[operator]
    await open_money_pledge(cuc, words["money"])
    amounts = await until(cuc, "1. ")
    assert words["amounts"] in amounts["text"]
    await ask(zalo, cuc, "abc")  # not an amount: told how to answer

    await open_money_pledge(mai, words["money"])
    await until(mai, "1. ")
    await mai.send("1tr")
    confirm = await until(mai, words["million"])
    await mai.send(numbered(confirm, words["confirm"]))
    await zalo.wait_until(lambda: next((m for m in mai.messages() if m.get("type") == "photo"), None), 15)
    await ask(zalo, mai, "/cuatoi")
    await ask(zalo, mai, words["chatter"])
    return [m.get("text") or m.get("caption") or "" for w in walkers for m in w.messages()]


async def test_resident_flows_on_zalo_never_say_press_or_show_telegram_links(
    sandbox: Sandbox, zalo: ZaloSandbox, zalo_bot: BotProcess
) -> None:
    """Zalo has no buttons and no t.me links: residents walking every flow there are
    never told to "bấm" (press) anything nor sent a Telegram link."""
    from tests.e2e.test_contributions import create_campaign

    await create_campaign(sandbox)
    walkers = [zalo.user(name) for name in ("Lan", "Hồng", "Cúc", "Mai")]
    for walker in walkers:
        await onboard(walker)

    async def criteria_vi(cuc: ZaloUser, criteria: dict) -> None:
        await ask(zalo, cuc, numbered(criteria, "Giao thông"))
        await cuc.send("đường thôn cần đạt tiêu chuẩn gì")
        offered = await until(cuc, "Gửi câu hỏi cho chi bộ")
        await cuc.send(numbered(offered, "Gửi câu hỏi cho chi bộ"))
        await until(cuc, "chi bộ")

    said = await walk_resident_flows(zalo, walkers, {
        "language": "Tiếng Việt", "criteria": criteria_vi, "money": "Tiền", "amounts": "",
        "million": "1.000.000", "confirm": "Xác nhận", "chatter": "xin chào bot",
    })
    assert len(said) > 30
    offending = [t for t in said if "bấm" in t.lower() or "t.me" in t.lower()]
    assert offending == []


async def onboard_en(user: ZaloUser) -> None:
    await user.send("Hello")
    hello = await user.next_message()
    await user.send(numbered(hello, "English"))
    await until(user, "Which village")
    await user.send("nam bac thnh")
    choices = await until(user, "Thôn Nam Bắc Thành – Xã Cẩm Thành")
    await user.send(numbered(choices, "Nam Bắc Thành –"))
    await until(user, "Thôn Nam Bắc Thành")


PRESS = re.compile(r"\bpress|\btap\b|bấm|t\.me", re.IGNORECASE)


async def test_english_resident_flows_on_zalo_never_say_press(
    sandbox: Sandbox, zalo: ZaloSandbox, zalo_bot: BotProcess
) -> None:
    """The same walk in English: Zalo has no buttons, so no text tells the resident to
    "press" or "tap" anything (the English texts say "choose" on both channels)."""
    from tests.e2e.test_contributions import create_campaign

    await create_campaign(sandbox)
    walkers = [zalo.user(name) for name in ("Lan", "Hồng", "Cúc", "Mai")]
    for walker in walkers:
        await onboard_en(walker)

    async def criteria_en(cuc: ZaloUser, criteria: dict) -> None:
        assert "Choose one to read it" in criteria["text"]
        await ask(zalo, cuc, "1")

    said = await walk_resident_flows(zalo, walkers, {
        "language": "English", "criteria": criteria_en, "money": "Money", "amounts": "Choose an amount",
        "million": "1,000,000", "confirm": "Confirm", "chatter": "hello bot",
    })
    assert len(said) > 30
    assert [t for t in said if PRESS.search(t)] == []


async def test_near_the_quota_replies_go_first_and_bulk_waits(
    sandbox: Sandbox, zalo: ZaloSandbox, e2e_db: str, tmp_path: Path
) -> None:
    """The plan allows 10 messages a month (the sandbox says 429 after the 10th);
    from the 8th on (20 % kept), an announcement to Zalo waits while a resident's
    reply still goes; the operators are told; nothing is dropped: with a bigger plan
    the announcement goes."""
    from tests.e2e.test_broadcasts import compose_now

    port = free_port()
    env = dict(ZALO_BOT_TOKEN=ZALO_TOKEN, ZALO_API_URL=zalo.base_url, ZALO_LISTEN=f"127.0.0.1:{port}",
               PUBLIC_URL=f"http://127.0.0.1:{port}", BOT_ADMINS="9001",
               ZALO_MONTHLY_QUOTA="10", ZALO_QUOTA_RESERVE="20")
    bot = BotProcess(sandbox, e2e_db, tmp_path, **env)
    operator = sandbox.user(9001, "Operator", language_code="vi")
    await operator.send("/start")
    zalo.quota = 10
    await bot.start()
    try:
        await operator.next_message()
        lan = zalo.user("Lan")
        await onboard(lan)  # 6 messages
        await lan.send("/tiendo")
        await until(lan, "tiêu chí đạt")  # the 7th and 8th (the chart): now near the quota
        told = await operator.next_message(timeout=30)
        while "ZALO_MONTHLY_QUOTA" not in (told.get("text") or ""):
            told = await operator.next_message(timeout=30)
        assert "8" in told["text"] and "10" in told["text"]
        neighbour = sandbox.user(3001, "Hoa", language_code="vi")
        await neighbour.send("/start v_nam-bac-thanh")
        await neighbour.next_message()
        await compose_now(sandbox, "Họp thôn tối nay")

        async def on_telegram() -> bool:
            return any("Họp thôn tối nay" in (m.get("text") or "") for m in sandbox.messages(neighbour))

        await sandbox.wait_until(on_telegram, timeout=15)
        await lan.send("/cuatoi")  # a reply goes: it is what a person waits for
        mine = await lan.next_message()
        while mine.get("type") == "photo":  # /tiendo's chart
            mine = await lan.next_message()
        assert "Họp thôn" not in mine["text"]
        code, out = await bot.run_cli("status")
        assert code == 0 and "NEAR THE QUOTA" in out and "(1 waiting)" in out, out
    finally:
        await bot.stop()
    assert not any("Họp thôn" in (m.get("text") or "") for m in lan.messages())
    assert "Quota exceeded" not in bot.log() and "Traceback" not in bot.log(), bot.log()[-5000:]

    zalo.quota = None  # a bigger plan: the held announcement goes at once after the restart
    (tmp_path / "again").mkdir()
    bigger = BotProcess(sandbox, e2e_db, tmp_path / "again", **{**env, "ZALO_MONTHLY_QUOTA": "1000"})
    await bigger.start()
    try:
        got = await until(lan, "Họp thôn tối nay")
        assert got["type"] == "text"
    finally:
        await bigger.stop()


async def seed_consultation(url: str) -> str:
    from bot.services.authz import Actor
    from bot.services.consultations import service as consult
    from storage.db import create_engine, create_sessionmaker
    from storage.models import ConsultationKind, Voters
    from storage.repo import Repo

    engine = create_engine(url)
    async with create_sessionmaker(engine)() as session:
        repo = Repo(session)
        village = await repo.places.village_by_code("nam-bac-thanh")
        now = datetime.now(UTC)
        draft = consult.Draft("Làm đường bê tông xóm 1?", ConsultationKind.YES_NO, ["Đồng ý", "Không đồng ý"],
                              False, Voters.HOUSEHOLD, True, now + timedelta(days=2))
        created = await consult.create(repo, Actor(None, None, village.id, is_admin=True), draft, now=now)
        await session.commit()
        code = created.code
    await engine.dispose()
    return code


async def test_a_member_on_zalo_votes_for_a_household_and_finds_one_by_name(
    sandbox: Sandbox, zalo: ZaloSandbox, zalo_bot: BotProcess
) -> None:
    """A per-household consultation answered by numbers (the household code typed),
    and a pledge given to a household found by part of its head's name."""
    from storage.models import ConsultationVote, Pledge
    from tests.e2e.test_contributions import create_campaign

    await seed_consultation(zalo_bot.database_url)
    await create_campaign(sandbox)
    code, out = await zalo_bot.run_cli("invite", "0912000002")
    assert code == 0, out
    binh = zalo.user("Bình")
    await binh.send(out.strip().rsplit("inv_", 1)[1])
    await until(binh, "Trần Văn B")

    await binh.send("/layykien")
    ballot = await until(binh, "Làm đường bê tông")
    await binh.send(numbered(ballot, "Không đồng ý"))
    await until(binh, "mã hộ")  # a member without a household of his own types its code
    await binh.send("nbt-001")
    await until(binh, "NBT-001")
    [vote] = await eventually(sandbox, zalo_bot.database_url, select(ConsultationVote), lambda rows: len(rows) == 1)
    assert vote.voter_key.startswith("h:") and vote.choices == [1]

    await binh.send("/donggop")
    menu = await until(binh, "Nhà văn hóa thôn")
    if "Tiền" not in menu["text"]:
        await binh.send(numbered(menu, "Nhà văn hóa thôn"))
        menu = await until(binh, "Tiền")
    await binh.send(numbered(menu, "Tiền"))
    await until(binh, "1. ")
    await binh.send("1tr")
    confirm = await until(binh, "1.000.000")
    await binh.send(numbered(confirm, "Xác nhận"))
    extras = await until(binh, "Hộ gia đình")
    await binh.send(numbered(extras, "Hộ gia đình"))
    await until(binh, "hộ")
    await binh.send("hồ thị")
    found = await until(binh, "NBT-002")
    assert "NBT-001" not in found["text"]  # only what matches, never the whole list
    await binh.send(numbered(found, "NBT-002"))
    await until(binh, "NBT-002 · Hồ Thị E")
    await eventually(
        sandbox, zalo_bot.database_url, select(Pledge),
        lambda rows: len(rows) == 1 and rows[0].household_id is not None,
    )


async def test_a_resident_on_zalo_is_told_what_counts_their_answer_without_a_phone_button(
    zalo: ZaloSandbox, zalo_bot: BotProcess
) -> None:
    """Zalo has no phone button: a resident the roster does not know yet is not asked
    to press 📱 but told what works there (a party member types the household's code,
    or the phone is shared on the other app and the two linked with /ketnoi)."""
    await seed_consultation(zalo_bot.database_url)
    lan = zalo.user("Lan")
    await onboard(lan)
    await lan.send("/layykien")
    ballot = await until(lan, "Làm đường bê tông")
    text = ballot["text"]
    assert "mã hộ" in text and "NBT-001" in text and "/ketnoi" in text
    assert "📱" not in text and "chia sẻ số điện thoại” bên dưới" not in text
    assert not any("📱" in (m.get("text") or "") for m in lan.messages())


async def test_a_zalo_group_mention_is_told_to_write_in_private_and_the_rest_is_left_alone(
    zalo: ZaloSandbox, zalo_bot: BotProcess
) -> None:
    """Groups are not served on Zalo (beta; a bot hears mentions and replies): a message
    mentioning the bot gets one polite "write to me in private" (once an hour per
    group), anything else is left alone, and the sender is not started as a new person."""
    group = zalo.group("Thôn Nam Bắc Thành")
    lan, hong = zalo.user("Lan"), zalo.user("Hồng")
    await lan.send_in_group(group, "chào cả nhà, mai họp thôn nhé")  # not for the bot
    await hong.send_in_group(group, "@Bot Làng tiêu chí môi trường là gì?")
    told = await zalo.wait_until(lambda: group.messages() or None, 15)
    assert "nhắn riêng" in told[0]["text"] and "Bot Làng" in told[0]["text"]
    await lan.send_in_group(group, "@bot làng còn mình thì sao?")  # told a moment ago: not again
    await hong.send("Xin chào")  # in private: the events above were all taken before this one
    assert "1. 🇻🇳 Tiếng Việt" in (await hong.next_message())["text"]  # a new person, started here
    assert len(group.messages()) == 1 and lan.messages() == []


async def test_the_village_prompt_has_its_way_out_as_0_and_the_invite_hint(zalo: ZaloSandbox, zalo_bot: BotProcess) -> None:
    """The newcomer's village prompt carries ✖ (number 0 on Zalo, the numbers being left
    for typing) and, with no phone button here, says to type the invite code (in the
    same message: Zalo's monthly quota counts messages); "0" ends the step."""
    lan = zalo.user("Lan")
    await lan.send("Xin chào")
    await lan.next_message()
    await lan.send("1")
    asked = await until(lan, "thôn")
    assert "mã mời" in asked["text"] and "📱" not in asked["text"], asked["text"]
    assert asked["text"].endswith("0. ✖ Hủy\nGõ câu trả lời, hoặc gõ 0 để hủy."), asked["text"]
    await lan.send("0")
    await until(lan, "Đã hủy")
