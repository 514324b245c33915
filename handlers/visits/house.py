"""The house QR code: its ``h_<token>`` deep link (the card or the public part) and the
public part's "message for the branch" flow."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.services.authz import Actor
from bot.services.village_criteria import forward_question, record_question
from bot.services.visits import service
from handlers.cancel import cancel_keyboard
from handlers.visits import keyboards as kb
from handlers.visits.common import (
    MAX_TEXT,
    Feedback,
    card_markup,
)
from handlers.visits.texts import card_text, public_text
from storage.models import User
from storage.repo import Repo


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


def register(router: Router) -> None:
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
                _("Write your message for the party branch. The secretary will read it."),
                reply_markup=cancel_keyboard(),
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
