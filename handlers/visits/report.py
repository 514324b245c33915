"""The visit report flow: day, checklist, note, needs, photo, then record."""

from __future__ import annotations

import functools
from datetime import date, timedelta

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot import clock
from bot.services.authz import Actor
from bot.services.errors import NotAllowed, NotFound
from bot.services.visits import service
from bot.services.visits.delivery import queue_need_notices
from bot.services.visits.domain import CHECKLIST, NEED_KINDS, parse_past_day
from bot.services.visits.service import NeedInput, VisitInvalid
from bot.settings import Settings
from handlers.visits import keyboards as kb
from handlers.visits.common import (
    MAX_TEXT,
    EnqueueDelivery,
    Report,
    current_day,
    invalid_text,
    not_yours_text,
)
from storage.repo import Repo


def register(router: Router) -> None:
    # --- the visit report ----------------------------------------------------------------

    async def ask_checklist(message: Message, state: FSMContext) -> None:
        data = await state.get_data()
        await state.set_state(Report.checklist)
        await message.answer(
            _("What did you see? Choose an item to mark it 🟢 fine or 🔴 a concern, then Next."),
            reply_markup=kb.checklist_keyboard(data.get("checks", {})),
        )

    @router.callback_query(StateFilter(Report.day), kb.ReportDay.filter())
    async def day_pressed(
        callback: CallbackQuery, callback_data: kb.ReportDay, state: FSMContext, settings: Settings
    ) -> None:
        day = current_day(settings) - timedelta(days=min(max(callback_data.days_ago, 0), 1))
        await state.update_data(day=day.isoformat())
        await callback.answer()
        if isinstance(callback.message, Message):
            await ask_checklist(callback.message, state)

    @router.message(StateFilter(Report.day), F.text, ~F.text.startswith("/"))
    async def day_typed(message: Message, state: FSMContext, settings: Settings) -> None:
        today = current_day(settings)
        day = parse_past_day((message.text or "")[:40], today)
        if day is None or day > today:
            await message.answer(
                _("I did not understand that date. Type it like 25/12, or choose a day.")
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
            _("Did the household raise any needs? Choose all that apply, then Next."),
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
        if callback_data.kind in needs:
            needs.remove(callback_data.kind)
        else:
            needs.append(callback_data.kind)
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
                today=current_day(settings),
                note=note,
                checklist=data.get("checks", {}),
                needs=[NeedInput(kind, note) for kind in data.get("needs", [])],
                photo_file_id=photo,
            )
        except (NotAllowed, NotFound):
            await message.answer(not_yours_text())
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
            _("Please send a photo, or choose “Finish without a photo”."),
            reply_markup=kb.photo_keyboard(),
        )

    @router.message(StateFilter(Report.checklist, Report.needs), ~F.text.startswith("/"))
    async def press_buttons(message: Message) -> None:
        await message.answer(_("Please choose one of the items above."))
