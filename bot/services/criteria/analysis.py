"""Understanding a question: correcting unknown words against the catalogs' vocabulary,
the topic map, places and forms, the query's weighted terms."""

from __future__ import annotations

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from .concepts import concept_expansions
from .context import _CONTEXT_WEIGHT, context_words, course_subject, is_scene, weather_words
from .offtopic import GENERIC_WORDS
from .query_text import (
    _CONCEPT_WEIGHT,
    _CORRECTED_WEIGHT,
    _DIRECTION_WORDS,
    _FORM_PHRASES,
    _FORM_WEIGHT,
    _HEAD_DECAY,
    _LOCATIVE_WORDS,
    _MARKET_EXPANSION,
    _MEDIUM_PHRASES,
    _MEDIUM_WEIGHT,
    _MEDIUM_WORDS,
    _PHRASE_MAX_DF,
    _PLACE_WEIGHT,
    _SYLLABLE_RE,
    _accented_words,
    _terms,
    fold,
)
from .ranking import _Query
from .text import (
    QUESTION_WORDS,
    STOPWORDS,
    basic_tokens,
    telex_clean,
    vni_clean,
)

_PLACE_MAX_WORDS = 4  # content words of a place named before "có … không"
_GAP_WINDOW = 2  # words that may stand between the two words of a phrase
_GAP_WEIGHT = 0.3  # of the phrase's words' weight
_WAY_WORDS = frozenset("duong loi ngo hem cau kenh muong".split())
KEEP_TYPED_SYLLABLES = True  # bench/score_holdout.py --ablate marks switches it off


class _Analysis:
    """Query analysis, mixed into :class:`~bot.services.criteria.matcher.CriteriaIndex`."""

    def _gapped(self, tokens: list[str], weights: dict[str, float]) -> None:
        """A catalog phrase split by a few words ("đường liên xã thì hẹp": đường hẹp) counts
        at ``_GAP_WEIGHT`` of its words' weight."""
        for i, a in enumerate(tokens):
            if a in STOPWORDS or a not in weights:
                continue
            for b in tokens[i + 2 : i + 2 + _GAP_WINDOW]:
                term = f"{a}_{b}"
                if (
                    b in weights
                    and term not in weights
                    and term in self._df
                    and self._df[term] <= self._n_docs * _PHRASE_MAX_DF
                ):
                    weights[term] = _GAP_WEIGHT * min(weights[a], weights[b])

    def model_text(self, text: str) -> str:
        """What the learned models read: ``text`` (as folded words) without the words that
        set the scene ("sau sáp nhập", context.py) or name the medium ("app", "mã QR") when
        something else is asked, as the rules weigh those down; otherwise unchanged."""
        tokens = basic_tokens(text)
        joined = " ".join(tokens)
        scene = context_words(joined) | weather_words(joined) | course_subject(joined)
        drop = {tokens[i] for i in scene}
        drop |= self._medium(tokens, drop)
        if not drop:
            return text
        rest = [t for t in tokens if t not in drop]
        return " ".join(rest) if [t for t in rest if t not in STOPWORDS] else text

    def _medium(self, tokens: list[str], others: set[str]) -> set[str]:
        """The words of the medium ("app", "mã qr", "trên mạng") when a catalog phrase of
        two other words (not ``others``: form, scene) names the topic; else nothing."""
        medium = {t for t in tokens if t in _MEDIUM_WORDS}
        for a, b in zip(tokens, tokens[1:], strict=False):
            if f"{a} {b}" in _MEDIUM_PHRASES:
                medium.update((a, b))
        if not medium:
            return set()
        skip = medium | others | STOPWORDS | QUESTION_WORDS | GENERIC_WORDS
        for a, b in zip(tokens, tokens[1:], strict=False):
            term = f"{a}_{b}"
            if (
                a not in skip
                and b not in skip
                and term in self._df
                and self._df[term] <= self._n_docs * _PHRASE_MAX_DF
            ):
                return medium
        return set()

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
        typed = {fold(word) for word in _accented_words(text)}
        for token in raw:
            if token in self._known or token.isdigit():
                tokens.append(token)
                if token in suspects and token not in STOPWORDS:
                    corrected.add(token)
                    oov.append(token)
                continue
            if KEEP_TYPED_SYLLABLES and token in typed and _SYLLABLE_RE.fullmatch(token):
                # Typed with its marks and a whole syllable ("nghiêng"): a word the catalogs
                # do not use, not a typo of one that they do ("nghiện").
                oov.append(token)
                tokens.append(token)
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
            # "lên"/"vào" only after a way ("đau chân, lên trạm xá xa quá": the health station);
            # "ra" anywhere ("xả thải ra mương": the ditch is where).
            heading = (
                token in _DIRECTION_WORDS
                and seen_topic
                and (token == "ra" or (i > 0 and tokens[i - 1] in _WAY_WORDS))
            )
            seen_topic = seen_topic or (token not in STOPWORDS and not token.isdigit())
            if token in locatives or heading:
                for word in tokens[i + 1 : i + 5]:
                    if word == "cho" and "chợ" in typed_words:
                        place.add(word)
                        continue
                    if word in STOPWORDS or word in QUESTION_WORDS:
                        break
                    if word in tokens[:i]:
                        # "nghĩa trang … chôn ở nghĩa trang chung": the topic named again.
                        continue
                    place.add(word)
        # "trạm y tế xã có wifi không", "nhà văn hóa có camera chưa": a named place, then
        # the thing asked about; the place is where, the thing after "có" is what.
        # Only a short place: a long start is the story or the topic itself, and "có thể"
        # (can) is no "có" (has).
        has = [i for i, t in enumerate(tokens[:-1]) if t == "co" and tokens[i + 1] != "the"]
        if not place and tokens and tokens[-1] in ("khong", "chua") and has:
            at = has[0]
            before = [
                t
                for t in tokens[:at]
                if t not in STOPWORDS or (t == "cho" and "chợ" in typed_words)
            ]
            after = " ".join(tokens[at + 1 : -1])
            if (
                2 <= len(before) <= _PLACE_MAX_WORDS
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
        # "sau sáp nhập", "xã mới": the scene of the question, not its topic (context.py).
        scene = {tokens[i] for i in context_words(" ".join(tokens))}
        if not {t for t in tokens if t not in STOPWORDS and t not in scene} - form:
            scene = set()
        # "mùa lũ", "mưa bão" around a road or a house: the circumstance, not the topic.
        weather = {tokens[i] for i in weather_words(" ".join(tokens))} - form - scene
        if not {t for t in tokens if t not in STOPWORDS and t not in weather} - form - scene:
            weather = set()
        # "lớp học lái máy bay phun thuốc": the course is asked, the machine is its subject.
        machine = {tokens[i] for i in course_subject(" ".join(tokens))} - form - scene - weather
        medium = self._medium(tokens, form | scene | weather) | machine
        for term in _terms(tokens):
            parts = term.split("_")
            weight = _CORRECTED_WEIGHT if any(p in corrected for p in parts) else 1.0
            where = max(0, first_at.get(parts[0], start) - start) / span
            weight *= 1.0 - _HEAD_DECAY * min(1.0, where)
            if place and all(p in place for p in parts):
                weight *= _PLACE_WEIGHT
            if form and all(p in form for p in parts):
                weight *= _FORM_WEIGHT
            elif medium and all(p in medium for p in parts):
                weight *= _MEDIUM_WEIGHT
            if scene and is_scene(parts, scene):
                weight *= _CONTEXT_WEIGHT
            elif weather and any(p in weather for p in parts):
                weight *= _CONTEXT_WEIGHT
            weights[term] = max(weights.get(term, 0.0), weight)
        self._gapped(tokens, weights)
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
        place_terms.update(t for t in weights if scene and is_scene(t.split("_"), scene))
        place_terms.update(t for t in weights if any(p in weather for p in t.split("_")))
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
            if weather and all(w in weather for w in matched.split()):
                continue  # the flood named as the circumstance adds no disaster words
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
            elif medium and matched_words and all(w in medium for w in matched_words):
                weight *= _MEDIUM_WEIGHT
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
