"""Residents' consultations (lấy ý kiến): a question put by the branch, one answer
per household, resident or party member, a live board, the minutes and the votes.

``delivery_kinds()`` and ``planners()`` are what the delivery engine registers."""

from __future__ import annotations

from bot.services.consultations.delivery import delivery_kinds, planners

__all__ = ["delivery_kinds", "planners"]
