"""``/healthz`` and ``/metrics`` for operators, on ``METRICS_LISTEN`` (off when unset).

``/healthz`` answers 200 when the database answers, an outbox sender has beaten its
heart recently, and the inbox and outbox backlogs are under their thresholds; else
503, with the failing checks named in the JSON body (a load balancer or systemd
watchdog reads the status; a person reads the body).

``/metrics`` is Prometheus' text format through ``prometheus-client``: counters kept
by this process (updates handled and their latency, Bot API calls by method and
result, 429s) and gauges read from the database at scrape time (inbox rows by status,
outbox rows pending and due by kind, the oldest due row's lateness by kind, which is
reminder lateness for the ``visit_*`` kinds, the sender's heartbeat age). Gauges
from the database are the installation's, whichever process is scraped.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiogram import BaseMiddleware
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramAPIError, TelegramRetryAfter
from aiogram.methods import TelegramMethod
from aiogram.types import TelegramObject
from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

from storage import health_repo
from storage.db import Sessionmaker

log = logging.getLogger("villagebot.monitoring")

INBOX_BACKLOG_MAX = 1_000  # pending updates: beyond this, replies are minutes late
INBOX_OLDEST_MAX_S = 120.0
OUTBOX_DUE_MAX = 20_000  # due messages: ~11 minutes of Telegram's 30/s
SENDER_BEAT_MAX_S = 30.0  # the sender beats every 2 s


@dataclass
class Metrics:
    """One registry per process (tests make their own)."""

    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        r = self.registry
        self.updates = Counter("villagebot_updates_handled", "Updates handled", ["result"], registry=r)
        self.handler_seconds = Histogram(
            "villagebot_handler_seconds", "Time to handle one update", registry=r,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
        )
        self.calls = Counter(
            "villagebot_api_calls", "Bot API calls by method, result and bot", ["method", "result", "bot"], registry=r
        )
        self.retry_after = Counter("villagebot_api_429", "429 Too Many Requests received, by bot", ["bot"], registry=r)
        self.inbox = Gauge("villagebot_inbox_rows", "Inbox rows by status", ["status"], registry=r)
        self.inbox_oldest = Gauge("villagebot_inbox_oldest_pending_seconds", "Age of the oldest pending update", registry=r)
        self.outbox_pending = Gauge("villagebot_outbox_pending", "Outbox rows pending, by kind", ["kind"], registry=r)
        self.outbox_due = Gauge("villagebot_outbox_due", "Outbox rows pending and due now, by kind", ["kind"], registry=r)
        self.outbox_late = Gauge(
            "villagebot_outbox_oldest_due_seconds", "How late the oldest due row is, by kind", ["kind"], registry=r
        )
        self.leader = Gauge("villagebot_is_leader", "1 while this process is the sending leader of its bot", registry=r)
        self.sender_beat = Gauge("villagebot_sender_heartbeat_age_seconds", "Age of the freshest sender heartbeat", registry=r)

    def load(self, snap: health_repo.QueueSnapshot) -> None:
        for gauge in (self.inbox, self.outbox_pending, self.outbox_due, self.outbox_late):
            gauge.clear()
        for status, count in snap.inbox.items():
            self.inbox.labels(status).set(count)
        self.inbox_oldest.set(snap.inbox_oldest_pending_s)
        for kind, count in snap.outbox_pending.items():
            self.outbox_pending.labels(kind).set(count)
        for kind, count in snap.outbox_due.items():
            self.outbox_due.labels(kind).set(count)
        for kind, late in snap.outbox_oldest_due_s.items():
            self.outbox_late.labels(kind).set(late)
        self.sender_beat.set(-1 if snap.sender_beat_age_s is None else snap.sender_beat_age_s)


class UpdateMetricsMiddleware(BaseMiddleware):
    """Counts handled updates and times them (an outer update middleware)."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        started = time.perf_counter()
        try:
            result = await handler(event, data)
        except Exception:
            self.metrics.updates.labels("error").inc()
            raise
        finally:
            self.metrics.handler_seconds.observe(time.perf_counter() - started)
        self.metrics.updates.labels("ok").inc()
        return result


class CallMetricsMiddleware(BaseRequestMiddleware):
    """Counts Bot API calls by method and result, and the 429s among them, per bot
    (``bot``: the key in ``BOT_TOKENS``, ``default`` for ``BOT_TOKEN``)."""

    def __init__(self, metrics: Metrics, bot: str | None = None) -> None:
        self.metrics = metrics
        self.bot = bot or "default"

    async def __call__(self, make_request: NextRequestMiddlewareType[Any], bot: Any, method: TelegramMethod[Any]) -> Any:
        name = type(method).__name__
        try:
            result = await make_request(bot, method)
        except TelegramRetryAfter:
            self.metrics.retry_after.labels(self.bot).inc()
            self.metrics.calls.labels(name, "429", self.bot).inc()
            raise
        except TelegramAPIError:
            self.metrics.calls.labels(name, "error", self.bot).inc()
            raise
        except Exception:
            self.metrics.calls.labels(name, "network", self.bot).inc()
            raise
        self.metrics.calls.labels(name, "ok", self.bot).inc()
        return result


@dataclass(frozen=True)
class Health:
    ok: bool
    checks: dict[str, Any]


async def check_health(sessionmaker: Sessionmaker, now: datetime) -> tuple[Health, health_repo.QueueSnapshot | None]:
    try:
        async with sessionmaker() as session:
            await health_repo.ping(session)
            snap = await health_repo.snapshot(session, now)
    except Exception as exc:  # the database is the first thing an operator must hear about
        return Health(False, {"database": f"unreachable: {exc.__class__.__name__}"}), None
    pending = snap.inbox.get("pending", 0)
    due = sum(snap.outbox_due.values())
    beat = snap.sender_beat_age_s
    checks = {
        "database": "ok",
        "sender": "ok" if beat is not None and beat <= SENDER_BEAT_MAX_S else f"no heartbeat for {beat} s",
        "inbox": "ok" if pending <= INBOX_BACKLOG_MAX and snap.inbox_oldest_pending_s <= INBOX_OLDEST_MAX_S
        else f"{pending} pending, oldest {snap.inbox_oldest_pending_s:.0f} s",
        "outbox": "ok" if due <= OUTBOX_DUE_MAX else f"{due} due",
    }
    return Health(all(value == "ok" for value in checks.values()), checks), snap


def build_app(sessionmaker: Sessionmaker, metrics: Metrics, now: Callable[[], datetime] | None = None) -> web.Application:
    clock = now or (lambda: datetime.now(UTC))

    async def healthz(_: web.Request) -> web.Response:
        health, _snap = await check_health(sessionmaker, clock())
        return web.json_response({"ok": health.ok, **health.checks}, status=200 if health.ok else 503)

    async def scrape(_: web.Request) -> web.Response:
        _health, snap = await check_health(sessionmaker, clock())
        if snap is not None:
            metrics.load(snap)
        body = generate_latest(metrics.registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", scrape)
    return app


async def serve(listen: str, sessionmaker: Sessionmaker, metrics: Metrics) -> web.AppRunner:
    """Start the server on ``HOST:PORT``; the caller cleans the runner up."""
    from bot.settings import split_host_port

    host, port = split_host_port(listen)
    runner = web.AppRunner(build_app(sessionmaker, metrics), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    log.info("health and metrics on http://%s:%s/healthz and /metrics", host, port)
    return runner
