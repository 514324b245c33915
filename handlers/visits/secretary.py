"""The secretary's side: /baocao, cadence and need-state buttons (/phancong is in
``handlers.visits.assign``)."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.services.authz import Actor
from bot.services.errors import NotAllowed, NotFound
from bot.services.visits import service
from bot.services.visits.report import report_chart, report_for, report_text, report_xlsx
from bot.services.visits.service import VisitInvalid
from bot.settings import Settings
from handlers.visits import keyboards as kb
from handlers.visits.common import (
    current_day,
)
from storage.repo import Repo


def register(router: Router) -> None:
    # --- /baocao -----------------------------------------------------------------------

    @router.message(Command("baocao"))
    async def command_report_handler(
        message: Message, state: FSMContext, repo: Repo, actor: Actor, settings: Settings
    ) -> None:
        await state.clear()
        today = current_day(settings)
        try:
            report = await report_for(
                repo, actor, actor.village_id or 0, today.replace(day=1), today
            )
        except NotAllowed:
            await message.answer(
                _("Only the branch secretary and deputy can see the visits report.")
            )
            return
        await message.answer(report_text(report, _)[:4000])
        await message.answer_photo(
            BufferedInputFile(report_chart(report, _), filename="visits.png")
        )
        await message.answer_document(
            BufferedInputFile(report_xlsx(report, _), filename=f"tham-ho-{today:%Y-%m}.xlsx"),
            caption=_("The spreadsheet for the branch meeting."),
        )

    @router.callback_query(kb.CadenceCb.filter())
    async def cadence_pressed(
        callback: CallbackQuery,
        callback_data: kb.CadenceCb,
        repo: Repo,
        actor: Actor,
        settings: Settings,
    ) -> None:
        cadence = None if callback_data.cadence == "default" else callback_data.cadence
        try:
            await service.set_cadence(
                repo, actor, callback_data.household_id, cadence, current_day(settings)
            )
        except (NotAllowed, NotFound, VisitInvalid):
            await callback.answer(_("You cannot change this."), show_alert=True)
            return
        plan = await repo.visits.plan(callback_data.household_id)
        await callback.answer(
            _("Saved. Next visit: {day:%d/%m/%Y}.").format(day=plan.due_on) if plan else _("Saved.")
        )

    @router.callback_query(kb.NeedCb.filter())
    async def need_state_pressed(
        callback: CallbackQuery, callback_data: kb.NeedCb, repo: Repo, actor: Actor
    ) -> None:
        try:
            await service.set_need_state(repo, actor, callback_data.need_id, callback_data.state)
        except (NotAllowed, NotFound, VisitInvalid):
            await callback.answer(_("You cannot change this."), show_alert=True)
            return
        await callback.answer(_("Saved."))
