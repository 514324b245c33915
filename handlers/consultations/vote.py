"""Answering a consultation in private: from the group's "🗳 Answer" link
(``/start yk_<code>``), a reminder's button, or /layykien. The ballot shows what the
person's household (or they) answered so far; a new answer replaces it until the
close, and the screen says so. Who answers for which household is the service's
decision (``voter_for``); a household is never picked from a list."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.channels.base import can_share_contact
from bot.services.authz import Actor
from bot.services.consultations import documents, service
from bot.services.consultations.domain import OTHER, ConsultationInvalid, NotEligible, mask_choices
from bot.services.errors import DomainError, NotFound
from bot.services.markup import esc
from bot.settings import Settings
from handlers.cancel import cancel_keyboard
from handlers.consultations import common, keyboards, texts
from handlers.consultations.callbacks import YkOpen, YkVote
from handlers.consultations.common import Voting
from storage.models import Consultation, User
from storage.repo import Repo


async def show_ballot(
    message: Message, repo: Repo, user: User, actor: Actor, consultation: Consultation, locale: str, tz: str
) -> None:
    labels = [o.label for o in await repo.consultations.options(consultation.id)]
    lines = [texts.header(consultation, locale, tz)]
    try:
        voter = await service.voter_for(
            repo, actor, consultation, user_household_id=user.household_id, user_name=user.full_name
        )
    except NotEligible as error:
        voter = None
        if error.reason in ("other_village", "unverified", "not_member"):
            text, markup = not_eligible(error, message)
            lines.append("")
            lines.append(text)
            await message.answer("\n".join(lines), reply_markup=markup)
            return
    if voter is not None:
        vote = await service.my_vote(repo, consultation, voter)
        if vote is not None:
            lines.append("")
            lines.append(
                _("Answered so far for {who}: <b>{answer}</b>. A new answer replaces it until the close.").format(
                    who=who_text(voter), answer=texts.answer_text(labels, vote.choices, vote.other_text)
                )
            )
    if consultation.status == "open":
        lines.append("")
        lines.append(_("Choose your answer:"))
    await message.answer("\n".join(lines), reply_markup=keyboards.ballot(consultation, labels))


def not_eligible(error: NotEligible, message: Message) -> tuple[str, Any]:
    """Why the answer cannot count, and the phone button when sharing the phone would
    help (a channel without that button is told what it can do instead)."""
    if error.reason != "unverified":
        return texts.error_text(error), None
    if not can_share_contact(message.bot):
        return texts.unverified_without_contact(), None
    return texts.error_text(error), keyboards.share_phone()


def who_text(voter: service.Voter) -> str:
    if voter.household_code is not None:
        return _("the household {name}").format(name=esc(voter.name))
    return _("you")


async def open_consultation_link(
    message: Message, repo: Repo, user: User, actor: Actor, code: str, locale: str, tz: str
) -> None:
    """``/start yk_<code>``: the ballot (anyone may read the question; only those
    allowed to answer are counted)."""
    consultation = await repo.consultations.by_code(code[:16]) if code else None
    if consultation is None:
        await message.answer(texts.error_text(NotFound("consultation")))
        return
    await show_ballot(message, repo, user, actor, consultation, locale, tz)


async def record(
    message: Message,
    state: FSMContext,
    repo: Repo,
    user: User,
    actor: Actor,
    pending: dict[str, Any],
    tz: str,
    received_at: datetime | None = None,
) -> None:
    """Send the pending answer: ask for the household's code or the "other" text
    first if needed; then record it and say what it replaced (``received_at``: when
    the update that completes it was received, from the inbox)."""
    consultation = await repo.consultations.get(int(pending["id"]))
    if consultation is None:
        await state.set_state(None)
        await message.answer(texts.error_text(NotFound("consultation")))
        return
    try:
        voter = await service.voter_for(
            repo,
            actor,
            consultation,
            user_household_id=user.household_id,
            user_name=user.full_name,
            typed_code=pending.get("code"),
        )
        choices = list(pending["choices"])
        if OTHER in choices and not pending.get("other"):
            await state.set_state(Voting.other)
            await state.update_data(yk_vote=pending)
            await message.answer(
                _("Type your answer (at most 300 characters), or <i>hủy</i> to stop."),
                reply_markup=cancel_keyboard(),
            )
            return
        result = await service.vote(
            repo, actor, consultation, voter, choices, other_text=pending.get("other") or "",
            now=common.now(), received_at=received_at,
        )
    except NotEligible as error:
        if error.reason in ("need_code", "code_unknown"):
            await state.set_state(Voting.code)
            await state.update_data(yk_vote={**pending, "code": None})
        else:
            await state.set_state(None)
        text, markup = not_eligible(error, message)
        if markup is None and error.reason in ("need_code", "code_unknown"):
            markup = cancel_keyboard()  # the household code is typed: a way out beside it
        await message.answer(text, reply_markup=markup)
        return
    except ConsultationInvalid as error:
        if error.reason in ("other_empty", "other_long"):
            await message.answer(texts.error_text(error))
            return
        await state.set_state(None)
        await message.answer(texts.error_text(error))
        return
    await state.set_state(None)
    await state.update_data(yk_vote=None)
    labels = [o.label for o in await repo.consultations.options(consultation.id)]
    answer = texts.answer_text(labels, result.vote.choices, result.vote.other_text)
    closes = documents.local(consultation.closes_at, tz)
    if result.replaced:
        text = _(
            "✅ Your new answer replaces the earlier one for {who} (it was: {previous}).\n"
            "Counted now: <b>{answer}</b>. Only the last answer counts; you may change it until {time}."
        ).format(
            who=who_text(voter),
            previous=texts.answer_text(labels, result.previous),
            answer=answer,
            time=closes,
        )
    else:
        text = _(
            "✅ Thank you! Recorded for {who}: <b>{answer}</b>.\n"
            "You may change it until {time}: a new answer replaces this one."
        ).format(who=who_text(voter), answer=answer, time=closes)
    await message.answer(text)


def register(router: Router) -> None:
    @router.callback_query(YkOpen.filter())
    async def open_pressed(
        callback: CallbackQuery, callback_data: YkOpen, repo: Repo, user: User, actor: Actor, settings: Settings, locale: str
    ) -> None:
        consultation = await repo.consultations.get(callback_data.consultation_id)
        if consultation is None:
            await common.answer(callback, texts.error_text(NotFound("consultation")), show_alert=True)
            return
        await common.answer(callback)
        if isinstance(callback.message, Message):
            await show_ballot(callback.message, repo, user, actor, consultation, locale, settings.timezone)

    @router.callback_query(YkVote.filter())
    async def vote_pressed(
        callback: CallbackQuery,
        callback_data: YkVote,
        state: FSMContext,
        repo: Repo,
        user: User,
        actor: Actor,
        settings: Settings,
        received_at: datetime | None = None,
    ) -> None:
        consultation = await repo.consultations.get(callback_data.consultation_id)
        try:
            if consultation is None:
                raise NotFound("consultation")
            if not service.takes_vote(consultation, common.now(), received_at):
                raise ConsultationInvalid("closed")
            labels = [o.label for o in await repo.consultations.options(consultation.id)]
            choices = mask_choices(callback_data.mask, len(labels), consultation.allow_other)
            if not callback_data.go:
                await common.answer(callback)
                if isinstance(callback.message, Message):
                    await callback.message.edit_reply_markup(
                        reply_markup=keyboards.ballot(consultation, labels, callback_data.mask)
                    )
                return
            if not choices:
                raise ConsultationInvalid("choice")
            try:
                await service.voter_for(
                    repo, actor, consultation, user_household_id=user.household_id, user_name=user.full_name
                )
            except NotEligible as error:
                if error.reason not in ("need_code", "code_unknown"):
                    raise
        except DomainError as error:
            await common.answer(callback, texts.error_text(error), show_alert=True)
            return
        await common.answer(callback)
        if isinstance(callback.message, Message):
            await record(
                callback.message, state, repo, user, actor,
                {"id": consultation.id, "choices": choices}, settings.timezone, received_at,
            )

    @router.message(Voting.code, F.text.func(common.is_cancel))
    @router.message(Voting.other, F.text.func(common.is_cancel))
    async def vote_cancelled(message: Message, state: FSMContext) -> None:
        await state.set_state(None)
        await state.update_data(yk_vote=None)
        await message.answer(_("Stopped. Nothing was recorded."))

    @router.message(Voting.code, F.text, ~F.text.startswith("/"))
    async def code_typed(
        message: Message, state: FSMContext, repo: Repo, user: User, actor: Actor, settings: Settings,
        received_at: datetime | None = None,
    ) -> None:
        pending = (await state.get_data()).get("yk_vote")
        if not pending:
            await state.set_state(None)
            return
        await record(
            message, state, repo, user, actor,
            {**pending, "code": (message.text or "").strip()[:64]}, settings.timezone, received_at,
        )

    @router.message(Voting.other, F.text, ~F.text.startswith("/"))
    async def other_typed(
        message: Message, state: FSMContext, repo: Repo, user: User, actor: Actor, settings: Settings,
        received_at: datetime | None = None,
    ) -> None:
        pending = (await state.get_data()).get("yk_vote")
        if not pending:
            await state.set_state(None)
            return
        await record(
            message, state, repo, user, actor,
            {**pending, "other": (message.text or "")[:1000]}, settings.timezone, received_at,
        )
