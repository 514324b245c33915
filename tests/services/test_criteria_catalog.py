"""The criteria catalog: shipped sets, validation, overrides and matcher units."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.services.criteria import (
    Catalog,
    CatalogError,
    CriteriaIndex,
    Faq,
)
from bot.services.criteria.text import (
    expand_abbreviations,
    find_number_mentions,
    parse_number_words,
    telex_clean,
)

DATA = Path(__file__).resolve().parents[1] / "data"
OLD, NEW = "ntm-2021-2025", "ntm-2026-2030"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.builtin()


@pytest.fixture(scope="module")
def index(catalog: Catalog) -> CriteriaIndex:
    return CriteriaIndex(catalog)


# -- shipped sets ------------------------------------------------------------------------
def test_builtin_sets_load(catalog: Catalog) -> None:
    codes = {s.code for s in catalog.sets()}
    assert {OLD, NEW, "ha-tinh-kdc-kieu-mau", "ha-tinh-vuon-mau", "ha-tinh-kdc-thong-minh"} <= codes
    new = catalog.get(NEW)
    assert len(new.criteria) == 10
    assert new.declared_indicators == 47
    assert [c.number for c in new.criteria] == list(range(1, 11))
    old = catalog.get(OLD)
    assert len(old.criteria) == 19
    assert old.declared_indicators == 57
    assert catalog.get("ha-tinh-vuon-mau").level == "garden"
    assert catalog.get("ha-tinh-kdc-kieu-mau").province == "Hà Tĩnh"
    assert new.province is None


def test_every_criterion_is_complete(catalog: Catalog) -> None:
    for criteria_set in catalog.sets():
        for criterion in criteria_set.criteria:
            assert 3 <= len(criterion.faqs) <= 6, criterion.title
            assert criterion.keywords and criterion.village_asks and criterion.household_asks
            assert criterion.indicators, criterion.title
            for indicator in criterion.indicators:
                assert indicator.code.startswith(f"{criterion.number}.")
                assert indicator.source


def test_titles(catalog: Catalog) -> None:
    assert catalog.get(OLD).criterion(17).title == "Tiêu chí 17 – Môi trường và an toàn thực phẩm"
    assert catalog.get(NEW).criterion(8).title == "Tiêu chí 8 – Môi trường và cảnh quan nông thôn"
    assert catalog.get(NEW).criterion(11) is None


def test_unconfirmed_numbers_are_marked(catalog: Catalog) -> None:
    indicator = catalog.get(OLD).criterion(15).indicator("15.1")
    assert indicator is not None and not indicator.confirmed
    assert indicator.shown_thresholds() == ()
    hedge = catalog.get("ha-tinh-kdc-kieu-mau").criterion(3).indicator("3.1")
    assert hedge is not None and hedge.confirmed
    assert [t.value for t in hedge.shown_thresholds()] == ["≥ 70%"]


def test_in_force_by_date(catalog: Catalog) -> None:
    assert catalog.in_force(date(2026, 2, 14)).code == OLD
    assert catalog.in_force(date(2026, 2, 15)).code == NEW
    assert catalog.in_force(date(2029, 1, 1)).code == NEW
    with pytest.raises(KeyError):
        catalog.in_force(date(2020, 1, 1))
    garden = catalog.in_force(date(2026, 3, 1), level="garden", province="Ha Tinh")
    assert garden.code == "ha-tinh-vuon-mau"


def test_counterpart_and_successors(catalog: Catalog) -> None:
    old, new = catalog.get(OLD), catalog.get(NEW)
    assert catalog.counterpart(OLD) is new
    assert catalog.counterpart(NEW) is old
    assert catalog.counterpart("ha-tinh-vuon-mau") is None
    assert old.criterion(17).successors == (8,)
    # Every link is known on both sides.
    for a, b in ((old, new), (new, old)):
        for criterion in a.criteria:
            assert criterion.successors, criterion.title
            for number in criterion.successors:
                target = b.criterion(number)
                assert target is not None, (criterion.title, number)
                assert criterion.number in target.successors, (criterion.title, number)


# -- validation and overrides ------------------------------------------------------------
def test_bad_file_is_refused_with_field_and_line() -> None:
    catalog = Catalog.builtin()
    before = catalog.get(NEW)
    with pytest.raises(CatalogError) as caught:
        catalog.load_file(DATA / "criteria_bad_indicator.yaml")
    error = caught.value
    assert error.path == "criteria[0].indicators[1].code"
    assert error.line == 24
    message = str(error)
    assert "criteria_bad_indicator.yaml:24" in message
    assert "criteria[0].indicators[1].code" in message
    assert "\n" not in message
    assert catalog.get(NEW) is before  # nothing changed


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ("code: x\n", "level"),
        ("code: x\nname: n\nlevel: commune\ndocument: d\nvalid_from: 2026-01-01\n", "criteria"),
        (
            "code: Bad Code\nname: n\nlevel: commune\ndocument: d\nvalid_from: 2026-01-01\n"
            "criteria: []\n",
            "code",
        ),
        ("code: x\nname: n\nlevel: province\ndocument: d\nvalid_from: 2026-01-01\n", "level"),
        ("code: x\nname: n\nlevel: commune\ndocument: d\nvalid_from: someday\n", "valid_from"),
        ("- just\n- a list\n", ""),
        (
            "code: x\nname: n\nlevel: commune\ndocument: d\nvalid_from: 2026-01-01\ncriteria:\n"
            "  - {number: 1, name: a, summary: s, village_asks: v, household_asks: h,\n"
            "     keywords: [k], faqs: [], source: s}\n"
            "  - {number: 1, name: b, summary: s, village_asks: v, household_asks: h,\n"
            "     keywords: [k], faqs: [], source: s}\n",
            "criteria[1].number",
        ),
    ],
)
def test_validation_names_the_field(text: str, path: str) -> None:
    with pytest.raises(CatalogError) as caught:
        Catalog().load_text(text, source_name="inline.yaml")
    assert caught.value.path == path
    assert str(caught.value).startswith("inline.yaml:")


def test_invalid_yaml_reports_line() -> None:
    with pytest.raises(CatalogError) as caught:
        Catalog().load_text("code: x\nname: [unclosed\n", source_name="broken.yaml")
    assert caught.value.line is not None
    assert "invalid YAML" in str(caught.value)


def test_override_replaces_a_set() -> None:
    catalog = Catalog.builtin()
    loaded = catalog.load_file(DATA / "criteria_override.yaml")
    assert catalog.get(NEW) is loaded
    assert len(loaded.criteria) == 1
    indicator = loaded.criteria[0].indicators[0]
    assert [(t.key, t.value, t.confirmed) for t in indicator.thresholds] == [
        ("group1", "100%", True),
        ("group2", "90%", False),
    ]
    assert len(catalog.sets()) == len(Catalog.builtin().sets())


# -- text helpers ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("tiêu chí 17 là gì", 17),
        ("TC 17", 17),
        ("tc17 nhà em", 17),
        ("tieu chi so 5", 5),
        ("tiêu chí số mười bảy", 17),
        ("tiêu chí thứ ba", 3),
        ("tieu chi hai muoi mot", 21),
        ("tiêu chí mười lăm", 15),
        ("chỉ tiêu 17.1 nước sạch", 17),
    ],
)
def test_number_parsing(text: str, number: int) -> None:
    assert find_number_mentions(text)[0].criterion == number


def test_plain_numbers_are_not_criteria() -> None:
    assert find_number_mentions("nhà tôi góp 500k, 1,5 triệu") == []
    assert find_number_mentions("giá lúa 7 nghìn 1 kg") == []
    assert find_number_mentions("chỉ tiêu 17.1")[0].indicator == "17.1"
    assert parse_number_words(["bay", "muoi", "lam"], 0) == (75, 3)


def test_abbreviations_and_telex() -> None:
    assert expand_abbreviations(["bhyt", "ko", "dc"]) == "bao hiem y te khong duoc".split()
    assert expand_abbreviations(["htx", "ntm", "ntn", "vs"]) == (
        "hop tac xa nong thon moi nhu the nao voi".split()
    )
    assert telex_clean("truowngf") == "truong"
    assert telex_clean("tieeu") == "tieu"


# -- matcher -----------------------------------------------------------------------------
def test_same_answer_with_and_without_diacritics(index: CriteriaIndex) -> None:
    a = index.ask("bảo hiểm y tế bắt buộc không", OLD)
    b = index.ask("bao hiem y te bat buoc khong", OLD)
    c = index.ask("bhyt bat buoc k", OLD)
    assert a.best is not None and a.best.number == 15
    assert b.best == a.best and c.best == a.best


def test_typos_and_glued_words(index: CriteriaIndex) -> None:
    for text in ("moitruong", "moi truogn", "phan loai racc", "nuoc sachh"):
        result = index.ask(text, NEW)
        assert result.kind == "match" and result.best is not None, text
        assert result.best.number == 8, text


def test_offtopic(index: CriteriaIndex) -> None:
    for text in ("thời tiết mai thế nào", "giá vàng hôm nay", "kết quả bóng đá", "chào bạn", ""):
        result = index.ask(text, NEW)
        assert result.kind == "offtopic", text
        assert result.best is None and result.candidates == ()


def test_unsure_gives_closest(index: CriteriaIndex) -> None:
    result = index.ask("an toàn", NEW)  # food safety, road safety, social safety net...
    assert result.kind == "unsure" and result.best is None
    assert 2 <= len(result.candidates) <= 5
    assert 8 in {c.number for c in result.candidates}


def test_list_request(index: CriteriaIndex) -> None:
    assert index.ask("có bao nhiêu tiêu chí", NEW).kind == "list"
    assert index.ask("các tiêu chí về môi trường", NEW).kind == "match"


def test_mentioned_other(index: CriteriaIndex, catalog: Catalog) -> None:
    result = index.ask("tiêu chí 17 là gì", NEW)
    assert result.kind == "match"
    assert result.mentioned_other is catalog.get(OLD).criterion(17)
    assert result.best is catalog.get(NEW).criterion(8)
    same = index.ask("tiêu chí 17 là gì", OLD)
    assert same.mentioned_other is None and same.best is catalog.get(OLD).criterion(17)
    back = index.ask("tiêu chí 8 môi trường và cảnh quan", OLD)
    assert back.mentioned_other is catalog.get(NEW).criterion(8)
    assert back.best is catalog.get(OLD).criterion(17)
    named = index.ask("tiêu chí giao thông", NEW)
    assert named.mentioned_other is catalog.get(OLD).criterion(2)
    assert named.best is catalog.get(NEW).criterion(2)


def test_faq_is_returned(index: CriteriaIndex) -> None:
    result = index.ask("giếng khoan có tính là nước sạch ko", NEW)
    assert result.faq is not None and "Giếng khoan" in result.faq.question


def test_add_faq_changes_the_answer(catalog: Catalog) -> None:
    index = CriteriaIndex(catalog)
    question = "lễ hội đua thuyền làng mình năm nay tổ chức ở bến sông nào"
    before = index.ask(question, NEW)
    assert before.faq is None
    faq = Faq("Lễ hội đua thuyền tổ chức ở đâu?", "Ở bến sông đầu làng, do thôn tổ chức.")
    index.add_faq(NEW, 5, faq)
    after = index.ask(question, NEW)
    assert after.kind == "match" and after.best is not None and after.best.number == 5
    assert after.faq == faq
    # The constructor takes saved answers too.
    again = CriteriaIndex(catalog, extra_faqs=[(NEW, 5, faq)])
    assert again.ask(question, NEW).faq == faq
    with pytest.raises(KeyError):
        index.add_faq(NEW, 42, faq)
