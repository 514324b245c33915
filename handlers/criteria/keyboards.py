"""Keyboards of the criteria flows: a criterion's buttons, the sets, a page of a set."""

from __future__ import annotations

from aiogram.types import (
    InlineKeyboardMarkup,
)
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.services.criteria import CriteriaSet, Criterion, Faq
from handlers.criteria.callbacks import Crit

PAGE = 8
RELATED_QUESTIONS = 2


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
    others = [(i, faq) for i, faq in enumerate(criterion.faqs) if faq != answered][
        :RELATED_QUESTIONS
    ]
    for i, faq in others:
        label = faq.question if len(faq.question) <= 60 else faq.question[:57] + "…"
        builder.button(
            text=f"💬 {label}",
            callback_data=Crit(a="q", s=criterion.set_code, n=criterion.number, v=str(i)),
        )
    for other in related[:2]:
        builder.button(
            text=other.title, callback_data=Crit(a="crit", s=other.set_code, n=other.number)
        )
    builder.button(
        text=_("📚 All criteria"), callback_data=Crit(a="set", s=criterion.set_code, n=0)
    )
    if can_edit:
        builder.button(
            text=_("✏️ Update status"),
            callback_data=Crit(a="pick", s=criterion.set_code, n=criterion.number),
        )
    if question_id is not None:
        builder.button(text=_("❓ Ask the branch"), callback_data=Crit(a="ask", n=question_id))
    builder.adjust(1)
    return builder.as_markup()


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
        builder.button(
            text=criteria_set.name, callback_data=Crit(a="set", s=criteria_set.code, n=0)
        )
    builder.adjust(1)
    return builder.as_markup()
