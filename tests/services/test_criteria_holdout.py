"""Issue 19, item 1: training and evaluation data are kept apart.

The hold-outs (``tests/data/holdout/``) are written before a round changes anything and are
scored by ``bench/score_holdout.py`` only; no test asserts an accuracy on them (a failing
test would invite tuning on them). What is checked here is the protocol: the corpus script
reads the training folder only, no hold-out question is in the shipped corpus (after folding:
lower case, no diacritics, whitespace collapsed), the hold-outs share no question with the
training files, and the round-3 hold-out is big enough and covers every criterion of both
national sets.
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import pytest
import yaml

from bot.services.criteria import Catalog
from bot.services.criteria.learned import load_corpus
from bot.services.vntext import fold

ROOT = Path(__file__).resolve().parents[2]
HOLDOUT = ROOT / "tests" / "data" / "holdout"
TRAINING = ROOT / "tests" / "data" / "training"
SCRIPT = ROOT / "scripts" / "make_criteria_corpus.py"
NATIONAL = ("ntm-2021-2025", "ntm-2026-2030")


def folded(text: str) -> str:
    return " ".join(fold(text).lower().split())


def questions(folder: Path) -> dict[str, list[dict]]:
    return {
        p.name: yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.yaml"))
    }


def test_no_holdout_question_is_in_the_corpus() -> None:
    corpus = {folded(e.text) for e in load_corpus()}
    leaked = [
        (name, item["q"])
        for name, items in questions(HOLDOUT).items()
        for item in items
        if folded(item["q"]) in corpus
    ]
    assert not leaked


def test_holdout_shares_no_question_with_the_training_files() -> None:
    training = {folded(i["q"]) for items in questions(TRAINING).values() for i in items}
    held = {folded(i["q"]) for items in questions(HOLDOUT).values() for i in items}
    assert not held & training


def test_corpus_script_reads_the_training_folder_only() -> None:
    spec = importlib.util.spec_from_file_location("make_criteria_corpus", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert Path(module.TRAINING).resolve() == TRAINING.resolve()
    # No string in the script's code (its docstring aside) names the hold-out folder.
    tree = ast.parse(SCRIPT.read_text(encoding="utf-8"))
    first = tree.body[0]
    doc = first.value.value if isinstance(first, ast.Expr) else None
    strings = [
        n.value
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and n.value != doc
    ]
    assert not [s for s in strings if "holdout" in s.lower() or "hold-out" in s.lower()]


@pytest.mark.parametrize(("name", "least"), [("round3_vi.yaml", 200), ("round3_en.yaml", 60)])
def test_round3_holdout_is_big_and_covers_both_national_sets(name: str, least: int) -> None:
    items = questions(HOLDOUT)[name]
    assert len(items) >= least
    asked = [(i["set"], folded(i["q"])) for i in items]
    assert len(set(asked)) == len(asked)
    catalog = Catalog.builtin()
    covered = {(i["set"], i["expect"]) for i in items}
    for code in NATIONAL:
        numbers = {c.number for c in catalog.get(code).criteria}
        assert {n for s, n in covered if s == code and n is not None} == numbers, code
    assert any(i["expect"] is None for i in items)  # some chatter too


DEV_ROUNDS = {
    n: [ROOT / "tests" / "data" / f"dev_round{n}_{lang}.yaml" for lang in ("vi", "en")]
    for n in [*range(4, 13), "12b"]
}
DEV_FILES = sorted((ROOT / "tests" / "data").glob("dev_*.yaml"))


def test_rounds_4_to_12b_are_development_data_and_not_trained_on() -> None:
    """Rounds 4 to 12 and 12b were scored as hold-outs (at their round's start and once after merge),
    then became development data: they are no longer in the hold-out folder, and none of their
    questions, nor any other dev file's (round 3's, the engineers' probes), is in the training
    files or corpus (their misses taught the kinds of failure; the fixes had to generalise)."""
    for n in DEV_ROUNDS:
        assert not list(HOLDOUT.glob(f"round{n}_*.yaml")), n
    corpus = {folded(e.text) for e in load_corpus()}
    training = {folded(i["q"]) for items in questions(TRAINING).values() for i in items}
    assert all(path in DEV_FILES for paths in DEV_ROUNDS.values() for path in paths)
    dev = {folded(i["q"]) for path in DEV_FILES for i in yaml.safe_load(path.read_text("utf-8"))}
    assert len(dev) >= 3600
    assert not dev & corpus
    assert not dev & training
