"""Zalo's monthly quota, as the operator knows it from their plan (``ZALO_MONTHLY_QUOTA``;
Zalo publishes none and answers 429 "Quota exceeded" when it runs out).

Near the quota (all but ``ZALO_QUOTA_RESERVE`` percent used), what people wait for goes
first: replies and reminders are still sent, and bulk (announcements, boards, reports:
``Priority.BULK``) waits. A held message is not dropped: the sender is told to try it
again in :data:`HOLD_SECONDS` (a retry that does not count as a failure), and when the
quota is raised (a restart with a bigger ``ZALO_MONTHLY_QUOTA``) or a new month begins,
the held messages are released at once. Operators are told once a month, by a message
to ``BOT_ADMINS`` and in ``villagebot status``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from bot.delivery.contract import Priority

HOLD_SECONDS = 900.0
HELD = "Zalo: near the monthly quota; bulk waits"


def this_month() -> str:
    return datetime.now(UTC).strftime("%Y-%m")


@dataclass
class QuotaGuard:
    quota: int = 0  # 0: not known, nothing is held back (429s still pause Zalo)
    reserve_percent: int = 10
    month: str = ""
    sent: int = 0  # messages sent on Zalo this month (stored and not yet stored)
    told: str = ""  # the month the operators were told

    @property
    def threshold(self) -> int:
        """From this many messages sent a month, bulk waits."""
        return self.quota - self.quota * self.reserve_percent // 100

    def _roll(self) -> None:
        month = this_month()
        if month != self.month:
            self.month, self.sent = month, 0

    def count(self, sent: int = 1) -> None:
        self._roll()
        self.sent += sent

    def known(self, month: str, sent: int) -> None:
        """The month's total as stored (every process adds its own sends there)."""
        self._roll()
        if month == self.month:
            self.sent = max(self.sent, sent)

    @property
    def near(self) -> bool:
        self._roll()
        return self.quota > 0 and self.sent >= self.threshold

    def holds(self, priority: int | None) -> bool:
        """Whether a message of this priority waits now (unknown priority: a reply)."""
        return priority is not None and priority >= Priority.BULK and self.near

    def should_tell(self) -> bool:
        """True once a month, when the quota is first near."""
        if self.near and self.told != self.month:
            self.told = self.month
            return True
        return False
