"""Group commit at the inbox's door (bot/inbox_commit.py), on SQLite and PostgreSQL:
concurrent stores share transactions, each caller is told only after the transaction
holding its update has committed, duplicates stay stored once, and a failed commit
fails only the stores of its own batch (nothing of it stored, nothing acknowledged)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiogram import Bot
from sqlalchemy import func, select

from bot.inbox import Inbox
from storage.models import InboxUpdate
from tests.handlers.test_dispatcher import text_update
from tests.storage.test_inbox import RecordingDispatcher


class Sessions:
    """The test's sessionmaker, counting commits; ``hold`` keeps the next commit
    waiting until it is set; ``fail`` makes the next commit raise instead."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.commits = 0
        self.hold: asyncio.Event | None = None
        self.held = asyncio.Event()  # a commit is waiting on ``hold``
        self.fail = False

    def __call__(self) -> Any:
        session = self.inner()
        commit = session.commit

        async def counted() -> None:
            if self.hold is not None:
                hold, self.hold = self.hold, None
                self.held.set()
                await hold.wait()
            if self.fail:
                self.fail = False
                raise ConnectionError("the database went away mid-commit")
            await commit()
            self.commits += 1

        session.commit = counted
        return session


async def _stored(sessionmaker: Any, update_id: int) -> bool:
    async with sessionmaker() as session:
        found = await session.scalar(select(InboxUpdate.id).where(InboxUpdate.update_id == update_id))
    return found is not None


async def _rows(sessionmaker: Any) -> int:
    async with sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(InboxUpdate)) or 0)


async def test_concurrent_stores_share_a_transaction_and_each_is_told_after_it_commits(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    sessions = Sessions(sessionmaker)
    inbox = Inbox(Bot("123456:inbox-test"), RecordingDispatcher(), sessions)  # type: ignore[arg-type]

    async def post(update_id: int) -> tuple[int, bool]:
        new = await inbox.store([text_update(update_id, 7000 + update_id, "câu hỏi")])
        # The moment the caller is told (a webhook would answer 200 here), a separate
        # session already sees the row: it was committed before.
        return new, await _stored(sessionmaker, update_id)

    sessions.hold = release = asyncio.Event()
    first = [asyncio.create_task(post(n)) for n in range(1, 11)]
    await sessions.held.wait()  # the first transaction is committing, held there
    later = [asyncio.create_task(post(n)) for n in range(11, 21)]
    for _ in range(20):
        await asyncio.sleep(0.01)  # let every store reach the committer
    assert not any(t.done() for t in first + later)  # nobody is told before the commit
    release.set()
    results = await asyncio.gather(*first, *later)
    assert results == [(1, True)] * 20
    # Ten POSTs in the first transaction, the ten that came while it was in flight in
    # the second: two commits, not twenty.
    assert sessions.commits == 2
    assert inbox.committer.commits == 2 and inbox.committer.stores == 20
    assert await _rows(sessionmaker) == 20


async def test_the_same_update_posted_twice_at_once_is_stored_once(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    sessions = Sessions(sessionmaker)
    inbox = Inbox(Bot("123456:inbox-test"), RecordingDispatcher(), sessions)  # type: ignore[arg-type]
    update = text_update(42, 7042, "hai lần")
    other = text_update(43, 7043, "một lần")
    news = await asyncio.gather(
        inbox.store([update]), inbox.store([update]), inbox.store([other, update])
    )
    assert news == [1, 0, 1]  # update 42 counted once, for its first caller; 43 once
    assert sessions.commits == 1
    assert await _rows(sessionmaker) == 2
    assert await inbox.store([update]) == 0  # redelivered later: still once
    assert await _rows(sessionmaker) == 2


async def test_a_failed_commit_fails_only_its_own_stores_and_loses_nothing(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    sessions = Sessions(sessionmaker)
    inbox = Inbox(Bot("123456:inbox-test"), RecordingDispatcher(), sessions)  # type: ignore[arg-type]
    sessions.hold = release = asyncio.Event()
    sessions.fail = True
    doomed = [asyncio.create_task(inbox.store([text_update(n, 7100 + n, "x")])) for n in range(1, 6)]
    await sessions.held.wait()
    after = [asyncio.create_task(inbox.store([text_update(n, 7100 + n, "y")])) for n in range(6, 9)]
    for _ in range(20):
        await asyncio.sleep(0.01)
    release.set()
    for task in doomed:  # each POST of the failed batch hears the error (the webhook: 5xx)
        with pytest.raises(ConnectionError):
            await task
    assert await asyncio.gather(*after) == [1, 1, 1]  # the next transaction, unharmed
    for n in range(1, 6):
        assert not await _stored(sessionmaker, n)  # rolled back with its batch
    assert await _rows(sessionmaker) == 3
    # Telegram posts the failed ones again: all of them are stored now.
    again = await asyncio.gather(*(inbox.store([text_update(n, 7100 + n, "x")]) for n in range(1, 6)))
    assert again == [1] * 5
    assert await _rows(sessionmaker) == 8


async def test_a_store_after_a_quiet_spell_is_committed_alone(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    sessions = Sessions(sessionmaker)
    inbox = Inbox(Bot("123456:inbox-test"), RecordingDispatcher(), sessions)  # type: ignore[arg-type]
    assert await inbox.store([text_update(1, 7201, "một")]) == 1
    assert await inbox.store([text_update(2, 7202, "hai")]) == 1
    assert sessions.commits == 2
    assert await _stored(sessionmaker, 1) and await _stored(sessionmaker, 2)
