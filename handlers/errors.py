"""The last line: a user never sees a traceback, only a short polite message."""

from __future__ import annotations

import logging

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.types import ErrorEvent
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

log = logging.getLogger("villagebot.errors")


def errors_router() -> Router:
    router = Router(name="errors")

    @router.errors()
    async def error_handler(event: ErrorEvent, bot: Bot, i18n: I18n, locale: str | None = None) -> bool:
        update = event.update
        log.error("update %s failed", update.update_id, exc_info=event.exception)
        with i18n.context(), i18n.use_locale(locale or i18n.default_locale):
            text = _("Sorry, something went wrong on our side. Please try again in a moment.")
        try:
            if update.callback_query is not None:
                await update.callback_query.answer(text, show_alert=True)
            elif update.message is not None and update.message.chat.type == "private":
                await bot.send_message(update.message.chat.id, text)
        except TelegramAPIError:
            log.warning("could not tell the user about the failure of update %s", update.update_id)
        return True

    return router
