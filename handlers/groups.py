"""Group chats: the bot added or removed, /lienket, migration to a supergroup."""

from __future__ import annotations

import html
import logging

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import ChatMemberUpdated, Message
from aiogram.utils.i18n import gettext as _

from bot.services import onboarding
from bot.services.authz import Actor
from bot.services.errors import NotAllowed
from storage.repo import Repo

log = logging.getLogger(__name__)
IN_GROUP = F.chat.type.in_({"group", "supergroup"})
PRESENT = {"member", "administrator", "creator", "restricted"}


def groups_router() -> Router:
    router = Router(name="groups")

    @router.my_chat_member(IN_GROUP)
    async def bot_membership_changed(event: ChatMemberUpdated, repo: Repo) -> None:
        was_in = event.old_chat_member.status in PRESENT
        is_in = event.new_chat_member.status in PRESENT
        if is_in and not was_in:
            chat = await onboarding.bot_joined_group(repo, chat_id=event.chat.id, title=event.chat.title or "")
            if chat.village_id is None:
                await event.answer(
                    _(
                        "Hello everyone! 👋 I am the village assistant. The branch secretary or "
                        "deputy can send /lienket here to link this group to the village."
                    )
                )
        elif was_in and not is_in:
            await onboarding.bot_left_group(repo, chat_id=event.chat.id)

    @router.message(F.migrate_to_chat_id)
    async def group_migrated_to(message: Message, repo: Repo) -> None:
        assert message.migrate_to_chat_id is not None
        await onboarding.group_migrated(repo, old_chat_id=message.chat.id, new_chat_id=message.migrate_to_chat_id)

    @router.message(F.migrate_from_chat_id)
    async def group_migrated_from(message: Message, repo: Repo) -> None:
        assert message.migrate_from_chat_id is not None
        await onboarding.group_migrated(repo, old_chat_id=message.migrate_from_chat_id, new_chat_id=message.chat.id)

    @router.message(Command("lienket"), IN_GROUP)
    async def command_link_handler(message: Message, repo: Repo, actor: Actor | None = None) -> None:
        if actor is None:
            return
        try:
            village = await onboarding.link_group(
                repo, actor, chat_id=message.chat.id, title=message.chat.title or ""
            )
        except NotAllowed:
            await message.reply(
                _(
                    "Sorry, only the branch secretary or deputy secretary can link this group. "
                    "If that is you, first link your account in a private chat with me."
                )
            )
            return
        await message.reply(
            _("Done! This group is now linked to <b>{village}</b>. Announcements for the village will arrive here.").format(
                village=html.escape(village.name)
            )
        )

    @router.message(Command("lienket"), F.chat.type == "private")
    async def command_link_in_private(message: Message) -> None:
        await message.answer(_("Send /lienket inside the village group chat, after adding me to it."))

    return router
