"""Household visits in chat (issue 10): a router, its keyboards and texts."""

from handlers.visits.router import show_house, visits_router

__all__ = ["show_house", "visits_router"]
