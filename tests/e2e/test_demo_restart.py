"""``make run`` restarted: nobody is marked inactive (issue 16). A resident asks the
branch, ``villagebot run`` restarts, the secretary answers from /cauhoi: the answer
reaches the resident, who has not written since the restart. Before, the restarted
sandbox had forgotten that she had started the bot, answered 403 "bot can't initiate
conversation", and the bot marked her inactive and lost the answer. Also: a persona
made after the restart never gets an earlier one's id. Driven through the control API
of the sandbox inside the real process, as the web chat page drives it."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import select

from storage.db import create_engine, create_sessionmaker
from storage.models import User
from tests.e2e.test_demo_browser import RESIDENT, _free_port, _start, _stop

SECRETARY = 1001  # the demo's secretary, Nguyễn Thị An


class Control:
    """The web chat's calls: ``/sandbox/api/...`` of the running process."""

    def __init__(self, session: aiohttp.ClientSession, base: str) -> None:
        self.session, self.base = session, base + "/sandbox/api"

    async def call(self, path: str, body: dict[str, Any] | None = None) -> Any:
        method = self.session.post if body is not None else self.session.get
        async with method(self.base + path, json=body) as response:
            data = await response.json()
            assert response.status == 200, data
            return data

    async def send(self, uid: int, text: str) -> None:
        await self.call(f"/users/{uid}/send", {"text": text})

    async def bot_messages(self, uid: int) -> list[dict[str, Any]]:
        data = await self.call(f"/chats/{uid}/messages")
        return [m for m in data["messages"] if m["from_bot"]]

    async def wait_for(self, uid: int, needle: str, after: int = 0) -> dict[str, Any]:
        for _ in range(300):
            for message in await self.bot_messages(uid):
                if message["message_id"] > after and needle in (message.get("text") or ""):
                    return message
            await asyncio.sleep(0.1)
        texts = [m.get("text") for m in await self.bot_messages(uid)]
        raise AssertionError(f"no {needle!r} for {uid}: {texts[-4:]}")

    async def press(self, uid: int, message: dict[str, Any], label_part: str) -> None:
        buttons = [b for row in message["reply_markup"]["inline_keyboard"] for b in row]
        button = next(b for b in buttons if label_part in b["text"])
        body = {
            "chat_id": uid,
            "message_id": message["message_id"],
            "callback_data": button["callback_data"],
        }
        await self.call(f"/users/{uid}/press", body)

    async def new_persona(self) -> int:
        return int(
            (await self.call("/users", {"first_name": "Cư dân mới", "role_label": "Cư dân mới"}))[
                "id"
            ]
        )


async def _reachable(db: Path, platform_user_id: int) -> bool:
    engine = create_engine(f"sqlite+aiosqlite:///{db}")
    try:
        async with create_sessionmaker(engine)() as session:
            user = await session.scalar(
                select(User).where(User.platform_user_id == platform_user_id)
            )
            return bool(user and user.reachable)
    finally:
        await engine.dispose()


async def test_a_restart_marks_nobody_inactive(tmp_path: Path) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    process = await _start(tmp_path, port)
    try:
        async with aiohttp.ClientSession() as session:
            api = Control(session, base)
            await api.send(RESIDENT, "/start v_nam-bac-thanh")
            await api.wait_for(RESIDENT, "Chào mừng")
            await api.send(RESIDENT, "Thôn có hỗ trợ xi măng làm đường không?")
            answer = await api.wait_for(RESIDENT, "")
            while "Hỏi chi bộ" not in str(answer.get("reply_markup")):
                answer = await api.wait_for(RESIDENT, "", after=answer["message_id"])
            await api.press(RESIDENT, answer, "Hỏi chi bộ")
            first_new = await api.new_persona()
            last_before = (await api.bot_messages(RESIDENT))[-1]["message_id"]
    finally:
        await _stop(process)

    process = await _start(tmp_path, port)  # `make run` again; the resident writes nothing
    try:
        async with aiohttp.ClientSession() as session:
            api = Control(session, base)
            await api.send(SECRETARY, "/cauhoi")
            inbox = await api.wait_for(SECRETARY, "Câu hỏi đang chờ trả lời")
            first = inbox["reply_markup"]["inline_keyboard"][0][0]["text"]
            await api.press(SECRETARY, inbox, first)
            await api.wait_for(SECRETARY, "Gõ câu trả lời")
            await api.send(SECRETARY, "Có, xã hỗ trợ xi măng đợt 2.")
            await api.wait_for(SECRETARY, "Đã gửi cho người hỏi")
            reply = await api.wait_for(RESIDENT, "Chi bộ trả lời", after=last_before)
            assert "xi măng đợt 2" in reply["text"]
            second_new = await api.new_persona()
    finally:
        await _stop(process)
    assert await _reachable(tmp_path / "demo.db", RESIDENT)
    assert second_new > first_new  # never 900001 again
    log = (tmp_path / "run.log").read_text(errors="replace")
    assert "marked inactive" not in log and "Traceback" not in log
