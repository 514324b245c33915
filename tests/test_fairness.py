"""The fair shares (issue 21, item 2 and 4), as pure logic with a fake clock."""

from __future__ import annotations

from bot.fairness import (
    PRESS_BURST,
    PRESS_LIMIT,
    SUMMARY_AFTER,
    SUMMARY_EVERY,
    FairGate,
    Traffic,
    Verdict,
)

GROUP = -100_500


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def mention(user: int, group: int = GROUP, *, command: bool = False) -> Traffic:
    return Traffic(
        "message", user, group, group=True, addressed=True, command=command, mention=not command
    )


def test_button_presses_count_toward_the_pressers_share() -> None:
    clock = Clock()
    gate = FairGate(clock=clock)
    verdicts = [gate.check(Traffic("callback", 7, 7)) for _ in range(1200)]
    assert verdicts[:PRESS_BURST] == [Verdict.OK] * PRESS_BURST
    assert set(verdicts[PRESS_BURST:]) == {Verdict.ALERT}  # every excess press is answered "too fast"
    assert gate.check(Traffic("callback", 8, 8)) == Verdict.OK  # someone else is unaffected
    clock.now += 60 / PRESS_LIMIT
    assert gate.check(Traffic("callback", 7, 7)) == Verdict.OK  # the share refills


def test_a_users_share_counts_across_chats() -> None:
    gate = FairGate(clock=Clock())
    groups = [GROUP - n for n in range(8)]
    verdicts = [gate.check(mention(7, g)) for g in groups]
    assert verdicts.count(Verdict.OK) == 6  # the person's burst, spread over eight groups
    assert gate.check(Traffic("message", 7, 7)) == Verdict.WARN  # and their private chat is over too


def test_a_person_is_answered_once_a_minute_in_a_group_and_the_rest_is_summed_up() -> None:
    clock = Clock()
    gate = FairGate(clock=clock)
    verdicts = [gate.check(mention(7)) for _ in range(28)]
    assert verdicts == [Verdict.OK] + [Verdict.QUIET] * 27
    assert gate.summary_due(GROUP) == SUMMARY_AFTER
    assert gate.summary_due(GROUP) is None  # scheduled once
    clock.now += SUMMARY_AFTER
    assert gate.take_summary(GROUP) == 27
    clock.now += 1
    assert gate.check(mention(7)) == Verdict.QUIET
    # the next summary waits for a minute after the last one
    assert gate.summary_due(GROUP) == SUMMARY_EVERY - 1
    clock.now += 60
    assert gate.check(mention(7)) == Verdict.OK  # a minute later: answered again
    assert gate.check(mention(7, command=True)) == Verdict.OK  # a command is not a mention
    follow_up = Traffic("message", 7, GROUP, group=True, addressed=True)  # a reply to the bot
    assert gate.check(follow_up) == Verdict.OK


def test_a_group_has_its_own_share() -> None:
    gate = FairGate(clock=Clock())
    verdicts = [gate.check(mention(1000 + n)) for n in range(30)]  # 30 new accounts, once each
    assert verdicts.count(Verdict.OK) == 5 and verdicts.count(Verdict.QUIET) == 25
    assert gate.check(mention(2000, GROUP - 1)) == Verdict.OK  # another group is not affected
    assert gate.check(Traffic("message", 1029, 1029)) == Verdict.OK  # nor anyone's private chat


def test_the_groups_own_conversation_is_not_counted() -> None:
    gate = FairGate(clock=Clock())
    chatter = Traffic("message", 7, GROUP, group=True, addressed=False)
    assert all(gate.check(chatter) == Verdict.OK for _ in range(50))
    assert gate.check(Traffic("message", 7, 7)) == Verdict.OK


def test_a_group_at_its_sending_limit_is_not_answered_but_counted() -> None:
    gate = FairGate(clock=Clock())
    full = Traffic("message", 7, GROUP, group=True, addressed=True, group_full=True)
    assert gate.check(full) == Verdict.QUIET
    assert gate.check(mention(7)) == Verdict.OK  # nothing was taken from anyone's share
    assert gate.summary_due(GROUP) == SUMMARY_AFTER
