"""The channel port: what the engine and the domain know of a messaging platform.

A channel declares what it can do (:class:`Capabilities`) and sends an
:class:`~bot.delivery.contract.OutgoingMessage` to an address, raising only the
channel-neutral errors below. A message degrades to what the channel supports:
on a channel without buttons, choices become numbered lines and the person answers
with the number (:func:`degrade`). No aiogram here.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Protocol

from bot.delivery.contract import OutgoingMessage
from bot.services.markup import esc

SENDING_PRIORITY: ContextVar[int | None] = ContextVar("sending_priority", default=None)
"""The priority of the outbox row being sent (set by the sender around a channel's
``send``): a channel near its quota holds bulk back (``bot.delivery.contract.Priority``)."""


def can_share_contact(bot: object) -> bool:
    """Whether the channel a handler's bot talks through has a button that shares the
    person's own phone (Telegram's contact button). A bridge without one says so on its
    session (``contact_button = False``); the handler then offers what that channel can do."""
    return bool(getattr(getattr(bot, "session", None), "contact_button", True))


class ChannelError(Exception):
    """Base of what a channel raises; ``detail`` is the platform's own words."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail)
        self.detail = detail


class RateLimited(ChannelError):
    """The platform asks every sender of this bot to wait ``retry_after`` seconds.
    ``whole_budget`` False: only this channel waits (it pauses itself), not the
    budget shared with the other channel."""

    def __init__(self, retry_after: float, detail: str = "", *, whole_budget: bool = True) -> None:
        super().__init__(detail or f"retry after {retry_after}")
        self.retry_after = retry_after
        self.whole_budget = whole_budget


class Unreachable(ChannelError):
    """The person blocked the bot, or the bot left or was removed from the group."""


class Moved(ChannelError):
    """The chat lives at a new address now (a group that became a supergroup)."""

    def __init__(self, new_address: int, detail: str = "") -> None:
        super().__init__(detail or f"moved to {new_address}")
        self.new_address = new_address


class TransientError(ChannelError):
    """A server error or a timeout: worth trying again later."""


class PermanentError(ChannelError):
    """The platform refused the message itself; trying again will not help."""


@dataclass(frozen=True, slots=True)
class Capabilities:
    buttons: bool
    edits: bool
    max_text: int  # characters of one text message
    max_caption: int  # characters of a photo's or document's caption
    pins: bool = False


@dataclass(frozen=True, slots=True)
class SentRef:
    """The platform's id of what was sent (the last part when a text was split)."""

    message_id: int | None
    parts: int = 1


class Channel(Protocol):
    name: str
    capabilities: Capabilities

    async def send(self, address: int, message: OutgoingMessage) -> SentRef:
        """Send (or, with ``edit_message_id``, edit) one message; raises a ChannelError."""
        ...

    async def pin(self, address: int, message_id: int) -> None: ...


def degrade(message: OutgoingMessage, capabilities: Capabilities) -> OutgoingMessage:
    """The message as this channel can carry it: without buttons, each choice
    becomes a numbered line ("1. Có") and a link shows its address."""
    if capabilities.buttons or not message.choices:
        return message
    lines = [message.text, ""] if message.text else []
    number = 0
    for row in message.choices:
        for choice in row:
            number += 1
            lines.append(f"{number}. {esc(choice.label)}" + (f" – {esc(choice.url)}" if choice.url else ""))
    return replace(message, text="\n".join(lines), choices=())


def numbered_choice(message: OutgoingMessage, answer: str) -> str | None:
    """The ``data`` of the choice a person picked by number on a channel without
    buttons, or None when the answer is not one of the numbers shown."""
    flat = [choice for row in message.choices for choice in row]
    answer = answer.strip().rstrip(".")
    if not answer.isdigit():
        return None
    index = int(answer) - 1
    if 0 <= index < len(flat):
        return flat[index].data
    return None
