"""Browsing the criteria: /tieuchi, the sets, a set's pages, a criterion, its indicators
and its FAQs."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import (
    CallbackQuery,
    Message,
)
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.services import village_criteria as vc
from bot.services.authz import Action, Actor
from bot.services.markup import esc
from bot.settings import Settings
from handlers.criteria.callbacks import Crit
from handlers.criteria.common import known_set, village_and_set
from handlers.criteria.keyboards import criterion_keyboard, set_list_keyboard, sets_keyboard
from handlers.criteria.texts import render_criterion, render_indicators, set_header
from storage.models import User
from storage.repo import Repo


def browse_router() -> Router:
    router = Router(name="criteria_browse")

    @router.message(Command("tieuchi"), F.chat.type == "private")
    async def command_criteria_handler(message: Message, knowledge: vc.CriteriaKnowledge) -> None:
        sets = knowledge.catalog.sets()
        await message.answer(_("Which set of criteria?"), reply_markup=sets_keyboard(sets))

    @router.callback_query(Crit.filter(F.a == "sets"))
    async def show_sets(callback: CallbackQuery, knowledge: vc.CriteriaKnowledge) -> None:
        await callback.answer()
        if isinstance(callback.message, Message):
            await callback.message.edit_text(
                _("Which set of criteria?"), reply_markup=sets_keyboard(knowledge.catalog.sets())
            )

    @router.callback_query(Crit.filter(F.a == "set"))
    async def show_set(
        callback: CallbackQuery, callback_data: Crit, knowledge: vc.CriteriaKnowledge
    ) -> None:
        criteria_set = await known_set(callback, knowledge, callback_data.s)
        if criteria_set is None:
            return
        await callback.answer()
        if isinstance(callback.message, Message):
            text = set_header(criteria_set)
            markup = set_list_keyboard(criteria_set, max(0, callback_data.n))
            if callback.message.photo:
                await callback.message.answer(text, reply_markup=markup)
            else:
                await callback.message.edit_text(text, reply_markup=markup)

    @router.callback_query(Crit.filter(F.a.in_({"crit", "ind", "pickq"})))
    async def show_criterion(
        callback: CallbackQuery,
        callback_data: Crit,
        repo: Repo,
        user: User,
        actor: Actor,
        knowledge: vc.CriteriaKnowledge,
        settings: Settings,
    ) -> None:
        try:
            criteria_set = knowledge.catalog.get(callback_data.s)
        except KeyError:
            criteria_set = None
        criterion = criteria_set.criterion(callback_data.n) if criteria_set else None
        if criterion is None:
            await callback.answer(_("This criterion is no longer available."), show_alert=True)
            return
        await callback.answer()
        if callback_data.a == "pickq" and callback_data.v.isdigit():
            # The resident picked one of the offered criteria: a labelled example.
            await vc.record_pick(
                repo, int(callback_data.v), user.id, criterion.set_code, criterion.number
            )
        village, own_set, group = await village_and_set(repo, user, knowledge, settings)
        if not isinstance(callback.message, Message):
            return
        if callback_data.a == "ind":
            back = InlineKeyboardBuilder()
            back.button(
                text=_("⬅️ Back"),
                callback_data=Crit(a="crit", s=criterion.set_code, n=criterion.number),
            )
            await callback.message.answer(
                render_indicators(criterion, group), reply_markup=back.as_markup()
            )
            return
        can_edit = village is not None and actor.can(Action.SET_CRITERIA_STATUS, village.id)
        text = await render_criterion(repo, village, criterion, settings)
        await callback.message.answer(
            text, reply_markup=criterion_keyboard(criterion, can_edit=can_edit)
        )

    @router.callback_query(Crit.filter(F.a == "q"))
    async def show_faq(
        callback: CallbackQuery, callback_data: Crit, knowledge: vc.CriteriaKnowledge
    ) -> None:
        criteria_set = await known_set(callback, knowledge, callback_data.s)
        criterion = criteria_set.criterion(callback_data.n) if criteria_set else None
        index = int(callback_data.v) if callback_data.v.isdigit() else -1
        if criteria_set is None:
            return
        if criterion is None or not 0 <= index < len(criterion.faqs):
            await callback.answer(_("This criterion is no longer available."), show_alert=True)
            return
        await callback.answer()
        faq = criterion.faqs[index]
        back = InlineKeyboardBuilder()
        back.button(
            text=_("⬅️ Back"), callback_data=Crit(a="crit", s=criterion.set_code, n=criterion.number)
        )
        if isinstance(callback.message, Message):
            await callback.message.answer(
                f"<b>{esc(criterion.title)}</b>\n\n❓ {esc(faq.question)}\n💬 {esc(faq.answer)}",
                reply_markup=back.as_markup(),
            )

    return router
