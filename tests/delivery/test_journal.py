"""The sent journal: a row the channel accepted before a kill -9, whose "sent" commit
had not happened yet (on SQLite it waits for the write lock), is not sent again by
the next process; the journal's own file handling (torn lines, trimming)."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from bot.clock import ManualClock
from bot.delivery.budget import SendBudget
from bot.delivery.journal import COMPACT_AT, Accepted, SentJournal
from bot.delivery.queue import enqueue
from bot.delivery.sender import Sender
from bot.i18n import create_i18n
from storage.models import OutboxMessage
from storage.repo import Repo
from tests.delivery.test_sender import (
    T0,
    FakeChannel,
    _until,
    _users,
    note,
    on_sent_calls,
    registry,
)


def _sender(channel: FakeChannel, sessionmaker, clock: ManualClock, journal: SentJournal | None) -> Sender:  # type: ignore[no-untyped-def]
    sender = Sender(
        channel, sessionmaker, SendBudget(), create_i18n("vi"), registry(), clock=clock, journal=journal
    )
    channel.before = sender.take_slot
    return sender


async def _kill(sender: Sender) -> None:
    """kill -9: every task stops where it is; nothing is written or cleaned up."""
    tasks = [*sender._tasks, *sender._inflight.values()]
    if sender._recorder is not None:
        tasks.append(sender._recorder)
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task


async def _crash_after_send(sessionmaker, tmp_path: Path, journal: bool) -> tuple[list[int], dict[str, OutboxMessage]]:  # type: ignore[no-untyped-def]
    on_sent_calls.clear()
    users = await _users(sessionmaker, ["vi", "vi", "vi"])
    async with sessionmaker() as session:
        for n, user_id in enumerate(users):
            await enqueue(Repo(session), note(user_id, f"m{n}", T0))
        await session.commit()
    clock = ManualClock(T0)
    first = FakeChannel()
    dying = _sender(first, sessionmaker, clock, SentJournal(tmp_path / "bot.db-sent") if journal else None)

    async def never_recorded() -> None:  # the "sent" commit waits behind other writers...
        await asyncio.Event().wait()

    dying._record_sent = never_recorded  # type: ignore[method-assign]
    await dying.start()
    await _until(lambda: len(first.sent) == 3)
    await _kill(dying)  # ...and the process is killed before it comes
    if dying.journal is not None:
        dying.journal.close()

    clock.advance(timedelta(minutes=1))  # the dead worker's heartbeat is long stale
    second = FakeChannel()
    restarted = _sender(second, sessionmaker, clock, SentJournal(tmp_path / "bot.db-sent") if journal else None)
    await restarted.start()
    try:
        await asyncio.sleep(0.5)
    finally:
        await restarted.stop()
    async with sessionmaker() as session:
        rows = {r.ref: r for r in (await session.scalars(select(OutboxMessage))).all()}
    return [address for address, _ in second.sent], rows


async def test_rows_accepted_before_a_kill_are_not_sent_again(sessionmaker, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    resent, rows = await _crash_after_send(sessionmaker, tmp_path, journal=True)
    assert resent == []
    assert {r.status for r in rows.values()} == {"sent"}
    assert sorted(r.message_id for r in rows.values()) == [1, 2, 3]
    # each kind's hook ran once, with the id the channel gave
    assert sorted(on_sent_calls) == sorted((ref, r.message_id) for ref, r in rows.items())
    assert all(r.resent_after_crash == 0 for r in rows.values())
    assert (tmp_path / "bot.db-sent").read_bytes() == b""  # applied, then emptied


async def test_without_a_journal_the_same_crash_sends_them_again(sessionmaker, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The control: what the journal prevents (at-least-once without it)."""
    resent, rows = await _crash_after_send(sessionmaker, tmp_path, journal=False)
    assert len(resent) == 3
    assert all(r.resent_after_crash == 1 for r in rows.values())


def test_a_torn_line_is_ignored_and_the_file_is_trimmed(tmp_path: Path) -> None:
    path = tmp_path / "bot.db-sent"
    journal = SentJournal(path)
    journal.append(Accepted(1, "w1", 10, T0))
    journal.append(Accepted(2, "w1", None, T0))
    with path.open("ab") as f:
        f.write(b"3 w1 1")  # cut by a kill -9 mid-write
    assert SentJournal(path).read() == [Accepted(1, "w1", 10, T0), Accepted(2, "w1", None, T0)]
    journal.recorded([1])
    assert path.stat().st_size > 0  # row 2 is not recorded yet
    journal.recorded([2])
    assert path.read_bytes() == b""
    count = COMPACT_AT // len(Accepted(100, "w1", 1, T0).line()) + 10
    for n in range(count):
        journal.append(Accepted(100 + n, "w1", n, T0))
    assert path.stat().st_size > COMPACT_AT
    journal.recorded(range(100, 100 + count - 1))  # all but the last one
    assert [e.row_id for e in SentJournal(path).read()] == [100 + count - 1]
    journal.append(Accepted(5, "w1", 5, T0))  # appends go on to the compacted file
    assert [e.row_id for e in SentJournal(path).read()] == [100 + count - 1, 5]
    journal.close()
    assert SentJournal.beside(None) is None
    assert SentJournal.beside(tmp_path / "bot.db").path == tmp_path / "bot.db-sent"  # type: ignore[union-attr]
