"""The core's own kinds: "reply", a message a person is waiting for.

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


def delivery_kinds() -> list[KindSpec]:
    return [KindSpec(REPLY, render_reply, quiet_hours=None)]
