"""Score the hold-out files in ``tests/data/holdout``: ``python bench/score_holdout.py``.

Prints aggregate figures only (top-1, and "the right criterion among what the resident is
offered": the best match or one of the choices of an unsure answer), per file, per set and
per writing style; never the individual misses. The hold-out is scored at the start of a
round and at its end, and is never tuned on.

``--without rules|model`` scores an ablation: the learned model alone, or the rules alone.
``--ablate PART`` switches off one part added in round 6 (issue 19), the rest unchanged:
``english`` (English read as English), ``dialect`` (regional words), ``frame`` (the "how
much" frame is form, not topic), ``styles`` (the corpus's style templates; the model is
retrained without them in memory); round 7 (issue 19): ``scene`` (merger words set the scene),
``marks`` (a whole syllable typed with its marks is never corrected); round 8: ``story``
(a story's question sentence asked again), ``long`` (a long message takes the model's pick
from 60%), ``medium`` (app, QR, Zalo as the medium), ``typography`` (dashes and curly quotes
in English), ``place`` (a place before "có … không" is short), ``gap`` (a phrase split by a word or two);
round 11: ``ranker`` (the logistic regression and the learned second stage, reranker.py;
blending.py's hand-set thresholds over the naive Bayes instead).
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.services.criteria import Catalog, CriteriaIndex  # noqa: E402

HOLDOUT = ROOT / "tests" / "data" / "holdout"
ABLATIONS = (
    "english",
    "dialect",
    "frame",
    "styles",
    "scene",
    "marks",
    "story",
    "long",
    "medium",
    "typography",
    "place",
    "gap",
    "ranker",
)


def outcome(item: dict, result: object) -> tuple[bool, bool]:
    """(top-1 right, right among what the resident is offered)."""
    expect = item["expect"]
    want_set = item.get("expect_set", item["set"])
    if expect is None:
        ok = result.kind == "offtopic"
        return ok, ok

    def right(c: object) -> bool:
        return c is not None and c.number == expect and c.set_code == want_set

    top = result.kind == "match" and right(result.best)
    offered = (result.best,) if result.kind == "match" else ()
    offered += tuple(result.candidates)
    return top, top or any(right(c) for c in offered)


def asker(index: CriteriaIndex, without: str | None):  # type: ignore[no-untyped-def]
    if without == "model":
        return index.rules
    if without == "rules":
        return index.model_only
    return index.ask_any


def ablate(part: str | None) -> object:
    """Switch off ``part`` (monkeypatching this process only); the model to use, or "shipped"."""
    if part == "english":
        from bot.services.criteria import english

        english.is_english = lambda text: False
    elif part == "dialect":
        from bot.services.criteria import text

        text.standard_words = lambda words: words
        text._basic_tokens.cache_clear()
    elif part == "frame":
        from bot.services.criteria import analysis, query_text, ranking

        new = {"ty le", "phan tram", "muc dat", "toi thieu", "le ho", "le nguoi"}
        analysis._FORM_PHRASES = query_text._FORM_PHRASES - new
        ranking._FRAME_WORDS = frozenset()
    elif part == "scene":
        from bot.services.criteria import analysis

        analysis.context_words = lambda folded: set()
    elif part == "marks":
        from bot.services.criteria import analysis

        analysis.KEEP_TYPED_SYLLABLES = False
    elif part == "story":
        from bot.services.criteria import matcher

        matcher.question_part = lambda text: None
    elif part == "long":
        from bot.services.criteria import blending

        blending._P_OFFTOPIC_LONG = blending._P_OFFTOPIC
    elif part == "medium":
        from bot.services.criteria import analysis

        analysis._Analysis._medium = lambda self, tokens, others: set()
    elif part == "typography":
        from bot.services.criteria import english

        english._TYPOGRAPHY = {}
    elif part == "place":
        from bot.services.criteria import analysis

        analysis._PLACE_MAX_WORDS = 99
    elif part == "gap":
        from bot.services.criteria import analysis

        analysis._GAP_WINDOW = 0
    elif part == "ranker":
        from bot.services.criteria import reranker

        reranker.Stage.load = classmethod(lambda cls, path=None: None)  # blending.py instead
    elif part == "styles":
        import importlib.util

        from bot.services.criteria.learned import Example, NgramModel, catalog_examples

        spec = importlib.util.spec_from_file_location(
            "make_criteria_corpus", ROOT / "scripts" / "make_criteria_corpus.py"
        )
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.STYLE_TEMPLATES = {}
        catalog = Catalog.builtin()
        rows = module.build_rows(catalog)
        return NgramModel.train(
            [Example(r[0], int(r[1]), str(r[2])) for r in rows] + catalog_examples(catalog.sets())
        )
    return "shipped"


def score(
    files: list[Path], without: str | None = None, part: str | None = None
) -> dict[str, tuple[int, int, int]]:
    index = CriteriaIndex(Catalog.builtin(), model=ablate(part))
    ask = asker(index, without)
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for path in files:
        for item in yaml.safe_load(path.read_text(encoding="utf-8")):
            top, among = outcome(item, ask(item["q"], item["set"]))
            style = item.get("style", "-")
            for key in (path.stem, f"{path.stem} {item['set']}", f"{path.stem} ~{style}"):
                sums[key][0] += 1
                sums[key][1] += top
                sums[key][2] += among
    return {k: (v[0], v[1], v[2]) for k, v in sums.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--without", choices=("rules", "model"))
    parser.add_argument("--ablate", choices=ABLATIONS)
    parser.add_argument("--brief", action="store_true", help="per file and set only")
    args = parser.parse_args()
    files = sorted(HOLDOUT.glob("*.yaml"))
    for key, (n, top, among) in sorted(score(files, args.without, args.ablate).items()):
        if args.brief and "~" in key:
            continue
        print(f"{key:40} {n:4}  top-1 {top / n:6.1%}  among choices {among / n:6.1%}")


if __name__ == "__main__":
    main()
