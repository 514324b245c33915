"""Household visits in chat: the reminder buttons (report a visit, "Hẹn lại", "could
not visit"), /lichtham, /baocao, the secretary's /phancong screen and the house QR
deep link. Parsing and rendering only; the rules live in ``bot.services.visits``."""

from __future__ import annotations

import functools
import html
import logging
from collections.abc import Awaitable, Callable
from datetime import date, timedelta

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot import clock
from bot.delivery.contract import Delivery
from bot.services.authz import Action, Actor
from bot.services.errors import NotAllowed, NotFound
from bot.services.village_criteria import forward_question, record_question
from bot.services.visits import service
from bot.services.visits.delivery import queue_need_notices
from bot.services.visits.domain import CHECKLIST, NEED_KINDS, local_today, parse_day, parse_past_day
from bot.services.visits.qr import qr_pages, village_codes
from bot.services.visits.report import report_chart, report_for, report_text, report_xlsx
from bot.services.visits.service import NeedInput, VisitInvalid
from bot.settings import Settings
from handlers.visits import keyboards as kb
from handlers.visits.texts import card_text, public_text, schedule_text
from storage.models import User
from storage.repo import Repo

log = logging.getLogger(__name__)
EnqueueDelivery = Callable[[Repo, Delivery], Awaitable[bool]]
MAX_TEXT = 2000


class Report(StatesGroup):
    day = State()
    checklist = State()
    note = State()
    needs = State()
    photo = State()


class Snooze(StatesGroup):
    day = State()


class Cannot(StatesGroup):
    reason = State()


class Feedback(StatesGroup):
    text = State()


def _today(settings: Settings) -> date:
    return local_today(clock.now(), settings.timezone)


def _not_yours() -> str:
    return _("This household is not assigned to you.")


def invalid_text(reason: str) -> str:
    return {
        "future": _("That day has not come yet. Please choose today or an earlier day."),
        "too_old": _("That day is too long ago. Please choose a day in the last two months."),
        "bad_snooze": _("Please choose a day after today and within the next 60 days."),
        "bad_need": _("Unknown need."),
        "bad_cadence": _("Unknown cadence."),
        "bad_state": _("Unknown state."),
    }.get(reason, _("Something is not right. Please try again."))


def card_markup(view: service.HouseholdView, actor: Actor) -> InlineKeyboardMarkup | None:
    """Visit buttons for the assigned member; cadence buttons for the secretary."""
    rows = []
    if view.assigned_to_me:
        rows += kb.visit_keyboard(view.household.id).inline_keyboard
    if actor.can(Action.ASSIGN_VISITS, view.household.village_id):
        rows += kb.cadence_keyboard(view.household.id).inline_keyboard
    return InlineKeyboardMarkup(inline_keyboard=rows) if rows else None


async def show_house(message: Message, repo: Repo, actor: Actor, token: str) -> None:
    """The ``h_<token>`` deep link of a house QR code."""
    view = await service.household_by_token(repo, actor, token[:32])
    if view is None:
        await message.answer(
            _("This QR code is not valid. It may have been replaced; please ask the party branch.")
        )
        return
    if view.details:
        await message.answer(card_text(view), reply_markup=card_markup(view, actor))
        return
    await message.answer(
        public_text(view), reply_markup=kb.feedback_keyboard(view.household.village_id)
    )


def visits_router() -> Router:
    router = Router(name="visits")
    router.message.filter(F.chat.type == "private")
    router.callback_query.filter(F.message.chat.type == "private")

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
            await callback.answer(_not_yours(), show_alert=True)
            return
        if not view.assigned_to_me and callback_data.action != "card":
            await callback.answer(_not_yours(), show_alert=True)
            return
        await callback.answer()
        message = callback.message
        if not isinstance(message, Message):
            return
        household_id = view.household.id
        title = (
            f"<b>{html.escape(view.household.code)} – {html.escape(view.household.head_name)}</b>"
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

    # --- the visit report ----------------------------------------------------------------

    async def ask_checklist(message: Message, state: FSMContext) -> None:
        data = await state.get_data()
        await state.set_state(Report.checklist)
        await message.answer(
            _("What did you see? Press an item to mark it 🟢 fine or 🔴 a concern, then Next."),
            reply_markup=kb.checklist_keyboard(data.get("checks", {})),
        )

    @router.callback_query(StateFilter(Report.day), kb.ReportDay.filter())
    async def day_pressed(
        callback: CallbackQuery, callback_data: kb.ReportDay, state: FSMContext, settings: Settings
    ) -> None:
        day = _today(settings) - timedelta(days=min(max(callback_data.days_ago, 0), 1))
        await state.update_data(day=day.isoformat())
        await callback.answer()
        if isinstance(callback.message, Message):
            await ask_checklist(callback.message, state)

    @router.message(StateFilter(Report.day), F.text, ~F.text.startswith("/"))
    async def day_typed(message: Message, state: FSMContext, settings: Settings) -> None:
        today = _today(settings)
        day = parse_past_day((message.text or "")[:40], today)
        if day is None or day > today:
            await message.answer(
                _("I did not understand that date. Type it like 25/12, or press a button.")
            )
            return
        await state.update_data(day=day.isoformat())
        await ask_checklist(message, state)

    @router.callback_query(StateFilter(Report.checklist), kb.CheckCb.filter())
    async def check_pressed(
        callback: CallbackQuery, callback_data: kb.CheckCb, state: FSMContext
    ) -> None:
        message = callback.message
        await callback.answer()
        if not isinstance(message, Message):
            return
        if callback_data.item == "next":
            await state.set_state(Report.note)
            await message.answer(
                _("Write in a few words how the household is doing."),
                reply_markup=kb.note_keyboard(),
            )
            return
        if callback_data.item not in CHECKLIST:
            return
        checks = dict((await state.get_data()).get("checks", {}))
        cycle = {None: "ok", "ok": "concern", "concern": None}
        value = cycle[checks.get(callback_data.item)]
        if value is None:
            checks.pop(callback_data.item, None)
        else:
            checks[callback_data.item] = value
        await state.update_data(checks=checks)
        await message.edit_reply_markup(reply_markup=kb.checklist_keyboard(checks))

    async def ask_needs(message: Message, state: FSMContext) -> None:
        await state.set_state(Report.needs)
        data = await state.get_data()
        await message.answer(
            _("Did the household raise any needs? Press all that apply, then Next."),
            reply_markup=kb.needs_keyboard(data.get("needs", [])),
        )

    @router.message(StateFilter(Report.note), F.text, ~F.text.startswith("/"))
    async def note_typed(message: Message, state: FSMContext) -> None:
        text = (message.text or "").strip()
        if len(text) > MAX_TEXT:
            await message.answer(
                _("That is too long. Please keep it under {limit} characters.").format(
                    limit=MAX_TEXT
                )
            )
            return
        await state.update_data(note=text)
        await ask_needs(message, state)

    @router.callback_query(StateFilter(Report.note), kb.StepCb.filter(F.step == "skip_note"))
    async def note_skipped(callback: CallbackQuery, state: FSMContext) -> None:
        await callback.answer()
        if isinstance(callback.message, Message):
            await ask_needs(callback.message, state)

    @router.callback_query(StateFilter(Report.needs), kb.NeedPick.filter())
    async def need_pressed(
        callback: CallbackQuery, callback_data: kb.NeedPick, state: FSMContext
    ) -> None:
        message = callback.message
        await callback.answer()
        if not isinstance(message, Message):
            return
        if callback_data.kind == "next":
            await state.set_state(Report.photo)
            await message.answer(
                _("You can send a photo of the visit, or finish now."),
                reply_markup=kb.photo_keyboard(),
            )
            return
        if callback_data.kind not in NEED_KINDS:
            return
        needs = list((await state.get_data()).get("needs", []))
        needs.remove(callback_data.kind) if callback_data.kind in needs else needs.append(
            callback_data.kind
        )
        await state.update_data(needs=needs)
        await message.edit_reply_markup(reply_markup=kb.needs_keyboard(needs))

    async def finish(
        message: Message,
        state: FSMContext,
        repo: Repo,
        actor: Actor,
        settings: Settings,
        photo: str | None,
        enqueue_delivery: EnqueueDelivery | None,
    ) -> None:
        data = await state.get_data()
        await state.clear()
        note = data.get("note", "")
        try:
            await service.record_visit(
                repo,
                actor,
                int(data["household_id"]),
                visited_on=date.fromisoformat(data["day"]),
                today=_today(settings),
                note=note,
                checklist=data.get("checks", {}),
                needs=[NeedInput(kind, note) for kind in data.get("needs", [])],
                photo_file_id=photo,
            )
        except (NotAllowed, NotFound):
            await message.answer(_not_yours())
            return
        except VisitInvalid as exc:
            await message.answer(invalid_text(exc.reason))
            return
        if data.get("needs") and enqueue_delivery is not None:
            # The notice is queued in this update's commit; the middleware wakes the engine.
            await queue_need_notices(repo, clock.now(), functools.partial(enqueue_delivery, repo))
        plan = await repo.visits.plan(int(data["household_id"]))
        text = _("✅ Thank you! The visit is recorded.")
        if data.get("needs"):
            text += "\n" + _("The needs you noted go to the branch secretary now.")
        if plan is not None:
            text += "\n" + _("Next visit: {day:%d/%m/%Y}.").format(day=plan.due_on)
        await message.answer(text)

    @router.message(StateFilter(Report.photo), F.photo)
    async def photo_sent(
        message: Message,
        state: FSMContext,
        repo: Repo,
        actor: Actor,
        settings: Settings,
        enqueue_delivery: EnqueueDelivery | None = None,
    ) -> None:
        photo = message.photo[-1].file_id if message.photo else None
        await finish(message, state, repo, actor, settings, photo, enqueue_delivery)

    @router.callback_query(StateFilter(Report.photo), kb.StepCb.filter(F.step == "finish"))
    async def finish_pressed(
        callback: CallbackQuery,
        state: FSMContext,
        repo: Repo,
        actor: Actor,
        settings: Settings,
        enqueue_delivery: EnqueueDelivery | None = None,
    ) -> None:
        await callback.answer()
        if isinstance(callback.message, Message):
            await callback.message.edit_reply_markup(reply_markup=None)
            await finish(callback.message, state, repo, actor, settings, None, enqueue_delivery)

    @router.message(StateFilter(Report.photo), ~F.text.startswith("/"))
    async def photo_expected(message: Message) -> None:
        await message.answer(
            _("Please send a photo, or press “Finish without a photo”."),
            reply_markup=kb.photo_keyboard(),
        )

    @router.message(StateFilter(Report.checklist, Report.needs), ~F.text.startswith("/"))
    async def press_buttons(message: Message) -> None:
        await message.answer(_("Please use the buttons above."))

    # --- "Hẹn lại" -------------------------------------------------------------------------

    async def do_snooze(
        message: Message, repo: Repo, actor: Actor, household_id: int, day: date, today: date
    ) -> None:
        try:
            await service.snooze(repo, actor, household_id, to=day, today=today)
        except (NotAllowed, NotFound):
            await message.answer(_not_yours())
            return
        except VisitInvalid as exc:
            await message.answer(invalid_text(exc.reason))
            return
        await message.answer(
            _("📅 All right: I will remind you again for {day:%d/%m/%Y}.").format(day=day)
        )

    @router.callback_query(kb.SnoozeCb.filter())
    async def snooze_pressed(
        callback: CallbackQuery,
        callback_data: kb.SnoozeCb,
        state: FSMContext,
        repo: Repo,
        actor: Actor,
        settings: Settings,
    ) -> None:
        await callback.answer()
        message = callback.message
        if not isinstance(message, Message):
            return
        await message.edit_reply_markup(reply_markup=None)
        if callback_data.days == 0:
            await state.set_state(Snooze.day)
            await state.set_data({"household_id": callback_data.household_id})
            await message.answer(_("Type the day, for example 25/12, “mai” or “ngày kia”."))
            return
        today = _today(settings)
        await do_snooze(
            message,
            repo,
            actor,
            callback_data.household_id,
            today + timedelta(days=callback_data.days),
            today,
        )

    @router.message(StateFilter(Snooze.day), F.text, ~F.text.startswith("/"))
    async def snooze_typed(
        message: Message, state: FSMContext, repo: Repo, actor: Actor, settings: Settings
    ) -> None:
        today = _today(settings)
        day = parse_day((message.text or "")[:40], today)
        if day is None:
            await message.answer(
                _("I did not understand that date. Type it like 25/12, “mai” or “ngày kia”.")
            )
            return
        data = await state.get_data()
        await state.clear()
        await do_snooze(message, repo, actor, int(data["household_id"]), day, today)

    # --- "Không thăm được" -------------------------------------------------------------

    async def do_cannot(
        message: Message,
        state: FSMContext,
        repo: Repo,
        actor: Actor,
        settings: Settings,
        reason: str,
    ) -> None:
        data = await state.get_data()
        await state.clear()
        try:
            await service.could_not_visit(
                repo, actor, int(data["household_id"]), reason=reason, today=_today(settings)
            )
        except (NotAllowed, NotFound):
            await message.answer(_not_yours())
            return
        await message.answer(
            _("Noted. The visit is still due: press “📅 Later” to choose another day.")
        )

    @router.callback_query(StateFilter(Cannot.reason), kb.ReasonCb.filter())
    async def reason_pressed(
        callback: CallbackQuery,
        callback_data: kb.ReasonCb,
        state: FSMContext,
        repo: Repo,
        actor: Actor,
        settings: Settings,
    ) -> None:
        await callback.answer()
        message = callback.message
        if not isinstance(message, Message):
            return
        await message.edit_reply_markup(reply_markup=None)
        if callback_data.reason == "type":
            await message.answer(_("Type the reason in a few words."))
            return
        reasons = {
            "away": _("Nobody at home"),
            "busy": _("The family asked for another day"),
            "ill": _("I was ill or away"),
        }
        await do_cannot(
            message, state, repo, actor, settings, reasons.get(callback_data.reason, "")
        )

    @router.message(StateFilter(Cannot.reason), F.text, ~F.text.startswith("/"))
    async def reason_typed(
        message: Message, state: FSMContext, repo: Repo, actor: Actor, settings: Settings
    ) -> None:
        await do_cannot(message, state, repo, actor, settings, (message.text or "")[:MAX_TEXT])

    # --- /lichtham ---------------------------------------------------------------------

    @router.message(Command("lichtham"))
    async def command_schedule_handler(
        message: Message, state: FSMContext, repo: Repo, actor: Actor, settings: Settings
    ) -> None:
        await state.clear()
        if not actor.is_member:
            await message.answer(
                _(
                    "Household visits are for party members. If you are one, link your account first (/start)."
                )
            )
            return
        today = _today(settings)
        items = await service.my_schedule(repo, actor, today)
        builder = InlineKeyboardBuilder()
        for item in items[:30]:
            label = f"{'⏰ ' if item.days_late else ''}{item.household.code} – {item.household.head_name}"
            builder.button(
                text=label[:60],
                callback_data=kb.VisitCb(action="card", household_id=item.household.id),
            )
        await message.answer(
            schedule_text(items, today), reply_markup=builder.adjust(1).as_markup()
        )

    # --- /baocao -----------------------------------------------------------------------

    @router.message(Command("baocao"))
    async def command_report_handler(
        message: Message, state: FSMContext, repo: Repo, actor: Actor, settings: Settings
    ) -> None:
        await state.clear()
        today = _today(settings)
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
                repo, actor, callback_data.household_id, cadence, _today(settings)
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
                    name=html.escape(load.name), count=load.households, priority=load.priority
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
        today = _today(settings)
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
                f"• {html.escape(members[m].name)}: {c}"
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

    # --- the public part of a house QR: a message for the branch --------------------------

    @router.callback_query(kb.FeedbackCb.filter())
    async def feedback_pressed(
        callback: CallbackQuery, callback_data: kb.FeedbackCb, state: FSMContext
    ) -> None:
        await callback.answer()
        await state.set_state(Feedback.text)
        await state.set_data({"village_id": callback_data.village_id})
        if isinstance(callback.message, Message):
            await callback.message.answer(
                _("Write your message for the party branch. The secretary will read it.")
            )

    @router.message(StateFilter(Feedback.text), F.text, ~F.text.startswith("/"))
    async def feedback_typed(message: Message, state: FSMContext, repo: Repo, user: User) -> None:
        data = await state.get_data()
        await state.clear()
        text = (message.text or "").strip()[:MAX_TEXT]
        village = await repo.places.village(int(data.get("village_id") or 0))
        village_id = village.id if village else user.village_id
        if not text:
            await state.set_state(Feedback.text)
            await state.set_data(data)
            await message.answer(
                _("Write your message for the party branch. The secretary will read it.")
            )
            return
        if village_id is None:
            await message.answer(_("Please choose your village first: send /start."))
            return
        question = await record_question(
            repo, user_id=user.id, village_id=village_id, text=text, set_code="feedback", guess=None
        )
        # Forwarded at once: it enters the secretary's /cauhoi inbox and the batched notice.
        await forward_question(repo, question_id=question.id, user_id=user.id)
        await message.answer(_("Thank you! Your message was passed to the party branch."))

    return router
