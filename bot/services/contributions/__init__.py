"""Contributions (đóng góp): campaigns, pledges, receipts, VietQR, the public board.

``delivery_kinds()`` and ``planners()`` are what the delivery engine registers."""

from __future__ import annotations

from bot.services.contributions.delivery import delivery_kinds, planners

__all__ = ["delivery_kinds", "planners"]
