"""What the sender writes after a call: "sent" in small batches with each kind's
``on_sent`` hook, a retry or a failure, an unreachable chat or a migrated group, a pin
that Telegram refused. Mixed into :class:`bot.delivery.sender.Sender`, whose header
comment explains the states and why they hold."""

from __future__ import annotations

import logging
from datetime import datetime

from bot.channels.base import (
    PermanentError,
)
from bot.delivery.contract import SentContext
from bot.services import onboarding
from storage.outbox_repo import OutboxRow
from storage.repo import Repo

log = logging.getLogger("villagebot.outbox")


class Outcomes:
    """The sender's writes of outcomes (every write holds ``_db_lock``)."""

    async def _record_sent(self) -> None:
        """Commit "sent" for every answered call so far, in one transaction, with each
        kind's ``on_sent`` hook in the same unit of work."""
        while True:
            await self._sent_ready.wait()
            self._sent_ready.clear()
            batch, self._sent = self._sent, []
            if not batch:
                continue
            try:
                async with self._db_lock, self.sessionmaker() as session:
                    repo = Repo(session)
                    sent_at = self.now()
                    owned = []
                    for row, message_id, started, _ in batch:
                        ok = await repo.outbox.mark_sent(
                            row.id,
                            self.worker_id,
                            message_id=message_id or 0,
                            call_started_at=started,
                            sent_at=sent_at,
                        )
                        spec = self.registry.spec(row.kind)
                        if ok and spec is not None and spec.on_sent is not None:
                            await spec.on_sent(
                                SentContext(repo, sent_at, message_id, row.ref), row.payload or {}
                            )
                        owned.append(ok)
                    await session.commit()
                if self.journal is not None:
                    self.journal.recorded(row.id for row, *_ in batch)
            except (
                Exception
            ) as exc:  # the rows stay "sending": recovered and resent after a restart
                log.exception("could not record %s sent messages", len(batch))
                for *_, done in batch:
                    if not done.done():
                        done.set_exception(exc)
                continue
            for (*_, done), ok in zip(batch, owned, strict=True):
                if not done.done():
                    done.set_result(ok)

    async def replay_journal(self) -> int:
        """At start-up: rows the journal says were accepted before a crash, still
        "sending" under the journaled worker's claim, are marked sent (with their
        ``on_sent`` hooks), not sent again. Then the journal starts empty."""
        if self.journal is None:
            return 0
        entries = {entry.row_id: entry for entry in self.journal.read()}
        marked = 0
        if entries:
            async with self._db_lock, self.sessionmaker() as session:
                repo = Repo(session)
                for row in await repo.outbox.in_flight(list(entries)):
                    entry = entries[row.id]
                    if not await repo.outbox.mark_sent(
                        row.id,
                        entry.worker_id,
                        message_id=entry.message_id or 0,
                        call_started_at=entry.started,
                        sent_at=entry.started,
                    ):
                        continue  # claimed by another worker since: not the journaled send
                    marked += 1
                    spec = self.registry.spec(row.kind)
                    if spec is not None and spec.on_sent is not None:
                        await spec.on_sent(
                            SentContext(repo, entry.started, entry.message_id, row.ref),
                            row.payload or {},
                        )
                await session.commit()
        self.journal.clear()
        if marked:
            log.warning(
                "%s outbox rows were accepted before a crash but not recorded: marked sent, not resent",
                marked,
            )
        return marked

    async def _outcome(
        self, row: OutboxRow, what: str, *, error: str, attempts: int, at: datetime | None = None
    ) -> None:
        async with self._db_lock, self.sessionmaker() as session:
            repo = Repo(session)
            if what == "retry":
                assert at is not None
                await repo.outbox.mark_retry(
                    row.id, self.worker_id, at=at, error=error, attempts=attempts
                )
            else:
                await repo.outbox.mark_failed(
                    row.id, self.worker_id, error=error, attempts=attempts
                )
            await session.commit()
        if what == "retry":
            log.info("row %s will be retried: %s", row.id, error)
        else:
            log.warning("row %s failed: %s", row.id, error)

    async def _forbidden(self, row: OutboxRow, address: int, error: str) -> None:
        async with self._db_lock, self.sessionmaker() as session:
            repo = Repo(session)
            if address < 0:
                await onboarding.bot_left_group(repo, chat_id=address)
            else:
                await repo.users.mark_unreachable(address, getattr(self.lane, "key", None))
            await repo.outbox.mark_failed(
                row.id, self.worker_id, error=error, attempts=row.attempts + 1
            )
            await session.commit()
        log.info("chat %s is unreachable (%s): marked inactive", address, error)

    async def _migrated(self, row: OutboxRow, old: int, new: int) -> None:
        async with self._db_lock, self.sessionmaker() as session:
            repo = Repo(session)
            await onboarding.group_migrated(repo, old_chat_id=old, new_chat_id=new)
            await repo.outbox.follow_migration(old, new)
            await repo.outbox.mark_retry(
                row.id,
                self.worker_id,
                at=self.now(),
                error="group migrated",
                attempts=row.attempts,
                chat_id=new if row.chat_id is not None else None,
            )
            await session.commit()
        log.info("group %s became supergroup %s: sending there", old, new)

    async def _pin(self, row: OutboxRow, address: int, message_id: int) -> None:
        try:
            await self.channel.pin(address, message_id)
        except PermanentError as exc:
            log.info("could not pin in %s: %s", address, exc.detail)
            async with self._db_lock, self.sessionmaker() as session:
                await Repo(session).outbox.note(row.id, f"not pinned: {exc.detail}")
                await session.commit()
