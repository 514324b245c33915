"""Score development question files (tuning data): ``python bench/score_dev.py [--misses]``.

By default every ``tests/data/dev_*.yaml``: round 3's dev file, rounds 4 to 12 (independent
hold-outs, each scored once by the lead; development data since) and the engineers' probes.
``--file PATH`` (repeatable) scores other files, e.g. the history hold-outs. Unlike
``score_holdout.py`` this may print the misses (``--misses``): the dev files are for tuning,
so their figures are no estimate for unseen questions.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from score_holdout import ABLATIONS, ablate, asker, outcome  # noqa: E402

from bot.services.criteria import Catalog, CriteriaIndex  # noqa: E402

DEV = ROOT / "tests" / "data"
DEFAULT_FILES = sorted(DEV.glob("dev_*.yaml"))
_ENGLISH = frozenset("the is are does do how what who where can my our we there have has".split())


def language(item: dict) -> str:
    words = set(item["q"].lower().replace("?", " ").split())
    return "en" if item["q"].isascii() and words & _ENGLISH else "vi"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--file", type=Path, action="append", help="a question file to score")
    parser.add_argument("--misses", action="store_true")
    parser.add_argument("--styles", action="store_true", help="per writing style too")
    parser.add_argument("--without", choices=("rules", "model"))
    parser.add_argument("--ablate", choices=ABLATIONS)
    args = parser.parse_args()
    index = CriteriaIndex(Catalog.builtin(), model=ablate(args.ablate))
    ask = asker(index, args.without)
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for path in args.file or DEFAULT_FILES:
        for item in yaml.safe_load(path.read_text(encoding="utf-8")):
            result = ask(item["q"], item["set"])
            top, among = outcome(item, result)
            keys = [path.stem, f"{path.stem} {language(item)}", f"{path.stem} {item['set']}"]
            if args.styles:
                keys.append(f"{path.stem} ~{item.get('style', '-')}")
            for key in keys:
                sums[key][0] += 1
                sums[key][1] += top
                sums[key][2] += among
            if args.misses and not top:
                best = result.best.number if result.best else ""
                got = f"{result.kind} {best} {[c.number for c in result.candidates]}"
                print(
                    f"MISS{'' if among else '!'} [{item['set'][-4:]}|{item.get('style', '-')}] "
                    f"{item['q']!r} expected {item['expect']} got {got}"
                )
    for key, (n, top, among) in sorted(sums.items()):
        print(f"{key:40} {n:4}  top-1 {top / n:6.1%}  among choices {among / n:6.1%}")


if __name__ == "__main__":
    main()
