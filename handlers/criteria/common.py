"""Lookups shared by the criteria flows: today in the village's time zone, the village
and its criteria set, the set named in a button."""

from __future__ import annotations

from datetime import date, datetime

from aiogram.types import (
    CallbackQuery,
)
from aiogram.utils.i18n import gettext as _

from bot.services import village_criteria as vc
from bot.services.criteria import CriteriaSet
from bot.settings import Settings
from storage.models import User, Village
from storage.repo import Repo


def today(settings: Settings) -> date:
    return datetime.now(settings.tz).date()


async def village_and_set(
    repo: Repo, user: User, knowledge: vc.CriteriaKnowledge, settings: Settings
) -> tuple[Village | None, CriteriaSet, int | None]:
    village = await repo.places.village(user.village_id) if user.village_id else None
    criteria_set, group = vc.set_for_village(knowledge.catalog, village, today(settings))
    return village, criteria_set, group


async def known_set(
    callback: CallbackQuery, knowledge: vc.CriteriaKnowledge, code: str
) -> CriteriaSet | None:
    """The set named in a button, or None after telling the user it is gone."""
    try:
        return knowledge.catalog.get(code)
    except KeyError:
        await callback.answer(_("This set is no longer available."), show_alert=True)
        return None
