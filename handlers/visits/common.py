"""Household visits in chat: what the flows share (states, today's date, refusal texts,
the card buttons)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import date

from aiogram.fsm.state import State, StatesGroup
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot import clock
from bot.delivery.contract import Delivery
from bot.services.authz import Action, Actor
from bot.services.visits import service
from bot.services.visits.domain import local_today
from bot.settings import Settings
from handlers.cancel import CancelCb
from handlers.visits import keyboards as kb
from storage.repo import Repo

log = logging.getLogger(__name__)
EnqueueDelivery = Callable[[Repo, Delivery], Awaitable[bool]]
MAX_TEXT = 2000


class Report(StatesGroup):
    day = State()
    checklist = State()
    note = State()
    needs = State()
    photo = State()


class Snooze(StatesGroup):
    day = State()


class Cannot(StatesGroup):
    reason = State()


class Feedback(StatesGroup):
    text = State()


def current_day(settings: Settings) -> date:
    return local_today(clock.now(), settings.timezone)


def not_yours_text() -> str:
    return _("This household is not assigned to you.")


def invalid_text(reason: str) -> str:
    return {
        "future": _("That day has not come yet. Please choose today or an earlier day."),
        "too_old": _("That day is too long ago. Please choose a day in the last two months."),
        "bad_snooze": _("Please choose a day after today and within the next 60 days."),
        "bad_need": _("Unknown need."),
        "bad_cadence": _("Unknown cadence."),
        "bad_state": _("Unknown state."),
    }.get(reason, _("Something is not right. Please try again."))


def card_markup(view: service.HouseholdView, actor: Actor) -> InlineKeyboardMarkup | None:
    """Visit buttons for the assigned member; cadence buttons for the secretary."""
    rows = []
    if view.assigned_to_me:
        rows += kb.visit_keyboard(view.household.id).inline_keyboard
    if actor.can(Action.ASSIGN_VISITS, view.household.village_id):
        rows += kb.cadence_keyboard(view.household.id).inline_keyboard
    if rows:  # a way out of the card
        rows.append([InlineKeyboardButton(text=_("✖ Close"), callback_data=CancelCb().pack())])
    return InlineKeyboardMarkup(inline_keyboard=rows) if rows else None
