"""The inbox's door: an update in the fair gate's terms, and what the sender of an
update dropped there is told (a "too fast" answer, a group's summary), in the
background. Mixed into :class:`bot.inbox.Inbox` (see its header)."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from aiogram import Bot
from aiogram.types import Update

from bot.fairness import Traffic, Verdict
from bot.middlewares import group_summary, pressing_too_fast

log = logging.getLogger("villagebot.inbox")

GROUP_FULL_AFTER = 10.0  # seconds to a send slot in a group past which a mention is not answered
ALERT_EVERY = 2.0  # seconds between two "too fast" answers to one person
MAX_NOTICES = 200  # "too fast" answers and summaries in flight at once; more are skipped


def chat_key(update: Update) -> int:
    """The chat whose order this update keeps (0: no chat, e.g. an inline query)."""
    event = update.event
    chat = getattr(event, "chat", None)
    if chat is None and getattr(event, "message", None) is not None:
        chat = getattr(event.message, "chat", None)  # a callback query's message
    if chat is not None:
        return int(chat.id)
    user = getattr(event, "from_user", None)
    return int(user.id) if user is not None else 0


class Door:
    """The intake-side helpers of :class:`bot.inbox.Inbox` (its attributes: ``gate``,
    ``i18n``, ``budget``, ``budgets``, ``_notices``, ``_alerted``, ``_me``)."""

    gate: Any
    i18n: Any
    budget: Any
    budgets: dict[int, Any]
    _notices: set[asyncio.Task[None]]
    _alerted: dict[int, float]
    _me: dict[int, tuple[int, str]]

    async def _traffic(self, update: Update, bot: Bot) -> Traffic:
        """The update in the gate's terms."""
        query = update.callback_query
        if query is not None:
            return Traffic("callback", query.from_user.id, chat_key(update))
        message = update.message
        if message is None or message.from_user is None or message.from_user.is_bot:
            return Traffic("other", None, None)
        if message.chat.type == "private":
            return Traffic("message", message.from_user.id, message.chat.id)
        text = message.text or message.caption or ""
        command = text.startswith("/")
        addressed = command
        mention = False
        if not addressed and text:
            bot_id, username = await self._identity(bot)
            replied = message.reply_to_message
            mention = bool(username and f"@{username}".lower() in text.lower())
            addressed = mention or (
                replied is not None
                and replied.from_user is not None
                and replied.from_user.id == bot_id
            )
        budget = self.budgets.get(bot.id, self.budget)
        full = addressed and budget is not None and budget.wait_time(message.chat.id) > GROUP_FULL_AFTER
        return Traffic(
            "message",
            message.from_user.id,
            message.chat.id,
            group=True,
            addressed=addressed,
            command=command,
            mention=mention,
            group_full=full,
        )

    async def _identity(self, bot: Bot) -> tuple[int, str]:
        if bot.id not in self._me:
            me = await bot.me()
            self._me[bot.id] = (me.id, me.username or "")
        return self._me[bot.id]

    def _notice(self, update: Update, verdict: Verdict, bot: Bot) -> None:
        """What the dropped update's sender is told, sent in the background."""
        if self.i18n is None or len(self._notices) >= MAX_NOTICES:
            return
        work: Any = None
        if verdict == Verdict.ALERT and update.callback_query is not None:
            query = update.callback_query
            now = time.monotonic()
            if now - self._alerted.get(query.from_user.id, float("-inf")) < ALERT_EVERY:
                return  # a script pressing hundreds of times is not answered hundreds of times
            self._alerted[query.from_user.id] = now
            if len(self._alerted) > 10_000:
                self._alerted.clear()
            work = pressing_too_fast(bot, self.i18n, query.id, query.from_user.language_code)
        elif verdict == Verdict.QUIET and update.message is not None and self.gate is not None:
            due = self.gate.summary_due(update.message.chat.id)
            if due is not None:
                work = self._summary(update.message.chat.id, due, bot)
        if work is not None:
            task = asyncio.create_task(work)
            self._notices.add(task)
            task.add_done_callback(self._notices.discard)

    async def _summary(self, chat_id: int, after: float, bot: Bot) -> None:
        await asyncio.sleep(after)
        assert self.gate is not None
        count = self.gate.take_summary(chat_id)
        budget = self.budgets.get(bot.id, self.budget)
        if count and (budget is None or budget.wait_time(chat_id) <= 0):
            await group_summary(bot, self.i18n, chat_id, count)
        elif count:
            log.info("group %s is at its send limit: %s mentions left unanswered quietly", chat_id, count)
