"""Criteria: free questions, browsing (/tieuchi), village progress (/tiendo), status
updates by the secretary, and the questions inbox (/cauhoi)."""

from aiogram import Router

from handlers.criteria.browse import browse_router
from handlers.criteria.inbox import inbox_router
from handlers.criteria.questions import questions_router
from handlers.criteria.status import status_router

__all__ = ["criteria_router", "questions_router"]


def criteria_router() -> Router:
    """Commands, browsing callbacks and the secretary's flows (before the fallbacks)."""
    router = Router(name="criteria")
    router.include_routers(browse_router(), status_router(), inbox_router())
    return router
