"""Per-update middlewares: one database session (the one place that commits, and
where the update's replies join its transaction), the current user and their roles,
redelivery protection, the fair share when there is no inbox, and the notices the
fair share sends (in the background: nothing waits for a send slot)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.types import TelegramObject, Update

from bot.channels.telegram.deferred import collecting
from bot.delivery.kinds import call_row
from bot.fairness import FAIR_BURST, FAIR_LIMIT, FAIR_WINDOW, FairShare  # noqa: F401  (re-exported)
from bot.services.onboarding import load_actor
from storage import update_tx
from storage.db import Sessionmaker
from storage.repo import Repo

log = logging.getLogger(__name__)

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class InFlight:
    """Counts updates being handled, so a graceful stop can let them finish."""

    def __init__(self) -> None:
        self.count = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @contextlib.contextmanager
    def track(self) -> Iterator[None]:
        self.count += 1
        self._idle.clear()
        try:
            yield
        finally:
            self.count -= 1
            if self.count == 0:
                self._idle.set()

    async def drained(self, timeout: float = 10.0) -> bool:
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except TimeoutError:
            return False
        return True


class DbSessionMiddleware(BaseMiddleware):
    """Opens a session per update, commits when the handler succeeds and rolls back
    when it raises. An update id seen before is skipped: the inbox may hand over an
    update again after a crash, and the marker commits together with the update's
    own changes. What the handler sends meanwhile is kept (when the bot's session has
    :class:`~bot.channels.telegram.deferred.DeferReplies`) and written to the outbox in
    the same commit: it leaves after the commit, paced by the engine, or not at all."""

    def __init__(self, sessionmaker: Sessionmaker, in_flight: InFlight) -> None:
        self.sessionmaker = sessionmaker
        self.in_flight = in_flight

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        bot: Bot = data["bot"]
        with self.in_flight.track():
            return await self._handle(bot, handler, event, data)

    async def _handle(self, bot: Bot, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        async with self.sessionmaker() as session:
            repo = Repo(session)
            update_id = event.update_id if isinstance(event, Update) else None
            if update_id is not None and await repo.updates.seen(bot.id, update_id):
                log.info("update %s was handled before; ignored", update_id)
                return None
            data["session"] = session
            data["repo"] = repo
            with update_tx.opened(session) as tx:  # the FSM state writes in it (bot/fsm_storage.py)
                return await self._in_tx(tx, bot, handler, event, data, update_id)

    async def _in_tx(
        self, tx: update_tx.UpdateTx, bot: Bot, handler: Handler, event: TelegramObject,
        data: dict[str, Any], update_id: int | None,
    ) -> Any:
        session, repo = data["session"], data["repo"]
        with collecting(_chat_of(event)) as replies:
            try:
                result = await handler(event, data)
            except BaseException:
                replies.close()  # nothing of a failed update is shown
                await session.rollback()
                raise
        # What the handler showed to people commits with its work, and leaves after it.
        now = datetime.now(UTC)
        bot_key = data.get("bot_keys", {}).get(bot.id)  # several bots: this one answers
        burst = {"burst": data["chat_arrivals"]} if data.get("chat_arrivals", 1) > 1 else {}
        for number, kept in enumerate(replies.close()):
            await repo.outbox.enqueue(
                call_row(
                    kept.address,
                    {**kept.payload, **burst},
                    now=now,
                    ref=f"update:{update_id}",
                    dedupe_key=f"upd:{bot.id}:{update_id}:{number}" if update_id is not None else None,
                    bot_key=bot_key,
                )
            )
        if bot_key is not None and (group := _chat_of(event)) < 0:  # several bots: the one in this group
            await repo.chats.seen_by(group, bot_key)
        await tx.prepare()  # conversation states changed by the handler: in this commit
        # The marker is written last: an update that only reads never holds
        # SQLite's write lock while its replies wait for a send slot.
        if update_id is not None and not await repo.updates.mark_processed(bot.id, update_id):
            await session.rollback()
            log.warning("update %s was handled meanwhile by another worker; its changes are dropped", update_id)
            return None
        ack = data.get("inbox_ack")  # the inbox row is marked handled in the same commit
        if ack is not None:
            await repo.inbox.mark_done(ack["row_id"], ack["now"])
        await session.commit()
        tx.committed = True
        await tx.finish()  # conversation states kept in Redis: written now that the update stands
        if ack is not None:
            ack["done"] = True
        if repo.outbox.enqueued and (engine := data.get("outbox")) is not None:
            engine.wake()  # what the update queued is committed: send it now
        return result


def _chat_of(event: TelegramObject) -> int:
    """Where a call without a chat is paced: answering a button goes with the presser's
    private chat (never behind a busy group's sending limit)."""
    if isinstance(event, Update) and event.callback_query is not None:
        return event.callback_query.from_user.id
    if isinstance(event, Update):
        from bot.inbox import chat_key

        return chat_key(event)
    return 0


class CurrentUserMiddleware(BaseMiddleware):
    """Loads the user behind the update, with roles and village, once.

    A new person's row, or a new name, is written in a short unit of work of its own,
    committed before the update's own work begins: the update's transaction never
    holds a write for it, and two updates of one new person in two chats at once
    cannot collide (issue 21, item 5). What this process last wrote is remembered, so
    a known, unchanged person costs nothing more."""

    KNOWN_MAX = 50_000

    def __init__(self, admins: frozenset[int], sessionmaker: Sessionmaker | None = None) -> None:
        self.admins = admins
        self.sessionmaker = sessionmaker
        self._known: dict[int, tuple[str, str | None, str | None]] = {}

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        from_user = data.get("event_from_user")
        repo: Repo | None = data.get("repo")
        if from_user is not None and repo is not None and not from_user.is_bot:
            bot = data.get("bot")
            platform = getattr(getattr(bot, "session", None), "channel", "telegram")
            bot_key = data.get("bot_keys", {}).get(getattr(bot, "id", None))  # several bots
            await self._ensure(from_user.id, from_user.full_name, from_user.username, platform, bot_key)
            user = await repo.users.get_or_create(
                from_user.id, full_name=from_user.full_name, username=from_user.username,
                platform=platform,
            )
            if user.platform_user_id != from_user.id:
                # A linked account used on its other channel: reached there from now on.
                self._known.pop(from_user.id, None)
                await self._ensure(from_user.id, from_user.full_name, from_user.username, platform)
            data["user"] = user
            actor = await load_actor(repo, user, admins=self.admins)
            data["actor"] = replace(actor, platform_user_id=from_user.id, is_admin=actor.is_admin or from_user.id in self.admins)
        return await handler(event, data)

    async def _ensure(
        self, platform_id: int, full_name: str, username: str | None, platform: str, bot_key: str | None = None
    ) -> None:
        known = (full_name[:200], username, bot_key)
        if self.sessionmaker is None or self._known.get(platform_id) == known:
            return
        async with self.sessionmaker() as session:
            await Repo(session).users.ensure(
                platform_id, full_name=full_name, username=username, platform=platform, bot_key=bot_key
            )
            await session.commit()
        if len(self._known) >= self.KNOWN_MAX:
            self._known.clear()
        self._known[platform_id] = known


class FairShareMiddleware(BaseMiddleware):
    """Outermost: a message past the chat's fair share is dropped (the first one
    gets a polite, localized "slow down")."""

    def __init__(self, i18n: Any, share: FairShare | None = None) -> None:
        self.i18n = i18n
        self.share = share or FairShare()

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        message = event.message if isinstance(event, Update) else None
        if message is None or message.chat.type != "private":
            return await handler(event, data)
        verdict = data.get("fair_verdict") or self.share.check(("u", message.chat.id))
        if verdict == "ok":
            return await handler(event, data)
        if verdict == "warn":
            # Told in the background: no worker waits for the flooder's send slot.
            user = message.from_user
            task = asyncio.create_task(
                slow_down(data["bot"], self.i18n, message.chat.id, user.language_code if user else None)
            )
            _background.add(task)
            task.add_done_callback(_background.discard)
        log.info("update %s dropped: chat %s is over its fair share", event.update_id, message.chat.id)  # type: ignore[union-attr]
        return None


_background: set[asyncio.Task[None]] = set()


def _localized(i18n: Any, language_code: str | None, text: Callable[[], str]) -> str:
    from bot.i18n import pick_locale

    locale = pick_locale(None, language_code, i18n.default_locale)
    with i18n.context(), i18n.use_locale(locale):
        return text()


async def slow_down(bot: Bot, i18n: Any, chat_id: int, language_code: str | None) -> None:
    """The polite "slow down" to a chat over its share (once per episode)."""
    from aiogram.exceptions import TelegramAPIError
    from aiogram.utils.i18n import gettext as _

    text = _localized(
        i18n,
        language_code,
        lambda: _(
            "You are sending messages too fast. Please wait a minute, then ask again: "
            "messages sent meanwhile are not read."
        ),
    )
    try:
        await bot.send_message(chat_id, text)
    except TelegramAPIError as exc:
        log.info("could not tell chat %s to slow down: %s", chat_id, exc.message)


async def pressing_too_fast(bot: Bot, i18n: Any, query_id: str, language_code: str | None) -> None:
    """A button press over the presser's share: answered at once, not handled."""
    from aiogram.exceptions import TelegramAPIError
    from aiogram.utils.i18n import gettext as _

    text = _localized(
        i18n, language_code, lambda: _("You are choosing too fast. Please wait a moment, then try again.")
    )
    try:
        await bot.answer_callback_query(query_id, text)
    except TelegramAPIError as exc:
        log.info("could not answer an excess button press: %s", exc.message)


async def group_summary(bot: Bot, i18n: Any, chat_id: int, count: int) -> None:
    """The unanswered questions of a group, summed up in one message."""
    from aiogram.exceptions import TelegramAPIError
    from aiogram.utils.i18n import gettext as _

    text = _localized(
        i18n,
        None,
        lambda: _(
            "Received {count} question(s) in the group. Please message me privately, everyone."
        ).format(count=count),
    )
    try:
        await bot.send_message(chat_id, text)
    except TelegramAPIError as exc:
        log.info("could not post the summary in group %s: %s", chat_id, exc.message)
