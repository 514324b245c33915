"""Fair shares: how much of the bot one person, one group or one chat may use.

Checked at the door (:meth:`bot.inbox.Inbox.store`), before any handler, session or
reply; the excess is stored as dropped (a redelivery is still recognised) and costs
nothing more. Pure logic with an injected clock: no aiogram, no database.

* **A person** (their Telegram user id) has FAIR_LIMIT messages a minute, FAIR_BURST at
  once, counted across every chat: in private, and addressed to the bot in groups. Past
  it, a message gets one polite "slow down" per episode.
* **Their button presses** have a share of their own, PRESS_LIMIT a minute and
  PRESS_BURST at once (a wizard is a quick run of presses); every press past it is
  answered with a short "you are pressing too fast" and not handled.
* **A group** has GROUP_SHARE answers a minute, GROUP_BURST at once (Telegram lets a bot
  post 20 messages a minute in a group, and announcements need some of them).
* **A person in a group** gets at most one answer a minute to a mention of the bot there
  (a reply to the bot's answer, a follow-up, and commands count only toward the shares above).
* A group message addressed to the bot past any of these, or while the bot's own
  sending limit in that group is used up (by announcements, say), is not answered: it is counted,
  and the group gets one summary ("received 12 questions, please message me privately")
  at most once a minute, a few seconds after the first one it counts; nothing is queued.

The numbers are in README ("Fair shares").
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable
from dataclasses import dataclass

# A person typing normally sends a few messages a minute; the sustained rate stays
# well below Telegram's ~1 message/s per private chat and the burst close to its own.
FAIR_LIMIT, FAIR_WINDOW, FAIR_BURST = 20, 60.0, 6
PRESS_LIMIT, PRESS_BURST = 60, 20  # button presses a minute, and at once
GROUP_SHARE, GROUP_BURST = 10, 5  # answers a minute in one group, and at once
PER_USER_IN_GROUP = 60.0  # seconds between two answers to the same person in a group
SUMMARY_EVERY, SUMMARY_AFTER = 60.0, 5.0  # a group's summary: at most once a minute, 5 s after the first

Monotonic = Callable[[], float]


class FairShare:
    """A token bucket per key (pure logic, clock injected): ``limit`` per ``window``,
    at most ``burst`` at once."""

    def __init__(
        self,
        limit: int = FAIR_LIMIT,
        window: float = FAIR_WINDOW,
        burst: int = FAIR_BURST,
        clock: Monotonic | None = None,
    ) -> None:
        self.rate = limit / window
        self.burst = float(min(burst, limit))
        self.clock = clock or time.monotonic
        self._buckets: dict[object, tuple[float, float]] = {}  # key -> (tokens, at)
        self._warned: set[object] = set()

    def available(self, key: object) -> bool:
        tokens, at = self._buckets.get(key, (self.burst, self.clock()))
        return min(self.burst, tokens + (self.clock() - at) * self.rate) >= 1.0

    def take(self, key: object) -> None:
        now = self.clock()
        tokens, at = self._buckets.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - at) * self.rate)
        self._buckets[key] = (tokens - 1.0, now)
        self._warned.discard(key)
        if len(self._buckets) > 10_000:  # forget keys whose bucket is full again
            full = (self.burst - 1.0) / self.rate
            for old in [k for k, (_, t) in self._buckets.items() if now - t > full]:
                self._buckets.pop(old, None)

    def check(self, key: object) -> str:
        """"ok" (taken), "warn" (the first one over the share) or "drop"."""
        if self.available(key):
            self.take(key)
            return "ok"
        if key in self._warned:
            return "drop"
        self._warned.add(key)
        return "warn"


class Verdict(enum.StrEnum):
    OK = "ok"  # handle it
    WARN = "warn"  # handle it: the middleware tells the sender to slow down, nothing else
    DROP = "drop"  # stored as dropped, nothing said
    ALERT = "alert"  # a button press over the share: dropped, answered "too fast"
    QUIET = "quiet"  # a group message not answered: dropped, counted for the summary


@dataclass(frozen=True, slots=True)
class Traffic:
    """What the gate needs of an update, in plain values."""

    kind: str  # "message", "callback" or "other"
    user_id: int | None
    chat_id: int | None
    group: bool = False
    addressed: bool = False  # in a group: mentions the bot, replies to it, or a command
    command: bool = False
    mention: bool = False  # in a group: names the bot (@villagebot); a reply to it does not
    group_full: bool = False  # the bot's own sending limit in this group is used up for now


@dataclass(slots=True)
class _Pending:
    count: int = 0
    scheduled: bool = False


class FairGate:
    """Every kind of traffic against the shares above."""

    def __init__(
        self,
        users: FairShare | None = None,
        groups: FairShare | None = None,
        presses: FairShare | None = None,
        *,
        per_user_in_group: float = PER_USER_IN_GROUP,
        clock: Monotonic | None = None,
    ) -> None:
        self.clock = clock or (users.clock if users is not None else time.monotonic)
        self.users = users or FairShare(clock=self.clock)
        self.groups = groups or FairShare(GROUP_SHARE, 60.0, GROUP_BURST, clock=self.clock)
        self.presses = presses or FairShare(PRESS_LIMIT, 60.0, PRESS_BURST, clock=self.clock)
        self.per_user_in_group = per_user_in_group
        self._last_answer: dict[tuple[int, int], float] = {}
        self._pending: dict[int, _Pending] = {}
        self._last_summary: dict[int, float] = {}

    def check(self, traffic: Traffic) -> Verdict:
        if traffic.user_id is None or traffic.kind == "other":
            return Verdict.OK
        user = ("u", traffic.user_id)
        if traffic.kind == "callback":
            if self.presses.available(user):
                self.presses.take(user)
                return Verdict.OK
            return Verdict.ALERT
        if not traffic.group:
            return Verdict(self.users.check(user))
        if not traffic.addressed or traffic.chat_id is None:
            return Verdict.OK  # the group's own conversation: the bot stays out of it
        group, now = traffic.chat_id, self.clock()
        pair = (group, traffic.user_id)
        recent = now - self._last_answer.get(pair, float("-inf")) < self.per_user_in_group
        if (
            traffic.group_full
            or (recent and traffic.mention)
            or not self.groups.available(("g", group))
            or not self.users.available(user)
        ):
            self._pending.setdefault(group, _Pending()).count += 1
            return Verdict.QUIET
        self.groups.take(("g", group))
        self.users.take(user)
        if traffic.mention:
            self._last_answer[pair] = now
        if len(self._last_answer) > 10_000:
            for key in [k for k, t in self._last_answer.items() if now - t > self.per_user_in_group]:
                self._last_answer.pop(key, None)
        return Verdict.OK

    def summary_due(self, group: int) -> float | None:
        """Seconds until the group's summary should go (None: none to schedule now).
        The caller waits that long, then calls :meth:`take_summary`."""
        pending = self._pending.get(group)
        if pending is None or pending.scheduled or pending.count == 0:
            return None
        pending.scheduled = True
        earliest = self._last_summary.get(group, float("-inf")) + SUMMARY_EVERY
        return max(SUMMARY_AFTER, earliest - self.clock())

    def take_summary(self, group: int) -> int:
        """How many addressed messages went unanswered since the last summary."""
        pending = self._pending.pop(group, None)
        self._last_summary[group] = self.clock()
        return pending.count if pending is not None else 0
