"""Consultations through the real bot process, the sandbox and the delivery engine.

A secretary creates a per-household consultation with /layykien (every step typed or
pressed, a review screen, then created); its board reaches the village group with an
"🗳 Cho ý kiến" link; three residents of two households answer from that link (one
by phone, one by phone, a party member by typing the household's code) and one
changes their answer; a resident of another village and a forged button are refused;
the bot's clock moves past the closing time (``VILLAGEBOT_CLOCK_OFFSET``) and the
result is pinned with its chart, the board is edited, and the minutes, the PDF and
the sheet of votes reach the secretary: all say 2 households, the last answer standing.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from bot.sandbox import Sandbox
from bot.services.org_import import apply_org, parse_org
from handlers.consultations.callbacks import YkNew, YkVote
from storage.db import create_engine, create_sessionmaker
from storage.migrate import upgrade
from storage.models import Consultation, ConsultationVote
from storage.repo import Repo
from tests.data_org import ORG_YAML
from tests.e2e.harness import BotProcess
from tests.e2e.test_broadcasts import forged_press
from tests.e2e.test_contributions import eventually, next_with, rows
from tests.e2e.test_visits_engine import restart_at

VN = ZoneInfo("Asia/Ho_Chi_Minh")
SECRETARY, MEMBER, LAN, HA, XA = 1001, 1002, 3101, 3102, 3104
ORG_GROUP = -1001000000001

CONSULT_ORG = ORG_YAML.replace(
    "{code: NBT-002, head: Hồ Thị E, flags: [policy, near_poor]}",
    '{code: NBT-002, head: Hồ Thị E, flags: [policy, near_poor], phone: "0912000102"}',
) + (
    "        households:\n"
    '          - {code: TT-001, head: Đinh Văn H, phone: "0912000201"}\n'
)


@pytest.fixture
async def consult_db(tmp_path: Path) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'consult.db'}"
    engine = create_engine(url)
    await upgrade(engine)
    async with create_sessionmaker(engine)() as session:
        await apply_org(Repo(session), parse_org(CONSULT_ORG))
        await session.commit()
    await engine.dispose()
    return url


@pytest.fixture
async def consult_bot(sandbox: Sandbox, consult_db: str, tmp_path: Path) -> AsyncIterator[BotProcess]:
    group = sandbox.group(ORG_GROUP, "Thôn Nam Bắc Thành", type="supergroup")
    group.bot_status = "administrator"
    bot = BotProcess(sandbox, consult_db, tmp_path)
    await bot.start()
    yield bot
    await bot.stop()
    assert "Traceback" not in bot.log(), bot.log()[-5000:]


def text_of(message: dict[str, Any]) -> str:
    return message.get("text") or message.get("caption") or ""


def group_messages(sandbox: Sandbox) -> list[dict[str, Any]]:
    chat = sandbox.chats[ORG_GROUP]
    return [m.view() for _, m in sorted(chat.messages.items()) if m.from_bot and not m.service]


async def press_and_wait(sandbox: Sandbox, user: Any, message: dict[str, Any], data: str, then: str) -> None:
    """Press a wizard button; wait until the message is edited to the next step."""
    await user.press(message, callback_data=data)

    def edited() -> bool:
        view = sandbox.chats[message["chat"]["id"]].messages[message["message_id"]].view()
        return then in str(view.get("reply_markup"))

    await sandbox.wait_until(edited, timeout=10)


async def create_poll(sandbox: Sandbox, closes: datetime) -> None:
    secretary = sandbox.user(SECRETARY, "An", language_code="vi")
    await secretary.send("/layykien")
    listing = await next_with(secretary, lambda m: "ykn:start" in str(m.get("reply_markup")))
    await secretary.press(listing, callback_data=YkNew(what="start").pack())
    await next_with(secretary, lambda m: "câu hỏi" in text_of(m))
    await secretary.send("hủy")  # a way out at the first step: typed
    await next_with(secretary, lambda m: "Đã hủy" in text_of(m))
    await secretary.send("/layykien")
    listing = await next_with(secretary, lambda m: "ykn:start" in str(m.get("reply_markup")))
    await secretary.press(listing, callback_data=YkNew(what="start").pack())
    await next_with(secretary, lambda m: "câu hỏi" in text_of(m))
    await secretary.send("Có nên họp thôn?")
    kinds = await next_with(secretary, lambda m: "ykn:kind" in str(m.get("reply_markup")))
    await secretary.press(kinds, callback_data=YkNew(what="cancel").pack())  # and by the button

    def cancelled() -> bool:
        return "Đã hủy" in text_of(sandbox.chats[SECRETARY].messages[kinds["message_id"]].view())

    await sandbox.wait_until(cancelled, timeout=10)
    await secretary.send("/layykien")
    listing = await next_with(secretary, lambda m: "ykn:start" in str(m.get("reply_markup")))
    await secretary.press(listing, callback_data=YkNew(what="start").pack())
    await next_with(secretary, lambda m: "câu hỏi" in text_of(m))
    await secretary.send("Làm đường bê tông <xóm 1>, mỗi hộ góp $500$ nghìn?")
    kinds = await next_with(secretary, lambda m: "ykn:kind" in str(m.get("reply_markup")))
    steps = [
        (YkNew(what="kind", value="yes_no"), "ykn:other"),
        (YkNew(what="other", value="0"), "ykn:voters"),
        (YkNew(what="voters", value="household"), "ykn:names"),
        (YkNew(what="names", value="1"), "ykn:cancel"),
    ]
    for data, then in steps:
        await press_and_wait(sandbox, secretary, kinds, data.pack(), then)
    await secretary.send("mai là xong")  # unreadable: asked again, nothing lost
    await next_with(secretary, lambda m: "chưa đọc được" in text_of(m))
    await secretary.send(closes.strftime("%H:%M %d/%m"))
    review = await next_with(secretary, lambda m: "ykn:create" in str(m.get("reply_markup")))
    assert "&lt;xóm 1&gt;" not in text_of(review)  # shown as text, not markup
    assert "<xóm 1>" in text_of(review) and "Mỗi hộ một ý kiến".lower() in text_of(review).lower()
    await secretary.press(review, callback_data=YkNew(what="create", value="1").pack())

    def created() -> bool:
        return "Đã tạo" in text_of(sandbox.chats[SECRETARY].messages[review["message_id"]].view())

    await sandbox.wait_until(created, timeout=10)


async def answer(sandbox: Sandbox, user: Any, link: str, label: str) -> dict[str, Any]:
    """Follow the group's link, press an option; the bot's reply."""
    await user.send("/start " + link.split("?start=", 1)[1])
    ballot = await next_with(user, lambda m: "ykv:" in str(m.get("reply_markup")))
    await user.press(ballot, text=label)
    return await user.next_message()


async def test_per_household_poll_end_to_end(sandbox: Sandbox, consult_bot: BotProcess) -> None:
    url = consult_bot.database_url
    closes = (datetime.now(VN) + timedelta(days=2)).replace(hour=20, minute=0, second=0, microsecond=0)
    await create_poll(sandbox, closes)
    [poll] = await eventually(sandbox, url, select(Consultation), lambda found: len(found) == 1)
    assert poll.closes_at == closes and poll.voters == "household" and poll.names_public

    async def posted():  # type: ignore[no-untyped-def]
        return [m for m in group_messages(sandbox) if "Làm đường bê tông" in text_of(m)] or None

    [board] = await sandbox.wait_until(posted, timeout=10)
    [[button]] = board["reply_markup"]["inline_keyboard"]
    assert button["text"] == "🗳 Cho ý kiến" and button["url"].endswith(f"?start=yk_{poll.code}")
    assert "0/2 (0%)" in text_of(board)

    lan = sandbox.user(LAN, "Lan", phone="0912000101", language_code="vi")
    ha = sandbox.user(HA, "Hà", phone="0912000102", language_code="vi")
    member = sandbox.user(MEMBER, "Bình", phone="0912000002", language_code="vi")
    xa = sandbox.user(XA, "Xa", phone="0912000201", language_code="vi")
    for person in (lan, ha, member, xa):
        await person.share_contact()
        await next_with(person, lambda m: "liên kết" in text_of(m).lower() or "Trần Văn B" in text_of(m))

    reply = await answer(sandbox, lan, button["url"], "Đồng ý")
    assert "hộ NBT-001" in text_of(reply) and "Đồng ý" in text_of(reply)
    reply = await answer(sandbox, ha, button["url"], "Không đồng ý")
    assert "hộ NBT-002" in text_of(reply)
    # The party member lives in NBT-001: no phone match, so he types the code.
    reply = await answer(sandbox, member, button["url"], "Không đồng ý")
    assert "mã hộ" in text_of(reply)
    assert "✖ Hủy" in str(reply.get("reply_markup")), "the household code's step has no way out button"
    await member.send("nbt-001")
    reply = await member.next_message()
    assert "thay ý kiến trước của hộ NBT-001" in text_of(reply) and "Đồng ý" in text_of(reply)
    # Back on the ballot he sees the household's standing answer, without typing the code again.
    await member.send("/start " + button["url"].split("?start=", 1)[1])
    ballot = await next_with(member, lambda m: "ykv:" in str(m.get("reply_markup")))
    assert "hộ NBT-001 · Lê Văn C: Không đồng ý" in text_of(ballot) and "thay ý kiến này" in text_of(ballot)
    # Hà changes her mind: the screen shows the earlier answer, then says it was replaced.
    await ha.send("/start " + button["url"].split("?start=", 1)[1])
    ballot = await next_with(ha, lambda m: "ykv:" in str(m.get("reply_markup")))
    assert "Không đồng ý" in text_of(ballot) and "thay ý kiến này" in text_of(ballot)
    await ha.press(ballot, text="Đồng ý")
    reply = await ha.next_message()
    assert "thay ý kiến trước" in text_of(reply) and "Đồng ý" in text_of(reply)

    # Another village's resident: the link shows the question but refuses to count.
    await xa.send("/start " + button["url"].split("?start=", 1)[1])
    refused = await next_with(xa, lambda m: "Làm đường bê tông" in text_of(m))
    assert "thôn khác" in text_of(refused) and "reply_markup" not in refused
    alert = await forged_press(
        sandbox, xa, refused, YkVote(consultation_id=poll.id, mask=1).pack()
    )
    assert alert is not None and "thôn khác" in alert["text"]
    alert = await forged_press(sandbox, ha, ballot, YkVote(consultation_id=poll.id, mask=1 << 5).pack())
    assert alert is not None and "không có trong các phương án" in alert["text"]
    votes = await eventually(
        sandbox, url, select(ConsultationVote).order_by(ConsultationVote.voter_key),
        lambda found: [v.choices for v in found] == [[1], [0]],
    )
    assert [(v.voter_name, v.choices) for v in votes] == [
        ("NBT-001 · Lê Văn C", [1]),
        ("NBT-002 · Hồ Thị E", [0]),
    ]

    # The closing time passes while the bot is down: on restart it closes once.
    in_group = len(group_messages(sandbox))
    await restart_at(consult_bot, closes + timedelta(minutes=1))
    secretary = sandbox.user(SECRETARY, "An", language_code="vi")

    async def pinned():  # type: ignore[no-untyped-def]
        chat = sandbox.chats[ORG_GROUP]
        return chat.pinned[-1] if chat.pinned else None

    pinned_id = await sandbox.wait_until(pinned, timeout=15)
    result = sandbox.chats[ORG_GROUP].messages[pinned_id].view()
    assert "photo" in result
    for needle in ("2/2 (100%)", "Đồng ý: 1 (50%)", "Không đồng ý: 1 (50%)", "kết quả cuối cùng"):
        assert needle in text_of(result), text_of(result)

    async def board_closed():  # type: ignore[no-untyped-def]
        view = sandbox.chats[ORG_GROUP].messages[board["message_id"]].view()
        return view if "kết quả cuối cùng" in text_of(view) else None

    final_board = await sandbox.wait_until(board_closed, timeout=15)
    assert "2/2 (100%)" in text_of(final_board) and "reply_markup" not in final_board
    assert len(group_messages(sandbox)) == in_group + 1  # the board edited, the result added

    minutes = await next_with(secretary, lambda m: "BIÊN BẢN LẤY Ý KIẾN" in text_of(m), timeout=15)
    for needle in ("2/2 (100%)", "NBT-001 · Lê Văn C: Không đồng ý", "NBT-002 · Hồ Thị E: Đồng ý"):
        assert needle in text_of(minutes), text_of(minutes)
    files = {}
    for _ in range(2):
        doc = await next_with(secretary, lambda m: "document" in m, timeout=15)
        files[doc["document"]["file_name"].rsplit(".", 1)[-1]] = sandbox.file_bytes(doc["document"]["file_id"])
    assert files["pdf"].startswith(b"%PDF")
    sheet = load_workbook(io.BytesIO(files["xlsx"])).active
    cells = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    assert ["Số ý kiến", 2, "Trên tổng số", 2] in cells
    assert [1, "NBT-001 · Lê Văn C", "Không đồng ý"] == cells[4][:3] or [
        1, "NBT-002 · Hồ Thị E", "Đồng ý",
    ] == cells[4][:3]
    tally = {row[0]: row[1] for row in cells if len(row) == 3 and row[0] in ("Đồng ý", "Không đồng ý")}
    assert tally == {"Đồng ý": 1, "Không đồng ý": 1}

    # Closed: a late answer is refused, and nothing was counted twice.
    await ha.send("/start " + button["url"].split("?start=", 1)[1])
    late = await next_with(ha, lambda m: "Làm đường bê tông" in text_of(m))
    assert "đã kết thúc" in text_of(late) and "reply_markup" not in late
    votes = await rows(url, select(ConsultationVote))
    assert len(votes) == 2


async def seed_voters(url: str, count: int, *, multi: bool = False) -> str:
    """``count`` households of the village, each with a resident whose phone matched
    it, and an open per-household consultation; returns its code."""
    from bot.services.authz import Actor
    from bot.services.consultations import service
    from storage.models import ConsultationKind, Household, Role, User, Voters

    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session:
            repo = Repo(session)
            village = await repo.places.village_by_code("nam-bac-thanh")
            for n in range(count):
                household = Household(village_id=village.id, code=f"K-{n:03d}", head_name=f"Hộ {n}")
                session.add(household)
                await session.flush()
                session.add(
                    User(platform_user_id=40_000 + n, full_name=f"Dân {n}", village_id=village.id,
                         household_id=household.id, language="vi", reachable=True)
                )  # fmt: skip
            secretary = await repo.members.by_phone("0912000001")
            actor = Actor(user_id=None, platform_user_id=None, village_id=village.id,
                          member_id=secretary.id, role=Role.SECRETARY)  # fmt: skip
            now = datetime.now(VN)
            poll = await service.create(
                repo, actor,
                service.Draft(question="Có đồng ý họp thôn tối thứ bảy?", kind=ConsultationKind.YES_NO,
                              labels=["Đồng ý", "Không đồng ý"], allow_other=False, voters=Voters.HOUSEHOLD,
                              names_public=False, closes_at=now + timedelta(days=2))
                if not multi else
                service.Draft(question="Thôn nên làm việc gì trước?", kind=ConsultationKind.MULTI,
                              labels=["Đường", "Cống", "Đèn"], allow_other=True, voters=Voters.HOUSEHOLD,
                              names_public=True, closes_at=now + timedelta(days=2)),
                now=now,
            )  # fmt: skip
            await session.commit()
            return poll.code
    finally:
        await engine.dispose()


async def test_kill_9_while_answers_arrive_loses_none_and_counts_none_twice(
    sandbox: Sandbox, consult_bot: BotProcess
) -> None:
    import asyncio
    import random

    url, count = consult_bot.database_url, 40
    code = await seed_voters(url, count)
    users = [sandbox.user(40_000 + n, f"Dân {n}", language_code="vi") for n in range(count)]
    for user in users:
        await user.send(f"/start yk_{code}")
    ballots = [await next_with(u, lambda m: "ykv:" in str(m.get("reply_markup")), timeout=60) for u in users]
    rng = random.Random(20)
    expected: dict[str, list[int]] = {}
    presses = []
    for n, (user, ballot) in enumerate(zip(users, ballots, strict=True)):
        labels = ["Đồng ý", "Không đồng ý"]
        first = labels[n % 2]
        presses.append(asyncio.create_task(user.press(ballot, text=first, timeout=90)))
        last = first
        if n % 3 == 0:  # a change of mind right after: the later answer must stand
            last = labels[(n + 1) % 2]
            presses.append(asyncio.create_task(user.press(ballot, text=last, timeout=90)))
        expected[f"K-{n:03d}"] = [labels.index(last)]
    await asyncio.sleep(rng.uniform(0.3, 1.5))
    await consult_bot.kill()  # kill -9 while answers are being handled
    answered_at_kill = len(await rows(url, select(ConsultationVote)))
    await consult_bot.start()
    await asyncio.gather(*presses)

    async def all_recorded():  # type: ignore[no-untyped-def]
        found = await rows(url, select(ConsultationVote))
        settled = len(found) == count and all(
            v.choices == expected[v.voter_name.split(" · ")[0]] for v in found
        )
        return found if settled else None

    votes = await sandbox.wait_until(all_recorded, timeout=90)
    changed_twice = [v.voter_name for v in votes if v.changes > (1 if int(v.voter_name[2:5]) % 3 == 0 else 0)]
    print(f"\nkill -9 with {answered_at_kill}/{count} answers recorded; after restart {len(votes)}")
    assert changed_twice == [], "an answer was handled twice"
    # Replies leave after their update commits (through the engine, paced per chat): each
    # person is told, if a moment after the vote is stored.
    def told(user: Any) -> bool:
        texts = [text_of(m) for m in sandbox.messages(user.id)]
        return any("Đã ghi ý kiến" in t or "thay ý kiến trước" in t for t in texts)

    await sandbox.wait_until(lambda: all(told(u) for u in users), timeout=60)


async def test_secretary_sees_who_has_not_answered_closes_early_and_gets_the_papers(
    sandbox: Sandbox, consult_bot: BotProcess
) -> None:
    from handlers.consultations.callbacks import YkManage

    url = consult_bot.database_url
    await seed_voters(url, 3)
    [poll] = await rows(url, select(Consultation))
    first = sandbox.user(40_000, "Dân 0", language_code="vi")
    await first.send(f"/start yk_{poll.code}")
    ballot = await next_with(first, lambda m: "ykv:" in str(m.get("reply_markup")))
    await first.press(ballot, text="Đồng ý")
    await next_with(first, lambda m: "Đã ghi ý kiến" in text_of(m))

    resident = sandbox.user(40_001, "Dân 1", language_code="vi")
    await resident.send("/layykien")  # a resident: the one open consultation, as a ballot
    own_ballot = await next_with(resident, lambda m: "ykv:" in str(m.get("reply_markup")))
    alert = await forged_press(  # the committee's button, forged by a resident
        sandbox, resident, own_ballot, YkManage(action="silent", consultation_id=poll.id).pack()
    )
    assert alert is not None and "bí thư" in alert["text"]

    secretary = sandbox.user(SECRETARY, "An", language_code="vi")
    await secretary.send("/layykien")
    listing = await next_with(secretary, lambda m: "ykm:view" in str(m.get("reply_markup")))
    await secretary.press(listing, callback_data=YkManage(action="view", consultation_id=poll.id).pack())

    def card() -> dict[str, Any]:
        return sandbox.chats[SECRETARY].messages[listing["message_id"]].view()

    await sandbox.wait_until(lambda: "ykm:silent" in str(card().get("reply_markup")), timeout=10)
    assert "1/5 (20%)" in text_of(card())
    await secretary.press(card(), callback_data=YkManage(action="silent", consultation_id=poll.id).pack())
    silent = await next_with(secretary, lambda m: "chưa cho ý kiến" in text_of(m))
    assert "4" in text_of(silent) and "K-001 · Hộ 1" in text_of(silent) and "K-000" not in text_of(silent)

    await secretary.press(card(), callback_data=YkManage(action="close", consultation_id=poll.id).pack())
    await sandbox.wait_until(lambda: "ykm:close_yes" in str(card().get("reply_markup")), timeout=10)
    await secretary.press(card(), callback_data=YkManage(action="close_yes", consultation_id=poll.id).pack())
    await sandbox.wait_until(lambda: "kết quả cuối cùng" in text_of(card()), timeout=10)
    [closed] = await eventually(sandbox, url, select(Consultation), lambda found: found[0].status == "closed")
    assert closed.closed_at is not None

    late = await resident.press(own_ballot, text="Đồng ý")  # after the early close
    assert late is not None and "đã kết thúc" in late["text"]
    await secretary.press(card(), callback_data=YkManage(action="papers", consultation_id=poll.id).pack())
    minutes = await next_with(secretary, lambda m: "BIÊN BẢN LẤY Ý KIẾN" in text_of(m), timeout=15)
    assert "1/5 (20%)" in text_of(minutes) and "không công khai tên" in text_of(minutes)
    names = []
    for _ in range(2):
        doc = await next_with(secretary, lambda m: "document" in m, timeout=15)
        names.append(doc["document"]["file_name"])
    assert sorted(n.rsplit(".", 1)[-1] for n in names) == ["pdf", "xlsx"]


async def test_several_choices_with_an_other_answer_typed(sandbox: Sandbox, consult_bot: BotProcess) -> None:
    url = consult_bot.database_url
    code = await seed_voters(url, 1, multi=True)
    resident = sandbox.user(40_000, "Dân 0", language_code="vi")
    await resident.send(f"/start yk_{code}")
    ballot = await next_with(resident, lambda m: "ykv:" in str(m.get("reply_markup")))

    def buttons() -> list[str]:
        view = sandbox.chats[resident.id].messages[ballot["message_id"]].view()
        return [b["text"] for row in view["reply_markup"]["inline_keyboard"] for b in row]

    for label in ("⬜ Đường", "⬜ Đèn", "⬜ ✏️ Ý kiến khác (tự ghi)", "☑️ Đèn"):  # the last one unticks
        await resident.press(sandbox.chats[resident.id].messages[ballot["message_id"]].view(), text=label)
        ticked = "⬜" + label[2:] if label.startswith("☑️") else "☑️" + label[1:]
        await sandbox.wait_until(lambda ticked=ticked: ticked in buttons(), timeout=10)
    await resident.press(sandbox.chats[resident.id].messages[ballot["message_id"]].view(), text="📨 Gửi ý kiến")
    typing = await next_with(resident, lambda m: "gõ ý kiến" in text_of(m))
    assert "✖ Hủy" in str(typing.get("reply_markup")), "the typed answer's step has no way out button"
    await resident.send("Sửa <b>nhà văn hóa</b> $5$")
    done = await next_with(resident, lambda m: "Đã ghi ý kiến" in text_of(m))
    # shown literally (escaped in the HTML the bot sent), not as bold
    assert "Đường, Ý kiến khác: Sửa <b>nhà văn hóa</b> $5$" in text_of(done)
    [vote] = await eventually(sandbox, url, select(ConsultationVote), lambda found: len(found) == 1)
    assert vote.choices == [-1, 0] and vote.other_text == "Sửa <b>nhà văn hóa</b> $5$"
