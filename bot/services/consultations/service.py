"""Consultations (lấy ý kiến): creating one, who answers for whom, voting, closing,
and the result. Plain values in, dataclasses out, domain errors raised; the actor is
checked first (``authz``); nothing here commits.

Who answers is decided from the roster, never from what a person says about
themselves: a resident's household is the one whose phone matched theirs; a linked
party member of the village (whose phone the branch knows) may instead type their
household's code, for one household per consultation; while that answer stands, their
ballot shows it and a new answer replaces it without the code typed again. Nobody
chooses a household from a list."""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from datetime import datetime

from bot.services.authz import Action, Actor, can_vote
from bot.services.consultations.domain import (
    OTHER,
    Ballot,
    ConsultationInvalid,
    NotEligible,
    Tally,
    check_choices,
    check_closing,
    check_question,
    tally,
)
from bot.services.errors import NotFound
from storage.models import (
    CampaignStatus,
    Consultation,
    ConsultationKind,
    ConsultationStatus,
    ConsultationVote,
    Household,
    Voters,
)
from storage.repo import Repo

CODE_ALPHABET = string.ascii_lowercase + string.digits


@dataclass(frozen=True, slots=True)
class Draft:
    """What the secretary chose in the wizard; ``labels`` are the options as shown
    (for yes/no, the two words in the secretary's language)."""

    question: str
    kind: ConsultationKind
    labels: list[str]
    allow_other: bool
    voters: Voters
    names_public: bool
    closes_at: datetime
    campaign_id: int | None = None


@dataclass(frozen=True, slots=True)
class Voter:
    """Who a vote is for: ``key`` is unique per consultation (h:/u:/m:<id>)."""

    key: str
    household_id: int | None
    name: str  # the household's code and head, or the person's name
    household_code: str | None = None


@dataclass(frozen=True, slots=True)
class VoteResult:
    vote: ConsultationVote
    replaced: bool  # an earlier vote of the same voter was replaced
    previous: tuple[int, ...]  # its choices


@dataclass(frozen=True, slots=True)
class Result:
    consultation: Consultation
    labels: list[str]
    tally: Tally
    ballots: list[Ballot]  # names only where public (else "")


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


async def create(repo: Repo, actor: Actor, draft: Draft, *, now: datetime) -> Consultation:
    village_id = actor.village_id
    actor.require(Action.MANAGE_CONSULTATION, village_id)
    assert village_id is not None
    question = check_question(draft.question)
    check_closing(draft.closes_at, now)
    if len(draft.labels) < 2 or (draft.kind == ConsultationKind.YES_NO and len(draft.labels) != 2):
        raise ConsultationInvalid("options_few")
    if draft.campaign_id is not None:
        campaign = await repo.contributions.campaign(draft.campaign_id)
        if (
            campaign is None
            or campaign.village_id != village_id
            or campaign.status != CampaignStatus.OPEN
        ):
            raise ConsultationInvalid("campaign")
    consultation = Consultation(
        code=new_code(),
        village_id=village_id,
        question=question,
        kind=draft.kind.value,
        allow_other=draft.allow_other,
        voters=draft.voters.value,
        names_public=draft.names_public,
        opens_at=now,
        closes_at=draft.closes_at,
        status=ConsultationStatus.OPEN.value,
        campaign_id=draft.campaign_id,
        created_by_user_id=actor.user_id,
        created_at=now,
    )
    await repo.consultations.add(consultation, [label[:200] for label in draft.labels])
    repo.audit.add(
        "consultation_created",
        actor_user_id=actor.user_id,
        village_id=village_id,
        details={"consultation_id": consultation.id, "voters": draft.voters.value},
    )
    return consultation


async def visible(repo: Repo, actor: Actor, consultation_id: int) -> Consultation:
    """A consultation of the actor's own village (operators: any)."""
    consultation = await repo.consultations.get(consultation_id)
    if consultation is None or not actor.lives_in(consultation.village_id):
        raise NotFound("consultation")
    return consultation


async def own_household(repo: Repo, household_id: int | None) -> Household | None:
    if household_id is None:
        return None
    return await repo.consultations.household(household_id)


async def voter_for(
    repo: Repo,
    actor: Actor,
    consultation: Consultation,
    *,
    user_household_id: int | None,
    user_name: str,
    typed_code: str | None = None,
) -> Voter:
    """Who this person answers for, or :class:`NotEligible` saying why not."""
    household = await own_household(repo, user_household_id)
    household_village = household.village_id if household else None
    village_id = consultation.village_id
    if not can_vote(actor, village_id, consultation.voters, household_village_id=household_village):
        # "Another village" only on the roster's word (a household or a branch there);
        # someone we cannot place is asked to share their phone.
        member_elsewhere = actor.member_id is not None and actor.village_id != village_id
        household_elsewhere = household_village is not None and household_village != village_id
        if member_elsewhere or household_elsewhere:
            raise NotEligible("other_village")
        raise NotEligible("not_member" if consultation.voters == Voters.MEMBER else "unverified")
    if consultation.voters == Voters.MEMBER:
        return Voter(f"m:{actor.member_id}", None, user_name[:200])
    if consultation.voters == Voters.RESIDENT:
        here = household if household and household.village_id == village_id else None
        return Voter(f"u:{actor.user_id}", here.id if here else None, user_name[:200])
    if household is not None and household.village_id == village_id:
        return _household_voter(household)
    earlier = [
        vote.household_id
        for vote in (
            await repo.consultations.votes_by_user(consultation.id, actor.user_id)
            if actor.user_id is not None
            else []
        )
        if vote.household_id is not None
    ]
    if typed_code is None:
        # The household this person typed the code of earlier, if their answer stands.
        household = await own_household(repo, earlier[0]) if earlier else None
        if household is None or household.village_id != village_id:
            raise NotEligible("need_code")
        return _household_voter(household)
    household = await repo.consultations.household_by_code(village_id, typed_code[:64])
    if household is None:
        raise NotEligible("code_unknown")
    if any(household_id != household.id for household_id in earlier):
        raise NotEligible("one_household")
    return _household_voter(household)


def _household_voter(household: Household) -> Voter:
    return Voter(
        f"h:{household.id}",
        household.id,
        f"{household.code} · {household.head_name}"[:200],
        household.code,
    )


def is_open(consultation: Consultation, now: datetime) -> bool:
    return consultation.status == ConsultationStatus.OPEN and now < consultation.closes_at


def takes_vote(consultation: Consultation, now: datetime, received_at: datetime | None = None) -> bool:
    """Whether a vote handled ``now`` counts: while it is open; and a vote whose update
    was received (``received_at``, from the inbox) before the closing time, or before
    a manager closed it, counts even when handled after (a restart replays it)."""
    if received_at is None or received_at >= now:
        return is_open(consultation, now)
    if received_at >= consultation.closes_at:
        return False
    closed_at = consultation.closed_at
    return consultation.status == ConsultationStatus.OPEN or (closed_at is not None and received_at < closed_at)


async def vote(
    repo: Repo,
    actor: Actor,
    consultation: Consultation,
    voter: Voter,
    choices: list[int],
    *,
    other_text: str = "",
    now: datetime,
    received_at: datetime | None = None,
) -> VoteResult:
    """Record the voter's answer; a later one replaces the earlier until the close. A
    vote received before the close counts however late it is handled (:func:`takes_vote`)."""
    cast_at = received_at if received_at is not None and received_at < now else None
    if not takes_vote(consultation, now, cast_at) or not await repo.consultations.hold_open(
        consultation.id, cast_at
    ):
        raise ConsultationInvalid("closed")  # closed here, or by another process since it was loaded
    options = await repo.consultations.options(consultation.id)
    picked, other = check_choices(
        consultation.kind, len(options), consultation.allow_other, choices, other_text
    )
    before = await repo.consultations.vote_of(consultation.id, voter.key)
    previous = tuple(before.choices) if before is not None else ()
    stored = await repo.consultations.put_vote(
        consultation.id,
        voter.key,
        choices=picked,
        other_text=other,
        user_id=actor.user_id,
        household_id=voter.household_id,
        voter_name=voter.name,
        now=now,
        cast_at=cast_at,
    )
    if stored is None:
        raise ConsultationInvalid("closed")
    return VoteResult(stored, before is not None, previous)


async def my_vote(repo: Repo, consultation: Consultation, voter: Voter) -> ConsultationVote | None:
    return await repo.consultations.vote_of(consultation.id, voter.key)


async def close(repo: Repo, consultation: Consultation, now: datetime, *, actor: Actor | None = None) -> bool:
    """Close it (the planner at the closing time, or a manager early); True when this
    call closed it."""
    if actor is not None:
        actor.require(Action.MANAGE_CONSULTATION, consultation.village_id)
    closed = await repo.consultations.close_if_open(consultation.id, now)
    if closed:
        repo.audit.add(
            "consultation_closed",
            actor_user_id=actor.user_id if actor else None,
            village_id=consultation.village_id,
            details={"consultation_id": consultation.id},
        )
        await repo.session.refresh(consultation)
    return closed


async def eligible(repo: Repo, consultation: Consultation) -> int:
    """Whom the turnout is counted against: the village's households, its verified
    residents, or its branch's members."""
    village_id = consultation.village_id
    if consultation.voters == Voters.HOUSEHOLD:
        return await repo.consultations.household_count(village_id)
    if consultation.voters == Voters.MEMBER:
        return await repo.consultations.member_count(village_id)
    people = {u.id for u in await repo.consultations.household_users(village_id)}
    people.update(await repo.consultations.member_users(village_id))
    return len(people)


async def result(repo: Repo, consultation: Consultation, *, other_label: str) -> Result:
    """The count from the votes standing; names only where the consultation made
    them public."""
    labels = [o.label for o in await repo.consultations.options(consultation.id)]
    show = consultation.names_public
    ballots = [
        Ballot(
            name=v.voter_name if show else "",
            choices=tuple(v.choices or ()),
            other_text=v.other_text,
            updated_at=v.updated_at,
            changes=v.changes,
        )
        for v in await repo.consultations.votes(consultation.id)
    ]
    count = tally(
        labels,
        other_label if consultation.allow_other else None,
        ballots,
        await eligible(repo, consultation),
    )
    return Result(consultation, labels, count, ballots)


def choice_labels(labels: list[str], other_label: str, choices: tuple[int, ...] | list[int], other_text: str = "") -> str:
    parts = []
    for choice in sorted(choices, key=lambda c: (c == OTHER, c)):
        if choice == OTHER:
            parts.append(f"{other_label}: {other_text}" if other_text else other_label)
        elif 0 <= choice < len(labels):
            parts.append(labels[choice])
    return ", ".join(parts)
