"""Queries of the criteria feature: statuses (with history), questions, saved FAQs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models.criteria import (
    CriteriaExample,
    CriteriaLevel,
    CriterionStatus,
    Question,
    SavedFaq,
)


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

    async def status_sets(self, village_id: int) -> list[str]:
        """Codes of the sets the village has recorded a status in."""
        rows = await self.session.scalars(
            select(CriterionStatus.set_code).where(CriterionStatus.village_id == village_id).distinct()
        )
        return sorted(rows.all())

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

    async def set_faqs(self) -> Sequence[SavedFaq]:
        """Entries an operator promoted to their whole set (every commune may get them)."""
        result = await self.session.scalars(select(SavedFaq).where(SavedFaq.scope == "set").order_by(SavedFaq.id))
        return result.all()

    async def local_faqs(self, village_id: int, commune_id: int, set_code: str) -> Sequence[SavedFaq]:
        """Entries of this village, and those its commune's secretaries shared commune-wide."""
        result = await self.session.scalars(
            select(SavedFaq)
            .where(
                SavedFaq.set_code == set_code,
                or_(
                    (SavedFaq.scope == "village") & (SavedFaq.village_id == village_id),
                    (SavedFaq.scope == "commune") & (SavedFaq.commune_id == commune_id),
                ),
            )
            .order_by(SavedFaq.id)
        )
        return result.all()

    async def saved_faq(self, faq_id: int) -> SavedFaq | None:
        return await self.session.get(SavedFaq, faq_id)

    async def add_example(self, set_code: str, number: int, text: str) -> bool:
        """Record a labelled example once; False when it was already known."""
        found = await self.session.scalar(
            select(CriteriaExample.id).where(
                CriteriaExample.set_code == set_code, CriteriaExample.number == number, CriteriaExample.text == text
            )
        )
        if found is not None:
            return False
        try:
            async with self.session.begin_nested():
                self.session.add(CriteriaExample(set_code=set_code, number=number, text=text))
        except IntegrityError:  # the same pick recorded at the same moment
            return False
        return True

    async def examples(self) -> Sequence[CriteriaExample]:
        result = await self.session.scalars(select(CriteriaExample).order_by(CriteriaExample.id))
        return result.all()

    async def levels(self, set_code: str) -> Sequence[CriteriaLevel]:
        result = await self.session.scalars(
            select(CriteriaLevel).where(CriteriaLevel.set_code == set_code).order_by(CriteriaLevel.id)
        )
        return result.all()

    async def replace_levels(self, set_code: str, rows: Sequence[CriteriaLevel]) -> None:
        """The set's levels become ``rows`` (an import replaces the whole sheet)."""
        for old in await self.levels(set_code):
            await self.session.delete(old)
        await self.session.flush()
        self.session.add_all(rows)
