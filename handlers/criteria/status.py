"""The village's progress (/tiendo) and status updates by the secretary."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    Message,
)
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.services import village_criteria as vc
from bot.services.authz import Action, Actor
from bot.services.errors import NotAllowed, NotFound
from bot.services.markup import esc
from bot.settings import Settings
from handlers.cancel import add_cancel
from handlers.criteria.callbacks import Crit
from handlers.criteria.common import today, village_and_set
from handlers.criteria.states import StatusNote
from handlers.criteria.texts import STATUS_ICONS, status_names
from storage.models import User
from storage.repo import Repo


def status_router() -> Router:
    router = Router(name="criteria_status")

    @router.callback_query(Crit.filter(F.a == "pick"))
    async def pick_status(callback: CallbackQuery, callback_data: Crit, actor: Actor) -> None:
        if not actor.can(Action.SET_CRITERIA_STATUS, actor.village_id):
            await callback.answer(
                _("Sorry, only the branch secretary or deputy can update the status."),
                show_alert=True,
            )
            return
        await callback.answer()
        builder = InlineKeyboardBuilder()
        for status, name in status_names().items():
            if status is not None:
                builder.button(
                    text=f"{STATUS_ICONS[status]} {name}",
                    callback_data=Crit(
                        a="status", s=callback_data.s, n=callback_data.n, v=status.value
                    ),
                )
        builder.adjust(3)
        if isinstance(callback.message, Message):
            await callback.message.answer(
                _("What is the status now?"), reply_markup=builder.as_markup()
            )

    @router.callback_query(Crit.filter(F.a == "status"))
    async def status_chosen(
        callback: CallbackQuery, callback_data: Crit, actor: Actor, state: FSMContext
    ) -> None:
        if not actor.can(
            Action.SET_CRITERIA_STATUS, actor.village_id
        ) or callback_data.v not in set(vc.Status):
            await callback.answer(
                _("Sorry, only the branch secretary or deputy can update the status."),
                show_alert=True,
            )
            return
        await callback.answer()
        await state.set_state(StatusNote.note)
        await state.update_data(
            set_code=callback_data.s, number=callback_data.n, status=callback_data.v
        )
        skip = InlineKeyboardBuilder()
        skip.button(text=_("Skip"), callback_data=Crit(a="status_skip"))
        add_cancel(skip)
        if isinstance(callback.message, Message):
            await callback.message.edit_text(
                _("Send a short note (for example: “3 km of road finished”), or choose Skip."),
                reply_markup=skip.as_markup(),
            )

    async def save_status(
        state: FSMContext,
        repo: Repo,
        actor: Actor,
        knowledge: vc.CriteriaKnowledge,
        settings: Settings,
        note: str,
    ) -> str:
        data = await state.get_data()
        await state.clear()
        try:
            criteria_set = knowledge.catalog.get(data["set_code"])
            assert actor.village_id is not None
            row = await vc.set_status(
                repo,
                actor,
                village_id=actor.village_id,
                criteria_set=criteria_set,
                number=int(data["number"]),
                status=vc.Status(data["status"]),
                note=note,
                today=today(settings),
            )
        except (KeyError, NotFound, NotAllowed, AssertionError):
            return _("Sorry, this status could not be saved.")
        criterion = criteria_set.criterion(row.number)
        return _("Saved: {criterion} – {status}.").format(
            criterion=esc(criterion.title if criterion else str(row.number)),
            status=status_names()[vc.Status(row.status)],
        )

    @router.callback_query(Crit.filter(F.a == "status_skip"), StateFilter(StatusNote.note))
    async def status_without_note(
        callback: CallbackQuery,
        state: FSMContext,
        repo: Repo,
        actor: Actor,
        knowledge: vc.CriteriaKnowledge,
        settings: Settings,
    ) -> None:
        await callback.answer()
        text = await save_status(state, repo, actor, knowledge, settings, "")
        if isinstance(callback.message, Message):
            await callback.message.edit_text(text)

    @router.message(StateFilter(StatusNote.note), F.text, ~F.text.startswith("/"))
    async def status_note(
        message: Message,
        state: FSMContext,
        repo: Repo,
        actor: Actor,
        knowledge: vc.CriteriaKnowledge,
        settings: Settings,
    ) -> None:
        await message.answer(
            await save_status(state, repo, actor, knowledge, settings, message.text or "")
        )

    @router.message(Command("tiendo"))
    async def command_progress_handler(
        message: Message,
        repo: Repo,
        user: User,
        knowledge: vc.CriteriaKnowledge,
        settings: Settings,
    ) -> None:
        village, criteria_set, _group = await village_and_set(repo, user, knowledge, settings)
        if village is None:
            await message.answer(_("First tell me your village: send /start."))
            return
        result = await vc.progress(repo, village.id, criteria_set)
        names = status_names()
        lines = [
            _("<b>{village}</b>: {met}/{total} criteria met").format(
                village=esc(village.name), met=result.met, total=result.total
            ),
            f"<i>{esc(criteria_set.name)}</i>",
        ]
        if result.remaining:
            lines.append("\n" + _("Still to do:"))
            lines.extend(
                f"{STATUS_ICONS[row.status]} {esc(row.criterion.title)} – {names[row.status]}"
                for row in result.remaining
            )
        await message.answer("\n".join(lines))
        from bot.services.charts import progress_chart

        chart = progress_chart(
            _("{village}: {met}/{total} criteria met").format(
                village=village.name, met=result.met, total=result.total
            ),
            [
                (
                    f"{row.criterion.number}. {row.criterion.name}",
                    row.status.value if row.status else None,
                )
                for row in result.rows
            ],
            {status.value if status else None: name for status, name in names.items()},
        )
        await message.answer_photo(
            BufferedInputFile(chart, filename="tiendo.png"),
            caption=_("{met}/{total} criteria met").format(met=result.met, total=result.total),
        )

    return router
