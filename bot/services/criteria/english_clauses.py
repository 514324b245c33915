"""The clause of an English message that asks (criteria round 16)."""

from __future__ import annotations

import re

# Round 16: a message that sets a scene ("last month…", "my uncle…", "since the merger…")
# and then asks ("how many percent of homes need…", "do they have to provide a market?"):
# the clause that asks carries the topic. Sentences end at . ! ? ; : and the asking one is
# the last ending in "?" or, failing that, the last opening with a question word.
_CLAUSE_SPLIT_RE = re.compile(r"(?<=[.!?;:])\s+|\.{2,}\s*|\n+")
_ASK_OPEN_RE = re.compile(
    r"^(?:so |and |but |then |ok |well |now )?(?:what|which|who|how|why|when|where|is|are|"
    r"do|does|did|can|could|should|must|will|would|has|have|was|were|am|aren't|isn't|don't|"
    r"doesn't|i want to know|i'd like to know|i would like to know|my question)\b"
)


def asking_clause(text: str) -> str | None:
    """The last sentence of ``text`` that asks (ends in "?", or opens with a question word),
    when ``text`` has two sentences of three words or more; else None."""
    parts = [p.strip() for p in _CLAUSE_SPLIT_RE.split(text.strip()) if p and p.strip()]
    parts = [p for p in parts if len(p.split()) >= 3]
    if len(parts) < 2:
        return None
    asking = [p for p in parts if p.endswith("?")]
    if not asking:
        asking = [p for p in parts if _ASK_OPEN_RE.search(p.lower())]
    if not asking:
        return None
    return asking[-1]
