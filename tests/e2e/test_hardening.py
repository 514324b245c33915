"""Issue 8: the attacks and a new user's dead ends, through the real bot process."""

from __future__ import annotations

from sqlalchemy import select

from bot.sandbox import Sandbox
from storage.models import Chat, Village
from tests.e2e.harness import BotProcess
from tests.e2e.test_onboarding import eventually, fetch, next_containing

A_GROUP = -1001000000001  # Thôn Nam Bắc Thành's group, linked by the org file


async def village_of_group(url: str, chat_id: int) -> str | None:
    chats = await fetch(url, select(Chat).where(Chat.platform_chat_id == chat_id))
    if not chats or chats[0].village_id is None:
        return None
    villages = await fetch(url, select(Village).where(Village.id == chats[0].village_id))
    return villages[0].name


async def test_another_villages_secretary_cannot_take_over_a_group(
    sandbox: Sandbox, bot_process: BotProcess
) -> None:
    owner = sandbox.user(1001, "An")  # village A's secretary
    group = sandbox.group(A_GROUP, "Thôn Nam Bắc Thành")
    group.set_member(owner, "creator")
    await owner.add_bot_to(group, as_admin=True)
    attacker = sandbox.user(4100, "Giang", phone="0912000009")  # village B's secretary
    await attacker.share_contact()
    await next_containing(attacker, "Võ Văn G")
    await group.join(attacker)

    await attacker.send("/lienket", chat=group)  # an ordinary member of A's group
    await next_containing(attacker, "chỉ quản trị viên", chat=group)
    group.set_member(attacker, "administrator")  # even as an admin of the group
    await attacker.send("/lienket", chat=group)
    await next_containing(attacker, "đã được liên kết với một thôn khác", chat=group)
    await attacker.send("/huylienket", chat=group)
    await next_containing(attacker, "chỉ bí thư hoặc phó bí thư của thôn", chat=group)
    assert await village_of_group(bot_process.database_url, A_GROUP) == "Thôn Nam Bắc Thành"

    # A's secretary frees the group; then it may be linked again.
    await owner.send("/huylienket", chat=group)
    await next_containing(owner, "không còn liên kết", chat=group)
    await eventually(
        sandbox,
        bot_process.database_url,
        select(Chat).where(Chat.platform_chat_id == A_GROUP),
        lambda rows: rows[0].village_id is None,
    )
    await attacker.send("/lienket", chat=group)
    await next_containing(attacker, "Xong! Nhóm đã được liên kết với Thôn Trung Thành", chat=group)
    assert await village_of_group(bot_process.database_url, A_GROUP) == "Thôn Trung Thành"
