"""Bad input gets a clear, polite, localized answer and loses nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from bot.sandbox import Sandbox
from storage.db import create_engine, create_sessionmaker
from storage.models import Invite, Member, Village
from tests.e2e.harness import BotProcess
from tests.e2e.test_onboarding import fetch, next_containing


async def onboarded(sandbox: Sandbox, user_id: int):  # type: ignore[no-untyped-def]
    user = sandbox.user(user_id, "Người dân", language_code="vi")
    await user.send("/start v_nam-bac-thanh")
    await next_containing(user, "Chào mừng")
    await user.next_message()  # the help text after the welcome
    return user


async def test_non_text_long_text_and_unknown_commands(sandbox: Sandbox, bot_process: BotProcess) -> None:
    user = await onboarded(sandbox, 4001)
    await user.send_sticker()
    assert "chỉ đọc được chữ" in (await user.next_message())["text"]
    await user.send_voice()
    assert "chỉ đọc được chữ" in (await user.next_message())["text"]
    await user.send_location(18.3, 105.9)
    assert "chỉ đọc được chữ" in (await user.next_message())["text"]
    await user.send("a" * 5000)
    assert "dài quá" in (await user.next_message())["text"]
    await user.send("/khongcolenhnay")
    assert "/help" in (await user.next_message())["text"]
    await user.send("/start v_")
    assert "không hợp lệ" in (await user.next_message())["text"]


async def test_village_step_accepts_only_text_and_survives_nonsense(sandbox: Sandbox, bot_process: BotProcess) -> None:
    user = sandbox.user(4002, "Bác Hai", language_code="vi")
    await user.send("/start")
    hello = await user.next_message()
    await user.press(hello, "🇻🇳 Tiếng Việt")
    await next_containing(user, "thôn")
    await user.send_sticker()
    assert "gõ tên thôn" in (await user.next_message())["text"]
    await user.send("<b>zzzz & qqqq</b>")  # not a village; markup must come back escaped
    answer = await user.next_message()
    assert "<b>zzzz & qqqq</b>" in answer["text"]
    await user.send("trung thanh")
    choices = await user.next_message()
    assert "Thôn Trung Thành" in str(choices["reply_markup"])


async def test_expired_invite_is_refused(sandbox: Sandbox, bot_process: BotProcess) -> None:
    engine = create_engine(bot_process.database_url)
    async with create_sessionmaker(engine)() as session:
        member = await session.scalar(select(Member).where(Member.phone == "0912000002"))
        session.add(
            Invite(
                token="expired-token-1",
                member_id=member.id,
                created_at=datetime.now(UTC) - timedelta(days=8),
                expires_at=datetime.now(UTC) - timedelta(days=1),
            )
        )
        await session.commit()
    await engine.dispose()
    user = sandbox.user(4003, "Bình")
    await user.send("/start inv_expired-token-1")
    assert "hết hạn" in (await user.next_message())["text"]
    rows = await fetch(bot_process.database_url, select(Member).where(Member.phone == "0912000002"))
    assert rows[0].user_id is None


async def test_bad_org_file_writes_nothing(sandbox: Sandbox, bot_process: BotProcess, tmp_path: Path) -> None:
    before = await fetch(bot_process.database_url, select(func.count()).select_from(Village))
    cases = {
        "dup.yaml": "communes:\n  - {code: x, name: X, province: P, villages: [{code: a, name: A}, {code: a, name: B}]}\n",
        "role.yaml": "communes:\n  - code: x\n    name: X\n    province: P\n    villages:\n      - code: a\n        name: A\n        members:\n          - {name: N, role: king, phone: '0912000777'}\n",
        "phone.yaml": (
            "communes:\n  - code: x\n    name: X\n    province: P\n    villages:\n"
            "      - {code: a, name: A, members: [{name: N, role: member, phone: '0912000888'}]}\n"
            "      - {code: b, name: B, members: [{name: M, role: member, phone: '+84912000888'}]}\n"
        ),
    }
    # In DEFAULT_LOCALE (Vietnamese here), like every other CLI line.
    expected = {"dup.yaml": "mã thôn 'a'", "role.yaml": "vai trò 'king' không hợp lệ", "phone.yaml": "đã có trong danh sách của a"}
    for name, content in cases.items():
        path = tmp_path / name
        path.write_text(content, encoding="utf-8")
        code, out = await bot_process.run_cli("import", "org", str(path))
        assert code == 2, out
        assert expected[name] in out and "dòng" in out and "Traceback" not in out, out
    after = await fetch(bot_process.database_url, select(func.count()).select_from(Village))
    assert before == after
