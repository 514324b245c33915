"""Former home of the broadcast sender: it is now the delivery engine
(:mod:`bot.delivery.sender`). Kept so existing imports work until the handlers'
package split moves them."""

from bot.channels.telegram.preview import AckButton, Content, render, send_content
from bot.delivery.sender import Sender as OutboxSender

__all__ = ["AckButton", "Content", "OutboxSender", "render", "send_content"]
