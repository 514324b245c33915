"""Household visits in chat: the reminder buttons (report a visit, "Hẹn lại", "could
not visit"), /lichtham, /baocao, the secretary's /phancong screen and the house QR
deep link. Parsing and rendering only; the rules live in ``bot.services.visits``.

One router, its handlers registered by sub-feature in a fixed order (order matters:
state-bound handlers and catch-alls are tried in registration order)."""

from __future__ import annotations

from aiogram import F, Router

from handlers.visits import assign, house, member, reminder_buttons, report, secretary
from handlers.visits.house import show_house

__all__ = ["show_house", "visits_router"]


def visits_router() -> Router:
    router = Router(name="visits")
    router.message.filter(F.chat.type == "private")
    router.callback_query.filter(F.message.chat.type == "private")
    reminder_buttons.register(router)
    report.register(router)
    member.register(router)
    secretary.register(router)
    assign.register(router)
    house.register(router)
    return router
