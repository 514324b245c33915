"""Immutable data types of the criteria knowledge base."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

LEVELS = ("commune", "village", "garden")


@dataclass(frozen=True)
class Faq:
    """A question as residents ask it, with a short answer."""

    question: str
    answer: str


@dataclass(frozen=True)
class Threshold:
    """The standard of an indicator for one commune group, region, or for all.

    ``key`` is ``"group1"``/``"group2"``/``"group3"`` (2026–2030 commune groups), a region
    name (2021–2025 regions) or ``"all"``. ``confirmed`` is false when the number could not
    be checked against the published document: such numbers must not be shown to residents.
    """

    key: str
    value: str
    confirmed: bool


@dataclass(frozen=True)
class Indicator:
    """An indicator ("chỉ tiêu") inside a criterion, e.g. ``17.1``."""

    code: str
    name: str
    requirement: str
    thresholds: tuple[Threshold, ...]
    source: str
    confirmed: bool

    def shown_thresholds(self) -> tuple[Threshold, ...]:
        """Only the thresholds whose numbers were confirmed (safe to show residents)."""
        return tuple(t for t in self.thresholds if t.confirmed)


@dataclass(frozen=True)
class Criterion:
    """A numbered criterion ("tiêu chí") of one set."""

    set_code: str
    number: int
    name: str
    summary: str
    village_asks: str
    household_asks: str
    keywords: tuple[str, ...]
    faqs: tuple[Faq, ...]
    indicators: tuple[Indicator, ...]
    source: str
    successors: tuple[int, ...]  # numbers of the same topic in the other national set

    @property
    def title(self) -> str:
        """``"Tiêu chí 17 – Môi trường và an toàn thực phẩm"`` (with an en dash)."""
        return f"Tiêu chí {self.number} \u2013 {self.name}"

    def indicator(self, code: str) -> Indicator | None:
        """The indicator with this code (``"17.1"``), if any."""
        for item in self.indicators:
            if item.code == code:
                return item
        return None


@dataclass(frozen=True)
class CriteriaSet:
    """A whole catalog: one published set of criteria."""

    code: str
    name: str
    level: str  # "commune" | "village" | "garden"
    document: str
    valid_from: date
    valid_to: date | None
    province: str | None  # None for a national set
    criteria: tuple[Criterion, ...]
    declared_indicators: int | None = None  # the count the document announces, if known
    notes: str = ""
    _by_number: dict[int, Criterion] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_number", {c.number: c for c in self.criteria})

    def criterion(self, number: int) -> Criterion | None:
        """The criterion with this number, or ``None``."""
        return self._by_number.get(number)

    @property
    def is_national(self) -> bool:
        """True for the national commune sets (no province)."""
        return self.province is None and self.level == "commune"

    def valid_on(self, on: date) -> bool:
        """Whether the set is in force on ``on``."""
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)
