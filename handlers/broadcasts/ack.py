"""The "Đã nắm" (got it) button under an announcement, pressed anywhere."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _

from bot.channels.telegram.preview import AckButton
from bot.services import broadcasts as service
from storage.models import User
from storage.repo import Repo


def ack_router() -> Router:
    router = Router(name="broadcast_ack")

    @router.callback_query(AckButton.filter())
    async def ack_pressed(
        callback: CallbackQuery, callback_data: AckButton, repo: Repo, user: User
    ) -> None:
        if callback_data.run_id == 0:
            await callback.answer(_("This is only a preview."))
            return
        counted = await service.record_ack(
            repo,
            callback_data.run_id,
            platform_user_id=callback.from_user.id,
            user_id=user.id,
            name=callback.from_user.full_name,
            chat_id=callback.message.chat.id if callback.message else 0,
            message_id=callback.message.message_id if callback.message else None,
        )
        if counted is None:
            await callback.answer(
                _("This announcement did not ask you for a confirmation."), show_alert=True
            )
        elif counted:
            await callback.answer(_("Thank you! Noted ✅"))
        else:
            await callback.answer(_("You have already confirmed. Thank you!"))

    return router
