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

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Literal

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from bot.services.vntext import fold as _fold_text

from .catalog import Catalog
from .concepts import concept_expansions
from .learned import NgramModel
from .models import CriteriaSet, Criterion, Faq
from .names import NameFinder
from .text import (
    ABBREVIATIONS,
    GENERIC_WORDS,
    OFFTOPIC_PHRASES,
    QUESTION_WORDS,
    STOPWORDS,
    basic_tokens,
    english_topics,
    find_number_mentions,
    join_compounds,
    telex_clean,
    vni_clean,
)

Kind = Literal["match", "unsure", "offtopic", "list"]

# Field weights of a criterion document.
_W_NAME = 3.0
_W_KEYWORD = 2.5
_W_TEXT = 1.0
_W_FAQ_Q = 1.5
_W_FAQ_A = 0.5
_W_INDICATOR = 1.0
_W_REQUIREMENT = 0.5

_K1 = 1.2
_B = 0.5
_CORRECTED_WEIGHT = 0.7
_GENERIC_WEIGHT = 0.2  # words of the set's own name ("vườn mẫu" in the garden set)
_CONCEPT_WEIGHT = 0.6
_HEAD_DECAY = 0.2  # weight lost by the last word of a question
_PLACE_WEIGHT = 0.35  # words of a place named after "ở"/"tại"/"ven" once a topic came first
_FORM_WEIGHT = 0.4  # "thủ tục", "chi phí" when the question names a topic besides
_FORM_PHRASES = frozenset(
    (
        "thu tuc",
        "ho so",
        "giay to",
        "le phi",
        "chi phi",
        "kinh phi",
        "trach nhiem",
        "dong tien",
        "chinh sach",
    )
)
_DIRECTION_WORDS = frozenset(("len", "vao", "ra"))  # not "toi": tối, tôi
_MARKET_EXPANSION = "cho cho nong thon cho xa ha tang thuong mai"
_LOCATIVE_WORDS = frozenset(("o", "ven", "quanh"))  # not "tai"/"canh": tài, tai nạn, cảnh
_EXPLAINED_SHARE = 0.3  # of a topic-map unigram counted in the normaliser
_OTHER_WORD_WEIGHT = 0.35  # same folded word, other diacritics than the criterion uses  # catalog words added by the topic map (not counted in the normaliser)

# Decision thresholds on the confidence (share of the query explained, 0..1).
_OFFTOPIC_BELOW = 0.08
_WEAK_MATCH_FROM = 0.12  # enough when the best criterion is far ahead of the others
_MATCH_FROM = 0.2
_SURE_FROM = 0.35
_CLOSE_RATIO = 0.8
_CLEAR_RATIO = 1.4

_SINGLE_WORD_PENALTY = 0.6  # several words asked, only single syllables matched
_FAQ_MIN = 0.3
_PHRASE_MAX_DF = 0.25  # an n-gram found in more documents than this is not specific
_MIN_INFORMATION = 3.0  # idf mass below which a query is too vague to be sure

_OFFTOPIC_FORMS = {form for p in OFFTOPIC_PHRASES for form in (p, join_compounds(p))}
_OFFTOPIC_RE = re.compile(
    r"\b(?:"
    + "|".join(re.escape(p) for p in sorted(_OFFTOPIC_FORMS, key=len, reverse=True))
    + r")\b"
)
_SYLLABLE_RE = re.compile(
    r"^(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?"
    r"(?:[aeiouy]{1,3})(?:ch|ng|nh|[cmnpt])?$"
)
_LIST_RE = re.compile(
    r"\b(?:baonhieu|bao nhieu|may|nhung|cac|tat ca|danh sach|liet ke|gom|co nhung|toan bo|ca)\s+"
    r"(?:cai\s+)?(?:tieu chi|chi tieu)\b"
    r"|\b(?:danh sach|liet ke)\b"
    r"|\bbo tieu chi\b.*\b(?:gom|co nhung|la gi|nhuthenao|thenao|baonhieu)\b"
    r"|\b(?:tieu chi|chi tieu)\s+(?:gom|co)\s+(?:nhung|cac)\b"
)
_NUMBER_WORDS = frozenset(
    "mot hai ba bon tu nam lam sau bay tam chin muoi muoi mot linh le".split()
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


def _terms(tokens: list[str]) -> list[str]:
    """Content unigrams, bigrams and trigrams of ``tokens``.

    Unigrams skip stopwords and digits. An n-gram is kept when it has a content word and
    no question word ("khong", "gi", "nao"...): so "nha_van_hoa", "3_sach" and "doi_so"
    survive while question boilerplate such as "bat_buoc_khong" does not. A trigram must
    also start and end with a content word.
    """
    out = [t for t in tokens if t not in STOPWORDS and not t.isdigit()]
    for a, b in zip(tokens, tokens[1:], strict=False):
        if (a in STOPWORDS and b in STOPWORDS) or a in QUESTION_WORDS or b in QUESTION_WORDS:
            continue
        out.append(f"{a}_{b}")
    for a, b, c in zip(tokens, tokens[1:], tokens[2:], strict=False):
        if a in STOPWORDS or c in STOPWORDS or b in QUESTION_WORDS:
            continue
        out.append(f"{a}_{b}_{c}")
    return out


def _text_terms(text: str) -> list[str]:
    return _terms(basic_tokens(text))


class CriteriaIndex:
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
    ) -> None:
        self._catalog = catalog
        self._model = NgramModel.load() if model == "shipped" else model
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
        doc.faq_terms.append(frozenset(_text_terms(faq.question)))

    def _refresh_vocabulary(self) -> None:
        words = {t for t in self._df if "_" not in t}
        self._vocab = words
        # Most frequent first, so ties in the fuzzy search prefer common words.
        self._vocab_list = sorted(words, key=lambda w: (-self._df[w], w))
        self._known = words | STOPWORDS | _NUMBER_WORDS | set(ABBREVIATIONS)
        for expansion in ABBREVIATIONS.values():
            self._known.update(expansion.split())
        self._idf_cache: dict[str, float] = {}
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

    # -- query analysis ------------------------------------------------------------
    def _idf(self, term: str) -> float:
        cached = self._idf_cache.get(term)
        if cached is None:
            df = self._df.get(term, 0)
            cached = math.log(1.0 + (self._n_docs - df + 0.5) / (df + 0.5))
            self._idf_cache[term] = cached
        return cached

    def _correct_uncached(self, token: str) -> tuple[tuple[str, ...], bool]:
        """Corrected words for an unknown token, and whether it was really changed."""
        for candidate in (vni_clean(token), telex_clean(token), telex_clean(vni_clean(token))):
            if candidate in self._known:
                return (candidate,), candidate != token
        valid = bool(_SYLLABLE_RE.match(token))
        if len(token) >= 4 and not valid:
            # Two words typed without a space: "moitruong", "nuocsach".
            for cut in range(2, len(token) - 1):
                left, right = token[:cut], token[cut:]
                if (
                    _SYLLABLE_RE.match(left)
                    and _SYLLABLE_RE.match(right)
                    and (left in self._vocab or left in STOPWORDS)
                    and (right in self._vocab or right in STOPWORDS)
                    and (left in self._vocab or right in self._vocab)
                ):
                    return (left, right), True
        if len(token) >= 4 and (not valid or len(token) >= 5):
            max_distance = 1 if len(token) <= 5 else 2
            found = process.extractOne(
                token, self._vocab_list, scorer=Levenshtein.distance, score_cutoff=max_distance
            )
            if found is not None:
                return (found[0],), True
        return (token,), False

    def _analyse(self, text: str) -> _Query:
        # A word typed WITH diacritics that the catalogs never use ("ăn" where they only
        # say "an toàn") is another word that folds alike: it counts only a little.
        suspects = {fold(word) for word in _accented_words(text) if word not in self._accented}
        tokens: list[str] = []
        corrected: set[str] = set()
        oov: list[str] = []
        raw = basic_tokens(text)
        for token in raw:
            if token in self._known or token.isdigit():
                tokens.append(token)
                if token in suspects and token not in STOPWORDS:
                    corrected.add(token)
                    oov.append(token)
                continue
            words, changed = self._correct(token)
            if changed:
                corrected.update(words)
            elif token not in STOPWORDS:
                oov.append(token)
            tokens.extend(words)
        weights: dict[str, float] = {}
        # Vietnamese puts the head first ("wifi nhà văn hóa" is about wifi, "mất trộm xe
        # ở cổng trường" about theft): words further into the question weigh a little less.
        positions = [i for i, t in enumerate(tokens) if t not in STOPWORDS]
        first_at = {t: i for i, t in reversed(list(enumerate(tokens)))}
        span = max(1, positions[-1] - positions[0]) if positions else 1
        start = positions[0] if positions else 0
        # "wifi ở nhà văn hóa", "rác ven đường thôn": the place after a locative word is
        # where, not what; its words weigh less when something else is asked before it.
        place: set[str] = set()
        # "ở" (at), not "ổ gà" (pothole) or "ô" (umbrella), when typed with diacritics.
        typed_words = _accented_words(text)
        typed_o = {w for w in typed_words if fold(w) == "o"}
        locatives = _LOCATIVE_WORDS - {"o"} if typed_o and "ở" not in typed_o else _LOCATIVE_WORDS
        seen_topic = False
        for i, token in enumerate(tokens):
            # "đường lên trường", "đường vào trạm y tế": where a thing asked about leads.
            heading = token in _DIRECTION_WORDS and seen_topic
            seen_topic = seen_topic or (token not in STOPWORDS and not token.isdigit())
            if token in locatives or heading:
                for word in tokens[i + 1 : i + 5]:
                    if word == "cho" and "chợ" in typed_words:
                        place.add(word)
                        continue
                    if word in STOPWORDS or word in QUESTION_WORDS:
                        break
                    place.add(word)
        # "trạm y tế xã có wifi không", "nhà văn hóa có camera chưa": a named place, then
        # the thing asked about; the place is where, the thing after "có" is what.
        if not place and tokens and tokens[-1] in ("khong", "chua") and "co" in tokens:
            at = tokens.index("co")
            before = [
                t
                for t in tokens[:at]
                if t not in STOPWORDS or (t == "cho" and "chợ" in typed_words)
            ]
            after = " ".join(tokens[at + 1 : -1])
            if (
                len(before) >= 2
                and any(f"{a}_{b}" in self._df for a, b in zip(before, before[1:], strict=False))
                and concept_expansions(after)
            ):
                place.update(before)
        # "thủ tục học nghề", "chi phí làm đường": the paperwork or money asked about is
        # the form of the question; its topic is what follows.
        form: set[str] = set()
        for a, b in zip(tokens, tokens[1:], strict=False):
            if f"{a} {b}" in _FORM_PHRASES:
                form.update((a, b))
        if form and not {t for t in tokens if t not in STOPWORDS} - form:
            form = set()
        for term in _terms(tokens):
            parts = term.split("_")
            weight = _CORRECTED_WEIGHT if any(p in corrected for p in parts) else 1.0
            where = max(0, first_at.get(parts[0], start) - start) / span
            weight *= 1.0 - _HEAD_DECAY * min(1.0, where)
            if place and all(p in place for p in parts):
                weight *= _PLACE_WEIGHT
            if form and all(p in form for p in parts):
                weight *= _FORM_WEIGHT
            weights[term] = max(weights.get(term, 0.0), weight)
        content = frozenset(t for t in tokens if t not in STOPWORDS and not t.isdigit())
        folded = " ".join(tokens)
        extra: dict[str, float] = {}
        covered: set[str] = set()
        # Terms that only name the place: they rank, but never count as a phrase match.
        place_terms = {
            t
            for t in weights
            if place
            and any(p in place for p in t.split("_"))
            and all(p in place or p in _LOCATIVE_WORDS for p in t.split("_"))
        }
        found = dict(concept_expansions(folded))
        raw_folded = " ".join(raw)
        if raw_folded != folded:
            found.update(concept_expansions(raw_folded))
        # "chợ" typed with its mark folds to the function word "cho": the market is named.
        market_at: set[bool] = set()
        if "chợ" in typed_words:
            for i, token in enumerate(tokens):
                if token == "cho":
                    market_at.add(any(t in locatives for t in tokens[max(0, i - 4) : i]))
        if market_at:
            found.setdefault("cho", _MARKET_EXPANSION)
        for matched, expansion in found.items():
            covered.update(matched.split())
            matched_words = [w for w in matched.split() if w not in STOPWORDS]
            weight = _CONCEPT_WEIGHT
            at_place = bool(place and matched_words and all(w in place for w in matched_words))
            if matched == "cho" and expansion == _MARKET_EXPANSION:
                at_place = market_at == {True}
            if at_place:
                weight *= _PLACE_WEIGHT
            if form and matched_words and all(w in form for w in matched_words):
                weight *= _FORM_WEIGHT
            for term in _terms(expansion.split()):
                if term not in weights and term in self._df:
                    if at_place and term not in extra:
                        place_terms.add(term)
                    elif not at_place:
                        place_terms.discard(term)
                    extra[term] = max(extra.get(term, 0.0), weight)
        # Words the topic map explained are measured through their catalog words.
        explained = frozenset(t for t in weights if all(p in covered for p in t.split("_")))
        accents = {fold(word): word for word in _accented_words(text)}
        return _Query(
            weights,
            tuple(oov),
            content,
            folded,
            extra,
            accents,
            explained,
            frozenset(place),
            frozenset(place_terms),
        )

    # -- scoring -------------------------------------------------------------------
    def _scores(self, query: _Query, index: _SetIndex) -> tuple[list[float], list[bool], float]:
        """BM25 score of each document, whether it matched a multi-word term, and the
        score a document explaining the whole query would get (the normaliser)."""
        scores = [0.0] * len(index.docs)
        phrase_hit = [False] * len(index.docs)
        upper = 0.0
        items = [(t, w, t not in query.explained) for t, w in query.terms.items()]
        items += [(t, w, False) for t, w in query.extra.items()]
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
            upper = sum(self._idf(t) * w for t, w in query.extra.items()) * (_K1 + 1.0)
        # A query made only of words found everywhere ("xa", "thon") says little.
        information = upper / (_K1 + 1.0)
        max_idf = math.log(1.0 + (self._n_docs + 0.5) / 0.5)
        upper += len(query.oov) * max_idf * (_K1 + 1.0) * 0.5
        if 0 < information < _MIN_INFORMATION:
            upper *= _MIN_INFORMATION / information
        return scores, phrase_hit, upper

    def _faq_similarity(self, query: _Query, doc: _Doc) -> tuple[float, Faq | None]:
        q_terms = {t for t in query.terms if t in self._df}
        # The place where something is asked about does not pick the FAQ.
        q_terms = (q_terms - query.place_terms) or q_terms
        if not q_terms:
            return 0.0, None
        q_weight = sum(self._idf(t) for t in q_terms)
        best, best_faq = 0.0, None
        for faq, terms in zip(doc.faqs, doc.faq_terms, strict=True):
            if not terms:
                continue
            shared = sum(self._idf(t) for t in q_terms & terms)
            if not shared:
                continue
            f_weight = sum(self._idf(t) for t in terms)
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
        for rank, i in enumerate(order):
            if scores[i] <= 0:
                break
            conf = scores[i] / upper
            if several_words and not phrase_hit[i]:
                conf *= _SINGLE_WORD_PENALTY
            faq: Faq | None = None
            if rank < 5:
                sim, faq = self._faq_similarity(query, index.docs[i])
                conf += 0.35 * sim * sim
                if sim < _FAQ_MIN:
                    faq = None
            ranked.append(_Ranked(conf, i, faq, phrase_hit[i]))
        ranked.sort(key=lambda item: -item.conf)
        return ranked

    # -- the public question API ---------------------------------------------------
    def ask(self, text: str, set_code: str) -> MatchResult:
        """Find the criterion of set ``set_code`` that ``text`` is about: the rules, with
        the learned model's second opinion where they are unsure."""
        result = self.rules(text, set_code)
        if self._model is None or result.kind == "list" or result.score >= 1.0:
            return result
        text = english_topics(text)
        return blend(result, self._model.scores(text, set_code), self._sets[set_code].criteria_set, text)

    def rules(self, text: str, set_code: str) -> MatchResult:
        """The rules alone (catalog terms, names, numbers, chatter)."""
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
        """The village-level set a question names ("khu dân cư thông minh", "vườn mẫu",
        "thôn kiểu mẫu"), if the catalog has it, and the question without its name."""
        spans = list(_WORD_RE.finditer(unicodedata.normalize("NFC", text)))
        words = [fold(m.group()) for m in spans]
        folded = " ".join(words)
        for key, pattern in _VILLAGE_SET_PATTERNS:
            found = pattern.search(folded)
            if found is None:
                continue
            for criteria_set in self._catalog.sets():
                if criteria_set.level != "commune" and key in fold(criteria_set.name):
                    first = len(folded[: found.start()].split())
                    last = first + len(found.group().split())
                    source = unicodedata.normalize("NFC", text)
                    rest = source[: spans[first].start()] if first else ""
                    rest += " " + (source[spans[last - 1].end() :] if last <= len(spans) else "")
                    return criteria_set.code, rest.strip()
        return None

    def ask_any(self, text: str, set_code: str, village_sets: Iterable[str] = ()) -> MatchResult:
        """Like :meth:`ask` for a commune following ``set_code``, but a question naming a
        village-level set, or asked in a village that follows one (``village_sets``), is
        answered from that set; ``national`` then names the commune set's criterion on the
        same topic."""
        found = self.named_set(text)
        if found is not None:
            code, rest = found
            if not rest or not (set(basic_tokens(rest)) - GENERIC_WORDS - STOPWORDS - QUESTION_WORDS - _NEED_WORDS):
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
            code for code in village_sets if code in self._sets and self._sets[code].criteria_set.level != "commune"
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
        if index is None or not faqs or (result.best is not None and result.best.set_code != set_code):
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
            sim = 2.0 * shared / (q_weight + sum(self._idf(t) for t in terms if t in self._df) + 1e-9)
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
            related = tuple(c for c in (result.best, *result.candidates) if c is not None and c is not criterion)[:2]
            return MatchResult("match", criterion, related, max(result.score, best), result.mentioned_other, faq)
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
                return faq if sim >= _FAQ_MIN else None
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


# How the learned model's probabilities change the rules' answer (chosen by k-fold
# cross-validation on the corpus, bench/bench_criteria_kfold.py).
_P_SWITCH = 0.9  # a weak rule match gives way to a model this sure of another criterion
_S_KEEP = 0.2  # ... unless the rules were at least this confident
_P_UNSURE = 0.4  # an unsure answer becomes the model's pick
_P_OFFTOPIC = 0.9  # "not about the criteria" becomes the model's pick
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
    vague = len([t for t in basic_tokens(text) if t not in STOPWORDS and t not in GENERIC_WORDS]) < 2
    top, top_p = probs[0]
    picks = [criteria_set.criterion(n) for n, _ in probs if n != 0]
    picks = [c for c in picks if c is not None]
    chosen = criteria_set.criterion(top) if top else None
    if result.kind == "match" and result.best is not None:
        if result.best.set_code != criteria_set.code:
            return result
        if chosen is not None and chosen is not result.best and top_p >= _P_SWITCH and result.score < _S_KEEP:
            related = (result.best, *(c for c in result.candidates if c is not chosen))[:2]
            return replace(result, best=chosen, candidates=related, faq=None)
        if chosen is not None and chosen is not result.best and chosen not in result.candidates and top_p >= _P_RELATED:
            # Offered as a related criterion: one tap away if the rules were wrong.
            return replace(result, candidates=(*result.candidates[:1], chosen))
        return result
    if result.kind == "unsure":
        if chosen is not None and top_p >= _P_UNSURE and not vague:
            related = tuple(c for c in result.candidates if c is not chosen)[:2]
            return MatchResult("match", chosen, related, result.score, result.mentioned_other)
        merged = list(dict.fromkeys((*result.candidates[:2], *picks[:3], *result.candidates[2:])))[:_CHOICES]
        return replace(result, candidates=tuple(merged))
    if result.kind == "offtopic" and chosen is not None and top_p >= _P_OFFTOPIC and not vague:
        return MatchResult("match", chosen, tuple(picks[1:3]), result.score)
    return result


_WORD_RE = re.compile(r"\w+")


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """:func:`vntext.fold`, cached: the same words are folded again and again."""
    return _fold_text(text)


_NEED_WORDS = frozenset("can yeu cau phai dat gom noi dung the nao nhu sao ra sao dieu kien".split())
_PLACE_WORDS = r"(?:thon|xom|lang|ban|khu dan cu|kdc|khu|cum dan cu|to dan pho)"
_VILLAGE_SET_PATTERNS = (
    ("vuon mau", re.compile(r"\bvuon mau\b")),
    ("thong minh", re.compile(rf"\b{_PLACE_WORDS}\s+(?:nong thon moi\s+|ntm\s+)?thong minh\b")),
    ("kieu mau", re.compile(rf"\b{_PLACE_WORDS}\s+(?:nong thon moi\s+|ntm\s+)?kieu mau\b")),
)


def _accented_words(text: str) -> set[str]:
    """Lower-case words of ``text`` that carry Vietnamese diacritics."""
    words = _WORD_RE.findall(unicodedata.normalize("NFC", text).lower())
    return {w for w in words if not w.isascii()}


def _name_share(name: frozenset[str], content: frozenset[str]) -> float:
    """Share of a criterion name's words present in the query (0 for an empty name)."""
    return len(name & content) / len(name) if name else 0.0


# "Hội Phụ nữ hỏi: ...", "Đoàn TN hỏi: ...": who asks is not what is asked about.
_SPEAKER_RE = re.compile(r"^\s*[^:?!.\n]{2,40}?\s(?:hỏi|hoi)\s*:\s*", re.IGNORECASE)


def _strip_speaker(text: str) -> str:
    """The question without a leading "<who> hỏi:" label (kept when nothing follows)."""
    match = _SPEAKER_RE.match(unicodedata.normalize("NFC", text))
    if match is None:
        return text
    rest = unicodedata.normalize("NFC", text)[match.end() :]
    return rest if rest.strip() else text


# Greetings and thanks around a question ("chào ad, cho em hỏi …, em cảm ơn ạ") say nothing
# about its topic; matched on folded words, cut from the original text.
_LEAD_RE = re.compile(
    r"^(?:da\s+)?(?:(?:em|toi|minh|chau|con)\s+)?(?:xin\s+)?(?:chao|hello|hi|alo|kinh gui|kinh thua)"
    r"(?:\s+(?:ad|admin|anh chi|anh|em|ban quan tri|quan tri|ban|bac|chu|ca nha|canha|moinguoi"
    r"|moi nguoi|mn|cac|a|oi|buoi sang|buoi toi|buoi chieu))*\s*"
    r"|^(?:ad|admin|anh|chi|bac|chu)\s+oi\s*"
    r"|^(?:cho|xin cho|cho phep|xin)\s+(?:em|toi|minh|chau|con|tui)?\s*hoi(?:\s+(?:chut|ti|tí|voi|vs|cai|nhe|a|ad)\b)*\s*"
    r"|^hoi\s+(?:chut|ti|cai)\b\s*"
)
_TAIL_RE = re.compile(
    r"\s*(?:(?:xin\s+)?tran trong\s+)?(?:(?:em|toi|minh|chau|con)\s+)?(?:xin\s+)?"
    r"(?:cam on|thanks|thank you|thank|thks|tks|camon)"
    r"(?:\s+(?:ad|admin|anh|chi|ban|nhieu|a|nha|nhe|ca nha|canha|moinguoi|mn|truoc|lam|rat))*\s*$"
)


# "… hả chị", "… anh ơi", "… nhé bác": who is addressed says nothing about the topic
# ("chị" is not "chi bộ", "em" not "trẻ em"). Only after a particle or before "ơi", so
# that "các tiêu chí" keeps its last word.
_ADDRESS = r"(?:anh chi|anh em|ca nha|moi nguoi|mn|ad|admin|anh|chi|em|bac|chu|co|ban|ong|ba|di|cau|thim|mo|ac|ace)"
_ADDRESS_TAIL_RE = re.compile(
    r"\s+(?:(?:(?:ha|nhe|nha|a|vay|voi|ne|nhi|ak|ah|the|z|day|ko|khong|chua|duoc|k)\s+)+"
    + _ADDRESS
    + r"(?:\s+oi)?|"
    + _ADDRESS
    + r"\s+oi)(?:\s+(?:a|nhe|nha|voi|oi))*\s*$"
)


def _strip_courtesy(text: str) -> str:
    """``text`` without greetings at its start and thanks at its end (kept when nothing
    else is left: a bare "chào ad" is chatter)."""
    text = unicodedata.normalize("NFC", text)
    spans = [(m.start(), m.end()) for m in _WORD_RE.finditer(text)]
    if len(spans) < 2:
        return text
    words = [fold(text[a:b]).lower() for a, b in spans]
    first, last = 0, len(words)
    for _ in range(3):  # "chào ad, cho em hỏi …"
        rest = " ".join(words[first:last])
        match = _LEAD_RE.match(rest)
        if match is None or match.end() == 0:
            break
        consumed = len(rest[: match.end()].split())
        if consumed == 0 or first + consumed >= last:
            break
        first += consumed
    rest = " ".join(words[first:last])
    match = _TAIL_RE.search(rest)
    if match is not None and match.start() > 0:
        kept = len(rest[: match.start()].split())
        if kept > 0:
            last = first + kept
    rest = " ".join(words[first:last])
    match = _ADDRESS_TAIL_RE.search(rest)
    if match is not None and match.start() > 0:
        # Keep the particle words ("không", "chưa") that end the question itself.
        cut = rest[: match.start()] + " " + " ".join(
            w for w in rest[match.start() :].split() if w in ("khong", "chua", "ko", "k", "duoc")
        )
        kept = len(cut.split())
        if kept > 0:
            last = first + kept
    if first == 0 and last == len(words):
        return text
    return text[spans[first][0] : spans[last - 1][1]]


def _inside_topic(folded: str, span: str) -> bool:
    """Whether chatter ``span`` is part of a longer thing of the topic map ("tiktok" in
    "ban cam tren tiktok")."""
    return any(
        span in matched and len(matched) > len(span) for matched, _ in concept_expansions(folded)
    )


def _qualifies_topic(folded: str, span: str) -> bool:
    """Whether chatter ``span`` directly follows a thing of the topic map named in two
    words or more ("ca do" + "bong da"), or is part of a longer one ("ban cam tren tiktok")."""
    at = folded.find(span)
    if at < 0:
        return False
    if _inside_topic(folded, span):
        return True
    if at == 0:
        return False
    before = folded[:at].rstrip()
    return any(
        len(matched.split()) >= 2 and before.endswith(matched)
        for matched, _ in concept_expansions(before)
    )


def _offtopic_spans(folded: str) -> list[str]:
    return _OFFTOPIC_RE.findall(folded)


def _content_words(text: str) -> list[str]:
    return [t for t in basic_tokens(text) if t not in STOPWORDS and not t.isdigit()]
