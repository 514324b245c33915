"""Telling the secretary that residents asked the branch: batched, at most once per ten
minutes per village (issue 8: questions waited unseen).

What can go wrong, and why the design holds:
- A resident sends ten questions in a minute: the secretary must get one notice, not ten.
  Questions are grouped by the ten-minute window (in UTC) in which they reached the
  inbox; one delivery per window, village and recipient, whose dedupe key makes every
  later planner run over the same window a no-op.
- The planner runs every two minutes and may run late, or twice: a window is noticed
  only after it has ended, and the dedupe key is derived from the window alone, so the
  notice for a window is the same row whichever run enqueues it.
- The questions are answered before the notice goes out: the renderer reads them again
  at send time and renders nothing (the row is skipped) when none of the window's
  questions is still open.
- A question belongs to exactly one window, so it is announced once; the notice also
  says how many are waiting in all, so nothing older is forgotten.
- Quiet hours hold notices until the morning, when several windows' notices would go
  out together: a notice renders to nothing when a later ended window of the same
  village also has open questions (its notice counts them all).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.delivery.contract import (
    Delivery,
    KindSpec,
    OutgoingMessage,
    PlanContext,
    PlannerSpec,
    Priority,
    Recipient,
    RenderContext,
)
from bot.services.authz import PERMISSIONS, Action
from bot.services.markup import esc

KIND = "questions.notice"
WINDOW = timedelta(minutes=10)
SNIPPETS = 3
SNIPPET_CHARS = 120


def window_start(moment: datetime) -> datetime:
    """The start of the ten-minute window (UTC) that holds ``moment``."""
    moment = moment.astimezone(UTC)
    return moment.replace(minute=moment.minute - moment.minute % 10, second=0, microsecond=0)


def dedupe_key(village_id: int, user_id: int, start: datetime) -> str:
    return f"{KIND}:v{village_id}:u{user_id}:{start.astimezone(UTC):%Y%m%dT%H%M}"


async def plan_question_notices(ctx: PlanContext) -> None:
    """Enqueue one notice per village and answering member for the last ended window."""
    end = window_start(ctx.now)
    start = end - WINDOW
    by_village: dict[int, int] = defaultdict(int)
    for question in await ctx.repo.criteria.open_questions_forwarded(start, end):
        if question.village_id is not None:
            by_village[question.village_id] += 1
    answering = PERMISSIONS[Action.ANSWER_QUESTIONS]
    for village_id in sorted(by_village):
        for member in await ctx.repo.members.of_village(village_id):
            if member.user_id is None or member.role not in answering:
                continue
            await ctx.enqueue(
                Delivery(
                    kind=KIND,
                    recipient=Recipient(user_id=member.user_id),
                    ref=f"village:{village_id}",
                    dedupe_key=dedupe_key(village_id, member.user_id, start),
                    not_before=ctx.now,
                    priority=Priority.NOTICE,
                    payload={
                        "village_id": village_id,
                        "start": start.isoformat(),
                        "end": end.isoformat(),
                    },
                )
            )


def _snippet(text: str) -> str:
    text = " ".join(text.split())
    return esc(text if len(text) <= SNIPPET_CHARS else text[: SNIPPET_CHARS - 1] + "…")


async def render_question_notice(
    ctx: RenderContext, payload: Mapping[str, Any]
) -> OutgoingMessage | None:
    """The notice, or None when every question of its window was answered meanwhile."""
    _ = ctx.gettext
    village_id = int(payload["village_id"])
    start = datetime.fromisoformat(payload["start"])
    end = datetime.fromisoformat(payload["end"])
    fresh = [
        q
        for q in await ctx.repo.criteria.open_questions_forwarded(start, end)
        if q.village_id == village_id
    ]
    if not fresh:
        return None
    later = await ctx.repo.criteria.open_questions_forwarded(end, window_start(ctx.now))
    if any(q.village_id == village_id for q in later):
        # Held back (quiet hours, an outage) until a later window also ended: that
        # window's notice carries the total, so the secretary gets one, not a pile.
        return None
    waiting = await ctx.repo.criteria.count_open_questions(village_id)
    lines = [
        _(
            "📥 Residents sent {count} new question(s) to the branch; {waiting} in all are waiting for an answer."
        ).format(count=len(fresh), waiting=waiting)
    ]
    lines.extend(f"• {_snippet(q.text)}" for q in fresh[:SNIPPETS])
    if len(fresh) > SNIPPETS:
        lines.append(_("… and {more} more.").format(more=len(fresh) - SNIPPETS))
    lines.append(_("Send /cauhoi to answer them."))
    return OutgoingMessage(text="\n".join(lines))


def delivery_kinds() -> list[KindSpec]:
    """Registered with the delivery engine at start-up. A notice may wait for the
    morning: quiet hours apply."""
    return [KindSpec(kind=KIND, renderer=render_question_notice)]


def planners() -> list[PlannerSpec]:
    return [PlannerSpec(name=KIND, planner=plan_question_notices, every=timedelta(minutes=2))]
