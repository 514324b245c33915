"""Household visits: assignments, reminders, reports, house QR codes (issue 10)."""

from bot.services.visits.delivery import delivery_kinds, planners

__all__ = ["delivery_kinds", "planners"]
