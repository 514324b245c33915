"""Building and running the bot: dispatcher factory, polling or webhook, sandbox mode."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

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
from bot.fairness import FairGate
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
UPKEEP_EVERY_S = 3600.0


def build_fsm_storage(settings: Settings, sessionmaker: Sessionmaker | None = None) -> BaseStorage:
    """In Redis with REDIS_URL, else in the database; both move with the update's commit."""
    if settings.redis_url:
        from bot.fsm_redis import TransactionalRedisStorage

        return TransactionalRedisStorage.from_url(settings.redis_url)
    if sessionmaker is not None:
        from bot.fsm_storage import DatabaseStorage

        bind = sessionmaker.kw.get("bind")
        return DatabaseStorage(sessionmaker, shared=bind is not None and bind.dialect.name != "sqlite")
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
    dispatcher.update.outer_middleware(CurrentUserMiddleware(frozenset(settings.bot_admins), sessionmaker))
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
    from bot.multibot import default_token

    secret = token or default_token(settings, SANDBOX_TOKEN)
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


async def run_bot(
    settings: Settings, runtime: Runtime, bot: Bot, budget: SendBudget, role: str = "all", *, lanes: list[Any] | None = None
) -> None:
    """Run until a signal: long polling, or the webhook server when WEBHOOK_URL is set.

    ``role``: "all" does everything; "web" only receives webhooks and stores updates;
    "worker" handles stored updates, plans, and (while it leads) sends and polls.

    ``budget`` must be the one ``bot``'s throttling middleware uses: the broadcast
    sender takes its slots from it too. ``lanes``: several bots (``BOT_TOKENS``,
    :mod:`bot.multibot`), ``bot`` being the first's; each has its own sender, budget
    and leader, and the inbox, dispatcher and planners serve them all."""
    from bot import monitoring, multibot
    from bot.delivery.registry import default_registry
    from bot.delivery.scheduler import Scheduler

    lanes = lanes or [multibot.Lane(None, bot, budget)]
    locks = multibot.lock_engine_for(lanes, runtime.engine)  # several bots: leaders' connections outside the pool
    registry = default_registry()
    metrics = monitoring.Metrics()
    zalo_bot = build_zalo(settings, runtime) if settings.zalo_bot_token else None
    routes = multibot.outbox_lanes([lane.key for lane in lanes]) if lanes[0].key is not None else [None]
    for index, lane in enumerate(lanes):  # the default bot carries Zalo (its own budget)
        wrap = (lambda channel: zalo_routing(channel, zalo_bot)) if zalo_bot is not None and index == 0 else None
        multibot.setup_lane(lane, runtime, registry, metrics, settings=settings, outbox_lane=routes[index], wrap=wrap,
                   lock_engine=locks)
    sender = lanes[0].sender if len(lanes) == 1 else multibot.Senders([lane.sender for lane in lanes])
    scheduler = Scheduler(
        runtime.sessionmaker, sender, registry, settings=settings, timezone=settings.timezone
    )
    dispatcher = build_dispatcher(
        settings,
        runtime.sessionmaker,
        runtime.i18n,
        storage=build_fsm_storage(settings, runtime.sessionmaker),
        outbox=sender,
        broadcast_scheduler=scheduler,
        bot_keys=multibot.bot_keys(lanes),
    )
    dispatcher.update.outer_middleware(monitoring.UpdateMetricsMiddleware(metrics))
    await multibot.remember_identities(lanes, runtime.sessionmaker)
    for lane in lanes:
        try:
            await set_default_menus(lane.bot, runtime.i18n)
        except Exception:  # a menu is a nicety; never fail start-up over it
            log.exception("could not set the command menus")
    used = dispatcher.resolve_used_update_types()
    single_process = lanes[0].leadership.single_process
    inbox = Inbox(
        bot,
        dispatcher,
        runtime.sessionmaker,
        parallel=settings_parallel(settings),
        share=FairGate(),
        i18n=runtime.i18n,
        budget=budget,
        leases=not single_process,
    )
    if len(lanes) > 1:  # each stored update is handled by the bot it came to
        inbox.bots = {lane.bot.id: lane.bot for lane in lanes}
        inbox.budgets = {lane.bot.id: lane.budget for lane in lanes}
    monitor = (
        await monitoring.serve(settings.metrics_listen, runtime.sessionmaker, metrics)
        if settings.metrics_listen else None
    )
    # Zalo (one conversation code, a Bot API bridge) is received and handled by the workers.
    zalo = zalo_runner(settings, runtime, zalo_bot, inbox, bot) if zalo_bot is not None and role != "web" else None
    tasks: list[asyncio.Task[None]] = []
    leading: dict[str, Any] = {}  # lead task name -> its leadership
    all_bots = [lane.bot for lane in lanes]
    stopping = asyncio.Event()  # the background tasks end at a safe point, never mid-transaction
    try:
        if role != "web":
            await scheduler.start()
            await dispatcher.emit_startup(bot=bot, dispatcher=dispatcher, bots=all_bots, **dispatcher.workflow_data)
            inbox.start()
            if zalo is not None:
                try:
                    await zalo.start()
                except OSError as exc:
                    raise OperatorError(
                        f"cannot listen on {settings.zalo_listen} for Zalo ({exc.strerror}); set ZALO_LISTEN"
                    ) from None
            tasks.append(asyncio.create_task(_upkeep(runtime.sessionmaker, stopping), name="upkeep"))
            hook = settings if role == "worker" and settings.webhook_url else None
            for lane in lanes:  # one sending leader per bot token
                name = f"lead:{lane.name}"
                leading[name] = lane.leadership
                tasks.append(asyncio.create_task(
                    _lead(
                        lane.leadership, lane.sender, lane.bot, inbox, used,
                        polls=not settings.webhook_url, hook=hook, metrics=metrics, stopping=stopping, key=lane.key,
                    ),
                    name=name,
                ))
        if settings.webhook_url and role != "worker":
            await _run_webhook(settings, inbox, lanes, used, set_webhook=role == "all")
        else:
            await _until_signal()
            log.info("stopping")
    finally:
        stopping.set()
        for task in tasks:  # a standby still waiting for the lock holds no transaction
            if task.get_name() in leading and not leading[task.get_name()].is_leader.is_set():
                task.cancel()
        if tasks:
            _, stuck = await asyncio.wait(tasks, timeout=15)
            for task in stuck:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        if zalo is not None:
            with contextlib.suppress(Exception):
                await zalo.stop()
        await inbox.stop()
        if role != "web":
            with contextlib.suppress(Exception):
                await dispatcher.emit_shutdown(bot=bot, dispatcher=dispatcher, bots=all_bots, **dispatcher.workflow_data)
        await scheduler.stop()
        for lane in lanes:
            await lane.sender.stop()
            await lane.client.session.close()
        if monitor is not None:
            await monitor.cleanup()
        if locks is not None:
            await locks.dispose()


async def _lead(
    leadership: Any, sender: Any, bot: Bot, inbox: Inbox, used: list[str], *, polls: bool, hook: Settings | None,
    metrics: Any = None, stopping: asyncio.Event, key: str | None = None,
) -> None:
    """The leader sends (one sender per bot token, so Telegram's 30/s holds for the whole
    installation) and, without a webhook, long-polls (Telegram has one getUpdates
    consumer). A leader that loses its lock's connection stops the process: its
    supervisor restarts it as a standby, and another process leads within seconds."""
    async with leadership.lead():
        if metrics is not None:
            metrics.leader.set(1)
        await sender.start()
        polling = None
        if polls:
            # Never drop pending updates: what users sent while the bot was down is handled now.
            await bot.delete_webhook(drop_pending_updates=False)
            polling = asyncio.create_task(inbox.poll(used, bot=bot), name="polling")
        elif hook is not None:  # separate web processes receive; the leader tells Telegram where
            await _set_webhook(hook, bot, used, key)
        waits = [asyncio.create_task(leadership.lost.wait()), asyncio.create_task(stopping.wait())]
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for wait in waits:
                wait.cancel()
            if polling is not None:
                polling.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await polling
        if stopping.is_set():
            return
        log.error("no longer the sending leader: stopping so that the supervisor restarts this process")
        os.kill(os.getpid(), signal.SIGTERM)


async def _upkeep(sessionmaker: Sessionmaker, stopping: asyncio.Event, every: float = UPKEEP_EVERY_S) -> None:
    """Finished queue rows past their retention go in small batches, now and every hour."""
    from storage.upkeep import prune

    while not stopping.is_set():
        try:
            pruned = await prune(sessionmaker, datetime.now(UTC) - PROCESSED_UPDATES_KEPT)
            if pruned.inbox or pruned.outbox or pruned.processed_updates:
                log.info("upkeep removed %s inbox, %s outbox and %s update-id rows",
                         pruned.inbox, pruned.outbox, pruned.processed_updates)
        except Exception:
            log.exception("upkeep failed; trying again later")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), every)


async def _set_webhook(settings: Settings, bot: Bot, used: list[str], key: str | None = None) -> None:
    from bot.multibot import webhook_url

    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    assert settings.webhook_url is not None
    url = webhook_url(settings.webhook_url, key)  # several bots: one path per bot
    await bot.set_webhook(url, secret_token=secret, allowed_updates=used, drop_pending_updates=False)


def build_zalo(settings: Settings, runtime: Runtime) -> Bot:
    """The Zalo bot: aiogram over the bridge session (bot/channels/zalo)."""
    from bot.channels.zalo.runtime import build_zalo_bot

    assert settings.zalo_bot_token is not None
    return build_zalo_bot(
        settings.zalo_bot_token.get_secret_value(), settings.zalo_api_url,
        runtime.sessionmaker, settings.zalo_public_url, settings.zalo_files_dir,
        settings.zalo_monthly_quota, settings.zalo_quota_reserve, (runtime.i18n, settings.default_locale),
    )


def zalo_routing(channel: object, zalo_bot: Bot) -> object:
    """The engine's port with Zalo next to Telegram: Zalo has its own budget."""
    from bot.channels.zalo.runtime import RoutingChannel, ZaloChannel
    from storage.channels_repo import FOREIGN_BASE

    zalo_budget = SendBudget()
    return RoutingChannel(
        channel, ZaloChannel(zalo_bot, before_call=zalo_budget.acquire),
        lambda address: abs(address) >= FOREIGN_BASE,
    )


def zalo_runner(settings: Settings, runtime: Runtime, zalo_bot: Bot, inbox: Inbox, bot: Bot) -> object:
    from bot.channels.zalo.runtime import ZaloRunner, operator_notice
    from bot.channels.zalo.words import near_quota_notice
    from bot.settings import split_host_port
    from storage.channels_repo import FOREIGN_BASE

    inbox.bot_for = lambda key: zalo_bot if abs(key) >= FOREIGN_BASE else bot
    secret = settings.zalo_webhook_secret.get_secret_value() if settings.zalo_webhook_secret else None
    runner = ZaloRunner(
        zalo_bot, inbox, runtime.i18n, locale=settings.default_locale,
        webhook_url=settings.zalo_webhook_url, webhook_secret=secret,
        listen=split_host_port(settings.zalo_listen), journal_dir=settings.zalo_files_dir.parent / "zalo-polled",
    )
    runner.on_quota = operator_notice(bot, settings.bot_admins, runtime.i18n, settings.default_locale)
    runner.on_near_quota = operator_notice(bot, settings.bot_admins, runtime.i18n, settings.default_locale, near_quota_notice)
    return runner


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


async def _run_webhook(
    settings: Settings, inbox: Inbox, lanes: list[Any], used: list[str], *, set_webhook: bool = True
) -> None:
    from urllib.parse import urlsplit

    from aiohttp import web

    from bot.channels.telegram.webhook_guard import webhook_guard
    from bot.http_limits import RUNNER_LIMITS, LimitedSite
    from bot.multibot import webhook_path
    from bot.settings import split_host_port

    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    base = urlsplit(settings.webhook_url).path or "/"

    def receiver(bot: Bot) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def receive(request: web.Request) -> web.Response:
            # The guard has checked the secret and the body's shape already.
            update = Update.model_validate(await request.json(), context={"bot": bot})
            await inbox.store([update], bot=bot)  # committed before Telegram hears 200
            return web.Response(status=200)

        return receive

    paths = [webhook_path(base, lane.key) for lane in lanes]  # several bots: one path each
    app = web.Application(middlewares=[webhook_guard(path, secret) for path in paths])
    for path, lane in zip(paths, lanes, strict=True):
        app.router.add_post(path, receiver(lane.bot))
    host, port = split_host_port(settings.webhook_listen)
    runner = web.AppRunner(app, **RUNNER_LIMITS)
    await runner.setup()
    await LimitedSite(runner, host, port).start()  # header timeout, connection cap
    if set_webhook:  # with separate web processes, the leading worker sets it
        for lane in lanes:
            await _set_webhook(settings, lane.bot, used, lane.key)
    log.info("webhook listening on %s:%s%s", host, port, " ".join(paths))
    try:
        await _until_signal()
        log.info("stopping the webhook server")
    finally:
        await runner.cleanup()
