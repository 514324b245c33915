"""Criteria round 12: the speed-ups change no answer (timings: docs/BENCHMARKS.md)."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.services.criteria import concepts
from bot.services.criteria.text import basic_tokens
from bot.services.vntext import fold

TRAINING = Path(__file__).resolve().parents[1] / "data" / "training"


def every_pattern(folded: str) -> list[tuple[str, str]]:
    """The topic map searched pattern by pattern, without the substring gate."""
    out = []
    for pattern, expansion in concepts.CONCEPTS:
        match = pattern.search(folded)
        if match:
            out.append((match.group(0), expansion))
    return out


def test_the_gate_skips_only_patterns_that_cannot_match() -> None:
    texts = [
        form
        for path in sorted(TRAINING.glob("*.yaml"))
        for item in yaml.safe_load(path.read_text(encoding="utf-8"))
        for form in (fold(item["q"]), " ".join(basic_tokens(item["q"])))
    ]
    assert len(texts) > 2000
    assert [concepts.concept_expansions(t) for t in texts] == [every_pattern(t) for t in texts]
    assert sum(needs is not None for needs, _, _ in concepts._GATED) > len(concepts._GATED) // 2


def test_a_quantifier_makes_the_last_letter_optional() -> None:
    assert concepts._leading_literal("nha ?may") == "nha"
    assert concepts._leading_literal("cong to(?:n)?") == "cong to"
    assert concepts._leading_literal(r"\b[45]g\b") == ""
    assert concepts._alternatives(r"a (?:b|c)|d") == ["a (?:b|c)", "d"]
    assert concepts._needs(r"(?<!do )trom|mat cap") is None
