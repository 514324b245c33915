"""The questions inbox (/cauhoi): forwarding a question to the branch, paging the
waiting questions, answering one, and saving the answer as a FAQ."""

from __future__ import annotations

from datetime import UTC, datetime

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.delivery.kinds import reply as reply_delivery
from bot.delivery.queue import enqueue
from bot.i18n import pgettext, pick_locale
from bot.services import village_criteria as vc
from bot.services.authz import Action, Actor
from bot.services.errors import NotAllowed, NotFound
from bot.services.markup import esc
from bot.settings import Settings
from handlers.cancel import cancel_keyboard
from handlers.confirm import confirm
from handlers.criteria.callbacks import Crit
from handlers.criteria.common import known_set
from handlers.criteria.states import Answering
from storage.models import User
from storage.repo import Repo

INBOX_PAGE_SIZE = 5
# Each entry's escaped text stays under this, so a full page (header, five entries, their
# askers and times) is far below Telegram's 4096 characters whatever the residents typed.
INBOX_ENTRY_CHARS = 450
INBOX_NAME_CHARS = 40


def _escaped_prefix(text: str, limit: int) -> str:
    """``text`` HTML-escaped, cut (with …) so that the escaped form fits ``limit``."""
    escaped = esc(text)
    if len(escaped) <= limit:
        return escaped
    cut = text[:limit]
    while len(esc(cut)) > limit - 1:
        cut = cut[: max(len(cut) - max(len(cut) // 10, 1), 0)]
    return esc(cut) + "…"


async def inbox_page(
    repo: Repo, village_id: int, page: int, settings: Settings
) -> tuple[str, InlineKeyboardMarkup] | None:
    """One page of the /cauhoi inbox (None when nothing waits); always fits one message."""
    total = await repo.criteria.count_open_questions(village_id)
    if total == 0:
        return None
    pages = (total + INBOX_PAGE_SIZE - 1) // INBOX_PAGE_SIZE
    page = min(page, pages - 1)
    rows = await repo.criteria.open_questions_page(
        village_id, offset=page * INBOX_PAGE_SIZE, limit=INBOX_PAGE_SIZE
    )
    lines = [
        _("Questions waiting for an answer: {total} (page {page}/{pages})").format(
            total=total, page=page + 1, pages=pages
        )
    ]
    builder = InlineKeyboardBuilder()
    for question, asker in rows:
        asked = question.forwarded_at or question.asked_at
        if asked.tzinfo is None:
            asked = asked.replace(tzinfo=UTC)
        who = _escaped_prefix(asker or _("a resident"), INBOX_NAME_CHARS)
        lines.append(
            "\n"
            + _("<b>#{id}</b> · {who} · {when}").format(
                id=question.id, who=who, when=asked.astimezone(settings.tz).strftime("%d/%m %H:%M")
            )
            + "\n"
            + _escaped_prefix(question.text, INBOX_ENTRY_CHARS)
        )
        builder.button(
            text=_("Answer #{id}").format(id=question.id),
            callback_data=Crit(a="answer", n=question.id),
        )
    builder.adjust(2)
    nav = []
    if page > 0:
        nav.append(
            InlineKeyboardButton(
                text=_("◀ Previous"), callback_data=Crit(a="inbox", n=page - 1).pack()
            )
        )
    if page + 1 < pages:
        nav.append(
            InlineKeyboardButton(text=pgettext("page", "Next ▶"), callback_data=Crit(a="inbox", n=page + 1).pack())
        )
    if nav:
        builder.row(*nav)
    return "\n".join(lines), builder.as_markup()


def inbox_router() -> Router:
    router = Router(name="criteria_inbox")

    @router.callback_query(Crit.filter(F.a == "ask"))
    async def ask_branch(
        callback: CallbackQuery, callback_data: Crit, repo: Repo, user: User
    ) -> None:
        try:
            question = await vc.forward_question(repo, question_id=callback_data.n, user_id=user.id)
        except NotFound:
            await callback.answer(
                _("Please choose your village first: send /start."), show_alert=True
            )
            return
        await confirm(callback, _("Sent to the branch. You will get the answer here."))
        repo.audit.add(
            "question_forwarded",
            actor_user_id=user.id,
            village_id=question.village_id,
            details={"question_id": question.id},
        )

    @router.message(Command("cauhoi"), F.chat.type == "private")
    async def command_questions_handler(
        message: Message, repo: Repo, actor: Actor, settings: Settings
    ) -> None:
        if not actor.can(Action.ANSWER_QUESTIONS, actor.village_id):
            await message.answer(
                _("Sorry, only the branch secretary or deputy can answer residents' questions.")
            )
            return
        assert actor.village_id is not None
        page = await inbox_page(repo, actor.village_id, 0, settings)
        if page is None:
            await message.answer(_("No questions are waiting. 👍"))
            return
        await message.answer(page[0], reply_markup=page[1])

    @router.callback_query(Crit.filter(F.a == "inbox"))
    async def questions_page(
        callback: CallbackQuery, callback_data: Crit, repo: Repo, actor: Actor, settings: Settings
    ) -> None:
        if not actor.can(Action.ANSWER_QUESTIONS, actor.village_id):
            await callback.answer(
                _("Sorry, only the branch secretary or deputy can answer residents' questions."),
                show_alert=True,
            )
            return
        assert actor.village_id is not None
        page = await inbox_page(repo, actor.village_id, max(callback_data.n, 0), settings)
        await callback.answer()
        if not isinstance(callback.message, Message):
            return
        if page is None:
            await callback.message.edit_text(_("No questions are waiting. 👍"))
            return
        await callback.message.edit_text(page[0], reply_markup=page[1])

    @router.callback_query(Crit.filter(F.a == "answer"))
    async def start_answer(
        callback: CallbackQuery, callback_data: Crit, repo: Repo, actor: Actor, state: FSMContext
    ) -> None:
        question = await repo.criteria.question(callback_data.n)
        if question is None or not actor.can(Action.ANSWER_QUESTIONS, question.village_id):
            await callback.answer(_("Sorry, you cannot answer this question."), show_alert=True)
            return
        if question.status == "answered":
            await callback.answer(_("This question has already been answered."), show_alert=True)
            return
        await callback.answer()
        await state.set_state(Answering.text)
        await state.update_data(question_id=question.id)
        if isinstance(callback.message, Message):
            await callback.message.answer(
                _("Type your answer to: “{question}”").format(
                    question=esc(question.text[:300])
                ),
                reply_markup=cancel_keyboard(),
            )

    @router.message(StateFilter(Answering.text), F.text, ~F.text.startswith("/"))
    async def answer_typed(
        message: Message,
        state: FSMContext,
        repo: Repo,
        actor: Actor,
        bot: Bot,
        i18n: I18n,
        knowledge: vc.CriteriaKnowledge,
    ) -> None:
        data = await state.get_data()
        await state.clear()
        try:
            question = await vc.answer_question(
                repo, actor, question_id=int(data["question_id"]), answer=message.text or ""
            )
        except (NotFound, NotAllowed, vc.QuestionAlreadyAnswered, KeyError):
            await message.answer(_("Sorry, this question cannot be answered any more."))
            return
        resident = await repo.users.get(question.user_id)
        delivered = False
        if resident is not None:
            locale = pick_locale(resident.language, None, i18n.default_locale)
            with i18n.use_locale(locale):
                text = _("💬 The branch answered your question “{question}”:\n\n{answer}").format(
                    question=esc(question.text[:300]),
                    answer=esc(question.answer or ""),
                )
            queued = await enqueue(
                repo,
                reply_delivery(
                    resident.id, text, now=datetime.now(UTC), ref=f"question:{question.id}"
                ),
            )
            delivered = (
                queued and resident.reachable
            )  # sent by the delivery engine after this update commits
        builder = InlineKeyboardBuilder()
        try:
            criteria_set = knowledge.catalog.get(question.set_code)
        except KeyError:
            criteria_set = None
        guess = (
            criteria_set.criterion(question.guess_number)
            if criteria_set and question.guess_number
            else None
        )
        if guess is not None:
            builder.button(
                text=_("💾 Save as FAQ of {criterion}").format(criterion=guess.title),
                callback_data=Crit(
                    a="faq", s=question.set_code, n=guess.number, v=str(question.id)
                ),
            )
        if criteria_set is not None:
            builder.button(
                text=_("💾 Save as FAQ of another criterion"),
                callback_data=Crit(a="faqpick", s=question.set_code, n=0, v=str(question.id)),
            )
        builder.adjust(1)
        reply = (
            _("Sent to the resident.")
            if delivered
            else _("Saved, but the resident could not be reached on Telegram.")
        )
        await message.answer(reply, reply_markup=builder.as_markup())

    @router.callback_query(Crit.filter(F.a == "faqpick"))
    async def faq_pick_criterion(
        callback: CallbackQuery, callback_data: Crit, knowledge: vc.CriteriaKnowledge
    ) -> None:
        criteria_set = await known_set(callback, knowledge, callback_data.s)
        if criteria_set is None:
            return
        await callback.answer()
        builder = InlineKeyboardBuilder()
        for criterion in criteria_set.criteria:
            builder.button(
                text=f"{criterion.number}. {criterion.name}"[:60],
                callback_data=Crit(
                    a="faq", s=criteria_set.code, n=criterion.number, v=callback_data.v
                ),
            )
        builder.adjust(1)
        if isinstance(callback.message, Message):
            await callback.message.edit_reply_markup(reply_markup=builder.as_markup())

    @router.callback_query(Crit.filter(F.a == "faq"))
    async def faq_save(
        callback: CallbackQuery,
        callback_data: Crit,
        repo: Repo,
        actor: Actor,
        knowledge: vc.CriteriaKnowledge,
    ) -> None:
        try:
            index = await knowledge.index(repo)
            question = await repo.criteria.question(int(callback_data.v))
            if question is not None and question.faq_saved:
                await callback.answer(_("Already saved."), show_alert=True)
                return
            saved = await vc.save_as_faq(
                repo, actor, index, question_id=int(callback_data.v), number=callback_data.n
            )
        except (NotFound, NotAllowed, ValueError):
            await callback.answer(_("Sorry, this answer cannot be saved."), show_alert=True)
            return
        await callback.answer(
            _("Saved. Residents of this village asking the same will get this answer."),
            show_alert=True,
        )
        if isinstance(callback.message, Message):
            share = InlineKeyboardBuilder()
            share.button(
                text=_("🏘 Share with the whole commune"),
                callback_data=Crit(a="faqc", v=str(saved.id)),
            )
            await callback.message.edit_reply_markup(reply_markup=share.as_markup())

    @router.callback_query(Crit.filter(F.a == "faqc"))
    async def faq_share_with_commune(
        callback: CallbackQuery, callback_data: Crit, repo: Repo, actor: Actor
    ) -> None:
        try:
            await vc.share_faq_with_commune(repo, actor, int(callback_data.v))
        except (NotFound, NotAllowed, ValueError):
            await callback.answer(_("Sorry, this answer cannot be shared."), show_alert=True)
            return
        await callback.answer(
            _(
                "Shared: residents of every village of the commune asking the same will get this answer."
            ),
            show_alert=True,
        )
        if isinstance(callback.message, Message):
            await callback.message.edit_reply_markup(reply_markup=None)

    return router
