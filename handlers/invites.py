"""/moi: a secretary creates a one-time invite link for a member of the roster."""

from __future__ import annotations

from datetime import UTC, datetime

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, Message
from aiogram.utils.deep_linking import create_start_link
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callback_ids import RowId
from bot.services import onboarding
from bot.services.authz import Action, Actor, may_hand_on
from bot.services.errors import MemberAlreadyLinked, NotAllowed, NotFound
from bot.services.markup import esc
from storage.repo import Repo


class InviteFor(CallbackData, prefix="invite"):
    member_id: RowId


def invites_router() -> Router:
    router = Router(name="invites")
    router.message.filter(F.chat.type == "private")

    @router.message(Command("moi"))
    async def command_invite_handler(message: Message, repo: Repo, actor: Actor) -> None:
        if not actor.can(Action.CREATE_INVITE, actor.village_id):
            await message.answer(_("Sorry, only the branch secretary or deputy secretary can create invites."))
            return
        assert actor.village_id is not None
        members = [
            m
            for m in await repo.members.of_village(actor.village_id)
            if m.user_id is None and may_hand_on(actor.role, m.role, is_admin=actor.is_admin)
        ]
        if not members:
            await message.answer(_("Every member on the roster has already linked their account."))
            return
        builder = InlineKeyboardBuilder()
        for member in members[:50]:
            builder.button(text=member.name, callback_data=InviteFor(member_id=member.id))
        builder.adjust(2)
        await message.answer(_("Who is the invite for?"), reply_markup=builder.as_markup())

    @router.callback_query(InviteFor.filter())
    async def invite_member_chosen(
        callback: CallbackQuery, callback_data: InviteFor, repo: Repo, actor: Actor, bot: Bot
    ) -> None:
        try:
            invite = await onboarding.create_invite(
                repo, actor, callback_data.member_id, now=datetime.now(UTC)
            )
        except MemberAlreadyLinked:
            await callback.answer(
                _("This member has already linked their account, so no invite is needed."), show_alert=True
            )
            return
        except (NotAllowed, NotFound):
            await callback.answer(_("Sorry, you cannot create this invite."), show_alert=True)
            return
        member = await repo.members.get(invite.member_id)
        link = await create_start_link(bot, f"inv_{invite.token}")
        await callback.answer()
        if isinstance(callback.message, Message):
            await callback.message.answer(
                _(
                    "Invite for {name} (valid 7 days, one use). Forward this link to them:\n{link}"
                ).format(name=esc(member.name if member else ""), link=esc(link))
                + "\n"
                + _("Or they send the bot this code: {code}").format(code=esc(invite.token))
            )

    return router
