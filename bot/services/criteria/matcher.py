"""Matching a resident's free question to a criterion.

The design is deliberately general rather than tuned to phrasings:

* text is folded (no diacritics), chat abbreviations are expanded, Telex/VNI leftovers,
  words glued together and typos are corrected against the catalog vocabulary;
* criterion numbers written as digits or words are parsed explicitly;
* a BM25 ranking over unigrams and bigrams of each criterion's name, keywords, summary,
  FAQ and indicators (document frequencies taken over every shipped set) ranks the
  criteria of the commune's set; the share of the query the best criterion explains
  decides between "match", "unsure" and "offtopic".
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace
from typing import Literal

from .analysis import _Analysis
from .blending import blend
from .catalog import Catalog
from .english import english_topics
from .learned import NgramModel, features
from .models import Criterion, Faq
from .names import NameFinder
from .offtopic import GENERIC_WORDS
from .query_text import (
    _CLEAR_RATIO,
    _CLOSE_RATIO,
    _FAQ_MIN,
    _LIST_RE,
    _MATCH_FROM,
    _NEED_WORDS,
    _OFFTOPIC_BELOW,
    _OFFTOPIC_RE,
    _SURE_FROM,
    _WEAK_MATCH_FROM,
    _inside_topic,
    _name_share,
    _offtopic_spans,
    _qualifies_topic,
    _strip_courtesy,
    _strip_speaker,
    _text_terms,
)
from .ranking import MatchResult, _Query, _Ranked, _Ranking, _SetIndex, focused_first
from .reranker import Stage
from .small_talk import closing_only, sharing_only
from .story import asked_part, asks_alone, question_part
from .text import QUESTION_WORDS, STOPWORDS, basic_tokens, find_number_mentions
from .village_sets import named_village_set

__all__ = ["CriteriaIndex", "MatchResult", "blend"]
_MODEL_SURE = 0.5  # model_only: a match from this probability, else the top three offered


class CriteriaIndex(_Ranking, _Analysis):
    """A search index over every set of a :class:`Catalog`.

    The index is a snapshot: build a new one after loading or overriding a set.
    ``extra_faqs`` (``(set_code, number, faq)``) adds answers saved later, e.g. from a
    secretary; :meth:`add_faq` adds one without rebuilding.
    """

    def __init__(
        self,
        catalog: Catalog,
        extra_faqs: Iterable[tuple[str, int, Faq]] = (),
        model: NgramModel | None | Literal["shipped"] = "shipped",
        stage: Stage | None | Literal["shipped"] = "shipped",
    ) -> None:
        self._catalog = catalog
        self._model = NgramModel.load() if model == "shipped" else model
        # The logistic regression and the learned second stage (reranker.py); None: blending.py
        self._stage = Stage.load() if stage == "shipped" else stage
        self._shared_columns = bool(
            self._model and self._stage and self._model.same_vocabulary(self._stage.linear)
        )
        self._accented: set[str] = set()  # words with diacritics seen in the catalogs
        self._df: Counter[str] = Counter()
        self._n_docs = 0
        self._sets: dict[str, _SetIndex] = {}
        self._names: dict[str, NameFinder] = {}
        for criteria_set in catalog.sets():
            self._sets[criteria_set.code] = self._build_set(criteria_set)
            self._names[criteria_set.code] = NameFinder(criteria_set)
        self._refresh_vocabulary()
        for set_code, number, faq in extra_faqs:
            self.add_faq(set_code, number, faq)

    # -- the public question API ---------------------------------------------------
    def ask(self, text: str, set_code: str) -> MatchResult:
        """Find the criterion of set ``set_code`` that ``text`` is about: the rules, with
        the learned model's second opinion where they are unsure."""
        if closing_only(text) or sharing_only(text):
            return MatchResult("offtopic", None, (), 1.0)
        result = self.rules(text, set_code)
        if (
            self._model is None
            or result.kind == "list"
            or (result.kind == "match" and result.score >= 1.0)
        ):
            return result
        words = len(text.split())
        # The models read the question after "tôi hỏi" / "my question is" (story.asked_part).
        text = english_topics(asked_part(text) or text)
        criteria_set = self._sets[set_code].criteria_set
        if self._stage is not None and self._stage.linear.knows(set_code):
            text = self.model_text(text)
            feats = features(text)
            cols = self._model.columns(text, feats)
            nb = self._model.scores(text, set_code, cols=cols)
            shared = cols if self._shared_columns else None
            lr = self._stage.linear.scores(text, set_code, feats, shared)
            return self._stage.ranker.rank(result, nb, lr, criteria_set, text, words)
        return blend(result, self._model.scores(text, set_code), criteria_set, text)

    def model_only(self, text: str, set_code: str) -> MatchResult:
        """The learned model alone, without the rules (for ablation measurements only)."""
        criteria_set = self._sets[set_code].criteria_set
        probs = self._model.scores(english_topics(text), set_code) if self._model else []
        if not probs or probs[0][0] == 0:
            return MatchResult("offtopic", None, (), probs[0][1] if probs else 0.0)
        picks = [criteria_set.criterion(n) for n, _ in probs[:3] if n]
        picks = [c for c in picks if c is not None]
        if probs[0][1] >= _MODEL_SURE:
            return MatchResult("match", picks[0], tuple(picks[1:3]), probs[0][1])
        return MatchResult("unsure", None, tuple(picks), probs[0][1])

    def rules(self, text: str, set_code: str) -> MatchResult:
        """The rules alone (catalog terms, names, numbers, chatter); a long story that
        gives no match as a whole is asked again by its question sentence (story.py)."""
        result = self._rules(text, set_code)
        if result.kind == "list":
            return result
        asked = asked_part(text)
        if asked is not None:
            # "…hạn hán…, vậy tôi hỏi trường mầm non…": what follows "tôi hỏi" is asked; what
            # precedes it is mentioned in passing and only adds choices.
            focused = self._rules(asked, set_code)
            if focused.kind == "match" and result.kind != "list":
                if result.kind == "match" and result.best is focused.best:
                    return result
                return focused_first(focused, result)
        part = question_part(text)
        if result.kind == "match" and asked is None and asks_alone(part):
            # Round 16: "Đường liên thôn mới bê tông hóa, có đèn … Trường mầm non phải có những
            # phòng gì?": the story mentions another criterion's things in passing; its own
            # question sentence (long enough, not pointing back, surer) is what is asked.
            focused = self._rules(part, set_code)
            if (
                focused.kind == "match"
                and focused.best is not result.best
                and focused.score > result.score
                and focused.score >= _SURE_FROM
            ):
                return focused_first(focused, result)
        if result.kind == "match":
            return result
        if part is None:
            return result
        focused = self._rules(part, set_code)
        if focused.kind == "match":
            return focused_first(focused, result)
        if focused.kind == "unsure" and result.kind == "offtopic":
            return focused
        return result

    def _rules(self, text: str, set_code: str) -> MatchResult:
        index = self._sets.get(set_code)
        if index is None:
            raise KeyError(f"unknown criteria set {set_code!r}")
        text = _strip_courtesy(_strip_speaker(english_topics(text)))
        query = self._analyse(text)
        other = self._counterpart_index(set_code)
        ranked = self._ranked(query, index)

        mentions = find_number_mentions(text)
        if mentions:
            result = self._by_number(mentions[0].criterion, query, index, other, ranked)
            if result is not None:
                return result

        named = self._names[set_code].find((query.folded, " ".join(basic_tokens(text))))
        if named is not None:
            related = tuple(
                index.docs[r.doc].criterion
                for r in ranked[:3]
                if index.docs[r.doc].criterion is not named and r.conf >= _MATCH_FROM
            )[:2]
            faq = self._faq_for(query, index, named)
            return MatchResult("match", named, related, 1.0, faq=faq)

        named_other = self._named_other(query, index, other)
        if named_other is not None:
            return self._redirect(named_other, query, index, ranked, score=0.9)

        offtopic = _offtopic_spans(query.folded) or _offtopic_spans(" ".join(basic_tokens(text)))
        if len(offtopic) == 1 and _inside_topic(query.folded, offtopic[0]):
            offtopic = []
        if offtopic:
            asked = query
            # Keep only what is left around the everyday topic; it must stand on its own.
            rest = _OFFTOPIC_RE.sub(" ", " ".join(basic_tokens(text)))
            query = self._analyse(rest)
            ranked = self._ranked(query, index)
            # What is left must name a topic with more than one word, and more than the
            # place where the chatter happens ("xem bóng đá ở nhà văn hóa").
            topic = query.content - GENERIC_WORDS - query.place
            # ... unless one chatter word only qualifies a thing of the topic map named just
            # before it ("cá độ bóng đá có bị bắt không": the betting is asked, not the match).
            named = len(offtopic) == 1 and _qualifies_topic(asked.folded, offtopic[0])
            if named and ranked and ranked[0].conf >= _MATCH_FROM:
                pass
            elif (
                not ranked or ranked[0].conf < _SURE_FROM or not ranked[0].phrase or len(topic) < 2
            ):
                return MatchResult("offtopic", None, (), ranked[0].conf if ranked else 0.0)

        top_conf = ranked[0].conf if ranked else 0.0
        generic_only = not (query.content - GENERIC_WORDS) and not query.oov
        if generic_only and re.search(r"\b(?:tieu chi|chi tieu)\b", query.folded):
            return MatchResult("list", None, (), 1.0)
        if _LIST_RE.search(query.folded):
            residual = query.content - GENERIC_WORDS
            if not residual or top_conf < _MATCH_FROM:
                return MatchResult("list", None, (), 1.0)
        topic_words = query.content - GENERIC_WORDS
        if len(topic_words) == 1 and not query.oov:
            # One word that is a whole keyword of one criterion only ("điện", "rác").
            (word,) = topic_words
            owners = index.solo.get(word, frozenset())
            # ... unless a phrase with a generic word names another one ("môi trường").
            phrased = bool(ranked) and ranked[0].phrase and ranked[0].conf >= _MATCH_FROM
            if len(owners) == 1 and not (phrased and ranked[0].doc not in owners):
                (i,) = owners
                criterion = index.docs[i].criterion
                related = tuple(
                    index.docs[r.doc].criterion
                    for r in ranked[:3]
                    if r.doc != i and r.conf >= _MATCH_FROM
                )[:2]
                faq = self._faq_for(query, index, criterion)
                return MatchResult("match", criterion, related, max(top_conf, _MATCH_FROM), faq=faq)
        if not ranked or top_conf < _OFFTOPIC_BELOW:
            return MatchResult("offtopic", None, (), top_conf)
        best = ranked[0]
        second = ranked[1] if len(ranked) > 1 else None
        close = second is not None and second.conf >= best.conf * _CLOSE_RATIO
        clear = second is None or best.conf >= second.conf * _CLEAR_RATIO
        if close and not best.phrase and best.conf < _SURE_FROM:
            # Only common single syllables matched, spread over several criteria.
            return MatchResult("offtopic", None, (), best.conf)
        weak_ok = clear and best.conf >= _WEAK_MATCH_FROM
        if not close and (best.conf >= _MATCH_FROM or weak_ok):
            related = tuple(
                index.docs[r.doc].criterion for r in ranked[1:3] if r.conf >= best.conf * 0.5
            )
            criterion = index.docs[best.doc].criterion
            return MatchResult("match", criterion, related, min(best.conf, 1.0), faq=best.faq)
        picks = [best, *[r for r in ranked[1:3] if r.conf >= best.conf * 0.5]]
        if len(picks) == 1 and second is not None:
            picks.append(second)
        return MatchResult(
            "unsure", None, tuple(index.docs[r.doc].criterion for r in picks), min(best.conf, 1.0)
        )

    def named_set(self, text: str) -> tuple[str, str] | None:
        """The village-level set a question names, and the question without its name."""
        return named_village_set(self._catalog, text)

    def ask_any(self, text: str, set_code: str, village_sets: Iterable[str] = ()) -> MatchResult:
        """Like :meth:`ask` for a commune following ``set_code``, but a question naming a
        village-level set, or asked in a village that follows one (``village_sets``), is
        answered from that set; ``national`` then names the commune set's criterion on the
        same topic."""
        found = self.named_set(text)
        if found is not None:
            code, rest = found
            if not rest or not (
                set(basic_tokens(rest)) - GENERIC_WORDS - STOPWORDS - QUESTION_WORDS - _NEED_WORDS
            ):
                # "khu dân cư thông minh là gì", "vườn mẫu cần những gì": the whole set.
                return MatchResult("list", None, (), 1.0, set_code=code)
            commune = self.ask(text, set_code)
            national = commune.best if commune.kind == "match" else None
            result = self.ask(rest, code)
            if result.kind == "list":
                return replace(result, set_code=code)
            if result.kind == "offtopic":
                result = self.ask(text, code)
            return replace(result, national=national)
        targets = [
            code
            for code in village_sets
            if code in self._sets and self._sets[code].criteria_set.level != "commune"
        ]
        commune = self.ask(text, set_code)
        if not targets or commune.kind in ("list", "offtopic"):
            return commune
        national = commune.best if commune.kind == "match" else None
        for code in targets:
            result = self.ask(text, code)
            if result.kind == "match":
                return replace(result, national=national)
        return commune

    def with_local_faqs(
        self, result: MatchResult, text: str, set_code: str, faqs: Iterable[tuple[int, Faq]]
    ) -> MatchResult:
        """``result`` answered with one of ``faqs`` (``(number, faq)`` saved by this village or
        commune, never known to the shared index) when the question is close to it."""
        index = self._sets.get(set_code)
        faqs = list(faqs)
        if (
            index is None
            or not faqs
            or (result.best is not None and result.best.set_code != set_code)
        ):
            return result
        query = self._analyse(_strip_courtesy(_strip_speaker(text)))
        q_terms = {t for t in query.terms if t in self._df} - query.place_terms
        if not q_terms:
            return result
        q_weight = sum(self._idf(t) for t in q_terms)
        best, best_item = 0.0, None
        for number, faq in faqs:
            terms = frozenset(_text_terms(faq.question))
            shared = sum(self._idf(t) for t in q_terms & terms)
            if not shared:
                continue
            sim = (
                2.0 * shared / (q_weight + sum(self._idf(t) for t in terms if t in self._df) + 1e-9)
            )
            if sim > best:
                best, best_item = sim, (number, faq)
        if best_item is None:
            return result
        number, faq = best_item
        criterion = index.criteria_set.criterion(number)
        if criterion is None:
            return result
        same = result.best is not None and result.best.number == number
        if best >= 0.6 or (same and best >= _FAQ_MIN):
            related = tuple(
                c for c in (result.best, *result.candidates) if c is not None and c is not criterion
            )[:2]
            return MatchResult(
                "match", criterion, related, max(result.score, best), result.mentioned_other, faq
            )
        return result

    # -- helpers for ask -----------------------------------------------------------
    def _counterpart_index(self, set_code: str) -> _SetIndex | None:
        other = self._catalog.counterpart(set_code) if set_code in self._sets else None
        if other is None:
            return None
        return self._sets.get(other.code)

    def _by_number(
        self,
        number: int,
        query: _Query,
        index: _SetIndex,
        other: _SetIndex | None,
        ranked: list[_Ranked],
    ) -> MatchResult | None:
        own = index.criteria_set.criterion(number)
        theirs = other.criteria_set.criterion(number) if other is not None else None
        if theirs is not None and other is not None:
            their_name = other.name_terms[other.criteria_set.criteria.index(theirs)]
            own_name = (
                index.name_terms[index.criteria_set.criteria.index(own)] if own else frozenset()
            )
            says_theirs = _name_share(their_name, query.content) >= 0.6
            says_own = _name_share(own_name, query.content) >= 0.6
            if own is None or (says_theirs and not says_own):
                return self._redirect(theirs, query, index, ranked, score=1.0)
        if own is None:
            return None
        faq = self._faq_for(query, index, own)
        related = tuple(
            index.docs[r.doc].criterion
            for r in ranked[:3]
            if index.docs[r.doc].criterion.number != number and r.conf >= _MATCH_FROM
        )[:2]
        return MatchResult("match", own, related, 1.0, faq=faq)

    def _faq_for(self, query: _Query, index: _SetIndex, criterion: Criterion) -> Faq | None:
        for doc in index.docs:
            if doc.criterion is criterion:
                sim, faq = self._faq_similarity(query, doc)
                return faq if self._faq_answers(query, faq, sim) else None
        return None

    def _named_other(
        self, query: _Query, index: _SetIndex, other: _SetIndex | None
    ) -> Criterion | None:
        """A criterion of the other national set named by its full name after "tiêu chí"."""
        if other is None:
            return None
        folded = query.folded
        if "tieu chi" not in folded:
            return None
        own_names = index.name_phrases
        for criterion, phrase in zip(other.criteria_set.criteria, other.name_phrases, strict=True):
            if any(phrase in own for own in own_names):
                continue
            if re.search(rf"\btieu chi (?:ve )?{re.escape(phrase)}\b", folded) or (
                len(phrase.split()) >= 4 and re.search(rf"\b{re.escape(phrase)}\b", folded)
            ):
                return criterion
        return None

    def _redirect(
        self,
        theirs: Criterion,
        query: _Query,
        index: _SetIndex,
        ranked: list[_Ranked],
        *,
        score: float,
    ) -> MatchResult:
        """The user named ``theirs`` of the other set: answer with its successor here."""
        successors = [index.criteria_set.criterion(n) for n in theirs.successors]
        successors_found = [c for c in successors if c is not None]
        if not successors_found:
            return MatchResult("unsure", None, (), 0.0, mentioned_other=theirs)
        best = successors_found[0]
        if len(successors_found) > 1 and ranked:
            numbers = {c.number for c in successors_found}
            for r in ranked:
                if index.docs[r.doc].criterion.number in numbers:
                    best = index.docs[r.doc].criterion
                    break
        others = tuple(c for c in successors_found if c is not best)[:2]
        return MatchResult(
            "match",
            best,
            others,
            score,
            mentioned_other=theirs,
            faq=self._faq_for(query, index, best),
        )
