"""One Router per feature, built fresh by a factory so every dispatcher gets its own."""

from __future__ import annotations

from aiogram import Router

from handlers.accounts import accounts_router
from handlers.broadcasts import broadcasts_router
from handlers.cancel import cancel_router
from handlers.consultations import consultation_links_router, consultations_router
from handlers.contributions import contributions_router
from handlers.criteria import criteria_router, questions_router
from handlers.errors import errors_router
from handlers.fallback import (
    callback_guard_router,
    catch_all_router,
    fallback_router,
    stale_buttons_router,
)
from handlers.groups import groups_router
from handlers.invites import invites_router
from handlers.start import start_router
from handlers.visits import visits_router


def build_routers() -> list[Router]:
    """Routers in the order they are tried; the catch-all is last."""
    return [
        errors_router(),
        callback_guard_router(),
        cancel_router(),
        groups_router(),
        consultation_links_router(),  # /start yk_<code>, before the general /start
        accounts_router(),  # a typed link code, also while onboarding asks for the village
        start_router(),
        invites_router(),
        criteria_router(),
        broadcasts_router(),
        contributions_router(),
        visits_router(),
        consultations_router(),
        fallback_router(),
        questions_router(),
        catch_all_router(),
        stale_buttons_router(),
    ]
