"""Broadcasts through the real bot process and the sandbox with Telegram's limits on:
volume, faults, a kill -9 in the middle, roles, scheduling across a restart."""

from __future__ import annotations

import html
from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from bot.sandbox import Sandbox
from bot.services import broadcasts as service
from bot.services import timeparse
from bot.services.authz import Actor
from handlers.broadcasts.callbacks import (
    BcAudience,
    BcCancel,
    BcCancelYes,
    BcConfirm,
    BcMenu,
    BcOption,
    BcShow,
    BcWhen,
)
from storage.db import create_engine, create_sessionmaker
from storage.models import Broadcast, Chat, OutboxMessage, Role, User
from storage.repo import Repo
from tests.e2e.harness import BotProcess

VN = ZoneInfo("Asia/Ho_Chi_Minh")
SECRETARY = 1001
ORG_GROUP = -1001000000001
HEADER = "📢 Thông báo – Thôn Nam Bắc Thành"


class Db:
    """The bot's SQLite file, seen from the test."""

    def __init__(self, url: str) -> None:
        self.engine = create_engine(url)
        self.sessionmaker = create_sessionmaker(engine=self.engine)

    async def close(self) -> None:
        await self.engine.dispose()

    async def all(self, statement):  # type: ignore[no-untyped-def]
        async with self.sessionmaker() as session:
            return (await session.scalars(statement)).all()


async def seed(sandbox: Sandbox, db: Db, *, people: int, groups: int, group_type: str = "supergroup") -> tuple[list[int], list[int]]:
    """Residents (who have /start-ed) and linked groups of Nam Bắc Thành, in the DB and the sandbox."""
    org_group = sandbox.group(ORG_GROUP, "Thôn Nam Bắc Thành", type="supergroup")
    org_group.bot_status = "administrator"
    async with db.sessionmaker() as session:
        repo = Repo(session)
        village = await repo.places.village_by_code("nam-bac-thanh")
        assert village is not None
        person_ids = [200_000 + i for i in range(people)]
        for pid in person_ids:
            session.add(User(platform_user_id=pid, full_name=f"Dân {pid}", village_id=village.id))
            sandbox.user(pid, f"Dân {pid}").started = True
        group_ids = [-100_300_000_000 - i for i in range(groups)] if group_type == "supergroup" else [-400_000 - i for i in range(groups)]
        for gid in group_ids:
            session.add(Chat(platform_chat_id=gid, title=f"Xóm {gid}", village_id=village.id, active=True))
            chat = sandbox.group(gid, f"Xóm {gid}", type=group_type)
            chat.bot_status = "administrator"
        await session.commit()
    return person_ids, group_ids


async def compose_now(sandbox: Sandbox, text: str, *, ack: bool = False, pin: bool = False) -> dict:
    """The secretary composes with buttons and confirms; returns the confirmation summary."""
    secretary = sandbox.user(SECRETARY, "An")
    await secretary.send("/thongbao")
    menu = await secretary.next_message()
    await secretary.press(menu, callback_data=BcMenu(action="new").pack())
    await secretary.next_message()
    await secretary.send(text)
    audience = await secretary.next_message()
    await secretary.press(audience, callback_data=BcAudience(what="all").pack())
    await secretary.press(audience, callback_data=BcAudience(what="residents").pack())
    await secretary.press(audience, callback_data=BcAudience(what="next").pack())
    when = await secretary.next_message()
    await secretary.press(when, callback_data=BcWhen(what="now").pack())
    options = await secretary.next_message()
    if ack:
        await secretary.press(options, callback_data=BcOption(what="ack").pack())
    if pin:
        await secretary.press(options, callback_data=BcOption(what="pin").pack())
    await secretary.press(options, callback_data=BcOption(what="preview").pack())
    intro = await secretary.next_message()
    assert "Xem trước" in intro["text"]
    preview = await secretary.next_message()
    assert preview["text"] == f"{HEADER}\n\n{text}"
    summary = await secretary.next_message()
    await secretary.press(summary, callback_data=BcConfirm(what="send").pack())
    return summary


async def next_with(user, predicate, timeout: float = 10) -> dict:  # type: ignore[no-untyped-def]
    """The user's next bot message that satisfies ``predicate`` (skipping others)."""
    while True:
        message = await user.next_message(timeout=timeout)
        if predicate(message):
            return message


async def forged_press(sandbox: Sandbox, user, message: dict, data: str) -> dict | None:  # type: ignore[no-untyped-def]
    """A callback query with data of the user's choosing (a tampered client)."""
    from bot.sandbox.records import _PendingCallback

    chat = sandbox.chats[message["chat"]["id"]]
    stored = chat.messages[message["message_id"]]
    query_id = str(next(sandbox._ids))
    pending = _PendingCallback(query_id, user.id, chat.id, stored.message_id)
    sandbox.callbacks[query_id] = pending
    sandbox._enqueue(
        "callback_query",
        {"id": query_id, "from": user.to_api(), "message": stored.api, "chat_instance": "1", "data": data},
    )
    await sandbox._wait_for(lambda: pending.answered, 10)
    return pending.answer


def delivered(sandbox: Sandbox, chat_ids: list[int]) -> Counter[int]:
    """How many copies of a broadcast each chat got (cheap: called on every change)."""
    counts: Counter[int] = Counter()
    for chat_id in chat_ids:
        chat = sandbox.chats.get(chat_id)
        messages = chat.messages.values() if chat else ()
        counts[chat_id] = sum(
            1
            for m in messages
            if m.from_bot and not m.service and (m.api.get("text") or m.api.get("caption") or "").startswith(HEADER)
        )
    return counts


async def test_300_people_and_20_groups_get_it_once_within_limits(sandbox: Sandbox, bot_process: BotProcess) -> None:
    db = Db(bot_process.database_url)
    people, groups = await seed(sandbox, db, people=300, groups=20)
    text = "Họp <chi bộ> & dân 🌾 lúc 19:30 – \"đủ\" 'mọi' người > 5 hộ"
    started = datetime.now(UTC)
    summary = await compose_now(sandbox, text, ack=True, pin=True)
    assert "21 nhóm" in summary["text"] and "301 người" in summary["text"]  # + the secretary, a resident
    everyone = [*people, *groups, ORG_GROUP]

    def all_there() -> bool:
        return all(n >= 1 for n in delivered(sandbox, everyone).values())

    await sandbox.wait_until(all_there, timeout=60)
    elapsed = (datetime.now(UTC) - started).total_seconds()
    counts = delivered(sandbox, everyone)
    assert set(counts.values()) == {1}, {k: v for k, v in counts.items() if v != 1}
    await sandbox.wait_until(lambda: delivered(sandbox, [SECRETARY])[SECRETARY] == 2)  # her preview, then hers
    assert sandbox.rate_limited == []
    message = sandbox.messages(people[0])[-1]
    assert message["text"] == f"{HEADER}\n\n{text}"
    assert "Đã nắm" in str(message["reply_markup"])
    assert sandbox.chats[groups[0]].pinned, "pinned in the groups"
    assert elapsed < 40, elapsed

    # acknowledgements, in a group and in private, counted once per person
    reader = sandbox.users[people[1]]
    group_message = sandbox.messages(groups[0])[-1]
    answer = await reader.press(group_message, callback_data=group_message["reply_markup"]["inline_keyboard"][0][0]["callback_data"])
    assert answer is not None and "Cảm ơn" in answer["text"]
    again = await reader.press(sandbox.messages(people[1])[-1], callback_data=group_message["reply_markup"]["inline_keyboard"][0][0]["callback_data"])
    assert again is not None and "đã xác nhận" in again["text"]

    secretary = sandbox.users[SECRETARY]

    async def final_report() -> dict | None:
        return next((m for m in sandbox.messages(SECRETARY) if "Báo cáo" in (m.get("text") or "")), None)

    report = await sandbox.wait_until(final_report, timeout=15)
    assert "322/322" in report["text"], report["text"]  # 301 people and 21 groups
    await secretary.send("/thongbao")
    menu = await next_with(secretary, lambda m: "bcs:" in str(m.get("reply_markup")))
    broadcast_id = (await db.all(select(Broadcast.id)))[0]
    await secretary.press(menu, callback_data=BcShow(id=broadcast_id).pack())
    details = await secretary.next_message()
    assert f"Dân {people[1]}" in details["text"] and "1 đã nắm" in details["text"]
    await db.close()


async def test_faults_are_handled(sandbox: Sandbox, bot_process: BotProcess) -> None:
    db = Db(bot_process.database_url)
    people, groups = await seed(sandbox, db, people=6, groups=2)
    basic = -555_001  # a basic group that Telegram upgrades to a supergroup
    async with db.sessionmaker() as session:
        village = await Repo(session).places.village_by_code("nam-bac-thanh")
        session.add(Chat(platform_chat_id=basic, title="Nhóm cũ", village_id=village.id, active=True))
        await session.commit()
    old = sandbox.group(basic, "Nhóm cũ", type="group")
    old.bot_status = "member"
    new_id = -100_555_001
    sandbox.group(new_id, "Nhóm cũ", type="supergroup").bot_status = "member"
    sandbox.fault_hang_seconds = 12  # longer than the sender's 10 s request timeout
    sandbox.inject_fault("sendMessage", "429", chat_id=people[0], retry_after=2)
    sandbox.inject_fault("sendMessage", "500", chat_id=people[1], times=2)
    sandbox.inject_fault("sendMessage", "timeout_before", chat_id=people[2])
    sandbox.inject_fault("sendMessage", "kicked", chat_id=groups[0])
    sandbox.inject_fault("sendMessage", "migrate", chat_id=basic)
    sandbox.users[people[3]].block_bot()

    await compose_now(sandbox, "Kiểm tra lỗi 🚧")
    should_get = [people[0], people[1], people[2], people[4], people[5], groups[1], new_id, ORG_GROUP]

    def done() -> bool:
        return all(n >= 1 for n in delivered(sandbox, should_get).values())

    await sandbox.wait_until(done, timeout=45)
    counts = delivered(sandbox, [*should_get, people[3], groups[0], basic])
    assert counts[people[3]] == 0 and counts[groups[0]] == 0 and counts[basic] == 0
    assert all(counts[c] == 1 for c in should_get), counts
    assert [r for r in sandbox.rate_limited if not r.injected] == []

    async def marked() -> bool:
        blocked = await db.all(select(User.reachable).where(User.platform_user_id == people[3]))
        kicked = await db.all(select(Chat.active).where(Chat.platform_chat_id == groups[0]))
        moved = await db.all(select(Chat).where(Chat.platform_chat_id == new_id))
        open_rows = await db.all(select(OutboxMessage).where(OutboxMessage.status.in_(("pending", "sending", "retrying"))))
        return blocked == [False] and kicked == [False] and len(moved) == 1 and not open_rows

    await sandbox.wait_until(marked, timeout=10)
    rows = {r.chat_id: r for r in await db.all(select(OutboxMessage))}
    assert rows[people[1]].attempts == 2 and rows[people[1]].status == "sent"
    assert rows[people[2]].attempts == 1 and rows[people[2]].status == "sent"
    assert rows[people[0]].status == "sent" and rows[new_id].status == "sent"
    assert rows[people[3]].status == "failed" and "blocked" in rows[people[3]].error

    async def final_report() -> dict | None:
        return next((m for m in sandbox.messages(SECRETARY) if "Báo cáo" in (m.get("text") or "")), None)

    report = await sandbox.wait_until(final_report, timeout=15)
    assert "Không gửi được: 2" in report["text"], report["text"]
    await db.close()


async def test_kill_9_in_the_middle_loses_nothing(sandbox: Sandbox, bot_process: BotProcess) -> None:
    db = Db(bot_process.database_url)
    people, _ = await seed(sandbox, db, people=240, groups=0)
    async with db.sessionmaker() as session:
        repo = Repo(session)
        secretary = await repo.members.by_phone("0912000001")
        actor = Actor(user_id=None, platform_user_id=SECRETARY, village_id=secretary.branch.village_id, role=Role.SECRETARY)
        await service.create_broadcast(
            repo, actor, service.Draft("text", "Giữa chừng ⚡", service.Audience(residents=True)),
            author_chat_id=SECRETARY, author_locale="vi", now=datetime.now(UTC), tz=VN, default_locale="vi",
        )
        await session.commit()
    await sandbox.wait_until(lambda: sum(delivered(sandbox, people).values()) >= 80, timeout=30)
    await bot_process.kill()
    at_kill = sum(delivered(sandbox, people).values())
    assert at_kill < len(people)
    await bot_process.start()

    def all_there() -> bool:
        return all(n >= 1 for n in delivered(sandbox, people).values())

    await sandbox.wait_until(all_there, timeout=60)
    counts = delivered(sandbox, people)
    duplicated = {c for c, n in counts.items() if n > 1}
    resent = {r.chat_id for r in await db.all(select(OutboxMessage).where(OutboxMessage.resent_after_crash > 0))}
    # nothing lost; a duplicate only for a row that was in flight at the kill (at-least-once)
    assert min(counts.values()) == 1
    assert duplicated <= resent, (duplicated, resent)
    assert sandbox.rate_limited == []
    print(f"kill -9 after {at_kill} messages: {len(resent)} in flight, {len(duplicated)} duplicated")
    await db.close()


async def test_roles_and_villages(sandbox: Sandbox, bot_process: BotProcess) -> None:
    db = Db(bot_process.database_url)
    await seed(sandbox, db, people=1, groups=1)
    resident = sandbox.user(3001, "Lan")
    await resident.send("/thongbao")
    refused = await resident.next_message()
    assert "Xin lỗi" in refused["text"]

    member = sandbox.user(3010, "Bình", phone="+84 912 000 002")
    await member.share_contact()
    await member.next_message()
    await member.send("/thongbao")
    while "Xin lỗi" not in (await member.next_message())["text"]:
        pass

    # the secretary of Trung Thành sees only her village's groups, and forged ids are ignored
    other = sandbox.user(3020, "Giang", phone="0912000009")
    await other.share_contact()
    await other.next_message()
    await other.send("/thongbao")
    menu = await other.next_message()
    while not menu.get("reply_markup"):
        menu = await other.next_message()
    await other.press(menu, callback_data=BcMenu(action="new").pack())
    await other.next_message()
    await other.send("Thử gửi sang thôn khác")
    audience = await other.next_message()
    assert "Xóm" not in str(audience["reply_markup"]) and "Nam Bắc Thành" not in str(audience["reply_markup"])
    foreign = (await db.all(select(Chat.id).where(Chat.platform_chat_id == ORG_GROUP)))[0]
    await forged_press(sandbox, other, audience, BcAudience(what="g", id=foreign).pack())
    alert = await other.press(audience, callback_data=BcAudience(what="next").pack())
    assert alert is not None and alert["show_alert"], alert
    assert await db.all(select(Broadcast)) == []
    await db.close()


async def test_scheduled_fires_after_restart_and_missed_is_reported(sandbox: Sandbox, bot_process: BotProcess) -> None:
    db = Db(bot_process.database_url)
    people, _ = await seed(sandbox, db, people=3, groups=0)
    secretary = sandbox.user(SECRETARY, "An")

    # scheduled with the buttons for tomorrow, listed, then cancelled
    await secretary.send("/thongbao")
    menu = await secretary.next_message()
    await secretary.press(menu, callback_data=BcMenu(action="new").pack())
    await secretary.next_message()
    await secretary.send("Ngày mai họp")
    audience = await secretary.next_message()
    await secretary.press(audience, callback_data=BcAudience(what="residents").pack())
    await secretary.press(audience, callback_data=BcAudience(what="next").pack())
    when = await secretary.next_message()
    await secretary.press(when, callback_data=BcWhen(what="at").pack())
    await secretary.next_message()
    tomorrow = (datetime.now(VN) + timedelta(days=1)).strftime("%d/%m/%Y 07:45")
    await secretary.send(tomorrow)
    options = await secretary.next_message()
    in_words = timeparse.describe(datetime.strptime(tomorrow, "%d/%m/%Y %H:%M").replace(tzinfo=VN), "vi", VN)
    assert in_words in options["text"]  # read back in words before confirming
    await secretary.press(options, callback_data=BcOption(what="preview").pack())
    for _ in range(3):
        summary = await secretary.next_message()
    assert in_words in summary["text"]
    await secretary.press(summary, callback_data=BcConfirm(what="send").pack())
    scheduled = await secretary.next_message()
    assert tomorrow in scheduled["text"]
    planned = (await sandbox.wait_until(lambda: db.all(select(Broadcast)), timeout=10))[0]
    assert planned.status == "scheduled" and planned.next_due_at == datetime.strptime(tomorrow, "%d/%m/%Y %H:%M").replace(tzinfo=VN)
    await secretary.send("/thongbao")
    menu = await secretary.next_message()
    await secretary.press(menu, callback_data=BcShow(id=planned.id).pack())
    details = await secretary.next_message()
    await secretary.press(details, callback_data=BcCancel(id=planned.id).pack())
    ask = await next_with(secretary, lambda m: "bcxy:" in str(m.get("reply_markup")))  # asks first
    await secretary.press(ask, callback_data=BcCancelYes(id=planned.id).pack())
    await sandbox.wait_until(lambda: any("đã được hủy" in (m.get("text") or "") for m in sandbox.messages(SECRETARY)), timeout=10)

    # due in a few seconds, while the bot is down: sent after the restart; one late
    # beyond the grace is reported missed instead
    await bot_process.stop()
    async with db.sessionmaker() as session:
        repo = Repo(session)
        village = await repo.places.village_by_code("nam-bac-thanh")
        actor = Actor(user_id=None, platform_user_id=SECRETARY, village_id=village.id, role=Role.SECRETARY)
        soon = datetime.now(UTC) + timedelta(seconds=4)
        for text, due in (("Sắp đến giờ ⏰", soon), ("Quá hạn", datetime.now(UTC) + timedelta(hours=1))):
            await service.create_broadcast(
                repo, actor, service.Draft("text", text, service.Audience(residents=True), when=due),
                author_chat_id=SECRETARY, author_locale="vi", now=datetime.now(UTC), tz=VN, default_locale="vi",
            )
        await session.flush()
        await session.execute(
            update(Broadcast).where(Broadcast.text == "Quá hạn").values(next_due_at=datetime.now(UTC) - timedelta(hours=2))
        )
        await session.commit()
    await bot_process.start()

    def fired() -> bool:
        return all(any("Sắp đến giờ" in (m.get("text") or "") for m in sandbox.messages(p)) for p in people)

    await sandbox.wait_until(fired, timeout=20)
    assert (datetime.now(UTC) - soon).total_seconds() < 10
    assert not any("Quá hạn" in (m.get("text") or "") for m in sandbox.messages(people[0]))
    await sandbox.wait_until(
        lambda: any("không được gửi" in (m.get("text") or "") and html.escape("Quá hạn") in m["text"] for m in sandbox.messages(SECRETARY)),
        timeout=10,
    )
    statuses = {b.text: b.status for b in await db.all(select(Broadcast))}
    assert statuses["Quá hạn"] == "missed" and statuses["Ngày mai họp"] == "cancelled"
    await db.close()
