"""Callback data and keyboards of household visits. ``VisitCb`` and ``NeedCb`` pack
exactly as ``bot.services.visits.delivery`` writes them into reminders."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callback_ids import OptionalRowId, RowId, SmallInt
from bot.services.visits.domain import CHECKLIST, NEED_KINDS
from bot.services.visits.report import need_kind_label
from handlers.visits.texts import checklist_label


class VisitCb(CallbackData, prefix="vis"):
    action: str  # done | later | cannot | card
    household_id: RowId


class NeedCb(CallbackData, prefix="vneed"):
    state: str  # in_progress | resolved
    need_id: RowId


class ReportDay(CallbackData, prefix="vday"):
    days_ago: SmallInt


class CheckCb(CallbackData, prefix="vchk"):
    item: str  # a CHECKLIST key, or "next"


class NeedPick(CallbackData, prefix="vnk"):
    kind: str  # a NEED_KINDS key, or "next"


class StepCb(CallbackData, prefix="vstep"):
    step: str  # skip_note | finish | cancel


class FeedbackCb(CallbackData, prefix="vfb"):
    village_id: RowId  # the village of the house whose QR was scanned (public)


class SnoozeCb(CallbackData, prefix="vsz"):
    household_id: RowId
    days: SmallInt  # 0: type a date


class ReasonCb(CallbackData, prefix="vrs"):
    reason: str  # away | busy | ill | type


class AssignCb(CallbackData, prefix="vas"):
    action: str  # propose | accept | qr | pick | to
    household_id: OptionalRowId = 0
    member_id: OptionalRowId = 0


class CadenceCb(CallbackData, prefix="vcad"):
    household_id: RowId
    cadence: str  # monthly | quarterly | default


def cadence_keyboard(household_id: int) -> InlineKeyboardMarkup:
    """For the secretary on a household's card: change how often it is visited."""
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("🗓 Monthly"), callback_data=CadenceCb(household_id=household_id, cadence="monthly")
    )
    builder.button(
        text=_("🗓 Every quarter"),
        callback_data=CadenceCb(household_id=household_id, cadence="quarterly"),
    )
    builder.button(
        text=_("🗓 By category"),
        callback_data=CadenceCb(household_id=household_id, cadence="default"),
    )
    return builder.adjust(3).as_markup()


def visit_keyboard(household_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("✅ Visited"), callback_data=VisitCb(action="done", household_id=household_id)
    )
    builder.button(
        text=_("📅 Later"), callback_data=VisitCb(action="later", household_id=household_id)
    )
    builder.button(
        text=_("🚫 Could not visit"),
        callback_data=VisitCb(action="cannot", household_id=household_id),
    )
    return builder.adjust(3).as_markup()


def cancel_row(builder: InlineKeyboardBuilder) -> None:
    builder.button(text=_("✖️ Cancel"), callback_data=StepCb(step="cancel"))


def day_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Today"), callback_data=ReportDay(days_ago=0))
    builder.button(text=_("Yesterday"), callback_data=ReportDay(days_ago=1))
    cancel_row(builder)
    return builder.adjust(2, 1).as_markup()


def checklist_keyboard(checks: dict[str, str]) -> InlineKeyboardMarkup:
    marks = {"ok": "🟢", "concern": "🔴"}
    builder = InlineKeyboardBuilder()
    for item in CHECKLIST:
        builder.button(
            text=f"{marks.get(checks.get(item, ''), '⚪')} {checklist_label(item)}",
            callback_data=CheckCb(item=item),
        )
    builder.button(text=_("Next ➡️"), callback_data=CheckCb(item="next"))
    cancel_row(builder)
    return builder.adjust(1).as_markup()


def note_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Skip ➡️"), callback_data=StepCb(step="skip_note"))
    cancel_row(builder)
    return builder.adjust(1).as_markup()


def needs_keyboard(chosen: list[str]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for kind in NEED_KINDS:
        mark = "☑️" if kind in chosen else "⬜"
        builder.button(text=f"{mark} {need_kind_label(kind, _)}", callback_data=NeedPick(kind=kind))
    builder.button(text=_("Next ➡️"), callback_data=NeedPick(kind="next"))
    cancel_row(builder)
    return builder.adjust(2, 2, 1, 1, 1).as_markup()


def photo_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("✅ Finish without a photo"), callback_data=StepCb(step="finish"))
    cancel_row(builder)
    return builder.adjust(1).as_markup()


def snooze_keyboard(household_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Tomorrow"), callback_data=SnoozeCb(household_id=household_id, days=1))
    builder.button(text=_("In 3 days"), callback_data=SnoozeCb(household_id=household_id, days=3))
    builder.button(
        text=_("📝 Type a date"), callback_data=SnoozeCb(household_id=household_id, days=0)
    )
    cancel_row(builder)
    return builder.adjust(2, 1, 1).as_markup()


def reason_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Nobody at home"), callback_data=ReasonCb(reason="away"))
    builder.button(
        text=_("The family asked for another day"), callback_data=ReasonCb(reason="busy")
    )
    builder.button(text=_("I was ill or away"), callback_data=ReasonCb(reason="ill"))
    builder.button(text=_("📝 Another reason"), callback_data=ReasonCb(reason="type"))
    cancel_row(builder)
    return builder.adjust(1).as_markup()


def need_state_keyboard(need_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("🔧 In progress"), callback_data=NeedCb(state="in_progress", need_id=need_id)
    )
    builder.button(text=_("✔️ Resolved"), callback_data=NeedCb(state="resolved", need_id=need_id))
    return builder.adjust(2).as_markup()


def feedback_keyboard(village_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("💬 Send a message to the party branch"),
        callback_data=FeedbackCb(village_id=village_id),
    )
    return builder.as_markup()
