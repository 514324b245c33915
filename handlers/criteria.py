"""Criteria: free questions, browsing (/tieuchi), village progress (/tiendo), status
updates by the secretary, and the questions inbox (/cauhoi)."""

from __future__ import annotations

import html
import logging
from datetime import UTC, date, datetime

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)
from aiogram.utils.i18n import I18n, get_i18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.delivery.kinds import reply as reply_delivery
from bot.delivery.queue import enqueue
from bot.i18n import pick_locale
from bot.services import village_criteria as vc
from bot.services.authz import Action, Actor
from bot.services.criteria import CriteriaSet, Criterion, Faq, MatchResult
from bot.services.criteria.sheet import REGIONS
from bot.services.errors import NotAllowed, NotFound
from bot.settings import Settings
from storage.models import User, Village
from storage.repo import Repo

log = logging.getLogger(__name__)
PAGE = 8
RELATED_QUESTIONS = 2
GROUP_ANSWER_LIMIT = 600


class Crit(CallbackData, prefix="c"):
    a: str  # sets | set | crit | ind | pick | status | ask | faq | faqpick | answer
    s: str = ""  # set code
    n: int = 0  # criterion number, page or question id
    v: str = ""  # status value, or question id for faqpick


class StatusNote(StatesGroup):
    note = State()


class Answering(StatesGroup):
    text = State()


def status_names() -> dict[vc.Status | None, str]:
    return {
        vc.Status.MET: _("met"),
        vc.Status.IN_PROGRESS: _("in progress"),
        vc.Status.NOT_MET: _("not met"),
        None: _("no information yet"),
    }


STATUS_ICONS = {vc.Status.MET: "✅", vc.Status.IN_PROGRESS: "🟡", vc.Status.NOT_MET: "❌", None: "⚪"}


def today(settings: Settings) -> date:
    return datetime.now(settings.tz).date()


async def village_and_set(
    repo: Repo, user: User, knowledge: vc.CriteriaKnowledge, settings: Settings
) -> tuple[Village | None, CriteriaSet, int | None]:
    village = await repo.places.village(user.village_id) if user.village_id else None
    criteria_set, group = vc.set_for_village(knowledge.catalog, village, today(settings))
    return village, criteria_set, group


async def status_line(repo: Repo, village: Village | None, criterion: Criterion, settings: Settings) -> str:
    if village is None:
        return ""
    row = await vc.current_status(repo, village.id, criterion.set_code, criterion.number)
    status = vc.Status(row.status) if row else None
    text = f"📌 {html.escape(village.name)}: {STATUS_ICONS[status]} <b>{status_names()[status]}</b>"
    if row is not None:
        text += f" ({row.decided_on:%d/%m/%Y})"
        if row.note:
            text += f" – {html.escape(row.note)}"
    return text


def criterion_keyboard(
    criterion: Criterion,
    *,
    related: tuple[Criterion, ...] = (),
    question_id: int | None = None,
    can_edit: bool = False,
    answered: Faq | None = None,
) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    if criterion.indicators:
        builder.button(
            text=_("📋 Indicators ({count})").format(count=len(criterion.indicators)),
            callback_data=Crit(a="ind", s=criterion.set_code, n=criterion.number),
        )
    others = [(i, faq) for i, faq in enumerate(criterion.faqs) if faq != answered][:RELATED_QUESTIONS]
    for i, faq in others:
        label = faq.question if len(faq.question) <= 60 else faq.question[:57] + "…"
        builder.button(text=f"💬 {label}", callback_data=Crit(a="q", s=criterion.set_code, n=criterion.number, v=str(i)))
    for other in related[:2]:
        builder.button(text=other.title, callback_data=Crit(a="crit", s=other.set_code, n=other.number))
    builder.button(text=_("📚 All criteria"), callback_data=Crit(a="set", s=criterion.set_code, n=0))
    if can_edit:
        builder.button(text=_("✏️ Update status"), callback_data=Crit(a="pick", s=criterion.set_code, n=criterion.number))
    if question_id is not None:
        builder.button(text=_("❓ Ask the branch"), callback_data=Crit(a="ask", n=question_id))
    builder.adjust(1)
    return builder.as_markup()


async def render_criterion(
    repo: Repo,
    village: Village | None,
    criterion: Criterion,
    settings: Settings,
    *,
    result: MatchResult | None = None,
    from_set: CriteriaSet | None = None,
) -> str:
    parts = [f"<b>{html.escape(criterion.title)}</b>"]
    if get_i18n().current_locale != "vi":
        parts.append("🇻🇳 " + _("The criteria are published in Vietnamese: their text below is the original Vietnamese."))
    if result is not None and result.mentioned_other is not None:
        other = result.mentioned_other
        parts.append(
            "ℹ️ "
            + _("You asked about {old} of the previous set; that topic is now part of this criterion.").format(
                old=f"<i>{html.escape(other.title)}</i>"
            )
        )
    if from_set is not None:
        parts.append("📘 " + _("From the set “{name}”.").format(name=html.escape(from_set.name)))
    if result is not None and result.national is not None and result.national is not criterion:
        parts.append(
            "🔗 "
            + _("In the commune's national set this is {criterion}.").format(
                criterion=f"<i>{html.escape(result.national.title)}</i>"
            )
        )
    if result is not None and result.faq is not None:
        parts.append(f"💬 {html.escape(result.faq.answer)}")
    parts.append(html.escape(criterion.summary))
    levels = await vc.levels_for(repo, village, criterion)
    if levels:
        lines = [_("📏 <b>Levels to reach</b>")]
        for level in levels[:4]:
            lines.append(
                "• {code} {name}: <b>{value}</b> ({where})\n  <i>{source}</i>".format(
                    code=html.escape(level.indicator.code),
                    name=html.escape(level.indicator.name),
                    value=html.escape(level.value),
                    where=html.escape(threshold_label(level.key)),
                    source=_("Source: {source}").format(source=html.escape(level.source)),
                )
            )
        parts.append("\n".join(lines))
    parts.append(_("🏘 <b>The village:</b> {text}").format(text=html.escape(criterion.village_asks)))
    parts.append(_("🏠 <b>Each household:</b> {text}").format(text=html.escape(criterion.household_asks)))
    line = await status_line(repo, village, criterion, settings)
    if line:
        parts.append(line)
    return "\n\n".join(parts)


def render_indicators(criterion: Criterion, group: int | None) -> str:
    lines = [f"<b>{html.escape(criterion.title)}</b>"]
    wanted = {f"group{group}", "all"} if group else None
    for indicator in criterion.indicators:
        lines.append(f"\n<b>{html.escape(indicator.code)}. {html.escape(indicator.name)}</b>")
        lines.append(html.escape(indicator.requirement))
        shown = [t for t in indicator.shown_thresholds() if wanted is None or t.key in wanted]
        for threshold in shown:
            lines.append(f"• {html.escape(threshold_label(threshold.key))}: {html.escape(threshold.value)}")
        if not indicator.shown_thresholds():
            lines.append("<i>" + _("The exact standard is being checked against the decision; ask the commune.") + "</i>")
    if criterion.source:
        lines.append("\n<i>" + _("Source: {source}").format(source=html.escape(criterion.source)) + "</i>")
    text = "\n".join(lines)
    return text if len(text) < 4000 else text[:3990] + "…"


def threshold_label(key: str) -> str:
    if key.startswith("group") and key[5:].isdigit():
        return _("Commune group {n}").format(n=key[5:])
    if key == "all":
        return _("All communes")
    if key in REGIONS:
        return REGIONS[key]
    return key


def set_list_keyboard(criteria_set: CriteriaSet, page: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    items = criteria_set.criteria[page * PAGE : (page + 1) * PAGE]
    for criterion in items:
        builder.button(
            text=f"{criterion.number}. {criterion.name}",
            callback_data=Crit(a="crit", s=criterion.set_code, n=criterion.number),
        )
    builder.adjust(1)
    navigation = InlineKeyboardBuilder()
    if page > 0:
        navigation.button(text="◀️", callback_data=Crit(a="set", s=criteria_set.code, n=page - 1))
    if (page + 1) * PAGE < len(criteria_set.criteria):
        navigation.button(text="▶️", callback_data=Crit(a="set", s=criteria_set.code, n=page + 1))
    navigation.button(text=_("⬅️ All sets"), callback_data=Crit(a="sets"))
    builder.attach(navigation)
    return builder.as_markup()


def sets_keyboard(sets: list[CriteriaSet]) -> InlineKeyboardMarkup:
    """National sets first, newest first; then the provinces' village-level sets."""
    builder = InlineKeyboardBuilder()
    ordered = sorted(sets, key=lambda s: (not s.is_national, -s.valid_from.toordinal(), s.name))
    for criteria_set in ordered:
        builder.button(text=criteria_set.name, callback_data=Crit(a="set", s=criteria_set.code, n=0))
    builder.adjust(1)
    return builder.as_markup()


def set_header(criteria_set: CriteriaSet) -> str:
    return "<b>{name}</b>\n<i>{document}</i>\n{count}".format(
        name=html.escape(criteria_set.name),
        document=html.escape(criteria_set.document),
        count=_("{n} criteria. Press one to read it.").format(n=len(criteria_set.criteria)),
    )


async def known_set(callback: CallbackQuery, knowledge: vc.CriteriaKnowledge, code: str) -> CriteriaSet | None:
    """The set named in a button, or None after telling the user it is gone."""
    try:
        return knowledge.catalog.get(code)
    except KeyError:
        await callback.answer(_("This set is no longer available."), show_alert=True)
        return None


INBOX_PAGE_SIZE = 5
# Each entry's escaped text stays under this, so a full page (header, five entries, their
# askers and times) is far below Telegram's 4096 characters whatever the residents typed.
INBOX_ENTRY_CHARS = 450
INBOX_NAME_CHARS = 40


def _escaped_prefix(text: str, limit: int) -> str:
    """``text`` HTML-escaped, cut (with …) so that the escaped form fits ``limit``."""
    escaped = html.escape(text)
    if len(escaped) <= limit:
        return escaped
    cut = text[:limit]
    while len(html.escape(cut)) > limit - 1:
        cut = cut[: max(len(cut) - max(len(cut) // 10, 1), 0)]
    return html.escape(cut) + "…"


async def inbox_page(
    repo: Repo, village_id: int, page: int, settings: Settings
) -> tuple[str, InlineKeyboardMarkup] | None:
    """One page of the /cauhoi inbox (None when nothing waits); always fits one message."""
    total = await repo.criteria.count_open_questions(village_id)
    if total == 0:
        return None
    pages = (total + INBOX_PAGE_SIZE - 1) // INBOX_PAGE_SIZE
    page = min(page, pages - 1)
    rows = await repo.criteria.open_questions_page(village_id, offset=page * INBOX_PAGE_SIZE, limit=INBOX_PAGE_SIZE)
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
        builder.button(text=_("Answer #{id}").format(id=question.id), callback_data=Crit(a="answer", n=question.id))
    builder.adjust(2)
    nav = []
    if page > 0:
        nav.append(InlineKeyboardButton(text=_("◀ Previous"), callback_data=Crit(a="inbox", n=page - 1).pack()))
    if page + 1 < pages:
        nav.append(InlineKeyboardButton(text=_("Next ▶"), callback_data=Crit(a="inbox", n=page + 1).pack()))
    if nav:
        builder.row(*nav)
    return "\n".join(lines), builder.as_markup()


def criteria_router() -> Router:
    """Commands, browsing callbacks and the secretary's flows (before the fallbacks)."""
    router = Router(name="criteria")

    @router.message(Command("tieuchi"), F.chat.type == "private")
    async def command_criteria_handler(message: Message, knowledge: vc.CriteriaKnowledge) -> None:
        sets = knowledge.catalog.sets()
        await message.answer(_("Which set of criteria?"), reply_markup=sets_keyboard(sets))

    @router.callback_query(Crit.filter(F.a == "sets"))
    async def show_sets(callback: CallbackQuery, knowledge: vc.CriteriaKnowledge) -> None:
        await callback.answer()
        if isinstance(callback.message, Message):
            await callback.message.edit_text(
                _("Which set of criteria?"), reply_markup=sets_keyboard(knowledge.catalog.sets())
            )

    @router.callback_query(Crit.filter(F.a == "set"))
    async def show_set(callback: CallbackQuery, callback_data: Crit, knowledge: vc.CriteriaKnowledge) -> None:
        criteria_set = await known_set(callback, knowledge, callback_data.s)
        if criteria_set is None:
            return
        await callback.answer()
        if isinstance(callback.message, Message):
            text = set_header(criteria_set)
            markup = set_list_keyboard(criteria_set, max(0, callback_data.n))
            if callback.message.photo:
                await callback.message.answer(text, reply_markup=markup)
            else:
                await callback.message.edit_text(text, reply_markup=markup)

    @router.callback_query(Crit.filter(F.a.in_({"crit", "ind", "pickq"})))
    async def show_criterion(
        callback: CallbackQuery,
        callback_data: Crit,
        repo: Repo,
        user: User,
        actor: Actor,
        knowledge: vc.CriteriaKnowledge,
        settings: Settings,
    ) -> None:
        try:
            criteria_set = knowledge.catalog.get(callback_data.s)
        except KeyError:
            criteria_set = None
        criterion = criteria_set.criterion(callback_data.n) if criteria_set else None
        if criterion is None:
            await callback.answer(_("This criterion is no longer available."), show_alert=True)
            return
        await callback.answer()
        if callback_data.a == "pickq" and callback_data.v.isdigit():
            # The resident picked one of the offered criteria: a labelled example.
            await vc.record_pick(repo, int(callback_data.v), user.id, criterion.set_code, criterion.number)
        village, own_set, group = await village_and_set(repo, user, knowledge, settings)
        if not isinstance(callback.message, Message):
            return
        if callback_data.a == "ind":
            back = InlineKeyboardBuilder()
            back.button(text=_("⬅️ Back"), callback_data=Crit(a="crit", s=criterion.set_code, n=criterion.number))
            await callback.message.answer(render_indicators(criterion, group), reply_markup=back.as_markup())
            return
        can_edit = village is not None and actor.can(Action.SET_CRITERIA_STATUS, village.id)
        text = await render_criterion(repo, village, criterion, settings)
        await callback.message.answer(text, reply_markup=criterion_keyboard(criterion, can_edit=can_edit))

    @router.callback_query(Crit.filter(F.a == "q"))
    async def show_faq(callback: CallbackQuery, callback_data: Crit, knowledge: vc.CriteriaKnowledge) -> None:
        criteria_set = await known_set(callback, knowledge, callback_data.s)
        criterion = criteria_set.criterion(callback_data.n) if criteria_set else None
        index = int(callback_data.v) if callback_data.v.isdigit() else -1
        if criteria_set is None:
            return
        if criterion is None or not 0 <= index < len(criterion.faqs):
            await callback.answer(_("This criterion is no longer available."), show_alert=True)
            return
        await callback.answer()
        faq = criterion.faqs[index]
        back = InlineKeyboardBuilder()
        back.button(text=_("⬅️ Back"), callback_data=Crit(a="crit", s=criterion.set_code, n=criterion.number))
        if isinstance(callback.message, Message):
            await callback.message.answer(
                f"<b>{html.escape(criterion.title)}</b>\n\n❓ {html.escape(faq.question)}\n💬 {html.escape(faq.answer)}",
                reply_markup=back.as_markup(),
            )

    @router.callback_query(Crit.filter(F.a == "pick"))
    async def pick_status(callback: CallbackQuery, callback_data: Crit, actor: Actor) -> None:
        if not actor.can(Action.SET_CRITERIA_STATUS, actor.village_id):
            await callback.answer(_("Sorry, only the branch secretary or deputy can update the status."), show_alert=True)
            return
        await callback.answer()
        builder = InlineKeyboardBuilder()
        for status, name in status_names().items():
            if status is not None:
                builder.button(
                    text=f"{STATUS_ICONS[status]} {name}",
                    callback_data=Crit(a="status", s=callback_data.s, n=callback_data.n, v=status.value),
                )
        builder.adjust(3)
        if isinstance(callback.message, Message):
            await callback.message.answer(_("What is the status now?"), reply_markup=builder.as_markup())

    @router.callback_query(Crit.filter(F.a == "status"))
    async def status_chosen(callback: CallbackQuery, callback_data: Crit, actor: Actor, state: FSMContext) -> None:
        if not actor.can(Action.SET_CRITERIA_STATUS, actor.village_id) or callback_data.v not in set(vc.Status):
            await callback.answer(_("Sorry, only the branch secretary or deputy can update the status."), show_alert=True)
            return
        await callback.answer()
        await state.set_state(StatusNote.note)
        await state.update_data(set_code=callback_data.s, number=callback_data.n, status=callback_data.v)
        skip = InlineKeyboardBuilder()
        skip.button(text=_("Skip"), callback_data=Crit(a="status_skip"))
        if isinstance(callback.message, Message):
            await callback.message.edit_text(
                _("Send a short note (for example: “3 km of road finished”), or press Skip."),
                reply_markup=skip.as_markup(),
            )

    async def save_status(
        state: FSMContext, repo: Repo, actor: Actor, knowledge: vc.CriteriaKnowledge, settings: Settings, note: str
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
            criterion=html.escape(criterion.title if criterion else str(row.number)),
            status=status_names()[vc.Status(row.status)],
        )

    @router.callback_query(Crit.filter(F.a == "status_skip"), StateFilter(StatusNote.note))
    async def status_without_note(
        callback: CallbackQuery, state: FSMContext, repo: Repo, actor: Actor, knowledge: vc.CriteriaKnowledge, settings: Settings
    ) -> None:
        await callback.answer()
        text = await save_status(state, repo, actor, knowledge, settings, "")
        if isinstance(callback.message, Message):
            await callback.message.edit_text(text)

    @router.message(StateFilter(StatusNote.note), F.text, ~F.text.startswith("/"))
    async def status_note(
        message: Message, state: FSMContext, repo: Repo, actor: Actor, knowledge: vc.CriteriaKnowledge, settings: Settings
    ) -> None:
        await message.answer(await save_status(state, repo, actor, knowledge, settings, message.text or ""))

    @router.message(Command("tiendo"))
    async def command_progress_handler(
        message: Message, repo: Repo, user: User, knowledge: vc.CriteriaKnowledge, settings: Settings
    ) -> None:
        village, criteria_set, _group = await village_and_set(repo, user, knowledge, settings)
        if village is None:
            await message.answer(_("First tell me your village: send /start."))
            return
        result = await vc.progress(repo, village.id, criteria_set)
        names = status_names()
        lines = [
            _("<b>{village}</b>: {met}/{total} criteria met").format(
                village=html.escape(village.name), met=result.met, total=result.total
            ),
            f"<i>{html.escape(criteria_set.name)}</i>",
        ]
        if result.remaining:
            lines.append("\n" + _("Still to do:"))
            lines.extend(
                f"{STATUS_ICONS[row.status]} {html.escape(row.criterion.title)} – {names[row.status]}"
                for row in result.remaining
            )
        await message.answer("\n".join(lines))
        from bot.services.charts import progress_chart

        chart = progress_chart(
            _("{village}: {met}/{total} criteria met").format(village=village.name, met=result.met, total=result.total),
            [(f"{row.criterion.number}. {row.criterion.name}", row.status.value if row.status else None) for row in result.rows],
            {status.value if status else None: name for status, name in names.items()},
        )
        await message.answer_photo(
            BufferedInputFile(chart, filename="tiendo.png"),
            caption=_("{met}/{total} criteria met").format(met=result.met, total=result.total),
        )

    @router.callback_query(Crit.filter(F.a == "ask"))
    async def ask_branch(callback: CallbackQuery, callback_data: Crit, repo: Repo, user: User) -> None:
        try:
            question = await vc.forward_question(repo, question_id=callback_data.n, user_id=user.id)
        except NotFound:
            await callback.answer(_("Please choose your village first: send /start."), show_alert=True)
            return
        await callback.answer(_("Sent to the branch. You will get the answer here."), show_alert=True)
        repo.audit.add("question_forwarded", actor_user_id=user.id, village_id=question.village_id, details={"question_id": question.id})

    @router.message(Command("cauhoi"), F.chat.type == "private")
    async def command_questions_handler(message: Message, repo: Repo, actor: Actor, settings: Settings) -> None:
        if not actor.can(Action.ANSWER_QUESTIONS, actor.village_id):
            await message.answer(_("Sorry, only the branch secretary or deputy can answer residents' questions."))
            return
        assert actor.village_id is not None
        page = await inbox_page(repo, actor.village_id, 0, settings)
        if page is None:
            await message.answer(_("No questions are waiting. 👍"))
            return
        await message.answer(page[0], reply_markup=page[1])

    @router.callback_query(Crit.filter(F.a == "inbox"))
    async def questions_page(callback: CallbackQuery, callback_data: Crit, repo: Repo, actor: Actor, settings: Settings) -> None:
        if not actor.can(Action.ANSWER_QUESTIONS, actor.village_id):
            await callback.answer(_("Sorry, only the branch secretary or deputy can answer residents' questions."), show_alert=True)
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
    async def start_answer(callback: CallbackQuery, callback_data: Crit, repo: Repo, actor: Actor, state: FSMContext) -> None:
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
                _("Type your answer to: “{question}”").format(question=html.escape(question.text[:300]))
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
            question = await vc.answer_question(repo, actor, question_id=int(data["question_id"]), answer=message.text or "")
        except (NotFound, NotAllowed, vc.QuestionAlreadyAnswered, KeyError):
            await message.answer(_("Sorry, this question cannot be answered any more."))
            return
        resident = await repo.users.get(question.user_id)
        delivered = False
        if resident is not None:
            locale = pick_locale(resident.language, None, i18n.default_locale)
            with i18n.use_locale(locale):
                text = _("💬 The branch answered your question “{question}”:\n\n{answer}").format(
                    question=html.escape(question.text[:300]), answer=html.escape(question.answer or "")
                )
            queued = await enqueue(repo, reply_delivery(resident.id, text, now=datetime.now(UTC), ref=f"question:{question.id}"))
            delivered = queued and resident.reachable  # sent by the delivery engine after this update commits
        builder = InlineKeyboardBuilder()
        try:
            criteria_set = knowledge.catalog.get(question.set_code)
        except KeyError:
            criteria_set = None
        guess = criteria_set.criterion(question.guess_number) if criteria_set and question.guess_number else None
        if guess is not None:
            builder.button(
                text=_("💾 Save as FAQ of {criterion}").format(criterion=guess.title),
                callback_data=Crit(a="faq", s=question.set_code, n=guess.number, v=str(question.id)),
            )
        if criteria_set is not None:
            builder.button(
                text=_("💾 Save as FAQ of another criterion"),
                callback_data=Crit(a="faqpick", s=question.set_code, n=0, v=str(question.id)),
            )
        builder.adjust(1)
        reply = _("Sent to the resident.") if delivered else _("Saved, but the resident could not be reached on Telegram.")
        await message.answer(reply, reply_markup=builder.as_markup())

    @router.callback_query(Crit.filter(F.a == "faqpick"))
    async def faq_pick_criterion(callback: CallbackQuery, callback_data: Crit, knowledge: vc.CriteriaKnowledge) -> None:
        criteria_set = await known_set(callback, knowledge, callback_data.s)
        if criteria_set is None:
            return
        await callback.answer()
        builder = InlineKeyboardBuilder()
        for criterion in criteria_set.criteria:
            builder.button(
                text=f"{criterion.number}. {criterion.name}"[:60],
                callback_data=Crit(a="faq", s=criteria_set.code, n=criterion.number, v=callback_data.v),
            )
        builder.adjust(1)
        if isinstance(callback.message, Message):
            await callback.message.edit_reply_markup(reply_markup=builder.as_markup())

    @router.callback_query(Crit.filter(F.a == "faq"))
    async def faq_save(
        callback: CallbackQuery, callback_data: Crit, repo: Repo, actor: Actor, knowledge: vc.CriteriaKnowledge
    ) -> None:
        try:
            index = await knowledge.index(repo)
            question = await repo.criteria.question(int(callback_data.v))
            if question is not None and question.faq_saved:
                await callback.answer(_("Already saved."), show_alert=True)
                return
            saved = await vc.save_as_faq(repo, actor, index, question_id=int(callback_data.v), number=callback_data.n)
        except (NotFound, NotAllowed, ValueError):
            await callback.answer(_("Sorry, this answer cannot be saved."), show_alert=True)
            return
        await callback.answer(_("Saved. Residents of this village asking the same will get this answer."), show_alert=True)
        if isinstance(callback.message, Message):
            share = InlineKeyboardBuilder()
            share.button(text=_("🏘 Share with the whole commune"), callback_data=Crit(a="faqc", v=str(saved.id)))
            await callback.message.edit_reply_markup(reply_markup=share.as_markup())

    @router.callback_query(Crit.filter(F.a == "faqc"))
    async def faq_share_with_commune(callback: CallbackQuery, callback_data: Crit, repo: Repo, actor: Actor) -> None:
        try:
            await vc.share_faq_with_commune(repo, actor, int(callback_data.v))
        except (NotFound, NotAllowed, ValueError):
            await callback.answer(_("Sorry, this answer cannot be shared."), show_alert=True)
            return
        await callback.answer(_("Shared: residents of every village of the commune asking the same will get this answer."), show_alert=True)
        if isinstance(callback.message, Message):
            await callback.message.edit_reply_markup(reply_markup=None)

    return router


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
            builder.button(text=_("❓ Send my question to the branch"), callback_data=Crit(a="ask", n=question_id))
        builder.adjust(1)
        await message.reply(
            _("I'm not sure which criterion you mean. Is it one of these?"),
            reply_markup=builder.as_markup() if not in_group else None,
        )
        return
    from_set = knowledge.catalog.get(result.best.set_code) if result.best.set_code != criteria_set.code else None
    body = await render_criterion(repo, village, result.best, settings, result=result, from_set=from_set)
    if in_group:
        await message.reply(body if len(body) <= GROUP_ANSWER_LIMIT else body[:GROUP_ANSWER_LIMIT].rsplit("\n", 1)[0])
        return
    can_edit = village is not None and actor.can(Action.SET_CRITERIA_STATUS, village.id)
    related = tuple(c for c in result.candidates if c.number != result.best.number)
    await message.answer(
        body,
        reply_markup=criterion_keyboard(
            result.best, related=related, question_id=question_id, can_edit=can_edit, answered=result.faq
        ),
    )


def questions_router() -> Router:
    """Free text is a question: in private always, in groups only when addressed."""
    router = Router(name="questions")

    @router.message(F.chat.type == "private", F.text, ~F.text.startswith("/"), StateFilter(None))
    async def private_question(
        message: Message, repo: Repo, user: User, actor: Actor, knowledge: vc.CriteriaKnowledge, settings: Settings
    ) -> None:
        await answer_question_text(
            message, message.text or "", repo=repo, user=user, actor=actor, knowledge=knowledge, settings=settings, in_group=False
        )

    @router.message(F.chat.type.in_({"group", "supergroup"}), F.text, ~F.text.startswith("/"))
    async def group_question(
        message: Message, bot: Bot, repo: Repo, user: User, actor: Actor, knowledge: vc.CriteriaKnowledge, settings: Settings
    ) -> None:
        me = await bot.me()
        text = message.text or ""
        mention = f"@{me.username}".lower() if me.username else None
        replied = message.reply_to_message is not None and message.reply_to_message.from_user is not None and message.reply_to_message.from_user.id == me.id
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
