"""The member's side: "Hẹn lại" (snooze), "Không thăm được" (could not visit) and
/lichtham."""

from __future__ import annotations

from datetime import date, timedelta

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.services.authz import Actor
from bot.services.errors import NotAllowed, NotFound
from bot.services.visits import service
from bot.services.visits.domain import parse_day
from bot.services.visits.service import VisitInvalid
from bot.settings import Settings
from handlers.cancel import cancel_keyboard
from handlers.visits import keyboards as kb
from handlers.visits.common import (
    MAX_TEXT,
    Cannot,
    Snooze,
    current_day,
    invalid_text,
    not_yours_text,
)
from handlers.visits.texts import schedule_text
from storage.repo import Repo


def register(router: Router) -> None:
    # --- "Hẹn lại" -------------------------------------------------------------------------

    async def do_snooze(
        message: Message, repo: Repo, actor: Actor, household_id: int, day: date, today: date
    ) -> None:
        try:
            await service.snooze(repo, actor, household_id, to=day, today=today)
        except (NotAllowed, NotFound):
            await message.answer(not_yours_text())
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
            await message.answer(
                _("Type the day, for example 25/12, “mai” or “ngày kia”."), reply_markup=cancel_keyboard()
            )
            return
        today = current_day(settings)
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
        today = current_day(settings)
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
                repo, actor, int(data["household_id"]), reason=reason, today=current_day(settings)
            )
        except (NotAllowed, NotFound):
            await message.answer(not_yours_text())
            return
        await message.answer(
            _("Noted. The visit is still due: choose “📅 Later” to pick another day.")
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
            await message.answer(_("Type the reason in a few words."), reply_markup=cancel_keyboard())
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
        today = current_day(settings)
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
