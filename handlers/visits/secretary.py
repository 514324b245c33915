"""The secretary's side: /baocao, cadence and need-state buttons, /phancong
(assignments, the balanced proposal, the QR sheet)."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.services.authz import Action, Actor
from bot.services.errors import NotAllowed, NotFound
from bot.services.markup import esc
from bot.services.visits import service
from bot.services.visits.qr import qr_pages, village_codes
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

    # --- /phancong: assignments, the balanced proposal, the QR sheet ---------------------

    async def show_assignments(message: Message, repo: Repo, actor: Actor) -> None:
        screen = await service.assignment_screen(repo, actor, actor.village_id or 0)
        lines = [_("<b>Household visits: who visits whom</b>")]
        for load in screen.loads:
            lines.append(
                _("• {name}: {count} households ({priority} poor, near-poor or policy)").format(
                    name=esc(load.name), count=load.households, priority=load.priority
                )
            )
        lines.append(_("Not assigned: {count} households.").format(count=len(screen.unassigned)))
        builder = InlineKeyboardBuilder()
        builder.button(
            text=_("⚖️ Propose a balanced split"), callback_data=kb.AssignCb(action="propose")
        )
        builder.button(text=_("🖨 House QR codes (PDF)"), callback_data=kb.AssignCb(action="qr"))
        for household in screen.unassigned[:10]:
            builder.button(
                text=_("Assign {code}").format(code=household.code)[:60],
                callback_data=kb.AssignCb(action="pick", household_id=household.id),
            )
        await message.answer("\n".join(lines), reply_markup=builder.adjust(1).as_markup())

    @router.message(Command("phancong"))
    async def command_assign_handler(
        message: Message, state: FSMContext, repo: Repo, actor: Actor
    ) -> None:
        await state.clear()
        try:
            await show_assignments(message, repo, actor)
        except NotAllowed:
            await message.answer(_("Only the branch secretary and deputy can assign households."))

    @router.callback_query(kb.AssignCb.filter())
    async def assign_pressed(
        callback: CallbackQuery,
        callback_data: kb.AssignCb,
        repo: Repo,
        actor: Actor,
        settings: Settings,
    ) -> None:
        message = callback.message
        village_id = actor.village_id or 0
        if not actor.can(Action.ASSIGN_VISITS, village_id) or not isinstance(message, Message):
            await callback.answer(
                _("Only the branch secretary and deputy can assign households."), show_alert=True
            )
            return
        await callback.answer()
        today = current_day(settings)
        if callback_data.action == "propose":
            wanted = await service.proposal(repo, actor, village_id)
            members = await repo.visits.members_by_id(list(wanted.values()))
            counts: dict[int, int] = {}
            for member_id in wanted.values():
                counts[member_id] = counts.get(member_id, 0) + 1
            lines = [
                _(
                    "<b>Balanced proposal</b>: neighbours together, poor and policy households spread out."
                )
            ]
            lines += [
                f"• {esc(members[m].name)}: {c}"
                for m, c in sorted(counts.items(), key=lambda i: members[i[0]].name)
            ]
            builder = InlineKeyboardBuilder()
            builder.button(
                text=_("✅ Accept this split"), callback_data=kb.AssignCb(action="accept")
            )
            await message.answer("\n".join(lines), reply_markup=builder.as_markup())
        elif callback_data.action == "accept":
            changed = await service.apply_proposal(repo, actor, village_id, today)
            await message.edit_reply_markup(reply_markup=None)
            await message.answer(_("Done: {count} households changed hands.").format(count=changed))
            await show_assignments(message, repo, actor)
        elif callback_data.action == "qr":
            me = await message.bot.me() if message.bot else None
            houses = await village_codes(repo, village_id, today)
            village = await repo.places.village(village_id)
            pdf = qr_pages(
                houses,
                me.username if me and me.username else "villagebot",
                "pdf",
                title=village.name if village else "",
            )[0]
            await message.answer_document(
                BufferedInputFile(pdf, filename="qr-ho.pdf"),
                caption=_("Print and put one on each house."),
            )
        elif callback_data.action == "pick":
            screen = await service.assignment_screen(repo, actor, village_id)
            builder = InlineKeyboardBuilder()
            for load in screen.loads:
                builder.button(
                    text=f"{load.name} ({load.households})"[:60],
                    callback_data=kb.AssignCb(
                        action="to",
                        household_id=callback_data.household_id,
                        member_id=load.member_id,
                    ),
                )
            await message.answer(
                _("Who visits this household?"), reply_markup=builder.adjust(1).as_markup()
            )
        elif callback_data.action == "to":
            try:
                await service.assign(
                    repo, actor, callback_data.household_id, callback_data.member_id, today
                )
            except (NotAllowed, NotFound):
                await message.answer(_("You cannot change this."))
                return
            await message.edit_reply_markup(reply_markup=None)
            await show_assignments(message, repo, actor)
