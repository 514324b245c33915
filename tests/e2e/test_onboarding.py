"""Onboarding and roles, through the real bot process and the sandbox."""

from __future__ import annotations

from sqlalchemy import select

from bot.sandbox import Sandbox
from storage.db import create_engine, create_sessionmaker
from storage.models import Chat, Member, User
from tests.e2e.harness import BotProcess


async def fetch(url: str, statement):  # type: ignore[no-untyped-def]
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session:
            return (await session.scalars(statement)).all()
    finally:
        await engine.dispose()


async def eventually(sandbox: Sandbox, url: str, statement, check):  # type: ignore[no-untyped-def]
    """The bot commits right after it answers: wait for the rows to satisfy ``check``."""

    async def ok():  # type: ignore[no-untyped-def]
        rows = await fetch(url, statement)
        return rows if rows and check(rows) else None

    return await sandbox.wait_until(ok, timeout=10)


async def test_resident_onboards_by_village_search(sandbox: Sandbox, bot_process: BotProcess) -> None:
    resident = sandbox.user(3001, "Lan", language_code="vi")
    await resident.send("/start")
    hello = await resident.next_message()
    assert "Tiếng Việt" in str(hello["reply_markup"])
    await resident.press(hello, "🇻🇳 Tiếng Việt")
    asked = await resident.next_message()  # the language confirmation is an edit; this is the question
    while "thôn" not in asked["text"].lower():
        asked = await resident.next_message()
    await resident.send("nam bac thnh")  # no diacritics and a typo
    choices = await resident.next_message()
    assert "Thôn Nam Bắc Thành – Xã Cẩm Thành" in str(choices["reply_markup"])
    await resident.press(choices, "Thôn Nam Bắc Thành – Xã Cẩm Thành")
    welcome = await resident.next_message()
    assert "Thôn Nam Bắc Thành" in welcome["text"]
    await eventually(
        sandbox,
        bot_process.database_url,
        select(User).where(User.platform_user_id == 3001),
        lambda rows: rows[0].village_id is not None and rows[0].language == "vi",
    )


async def test_resident_onboards_by_deep_link_and_unknown_village(sandbox: Sandbox, bot_process: BotProcess) -> None:
    resident = sandbox.user(3002, "Tuấn", language_code="en")
    await resident.send("/start v_trung-thanh")
    welcome = await resident.next_message()
    assert "Thôn Trung Thành" in welcome["text"] and "Welcome" in welcome["text"]
    other = sandbox.user(3003, "Hà", language_code="vi")
    await other.send("/start v_no-such-village")
    refused = await other.next_message()
    assert "không hợp lệ" in refused["text"]


async def test_member_links_by_own_contact_and_not_by_someone_elses(sandbox: Sandbox, bot_process: BotProcess) -> None:
    member = sandbox.user(3010, "Bình", phone="+84 912 000 002")
    await member.share_contact(phone="0912000001", user_id=9999)  # the secretary's card, not his own
    refused = await member.next_message()
    assert "của chính bạn" in refused["text"]
    await member.share_contact()  # his own, in +84 form
    linked = await member.next_message()
    assert "Trần Văn B" in linked["text"] and "đảng viên" in linked["text"]
    await eventually(
        sandbox,
        bot_process.database_url,
        select(Member).where(Member.phone == "0912000002"),
        lambda rows: rows[0].user_id is not None,
    )
    await sandbox.wait_until(lambda: sandbox.commands_for({"type": "chat", "chat_id": 3010}), timeout=10)
    personal = {c["command"] for c in sandbox.commands_for({"type": "chat", "chat_id": 3010})}
    assert {"help", "tieuchi"} <= personal and "thongbao" not in personal  # a plain member
    residents_vi = sandbox.commands_for({"type": "default"}, "vi")
    residents_en = sandbox.commands_for({"type": "default"}, "en")
    assert {c["command"] for c in residents_vi} == {c["command"] for c in residents_en}
    assert "moi" not in {c["command"] for c in residents_vi}
    assert any(c["description"] == "Đổi ngôn ngữ" for c in residents_vi)
    assert any(c["description"] == "Change language" for c in residents_en)
    groups = {c["command"] for c in sandbox.commands_for({"type": "all_group_chats"}, "vi")}
    assert "lienket" in groups


async def test_secretary_links_by_invite_then_links_group(sandbox: Sandbox, bot_process: BotProcess) -> None:
    code, out = await bot_process.run_cli("invite", "0912000005")
    assert code == 0, out
    link = out.strip().splitlines()[-1]
    payload = link.split("start=", 1)[1]
    deputy = sandbox.user(3020, "Dung")
    await deputy.send(f"/start {payload}")
    linked = await deputy.next_message()
    assert "Phạm Thị D" in linked["text"] and "phó bí thư" in linked["text"]
    # The same link again, by someone else: refused.
    stranger = sandbox.user(3021, "Khách")
    await stranger.send(f"/start {payload}")
    assert "đã được dùng" in (await stranger.next_message())["text"]
    assert "Chọn ngôn ngữ" in (await stranger.next_message())["text"]  # onboarding goes on
    # A malformed invite.
    await stranger.send("/start inv_!!")
    assert "không hợp lệ" in (await stranger.next_message())["text"]

    group = sandbox.group(-100777, "Nhóm thôn")
    await deputy.add_bot_to(group)
    await group_hello(deputy, group)
    resident = sandbox.user(3022, "Dân")
    await resident.send("/lienket", chat=group)
    await next_containing(resident, "chỉ bí thư", chat=group)
    await deputy.send("/lienket", chat=group)  # the deputy, but not an admin of the group
    await next_containing(deputy, "chỉ quản trị viên", chat=group)
    group.set_member(deputy, "administrator")
    await deputy.send("/lienket", chat=group)
    done = await next_containing(deputy, "Xong! Nhóm đã được liên kết với Thôn Nam Bắc Thành", chat=group)
    assert "ghim" in done["text"]  # the bot is not an admin here: the secretary is told how
    await eventually(
        sandbox,
        bot_process.database_url,
        select(Chat).where(Chat.platform_chat_id == -100777),
        lambda rows: rows[0].village_id is not None and rows[0].active,
    )


async def next_containing(user, needle: str, chat=None, skip: int = 5) -> dict:  # type: ignore[no-untyped-def]
    """The next bot message containing ``needle`` (case-insensitive), skipping a few others."""
    seen = []
    for _ in range(skip):
        message = await user.next_message(chat=chat)
        if needle.lower() in message["text"].lower():
            return message
        seen.append(message["text"])
    raise AssertionError(f"no message with {needle!r}; got {seen}")


async def group_hello(user, group) -> None:  # type: ignore[no-untyped-def]
    hello = await user.next_message(chat=group)
    assert "/lienket" in hello["text"]


async def test_bot_removed_and_group_migrated(sandbox: Sandbox, bot_process: BotProcess) -> None:
    secretary = sandbox.user(1001, "An")  # listed with telegram_id in the org file
    group = sandbox.group(-100888, "Nhóm cũ")
    group.set_member(secretary, "creator")
    await secretary.add_bot_to(group, as_admin=True)
    await group_hello(secretary, group)
    await secretary.send("/lienket", chat=group)
    linked = await secretary.next_message(chat=group)
    assert "Xong!" in linked["text"] and "ghim" not in linked["text"]
    new_group = await group.migrate_to_supergroup(-1008880000)
    new_chat = select(Chat).where(Chat.platform_chat_id == -1008880000)
    await eventually(sandbox, bot_process.database_url, new_chat, lambda rows: rows[0].village_id is not None)
    await secretary.remove_bot_from(new_group)
    await eventually(sandbox, bot_process.database_url, new_chat, lambda rows: not rows[0].active)
