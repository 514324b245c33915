"""The sandbox restarted with a state file (``make run`` restarted) remembers its world
(issue 16): who started the bot, the chats and their messages, the personas, files; a
new persona never gets an id used before."""

from __future__ import annotations

from pathlib import Path

import aiohttp

from bot.sandbox import Sandbox
from tests.sandbox.conftest import ApiClient

PNG = (
    b"\x89PNG\r\n\x1a\n"
    + b"\x00\x00\x00\rIHDR"
    + (200).to_bytes(4, "big")
    + (100).to_bytes(4, "big")
    + b"rest"
)


async def _started(path: Path) -> Sandbox:
    return await Sandbox.start(host="127.0.0.1", port=0, bot_username="villagebot", state_path=path)


async def test_a_restart_forgets_nobody(tmp_path: Path) -> None:
    path = tmp_path / "demo.sandbox.json"
    sb = await _started(path)
    try:
        resident = sb.add_persona(2001, "Lê Văn Cường", "Người dân", phone="0912000101")
        group = sb.group(-1001000000001, "Thôn Nam Bắc Thành", type="supergroup")
        group.bot_status = "administrator"
        group.set_member(resident)
        await resident.send("/start")
        async with aiohttp.ClientSession() as session:
            api = ApiClient(sb, session)
            await api.ok("sendMessage", chat_id=2001, text="Chào <b>bà con</b>", parse_mode="HTML")
            board = await api.ok("sendMessage", chat_id=group.id, text="Bảng đóng góp: 0đ")
        new = await _new_persona(sb)
    finally:
        await sb.stop()

    sb = await _started(path)
    try:
        assert sb.restored
        assert [p["user_id"] for p in sb.personas] == [2001, new]
        resident = sb.users[2001]
        assert resident.started and resident.phone == "0912000101"
        texts = [m["text"] for m in sb.messages(2001)]
        assert texts == ["Chào bà con"]
        async with aiohttp.ClientSession() as session:
            api = ApiClient(sb, session)
            # Before: 403 "bot can't initiate conversation with a user" → marked inactive.
            await api.ok("sendMessage", chat_id=2001, text="Nhắc lịch họp")
            # Before: 400 "message to edit not found" → the board edit failed.
            await api.ok(
                "editMessageText",
                chat_id=group.id,
                message_id=board["message_id"],
                text="Bảng: 500.000đ",
            )
        assert sb.chats[group.id].is_member(2001)
        # Before: the next "Cư dân mới" got 900001 again and saw the earlier one's pledges.
        assert await _new_persona(sb) == new + 1
    finally:
        await sb.stop()


async def _new_persona(sb: Sandbox) -> int:
    async with aiohttp.ClientSession() as session:
        resp = await session.post(
            f"{sb.base_url}/sandbox/api/users",
            json={"first_name": "Cư dân mới", "role_label": "Cư dân mới"},
        )
        body = await resp.json()
    return int(body["id"])


async def test_files_and_pending_updates_survive(tmp_path: Path) -> None:
    path = tmp_path / "x.sandbox.json"
    sb = await _started(path)
    try:
        user = sb.user(5, "An")
        await user.send_photo(PNG, caption="ảnh nhà")
        await user.send("tin nhắn chưa ai đọc")
        [photo] = [m for m in sb.all_messages(5) if "photo" in m.api]
        file_id = photo.api["photo"][-1]["file_id"]
        pending = [u[0] for u in sb.updates]
    finally:
        await sb.stop()
    sb = await _started(path)
    try:
        assert sb.file_bytes(file_id) == PNG
        assert [u[0] for u in sb.updates] == pending  # the bot still gets them
    finally:
        await sb.stop()


async def test_without_a_state_file_nothing_is_written(tmp_path: Path) -> None:
    sb = await Sandbox.start(host="127.0.0.1", port=0)
    try:
        await sb.user(7, "Ba").send("/start")
    finally:
        await sb.stop()
    assert not sb.restored and _listing(tmp_path) == []


def _listing(directory: Path) -> list[Path]:
    return list(directory.iterdir())


async def test_stopping_ends_even_when_the_world_changes_at_that_moment(tmp_path: Path) -> None:
    """``make run`` hung after Ctrl-C: a change to the sandbox's world at the moment its
    state saver was cancelled let ``asyncio.wait_for`` swallow the cancel (Python 3.11), and
    the saver went on waiting, 60 s at a time, for ever."""
    import asyncio

    from bot.sandbox.persist import StateFile

    for steps in range(4):  # the change and the cancel land in the same loop turn or close to it
        sb = await Sandbox.start(host="127.0.0.1", port=0, bot_username="villagebot")
        try:
            saver = StateFile(sb, tmp_path / f"saver{steps}.json", delay=0.01)
            saver.start()
            await asyncio.sleep(0.05)  # the saver waits for a change
            sb._notify()  # noqa: SLF001
            for _ in range(steps):
                await asyncio.sleep(0)
            task = saver._task  # noqa: SLF001
            stopping = asyncio.create_task(saver.stop())
            await asyncio.wait({stopping}, timeout=5)  # never cancels: a hang stays visible
            stopped = stopping.done()
            while task is not None and not task.done():  # end a stuck saver, so the test fails
                task.cancel()
                await asyncio.wait({task}, timeout=0.1)
            await asyncio.wait({stopping}, timeout=1)
            assert stopped, f"the saver did not stop ({steps} loop turns)"
        finally:
            await sb.stop()
