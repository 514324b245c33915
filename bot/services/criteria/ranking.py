"""What the matcher builds and returns: the result, the per-set BM25 index (documents,
postings, document frequencies over every set) and the ranking of a query against it."""

from __future__ import annotations

import math
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache

from .models import CriteriaSet, Criterion, Faq
from .query_text import (
    _B,
    _EXPLAINED_SHARE,
    _FAQ_SHOW,
    _FRAME_WORDS,
    _GENERIC_WEIGHT,
    _K1,
    _MIN_INFORMATION,
    _NUMBER_WORDS,
    _OTHER_WORD_WEIGHT,
    _PHRASE_MAX_DF,
    _SINGLE_WORD_PENALTY,
    _W_FAQ_A,
    _W_FAQ_Q,
    _W_INDICATOR,
    _W_KEYWORD,
    _W_NAME,
    _W_REQUIREMENT,
    _W_TEXT,
    _WORD_RE,
    Kind,
    _accented_words,
    _content_words,
    _text_terms,
    asks_number,
    fold,
)
from .text import (
    ABBREVIATIONS,
    STOPWORDS,
    basic_tokens,
)


@dataclass(frozen=True)
class MatchResult:
    """What :meth:`CriteriaIndex.ask` understood.

    ``kind`` is "match" (``best`` is the criterion; ``candidates`` are related ones),
    "unsure" (``candidates`` holds the 2–3 closest), "offtopic" (not about the
    criteria) or "list" (the user asked for the whole list). ``mentioned_other`` is set
    when the user named a criterion of the other national set; ``best`` is then where
    its topic stands in the commune's set. ``faq`` is the closest FAQ entry of ``best``.
    """

    kind: Kind
    best: Criterion | None
    candidates: tuple[Criterion, ...]
    score: float
    mentioned_other: Criterion | None = None
    faq: Faq | None = None
    national: Criterion | None = None  # the commune set's criterion on the same topic
    set_code: str | None = None  # for "list": a village-level set the question named


@dataclass
class _Doc:
    criterion: Criterion
    tf: Counter[str] = field(default_factory=Counter)
    length: float = 0.0
    faqs: list[Faq] = field(default_factory=list)
    faq_terms: list[frozenset[str]] = field(default_factory=list)
    forms: dict[str, set[str]] = field(default_factory=dict)  # folded word -> accented forms


@dataclass(frozen=True)
class _Ranked:
    conf: float  # share of the query this criterion explains, 0..1
    doc: int
    faq: Faq | None
    phrase: bool  # matched at least one multi-word term


@dataclass
class _SetIndex:
    criteria_set: CriteriaSet
    docs: list[_Doc]
    postings: dict[str, dict[int, float]]
    avg_length: float
    name_terms: list[frozenset[str]]  # content unigrams of each criterion name
    name_phrases: list[str]  # folded name of each criterion
    generic: frozenset[str] = frozenset()  # words of the set's own name: say nothing here
    solo: dict[str, frozenset[int]] = field(default_factory=dict)  # one-word keyword -> docs


@dataclass(frozen=True)
class _Query:
    terms: dict[str, float]  # term -> query weight
    oov: tuple[str, ...]  # content words unknown to the catalog
    content: frozenset[str]  # content unigrams after correction
    folded: str  # folded text after corrections
    extra: dict[str, float] = field(default_factory=dict)  # terms added by the topic map
    accents: dict[str, str] = field(default_factory=dict)  # folded -> word as typed with marks
    explained: frozenset[str] = frozenset()  # typed terms inside a topic-map match
    place: frozenset[str] = frozenset()  # words of a place named after "ở"/"tại"/"ven"
    place_terms: frozenset[str] = frozenset()  # terms made only of the place's words


def _topic_terms(terms: Iterable[str]) -> frozenset[str]:
    """``terms`` without those made only of a number question's frame words."""
    return frozenset(t for t in terms if not all(p in _FRAME_WORDS for p in t.split("_")))


class _Ranking:
    """Building the per-set indexes and ranking a query against one (mixed into
    :class:`~bot.services.criteria.matcher.CriteriaIndex`)."""

    # -- building ------------------------------------------------------------------
    def _build_set(self, criteria_set: CriteriaSet) -> _SetIndex:
        docs: list[_Doc] = []
        for criterion in criteria_set.criteria:
            doc = _Doc(criterion)
            self._add_text(doc, criterion.name, _W_NAME)
            for keyword in criterion.keywords:
                self._add_text(doc, keyword, _W_KEYWORD)
            for text in (criterion.summary, criterion.village_asks, criterion.household_asks):
                self._add_text(doc, text, _W_TEXT)
            for indicator in criterion.indicators:
                self._add_text(doc, indicator.name, _W_INDICATOR)
                self._add_text(doc, indicator.requirement, _W_REQUIREMENT)
            for faq in criterion.faqs:
                self._add_faq_to_doc(doc, faq)
            docs.append(doc)
        for doc in docs:
            self._df.update(doc.tf.keys())
        self._n_docs += len(docs)
        postings: dict[str, dict[int, float]] = {}
        for i, doc in enumerate(docs):
            for term, tf in doc.tf.items():
                postings.setdefault(term, {})[i] = tf
        avg = sum(d.length for d in docs) / max(len(docs), 1)
        name_terms = [frozenset(_content_words(c.name)) for c in criteria_set.criteria]
        phrases = [" ".join(basic_tokens(c.name)) for c in criteria_set.criteria]
        generic = frozenset({"tieu", "bo", "giai"})
        if criteria_set.level != "commune":
            generic |= frozenset(_content_words(criteria_set.name)) - frozenset(
                w for terms in name_terms for w in terms
            )
            generic |= {"thon", "xa", "khu", "dan", "cu", "nong", "moi", "ha", "tinh"}
        solo: dict[str, set[int]] = {}
        for i, criterion in enumerate(criteria_set.criteria):
            for keyword in (criterion.name, *criterion.keywords):
                words = _content_words(keyword)
                if len(words) == 1 and len(basic_tokens(keyword)) == 1:
                    solo.setdefault(words[0], set()).add(i)
        return _SetIndex(
            criteria_set,
            docs,
            postings,
            avg,
            name_terms,
            phrases,
            generic,
            {word: frozenset(found) for word, found in solo.items()},
        )

    def _add_text(self, doc: _Doc, text: str, weight: float) -> None:
        self._accented.update(_accented_words(text))
        for word in _WORD_RE.findall(unicodedata.normalize("NFC", text).lower()):
            doc.forms.setdefault(fold(word), set()).add(word)
        for term in _text_terms(text):
            doc.tf[term] += weight
            doc.length += weight

    def _add_faq_to_doc(self, doc: _Doc, faq: Faq) -> None:
        self._add_text(doc, faq.question, _W_FAQ_Q)
        self._add_text(doc, faq.answer, _W_FAQ_A)
        doc.faqs.append(faq)
        doc.faq_terms.append(_topic_terms(_text_terms(faq.question)))

    def _refresh_vocabulary(self) -> None:
        words = {t for t in self._df if "_" not in t}
        self._vocab = words
        # Most frequent first, so ties in the fuzzy search prefer common words.
        self._vocab_list = sorted(words, key=lambda w: (-self._df[w], w))
        self._known = words | STOPWORDS | _NUMBER_WORDS | set(ABBREVIATIONS)
        for expansion in ABBREVIATIONS.values():
            self._known.update(expansion.split())
        self._idf_cache: dict[str, float] = {}
        self._faq_weights: dict[frozenset[str], float] = {}  # an FAQ's terms -> their idf sum
        self._correct = lru_cache(maxsize=4096)(self._correct_uncached)

    def add_faq(self, set_code: str, number: int, faq: Faq) -> None:
        """Add an answered question to a criterion; later questions like it find it."""
        index = self._sets[set_code]
        found = [i for i, d in enumerate(index.docs) if d.criterion.number == number]
        if not found:
            raise KeyError(f"no criterion {number} in set {set_code!r}")
        i = found[0]
        doc = index.docs[i]
        before = set(doc.tf)
        old = Counter(doc.tf)
        self._add_faq_to_doc(doc, faq)
        for term in set(doc.tf) - before:
            self._df[term] += 1
        for term, tf in doc.tf.items():
            if tf != old.get(term):
                index.postings.setdefault(term, {})[i] = tf
        index.avg_length = sum(d.length for d in index.docs) / len(index.docs)
        if set(doc.tf) - before:
            self._refresh_vocabulary()

    def _idf(self, term: str) -> float:
        cached = self._idf_cache.get(term)
        if cached is None:
            df = self._df.get(term, 0)
            cached = math.log(1.0 + (self._n_docs - df + 0.5) / (df + 0.5))
            self._idf_cache[term] = cached
        return cached

    # -- scoring -------------------------------------------------------------------
    def _scores(self, query: _Query, index: _SetIndex) -> tuple[list[float], list[bool], float]:
        """BM25 score of each document, whether it matched a multi-word term, and the
        score a document explaining the whole query would get (the normaliser)."""
        scores = [0.0] * len(index.docs)
        phrase_hit = [False] * len(index.docs)
        upper = 0.0
        items = [(t, w, t not in query.explained) for t, w in query.terms.items()]
        items += [(t, w, False) for t, w in query.extra.items()]
        # In term order, not set order: equal scores must not depend on the hash seed.
        items.sort(key=lambda item: (item[0], item[2]))
        for term, weight, counted in items:
            if term not in self._df:
                continue
            if index.generic and all(p in index.generic for p in term.split("_")):
                weight *= _GENERIC_WEIGHT
            idf = self._idf(term)
            if counted:
                upper += weight * idf * (_K1 + 1.0)
            elif "_" not in term:
                upper += _EXPLAINED_SHARE * weight * idf * (_K1 + 1.0)
            postings = index.postings.get(term)
            if not postings:
                continue
            is_phrase = (
                "_" in term
                and self._df[term] <= self._n_docs * _PHRASE_MAX_DF
                and term not in query.place_terms
            )
            typed = [
                (part, query.accents[part]) for part in term.split("_") if part in query.accents
            ]
            for i, tf in postings.items():
                doc = index.docs[i]
                norm = _K1 * (1.0 - _B + _B * doc.length / index.avg_length)
                gain = weight * idf * tf * (_K1 + 1.0) / (tf + norm)
                # Typed with diacritics that this criterion never uses for the word
                # ("bão" where it only says "bạo lực"): most likely another word.
                if typed and any(
                    part in doc.forms and word not in doc.forms[part] for part, word in typed
                ):
                    gain *= _OTHER_WORD_WEIGHT
                scores[i] += gain
                if is_phrase:
                    phrase_hit[i] = True
        if upper <= 0 and query.extra:
            upper = math.fsum(self._idf(t) * w for t, w in query.extra.items()) * (_K1 + 1.0)
        # A query made only of words found everywhere ("xa", "thon") says little.
        information = upper / (_K1 + 1.0)
        max_idf = math.log(1.0 + (self._n_docs + 0.5) / 0.5)
        upper += len(query.oov) * max_idf * (_K1 + 1.0) * 0.5
        if 0 < information < _MIN_INFORMATION:
            upper *= _MIN_INFORMATION / information
        return scores, phrase_hit, upper

    @staticmethod
    def _faq_answers(query: _Query, faq: Faq | None, sim: float) -> bool:
        """Whether ``faq`` (similarity ``sim``) answers the question asked, so that it may be
        shown first: close enough, and a number question only with a number answer (and the
        other way round): "đường rộng bao nhiêu" is not "dân có phải đóng góp không"."""
        if faq is None or sim < _FAQ_SHOW:
            return False
        return asks_number(query.folded) == asks_number(" ".join(basic_tokens(faq.question)))

    def _faq_query(self, query: _Query) -> tuple[frozenset[str], float]:
        """The query's terms that pick an FAQ, and their weight (once per query)."""
        q_terms = frozenset(t for t in _topic_terms(query.terms) if t in self._df)
        # The place where something is asked about does not pick the FAQ.
        q_terms = (q_terms - query.place_terms) or q_terms
        return q_terms, math.fsum(self._idf(t) for t in q_terms)

    def _faq_similarity(
        self, query: _Query, doc: _Doc, asked: tuple[frozenset[str], float] | None = None
    ) -> tuple[float, Faq | None]:
        q_terms, q_weight = asked or self._faq_query(query)
        if not q_terms:
            return 0.0, None
        best, best_faq = 0.0, None
        for faq, terms in zip(doc.faqs, doc.faq_terms, strict=True):
            if not terms:
                continue
            shared = math.fsum(self._idf(t) for t in q_terms & terms)
            if not shared:
                continue
            f_weight = self._faq_weights.get(terms)
            if f_weight is None:
                f_weight = self._faq_weights[terms] = math.fsum(self._idf(t) for t in terms)
            sim = 2.0 * shared / (q_weight + f_weight)
            if sim > best:
                best, best_faq = sim, faq
        return best, best_faq

    def _ranked(self, query: _Query, index: _SetIndex) -> list[_Ranked]:
        """Criteria with a positive score, most confident first."""
        scores, phrase_hit, upper = self._scores(query, index)
        if upper <= 0:
            return []
        order = sorted(range(len(scores)), key=lambda i: -scores[i])
        several_words = len(query.content) >= 2
        ranked: list[_Ranked] = []
        asked = self._faq_query(query) if scores else None
        for rank, i in enumerate(order):
            if scores[i] <= 0:
                break
            conf = scores[i] / upper
            if several_words and not phrase_hit[i]:
                conf *= _SINGLE_WORD_PENALTY
            faq: Faq | None = None
            if rank < 5:
                sim, faq = self._faq_similarity(query, index.docs[i], asked)
                conf += 0.35 * sim * sim
                if not self._faq_answers(query, faq, sim):
                    faq = None
            ranked.append(_Ranked(conf, i, faq, phrase_hit[i]))
        ranked.sort(key=lambda item: -item.conf)
        return ranked


def focused_first(focused: MatchResult, result: MatchResult) -> MatchResult:
    """``focused`` (the rules on the part of a message that asks) answers; what the whole
    message matched stays among the choices, after ``focused``'s own (two at most)."""
    extra = (result.best,) if result.kind == "match" else ()
    extra += tuple(result.candidates)
    extra = tuple(c for c in extra if c is not None and c is not focused.best)
    return replace(focused, candidates=(*focused.candidates, *extra)[:2])
