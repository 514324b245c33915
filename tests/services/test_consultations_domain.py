"""The consultation rules that need no database: what a secretary types, what a
ballot may hold (forged buttons), counting, and hostile text in the papers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.services.consultations.domain import (
    OTHER,
    Ballot,
    ConsultationInvalid,
    check_choices,
    check_closing,
    check_question,
    mask_choices,
    parse_options,
    percent,
    plain_label,
    tally,
)

NOW = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)


def test_options_typed_one_per_line_with_bullets_and_numbers() -> None:
    assert parse_options("1. Làm đường\n- Sửa cống\n\n• Lát gạch; Trồng cây") == [
        "Làm đường",
        "Sửa cống",
        "Lát gạch",
        "Trồng cây",
    ]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("chỉ một", "options_few"),
        ("\n".join(str(n) + " x" for n in range(11)), "options_many"),
        ("a\n" + "b" * 101, "option_long"),
        ("Có\ncó", "options_same"),
    ],
)
def test_bad_options_are_refused(text: str, reason: str) -> None:
    with pytest.raises(ConsultationInvalid) as refused:
        parse_options(text)
    assert refused.value.reason == reason


def test_question_and_closing_time() -> None:
    assert check_question("  Làm\x00 đường?\n\n bê tông ") == "Làm đường?\nbê tông"
    for text, reason in (("   ", "question_empty"), ("x" * 501, "question_long")):
        with pytest.raises(ConsultationInvalid) as refused:
            check_question(text)
        assert refused.value.reason == reason
    for when, reason in (
        (NOW - timedelta(minutes=1), "closes_past"),
        (NOW + timedelta(minutes=5), "closes_soon"),
        (NOW + timedelta(days=91), "closes_far"),
    ):
        with pytest.raises(ConsultationInvalid) as refused:
            check_closing(when, NOW)
        assert refused.value.reason == reason
    assert check_closing(NOW + timedelta(days=2), NOW) == NOW + timedelta(days=2)


def test_a_ballot_holds_only_what_the_buttons_offer() -> None:
    assert check_choices("single", 3, False, [2]) == ([2], "")
    assert check_choices("multi", 3, True, [2, 0, 2, OTHER], " tự  ghi ") == ([OTHER, 0, 2], "tự ghi")
    for kind, choices in (("single", [3]), ("single", [0, 1]), ("yes_no", []), ("single", [OTHER]), ("multi", [-2])):
        with pytest.raises(ConsultationInvalid):
            check_choices(kind, 3, False, choices)
    with pytest.raises(ConsultationInvalid) as refused:
        check_choices("single", 3, True, [OTHER], "  ")
    assert refused.value.reason == "other_empty"


def test_a_forged_mask_is_refused() -> None:
    assert mask_choices(0b101, 3, False) == [0, 2]
    assert mask_choices(0b1000, 3, True) == [OTHER]
    for mask in (0b1000, -1, 1 << 40):
        with pytest.raises(ConsultationInvalid):
            mask_choices(mask, 3, False)


def test_tally_shares_and_turnout() -> None:
    ballots = [
        Ballot("", (0,), "", NOW, 0),
        Ballot("", (0, 1), "", NOW, 0),
        Ballot("", (OTHER,), "ý khác", NOW, 0),
    ]
    count = tally(["A", "B"], "Khác", ballots, eligible=4)
    assert [(o.votes, o.percent) for o in count.options] == [(2, 67), (1, 33)]
    assert count.other is not None and (count.other.votes, count.other.percent) == (1, 33)
    assert count.voted == 3 and count.turnout_percent == 75 and count.other_texts == ["ý khác"]
    assert percent(0, 0) == 0 and percent(1, 2) == 50 and percent(2, 3) == 67


def test_hostile_text_in_the_papers() -> None:
    # formulas in the sheet of votes: tests/services/test_safefiles.py (every export)
    assert plain_label("Đường 🚧 bê tông ✅ $5$") == "Đường bê tông $5$"
    assert plain_label("✏️ Khác 👨‍👩‍👧") == "Khác"  # no stray selector or joiner left
