"""Score the round-3 dev file (tuning data): ``python bench/score_dev.py [--misses]``.

Unlike ``score_holdout.py`` this may print the misses: the dev file is for tuning.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from score_holdout import ablate, asker, outcome  # noqa: E402

from bot.services.criteria import Catalog, CriteriaIndex  # noqa: E402

FILE = ROOT / "tests" / "data" / "dev_round3.yaml"
_ENGLISH = frozenset("the is are does do how what who where can my our we there have has".split())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--misses", action="store_true")
    parser.add_argument("--without", choices=("rules", "model"))
    parser.add_argument("--ablate", choices=("english", "dialect", "frame", "styles"))
    args = parser.parse_args()
    index = CriteriaIndex(Catalog.builtin(), model=ablate(args.ablate))
    ask = asker(index, args.without)
    sums = {"vi": [0, 0, 0], "en": [0, 0, 0]}
    for item in yaml.safe_load(FILE.read_text(encoding="utf-8")):
        words = set(item["q"].lower().replace("?", " ").split())
        lang = "en" if item["q"].isascii() and words & _ENGLISH else "vi"
        result = ask(item["q"], item["set"])
        top, among = outcome(item, result)
        sums[lang][0] += 1
        sums[lang][1] += top
        sums[lang][2] += among
        if args.misses and not top:
            got = f"{result.kind} {result.best.number if result.best else ''} {[c.number for c in result.candidates]}"
            print(f"MISS [{item['set'][-4:]}] {item['q']!r} expected {item['expect']} got {got}")
    for lang, (n, top, among) in sums.items():
        print(f"dev {lang}: {n} questions, top-1 {top / n:.1%}, among choices {among / n:.1%}")


if __name__ == "__main__":
    main()
