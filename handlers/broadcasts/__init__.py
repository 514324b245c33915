"""/thongbao: compose an announcement with buttons (content, audience, when, options,
preview, confirm), list past and scheduled ones, cancel; the "Đã nắm" button."""

from aiogram import Router

from handlers.broadcasts.ack import ack_router
from handlers.broadcasts.compose import compose_router
from handlers.broadcasts.manage import manage_router
from handlers.broadcasts.send import send_router

__all__ = ["broadcasts_router"]


def broadcasts_router() -> Router:
    """Composing and managing announcements (private) and the "Đã nắm" button (anywhere)."""
    router = Router(name="broadcasts")
    router.include_routers(manage_router(), compose_router(), send_router(), ack_router())
    return router
