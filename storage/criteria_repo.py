"""Queries of the criteria feature: statuses (with history), questions, saved FAQs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models.criteria import CriterionStatus, Question, SavedFaq


class CriteriaRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add_status(self, row: CriterionStatus) -> None:
        self.session.add(row)

    async def current_statuses(self, village_id: int, set_code: str) -> dict[int, CriterionStatus]:
        """The newest status of each criterion of a set in a village."""
        newest = (
            select(func.max(CriterionStatus.id))
            .where(CriterionStatus.village_id == village_id, CriterionStatus.set_code == set_code)
            .group_by(CriterionStatus.number)
        )
        rows = await self.session.scalars(select(CriterionStatus).where(CriterionStatus.id.in_(newest)))
        return {row.number: row for row in rows}

    async def history(self, village_id: int, set_code: str, number: int) -> Sequence[CriterionStatus]:
        result = await self.session.scalars(
            select(CriterionStatus)
            .where(
                CriterionStatus.village_id == village_id,
                CriterionStatus.set_code == set_code,
                CriterionStatus.number == number,
            )
            .order_by(CriterionStatus.id.desc())
        )
        return result.all()

    def add_question(self, question: Question) -> None:
        self.session.add(question)

    async def question(self, question_id: int) -> Question | None:
        return await self.session.get(Question, question_id)

    async def open_questions(self, village_id: int, limit: int = 20) -> Sequence[Question]:
        result = await self.session.scalars(
            select(Question)
            .where(Question.village_id == village_id, Question.status == "open")
            .order_by(Question.forwarded_at, Question.id)
            .limit(limit)
        )
        return result.all()

    async def open_questions_forwarded(self, start: datetime, end: datetime) -> Sequence[Question]:
        """Questions sent to a branch in ``[start, end)`` and not answered yet (all villages)."""
        result = await self.session.scalars(
            select(Question)
            .where(Question.status == "open", Question.forwarded_at >= start, Question.forwarded_at < end)
            .order_by(Question.village_id, Question.forwarded_at, Question.id)
        )
        return result.all()

    async def count_open_questions(self, village_id: int) -> int:
        result = await self.session.scalar(
            select(func.count()).select_from(Question).where(Question.village_id == village_id, Question.status == "open")
        )
        return int(result or 0)

    async def open_questions_page(
        self, village_id: int, *, offset: int, limit: int
    ) -> Sequence[tuple[Question, str | None]]:
        """One page of the /cauhoi inbox, oldest first, each with the asker's name."""
        from storage.models import User

        result = await self.session.execute(
            select(Question, User.full_name)
            .join(User, User.id == Question.user_id, isouter=True)
            .where(Question.village_id == village_id, Question.status == "open")
            .order_by(Question.forwarded_at, Question.id)
            .offset(offset)
            .limit(limit)
        )
        return [(row[0], row[1]) for row in result.all()]

    def add_faq(self, faq: SavedFaq) -> None:
        self.session.add(faq)

    async def saved_faqs(self) -> Sequence[SavedFaq]:
        result = await self.session.scalars(select(SavedFaq).order_by(SavedFaq.id))
        return result.all()
