"""Creating a consultation (secretary or deputy): the question → its kind → the
options → "other" → who answers → names → the closing time → a campaign → the review
screen → created and posted to the village's groups. Every step has a way out: the
"❌ Cancel" button, or typing "hủy" / /huy; nothing is created before the review."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.services import timeparse
from bot.services.authz import Action, Actor
from bot.services.consultations import delivery as yk
from bot.services.consultations import documents, service
from bot.services.consultations.domain import (
    ConsultationInvalid,
    check_closing,
    check_question,
    parse_options,
)
from bot.services.errors import DomainError, NotAllowed
from bot.services.markup import esc
from bot.settings import Settings
from handlers.consultations import common, keyboards, texts
from handlers.consultations.callbacks import YkNew
from handlers.consultations.common import EnqueueDelivery, NewConsultation
from storage.models import ConsultationKind, Voters
from storage.repo import Repo

DEFAULT_CLOSING = time(20, 0)


def review_text(draft: dict[str, Any], campaign: str | None, locale: str, tz: str) -> str:
    labels = list(draft["labels"])
    if draft["allow_other"]:
        labels.append(documents.other_label(_))
    lines = [
        "<b>" + _("Please check before creating:") + "</b>",
        _("Question: {question}").format(question=esc(draft["question"])),
        _("Answers: {kind}").format(kind=esc(documents.kind_text(draft["kind"], _))),
    ]
    lines += [f"  {n}. {esc(label)}" for n, label in enumerate(labels, start=1)]
    lines += [
        _("Who answers: {voters}").format(voters=esc(documents.voters_text(draft["voters"], _))),
        _("Names: {names}").format(
            names=_("public") if draft["names_public"] else _("private")
        ),
        _("Closes: {time}").format(
            time=texts.when_text(datetime.fromisoformat(draft["closes_at"]), locale, tz)
        ),
    ]
    if campaign:
        lines.append(_("About the campaign: {campaign}").format(campaign=esc(campaign)))
    lines.append(_("It will be posted to the village's groups with an “Answer” button."))
    return "\n".join(lines)


def register(router: Router) -> None:
    async def ask_question(message: Message, state: FSMContext) -> None:
        await state.set_state(NewConsultation.question)
        await state.update_data(yk={})
        await message.answer(
            _("What do you want to ask the residents? Type the question (at most 500 characters)."),
            reply_markup=keyboards.only_cancel(),
        )

    @router.callback_query(YkNew.filter(F.what == "cancel"))
    async def cancel_pressed(callback: CallbackQuery, state: FSMContext) -> None:
        await state.set_state(None)
        await state.update_data(yk=None)
        await common.answer(callback)
        await common.edit(callback.message, _("Cancelled. Nothing was created."))

    @router.message(StateFilter(NewConsultation), F.text.func(common.is_cancel))
    async def cancel_typed(message: Message, state: FSMContext) -> None:
        await state.set_state(None)
        await state.update_data(yk=None)
        await message.answer(_("Cancelled. Nothing was created."))

    @router.callback_query(YkNew.filter(F.what == "start"))
    async def start_pressed(callback: CallbackQuery, state: FSMContext, actor: Actor) -> None:
        if not actor.can(Action.MANAGE_CONSULTATION, actor.village_id):
            await common.answer(callback, texts.error_text(NotAllowed("manage_consultation")), show_alert=True)
            return
        await common.answer(callback)
        if isinstance(callback.message, Message):
            await ask_question(callback.message, state)

    @router.message(StateFilter(NewConsultation.question), F.text, ~F.text.startswith("/"))
    async def question_typed(message: Message, state: FSMContext) -> None:
        try:
            question = check_question(message.text or "")
        except ConsultationInvalid as error:
            await message.answer(texts.error_text(error), reply_markup=keyboards.only_cancel())
            return
        await state.update_data(yk={"question": question})
        await state.set_state(NewConsultation.kind)
        await message.answer(_("How do residents answer?"), reply_markup=keyboards.kinds())

    async def draft(state: FSMContext) -> dict[str, Any] | None:
        data = (await state.get_data()).get("yk")
        return dict(data) if data and data.get("question") else None

    async def expired(callback: CallbackQuery) -> None:
        await common.answer(callback,
            _("This step has expired. Please start again with /layykien."), show_alert=True
        )

    @router.callback_query(YkNew.filter(F.what == "kind"), StateFilter(NewConsultation.kind))
    async def kind_pressed(callback: CallbackQuery, callback_data: YkNew, state: FSMContext) -> None:
        data = await draft(state)
        if data is None or callback_data.value not in set(ConsultationKind):
            await expired(callback)
            return
        await common.answer(callback)
        data["kind"] = callback_data.value
        if callback_data.value == ConsultationKind.YES_NO:
            data["labels"] = [_("Agree"), _("Disagree")]
            await state.update_data(yk=data)
            await state.set_state(NewConsultation.other)
            await common.edit(
                callback.message,
                _("May residents also write their own answer (“Other”)?"),
                keyboards.other(),
            )
            return
        await state.update_data(yk=data)
        await state.set_state(NewConsultation.options)
        await common.edit(
            callback.message,
            _("Type the options, one per line (2 to 10 options)."),
            keyboards.only_cancel(),
        )

    @router.message(StateFilter(NewConsultation.options), F.text, ~F.text.startswith("/"))
    async def options_typed(message: Message, state: FSMContext) -> None:
        data = await draft(state)
        if data is None:
            await state.set_state(None)
            await message.answer(_("This step has expired. Please start again with /layykien."))
            return
        try:
            data["labels"] = parse_options(message.text or "")
        except ConsultationInvalid as error:
            await message.answer(texts.error_text(error), reply_markup=keyboards.only_cancel())
            return
        await state.update_data(yk=data)
        await state.set_state(NewConsultation.other)
        await message.answer(
            _("May residents also write their own answer (“Other”)?"), reply_markup=keyboards.other()
        )

    @router.callback_query(YkNew.filter(F.what == "other"), StateFilter(NewConsultation.other))
    async def other_pressed(callback: CallbackQuery, callback_data: YkNew, state: FSMContext) -> None:
        data = await draft(state)
        if data is None or "labels" not in data:
            await expired(callback)
            return
        await common.answer(callback)
        data["allow_other"] = callback_data.value == "1"
        await state.update_data(yk=data)
        await state.set_state(NewConsultation.voters)
        await common.edit(callback.message, _("Who answers?"), keyboards.voters())

    @router.callback_query(YkNew.filter(F.what == "voters"), StateFilter(NewConsultation.voters))
    async def voters_pressed(callback: CallbackQuery, callback_data: YkNew, state: FSMContext) -> None:
        data = await draft(state)
        if data is None or callback_data.value not in set(Voters):
            await expired(callback)
            return
        await common.answer(callback)
        data["voters"] = callback_data.value
        await state.update_data(yk=data)
        await state.set_state(NewConsultation.names)
        await common.edit(
            callback.message,
            _("Should the names of those who answered be public (in the minutes)?"),
            keyboards.names(),
        )

    @router.callback_query(YkNew.filter(F.what == "names"), StateFilter(NewConsultation.names))
    async def names_pressed(callback: CallbackQuery, callback_data: YkNew, state: FSMContext) -> None:
        data = await draft(state)
        if data is None or "voters" not in data:
            await expired(callback)
            return
        await common.answer(callback)
        data["names_public"] = callback_data.value == "1"
        await state.update_data(yk=data)
        await state.set_state(NewConsultation.closes)
        await common.edit(
            callback.message,
            _(
                "When does it close? Type it as you say it, for example “20h thứ 6 này”, "
                "“7h 15/12” or “tối mai 21h”."
            ),
            keyboards.only_cancel(),
        )

    @router.message(StateFilter(NewConsultation.closes), F.text, ~F.text.startswith("/"))
    async def closes_typed(
        message: Message, state: FSMContext, repo: Repo, actor: Actor, settings: Settings, locale: str
    ) -> None:
        data = await draft(state)
        if data is None or "names_public" not in data:
            await state.set_state(None)
            await message.answer(_("This step has expired. Please start again with /layykien."))
            return
        now = common.now()
        tz = ZoneInfo(settings.timezone)
        when = timeparse.parse_when(message.text or "", now, tz, default_time=DEFAULT_CLOSING)
        if when is None:
            await message.answer(
                _("Sorry, I could not read that time. Try for example “20h thứ 6 này” or “7h 15/12”."),
                reply_markup=keyboards.only_cancel(),
            )
            return
        try:
            check_closing(when, now)
        except ConsultationInvalid as error:
            await message.answer(texts.error_text(error), reply_markup=keyboards.only_cancel())
            return
        data["closes_at"] = when.isoformat()
        await state.update_data(yk=data)
        open_campaigns = (
            await repo.contributions.campaigns_of_village(actor.village_id, open_only=True)
            if actor.village_id
            else []
        )
        if open_campaigns:
            await state.set_state(NewConsultation.campaign)
            await message.answer(
                _("Is it about one of the village's contribution campaigns?"),
                reply_markup=keyboards.campaigns(open_campaigns),
            )
            return
        await show_review(message, state, repo, data, settings, locale)

    async def show_review(
        message: Message, state: FSMContext, repo: Repo, data: dict[str, Any], settings: Settings, locale: str
    ) -> None:
        campaign = (
            await repo.contributions.campaign(int(data["campaign_id"])) if data.get("campaign_id") else None
        )
        await state.set_state(NewConsultation.review)
        await message.answer(
            review_text(data, campaign.name if campaign else None, locale, settings.timezone),
            reply_markup=keyboards.review(),
        )

    @router.callback_query(YkNew.filter(F.what == "campaign"), StateFilter(NewConsultation.campaign))
    async def campaign_pressed(
        callback: CallbackQuery, callback_data: YkNew, state: FSMContext, repo: Repo, settings: Settings, locale: str
    ) -> None:
        data = await draft(state)
        if data is None or "closes_at" not in data or not callback_data.value.isdigit():
            await expired(callback)
            return
        await common.answer(callback)
        data["campaign_id"] = int(callback_data.value) or None
        await state.update_data(yk=data)
        if isinstance(callback.message, Message):
            await common.edit(callback.message, _("Noted."))
            await show_review(callback.message, state, repo, data, settings, locale)

    @router.callback_query(YkNew.filter(F.what == "create"), StateFilter(NewConsultation.review))
    async def create_pressed(
        callback: CallbackQuery,
        state: FSMContext,
        repo: Repo,
        actor: Actor,
        bot: Bot,
        enqueue_delivery: EnqueueDelivery,
    ) -> None:
        data = await draft(state)
        if data is None or "closes_at" not in data:
            await expired(callback)
            return
        now = common.now()
        try:
            consultation = await service.create(
                repo,
                actor,
                service.Draft(
                    question=data["question"],
                    kind=ConsultationKind(data["kind"]),
                    labels=list(data["labels"]),
                    allow_other=bool(data["allow_other"]),
                    voters=Voters(data["voters"]),
                    names_public=bool(data["names_public"]),
                    closes_at=datetime.fromisoformat(data["closes_at"]),
                    campaign_id=data.get("campaign_id"),
                ),
                now=now,
            )
            username = (await bot.me()).username or "villagebot"
            groups = await yk.announce(repo, enqueue_delivery, consultation, username, now)
        except DomainError as error:
            await common.answer(callback, texts.error_text(error), show_alert=True)
            return
        await state.set_state(None)
        await state.update_data(yk=None)
        await common.answer(callback, _("Created."))
        text = _("✅ Created. Residents can answer now.") + "\n"
        text += (
            _("It is being posted to {count} group(s) of the village.").format(count=groups)
            if groups
            else _("The village has no linked group: share the answer link instead.")
        )
        text += "\n" + esc(yk.answer_link(username, consultation.code))
        await common.edit(callback.message, text)

    @router.message(Command("huy"), StateFilter(NewConsultation))
    async def cancel_command(message: Message, state: FSMContext) -> None:
        await state.set_state(None)
        await state.update_data(yk=None)
        await message.answer(_("Cancelled. Nothing was created."))

    @router.message(StateFilter(NewConsultation))
    async def step_needs_button(message: Message, state: FSMContext) -> None:
        """Something typed where a button is expected (or not text where text is)."""
        await message.answer(
            _("Please choose one of the items above, or type <i>hủy</i> to stop."),
            reply_markup=keyboards.only_cancel(),
        )
