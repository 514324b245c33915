"""Round 11: the logistic regression beside the naive Bayes (linear.py) and the learned second
stage that merges them with the rules (reranker.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from bot.services.criteria import Catalog, CriteriaIndex, MatchResult
from bot.services.criteria.learned import Example, NgramModel
from bot.services.criteria.linear import LinearModel
from bot.services.criteria.reranker import FEATURES, Ranker, Stage, feature_rows

ROOT = Path(__file__).resolve().parents[2]
CATALOG = Catalog.builtin()
SET = CATALOG.get("ntm-2021-2025")


def test_shipped_stage_knows_every_class_of_the_naive_bayes() -> None:
    stage, model = Stage.load(), NgramModel.load()
    assert stage.linear.size[1] == model.size[1]
    assert len(stage.ranker.weights) == len(FEATURES)
    for criteria_set in CATALOG.sets():
        code = criteria_set.code
        assert stage.linear.knows(code)
        numbers = {n for n, _ in stage.linear.scores("đường làng", code)}
        assert numbers == {n for n, _ in model.scores("đường làng", code)}
        assert numbers == {0} | {c.number for c in criteria_set.criteria}


def test_regression_gives_probabilities_most_likely_first() -> None:
    scores = Stage.load().linear.scores(
        "nước giếng nhà em bị đục, có được hỗ trợ lọc không", SET.code
    )
    probs = [p for _, p in scores]
    assert sum(probs) == pytest.approx(1.0, abs=1e-4)
    assert probs == sorted(probs, reverse=True)
    assert scores[0][0] == 17  # clean water is the environment criterion of 2021–2025


def _ranker() -> Ranker:
    return Stage.load().ranker


def test_a_sure_rules_match_stays_first_and_models_add_choices() -> None:
    road, water = SET.criterion(2), SET.criterion(17)
    sure = MatchResult("match", road, (), 0.9)
    result = _ranker().rank(
        sure, [(17, 0.97), (2, 0.02), (0, 0.01)], [(17, 0.9), (2, 0.1)], SET, "x"
    )
    assert result.kind == "match" and result.best is road and water in result.candidates


def test_an_unsure_answer_becomes_the_match_both_models_agree_on() -> None:
    road, water = SET.criterion(2), SET.criterion(17)
    unsure = MatchResult("unsure", None, (road, water), 0.15)
    nb = [(17, 0.9), (2, 0.05), (0, 0.05)]
    result = _ranker().rank(unsure, nb, [(17, 0.85), (2, 0.1), (0, 0.05)], SET, "nuoc gieng duc")
    assert result.kind == "match" and result.best is water


def test_one_content_word_stays_unsure() -> None:
    road, water = SET.criterion(2), SET.criterion(17)
    unsure = MatchResult("unsure", None, (road, water), 0.15)
    nb = [(17, 0.7), (2, 0.2), (5, 0.1)]
    result = _ranker().rank(unsure, nb, nb, SET, "an toàn")
    assert result.kind == "unsure" and {c.number for c in result.candidates} >= {2, 17}


def test_chatter_stays_chatter() -> None:
    chatter = MatchResult("offtopic", None, (), 0.0)
    nb = [(0, 0.95), (2, 0.05)]
    assert _ranker().rank(chatter, nb, nb, SET, "tối nay đá bóng").kind == "offtopic"


def test_feature_rows_mark_the_rules_choices() -> None:
    road, water = SET.criterion(2), SET.criterion(17)
    result = MatchResult("match", road, (water,), 0.5)
    numbers, rows = feature_rows(result, [(2, 0.6), (17, 0.3), (0, 0.1)], [(17, 0.5)], 4)
    at = {name: i for i, name in enumerate(FEATURES)}
    assert numbers == [2, 17, 0]
    assert rows[0, at["rules_best"]] == 1 and rows[0, at["rules_best_score"]] == 0.5
    assert rows[1, at["rules_related_1"]] == 1 and rows[1, at["lr_top"]] == 1
    assert rows[2, at["chatter_match"]] == 1 and rows[2, at["rules_best"]] == 0


def test_models_read_the_question_without_scene_and_medium_words() -> None:
    index = CriteriaIndex(CATALOG, model=None, stage=None)
    assert "nhap" not in index.model_text("sau sáp nhập xã, trạm y tế cũ còn khám không").split()
    assert "app" not in index.model_text("có app nào tra lịch tiêm chủng ở trạm y tế không").split()
    assert index.model_text("sáp nhập xã") == "sáp nhập xã"  # nothing else is asked


def test_without_the_stage_the_old_blend_answers() -> None:
    index = CriteriaIndex(CATALOG, stage=None)
    assert index.ask("đường bê tông vào xóm bị nứt toác, ai sửa", SET.code).best.number == 2


def test_the_second_stage_is_fitted_on_early_rounds_only() -> None:
    """Rounds 7 and 8 measure the second stage: they are never among its fitting data."""
    path = ROOT / "scripts" / "criteria_ranker.py"
    spec = importlib.util.spec_from_file_location("criteria_ranker", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    names = [p.name for p in module.FIT_FILES]
    assert all(p.exists() for p in module.FIT_FILES)
    assert not [
        n
        for n in names
        if n.startswith(("dev_round7_vi", "dev_round7_en", "dev_round8_vi", "dev_round8_en"))
    ]
    assert not [n for n in names if "holdout" in n or "round9" in n]


def test_regression_trains_and_round_trips() -> None:
    pytest.importorskip("sklearn")
    examples = [
        Example("s", 1, "đường làng bê tông"),
        Example("s", 1, "đường thôn bị hỏng"),
        Example("s", 2, "nước sạch giếng khoan"),
        Example("s", 2, "nước giếng bị đục"),
        Example("s", 0, "tối nay đá bóng"),
        Example("s", 0, "tối nay ăn gì"),
    ]
    model = LinearModel.train(examples)
    again = LinearModel.from_arrays(model.arrays())
    assert model.scores("đường làng hỏng", "s")[0][0] == 1
    assert again.scores("nước giếng", "s")[0][0] == 2
    a = dict(model.scores("tối nay", "s"))
    b = dict(again.scores("tối nay", "s"))
    assert np.allclose([a[k] for k in a], [b[k] for k in a], atol=1e-2)


def test_both_shipped_models_number_features_alike_so_one_lookup_serves_both() -> None:
    """The naive Bayes and the regression are trained on the same examples with the same
    feature threshold: one question's vocabulary columns serve both (round 12's speed-up),
    and the regression's scores from the shared columns are its own."""
    nb, stage = NgramModel.load(), Stage.load()
    assert nb.same_vocabulary(stage.linear)
    text, code = "đường thôn bị ngập khi mưa", "ntm-2021-2025"
    cols = nb.columns(text)
    assert stage.linear.scores(text, code, cols=cols) == stage.linear.scores(text, code)


def test_cached_tokens_are_a_fresh_list_each_time() -> None:
    from bot.services.criteria.text import basic_tokens

    first = basic_tokens("đường làng")
    first.append("rac")
    assert basic_tokens("đường làng") == ["duong", "lang"]
