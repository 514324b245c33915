"""/ketnoi: one person on two apps is one user. The code shown here is typed on the
other app; that account confirms, and both become one (bot/services/account_links.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callback_ids import RowId
from bot.services import account_links
from bot.services.account_links import CODE_TTL, LinkRefused
from bot.services.markup import esc
from handlers.start import Onboarding
from storage.models import User
from storage.repo import Repo


class LinkYes(CallbackData, prefix="acl"):
    code_id: RowId


class LinkNo(CallbackData, prefix="acn"):
    pass


def refused_text(reason: str) -> str:
    texts = {
        "wrong": _("This code is not valid or has expired. Choose /ketnoi on your other app to get a new one."),
        "own": _("This code was made for this account. Type it in the other app, where you use the bot too."),
        "same_channel": _(
            "Both accounts are on the same app. The code links an account on Telegram with one on Zalo."
        ),
        "too_many": _("Too many wrong codes. Please wait an hour, then try again."),
        "conflict": _(
            "Both accounts are linked to a party member on the roster, so they cannot become one. "
            "Please ask the branch secretary."
        ),
    }
    return texts[reason]


def confirm_keyboard(code_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("✅ Yes, link them"), callback_data=LinkYes(code_id=code_id))
    builder.button(text=_("✖ No"), callback_data=LinkNo())
    return builder.adjust(2).as_markup()


def accounts_router() -> Router:
    router = Router(name="accounts")
    router.message.filter(F.chat.type == "private")

    @router.message(Command("ketnoi"))
    async def show_code(message: Message, repo: Repo, user: User) -> None:
        code = await account_links.show_code(repo, user, now=datetime.now(UTC))
        minutes = int(CODE_TTL.total_seconds() // 60)
        await message.answer(
            _(
                "Your link code: <b>{code}</b> (valid {minutes} minutes, one use).\n"
                "Do you also use this bot on another app (Telegram or Zalo)? Send this code to the bot "
                "there: both accounts become one, and your village, pledges and role stay together."
            ).format(code=esc(code.code), minutes=minutes)
            + "\n\n"
            + _(
                "⚠️ Never give this code to anyone, even someone who says they are from the branch or "
                "the commune: whoever types it gets this account, with its pledges and role."
            )
        )

    @router.message(
        StateFilter(None, Onboarding.village, Onboarding.not_listed),
        F.text.func(account_links.looks_like_code),
    )
    async def code_typed(message: Message, repo: Repo, user: User) -> None:
        try:
            offer = await account_links.take_code(repo, user, message.text or "", now=datetime.now(UTC))
        except LinkRefused as refused:
            await message.answer(refused_text(refused.reason))
            return
        await message.answer(
            _(
                "Link this account with the account of <b>{name}</b>? They become one: you get your "
                "messages in one place, on the app you used last."
            ).format(name=esc(offer.other_name)),
            reply_markup=confirm_keyboard(offer.code_id),
        )

    @router.callback_query(LinkYes.filter())
    async def confirmed(callback: CallbackQuery, callback_data: LinkYes, repo: Repo, user: User) -> None:
        try:
            await account_links.confirm(repo, user, callback_data.code_id, now=datetime.now(UTC))
        except LinkRefused as refused:
            await callback.answer(refused_text(refused.reason), show_alert=True)
            return
        await callback.answer()
        if isinstance(callback.message, Message):
            await callback.message.edit_text(
                _("Done: your two accounts are one. Messages now come to the app you used last.")
            )

    @router.callback_query(LinkNo.filter())
    async def declined(callback: CallbackQuery) -> None:
        await callback.answer()
        if isinstance(callback.message, Message):
            await callback.message.edit_text(_("Not linked. Nothing was changed."))

    return router
