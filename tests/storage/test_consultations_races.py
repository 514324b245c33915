"""Votes racing the close and the board, on SQLite and PostgreSQL (issue 20: the
board, the minutes and the sheet of votes must agree on the counts).

The handler loads the consultation (open), then records the vote; the closing
planner, in another process or session, may close it in between. A vote that
reaches the database after the close committed must be refused, and a close must
not pass a vote still in flight (else the pinned result, rendered right after the
close, misses a vote that the minutes and the sheet, rendered later, count)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from bot.services.consultations import service
from bot.services.consultations.domain import ConsultationInvalid
from storage.models import ConsultationVote
from storage.repo import Repo
from tests.storage.test_consultations import NOW, actor_of, draft, seed, user


async def open_poll(sessionmaker):  # type: ignore[no-untyped-def]
    """A per-household consultation and Lan, whose phone matched NBT-001 (committed)."""
    async with sessionmaker() as session:
        repo = Repo(session)
        village, _other, hh, sec_user, secretary, *_ = await seed(repo)
        poll = await service.create(repo, actor_of(sec_user, secretary), draft(), now=NOW)
        lan = await user(repo, 3001, "Lan", village.id, hh["NBT-001"].id)
        await session.commit()
        return poll.id, lan.id


async def count_votes(sessionmaker, poll_id: int) -> int:  # type: ignore[no-untyped-def]
    async with sessionmaker() as session:
        return int(
            await session.scalar(
                select(func.count()).select_from(ConsultationVote).where(ConsultationVote.consultation_id == poll_id)
            )
        )


async def lan_as_voter(repo: Repo, poll_id: int, lan_id: int):  # type: ignore[no-untyped-def]
    """The poll, Lan as the actor and her household as the voter, read in ``repo``'s session."""
    poll = await repo.consultations.get(poll_id)
    lan = await repo.users.get(lan_id)
    actor = actor_of(lan)
    voter = await service.voter_for(repo, actor, poll, user_household_id=lan.household_id, user_name="Lan")
    return poll, actor, voter


async def close_after_the_vote(handler, planner, database_url: str, poll_id: int, at: object):  # type: ignore[no-untyped-def]
    """The close must wait for the vote ``handler`` holds uncommitted: told not to wait long,
    it fails instead of closing over a vote it cannot count; once the vote commits it closes,
    and the result (returned) counts it."""
    if database_url.startswith("postgresql"):
        await planner.execute(text("SET LOCAL lock_timeout = '300ms'"))
    else:
        await planner.execute(text("PRAGMA busy_timeout = 300"))
    with pytest.raises(DBAPIError):
        await Repo(planner).consultations.close_if_open(poll_id, at)
    await planner.rollback()
    await handler.commit()
    closing = Repo(planner)
    assert await closing.consultations.close_if_open(poll_id, at)
    counted = await service.result(closing, await closing.consultations.get(poll_id), other_label="Other")
    await planner.commit()
    return counted


async def test_a_vote_after_another_session_closed_the_consultation_is_refused(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    poll_id, lan_id = await open_poll(sessionmaker)
    async with sessionmaker() as handler, sessionmaker() as planner:
        repo = Repo(handler)
        poll = await repo.consultations.get(poll_id)  # loaded while open
        lan = await repo.users.get(lan_id)
        actor = actor_of(lan)
        voter = await service.voter_for(repo, actor, poll, user_household_id=lan.household_id, user_name="Lan")

        closing = Repo(planner)  # the closing planner, in another session, commits first
        assert await closing.consultations.close_if_open(poll_id, NOW + timedelta(minutes=6))
        await planner.commit()

        with pytest.raises(ConsultationInvalid) as refused:
            await service.vote(repo, actor, poll, voter, [0], now=NOW + timedelta(minutes=5))
        assert refused.value.reason == "closed"
        await handler.commit()  # the update's middleware commits whatever the handler left
    assert await count_votes(sessionmaker, poll_id) == 0


async def test_a_close_does_not_pass_a_vote_in_flight(sessionmaker, database_url: str) -> None:  # type: ignore[no-untyped-def]
    poll_id, lan_id = await open_poll(sessionmaker)
    async with sessionmaker() as handler, sessionmaker() as planner:
        repo = Repo(handler)
        poll, actor, voter = await lan_as_voter(repo, poll_id, lan_id)
        await service.vote(repo, actor, poll, voter, [0], now=NOW + timedelta(minutes=5))  # not committed yet

        counted = await close_after_the_vote(handler, planner, database_url, poll_id, NOW + timedelta(minutes=6))
    assert counted.tally.voted == 1 == await count_votes(sessionmaker, poll_id)


async def test_a_vote_stored_after_the_board_was_drawn_gets_an_edit(repo: Repo) -> None:
    """A vote's time is taken when its handler starts and it commits a moment later: one
    that was in flight while the board was drawn (so not on it) but carries an earlier
    time must still bring an edit, not leave the board a vote short until the next one."""
    from bot.delivery.contract import SentContext
    from bot.services.consultations import delivery as yk
    from tests.storage.test_consultations import Collector, plan, render_ctx

    village, _other, hh, sec_user, secretary, *_ = await seed(repo)
    poll = await service.create(repo, actor_of(sec_user, secretary), draft(), now=NOW)
    collector = Collector()
    await yk.announce(repo, collector.enqueue_repo, poll, "villagebot", NOW)
    [post] = collector.deliveries
    drawn = NOW + timedelta(minutes=20)
    board = await yk.render_board(render_ctx(repo, drawn), post.payload)
    assert board is not None and "0 of 2" in board.text
    # Lan's press was being handled when the board was drawn; it commits just after.
    lan = await user(repo, 3001, "Lan", village.id, hh["NBT-001"].id)
    voter = await service.voter_for(repo, actor_of(lan), poll, user_household_id=lan.household_id, user_name="Lan")
    await service.vote(repo, actor_of(lan), poll, voter, [0], now=drawn - timedelta(seconds=2))
    await yk.board_sent(SentContext(repo, drawn + timedelta(seconds=1), 77, post.ref), post.payload)

    [edit] = await plan(yk.plan_board_updates, repo, collector, drawn + timedelta(minutes=2))
    assert edit.not_before == drawn + timedelta(seconds=1) + yk.BOARD_EVERY
    later = edit.not_before
    board = await yk.render_board(render_ctx(repo, later), edit.payload)
    assert "1 of 2" in board.text
    await yk.board_sent(SentContext(repo, later, 77, edit.ref), edit.payload)
    assert await plan(yk.plan_board_updates, repo, collector, later + timedelta(minutes=2)) == []


CLOSES = NOW + timedelta(days=3)  # draft()'s closing time


async def _vote(sessionmaker, poll_id: int, user_id: int, choice: int, *, received: object, handled: object) -> str:  # type: ignore[no-untyped-def]
    """One vote in its own session (an update of the inbox); "ok" or the refusal's reason."""
    async with sessionmaker() as session:
        repo = Repo(session)
        poll = await repo.consultations.get(poll_id)
        person = await repo.users.get(user_id)
        actor = actor_of(person)
        voter = await service.voter_for(repo, actor, poll, user_household_id=person.household_id, user_name="x")
        try:
            await service.vote(repo, actor, poll, voter, [choice], now=handled, received_at=received)
        except ConsultationInvalid as refused:
            return refused.reason
        await session.commit()
        return "ok"


async def test_a_vote_received_before_the_close_counts_when_handled_after_it(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    """A press a second before the closing time, replayed from the inbox after a restart
    (the planner closed it meanwhile): it counts, still one per household; one received
    after the closing time is refused as before."""
    poll_id, lan_id = await open_poll(sessionmaker)
    async with sessionmaker() as session:
        repo = Repo(session)
        poll = await repo.consultations.get(poll_id)
        village_id = poll.village_id
        lan = await repo.users.get(lan_id)
        hung = await user(repo, 3005, "Hùng", village_id, lan.household_id)  # the same household
        await session.commit()
        hung_id = hung.id
    restarted = CLOSES + timedelta(minutes=7)
    async with sessionmaker() as planner:
        assert await Repo(planner).consultations.close_if_open(poll_id, CLOSES + timedelta(minutes=6))
        await planner.commit()

    assert await _vote(sessionmaker, poll_id, lan_id, 0, received=CLOSES - timedelta(seconds=1), handled=restarted) == "ok"
    assert await _vote(sessionmaker, poll_id, hung_id, 1, received=CLOSES - timedelta(seconds=2), handled=restarted) == "ok"
    assert await count_votes(sessionmaker, poll_id) == 1  # one per household: the last one standing
    assert await _vote(sessionmaker, poll_id, lan_id, 0, received=CLOSES + timedelta(seconds=1), handled=restarted) == "closed"
    async with sessionmaker() as session:
        repo = Repo(session)
        [vote] = await repo.consultations.votes(poll_id)
        assert list(vote.choices) == [1]  # Hùng's, handled last; the refused one changed nothing
    # Without the moment it was received (not from the inbox), a closed one takes nothing.
    assert await _vote(sessionmaker, poll_id, lan_id, 0, received=None, handled=CLOSES - timedelta(minutes=1)) == "closed"


async def test_after_an_early_close_only_votes_received_before_it_count(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    poll_id, lan_id = await open_poll(sessionmaker)
    closed = NOW + timedelta(hours=5)  # a manager closes it early
    async with sessionmaker() as planner:
        assert await Repo(planner).consultations.close_if_open(poll_id, closed)
        await planner.commit()
    later = closed + timedelta(minutes=3)
    assert await _vote(sessionmaker, poll_id, lan_id, 0, received=closed + timedelta(seconds=1), handled=later) == "closed"
    assert await count_votes(sessionmaker, poll_id) == 0
    assert await _vote(sessionmaker, poll_id, lan_id, 0, received=closed - timedelta(seconds=1), handled=later) == "ok"
    assert await count_votes(sessionmaker, poll_id) == 1


async def test_a_late_handled_vote_still_waits_for_a_close_in_flight(sessionmaker, database_url: str) -> None:  # type: ignore[no-untyped-def]
    """hold_open's FOR SHARE still holds for a vote received before the closing time and
    handled after it: the close waits for it, and the result counts it."""
    poll_id, lan_id = await open_poll(sessionmaker)
    async with sessionmaker() as handler, sessionmaker() as planner:
        repo = Repo(handler)
        poll, actor, voter = await lan_as_voter(repo, poll_id, lan_id)
        await service.vote(
            repo, actor, poll, voter, [0], now=CLOSES + timedelta(seconds=30), received_at=CLOSES - timedelta(seconds=1)
        )
        counted = await close_after_the_vote(handler, planner, database_url, poll_id, CLOSES + timedelta(minutes=1))
    assert counted.tally.voted == 1 == await count_votes(sessionmaker, poll_id)


async def test_the_close_waits_for_updates_received_before_the_closing_time(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    """The planner does not close while the inbox holds an update received before the
    closing time (the vote is handled first, so the pinned result counts it); it closes
    once that update is handled, or at most CLOSE_WAITS_AT_MOST late."""
    from bot.services.consultations import delivery as yk
    from storage.models import InboxStatus
    from tests.storage.test_consultations import Collector, plan

    poll_id, _lan_id = await open_poll(sessionmaker)
    async with sessionmaker() as session:
        repo = Repo(session)
        await repo.inbox.store(1, [(900, 3001, {"update_id": 900}, InboxStatus.PENDING)], CLOSES - timedelta(seconds=1))
        await session.commit()
    collector = Collector()
    async with sessionmaker() as session:
        repo = Repo(session)
        await plan(yk.plan_closing, repo, collector, CLOSES + timedelta(minutes=1))
        assert (await repo.consultations.get(poll_id)).status == "open"
        await plan(yk.plan_closing, repo, collector, CLOSES + yk.CLOSE_WAITS_AT_MOST)  # not for ever
        assert (await repo.consultations.get(poll_id)).status == "closed"
        await session.rollback()
    async with sessionmaker() as session:
        repo = Repo(session)
        await session.execute(text("UPDATE inbox SET status = 'done'"))  # the vote was handled
        await plan(yk.plan_closing, repo, collector, CLOSES + timedelta(minutes=2))
        assert (await repo.consultations.get(poll_id)).status == "closed"
        await session.commit()
