"""Consultations in chat ("Lấy ý kiến", /layykien): the secretary's wizard, answering
from the group's link or in private, and the secretary's tools. Handlers parse, call
``bot.services.consultations`` and render; the flows live in ``create``, ``vote`` and
``manage``."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from bot.services.authz import Actor
from bot.settings import Settings
from handlers.consultations import create, manage, vote
from handlers.consultations.vote import open_consultation_link
from storage.models import User
from storage.repo import Repo


def consultation_links_router() -> Router:
    """``/start yk_<code>``, the group's "🗳 Answer" link: tried before the general
    /start (which knows nothing of consultations)."""
    router = Router(name="consultation_links")
    router.message.filter(F.chat.type == "private")

    @router.message(CommandStart(deep_link=True, magic=F.args.regexp(r"^yk_[a-z0-9]{1,16}$")))
    async def consultation_link_handler(
        message: Message,
        command: CommandObject,
        state: FSMContext,
        repo: Repo,
        user: User,
        actor: Actor,
        settings: Settings,
        locale: str,
    ) -> None:
        await state.clear()
        if user.language is None:
            user.language = locale
        code = (command.args or "")[3:]
        await open_consultation_link(message, repo, user, actor, code, locale, settings.timezone)

    return router


def consultations_router() -> Router:
    """One router; state-bound handlers and way-outs come before the catch-alls."""
    router = Router(name="consultations")
    router.message.filter(F.chat.type == "private")
    router.callback_query.filter(F.message.chat.type == "private")
    manage.register(router)  # /layykien, the manage buttons
    vote.register(router)  # the ballot, household code, "other" text
    create.register(router)  # the wizard (its catch-all last)
    return router


__all__ = ["consultation_links_router", "consultations_router", "open_consultation_link"]
