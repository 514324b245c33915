"""The outbox sender: delivers broadcast messages from the database at Telegram's
rate, at least once and, outside a crash window of milliseconds, exactly once.

Delivery state machine of an outbox row::

    pending ──claim──▶ sending ──200──▶ sent
                ▲        │
                │        ├─429──────────────▶ retrying (at now + retry_after; every sender paused)
                │        ├─5xx / timeout────▶ retrying (backoff 2, 4, 8, 16 s) … then failed
                │        ├─migrated group───▶ retrying (now, to the new chat id)
                │        ├─403──────────────▶ failed (user unreachable / chat inactive)
                │        └─other 400────────▶ failed
                └────── retrying (when next_attempt_at comes)

* A row is claimed (status "sending", ``claimed_by`` = this worker) and the claim
  committed *before* the Bot API call; its outcome is committed right after.
* Crash policy (at-least-once): a row found in "sending" whose worker's heartbeat
  stopped was in flight during a crash; it goes back to "retrying" and is sent again
  (``resent_after_crash`` counts it). A duplicate happens only if Telegram had
  accepted that call and the crash came before the "sent" commit: the window is the
  request's round trip plus one commit (``sent_at - call_started_at``; see
  docs/BENCHMARKS.md). Telegram offers no idempotency key to close it.
* Flood limits: this sender takes its slot from the shared :class:`SendBudget`
  itself and calls Telegram through its own Bot client *without* the throttling
  middleware (same token, API server and defaults), so a slot is never taken twice;
  ordinary replies keep going through the middleware and the same budget. A 429
  pauses the whole budget (every sender) for ``retry_after``.
* Claims are safe across processes: ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, a
  conditional UPDATE on SQLite; outcomes are conditional on still owning the claim.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.ratelimit import GLOBAL_LIMIT, GLOBAL_WINDOW, SendBudget
from bot.services import broadcasts as service
from bot.services import onboarding
from storage.broadcast_repo import OutboxRow
from storage.models import Broadcast, BroadcastRun
from storage.repo import Repo

log = logging.getLogger("villagebot.outbox")

# Sends are spread evenly over the global window instead of leaving in bursts of 30:
# the same rate, but only about one call is ever in flight, so a crash can catch
# (and a restart duplicate) at most about one message.
PACE = 0.97 * GLOBAL_WINDOW / GLOBAL_LIMIT  # a hair faster: the budget stays the binding limit
CLAIM_BATCH = 8


class AckButton(CallbackData, prefix="bcack"):
    """The "Đã nắm" button under a broadcast (run 0: the author's preview)."""

    run_id: int


@dataclass(frozen=True, slots=True)
class Content:
    kind: str
    text: str
    file_id: str | None
    village: str
    pin: bool
    ask_ack: bool


def render(content: Content, i18n: I18n, locale: str, run_id: int) -> tuple[str, InlineKeyboardMarkup | None]:
    """The message as every recipient sees it, in ``locale``: a header, then the
    author's text exactly as written (escaped for HTML)."""
    with i18n.context(), i18n.use_locale(locale):
        header = _("📢 <b>Announcement – {village}</b>").format(village=html.escape(content.village))
        markup = None
        if content.ask_ack:
            markup = InlineKeyboardMarkup(
                inline_keyboard=[
                    [InlineKeyboardButton(text=_("✅ Got it"), callback_data=AckButton(run_id=run_id).pack())]
                ]
            )
    body = html.escape(content.text, quote=False)
    return (f"{header}\n\n{body}" if body else header), markup


async def send_content(
    bot: Bot,
    chat_id: int,
    content: Content,
    text: str,
    markup: InlineKeyboardMarkup | None,
    **kwargs: Any,
) -> Message:
    if content.kind == "photo":
        return await bot.send_photo(chat_id, content.file_id or "", caption=text, reply_markup=markup, **kwargs)
    if content.kind == "document":
        return await bot.send_document(chat_id, content.file_id or "", caption=text, reply_markup=markup, **kwargs)
    return await bot.send_message(chat_id, text, reply_markup=markup, **kwargs)


def unthrottled_clone(bot: Bot) -> Bot:
    """A second client of the same bot with no throttling middleware: for a sender
    that takes its slots from the shared budget itself."""
    return Bot(bot.token, session=AiohttpSession(api=bot.session.api), default=bot.default)


def _now() -> datetime:
    return datetime.now(UTC)


class OutboxSender:
    """One per process. ``start()`` recovers rows left by a crash and begins sending;
    ``wake()`` after new rows are committed; ``stop()`` lets calls in flight finish."""

    def __init__(
        self,
        bot: Bot,
        sessionmaker: async_sessionmaker[AsyncSession],
        budget: SendBudget,
        i18n: I18n,
        *,
        default_locale: str = "vi",
        concurrency: int = 40,
        request_timeout: int = 10,
        max_attempts: int = 5,
        backoff_base: float = 2.0,
        heartbeat_every: float = 2.0,
        dead_after: float = 8.0,
        progress_every: float = 3.0,
        poll_every: float = 1.0,
    ) -> None:
        self.bot = bot
        self.sessionmaker = sessionmaker
        self.budget = budget
        self.i18n = i18n
        self.default_locale = default_locale
        self.concurrency = concurrency
        self.request_timeout = request_timeout
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.heartbeat_every = heartbeat_every
        self.dead_after = dead_after
        self.progress_every = progress_every
        self.poll_every = poll_every
        self.worker_id = uuid.uuid4().hex
        self._client: Bot | None = None
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._inflight: dict[int, asyncio.Task[None]] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._content: dict[int, Content] = {}
        self._chats: dict[int, int] = {}  # row id in flight -> its chat
        # The sender's writes go one at a time (SQLite's busy handler sleeps coarsely
        # when writers collide) and "sent" outcomes are committed in small batches.
        self._db_lock = asyncio.Lock()
        self._sent: list[tuple[int, int, datetime, asyncio.Future[bool]]] = []
        self._sent_ready = asyncio.Event()
        self._recorder: asyncio.Task[None] | None = None
        self._pace_lock = asyncio.Lock()
        self._next_slot = 0.0

    # ------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        self._client = unthrottled_clone(self.bot)
        async with self.sessionmaker() as session:
            repo = Repo(session)
            await repo.broadcasts.heartbeat(self.worker_id, _now())
            await session.commit()
        await self.recover()
        self._recorder = asyncio.create_task(self._record_sent(), name="outbox-recorder")
        self._tasks = [
            asyncio.create_task(self._run(), name="outbox-send"),
            asyncio.create_task(self._heartbeats(), name="outbox-heartbeat"),
            asyncio.create_task(self._progress(), name="outbox-progress"),
        ]
        log.info("outbox sender %s started", self.worker_id)

    async def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        self._wake.set()
        # Let the loops reach a safe point (cancelling one inside a transaction aborts it
        # mid-flight); cancel only what does not finish in time.
        if self._tasks:
            _, stuck = await asyncio.wait(self._tasks, timeout=timeout)
            for task in stuck:
                task.cancel()
            for task in self._tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        if self._inflight:
            _, pending = await asyncio.wait(list(self._inflight.values()), timeout=timeout)
            for task in pending:
                task.cancel()
        if self._recorder is not None:
            self._recorder.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._recorder
        with contextlib.suppress(Exception):
            await self._report_progress()
        if not self._inflight:
            with contextlib.suppress(Exception):
                async with self.sessionmaker() as session:
                    await Repo(session).broadcasts.forget_worker(self.worker_id)
                    await session.commit()
        if self._client is not None:
            await self._client.session.close()
        log.info("outbox sender %s stopped", self.worker_id)

    def wake(self) -> None:
        """New rows were committed (or a schedule fired): look now, not at the next poll."""
        self._wake.set()

    async def recover(self) -> int:
        """Rows in "sending" of dead workers go back to the queue (the crash policy)."""
        now = _now()
        async with self._db_lock, self.sessionmaker() as session:
            repo = Repo(session)
            count = await repo.broadcasts.recover_in_flight(
                self.worker_id, now, now - timedelta(seconds=self.dead_after)
            )
            await repo.broadcasts.prune_workers(now - timedelta(seconds=self.dead_after * 10))
            await session.commit()
        if count:
            log.warning("%s messages were in flight during a crash: sending them again", count)
            self.wake()
        return count

    # ----------------------------------------------------------------- loop

    async def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                delay = await self._claim_and_spawn()
            except Exception:
                log.exception("outbox loop failed; retrying")
                delay = self.poll_every
            if delay > 0:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), delay)

    async def _claim_and_spawn(self) -> float:
        """Claim rows that can leave within about a second; the delay until the next look."""
        room = self.concurrency - len(self._inflight)
        if room < min(CLAIM_BATCH, self.concurrency) and self._inflight:
            return self.poll_every  # claim in batches: fewer queries and commits per message
        now = _now()
        busy_chats = set(self._chats.values())
        async with self.sessionmaker() as session:
            repo = Repo(session)
            candidates = await repo.broadcasts.candidates(now, limit=max(200, room * 4), exclude=self._inflight)
            if not candidates:
                return self.poll_every
            picked: list[int] = []
            soonest = self.poll_every
            for candidate in candidates:
                if candidate.chat_id in busy_chats:
                    continue
                wait = self.budget.wait_time(candidate.chat_id)
                if wait <= 1.0:
                    picked.append(candidate.id)
                    busy_chats.add(candidate.chat_id)
                    if len(picked) >= room:
                        break
                else:
                    soonest = min(soonest, wait)
            if not picked:
                return soonest
            async with self._db_lock:
                rows = await repo.broadcasts.claim(self.worker_id, now, ids=picked, limit=len(picked))
                await session.commit()
        for row in rows:
            self._inflight[row.id] = asyncio.create_task(self._deliver(row), name=f"outbox-{row.id}")
            self._chats[row.id] = row.chat_id
        return 0.0 if len(rows) < len(picked) else 0.05

    async def _pause(self, seconds: float) -> bool:
        """Sleep ``seconds``; True as soon as the sender is stopping (end the loop)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)
        return self._stopping.is_set()

    async def _heartbeats(self) -> None:
        while not await self._pause(self.heartbeat_every):
            try:
                async with self._db_lock, self.sessionmaker() as session:
                    await Repo(session).broadcasts.heartbeat(self.worker_id, _now())
                    await session.commit()
                await self.recover()
            except Exception:
                log.exception("outbox heartbeat failed")

    # ------------------------------------------------------------- delivery

    async def _load(self, run_id: int) -> Content:
        content = self._content.get(run_id)
        if content is None:
            async with self.sessionmaker() as session:
                repo = Repo(session)
                run = await repo.broadcasts.run(run_id)
                assert run is not None
                broadcast = await repo.broadcasts.get(run.broadcast_id)
                assert broadcast is not None
                village = await repo.places.village(broadcast.village_id)
                content = content_of(broadcast, village.name if village else "")
            self._content[run_id] = content
        return content

    async def _deliver(self, row: OutboxRow) -> None:
        try:
            await self._deliver_once(row)
        except Exception:
            log.exception("delivering outbox row %s failed", row.id)
        finally:
            self._inflight.pop(row.id, None)
            self._chats.pop(row.id, None)
            self._wake.set()

    async def _deliver_once(self, row: OutboxRow) -> None:
        assert self._client is not None
        content = await self._load(row.run_id)
        text, markup = render(content, self.i18n, row.locale, row.run_id)
        await self._pace()
        await self.budget.acquire(row.chat_id)
        started = _now()
        try:
            message = await send_content(
                self._client, row.chat_id, content, text, markup, request_timeout=self.request_timeout
            )
        except TelegramRetryAfter as exc:
            self.budget.pause(exc.retry_after)
            log.warning("429 for chat %s: every sender pauses %ss", row.chat_id, exc.retry_after)
            await self._outcome(
                row,
                "retry",
                at=_now() + timedelta(seconds=exc.retry_after),
                error=f"429 retry after {exc.retry_after}",
                attempts=row.attempts,
            )
        except TelegramMigrateToChat as exc:
            await self._migrated(row, exc.migrate_to_chat_id)
        except TelegramForbiddenError as exc:
            await self._forbidden(row, exc.message)
        except (TelegramServerError, TelegramNetworkError, TimeoutError) as exc:
            attempts = row.attempts + 1
            error = f"{type(exc).__name__}: {getattr(exc, 'message', '') or exc}"
            if attempts >= self.max_attempts:
                await self._outcome(row, "failed", error=error, attempts=attempts)
            else:
                backoff = self.backoff_base * 2 ** (attempts - 1)
                await self._outcome(
                    row, "retry", at=_now() + timedelta(seconds=backoff), error=error, attempts=attempts
                )
        except TelegramBadRequest as exc:
            await self._outcome(row, "failed", error=exc.message, attempts=row.attempts + 1)
        except TelegramAPIError as exc:
            await self._outcome(row, "failed", error=exc.message, attempts=row.attempts + 1)
        else:
            done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
            self._sent.append((row.id, message.message_id, started, done))
            self._sent_ready.set()
            owned = await done
            if not owned:
                log.error("row %s was sent but its claim had been taken over (duplicate possible)", row.id)
            if content.pin and row.group_id is not None:
                await self._pin(row, message.message_id)

    async def _pace(self) -> None:
        """Wait for this sender's next evenly spaced slot (absolute times: no drift)."""
        async with self._pace_lock:
            now = asyncio.get_running_loop().time()
            slot = max(self._next_slot, now)
            self._next_slot = slot + PACE
            if slot > now:
                await asyncio.sleep(slot - now)

    async def _record_sent(self) -> None:
        """Commit "sent" for every answered call so far, in one transaction."""
        while True:
            await self._sent_ready.wait()
            self._sent_ready.clear()
            batch, self._sent = self._sent, []
            if not batch:
                continue
            try:
                async with self._db_lock, self.sessionmaker() as session:
                    repo = Repo(session)
                    sent_at = _now()
                    owned = [
                        await repo.broadcasts.mark_sent(
                            row_id, self.worker_id, message_id=message_id, call_started_at=started, sent_at=sent_at
                        )
                        for row_id, message_id, started, _ in batch
                    ]
                    await session.commit()
            except Exception as exc:  # the rows stay "sending": recovered and resent after a restart
                log.exception("could not record %s sent messages", len(batch))
                for *_, done in batch:
                    if not done.done():
                        done.set_exception(exc)
                continue
            for (*_, done), ok in zip(batch, owned, strict=True):
                if not done.done():
                    done.set_result(ok)

    async def _outcome(self, row: OutboxRow, what: str, *, error: str, attempts: int, at: datetime | None = None) -> None:
        async with self._db_lock, self.sessionmaker() as session:
            repo = Repo(session)
            if what == "retry":
                assert at is not None
                await repo.broadcasts.mark_retry(row.id, self.worker_id, at=at, error=error, attempts=attempts)
            else:
                await repo.broadcasts.mark_failed(row.id, self.worker_id, error=error, attempts=attempts)
            await session.commit()
        if what == "retry":
            log.info("row %s to %s will be retried: %s", row.id, row.chat_id, error)
        else:
            log.warning("row %s to %s failed: %s", row.id, row.chat_id, error)

    async def _forbidden(self, row: OutboxRow, error: str) -> None:
        async with self._db_lock, self.sessionmaker() as session:
            repo = Repo(session)
            if row.group_id is not None:
                await onboarding.bot_left_group(repo, chat_id=row.chat_id)
            else:
                await repo.users.mark_unreachable(row.chat_id)
            await repo.broadcasts.mark_failed(row.id, self.worker_id, error=error, attempts=row.attempts + 1)
            await session.commit()
        log.info("chat %s is unreachable (%s): marked inactive", row.chat_id, error)

    async def _migrated(self, row: OutboxRow, new_chat_id: int) -> None:
        async with self._db_lock, self.sessionmaker() as session:
            repo = Repo(session)
            await onboarding.group_migrated(repo, old_chat_id=row.chat_id, new_chat_id=new_chat_id)
            await repo.broadcasts.follow_migration(row.chat_id, new_chat_id)
            await repo.broadcasts.mark_retry(
                row.id, self.worker_id, at=_now(), error="group migrated", attempts=row.attempts, chat_id=new_chat_id
            )
            await session.commit()
        log.info("group %s became supergroup %s: sending there", row.chat_id, new_chat_id)

    async def _pin(self, row: OutboxRow, message_id: int) -> None:
        try:
            await self.bot.pin_chat_message(row.chat_id, message_id, disable_notification=True)
        except TelegramAPIError as exc:
            log.info("could not pin in %s: %s", row.chat_id, exc.message)
            async with self.sessionmaker() as session:
                await Repo(session).broadcasts.note(row.id, f"not pinned: {exc.message}")
                await session.commit()

    # ------------------------------------------------------------- progress

    async def _progress(self) -> None:
        while not await self._pause(self.progress_every):
            try:
                await self._report_progress()
            except Exception:
                log.exception("progress report failed")

    async def _report_progress(self) -> None:
        async with self.sessionmaker() as session:
            repo = Repo(session)
            for run in await repo.broadcasts.sending_runs():
                broadcast = await repo.broadcasts.get(run.broadcast_id)
                if broadcast is None:
                    continue
                report = await service.run_report(repo, run.id)
                if report.finished and await repo.broadcasts.finish_run(run.id, _now()):
                    if broadcast.status == "active":
                        broadcast.status = "done"
                    repo.audit.add(
                        "broadcast_delivered",
                        actor_user_id=broadcast.author_user_id,
                        village_id=broadcast.village_id,
                        details={
                            "broadcast_id": broadcast.id,
                            "run_id": run.id,
                            "sent": report.sent,
                            "failed": report.failed,
                            "failures": report.failures,
                        },
                    )
                    await session.commit()
                    await self._edit_progress(repo, broadcast, run, report, final=True)
                    await self._send_final(broadcast, report)
                    self._content.pop(run.id, None)
                else:
                    await self._edit_progress(repo, broadcast, run, report, final=False)
                await session.commit()

    async def _edit_progress(
        self, repo: Repo, broadcast: Broadcast, run: BroadcastRun, report: service.RunReport, *, final: bool
    ) -> None:
        if run.progress_message_id is None:
            return
        text = progress_text(self.i18n, broadcast.author_locale, report, final=final)
        if text == run.progress_text:
            return
        try:
            await self.bot.edit_message_text(
                text=text, chat_id=broadcast.author_chat_id, message_id=run.progress_message_id
            )
        except TelegramAPIError as exc:
            log.info("could not edit the progress of run %s: %s", run.id, exc.message)
        await repo.broadcasts.set_progress(run.id, run.progress_message_id, text)

    async def _send_final(self, broadcast: Broadcast, report: service.RunReport) -> None:
        try:
            await self.bot.send_message(
                broadcast.author_chat_id, final_report_text(self.i18n, broadcast.author_locale, report)
            )
        except TelegramAPIError as exc:
            log.info("could not send the report of run %s: %s", report.run_id, exc.message)


def content_of(broadcast: Broadcast, village: str) -> Content:
    return Content(
        kind=broadcast.kind,
        text=broadcast.text,
        file_id=broadcast.file_id,
        village=village,
        pin=broadcast.pin,
        ask_ack=broadcast.ask_ack,
    )


def reason_label(reason: str) -> str:
    labels = {
        "blocked": _("blocked the bot"),
        "kicked": _("bot removed from the group"),
        "not_started": _("never opened a chat with the bot"),
        "gone": _("chat no longer exists"),
        "error": _("Telegram error"),
    }
    return labels.get(reason, reason)


def progress_text(i18n: I18n, locale: str, report: service.RunReport, *, final: bool) -> str:
    with i18n.context(), i18n.use_locale(locale):
        if final:
            return _("✅ Finished: {sent} of {total} delivered, {failed} failed.").format(
                sent=report.sent, total=report.total, failed=report.failed
            )
        return _("📤 Sending… {sent} of {total} delivered, {failed} failed, {waiting} waiting.").format(
            sent=report.sent, total=report.total, failed=report.failed, waiting=report.waiting
        )


def final_report_text(i18n: I18n, locale: str, report: service.RunReport) -> str:
    with i18n.context(), i18n.use_locale(locale):
        lines = [
            _("📊 <b>Announcement report</b>"),
            _("Delivered: {sent} of {total}").format(sent=report.sent, total=report.total),
            _("Failed: {failed}").format(failed=report.failed),
        ]
        for reason, count in sorted(report.failures.items()):
            lines.append(f"  • {reason_label(reason)}: {count}")
        if report.not_pinned:
            lines.append(
                _(
                    "⚠️ Not pinned in {count} group(s): I am not an administrator there. Make me an "
                    "administrator with the right to pin messages, then /lienket tells you if it worked."
                ).format(count=report.not_pinned)
            )
        lines.append(_("Acknowledged so far: {count}").format(count=report.acknowledged))
        lines.append(_("Send /thongbao to see who acknowledged."))
        return "\n".join(lines)
