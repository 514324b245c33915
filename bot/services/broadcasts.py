"""Broadcasts: validation, audience, schedules and recurrence, firing a due broadcast
into the outbox, reports and acknowledgements. No aiogram here."""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import Any

from bot.services.authz import Action, Actor
from bot.services.errors import BroadcastInvalid, NotFound
from storage.models import (
    Broadcast,
    BroadcastRun,
    BroadcastStatus,
    OutboxStatus,
    RunStatus,
)
from storage.repo import Repo

MAX_TEXT = 3900  # Telegram's 4096 minus the header and some room for escaping
MAX_CAPTION = 900  # 1024 minus the header
KINDS = ("text", "photo", "document")
_WHEN = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s+(\d{1,2})[:hH.](\d{2})\s*$")
_TIME = re.compile(r"^\s*(\d{1,2})[:hH.](\d{2})\s*$")


# ------------------------------------------------------------------ recurrence


@dataclass(frozen=True, slots=True)
class Recurrence:
    """Weekly (``day`` = weekday, Monday 0 .. Sunday 6) or monthly (``day`` = 1..31;
    a month without that day uses its last day) at ``hour:minute`` local time."""

    kind: str  # "weekly" | "monthly"
    day: int
    hour: int
    minute: int

    def __post_init__(self) -> None:
        valid_day = 0 <= self.day <= 6 if self.kind == "weekly" else 1 <= self.day <= 31
        if self.kind not in ("weekly", "monthly") or not valid_day:
            raise BroadcastInvalid("bad_recurrence")
        if not (0 <= self.hour <= 23 and 0 <= self.minute <= 59):
            raise BroadcastInvalid("bad_recurrence")

    def to_str(self) -> str:
        return f"{self.kind}:{self.day}:{self.hour:02d}:{self.minute:02d}"

    @classmethod
    def parse(cls, value: str) -> Recurrence:
        try:
            kind, day, hour, minute = value.split(":")
            return cls(kind, int(day), int(hour), int(minute))
        except ValueError:
            raise BroadcastInvalid("bad_recurrence") from None

    def _on(self, year: int, month: int, tz: tzinfo) -> datetime:
        day = min(self.day, calendar.monthrange(year, month)[1])
        return datetime(year, month, day, self.hour, self.minute, tzinfo=tz)

    def next_after(self, after: datetime, tz: tzinfo) -> datetime:
        """The first occurrence strictly after ``after`` (aware), as an aware datetime in ``tz``."""
        local = after.astimezone(tz)
        if self.kind == "weekly":
            candidate = datetime(
                local.year, local.month, local.day, self.hour, self.minute, tzinfo=tz
            ) + timedelta(days=(self.day - local.weekday()) % 7)
            if candidate <= local:
                candidate += timedelta(days=7)
            return candidate
        year, month = local.year, local.month
        while True:
            candidate = self._on(year, month, tz)
            if candidate > local:
                return candidate
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)

    def latest_at_or_before(self, moment: datetime, tz: tzinfo) -> datetime:
        """The last occurrence at or before ``moment``."""
        local = moment.astimezone(tz)
        if self.kind == "weekly":
            candidate = datetime(
                local.year, local.month, local.day, self.hour, self.minute, tzinfo=tz
            ) - timedelta(days=(local.weekday() - self.day) % 7)
            if candidate > local:
                candidate -= timedelta(days=7)
            return candidate
        year, month = local.year, local.month
        while True:
            candidate = self._on(year, month, tz)
            if candidate <= local:
                return candidate
            year, month = (year - 1, 12) if month == 1 else (year, month - 1)


def parse_when(text: str, tz: tzinfo, now: datetime) -> datetime:
    """``dd/mm/yyyy HH:mm`` in ``tz`` -> an aware datetime, which must be in the future."""
    match = _WHEN.match(text or "")
    if match is None:
        raise BroadcastInvalid("bad_datetime")
    day, month, year, hour, minute = (int(g) for g in match.groups())
    try:
        when = datetime(year, month, day, hour, minute, tzinfo=tz)
    except ValueError:
        raise BroadcastInvalid("bad_datetime") from None
    if when <= now:
        raise BroadcastInvalid("in_past")
    return when


def parse_time(text: str) -> tuple[int, int]:
    match = _TIME.match(text or "")
    if match is None:
        raise BroadcastInvalid("bad_datetime")
    hour, minute = int(match.group(1)), int(match.group(2))
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise BroadcastInvalid("bad_datetime")
    return hour, minute


@dataclass(frozen=True, slots=True)
class DueDecision:
    """What to do with a scheduled broadcast found due: send the occurrence
    ``due_at`` or report it missed; then wait for ``next_due`` (None: finished)."""

    send: bool
    due_at: datetime
    next_due: datetime | None


def decide_due(
    next_due_at: datetime, recurrence: str | None, *, now: datetime, grace: timedelta, tz: tzinfo
) -> DueDecision:
    """A broadcast late by less than ``grace`` is sent; a later one is missed. A
    recurring one sends (or misses) only its latest occurrence, never several."""
    due = next_due_at
    next_due: datetime | None = None
    if recurrence:
        rule = Recurrence.parse(recurrence)
        due = max(due, rule.latest_at_or_before(now, tz))
        next_due = rule.next_after(max(now, due), tz)
    return DueDecision(send=now - due <= grace, due_at=due, next_due=next_due)


# -------------------------------------------------------------------- audience


@dataclass(frozen=True, slots=True)
class Audience:
    """Group chats (all of the village's, or chosen chat row ids), the branch's
    members and the village's residents who use the bot."""

    all_groups: bool = False
    group_ids: tuple[int, ...] = ()
    members: bool = False
    residents: bool = False

    @property
    def empty(self) -> bool:
        return not (self.all_groups or self.group_ids or self.members or self.residents)

    def to_dict(self) -> dict[str, Any]:
        return {
            "all_groups": self.all_groups,
            "group_ids": list(self.group_ids),
            "members": self.members,
            "residents": self.residents,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Audience:
        return cls(
            all_groups=bool(data.get("all_groups")),
            group_ids=tuple(int(i) for i in data.get("group_ids") or ()),
            members=bool(data.get("members")),
            residents=bool(data.get("residents")),
        )


@dataclass(frozen=True, slots=True)
class Recipient:
    target: str  # unique within a run: "c<chat row id>" or "u<user id>"
    chat_id: int
    locale: str
    user_id: int | None = None
    group_id: int | None = None
    name: str = ""

    def row(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "chat_id": self.chat_id,
            "locale": self.locale,
            "user_id": self.user_id,
            "group_id": self.group_id,
        }


@dataclass(frozen=True, slots=True)
class AudienceCount:
    groups: int
    members: int
    residents: int
    total: int


async def resolve_audience(
    repo: Repo, village_id: int, audience: Audience, *, default_locale: str
) -> list[Recipient]:
    """Everyone the audience reaches now, each chat once. Only the village's own,
    active groups: chosen ids of another village's groups are ignored."""
    recipients: list[Recipient] = []
    if audience.all_groups or audience.group_ids:
        chosen = set(audience.group_ids)
        for chat in await repo.chats.of_village(village_id, active_only=True):
            if audience.all_groups or chat.id in chosen:
                recipients.append(
                    Recipient(f"c{chat.id}", chat.platform_chat_id, default_locale, group_id=chat.id, name=chat.title)
                )
    people: dict[int, Recipient] = {}
    if audience.members:
        for member in await repo.members.of_village(village_id):
            if member.user_id is None:
                continue
            user = await repo.users.get(member.user_id)
            if user is not None and user.reachable:
                people[user.id] = _person(user, default_locale)
    if audience.residents:
        for user in await repo.users.in_village(village_id):
            if user.reachable and user.id not in people:
                people[user.id] = _person(user, default_locale)
    recipients.extend(people[k] for k in sorted(people))
    return recipients


def _person(user: Any, default_locale: str) -> Recipient:
    return Recipient(
        f"u{user.id}", user.platform_user_id, user.language or default_locale, user_id=user.id, name=user.full_name
    )


def count_audience(recipients: Sequence[Recipient], audience: Audience) -> AudienceCount:
    groups = sum(1 for r in recipients if r.group_id is not None)
    private = len(recipients) - groups
    return AudienceCount(
        groups=groups,
        members=private if audience.members else 0,
        residents=private if audience.residents and not audience.members else 0,
        total=len(recipients),
    )


# ----------------------------------------------------------------- composing


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
        run, count = await start_run(repo, broadcast, due_at=now, now=now, default_locale=default_locale)
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
        repo, broadcast.village_id, Audience.from_dict(broadcast.audience), default_locale=default_locale
    )
    run = BroadcastRun(broadcast_id=broadcast.id, due_at=due_at, started_at=now, total=len(recipients))
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
        decision = decide_due(broadcast.next_due_at, broadcast.recurrence, now=now, grace=grace, tz=tz)
        if decision.next_due is not None:
            status = BroadcastStatus.SCHEDULED
        else:
            status = BroadcastStatus.ACTIVE if decision.send else BroadcastStatus.MISSED
        won = await repo.broadcasts.advance(
            broadcast.id, expected_due=broadcast.next_due_at, next_due=decision.next_due, status=status
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


# ------------------------------------------------------------------- reports


@dataclass(frozen=True, slots=True)
class RunReport:
    run_id: int
    total: int
    sent: int
    failed: int
    waiting: int
    acknowledged: int
    failures: dict[str, int] = field(default_factory=dict)
    resent_after_crash: int = 0
    not_pinned: int = 0  # groups that got it but where pinning failed (the bot is no admin)

    @property
    def finished(self) -> bool:
        return self.waiting == 0


def failure_reason(error: str | None) -> str:
    """A failure's category for the report: blocked, kicked, gone, error."""
    text = (error or "").lower()
    if "blocked" in text or "deactivated" in text:
        return "blocked"
    if "kicked" in text or "not a member" in text or "can't initiate" in text:
        return "kicked" if "kicked" in text or "not a member" in text else "not_started"
    if "chat not found" in text:
        return "gone"
    return "error"


async def run_report(repo: Repo, run_id: int) -> RunReport:
    counts = await repo.broadcasts.counts(run_id)
    failures: dict[str, int] = {}
    for error, count in (await repo.broadcasts.failures(run_id)).items():
        reason = failure_reason(error)
        failures[reason] = failures.get(reason, 0) + count
    total = sum(counts.values())
    sent = counts.get(OutboxStatus.SENT, 0)
    failed = counts.get(OutboxStatus.FAILED, 0) + counts.get(OutboxStatus.SKIPPED, 0)
    return RunReport(
        run_id=run_id,
        total=total,
        sent=sent,
        failed=failed,
        waiting=total - sent - failed,
        acknowledged=await repo.broadcasts.ack_count(run_id),
        failures=failures,
        not_pinned=await not_pinned_count(repo, run_id),
    )


async def not_pinned_count(repo: Repo, run_id: int) -> int:
    """Delivered group messages whose pin failed (the bot is no admin there)."""
    return await repo.broadcasts.not_pinned_count(run_id)


async def may_acknowledge(repo: Repo, run_id: int, *, chat_id: int, message_id: int | None) -> bool:
    """Whether a "Đã nắm" pressed on message ``message_id`` in ``chat_id`` may count.

    Only for a run that asked for acknowledgements, and only from a chat the run was
    delivered to (a private recipient, or a member pressing in a target group): a forged
    button with another run's id, pressed anywhere else, counts nothing (issue 8)."""
    run = await repo.broadcasts.run(run_id)
    if run is None:
        return False
    broadcast = await repo.broadcasts.get(run.broadcast_id)
    if broadcast is None or not broadcast.ask_ack:
        return False
    delivered = await repo.broadcasts.delivered_message_ids(run_id, chat_id)
    return any(sent is None or message_id is None or sent == message_id for sent in delivered)


async def record_ack(
    repo: Repo,
    run_id: int,
    *,
    platform_user_id: int,
    user_id: int | None,
    name: str,
    chat_id: int,
    message_id: int | None = None,
) -> bool | None:
    """Count one "Đã nắm" per person and run: True counted, False a repeated press,
    None refused (unknown run, no acknowledgement asked, or not a recipient)."""
    if not await may_acknowledge(repo, run_id, chat_id=chat_id, message_id=message_id):
        return None
    return await repo.broadcasts.add_ack(run_id, platform_user_id, user_id, name)


async def list_broadcasts(repo: Repo, actor: Actor, limit: int = 10) -> Sequence[Broadcast]:
    actor.require(Action.BROADCAST, actor.village_id)
    assert actor.village_id is not None
    return await repo.broadcasts.of_village(actor.village_id, limit)


async def broadcast_for(repo: Repo, actor: Actor, broadcast_id: int) -> Broadcast:
    broadcast = await repo.broadcasts.get(broadcast_id)
    if broadcast is None:
        raise NotFound("broadcast")
    actor.require(Action.BROADCAST, broadcast.village_id)
    return broadcast
