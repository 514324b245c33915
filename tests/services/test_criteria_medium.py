"""New technology as the medium, not the topic (issue 19, criteria round 8): "trên app",
"quét mã QR", "qua Zalo" say how a thing is done or seen; the catalog phrase beside them
names what the question is about. Alone, they are the digital-transformation topic."""

from __future__ import annotations

import pytest

from bot.services.criteria import CriteriaIndex


@pytest.mark.parametrize(
    ("question", "number"),
    [
        (
            "Có app nào tra được lịch tiêm chủng trên điện thoại không, quét mã QR ở trạm y "
            "tế có ra lịch không?",
            5,
        ),
        (
            "quét mã qr ở nhà văn hóa có ra lịch sinh hoạt câu lạc bộ văn nghệ không, hay phải cài app",
            5,
        ),
        ("có trang web nào xem quy hoạch sử dụng đất của xã không, quét mã qr ra gì", 1),
    ],
)
def test_the_topic_beside_the_medium_wins(index: CriteriaIndex, question: str, number: int) -> None:
    result = index.ask(question, "ntm-2026-2030")
    assert result.kind == "match" and result.best is not None
    assert result.best.number == number


def test_the_medium_alone_is_the_digital_topic(index: CriteriaIndex) -> None:
    result = index.ask("cài app vneid trên điện thoại thế nào", "ntm-2026-2030")
    assert result.kind == "match" and result.best is not None and result.best.number == 7
    assert index._medium("cai app vneid".split(), set()) == set()
    assert index._medium("xem quy hoach tren app".split(), set()) == {"app"}
