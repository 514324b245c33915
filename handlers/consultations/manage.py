"""/layykien: the village's consultations. A resident sees the open ones and answers;
the secretary and deputy also create one, see the live result, get the minutes and
the sheet of votes, close one early; the branch committee sees who has not answered."""

from __future__ import annotations

import functools

from aiogram import Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.delivery.contract import PlanContext
from bot.services.authz import Action, Actor
from bot.services.consultations import delivery as yk
from bot.services.consultations import documents, service
from bot.services.errors import DomainError, NotAllowed
from bot.services.markup import esc
from bot.settings import Settings
from handlers.consultations import common, keyboards, texts
from handlers.consultations.callbacks import YkManage
from handlers.consultations.common import EnqueueDelivery
from handlers.consultations.vote import show_ballot
from storage.models import User, Voters
from storage.repo import Repo

SILENT_SHOWN = 80


async def silent_text(repo: Repo, consultation_id: int, village_id: int, voters: str) -> str:
    """Who has not answered yet: households (code · head), or members by name."""
    if voters == Voters.HOUSEHOLD:
        silent = await repo.consultations.silent_households(consultation_id, village_id)
        names = [f"{h.code} · {h.head_name}" for h in silent]
        title = _("Households that have not answered yet: {count}").format(count=len(names))
    elif voters == Voters.MEMBER:
        voted = {v.voter_key for v in await repo.consultations.votes(consultation_id)}
        members = await repo.members.of_village(village_id)
        names = [m.name for m in members if f"m:{m.id}" not in voted]
        title = _("Party members who have not answered yet: {count}").format(count=len(names))
    else:
        return _("Answers are counted per resident; the list of residents is not kept, only the turnout.")
    lines = [f"<b>{title}</b>"] + [f"– {esc(n)}" for n in names[:SILENT_SHOWN]]
    if len(names) > SILENT_SHOWN:
        lines.append(_("…and {count} more").format(count=len(names) - SILENT_SHOWN))
    return "\n".join(lines)


def register(router: Router) -> None:
    @router.message(Command("layykien"))
    async def command_consultations_handler(
        message: Message, state: FSMContext, repo: Repo, user: User, actor: Actor, settings: Settings, locale: str
    ) -> None:
        await state.set_state(None)
        village_id = actor.village_id
        if village_id is None:
            await message.answer(_("Please choose your village first with /start."))
            return
        manager = actor.can(Action.MANAGE_CONSULTATION, village_id) or actor.can(Action.VIEW_NON_VOTERS, village_id)
        items = list(await repo.consultations.of_village(village_id, open_only=not manager))
        if not items and not actor.can(Action.MANAGE_CONSULTATION, village_id):
            await message.answer(_("There is no consultation in your village right now."))
            return
        if len(items) == 1 and not manager:
            await show_ballot(message, repo, user, actor, items[0], locale, settings.timezone)
            return
        text = _("Consultations of your village:") if items else _("No consultation yet. Create the first one:")
        await message.answer(text, reply_markup=keyboards.listing(items, actor, village_id))

    @router.callback_query(YkManage.filter())
    async def manage_pressed(
        callback: CallbackQuery,
        callback_data: YkManage,
        repo: Repo,
        user: User,
        actor: Actor,
        settings: Settings,
        enqueue_delivery: EnqueueDelivery,
    ) -> None:
        action = callback_data.action
        try:
            consultation = await service.visible(repo, actor, callback_data.consultation_id)
            village = consultation.village_id
            if action in ("papers", "close", "close_yes"):
                actor.require(Action.MANAGE_CONSULTATION, village)
            elif action == "silent":
                actor.require(Action.VIEW_NON_VOTERS, village)
            elif not (actor.can(Action.MANAGE_CONSULTATION, village) or actor.can(Action.VIEW_NON_VOTERS, village)):
                raise NotAllowed("manage_consultation")
            now = common.now()
            if action == "close_yes":
                closed = await service.close(repo, consultation, now, actor=actor)
                if closed:
                    context = PlanContext(
                        repo=repo, now=now, timezone=settings.timezone,
                        enqueue=functools.partial(enqueue_delivery, repo),
                    )
                    await yk.after_close(context, consultation)
        except DomainError as error:
            await common.answer(callback, texts.error_text(error), show_alert=True)
            return
        message = callback.message if isinstance(callback.message, Message) else None
        if action == "silent":
            await common.answer(callback)
            if message:
                await message.answer(await silent_text(repo, consultation.id, village, consultation.voters))
            return
        if action == "papers":
            for delivery in yk.papers(consultation.id, actor.user_id or 0, now, tag=now.isoformat()):
                await enqueue_delivery(repo, delivery)
            await common.answer(callback, _("The minutes and the sheet of votes are on their way."))
            return
        if action == "close":
            await common.answer(callback)
            await common.edit(
                message,
                _("Close this consultation now? Residents will no longer be able to answer."),
                keyboards.confirm_close(consultation.id),
            )
            return
        if action == "close_yes":
            await common.answer(callback, _("Closed.") if closed else _("It was already closed."))
        else:
            await common.answer(callback)
        result = await service.result(repo, consultation, other_label=documents.other_label(_))
        await common.edit(
            message,
            documents.board_text(result, _, settings.timezone, now),
            keyboards.manage(consultation, actor),
        )
