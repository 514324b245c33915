"""The reminder buttons: open the card, report a visit, "Hẹn lại", "could not visit",
and cancel."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.services.authz import Actor
from bot.services.errors import NotAllowed, NotFound
from bot.services.markup import esc
from bot.services.visits import service
from handlers.visits import keyboards as kb
from handlers.visits.common import (
    Cannot,
    Report,
    card_markup,
    not_yours_text,
)
from handlers.visits.texts import card_text
from storage.repo import Repo


def register(router: Router) -> None:
    # --- the reminder buttons ----------------------------------------------------------

    @router.callback_query(kb.VisitCb.filter())
    async def visit_pressed(
        callback: CallbackQuery,
        callback_data: kb.VisitCb,
        state: FSMContext,
        repo: Repo,
        actor: Actor,
    ) -> None:
        try:
            view = await service.household_by_id(repo, actor, callback_data.household_id)
        except (NotAllowed, NotFound):
            await callback.answer(not_yours_text(), show_alert=True)
            return
        if not view.assigned_to_me and callback_data.action != "card":
            await callback.answer(not_yours_text(), show_alert=True)
            return
        await callback.answer()
        message = callback.message
        if not isinstance(message, Message):
            return
        household_id = view.household.id
        title = (
            f"<b>{esc(view.household.code)} – {esc(view.household.head_name)}</b>"
        )
        if callback_data.action == "card":
            await message.answer(card_text(view), reply_markup=card_markup(view, actor))
        elif callback_data.action == "done":
            await state.set_state(Report.day)
            await state.set_data({"household_id": household_id, "checks": {}, "needs": []})
            await message.answer(
                _(
                    "Visit to {household}. When did you visit? (or type the date, e.g. 25/12)"
                ).format(household=title),
                reply_markup=kb.day_keyboard(),
            )
        elif callback_data.action == "later":
            await state.clear()
            await message.answer(
                _("When will you visit {household}?").format(household=title),
                reply_markup=kb.snooze_keyboard(household_id),
            )
        elif callback_data.action == "cannot":
            await state.set_state(Cannot.reason)
            await state.set_data({"household_id": household_id})
            await message.answer(
                _("Why could you not visit {household}?").format(household=title),
                reply_markup=kb.reason_keyboard(),
            )

    @router.callback_query(kb.StepCb.filter(F.step == "cancel"))
    async def cancel_pressed(callback: CallbackQuery, state: FSMContext) -> None:
        await state.clear()
        await callback.answer(_("Cancelled."))
        if isinstance(callback.message, Message):
            await callback.message.edit_reply_markup(reply_markup=None)
