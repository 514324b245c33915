"""Broadcasts: validation, audience, schedules and recurrence, firing a due broadcast
into the outbox, reports and acknowledgements. No aiogram here.

Callers use the package (``from bot.services import broadcasts as service``); the parts
live in :mod:`.schedule`, :mod:`.audience`, :mod:`.compose` and :mod:`.reports`."""

from bot.services.broadcasts.audience import (
    Audience,
    AudienceCount,
    Recipient,
    count_audience,
    resolve_audience,
)
from bot.services.broadcasts.compose import (
    KINDS,
    MAX_CAPTION,
    MAX_TEXT,
    Created,
    Draft,
    Fired,
    cancel_broadcast,
    create_broadcast,
    fire_due,
    start_run,
    validate,
)
from bot.services.broadcasts.reports import (
    RunReport,
    broadcast_for,
    failure_reason,
    list_broadcasts,
    may_acknowledge,
    not_pinned_count,
    record_ack,
    run_report,
)
from bot.services.broadcasts.schedule import (
    DueDecision,
    Recurrence,
    decide_due,
    parse_time,
    parse_when,
)

__all__ = [
    "Audience",
    "AudienceCount",
    "Created",
    "Draft",
    "DueDecision",
    "Fired",
    "KINDS",
    "MAX_CAPTION",
    "MAX_TEXT",
    "Recipient",
    "Recurrence",
    "RunReport",
    "broadcast_for",
    "cancel_broadcast",
    "count_audience",
    "create_broadcast",
    "decide_due",
    "failure_reason",
    "fire_due",
    "list_broadcasts",
    "may_acknowledge",
    "not_pinned_count",
    "parse_time",
    "parse_when",
    "record_ack",
    "resolve_audience",
    "run_report",
    "start_run",
    "validate",
]
