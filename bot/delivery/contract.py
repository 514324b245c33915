"""The delivery engine's contract: what features hand to the engine, and what the
engine hands back to them. No aiogram and no SQLAlchemy here.

A feature never sends by itself. It *enqueues* a :class:`Delivery` inside its own
unit of work (the row commits with the feature's changes, or not at all); the
engine renders it at send time, in the recipient's language, through the
:data:`Renderer` registered for its ``kind``, and hands the :class:`OutgoingMessage`
to the recipient's channel. Recurring work (planning reminders, monthly reports)
is a :data:`Planner`: the engine runs it periodically with a unit of work and a
clock; it enqueues deliveries whose dedupe keys make a second run a no-op.
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from itertools import islice
from typing import Any, Protocol

ENQUEUE_BATCH = 2000  # deliveries built and written at a time by PlanContext.enqueue_all


class Priority(enum.IntEnum):
    """Lower goes first: a person waiting for an answer before bulk."""

    INTERACTIVE = 0  # answers from /cauhoi, replies a person waits for
    NOTICE = 10  # notices to secretaries and treasurers
    REMINDER = 20  # visit and pledge reminders
    BULK = 30  # broadcasts, reports, board updates


@dataclass(frozen=True, slots=True)
class Recipient:
    """Who gets it: a user of ours (their private chat) or a linked group chat.

    Exactly one of the two ids is set; both are our database row ids, resolved to
    the channel's own address at send time (a group may have migrated meanwhile)."""

    user_id: int | None = None
    chat_id: int | None = None  # row id in ``chats`` (a group)

    def __post_init__(self) -> None:
        if (self.user_id is None) == (self.chat_id is None):
            raise ValueError("a recipient is a user or a group chat, not both or neither")


@dataclass(frozen=True, slots=True)
class Choice:
    """A button. ``data`` is opaque callback data (≤ 64 bytes); on a channel without
    buttons it becomes a numbered reply. ``url`` makes it a link instead."""

    label: str
    data: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Attachment:
    kind: str  # "photo" | "document"
    file_id: str | None = None  # the channel's own id of an uploaded file
    content: bytes | None = None  # or the bytes to upload
    filename: str | None = None


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """What a renderer returns. ``text`` is the small HTML subset Telegram accepts
    (<b>, <i>, <a href>, <code>); the renderer escapes user-written text."""

    text: str
    attachment: Attachment | None = None
    choices: tuple[tuple[Choice, ...], ...] = ()  # rows of buttons
    pin: bool = False
    edit_message_id: int | None = None  # edit this earlier message in place (a board)
    # A call in the channel's own terms, replayed as it was made (a handler's reply kept
    # until its update committed: kind "reply.call"); the fields above are then unused.
    native: Mapping[str, Any] | None = None
    # The recipient's language, stamped by the sender: a channel's own added words (Zalo's
    # "reply with a number" under a menu) follow it.
    locale: str | None = None


@dataclass(frozen=True, slots=True)
class Delivery:
    """One message to one recipient, queued. ``payload`` is JSON: ids and plain values
    the renderer reads; content that may change is read from the database at send
    time, so a reminder for a pledge already paid can render to nothing (skipped)."""

    kind: str  # a registered kind: "broadcast", "visit.reminder", "pledge.reminder", ...
    recipient: Recipient
    ref: str  # what it is about, for reports and cancellation: "pledge:42", "run:7"
    dedupe_key: str | None  # unique across the outbox: the same reminder is never queued twice
    not_before: datetime  # aware; quiet hours may move it later
    priority: Priority = Priority.NOTICE
    payload: Mapping[str, Any] = field(default_factory=dict)
    respect_quiet_hours: bool = True  # False for a broadcast the author sends "now"


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, aware, in UTC."""
        ...


@dataclass(frozen=True, slots=True)
class QuietHours:
    start: time = time(21, 0)
    end: time = time(6, 30)


@dataclass(slots=True)
class RenderContext:
    """What a renderer gets: the recipient's locale (gettext already switched to it),
    a read-only unit of work and the clock. ``repo`` is a ``storage.repo.Repo``."""

    locale: str
    repo: Any
    now: datetime
    timezone: str
    gettext: Callable[[str], str]


# Returns None when there is nothing to say any more: the row is marked skipped.
Renderer = Callable[[RenderContext, Mapping[str, Any]], Awaitable[OutgoingMessage | None]]


@dataclass(slots=True)
class PlanContext:
    """What a planner gets: a unit of work (commits once after the planner returns),
    the clock, the time zone and ``enqueue`` bound to that unit of work.
    ``enqueue_many`` (when set) queues many deliveries in a few statements, each row as
    ``enqueue`` would write it; it returns how many were added."""

    repo: Any
    now: datetime
    timezone: str
    enqueue: Callable[[Delivery], Awaitable[bool]]
    settings: Any = None  # bot.settings.Settings, when the planner needs a setting
    enqueue_many: Callable[[Sequence[Delivery]], Awaitable[int]] | None = None

    async def enqueue_all(self, deliveries: Iterable[Delivery]) -> int:
        """``enqueue_many`` when the engine gives one, else ``enqueue`` one at a time.
        Taken ``ENQUEUE_BATCH`` at a time, so a generator of 390,000 reminders (a slot
        at national scale) never has them all in memory at once."""
        added = 0
        items = iter(deliveries)
        while batch := list(islice(items, ENQUEUE_BATCH)):
            if self.enqueue_many is not None:
                added += await self.enqueue_many(batch)
            else:
                added += sum([await self.enqueue(delivery) for delivery in batch])
        return added


Planner = Callable[[PlanContext], Awaitable[None]]


@dataclass(slots=True)
class SentContext:
    """Given to ``KindSpec.on_sent`` in the unit of work that records the send: the
    channel's id of the message just sent (to edit it later, e.g. a group board)."""

    repo: Any
    now: datetime
    message_id: int | None
    ref: str


OnSent = Callable[[SentContext, Mapping[str, Any]], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class KindSpec:
    kind: str
    renderer: Renderer
    quiet_hours: QuietHours | None = QuietHours()  # None: may be sent at any hour
    on_sent: OnSent | None = None  # called with the payload after a successful send


@dataclass(frozen=True, slots=True)
class PlannerSpec:
    name: str
    planner: Planner
    every: timedelta = timedelta(minutes=15)
