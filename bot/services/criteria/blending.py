"""How the learned model's probabilities change the rules' answer."""

from __future__ import annotations

from dataclasses import replace

from .models import CriteriaSet
from .offtopic import GENERIC_WORDS
from .ranking import MatchResult
from .text import STOPWORDS, basic_tokens

# How the learned model's probabilities change the rules' answer (chosen by k-fold
# cross-validation on the corpus, bench/bench_criteria_kfold.py).
_P_SWITCH = 0.9  # a weak rule match gives way to a model this sure of another criterion
_S_KEEP = 0.2  # ... unless the rules were at least this confident
_P_UNSURE = 0.4  # an unsure answer becomes the model's pick
_P_OFFTOPIC = 0.9  # "not about the criteria" becomes the model's pick
_P_OFFTOPIC_LONG = 0.6  # ... in a long message (chatter is short; a story dilutes the rules)
_LONG_WORDS = 10  # content words of a long message
_CHOICES = 5
_P_RELATED = 0.3  # the model's pick is offered beside a rule match from this probability


def blend(
    result: MatchResult, probs: list[tuple[int, float]], criteria_set: CriteriaSet, text: str = ""
) -> MatchResult:
    """The rules' ``result`` with the model's ``probs`` ((number, p), 0 = chatter).

    A question of one content word ("an toàn") stays unsure: the model only re-orders the
    choices there."""
    if not probs:
        return result
    content = len([t for t in basic_tokens(text) if t not in STOPWORDS and t not in GENERIC_WORDS])
    vague = content < 2
    p_offtopic = _P_OFFTOPIC_LONG if content >= _LONG_WORDS else _P_OFFTOPIC
    top, top_p = probs[0]
    picks = [criteria_set.criterion(n) for n, _ in probs if n != 0]
    picks = [c for c in picks if c is not None]
    chosen = criteria_set.criterion(top) if top else None
    if result.kind == "match" and result.best is not None:
        if result.best.set_code != criteria_set.code:
            return result
        if (
            chosen is not None
            and chosen is not result.best
            and top_p >= _P_SWITCH
            and result.score < _S_KEEP
        ):
            related = (result.best, *(c for c in result.candidates if c is not chosen))[:2]
            return replace(result, best=chosen, candidates=related, faq=None)
        if (
            chosen is not None
            and chosen is not result.best
            and chosen not in result.candidates
            and top_p >= _P_RELATED
        ):
            # Offered as a related criterion: one tap away if the rules were wrong.
            return replace(result, candidates=(*result.candidates[:1], chosen))
        return result
    if result.kind == "unsure":
        if chosen is not None and top_p >= _P_UNSURE and not vague:
            related = tuple(c for c in result.candidates if c is not chosen)[:2]
            return MatchResult("match", chosen, related, result.score, result.mentioned_other)
        merged = list(dict.fromkeys((*result.candidates[:2], *picks[:3], *result.candidates[2:])))[
            :_CHOICES
        ]
        return replace(result, candidates=tuple(merged))
    if result.kind == "offtopic" and chosen is not None and top_p >= p_offtopic and not vague:
        return MatchResult("match", chosen, tuple(picks[1:3]), result.score)
    return result
