"""Replies after commit (issue 16, item 9; issue 21, item 1): what a person reads is
already committed. The resident's "Đã gửi đến chi bộ" used to leave inside the
update's transaction, so a /cauhoi handled at that moment did not see the question."""

from __future__ import annotations

import sqlite3
from typing import Any

from bot.sandbox import Sandbox
from tests.e2e.harness import BotProcess
from tests.e2e.test_bad_input import onboarded
from tests.e2e.test_onboarding import next_containing


class _Watched(list):  # type: ignore[type-arg]
    """The sandbox's call log, with a look at the database the moment a call arrives."""

    def __init__(self, calls: list[Any], look: Any) -> None:
        super().__init__(calls)
        self.look = look

    def append(self, call: Any) -> None:
        self.look(call)
        super().append(call)


def _database_file(url: str) -> str:
    return url.split("///", 1)[1]


async def test_the_resident_reads_sent_only_once_the_question_is_committed(
    sandbox: Sandbox, bot_process: BotProcess
) -> None:
    resident = await onboarded(sandbox, 7301)
    await resident.send("thôn mình có được hỗ trợ xi măng làm đường không")
    answer = await resident.next_message()
    button = next(
        b["text"]
        for row in answer["reply_markup"]["inline_keyboard"]
        for b in row
        if "Gửi câu hỏi cho chi bộ" in b["text"] or "Hỏi chi bộ" in b["text"]
    )
    seen_when_told: list[list[str]] = []

    def look(call: Any) -> None:
        text = str(call.params.get("text", ""))
        # The confirmation is a message that lasts (it was an alert before the screens issue).
        if call.method.lower() in ("sendmessage", "answercallbackquery") and "Đã gửi đến chi bộ" in text:
            # What another connection (the secretary's /cauhoi) sees at this very moment.
            with sqlite3.connect(_database_file(bot_process.database_url)) as db:
                rows = db.execute(
                    "SELECT status FROM questions WHERE text LIKE '%xi măng%'"
                ).fetchall()
            seen_when_told.append([row[0] for row in rows])

    sandbox.calls = _Watched(sandbox.calls, look)
    pressed = await resident.press(answer, button)
    assert pressed is not None
    await next_containing(resident, "Đã gửi đến chi bộ")
    assert seen_when_told == [["open"]], "the resident was told before the question was committed"

    secretary = sandbox.user(1001, "An")
    await secretary.send("/cauhoi")
    inbox = await next_containing(secretary, "Câu hỏi đang chờ trả lời")
    assert "xi măng" in inbox["text"]
    assert "database is locked" not in bot_process.log()
