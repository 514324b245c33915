"""Running the Zalo channel next to Telegram in one process.

Intake: long polling (one event per ``getUpdates``; 408 means idle) or a webhook
(the secret in ``X-Bot-Api-Secret-Token`` checked in constant time; 200 only after
the insert). Both store into the same durable inbox as Telegram, under the Zalo bot's
id. The HTTP server also serves the photos and documents sent by URL (:mod:`.files`).
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
from typing import Any
from urllib.parse import urlsplit

from aiogram import Bot
from aiohttp import web

from bot.channels.base import SENDING_PRIORITY, Capabilities, RateLimited
from bot.channels.telegram import TelegramChannel, deferred
from bot.channels.zalo.api import ZaloApi, ZaloApiError
from bot.channels.zalo.directory import Directory
from bot.channels.zalo.files import FileShelf
from bot.channels.zalo.intake import ZaloIntake
from bot.channels.zalo.journal import EventJournal
from bot.channels.zalo.quota import HELD, HOLD_SECONDS, QuotaGuard, this_month
from bot.channels.zalo.session import TEXT_LIMIT, ZaloSession
from bot.delivery.contract import OutgoingMessage

log = logging.getLogger("villagebot.zalo")

ZALO_CAPABILITIES = Capabilities(buttons=False, edits=False, max_text=TEXT_LIMIT, max_caption=TEXT_LIMIT)


def build_zalo_bot(
    token: str, api_url: str, sessionmaker: Any, public_url: str, files_dir: Any = None,
    quota: int = 0, reserve_percent: int = 10, languages: tuple[Any, str] | None = None,
) -> Bot:
    """``languages``: (i18n, default locale), for the words the bridge adds to what the
    engine sends (a kept reply in the language it was written in, anything else in the default)."""
    session = ZaloSession(ZaloApi(token, api_url), Directory(sessionmaker), FileShelf(public_url, files_dir))
    session.guard = QuotaGuard(quota, reserve_percent)
    session.languages = languages
    from aiogram.client.default import DefaultBotProperties
    from aiogram.enums import ParseMode

    bot = Bot(token, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))
    # As on Telegram, what a handler shows leaves after its update commits, through the
    # delivery engine (bot/channels/telegram/deferred.py): a kill -9 loses no reply's promise.
    deferred.install(bot)
    return bot


class ZaloChannel:
    """The delivery engine's Zalo channel: the Telegram adapter's calls, carried by the
    bridge session; a 429 pauses Zalo only (never the Telegram budget)."""

    name = "zalo"
    capabilities = ZALO_CAPABILITIES

    def __init__(self, bot: Bot, before_call: Any = None) -> None:
        self.inner = TelegramChannel(bot)  # keyboards reach the session, which numbers them
        self.guard: QuotaGuard = getattr(bot.session, "guard", None) or QuotaGuard()
        if before_call is not None:
            self.inner.before_call = before_call

    async def send(self, address: int, message: OutgoingMessage) -> Any:
        if self.guard.holds(SENDING_PRIORITY.get()):  # near the quota: bulk waits, nothing dropped
            raise RateLimited(HOLD_SECONDS, HELD, whole_budget=False)
        try:
            with self._language(message.locale or (message.native or {}).get("locale")):
                return await self.inner.send(address, message)
        except RateLimited as exc:
            raise RateLimited(exc.retry_after, exc.detail, whole_budget=False) from exc

    def _language(self, locale: str | None) -> Any:
        """The engine sends outside any update: the bridge's own words (the numbered menu's
        hint) and the stored menu take the message's language (the recipient's, stamped by
        the sender; a kept reply's own), else the default."""
        languages = getattr(self.inner.bot.session, "languages", None)
        if languages is None:
            return contextlib.nullcontext()
        i18n, default = languages
        stack = contextlib.ExitStack()
        stack.enter_context(i18n.context())
        stack.enter_context(i18n.use_locale(locale or default))
        return stack

    async def pin(self, address: int, message_id: int) -> None:
        return None  # Zalo has no pins


class RoutingChannel:
    """One port for the engine: an address allocated for Zalo goes to Zalo."""

    def __init__(self, default: Any, zalo: ZaloChannel, is_zalo: Any) -> None:
        self.default, self.zalo, self.is_zalo = default, zalo, is_zalo
        self.name = default.name
        self.capabilities = default.capabilities

    @property
    def before_call(self) -> Any:
        return self.default.before_call

    @before_call.setter
    def before_call(self, value: Any) -> None:
        self.default.before_call = value

    async def send(self, address: int, message: OutgoingMessage) -> Any:
        return await (self.zalo if self.is_zalo(address) else self.default).send(address, message)

    async def pin(self, address: int, message_id: int) -> None:
        return await (self.zalo if self.is_zalo(address) else self.default).pin(address, message_id)


class ZaloRunner:
    def __init__(self, bot: Bot, inbox: Any, i18n: Any, *, locale: str = "vi",
                 webhook_url: str | None = None, webhook_secret: str | None = None,
                 listen: tuple[str, int] = ("127.0.0.1", 8444), journal_dir: Any = None) -> None:
        self.bot = bot
        self.session: ZaloSession = bot.session  # type: ignore[assignment]
        self.inbox = inbox
        self.i18n = i18n
        self.locale = locale
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret or ""
        self.listen = listen
        self.journal = EventJournal(journal_dir) if journal_dir is not None else None
        self.intake: ZaloIntake | None = None
        self._runner: web.AppRunner | None = None
        self._task: asyncio.Task[None] | None = None
        self._usage_task: asyncio.Task[None] | None = None
        self._taking = False  # an event or the usage is being written: stop waits for it
        self._flushing = False
        self.stored = 0
        self.on_quota: Any = None  # awaited once per quota episode: tell the operators
        self.on_near_quota: Any = None  # awaited once a month when bulk starts to wait
        self._was_near = False
        self._started_check = False
        self._told = 0
        self._counted = (0, 0)

    async def start(self) -> None:
        me = await self.bot.get_me()
        self.intake = ZaloIntake(self.session.directory, me.model_dump(mode="json", exclude_none=True),
                                 self.i18n, self.locale)
        app = web.Application()
        self.session.shelf.install(app)
        path = urlsplit(self.webhook_url).path if self.webhook_url else None
        if path:
            app.router.add_post(path, self._receive)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, *self.listen).start()
        if self.webhook_url:
            await self.session.zalo.call("setWebhook", url=self.webhook_url, secret_token=self.webhook_secret)
            log.info("zalo: webhook %s", self.webhook_url)
        else:
            with contextlib.suppress(ZaloApiError):
                await self.session.zalo.call("deleteWebhook")
            await self.replay()
            self._task = asyncio.create_task(self._poll(), name="zalo-polling")
        await self.check_quota()
        self._usage_task = asyncio.create_task(self._keep_usage(), name="zalo-usage")
        log.info("zalo: running as %s", me.first_name)

    async def _keep_usage(self, every: float = 10.0) -> None:
        while True:
            await asyncio.sleep(every)
            try:
                self._flushing = True
                await self.flush_usage()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("zalo: storing the usage failed")
            finally:
                self._flushing = False

    async def flush_usage(self) -> None:
        """Add the sends and 429s since the last flush to this month's usage; tell the
        operators when a quota episode began."""
        session = self.session
        sent, hits = session.sent - self._counted[0], session.quota_hits - self._counted[1]
        if sent or hits:
            await session.directory.add_usage(sent, hits, session.last_quota_at if hits else None)
            self._counted = (self._counted[0] + sent, self._counted[1] + hits)
        if session.quota_episodes > self._told and self.on_quota is not None:
            self._told = session.quota_episodes
            await self.on_quota()
        await self.check_quota()

    async def check_quota(self) -> None:
        """The month's count as stored (all processes); held bulk is released when the
        quota is no longer near (raised, or a new month); operators are told once."""
        guard, directory = self.session.guard, self.session.directory
        if guard.quota <= 0:
            return
        month = this_month()
        guard.known(month, await directory.month_sent(month))
        if guard.near:
            if guard.should_tell():
                log.warning("zalo: %s of %s messages sent this month: bulk waits", guard.sent, guard.quota)
                if self.on_near_quota is not None:
                    await self.on_near_quota(guard.sent, guard.quota)
        elif self._was_near or not self._started_check:
            released = await directory.release_bulk()
            if released:
                log.info("zalo: %s messages held for the quota go now", released)
        self._was_near, self._started_check = guard.near, True

    async def stop(self) -> None:
        # Cancel the loops only between two units of work: a cancel inside one logged a
        # traceback from the connection pool at shutdown (fresh-clone CI).
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 10
        while (self._taking or self._flushing) and loop.time() < deadline:
            await asyncio.sleep(0.05)
        for task in (self._task, self._usage_task):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        with contextlib.suppress(Exception):
            await self.flush_usage()
        if self._runner is not None:
            await self._runner.cleanup()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.session.directory.flush(), 5)
        await self.bot.session.close()

    async def take(self, event: dict[str, Any]) -> None:
        """One event: converted, stored (committed), and any immediate answer sent."""
        assert self.intake is not None
        result = await self.intake.convert(event)
        if result.updates:
            self.stored += await self.inbox.store(result.updates, bot_id=self.bot.id)
        for chat_id, text in result.answers:
            await self.session.say(self.bot, chat_id, text)

    async def _poll(self) -> None:
        failures = 0
        while True:
            try:
                event = await self.session.zalo.call("getUpdates", request_timeout=40, timeout=30)
            except asyncio.CancelledError:
                raise
            except ZaloApiError as exc:
                if exc.code == 408:
                    continue  # idle
                failures += 1
                log.warning("zalo: getUpdates failed (%s in a row): %s", failures, exc)
                await asyncio.sleep(min(30.0, 0.5 * 2**failures))
                continue
            failures = 0
            self._taking = True
            try:
                entry = self.journal.write(event) if self.journal is not None else None  # before anything else
                if await self._take_with_retries(event) and entry is not None:
                    self.journal.done(entry)  # type: ignore[union-attr]
            finally:
                self._taking = False

    async def replay(self) -> int:
        """Store the polled events a crash left in the journal; how many."""
        if self.journal is None:
            return 0
        replayed = 0
        for entry, event in self.journal.pending():
            if await self._take_with_retries(event):
                self.journal.done(entry)
                replayed += 1
        if replayed:
            log.warning("zalo: %s polled events left by a crash were stored now", replayed)
        return replayed

    async def _take_with_retries(self, event: dict[str, Any], attempts: int = 5) -> bool:
        """Zalo will not hand a polled event out again: try hard to store it (one still
        not stored stays in the journal for the next start)."""
        for attempt in range(1, attempts + 1):
            try:
                await self.take(event)
                return True
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("zalo: storing an event failed (attempt %s of %s)", attempt, attempts)
                await asyncio.sleep(0.5 * 2**attempt)
        return False

    async def _receive(self, request: web.Request) -> web.Response:
        given = request.headers.get("X-Bot-Api-Secret-Token", "")
        if not self.webhook_secret or not hmac.compare_digest(given.encode(), self.webhook_secret.encode()):
            return web.Response(status=401)
        try:
            body = await request.json()
        except ValueError:
            return web.Response(status=400)
        event = body.get("result") if isinstance(body, dict) and "result" in body else body
        if not isinstance(event, dict):
            return web.Response(status=400)
        await self.take(event)  # committed before Zalo hears 200
        return web.Response(status=200)


def operator_notice(bot: Bot, admins: list[int], i18n: Any, locale: str, words: Any = None) -> Any:
    """Tell the operators (BOT_ADMINS, on Telegram) that Zalo's quota ran out (or, with
    ``words``, anything else about it: the words get the notice's arguments)."""

    async def notice(*args: Any) -> None:
        from bot.channels.zalo.words import quota_notice

        with i18n.context(), i18n.use_locale(locale):
            text = (words or quota_notice)(*args)
        log.warning("zalo: telling %s operators: %s", len(admins), text[:80])
        for admin in admins:
            try:
                await bot.send_message(admin, text, parse_mode=None)
            except Exception:
                log.exception("zalo: could not tell operator %s", admin)

    return notice
