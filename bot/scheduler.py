"""APScheduler wiring for scheduled and recurring broadcasts.

The database is the schedule (``broadcasts.next_due_at`` and ``recurrence``); the
in-memory APScheduler only wakes this process at those times. Nothing is persisted in
the job store, so a restart never replays jobs: on start every scheduled broadcast is
read again, and one that fell due while the bot was down is sent if it is late by less
than ``broadcast_grace_minutes``, otherwise its author is told it was missed (a
recurring one moves on to its next occurrence, sending at most one late run). Jobs
run however late they are (``misfire_grace_time=None``): lateness is judged here, not
silently dropped. Several processes may wake for the same broadcast: the conditional
advance in :func:`bot.services.broadcasts.fire_due` lets exactly one of them send.
"""

from __future__ import annotations

import html
import logging
from datetime import UTC, datetime, timedelta

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.outbox import OutboxSender
from bot.services import broadcasts as service
from bot.settings import Settings
from storage.repo import Repo

log = logging.getLogger("villagebot.scheduler")

SWEEP_SECONDS = 30


class BroadcastScheduler:
    def __init__(
        self,
        bot: Bot,
        sessionmaker: async_sessionmaker[AsyncSession],
        sender: OutboxSender,
        i18n: I18n,
        settings: Settings,
    ) -> None:
        self.bot = bot
        self.sessionmaker = sessionmaker
        self.sender = sender
        self.i18n = i18n
        self.settings = settings
        self.scheduler = AsyncIOScheduler(timezone=UTC)

    async def start(self) -> None:
        self.scheduler.start()
        # A safety net: broadcasts scheduled by another process, or a wake-up lost.
        self.scheduler.add_job(
            self.fire, "interval", seconds=SWEEP_SECONDS, id="broadcast-sweep",
            coalesce=True, max_instances=1, misfire_grace_time=None,
        )
        async with self.sessionmaker() as session:
            scheduled = await Repo(session).broadcasts.scheduled()
        for broadcast in scheduled:
            assert broadcast.next_due_at is not None
            self.schedule(broadcast.id, broadcast.next_due_at)
        await self.fire()

    async def stop(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    def schedule(self, broadcast_id: int, when: datetime) -> None:
        """Wake at ``when`` (aware) for this broadcast; replaces an earlier wake-up."""
        self.scheduler.add_job(
            self.fire, "date", run_date=when, id=f"broadcast-{broadcast_id}",
            replace_existing=True, coalesce=True, misfire_grace_time=None,
        )

    def unschedule(self, broadcast_id: int) -> None:
        job = self.scheduler.get_job(f"broadcast-{broadcast_id}")
        if job is not None:
            job.remove()

    async def fire(self) -> None:
        """Hand every due broadcast to the outbox (or report it missed)."""
        now = datetime.now(UTC)
        async with self.sessionmaker() as session:
            repo = Repo(session)
            fired = await service.fire_due(
                repo,
                now=now,
                grace=timedelta(minutes=self.settings.broadcast_grace_minutes),
                tz=self.settings.tz,
                default_locale=self.settings.default_locale,
            )
            await session.commit()
            for item in fired:
                broadcast = item.broadcast
                if broadcast.next_due_at is not None:
                    self.schedule(broadcast.id, broadcast.next_due_at)
                text = self._notice(item)
                try:
                    message = await self.bot.send_message(broadcast.author_chat_id, text)
                except TelegramAPIError as exc:
                    log.info("could not tell the author of broadcast %s: %s", broadcast.id, exc.message)
                    continue
                if item.run is not None:
                    await repo.broadcasts.set_progress(item.run.id, message.message_id, text)
            await session.commit()
        if any(item.run is not None for item in fired):
            self.sender.wake()

    def _notice(self, item: service.Fired) -> str:
        broadcast = item.broadcast
        tz = self.settings.tz
        due = item.due_at.astimezone(tz).strftime("%d/%m/%Y %H:%M")
        snippet = html.escape(broadcast.text[:60], quote=False)
        with self.i18n.context(), self.i18n.use_locale(broadcast.author_locale):
            if item.run is not None:
                return _("🕒 The announcement scheduled for {due} is being sent: “{snippet}”").format(
                    due=due, snippet=snippet
                ) + "\n" + _("📤 Sending… {sent} of {total} delivered, {failed} failed, {waiting} waiting.").format(
                    sent=0, total=item.run.total, failed=0, waiting=item.run.total
                )
            text = _(
                "⚠️ The announcement scheduled for {due} was not sent: the bot was offline at that time. “{snippet}”"
            ).format(due=due, snippet=snippet)
            if broadcast.next_due_at is not None:
                text += "\n" + _("It will be sent next on {next}.").format(
                    next=broadcast.next_due_at.astimezone(tz).strftime("%d/%m/%Y %H:%M")
                )
            return text
