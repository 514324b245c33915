"""The core's own kinds: "reply", a message a person is waiting for, and
"reply.call", a handler's own call kept until its update committed.

Its payload carries the text already written in the person's language when they
asked (``text``, HTML) and optional ``choices`` (rows of ``[label, data]``), since an
answer is about the moment it was asked; it is exempt from quiet hours (the person
just wrote to us) and goes first (``Priority.INTERACTIVE``)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.delivery.contract import (
    Choice,
    Delivery,
    KindSpec,
    OutgoingMessage,
    Priority,
    Recipient,
    RenderContext,
)

REPLY = "reply"
CALL = "reply.call"


def reply(
    user_id: int,
    text: str,
    *,
    now: datetime,
    ref: str,
    dedupe_key: str | None = None,
    choices: tuple[tuple[Choice, ...], ...] = (),
) -> Delivery:
    """A reply to ``user_id``'s private chat, to go out as soon as possible."""
    return Delivery(
        kind=REPLY,
        recipient=Recipient(user_id=user_id),
        ref=ref,
        dedupe_key=dedupe_key,
        not_before=now,
        priority=Priority.INTERACTIVE,
        payload={
            "text": text,
            "choices": [[[c.label, c.data, c.url] for c in row] for row in choices],
        },
        respect_quiet_hours=False,
    )


async def render_reply(_ctx: RenderContext, payload: Mapping[str, Any]) -> OutgoingMessage | None:
    text = payload.get("text")
    if not text:
        return None
    choices = tuple(
        tuple(Choice(label, data, url) for label, data, url in row)
        for row in payload.get("choices", [])
    )
    return OutgoingMessage(text=text, choices=choices)


async def render_call(_ctx: RenderContext, payload: Mapping[str, Any]) -> OutgoingMessage | None:
    """The call exactly as the handler made it (the channel replays it)."""
    return OutgoingMessage(text="", native=payload)


def call_row(
    address: int,
    payload: Mapping[str, Any],
    *,
    now: datetime,
    ref: str,
    dedupe_key: str | None,
    channel: str = "telegram",
    bot_key: str | None = None,
) -> dict[str, Any]:
    """The outbox row of a kept call: addressed already (the chat it was made for),
    first in line (``Priority.INTERACTIVE``), at any hour. Written with
    ``repo.outbox.enqueue`` in the update's unit of work."""
    return {
        "channel": channel,
        "kind": CALL,
        "ref": ref[:64],
        "dedupe_key": dedupe_key,
        "priority": int(Priority.INTERACTIVE),
        "payload": dict(payload),
        "target": f"a{address}"[:32],
        "chat_id": address,
        "user_id": None,
        "group_id": None,
        "status": "pending",
        "attempts": 0,
        "resent_after_crash": 0,
        "next_attempt_at": now,
        "bot_key": bot_key,  # several bots: the one the update came to answers (bot/multibot.py)
    }


def delivery_kinds() -> list[KindSpec]:
    return [
        KindSpec(REPLY, render_reply, quiet_hours=None),
        KindSpec(CALL, render_call, quiet_hours=None),
    ]
