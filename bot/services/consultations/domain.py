"""The rules of a consultation that need no database: checking what a secretary
typed, checking a ballot, and counting. Pure functions, plain values."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.services.errors import DomainError
from storage.models import ConsultationKind

MAX_QUESTION = 500
MAX_OPTIONS = 10
MAX_LABEL = 100
MAX_OTHER = 300
OTHER = -1  # the position of "other, typed in" in a vote's choices
SHORTEST = timedelta(minutes=10)
LONGEST = timedelta(days=90)
BULLET = re.compile(r"^\s*(?:[-*•–]|\d{1,2}[.)])\s*")


class ConsultationInvalid(DomainError):
    """``reason``: question_empty | question_long | options_few | options_many | option_long
    | options_same | closes_past | closes_soon | closes_far | closed | choice | other_empty
    | other_long | campaign."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class NotEligible(DomainError):
    """Why this person may not answer: other_village | unverified | not_member
    | need_code | code_unknown | one_household."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def clean_text(text: str) -> str:
    """One line of user text: control characters out, spaces squeezed."""
    text = "".join(" " if unicodedata.category(ch).startswith("C") else ch for ch in text)
    return " ".join(text.split())


def check_question(text: str) -> str:
    question = "\n".join(
        clean_text(line) for line in (text or "").strip().splitlines() if line.strip()
    )
    if not question:
        raise ConsultationInvalid("question_empty")
    if len(question) > MAX_QUESTION:
        raise ConsultationInvalid("question_long")
    return question


def parse_options(text: str) -> list[str]:
    """Options typed one per line (or separated by ";"), bullets and numbers dropped."""
    parts = [p for line in (text or "").splitlines() for p in line.split(";")]
    labels = [clean_text(BULLET.sub("", part)) for part in parts]
    labels = [label for label in labels if label]
    if len(labels) < 2:
        raise ConsultationInvalid("options_few")
    if len(labels) > MAX_OPTIONS:
        raise ConsultationInvalid("options_many")
    if any(len(label) > MAX_LABEL for label in labels):
        raise ConsultationInvalid("option_long")
    if len({label.casefold() for label in labels}) != len(labels):
        raise ConsultationInvalid("options_same")
    return labels


def check_closing(closes_at: datetime, now: datetime) -> datetime:
    if closes_at <= now:
        raise ConsultationInvalid("closes_past")
    if closes_at < now + SHORTEST:
        raise ConsultationInvalid("closes_soon")
    if closes_at > now + LONGEST:
        raise ConsultationInvalid("closes_far")
    return closes_at


def check_choices(
    kind: str, options: int, allow_other: bool, choices: Sequence[int], other_text: str = ""
) -> tuple[list[int], str]:
    """A ballot as the database keeps it: positions in range, sorted, once each;
    ``OTHER`` only where allowed and with its text. Anything else (a forged button)
    is refused."""
    picked = sorted(set(choices))
    valid = all(0 <= c < options or (c == OTHER and allow_other) for c in picked)
    if not picked or not valid or (kind != ConsultationKind.MULTI and len(picked) != 1):
        raise ConsultationInvalid("choice")
    other = clean_text(other_text or "")
    if OTHER in picked:
        if not other:
            raise ConsultationInvalid("other_empty")
        if len(other) > MAX_OTHER:
            raise ConsultationInvalid("other_long")
    else:
        other = ""
    return picked, other


def mask_choices(mask: int, options: int, allow_other: bool) -> list[int]:
    """The positions a multiple-choice button's bit mask names (bit ``options`` is
    "other"); a mask naming anything beyond is refused."""
    limit = options + (1 if allow_other else 0)
    if mask < 0 or mask >= 1 << limit:
        raise ConsultationInvalid("choice")
    picked = [i for i in range(options) if mask >> i & 1]
    if allow_other and mask >> options & 1:
        picked.append(OTHER)
    return picked


@dataclass(frozen=True, slots=True)
class OptionCount:
    label: str
    votes: int
    percent: int  # of those who answered (several choices may add up past 100)


@dataclass(frozen=True, slots=True)
class Ballot:
    """One vote as counted: who (shown only where names are public) and what."""

    name: str
    choices: tuple[int, ...]
    other_text: str
    updated_at: datetime
    changes: int


@dataclass(frozen=True, slots=True)
class Tally:
    options: list[OptionCount]
    other: OptionCount | None  # None when "other" is not offered
    voted: int
    eligible: int
    other_texts: list[str] = field(default_factory=list)

    @property
    def turnout_percent(self) -> int:
        return percent(self.voted, self.eligible)


def percent(part: int, whole: int) -> int:
    """A whole percent, rounded half up; 0 of 0 is 0."""
    return (part * 200 + whole) // (2 * whole) if whole else 0


def tally(
    labels: Sequence[str], other_label: str | None, ballots: Sequence[Ballot], eligible: int
) -> Tally:
    """Counts per option from the ballots standing (one per voter already)."""
    counts = [0] * len(labels)
    others = 0
    texts: list[str] = []
    for ballot in ballots:
        for choice in ballot.choices:
            if 0 <= choice < len(counts):
                counts[choice] += 1
            elif choice == OTHER:
                others += 1
                if ballot.other_text:
                    texts.append(ballot.other_text)
    voted = len(ballots)
    return Tally(
        options=[
            OptionCount(label, count, percent(count, voted))
            for label, count in zip(labels, counts, strict=True)
        ],
        other=OptionCount(other_label, others, percent(others, voted))
        if other_label is not None
        else None,
        voted=voted,
        eligible=max(eligible, voted),
        other_texts=texts,
    )


def plain_label(text: str) -> str:
    """Text for a chart or a PDF drawn with a plain font: emoji and other symbols
    out (the font has no glyph for them)."""
    kept = "".join(
        ch
        for ch in text
        if ord(ch) <= 0xFFFF
        and unicodedata.category(ch) not in ("So", "Cs", "Co", "Cf")
        and not 0xFE00 <= ord(ch) <= 0xFE0F  # emoji presentation selectors
    )
    return " ".join(kept.split())
