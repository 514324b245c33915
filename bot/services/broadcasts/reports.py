"""After sending: a run's report, failure reasons, acknowledgements, the author's list."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.services.authz import Action, Actor
from bot.services.errors import NotFound
from storage.models import (
    Broadcast,
    OutboxStatus,
)
from storage.repo import Repo


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
