"""k-fold cross-validation of the criteria matcher on the labelled corpus:
``python bench/bench_criteria_kfold.py [--folds 5] [--grid]``.

Folds are made of seed groups (every spelling and template of one keyword or FAQ stays in
one fold), so a fold's questions were never seen in training. For each fold the learned
model is trained on the other folds and blended with the rules, exactly as
``CriteriaIndex.ask`` does. Prints top-1 accuracy and "the right criterion is among what
the resident is offered" for the rules alone, the model alone and the blend. ``--grid``
also searches the blend's thresholds on these cross-validated predictions.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import json  # noqa: E402

from bot.services.criteria import (  # noqa: E402
    Catalog,
    CriteriaIndex,
    blending,  # noqa: E402
)
from bot.services.criteria.learned import Example, NgramModel, catalog_examples  # noqa: E402

CORPUS = ROOT / "bot" / "services" / "criteria" / "corpus.json"


def outcome(number: int, result: object) -> tuple[bool, bool]:
    if number == 0:
        ok = result.kind == "offtopic"
        return ok, ok
    top = result.kind == "match" and result.best is not None and result.best.number == number
    offered = ((result.best,) if result.best is not None else ()) + tuple(result.candidates)
    return top, top or any(c.number == number for c in offered)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--grid", action="store_true")
    args = parser.parse_args()
    rows = json.loads(CORPUS.read_text(encoding="utf-8"))["examples"]
    catalog = Catalog.builtin()
    index = CriteriaIndex(catalog, model=None)
    sets = {s.code: s for s in catalog.sets()}
    cached: list[tuple[list, object, list]] = []  # (row, rules result, model probs)
    for fold in range(args.folds):
        test = [r for r in rows if zlib.crc32(r[3].encode()) % args.folds == fold]
        train = [
            Example(r[0], int(r[1]), r[2])
            for r in rows
            if zlib.crc32(r[3].encode()) % args.folds != fold
        ]
        model = NgramModel.train(train + catalog_examples(catalog.sets()))
        for r in test:
            cached.append((r, index.rules(r[2], r[0]), model.scores(r[2], r[0])))

    def score(params: tuple[float, float, float, float] | None) -> tuple[float, float, float]:
        if params is not None:
            blending._P_SWITCH, blending._S_KEEP, blending._P_UNSURE, blending._P_OFFTOPIC = params
        tops = among = unsure = unsure_ok = 0
        for r, rules, probs in cached:
            result = rules
            if not (rules.kind == "list" or rules.score >= 1.0):
                result = blending.blend(rules, probs, sets[r[0]], r[2])
            top, inside = outcome(int(r[1]), result)
            tops += top
            among += inside
            if result.kind == "unsure":
                unsure += 1
                unsure_ok += inside
        n = len(cached)
        return tops / n, among / n, (unsure_ok / unsure if unsure else 1.0)

    n = len(cached)
    rules_top = sum(outcome(int(r[1]), res)[0] for r, res, _ in cached) / n
    rules_among = sum(outcome(int(r[1]), res)[1] for r, res, _ in cached) / n
    model_top = sum((p[0][0] == int(r[1])) for r, _, p in cached) / n
    model_top3 = sum(int(r[1]) in [k for k, _ in p[:3]] for r, _, p in cached) / n
    defaults = (blending._P_SWITCH, blending._S_KEEP, blending._P_UNSURE, blending._P_OFFTOPIC)
    print(f"corpus: {n} questions, {args.folds} folds by seed group")
    print("| measure | value |")
    print("|---|---|")
    print(f"| rules alone, top-1 | {rules_top:.2%} |")
    print(f"| rules alone, right among offered | {rules_among:.2%} |")
    print(f"| model alone, top-1 | {model_top:.2%} |")
    print(f"| model alone, right in its top 3 | {model_top3:.2%} |")
    top, among, unsure = score(defaults)
    print(f"| blend, top-1 | {top:.2%} |")
    print(f"| blend, right among offered (match + related, or choices) | {among:.2%} |")
    print(f"| blend, unsure answers whose choices hold the right one | {unsure:.2%} |")
    if args.grid:
        best = max(
            itertools.product(
                (0.8, 0.9, 0.97), (0.2, 0.35, 0.5), (0.4, 0.5, 0.6, 0.8), (0.6, 0.8, 0.9, 0.97)
            ),
            key=lambda p: score(p)[0],
        )
        print("grid best", best, score(best))


if __name__ == "__main__":
    main()
