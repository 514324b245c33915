"""Several Telegram bots in one installation (issue 18, part 2).

A province-wide operator runs one bot token per province (or district):
``BOT_TOKENS="hanoi=123:AA…,hue=456:BB…"``. The first listed is the *default* bot:
it sends every row that names no bot (rows written before there were several bots, a
commune without ``bot`` in the org file) and carries the Zalo channel when there is one.
``BOT_TOKEN`` alone is the single-bot case, unchanged: one lane, no bot keys anywhere.

The same processes serve every token. Per token there is a *lane*
(:class:`Lane`): its own aiogram client, flood budget (Telegram's 30/s and 20/min per
group are per bot), installation-wide send slots and sending leader (both keyed by the
bot's id), and its own :class:`~bot.delivery.sender.Sender`, which claims only the
outbox rows of its bot; the senders share the process's heartbeat identity
(:func:`process_identity`). Shared by all lanes: the durable inbox (its rows carry the
bot's id; each update is handled with the bot it came to), the dispatcher, the
planners, the database.

Which bot sends what:

* a reply goes through the bot the update came to (the per-update middleware writes
  the bot's key on the outbox rows of its replies);
* anything else for a person (a broadcast, a reminder, a notice) goes through the bot
  they last wrote to (``users.bot_key``, recorded as they write: on Telegram a bot can
  only write to people who started it), else their commune's bot (``communes.bot_key``,
  the org file's ``bot``), else the default bot; a group chat through the bot last
  seen in it (``chats.bot_key``), else its village's commune's bot
  (``storage.outbox_repo.bot_key_of``).
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

KEY_SHAPE = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")


@dataclass(frozen=True)
class BotSpec:
    """One configured bot: its key (used in the org file), token and Telegram id."""

    key: str
    token: str = field(repr=False)

    @property
    def bot_id(self) -> int:
        return int(self.token.split(":", 1)[0])


def parse_bot_tokens(text: str) -> list[BotSpec]:
    """``key=token`` pairs separated by commas (or new lines); ValueError with one
    clear line when a pair is malformed, a key or a bot is listed twice."""
    specs: list[BotSpec] = []
    for part in re.split(r"[,\n;]", text):
        part = part.strip()
        if not part:
            continue
        key, sep, token = part.partition("=")
        key, token = key.strip().lower(), token.strip()
        if not sep or not KEY_SHAPE.fullmatch(key):
            raise ValueError(
                "BOT_TOKENS must be key=token pairs separated by commas, "
                "keys of a-z 0-9 _ - (at most 32), e.g. hanoi=123:AA...,hue=456:BB..."
            )
        bot_id, _, secret = token.partition(":")
        if not bot_id.isdigit() or not secret:
            raise ValueError(f"BOT_TOKENS: the token of {key!r} must look like 123456789:AA... (from @BotFather)")
        specs.append(BotSpec(key, token))
    if not specs:
        raise ValueError("BOT_TOKENS lists no bot")
    keys = [s.key for s in specs]
    if len(set(keys)) != len(keys):
        raise ValueError("BOT_TOKENS: a key is listed twice")
    if len({s.bot_id for s in specs}) != len(specs):
        raise ValueError("BOT_TOKENS: a bot is listed twice (under two keys)")
    return specs


def configured_bots(settings: Any) -> list[BotSpec]:
    """The bots of ``BOT_TOKENS``, default first; [] with ``BOT_TOKEN`` (one bot, no keys)."""
    if settings.bot_tokens is None:
        return []
    return parse_bot_tokens(settings.bot_tokens.get_secret_value())


def default_token(settings: Any, fallback: str) -> str:
    """BOT_TOKEN, else the first bot of BOT_TOKENS (the default bot), else ``fallback``."""
    if settings.bot_token is not None:
        return str(settings.bot_token.get_secret_value())
    bots = configured_bots(settings)
    return bots[0].token if bots else fallback


@dataclass(frozen=True)
class OutboxLane:
    """Which outbox rows a bot's sender claims: its own (``bot_key`` = its key); the
    default bot's also takes rows naming no bot or a bot no longer configured."""

    key: str
    default: bool
    others: tuple[str, ...] = ()


def outbox_lanes(keys: Iterable[str]) -> list[OutboxLane]:
    keys = list(keys)
    return [
        OutboxLane(key, index == 0, tuple(k for k in keys if k != key)) for index, key in enumerate(keys)
    ]


class Senders:
    """The lanes' senders behind one ``wake()``: what a handler or a planner commits
    may be for any bot."""

    def __init__(self, senders: list[Any]) -> None:
        self.senders = senders

    def wake(self) -> None:
        for sender in self.senders:
            sender.wake()


@dataclass
class Lane:
    """One bot token's runtime: the client handlers use (throttled, replies deferred),
    the engine's client and sender, the flood budget and the sending leadership."""

    key: str | None
    bot: Any
    budget: Any
    client: Any = None
    sender: Any = None
    leadership: Any = None
    username: str = ""

    @property
    def name(self) -> str:
        return self.key or "default"


def bot_keys(lanes: list[Lane]) -> dict[int, str]:
    """Bot id → key, for the per-update middleware (empty with one bot: no keys)."""
    return {lane.bot.id: lane.key for lane in lanes if lane.key is not None}


def webhook_path(base_path: str, key: str | None) -> str:
    """Each bot's webhook: ``WEBHOOK_URL``'s path, then ``/<key>`` with several bots
    (aiogram's multibot pattern, keyed by the bot's short name instead of its token)."""
    if key is None:
        return base_path
    return base_path.rstrip("/") + "/" + key


def webhook_url(base_url: str, key: str | None) -> str:
    if key is None:
        return base_url
    return base_url.rstrip("/") + "/" + key


def setup_lane(
    lane: Lane, runtime: Any, registry: Any, metrics: Any, *, settings: Any,
    outbox_lane: OutboxLane | None = None, wrap: Any = None, lock_engine: Any = None,
) -> Lane:
    """The lane's engine side: replies deferred on its client, an unthrottled clone
    for its sender (which takes the slots itself, right before each call), its
    leadership and, with several processes, its installation-wide send slots."""
    from bot import monitoring
    from bot.channels.telegram import TelegramChannel, deferred, unthrottled_clone
    from bot.delivery.journal import SentJournal
    from bot.delivery.sender import Sender
    from storage.db import database_file
    from storage.leader import Leadership

    bot = lane.bot
    # Replies leave after their update commits, through the engine (bot/channels/telegram/deferred.py).
    deferred.install(bot)
    bot.session.middleware(monitoring.CallMetricsMiddleware(metrics, lane.key))
    lane.client = unthrottled_clone(bot)
    lane.client.session.middleware(monitoring.CallMetricsMiddleware(metrics, lane.key))
    channel: Any = TelegramChannel(lane.client)
    if wrap is not None:
        channel = wrap(channel)
    database = database_file(runtime.engine)  # SQLite: no resend after kill -9, one journal per bot
    if database is not None and lane.key is not None:
        database = database.with_name(f"{database.name}-{lane.key}")
    lane.sender = Sender(
        channel, runtime.sessionmaker, lane.budget, runtime.i18n, registry,
        timezone=settings.timezone, default_locale=settings.default_locale,
        journal=SentJournal.beside(database), identity=process_identity(runtime.engine),
    )
    lane.sender.lane = outbox_lane
    channel.before_call = lane.sender.take_slot
    lane.leadership = Leadership(lock_engine or runtime.engine, str(bot.id))
    if lane.key is not None:  # /metrics: which bots this process leads
        leads = lane.leadership.is_leader
        _leader_gauge(metrics).labels(bot=lane.key).set_function(lambda: float(leads.is_set()))
    if not lane.leadership.single_process:  # Telegram's limits hold for the whole installation
        from bot.delivery.budget import GLOBAL_LIMIT, GLOBAL_WINDOW, GROUP_LIMIT, GROUP_WINDOW
        from storage.send_slots import SharedSlots

        lane.budget.shared = SharedSlots(
            runtime.sessionmaker, bot.id, global_limit=GLOBAL_LIMIT, global_window=GLOBAL_WINDOW,
            group_limit=GROUP_LIMIT, group_window=GROUP_WINDOW,
        ).reserve
    return lane


_IDENTITIES: Any = weakref.WeakKeyDictionary()


def process_identity(engine: Any) -> Any:
    """The heartbeat identity the lanes' senders of this process share (one per
    database engine, i.e. per running process): see ``bot/delivery/identity.py``."""
    from bot.delivery.identity import SenderIdentity

    identity = _IDENTITIES.get(engine)
    if identity is None:
        identity = _IDENTITIES[engine] = SenderIdentity()
    return identity


def lock_engine_for(lanes: list[Lane], engine: Any) -> Any:
    """Several bots on PostgreSQL: the leaders' lock connections come from outside the
    pool (one per token held for as long as it leads); None otherwise (as before)."""
    if len(lanes) < 2 or engine.dialect.name != "postgresql":
        return None
    from storage.db import create_lock_engine

    return create_lock_engine(engine)


def _leader_gauge(metrics: Any) -> Any:
    gauge = getattr(metrics, "bot_leader", None)
    if gauge is None:
        from prometheus_client import Gauge

        gauge = Gauge(
            "villagebot_bot_is_leader", "1 while this process is the sending leader of this bot (BOT_TOKENS)",
            ["bot"], registry=metrics.registry,
        )
        metrics.bot_leader = gauge
    return gauge


def build_lanes(settings: Any, budget_factory: Any, bot_factory: Any) -> list[Lane]:
    """One lane per bot of ``BOT_TOKENS`` (default first), clients not yet set up."""
    lanes = []
    for spec in configured_bots(settings):
        budget = budget_factory()
        lanes.append(Lane(spec.key, bot_factory(token=spec.token, budget=budget), budget))
    return lanes


async def remember_identities(lanes: list[Lane], sessionmaker: Any) -> None:
    """``getMe`` of every bot (a wrong token fails here, before anything runs); the
    default bot's identity is the one offline commands use."""
    import logging
    from datetime import UTC, datetime

    from storage.repo import Repo

    log = logging.getLogger("villagebot")
    for lane in lanes:
        me = await lane.bot.get_me()
        log.info("running as @%s%s", me.username, f" (bot {lane.key})" if lane.key else "")
        lane.username = me.username or ""
    # Every bot's username, for offline commands (a commune's QR plaques name its bot);
    # the default bot's last: it is the one "the last getMe" means.
    async with sessionmaker() as session:
        for lane in reversed(lanes):
            await Repo(session).bot_identity.remember(lane.bot.id, lane.username, datetime.now(UTC))
            await session.flush()
        await session.commit()


def token_for(settings: Any, village: Any) -> str | None:
    """The token of ``village``'s commune's bot (several bots); None: the default bot."""
    key = getattr(getattr(village, "commune", None), "bot_key", None)
    return next((spec.token for spec in configured_bots(settings) if spec.key == key), None)


async def bot_username_for(repo: Any, settings: Any, village: Any) -> str | None:
    """The username of the bot that serves ``village``'s commune (several bots): its own,
    or the default bot's when the commune names none (or a key no longer configured),
    as that bot's running process last stored it. None with one bot, or when that bot
    has not run yet: never another bot's name (house plaques would send residents to
    the wrong bot)."""
    bots = configured_bots(settings)
    if not bots:
        return None
    key = getattr(getattr(village, "commune", None), "bot_key", None)
    spec = next((spec for spec in bots if spec.key == key), bots[0])
    return await repo.bot_identity.username_of(spec.bot_id)
