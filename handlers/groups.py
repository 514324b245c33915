"""Group chats: the bot added or removed, /lienket, migration to a supergroup."""

from __future__ import annotations

import logging

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command
from aiogram.types import ChatMemberUpdated, Message
from aiogram.utils.i18n import gettext as _

from bot.services import onboarding
from bot.services.authz import Actor
from bot.services.errors import GroupLinkedElsewhere, GroupNotLinked, NotAllowed, NotGroupAdmin
from bot.services.markup import esc
from storage.repo import Repo

log = logging.getLogger(__name__)
IN_GROUP = F.chat.type.in_({"group", "supergroup"})
PRESENT = {"member", "administrator", "creator", "restricted"}


ADMIN_STATUSES = {"administrator", "creator"}


def _not_manager_text() -> str:
    return _(
        "Sorry, only the branch secretary or deputy secretary can link this group. "
        "If that is you, first link your account in a private chat with me."
    )


async def _is_group_admin(bot: Bot, chat_id: int, user_id: int) -> bool:
    """Asked of Telegram at the moment of the command, never cached: rights change."""
    try:
        member = await bot.get_chat_member(chat_id, user_id)
    except TelegramAPIError as exc:
        log.warning("getChatMember failed for chat %s: %s", chat_id, exc.__class__.__name__)
        return False
    return member.status in ADMIN_STATUSES


async def _bot_can_pin(bot: Bot, chat_id: int) -> bool:
    try:
        member = await bot.get_chat_member(chat_id, bot.id)
    except TelegramAPIError as exc:
        log.warning("getChatMember (self) failed for chat %s: %s", chat_id, exc.__class__.__name__)
        return False
    if member.status == "creator":
        return True
    return member.status == "administrator" and bool(getattr(member, "can_pin_messages", False))


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
    async def command_link_handler(message: Message, repo: Repo, bot: Bot, actor: Actor | None = None) -> None:
        if actor is None or message.from_user is None:
            await message.reply(_not_manager_text())
            return
        try:
            village = await onboarding.link_group(
                repo,
                actor,
                chat_id=message.chat.id,
                title=message.chat.title or "",
                sender_is_group_admin=await _is_group_admin(bot, message.chat.id, message.from_user.id),
            )
        except NotAllowed:
            await message.reply(_not_manager_text())
            return
        except NotGroupAdmin:
            await message.reply(
                _(
                    "Sorry, only an administrator of this group can link it. Ask the group's "
                    "owner to make you an administrator, then send /lienket again."
                )
            )
            return
        except GroupLinkedElsewhere:
            await message.reply(
                _(
                    "This group is already linked to another village. It stays linked until that "
                    "village's secretary sends /huylienket here, or an operator moves it."
                )
            )
            return
        text = _("Done! This group is now linked to <b>{village}</b>. Announcements for the village will arrive here.").format(
            village=esc(village.name)
        )
        if not await _bot_can_pin(bot, message.chat.id):
            text += "\n\n" + _(
                "⚠️ I cannot pin announcements here yet. Please make me an administrator with the "
                "right to pin messages: open the group's info → Administrators → Add administrator → "
                "choose me → turn on “Pin messages”."
            )
        await message.reply(text)

    @router.message(Command("huylienket"), IN_GROUP)
    async def command_unlink_handler(message: Message, repo: Repo, bot: Bot, actor: Actor | None = None) -> None:
        if actor is None or message.from_user is None:
            await message.reply(_not_manager_text())
            return
        try:
            village = await onboarding.unlink_group(
                repo,
                actor,
                chat_id=message.chat.id,
                sender_is_group_admin=await _is_group_admin(bot, message.chat.id, message.from_user.id),
            )
        except GroupNotLinked:
            await message.reply(_("This group is not linked to any village."))
            return
        except NotAllowed:
            await message.reply(
                _("Sorry, only the secretary or deputy secretary of the village this group is linked to can unlink it.")
            )
            return
        except NotGroupAdmin:
            await message.reply(_("Sorry, only an administrator of this group can unlink it."))
            return
        await message.reply(
            _("This group is no longer linked to <b>{village}</b>. Village announcements will not arrive here any more.").format(
                village=esc(village.name)
            )
        )

    @router.message(Command("help", "start"), IN_GROUP)
    async def command_help_in_group(message: Message, actor: Actor | None = None) -> None:
        from handlers.menu import commands_for

        lines = [_("I am the village assistant. In this group I post the branch's announcements.")]
        lines.extend(f"/{item.command} – {item.description}" for item in commands_for(actor, private=False))
        lines.append(_("For questions about the criteria and everything else, message me privately."))
        await message.reply("\n".join(lines))

    @router.message(Command("lienket", "huylienket"), F.chat.type == "private")
    async def command_link_in_private(message: Message) -> None:
        await message.answer(_("Send /lienket inside the village group chat, after adding me to it."))

    return router
