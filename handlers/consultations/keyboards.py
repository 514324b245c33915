"""Buttons of the consultation screens: short, clear labels, one idea each, so that a
channel without buttons can show them as numbered lines."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.types import InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.services.authz import Action, Actor
from bot.services.consultations.domain import plain_label
from handlers.consultations.callbacks import YkManage, YkNew, YkOpen, YkVote
from storage.models import Campaign, Consultation, ConsultationKind


def cancel_row(builder: InlineKeyboardBuilder) -> None:
    builder.button(text=_("❌ Cancel"), callback_data=YkNew(what="cancel"))


def only_cancel() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    cancel_row(builder)
    return builder.as_markup()


def choices(what: str, items: Sequence[tuple[str, str]]) -> InlineKeyboardMarkup:
    """One button per (value, label) of a wizard step, then "Cancel"."""
    builder = InlineKeyboardBuilder()
    for value, label in items:
        builder.button(text=label, callback_data=YkNew(what=what, value=value))
    cancel_row(builder)
    builder.adjust(1)
    return builder.as_markup()


def kinds() -> InlineKeyboardMarkup:
    return choices(
        "kind",
        [
            (ConsultationKind.YES_NO, _("Agree / disagree")),
            (ConsultationKind.SINGLE, _("One choice among options")),
            (ConsultationKind.MULTI, _("Several choices allowed")),
        ],
    )


def other() -> InlineKeyboardMarkup:
    return choices("other", [("1", _("Yes, add “Other”")), ("0", _("No"))])


def voters() -> InlineKeyboardMarkup:
    return choices(
        "voters",
        [
            ("household", _("🏠 One answer per household")),
            ("resident", _("👤 One answer per resident")),
            ("member", _("One answer per party member")),
        ],
    )


def names() -> InlineKeyboardMarkup:
    return choices("names", [("1", _("Names are public")), ("0", _("Names stay private"))])


def campaigns(items: Sequence[Campaign]) -> InlineKeyboardMarkup:
    rows = [(str(c.id), c.name[:40]) for c in items[:5]]
    return choices("campaign", [*rows, ("0", _("No campaign"))])


def review() -> InlineKeyboardMarkup:
    return choices("create", [("1", _("✅ Create and post to the group"))])


def ballot(
    consultation: Consultation, labels: Sequence[str], mask: int = 0
) -> InlineKeyboardMarkup | None:
    """The options as buttons; with several choices, each press ticks or unticks and
    "Send" sends the ticked ones (the selection travels in the buttons' data)."""
    if consultation.status != "open":
        return None
    builder = InlineKeyboardBuilder()
    n = len(labels)
    entries = [(i, label) for i, label in enumerate(labels)]
    if consultation.allow_other:
        entries.append((n, _("✏️ Other (type it)")))
    multi = consultation.kind == ConsultationKind.MULTI
    for bit, label in entries:
        text = label[:60] or "?"
        if multi:
            ticked = mask >> bit & 1
            builder.button(
                text=("☑️ " if ticked else "⬜ ") + text,
                callback_data=YkVote(consultation_id=consultation.id, mask=mask ^ (1 << bit), go=False),
            )
        else:
            builder.button(
                text=text, callback_data=YkVote(consultation_id=consultation.id, mask=1 << bit)
            )
    if multi:
        builder.button(
            text=_("📨 Send my answer"), callback_data=YkVote(consultation_id=consultation.id, mask=mask)
        )
    builder.adjust(1)
    return builder.as_markup()


def listing(items: Sequence[Consultation], actor: Actor, village_id: int | None) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    manager = actor.can(Action.MANAGE_CONSULTATION, village_id) or actor.can(
        Action.VIEW_NON_VOTERS, village_id
    )
    for item in items:
        mark = "🗳 " if item.status == "open" else "🔒 "
        label = mark + (plain_label(item.question)[:50] or "?")
        if manager:
            builder.button(text=label, callback_data=YkManage(action="view", consultation_id=item.id))
        else:
            builder.button(text=label, callback_data=YkOpen(consultation_id=item.id))
    if actor.can(Action.MANAGE_CONSULTATION, village_id):
        builder.button(text=_("➕ New consultation"), callback_data=YkNew(what="start"))
    builder.adjust(1)
    return builder.as_markup()


def manage(consultation: Consultation, actor: Actor) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    village = consultation.village_id
    builder.button(text=_("🗳 Answer"), callback_data=YkOpen(consultation_id=consultation.id))
    if actor.can(Action.VIEW_NON_VOTERS, village):
        builder.button(
            text=_("👥 Not answered yet"), callback_data=YkManage(action="silent", consultation_id=consultation.id)
        )
    if actor.can(Action.MANAGE_CONSULTATION, village):
        builder.button(
            text=_("📄 Minutes and votes"), callback_data=YkManage(action="papers", consultation_id=consultation.id)
        )
        if consultation.status == "open":
            builder.button(
                text=_("⏹ Close now"), callback_data=YkManage(action="close", consultation_id=consultation.id)
            )
    builder.adjust(1)
    return builder.as_markup()


def confirm_close(consultation_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("⏹ Yes, close it now"), callback_data=YkManage(action="close_yes", consultation_id=consultation_id))
    builder.button(text=_("↩️ No, keep it open"), callback_data=YkManage(action="view", consultation_id=consultation_id))
    builder.adjust(1)
    return builder.as_markup()


def share_phone() -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text=_("📱 Share my phone"), request_contact=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )
