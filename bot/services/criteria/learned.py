"""A learned second opinion: multinomial naive Bayes over character n-grams.

The rules of :mod:`matcher` explain their answers and know the catalog; they miss
phrasings nobody wrote a rule for. This model learns from a labelled corpus of residents'
questions (``corpus.json``, built by ``scripts/make_criteria_corpus.py`` from templates,
every criterion's keywords and FAQ, hand-written questions and chatter) and scores every
criterion of a set, plus "not about the criteria" (number 0). Character n-grams of the
folded text carry typos, missing diacritics and glued words without a dictionary.

Training is counting; the same script stores the trained model (``model.npz``, half
precision) so that building the index only loads it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from .models import CriteriaSet
from .text import basic_tokens

CORPUS_FILE = "corpus.json"
MODEL_FILE = "model.npz"
_ALPHA = 0.1
_MIN_DF = 2
_TEMPER = 8.0


def features(text: str) -> set[str]:
    """Character 3–5-grams of the folded text (words padded by spaces), and its words."""
    tokens = basic_tokens(text)
    padded = " " + " ".join(tokens) + " "
    out = {padded[i : i + n] for n in (3, 4, 5) for i in range(len(padded) - n + 1)}
    out.update("w:" + t for t in tokens)
    out.update(f"b:{a}_{b}" for a, b in zip(tokens, tokens[1:], strict=False))
    return out


@dataclass(frozen=True)
class Example:
    set_code: str
    number: int  # 0 = not about the criteria
    text: str


def catalog_examples(sets: Iterable[CriteriaSet]) -> list[Example]:
    """What the catalog says of each criterion (summary, what the village and each household
    must do, indicators, FAQ answers), as training text alongside the questions."""
    out: list[Example] = []
    for criteria_set in sets:
        for c in criteria_set.criteria:
            texts = [c.summary, c.village_asks, c.household_asks]
            texts += [f"{i.name}. {i.requirement}" for i in c.indicators]
            texts += [f.answer for f in c.faqs]
            out.extend(Example(criteria_set.code, c.number, t) for t in texts if t.strip())
    return out


def load_corpus() -> list[Example]:
    """The labelled corpus shipped with the package."""
    raw = resources.files(__package__).joinpath(CORPUS_FILE).read_text(encoding="utf-8")
    return [Example(row[0], int(row[1] or 0), row[2]) for row in json.loads(raw)["examples"]]


class PerSetModel:
    """What the learned models share: a feature vocabulary, and classes (set code,
    criterion number) stored set after set, so one set's classes are one column range."""

    def __init__(self, vocab: Sequence[str], classes: Sequence[tuple[str, int]]) -> None:
        self._vocab = {f: i for i, f in enumerate(vocab)}
        self._classes = list(classes)
        self._by_set: dict[str, tuple[int, int, list[int]]] = {}
        for i, (set_code, number) in enumerate(self._classes):
            start, _end, numbers = self._by_set.get(set_code, (i, i, []))
            self._by_set[set_code] = (start, i + 1, [*numbers, number])

    def knows(self, set_code: str) -> bool:
        return set_code in self._by_set

    def columns(self, text: str, feats: set[str] | None = None) -> list[int]:
        """The vocabulary columns of the question's features, sorted (a float sum must not
        depend on the hash seed). ``feats``: ``features(text)`` if known."""
        return sorted({i for f in (feats or features(text)) if (i := self._vocab.get(f)) is not None})

    def same_vocabulary(self, other: PerSetModel) -> bool:
        """Whether ``other`` numbers the same features alike (then one question's columns
        serve both: the naive Bayes and the regression are trained on the same examples)."""
        return self._vocab == other._vocab


class NgramModel(PerSetModel):
    """Per set, P(class | question) from naive Bayes with uniform class priors."""

    def __init__(
        self, vocab: Sequence[str], classes: Sequence[tuple[str, int]], logp_t: np.ndarray
    ) -> None:
        super().__init__(vocab, classes)
        self._logp_t = logp_t.astype(np.float32)  # features x classes

    @classmethod
    def train(cls, examples: Iterable[Example]) -> NgramModel:
        examples = list(examples)
        featured = [(e, features(e.text)) for e in examples]
        df: dict[str, int] = {}
        for _, feats in featured:
            for f in feats:
                df[f] = df.get(f, 0) + 1
        vocab = sorted(f for f, n in df.items() if n >= _MIN_DF)
        index = {f: i for i, f in enumerate(vocab)}
        classes = sorted({(e.set_code, e.number) for e in examples})
        class_index = {c: i for i, c in enumerate(classes)}
        flat: list[int] = []
        for example, feats in featured:
            row = class_index[(example.set_code, example.number)] * len(vocab)
            flat.extend(row + col for f in feats if (col := index.get(f)) is not None)
        counts = np.bincount(np.array(flat, dtype=np.int64), minlength=len(classes) * len(vocab))
        counts = counts.reshape(len(classes), len(vocab)).astype(np.float32) + _ALPHA
        logp = np.log(counts / counts.sum(axis=1, keepdims=True))
        return cls(vocab, classes, logp.T.copy())

    def save(self, path: Path) -> None:
        vocab = sorted(self._vocab, key=self._vocab.__getitem__)
        np.savez_compressed(
            path,
            vocab=np.array("\n".join(vocab)),
            classes=np.array([f"{s}|{n}" for s, n in self._classes]),
            logp=self._logp_t.astype(np.float16),
        )

    @classmethod
    def load(cls, path: Path | None = None) -> NgramModel:
        """The model trained on the shipped corpus (``scripts/make_criteria_corpus.py``)."""
        source = path or resources.files(__package__).joinpath(MODEL_FILE)
        with source.open("rb") as handle, np.load(handle) as data:
            vocab = str(data["vocab"]).split("\n")
            classes = [
                (c.rsplit("|", 1)[0], int(c.rsplit("|", 1)[1])) for c in data["classes"].tolist()
            ]
            return cls(vocab, classes, data["logp"])

    @property
    def size(self) -> tuple[int, int]:
        """(features, classes)."""
        return self._logp_t.shape  # type: ignore[return-value]

    def scores(
        self,
        text: str,
        set_code: str,
        feats: set[str] | None = None,
        cols: list[int] | None = None,
    ) -> list[tuple[int, float]]:
        """(criterion number, probability) for every class of the set, most likely first;
        number 0 is "not about the criteria". ``feats``: ``features(text)`` if known;
        ``cols``: its :meth:`columns`, if known."""
        found = self._by_set.get(set_code)
        if found is None:
            return []
        start, end, numbers = found
        if cols is None:
            cols = self.columns(text, feats)
        if not cols:
            return [(number, 1.0 / len(numbers)) for number in numbers]
        # Tempered: n-grams overlap, so their evidence is far from independent.
        logits = self._logp_t[cols, start:end].sum(axis=0) / max(1.0, len(cols) / _TEMPER)
        weights = np.exp(logits - logits.max())
        probs = weights / weights.sum()
        order = np.argsort(-probs)
        return [(numbers[i], float(probs[i])) for i in order]
