"""Building and running the bot: dispatcher factory, polling or webhook, sandbox mode."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseStorage
from aiogram.fsm.storage.memory import MemoryStorage
from aiogram.types import Update

from bot.delivery.contract import Delivery
from bot.delivery.queue import enqueue
from bot.i18n import PoI18n, UserLocaleMiddleware, create_i18n
from bot.inbox import Inbox
from bot.middlewares import (
    CurrentUserMiddleware,
    DbSessionMiddleware,
    FairShare,
    FairShareMiddleware,
    InFlight,
)
from bot.ratelimit import SendBudget, ThrottlingMiddleware
from bot.services.errors import OperatorError
from bot.services.village_criteria import CriteriaKnowledge
from bot.settings import Settings
from handlers import build_routers
from handlers.menu import MenuButtonMiddleware, set_default_menus
from storage.db import (
    DatabaseError,
    Engine,
    Sessionmaker,
    check_connection,
    create_engine,
    create_sessionmaker,
)
from storage.migrate import upgrade
from storage.repo import Repo

log = logging.getLogger("villagebot")

SANDBOX_TOKEN = "1000000001:sandbox-token-for-local-use"
PROCESSED_UPDATES_KEPT = timedelta(days=7)


def build_fsm_storage(settings: Settings) -> BaseStorage:
    if settings.redis_url:
        from aiogram.fsm.storage.redis import RedisStorage

        return RedisStorage.from_url(settings.redis_url)
    return MemoryStorage()


def delivery_enqueuer(timezone: str) -> Callable[[Repo, Delivery], Awaitable[bool]]:
    """``enqueue_delivery(repo, delivery)`` for handlers: the engine's ``enqueue`` with
    the settings' time zone (quiet hours are local). The session middleware wakes the
    engine after the commit that queued something."""

    async def enqueue_delivery(repo: Repo, delivery: Delivery) -> bool:
        return await enqueue(repo, delivery, tz=timezone)

    return enqueue_delivery


def build_dispatcher(
    settings: Settings,
    sessionmaker: Sessionmaker,
    i18n: PoI18n,
    *,
    storage: BaseStorage | None = None,
    fair_share: FairShare | None = None,
    **extra: object,
) -> Dispatcher:
    """A new dispatcher with fresh routers; everything long-lived is injected here."""
    in_flight = InFlight()
    dispatcher = Dispatcher(
        storage=storage or MemoryStorage(),
        in_flight=in_flight,
        settings=settings,
        sessionmaker=sessionmaker,
        i18n=i18n,
        admins=frozenset(settings.bot_admins),
        knowledge=extra.pop("knowledge", None) or CriteriaKnowledge(settings.criteria_dir),
        enqueue_delivery=extra.pop("enqueue_delivery", None) or delivery_enqueuer(settings.timezone),
        **extra,
    )
    dispatcher.update.outer_middleware(FairShareMiddleware(i18n, fair_share))
    dispatcher.update.outer_middleware(DbSessionMiddleware(sessionmaker, in_flight))
    dispatcher.update.outer_middleware(CurrentUserMiddleware(frozenset(settings.bot_admins)))
    dispatcher.update.outer_middleware(UserLocaleMiddleware(i18n))
    dispatcher.message.outer_middleware(MenuButtonMiddleware(i18n))
    dispatcher.include_routers(*build_routers())

    @dispatcher.shutdown()
    async def _finish_in_flight() -> None:
        if not await in_flight.drained(timeout=10):
            log.warning("stopped with %s updates still being handled", in_flight.count)

    return dispatcher


def build_bot(
    settings: Settings,
    *,
    token: str | None = None,
    api_url: str | None = None,
    budget: SendBudget | None = None,
) -> Bot:
    """The Bot client; every send goes through the shared flood budget."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(api_url or settings.telegram_api_url))
    session.middleware(ThrottlingMiddleware(budget or SendBudget()))
    secret = token or (settings.bot_token.get_secret_value() if settings.bot_token else SANDBOX_TOKEN)
    return Bot(secret, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    sessionmaker: Sessionmaker
    i18n: PoI18n


@contextlib.asynccontextmanager
async def open_runtime(settings: Settings, *, migrate: bool = True) -> AsyncIterator[Runtime]:
    engine = create_engine(settings.database_url)
    try:
        try:
            await check_connection(engine)
        except (OSError, DatabaseError) as exc:
            where = engine.url.render_as_string(hide_password=True)
            raise OperatorError(f"cannot connect to the database {where}: {exc.__class__.__name__}") from None
        if migrate:
            await upgrade(engine)
        yield Runtime(settings, engine, create_sessionmaker(engine), create_i18n(settings.default_locale))
    finally:
        await engine.dispose()


async def run_bot(settings: Settings, runtime: Runtime, bot: Bot, budget: SendBudget) -> None:
    """Run until cancelled: long polling, or the webhook server when WEBHOOK_URL is set.

    ``budget`` must be the one ``bot``'s throttling middleware uses: the broadcast
    sender takes its slots from it too."""
    from bot.channels.telegram import TelegramChannel, unthrottled_clone
    from bot.delivery.registry import default_registry
    from bot.delivery.scheduler import Scheduler
    from bot.delivery.sender import Sender

    registry = default_registry()
    # The engine takes its slots from the shared budget itself (right before each
    # call), through a client without the throttling middleware: never twice.
    client = unthrottled_clone(bot)
    channel = TelegramChannel(client)
    sender = Sender(
        channel, runtime.sessionmaker, budget, runtime.i18n, registry,
        timezone=settings.timezone, default_locale=settings.default_locale,
    )
    channel.before_call = sender.take_slot
    scheduler = Scheduler(
        runtime.sessionmaker, sender, registry, settings=settings, timezone=settings.timezone
    )
    dispatcher = build_dispatcher(
        settings,
        runtime.sessionmaker,
        runtime.i18n,
        storage=build_fsm_storage(settings),
        outbox=sender,
        broadcast_scheduler=scheduler,
    )
    me = await bot.get_me()
    log.info("running as @%s", me.username)
    async with runtime.sessionmaker() as session:
        await Repo(session).updates.prune(datetime.now(UTC) - PROCESSED_UPDATES_KEPT)
        await Repo(session).outbox.prune(datetime.now(UTC) - PROCESSED_UPDATES_KEPT)
        await Repo(session).inbox.prune(datetime.now(UTC) - PROCESSED_UPDATES_KEPT)
        await session.commit()
    try:
        await set_default_menus(bot, runtime.i18n)
    except Exception:  # a menu is a nicety; never fail start-up over it
        log.exception("could not set the command menus")
    used = dispatcher.resolve_used_update_types()
    inbox = Inbox(bot, dispatcher, runtime.sessionmaker, parallel=settings_parallel(settings), share=FairShare())
    await sender.start()
    try:
        await scheduler.start()
        await dispatcher.emit_startup(bot=bot, dispatcher=dispatcher, bots=[bot], **dispatcher.workflow_data)
        inbox.start()
        if settings.webhook_url:
            await _run_webhook(settings, inbox, bot, used)
        else:
            # Never drop pending updates: what users sent while the bot was down is handled now.
            await bot.delete_webhook(drop_pending_updates=False)
            await _run_polling(inbox, used)
    finally:
        await inbox.stop()
        with contextlib.suppress(Exception):
            await dispatcher.emit_shutdown(bot=bot, dispatcher=dispatcher, bots=[bot], **dispatcher.workflow_data)
        await scheduler.stop()
        await sender.stop()
        await client.session.close()


def settings_parallel(settings: Settings) -> int:
    """Chats handled at once: each holds at most one database session (see storage/db.py)."""
    return 8 if settings.database_url.startswith("sqlite") else 16


async def _until_signal() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)


async def _run_polling(inbox: Inbox, used: list[str]) -> None:
    """Our own long polling: a batch is acknowledged only after it is stored."""
    polling = asyncio.create_task(inbox.poll(used), name="polling")
    try:
        await _until_signal()
        log.info("stopping polling")
    finally:
        polling.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await polling


async def _run_webhook(settings: Settings, inbox: Inbox, bot: Bot, used: list[str]) -> None:
    from urllib.parse import urlsplit

    from aiohttp import web

    from bot.channels.telegram.webhook_guard import webhook_guard
    from bot.http_limits import RUNNER_LIMITS, LimitedSite
    from bot.settings import split_host_port

    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    path = urlsplit(settings.webhook_url).path or "/"

    async def receive(request: web.Request) -> web.Response:
        # The guard has checked the secret and the body's shape already.
        update = Update.model_validate(await request.json(), context={"bot": bot})
        await inbox.store([update])  # committed before Telegram hears 200
        return web.Response(status=200)

    app = web.Application(middlewares=[webhook_guard(path, secret)])
    app.router.add_post(path, receive)
    host, port = split_host_port(settings.webhook_listen)
    runner = web.AppRunner(app, **RUNNER_LIMITS)
    await runner.setup()
    await LimitedSite(runner, host, port).start()  # header timeout, connection cap
    await bot.set_webhook(settings.webhook_url, secret_token=secret, allowed_updates=used, drop_pending_updates=False)
    log.info("webhook listening on %s:%s%s", host, port, path)
    try:
        await _until_signal()
        log.info("stopping the webhook server")
    finally:
        await runner.cleanup()
