"""Free text is a question: answered from the criteria in private and, when addressed,
in groups; an unsure match offers candidates and forwarding to the branch."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import StateFilter
from aiogram.types import (
    Message,
)
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.services import village_criteria as vc
from bot.services.authz import Action, Actor
from bot.settings import Settings
from handlers.criteria.callbacks import Crit
from handlers.criteria.common import today, village_and_set
from handlers.criteria.keyboards import criterion_keyboard, set_list_keyboard
from handlers.criteria.texts import render_criterion, set_header
from storage.models import User
from storage.repo import Repo

GROUP_ANSWER_LIMIT = 600


async def answer_question_text(
    message: Message,
    text: str,
    *,
    repo: Repo,
    user: User,
    actor: Actor,
    knowledge: vc.CriteriaKnowledge,
    settings: Settings,
    in_group: bool,
    group_village_id: int | None = None,
) -> None:
    village, criteria_set, _group = await village_and_set(repo, user, knowledge, settings)
    if group_village_id is not None and village is None:
        village = await repo.places.village(group_village_id)
        criteria_set, _group = vc.set_for_village(knowledge.catalog, village, today(settings))
    index = await knowledge.index(repo)
    result = await vc.ask(repo, index, text, criteria_set.code, village)
    if result.kind == "offtopic":
        await message.reply(
            _(
                "I can help with the new-countryside criteria (for example: “tiêu chí môi trường là gì”, "
                "“đường thôn cần đạt gì”), your village's progress (/tiendo) and the branch's announcements. "
                "/help shows more."
            )
        )
        return
    if result.kind == "list":
        if in_group:
            await message.reply(_("Send /tieuchi to me in a private chat to browse the criteria."))
            return
        listed = knowledge.catalog.get(result.set_code) if result.set_code else criteria_set
        await message.answer(set_header(listed), reply_markup=set_list_keyboard(listed, 0))
        return
    guess = result.best or (result.candidates[0] if result.candidates else None)
    question_id = None
    if not in_group and village is not None:
        question = await vc.record_question(
            repo,
            user_id=user.id,
            village_id=village.id,
            text=text,
            set_code=criteria_set.code,
            guess=guess.number if guess else None,
        )
        question_id = question.id
    if result.kind == "unsure" or result.best is None:
        builder = InlineKeyboardBuilder()
        for candidate in result.candidates[:5]:
            if question_id is not None:
                data = Crit(a="pickq", s=candidate.set_code, n=candidate.number, v=str(question_id))
            else:
                data = Crit(a="crit", s=candidate.set_code, n=candidate.number)
            builder.button(text=candidate.title, callback_data=data)
        if question_id is not None:
            builder.button(
                text=_("❓ Send my question to the branch"),
                callback_data=Crit(a="ask", n=question_id),
            )
        builder.adjust(1)
        await message.reply(
            _("I'm not sure which criterion you mean. Is it one of these?"),
            reply_markup=builder.as_markup() if not in_group else None,
        )
        return
    from_set = (
        knowledge.catalog.get(result.best.set_code)
        if result.best.set_code != criteria_set.code
        else None
    )
    body = await render_criterion(
        repo, village, result.best, settings, result=result, from_set=from_set, question=text
    )
    if in_group:
        await message.reply(
            body
            if len(body) <= GROUP_ANSWER_LIMIT
            else body[:GROUP_ANSWER_LIMIT].rsplit("\n", 1)[0]
        )
        return
    can_edit = village is not None and actor.can(Action.SET_CRITERIA_STATUS, village.id)
    related = tuple(c for c in result.candidates if c.number != result.best.number)
    await message.answer(
        body,
        reply_markup=criterion_keyboard(
            result.best,
            related=related,
            question_id=question_id,
            can_edit=can_edit,
            answered=result.faq,
        ),
    )


def questions_router() -> Router:
    """Free text is a question: in private always, in groups only when addressed."""
    router = Router(name="questions")

    @router.message(F.chat.type == "private", F.text, ~F.text.startswith("/"), StateFilter(None))
    async def private_question(
        message: Message,
        repo: Repo,
        user: User,
        actor: Actor,
        knowledge: vc.CriteriaKnowledge,
        settings: Settings,
    ) -> None:
        await answer_question_text(
            message,
            message.text or "",
            repo=repo,
            user=user,
            actor=actor,
            knowledge=knowledge,
            settings=settings,
            in_group=False,
        )

    @router.message(F.chat.type.in_({"group", "supergroup"}), F.text, ~F.text.startswith("/"))
    async def group_question(
        message: Message,
        bot: Bot,
        repo: Repo,
        user: User,
        actor: Actor,
        knowledge: vc.CriteriaKnowledge,
        settings: Settings,
    ) -> None:
        me = await bot.me()
        text = message.text or ""
        mention = f"@{me.username}".lower() if me.username else None
        replied = (
            message.reply_to_message is not None
            and message.reply_to_message.from_user is not None
            and message.reply_to_message.from_user.id == me.id
        )
        if mention and mention in text.lower():
            start = text.lower().index(mention)
            text = (text[:start] + text[start + len(mention) :]).strip()
        elif not replied:
            return  # not addressed to the bot: stay quiet in the group
        if not text or len(text) > 1000:
            return
        chat = await repo.chats.by_platform_id(message.chat.id)
        await answer_question_text(
            message,
            text,
            repo=repo,
            user=user,
            actor=actor,
            knowledge=knowledge,
            settings=settings,
            in_group=True,
            group_village_id=chat.village_id if chat is not None else None,
        )

    return router
