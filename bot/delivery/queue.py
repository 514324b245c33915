"""Putting a delivery in the outbox, inside the caller's unit of work."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.delivery.contract import Delivery, QuietHours
from bot.delivery.quiet import DEFAULT_TZ, after_quiet_hours

_FROM_REGISTRY: Any = object()


async def enqueue(
    repo: Any,
    delivery: Delivery,
    *,
    tz: str = DEFAULT_TZ,
    quiet_hours: QuietHours | None = _FROM_REGISTRY,
    channel: str = "telegram",
) -> bool:
    """Add ``delivery`` to the outbox in ``repo``'s unit of work (committed with the
    caller's other changes, or not at all); False when its dedupe key is taken.

    Quiet hours are the kind's (:class:`KindSpec.quiet_hours` in the registry;
    default 21:00–06:30 local) unless the delivery says ``respect_quiet_hours=False``:
    a ``not_before`` inside them moves to their end. ``quiet_hours`` overrides the
    registry (tests). Wake the engine after the commit (``engine.wake()``)."""
    return await repo.outbox.enqueue(_row(delivery, tz, quiet_hours, channel))


async def enqueue_many(
    repo: Any,
    deliveries: Sequence[Delivery],
    *,
    tz: str = DEFAULT_TZ,
    quiet_hours: QuietHours | None = _FROM_REGISTRY,
    channel: str = "telegram",
) -> int:
    """:func:`enqueue` for many deliveries in a few multi-row INSERTs (the rows are the
    same, in the same order; a taken dedupe key is skipped); how many were added."""
    rows = [_row(delivery, tz, quiet_hours, channel) for delivery in deliveries]
    return await repo.outbox.enqueue_many(rows) if rows else 0


def _row(delivery: Delivery, tz: str, quiet_hours: Any, channel: str) -> dict[str, Any]:
    """The outbox row of ``delivery``: quiet hours applied, the recipient as columns."""
    if delivery.not_before.tzinfo is None:
        raise ValueError("not_before must be aware")
    if quiet_hours is _FROM_REGISTRY:
        from bot.delivery.registry import default_registry

        quiet_hours = default_registry().quiet_hours(delivery.kind)
    not_before = delivery.not_before
    if delivery.respect_quiet_hours:
        not_before = after_quiet_hours(not_before, quiet_hours, tz)
    recipient = delivery.recipient
    return {
        "channel": channel,
        "kind": delivery.kind,
        "ref": delivery.ref[:64],
        "dedupe_key": delivery.dedupe_key,
        "priority": int(delivery.priority),
        "payload": dict(delivery.payload),
        "target": f"u{recipient.user_id}" if recipient.user_id is not None else f"c{recipient.chat_id}",
        "user_id": recipient.user_id,
        "group_id": recipient.chat_id,
        "chat_id": None,
        "status": "pending",
        "attempts": 0,
        "resent_after_crash": 0,
        "next_attempt_at": not_before,
    }
