"""The Telegram channel: the only place the delivery engine's messages meet aiogram."""

from bot.channels.telegram.channel import TELEGRAM_CAPABILITIES, TelegramChannel, unthrottled_clone

__all__ = ["TELEGRAM_CAPABILITIES", "TelegramChannel", "unthrottled_clone"]
