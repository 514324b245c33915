"""Composing, scheduling, firing and cancelling a broadcast: the draft's rules, the run's
outbox rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from bot.services.authz import Action, Actor
from bot.services.broadcasts.audience import Audience, resolve_audience
from bot.services.broadcasts.schedule import Recurrence, decide_due
from bot.services.errors import BroadcastInvalid, NotFound
from storage.models import (
    Broadcast,
    BroadcastRun,
    BroadcastStatus,
    RunStatus,
)
from storage.repo import Repo

MAX_TEXT = 3900  # Telegram's 4096 minus the header and some room for escaping
MAX_CAPTION = 900  # 1024 minus the header
KINDS = ("text", "photo", "document")


@dataclass(frozen=True, slots=True)
class Draft:
    """A broadcast as the author composed it, before confirmation."""

    kind: str
    text: str
    audience: Audience
    file_id: str | None = None
    pin: bool = False
    ask_ack: bool = False
    when: datetime | None = None  # None with no recurrence: now
    recurrence: Recurrence | None = None


def validate(draft: Draft) -> None:
    if draft.kind not in KINDS or (draft.kind != "text" and not draft.file_id):
        raise BroadcastInvalid("empty")
    if draft.kind == "text" and not draft.text.strip():
        raise BroadcastInvalid("empty")
    if len(draft.text) > (MAX_TEXT if draft.kind == "text" else MAX_CAPTION):
        raise BroadcastInvalid("too_long")
    if draft.audience.empty:
        raise BroadcastInvalid("no_audience")


@dataclass(frozen=True, slots=True)
class Created:
    broadcast: Broadcast
    run: BroadcastRun | None  # set when sent now
    recipients: int


async def create_broadcast(
    repo: Repo,
    actor: Actor,
    draft: Draft,
    *,
    author_chat_id: int,
    author_locale: str,
    now: datetime,
    tz: tzinfo,
    default_locale: str,
) -> Created:
    """Store a confirmed broadcast. Sent now: its run and every outbox row are
    written in this same transaction (the caller's commit hands them to the sender)."""
    actor.require(Action.BROADCAST, actor.village_id)
    assert actor.village_id is not None
    validate(draft)
    if draft.when is not None and draft.when <= now:
        raise BroadcastInvalid("in_past")
    next_due = draft.when
    if draft.recurrence is not None:
        next_due = draft.recurrence.next_after(now, tz)
    broadcast = Broadcast(
        village_id=actor.village_id,
        author_user_id=actor.user_id,
        author_chat_id=author_chat_id,
        author_locale=author_locale,
        created_at=now,
        kind=draft.kind,
        text=draft.text,
        file_id=draft.file_id,
        audience=draft.audience.to_dict(),
        pin=draft.pin,
        ask_ack=draft.ask_ack,
        status=BroadcastStatus.SCHEDULED if next_due else BroadcastStatus.ACTIVE,
        next_due_at=next_due,
        recurrence=draft.recurrence.to_str() if draft.recurrence else None,
    )
    repo.broadcasts.add(broadcast)
    await repo.session.flush()
    run = None
    count = 0
    if next_due is None:
        run, count = await start_run(
            repo, broadcast, due_at=now, now=now, default_locale=default_locale
        )
        if count == 0:
            raise BroadcastInvalid("no_recipients")
    repo.audit.add(
        "broadcast_created",
        actor_user_id=actor.user_id,
        village_id=actor.village_id,
        details={
            "broadcast_id": broadcast.id,
            "kind": draft.kind,
            "audience": draft.audience.to_dict(),
            "when": next_due.isoformat() if next_due else "now",
            "recurrence": broadcast.recurrence,
            "recipients": count,
        },
    )
    return Created(broadcast, run, count)


async def start_run(
    repo: Repo, broadcast: Broadcast, *, due_at: datetime, now: datetime, default_locale: str
) -> tuple[BroadcastRun, int]:
    """A run of ``broadcast`` with one outbox row per recipient resolved now."""
    recipients = await resolve_audience(
        repo,
        broadcast.village_id,
        Audience.from_dict(broadcast.audience),
        default_locale=default_locale,
    )
    run = BroadcastRun(
        broadcast_id=broadcast.id, due_at=due_at, started_at=now, total=len(recipients)
    )
    repo.broadcasts.add_run(run)
    await repo.session.flush()
    await repo.broadcasts.fill_outbox(run.id, (r.row() for r in recipients), now)
    if not recipients:
        run.status = RunStatus.DONE
        run.finished_at = now
    return run, len(recipients)


@dataclass(frozen=True, slots=True)
class Fired:
    broadcast: Broadcast
    run: BroadcastRun | None  # None: missed
    due_at: datetime


async def fire_due(
    repo: Repo, *, now: datetime, grace: timedelta, tz: tzinfo, default_locale: str
) -> list[Fired]:
    """Every scheduled broadcast due by ``now``: send it (within the grace) or mark
    it missed; a recurring one moves to its next occurrence. The conditional
    advance makes this safe to call from several places at once."""
    fired: list[Fired] = []
    for broadcast in await repo.broadcasts.due(now):
        assert broadcast.next_due_at is not None
        decision = decide_due(
            broadcast.next_due_at, broadcast.recurrence, now=now, grace=grace, tz=tz
        )
        if decision.next_due is not None:
            status = BroadcastStatus.SCHEDULED
        else:
            status = BroadcastStatus.ACTIVE if decision.send else BroadcastStatus.MISSED
        won = await repo.broadcasts.advance(
            broadcast.id,
            expected_due=broadcast.next_due_at,
            next_due=decision.next_due,
            status=status,
        )
        if not won:
            continue
        await repo.session.refresh(broadcast)
        run = None
        if decision.send:
            run, _count = await start_run(
                repo, broadcast, due_at=decision.due_at, now=now, default_locale=default_locale
            )
        repo.audit.add(
            "broadcast_fired" if decision.send else "broadcast_missed",
            actor_user_id=broadcast.author_user_id,
            village_id=broadcast.village_id,
            details={
                "broadcast_id": broadcast.id,
                "due_at": decision.due_at.isoformat(),
                "late_seconds": int((now - decision.due_at).total_seconds()),
                "run_id": run.id if run else None,
            },
        )
        fired.append(Fired(broadcast, run, decision.due_at))
    return fired


async def cancel_broadcast(repo: Repo, actor: Actor, broadcast_id: int) -> Broadcast:
    broadcast = await repo.broadcasts.get(broadcast_id)
    if broadcast is None:
        raise NotFound("broadcast")
    actor.require(Action.BROADCAST, broadcast.village_id)
    if not await repo.broadcasts.cancel(broadcast_id):
        raise BroadcastInvalid("not_cancellable")
    await repo.session.refresh(broadcast)
    repo.audit.add(
        "broadcast_cancelled",
        actor_user_id=actor.user_id,
        village_id=broadcast.village_id,
        details={"broadcast_id": broadcast_id},
    )
    return broadcast
