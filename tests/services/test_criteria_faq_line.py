"""Issue 19, item 5: the leading FAQ line is shown only when it answers the question asked.

The FAQ closest to a question still helps rank the criteria, but it is shown first only from
a separate, higher similarity, with the "how much" frame ("tỷ lệ", "bao nhiêu", "phần
trăm") left out of the comparison and a number question answered only by a number FAQ.
"""

from __future__ import annotations

import pytest

from bot.services.criteria import CriteriaIndex

SETS = ("ntm-2021-2025", "ntm-2026-2030")


@pytest.mark.parametrize("set_code", SETS)
@pytest.mark.parametrize(
    "question",
    [
        "làm đường ngõ xóm phải rộng mấy mét",  # got "Nhà nước hỗ trợ một phần…"
        "đường ngõ xóm rộng bao nhiêu là đạt",
        "Làm đường thôn rộng bao nhiêu mét?",
        "đèn đường hỏng báo ai",  # not "Đường xóm hỏng thì báo ai?"
        "hộ nghèo được hỗ trợ gì",  # not "Tỷ lệ hộ nghèo phải dưới bao nhiêu?"
        "tỷ lệ hộ có nước sạch phải bao nhiêu",
    ],
)
def test_faq_about_something_else_is_not_shown(
    index: CriteriaIndex, question: str, set_code: str
) -> None:
    result = index.ask(question, set_code)
    assert result.faq is None, result.faq


@pytest.mark.parametrize(
    ("question", "set_code", "faq_start"),
    [
        ("Xem bản đồ quy hoạch ở đâu vậy", "ntm-2026-2030", "Xem bản đồ quy hoạch"),
        ("xây nhà có phải xin phép không", "ntm-2026-2030", "Xây nhà ở quê"),
        ("đường hỏng báo ai", "ntm-2026-2030", "Đường xóm hỏng"),
        ("bảo hiểm y tế phải đạt bao nhiêu phần trăm", "ntm-2021-2025", "Bảo hiểm y tế phải"),
        ("làm đường ngõ xóm dân có phải đóng góp không", "ntm-2021-2025", "Làm đường ngõ xóm"),
    ],
)
def test_faq_that_answers_the_question_is_shown(
    index: CriteriaIndex, question: str, set_code: str, faq_start: str
) -> None:
    result = index.ask(question, set_code)
    assert result.faq is not None and result.faq.question.startswith(faq_start)
