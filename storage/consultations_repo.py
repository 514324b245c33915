"""Queries of consultations (lấy ý kiến). Nothing here commits.

Concurrency: a vote is one ``INSERT ... ON CONFLICT (consultation_id, voter_key) DO
UPDATE``: two presses, two processes, or an update handled again after a crash make
one row per voter, the last one standing; counts are read from the rows, never kept
in counters. Closing is a conditional ``UPDATE ... WHERE status = 'open'``, so two
planners closing at once announce the result once.

A vote and the close never cross: the vote's insert takes its rows from the
consultation only while it takes the vote (so one that reaches the database after the
close committed inserts nothing), and on PostgreSQL the vote first holds the consultation's
row ``FOR SHARE`` (``hold_open``), so a close waits for the votes in flight and the
result rendered after it counts them (SQLite has one writer: the close waits for the
vote's insert the same way).

A vote carries the moment its update was received (``cast_at``, from the inbox): one
received before the close counts even when it is handled after it (a restart replays
the stored updates); one received after it is refused. Without that moment only an
open consultation takes a vote, as before."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, literal, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Branch,
    Consultation,
    ConsultationBoard,
    ConsultationOption,
    ConsultationStatus,
    ConsultationVote,
    Household,
    Member,
    User,
)


class ConsultationsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _insert(self) -> Any:
        dialect = self.session.bind.dialect.name if self.session.bind else "sqlite"
        return pg_insert if dialect == "postgresql" else sqlite_insert

    # consultations

    async def add(self, consultation: Consultation, labels: Sequence[str]) -> Consultation:
        self.session.add(consultation)
        await self.session.flush()
        for position, label in enumerate(labels):
            self.session.add(
                ConsultationOption(
                    consultation_id=consultation.id, position=position, label=label
                )
            )
        await self.session.flush()
        return consultation

    async def get(self, consultation_id: int) -> Consultation | None:
        return await self.session.get(Consultation, consultation_id)

    async def by_code(self, code: str) -> Consultation | None:
        return await self.session.scalar(select(Consultation).where(Consultation.code == code))

    async def of_village(
        self, village_id: int, *, open_only: bool = False, limit: int = 10
    ) -> Sequence[Consultation]:
        query = select(Consultation).where(Consultation.village_id == village_id)
        if open_only:
            query = query.where(Consultation.status == ConsultationStatus.OPEN)
        result = await self.session.scalars(query.order_by(Consultation.id.desc()).limit(limit))
        return result.all()

    async def open_all(self) -> Sequence[Consultation]:
        result = await self.session.scalars(
            select(Consultation)
            .where(Consultation.status == ConsultationStatus.OPEN)
            .order_by(Consultation.id)
        )
        return result.all()

    async def options(self, consultation_id: int) -> Sequence[ConsultationOption]:
        result = await self.session.scalars(
            select(ConsultationOption)
            .where(ConsultationOption.consultation_id == consultation_id)
            .order_by(ConsultationOption.position)
        )
        return result.all()

    async def hold_open(self, consultation_id: int, cast_at: datetime | None = None) -> bool:
        """Whether it takes a vote now (one received at ``cast_at``: see the module); on
        PostgreSQL the row stays locked ``FOR SHARE`` until this transaction ends, so a
        close cannot commit in between."""
        row = (
            await self.session.execute(
                select(Consultation.status, Consultation.closes_at, Consultation.closed_at)
                .where(Consultation.id == consultation_id)
                .with_for_update(read=True)
            )
        ).one_or_none()
        if row is None:
            return False
        if cast_at is None:
            return row.status == ConsultationStatus.OPEN
        return cast_at < row.closes_at and (
            row.status == ConsultationStatus.OPEN or (row.closed_at is not None and cast_at < row.closed_at)
        )

    async def close_if_open(self, consultation_id: int, now: datetime) -> bool:
        """Close it; False when it was closed already (by another process, or by hand)."""
        result = await self.session.execute(
            update(Consultation)
            .where(
                Consultation.id == consultation_id,
                Consultation.status == ConsultationStatus.OPEN,
            )
            .values(status=ConsultationStatus.CLOSED, closed_at=now)
        )
        return result.rowcount == 1

    # votes

    async def vote_of(self, consultation_id: int, voter_key: str) -> ConsultationVote | None:
        return await self.session.scalar(
            select(ConsultationVote).where(
                ConsultationVote.consultation_id == consultation_id,
                ConsultationVote.voter_key == voter_key,
            )
        )

    async def votes_by_user(self, consultation_id: int, user_id: int) -> Sequence[ConsultationVote]:
        result = await self.session.scalars(
            select(ConsultationVote).where(
                ConsultationVote.consultation_id == consultation_id,
                ConsultationVote.user_id == user_id,
            )
        )
        return result.all()

    async def put_vote(
        self,
        consultation_id: int,
        voter_key: str,
        *,
        choices: list[int],
        other_text: str,
        user_id: int | None,
        household_id: int | None,
        voter_name: str,
        now: datetime,
        cast_at: datetime | None = None,
    ) -> ConsultationVote | None:
        """The voter's vote, replacing an earlier one in the same statement; None (and
        nothing written) when the consultation no longer takes it: closed, or, for a
        vote received at ``cast_at``, closed before that moment."""
        columns = ConsultationVote.__table__.c
        values = {
            "consultation_id": consultation_id,
            "voter_key": voter_key,
            "choices": choices,
            "other_text": other_text,
            "user_id": user_id,
            "household_id": household_id,
            "voter_name": voter_name,
            "changes": 0,
            "created_at": now,
            "updated_at": now,
        }
        source = select(
            *(literal(value, type_=columns[name].type).label(name) for name, value in values.items())
        ).where(Consultation.id == consultation_id, self._takes_vote(cast_at))
        statement = self._insert()(ConsultationVote).from_select(list(values), source)
        statement = statement.on_conflict_do_update(
            index_elements=["consultation_id", "voter_key"],
            set_={
                "choices": statement.excluded.choices,
                "other_text": statement.excluded.other_text,
                "user_id": statement.excluded.user_id,
                "voter_name": statement.excluded.voter_name,
                "changes": ConsultationVote.changes + 1,
                "updated_at": statement.excluded.updated_at,
            },
        )
        result = await self.session.execute(statement)
        if result.rowcount != 1:
            return None
        vote = await self.vote_of(consultation_id, voter_key)
        assert vote is not None
        await self.session.refresh(vote)
        return vote

    @staticmethod
    def _takes_vote(cast_at: datetime | None) -> Any:
        if cast_at is None:
            return Consultation.status == ConsultationStatus.OPEN
        return and_(
            Consultation.closes_at > cast_at,
            or_(Consultation.status == ConsultationStatus.OPEN, Consultation.closed_at > cast_at),
        )

    async def votes(self, consultation_id: int) -> Sequence[ConsultationVote]:
        result = await self.session.scalars(
            select(ConsultationVote)
            .where(ConsultationVote.consultation_id == consultation_id)
            .order_by(ConsultationVote.id)
        )
        return result.all()

    async def last_change(self, consultation_id: int) -> datetime | None:
        return await self.session.scalar(
            select(func.max(ConsultationVote.updated_at)).where(
                ConsultationVote.consultation_id == consultation_id
            )
        )

    # who may vote

    async def household_count(self, village_id: int) -> int:
        return int(
            await self.session.scalar(
                select(func.count()).select_from(Household).where(Household.village_id == village_id)
            )
            or 0
        )

    async def household(self, household_id: int) -> Household | None:
        return await self.session.get(Household, household_id)

    async def household_by_code(self, village_id: int, code: str) -> Household | None:
        """The village's household with this code (any case); never another village's."""
        return await self.session.scalar(
            select(Household).where(
                Household.village_id == village_id,
                func.lower(Household.code) == code.strip().lower(),
            )
        )

    async def silent_households(self, consultation_id: int, village_id: int) -> Sequence[Household]:
        """The village's households with no vote yet (per-household consultations)."""
        voted = select(ConsultationVote.household_id).where(
            ConsultationVote.consultation_id == consultation_id,
            ConsultationVote.household_id.is_not(None),
        )
        result = await self.session.scalars(
            select(Household)
            .where(Household.village_id == village_id, Household.id.not_in(voted))
            .order_by(Household.code)
        )
        return result.all()

    async def member_users(self, village_id: int) -> list[int]:
        result = await self.session.scalars(
            select(Member.user_id)
            .join(Branch, Member.branch_id == Branch.id)
            .where(Branch.village_id == village_id, Member.user_id.is_not(None))
        )
        return [uid for uid in result.all() if uid is not None]

    async def member_count(self, village_id: int) -> int:
        return int(
            await self.session.scalar(
                select(func.count())
                .select_from(Member)
                .join(Branch, Member.branch_id == Branch.id)
                .where(Branch.village_id == village_id)
            )
            or 0
        )

    async def household_users(self, village_id: int) -> Sequence[User]:
        """Users whose phone matched one of the village's households."""
        result = await self.session.scalars(
            select(User)
            .join(Household, User.household_id == Household.id)
            .where(Household.village_id == village_id)
            .order_by(User.id)
        )
        return result.all()

    # boards

    async def add_board(self, consultation_id: int, chat_id: int, button_url: str) -> None:
        statement = (
            self._insert()(ConsultationBoard)
            .values(consultation_id=consultation_id, chat_id=chat_id, button_url=button_url)
            .on_conflict_do_nothing(index_elements=["consultation_id", "chat_id"])
        )
        await self.session.execute(statement)

    async def boards(self, consultation_id: int) -> Sequence[ConsultationBoard]:
        result = await self.session.scalars(
            select(ConsultationBoard)
            .where(ConsultationBoard.consultation_id == consultation_id)
            .order_by(ConsultationBoard.chat_id)
        )
        return result.all()

    async def board(self, consultation_id: int, chat_id: int) -> ConsultationBoard | None:
        return await self.session.get(ConsultationBoard, (consultation_id, chat_id))

    async def set_board(
        self, consultation_id: int, chat_id: int, *, message_id: int | None, updated_at: datetime
    ) -> None:
        values: dict[str, Any] = {"updated_at": updated_at}
        if message_id:
            values["message_id"] = message_id
        await self.session.execute(
            update(ConsultationBoard)
            .where(
                ConsultationBoard.consultation_id == consultation_id,
                ConsultationBoard.chat_id == chat_id,
            )
            .values(**values)
        )
