"""Criteria as a village lives them: which set applies, each criterion's status (with
history), progress, and residents' questions that go to the branch secretary."""

from __future__ import annotations

import asyncio
import enum
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from bot.services.authz import Action, Actor
from bot.services.criteria import (
    Catalog,
    CriteriaIndex,
    CriteriaSet,
    Criterion,
    Faq,
    Indicator,
    MatchResult,
)
from bot.services.criteria.sheet import PROVINCE_REGIONS
from bot.services.errors import DomainError, NotAllowed, NotFound
from bot.services.vntext import fold
from storage.models import Village
from storage.models.criteria import CriterionStatus, Question, SavedFaq
from storage.repo import Repo

MAX_NOTE = 500
MAX_QUESTION = 1000


class Status(enum.StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    IN_PROGRESS = "in_progress"


class QuestionAlreadyAnswered(DomainError):
    pass


@dataclass(frozen=True)
class CriterionProgress:
    criterion: Criterion
    status: Status | None
    note: str
    decided_on: date | None


@dataclass(frozen=True)
class Progress:
    criteria_set: CriteriaSet
    rows: tuple[CriterionProgress, ...]

    @property
    def met(self) -> int:
        return sum(1 for row in self.rows if row.status is Status.MET)

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def remaining(self) -> tuple[CriterionProgress, ...]:
        return tuple(row for row in self.rows if row.status is not Status.MET)


def set_for_village(catalog: Catalog, village: Village | None, today: date) -> tuple[CriteriaSet, int | None]:
    """The national set the village's commune follows (its own choice, else the set in
    force today) and the commune group (1–3) when known."""
    commune = village.commune if village is not None else None
    if commune is not None and commune.criteria_set:
        try:
            return catalog.get(commune.criteria_set), commune.criteria_group
        except KeyError:
            pass  # a set removed since the org file was imported: fall back to the one in force
    return catalog.in_force(today), commune.criteria_group if commune else None


async def set_status(
    repo: Repo,
    actor: Actor,
    *,
    village_id: int,
    criteria_set: CriteriaSet,
    number: int,
    status: Status,
    note: str,
    today: date,
) -> CriterionStatus:
    actor.require(Action.SET_CRITERIA_STATUS, village_id)
    if criteria_set.criterion(number) is None:
        raise NotFound("criterion")
    row = CriterionStatus(
        village_id=village_id,
        set_code=criteria_set.code,
        number=number,
        status=status.value,
        note=note.strip()[:MAX_NOTE],
        decided_on=today,
        set_by_user_id=actor.user_id,
    )
    repo.criteria.add_status(row)
    repo.audit.add(
        "criterion_status",
        actor_user_id=actor.user_id,
        village_id=village_id,
        details={"set": criteria_set.code, "number": number, "status": status.value},
    )
    await repo.session.flush()
    return row


async def current_status(repo: Repo, village_id: int, set_code: str, number: int) -> CriterionStatus | None:
    history = await repo.criteria.history(village_id, set_code, number)
    return history[0] if history else None


async def progress(repo: Repo, village_id: int, criteria_set: CriteriaSet) -> Progress:
    current = await repo.criteria.current_statuses(village_id, criteria_set.code)
    rows = []
    for criterion in criteria_set.criteria:
        row = current.get(criterion.number)
        rows.append(
            CriterionProgress(
                criterion=criterion,
                status=Status(row.status) if row else None,
                note=row.note if row else "",
                decided_on=row.decided_on if row else None,
            )
        )
    return Progress(criteria_set, tuple(rows))


async def record_question(
    repo: Repo, *, user_id: int, village_id: int | None, text: str, set_code: str, guess: int | None
) -> Question:
    question = Question(
        user_id=user_id,
        village_id=village_id,
        text=text.strip()[:MAX_QUESTION],
        set_code=set_code,
        guess_number=guess,
        status="asked",
    )
    repo.criteria.add_question(question)
    await repo.session.flush()
    return question


async def forward_question(repo: Repo, *, question_id: int, user_id: int) -> Question:
    """The resident sends their question to the branch: it enters the secretary's inbox."""
    question = await repo.criteria.question(question_id)
    if question is None or question.user_id != user_id:
        raise NotFound("question")
    if question.village_id is None:
        raise NotFound("village")
    if question.status == "asked":
        question.status = "open"
        question.forwarded_at = datetime.now(UTC)
    return question


async def answer_question(repo: Repo, actor: Actor, *, question_id: int, answer: str) -> Question:
    question = await repo.criteria.question(question_id)
    if question is None:
        raise NotFound("question")
    actor.require(Action.ANSWER_QUESTIONS, question.village_id)
    if question.status == "answered":
        raise QuestionAlreadyAnswered()
    question.status = "answered"
    question.answer = answer.strip()[:MAX_QUESTION]
    question.answered_by_user_id = actor.user_id
    question.answered_at = datetime.now(UTC)
    repo.audit.add(
        "question_answered",
        actor_user_id=actor.user_id,
        village_id=question.village_id,
        details={"question_id": question.id},
    )
    return question


class FaqScope(enum.StrEnum):
    VILLAGE = "village"
    COMMUNE = "commune"
    SET = "set"


async def save_as_faq(
    repo: Repo,
    actor: Actor,
    index: CriteriaIndex,
    *,
    question_id: int,
    number: int,
    scope: FaqScope = FaqScope.VILLAGE,
) -> SavedFaq:
    """Keep an answered question as an FAQ entry of criterion ``number``.

    The entry belongs to the question's village, or to its commune when the secretary
    chooses so: residents elsewhere never get it (an answer may hold a bank account or a
    phone number). Only an operator promotes it to the whole set (:func:`promote_faq`).
    ``index`` is the shared matcher; it is not changed.
    """
    del index  # the shared index holds promoted entries only
    if scope is FaqScope.SET:
        raise NotAllowed()
    question = await repo.criteria.question(question_id)
    if question is None or question.answer is None or question.village_id is None:
        raise NotFound("question")
    actor.require(Action.ANSWER_QUESTIONS, question.village_id)
    village = await repo.places.village(question.village_id)
    faq = SavedFaq(
        set_code=question.set_code,
        number=number,
        question=question.text,
        answer=question.answer,
        village_id=question.village_id,
        created_by_user_id=actor.user_id,
        scope=scope.value,
        commune_id=village.commune_id if village is not None and scope is FaqScope.COMMUNE else None,
    )
    repo.criteria.add_faq(faq)
    question.faq_saved = True
    await repo.session.flush()
    return faq


async def share_faq_with_commune(repo: Repo, actor: Actor, faq_id: int) -> SavedFaq:
    """The secretary who saved an entry shares it with every village of the commune."""
    faq = await repo.criteria.saved_faq(faq_id)
    if faq is None or faq.village_id is None or faq.scope == FaqScope.SET.value:
        raise NotFound("faq")
    actor.require(Action.ANSWER_QUESTIONS, faq.village_id)
    village = await repo.places.village(faq.village_id)
    if village is None:
        raise NotFound("village")
    faq.scope = FaqScope.COMMUNE.value
    faq.commune_id = village.commune_id
    await repo.session.flush()
    return faq


async def promote_faq(repo: Repo, index: CriteriaIndex | None, faq_id: int) -> SavedFaq:
    """An operator's decision: a saved entry becomes part of its set, for every commune."""
    faq = await repo.criteria.saved_faq(faq_id)
    if faq is None:
        raise NotFound("faq")
    faq.scope = FaqScope.SET.value
    await repo.session.flush()
    if index is not None:
        index.add_faq(faq.set_code, faq.number, Faq(question=faq.question, answer=faq.answer))
    return faq


async def ask(repo: Repo, index: CriteriaIndex, text: str, set_code: str, village: Village | None) -> MatchResult:
    """What a resident of ``village`` asked: the shared matcher (a village-level set when
    the question names one or the village follows one), then the entries saved by this
    village's (or commune's) secretary."""
    if village is None:
        return index.ask_any(text, set_code)
    # A village that keeps its progress in a village-level set (kiểu mẫu, thông minh,
    # vườn mẫu) gets answers from it, with the commune's criterion named.
    result = index.ask_any(text, set_code, await repo.criteria.status_sets(village.id))
    saved = await repo.criteria.local_faqs(village.id, village.commune_id, set_code)
    local = [(f.number, Faq(question=f.question, answer=f.answer)) for f in saved]
    return index.with_local_faqs(result, text, set_code, local)


async def record_pick(repo: Repo, question_id: int, user_id: int, set_code: str, number: int) -> bool:
    """A resident picked criterion ``number`` among the offered choices for their question:
    keep (question text, choice) once as a labelled example, nothing about the person."""
    question = await repo.criteria.question(question_id)
    if question is None or question.user_id != user_id or question.set_code != set_code:
        return False
    text = " ".join(question.text.split())[:1000]
    return await repo.criteria.add_example(set_code, number, text)


@dataclass(frozen=True)
class ShownLevel:
    """A level ("mức đạt") a resident may be told, with where it comes from."""

    indicator: Indicator
    value: str
    key: str  # "all", "group2", "BTB"…
    source: str


def level_keys_for(village: Village | None) -> list[str]:
    """The level keys that apply to a village, most specific first: its commune group, its
    region (from the province), then "all"."""
    keys: list[str] = []
    commune = village.commune if village is not None else None
    if commune is not None:
        if commune.criteria_group:
            keys.append(f"group{commune.criteria_group}")
        region = PROVINCE_REGIONS.get(fold(commune.province.name)) if commune.province else None
        if region:
            keys.append(region)
    keys.append("all")
    return keys


async def levels_for(repo: Repo, village: Village | None, criterion: Criterion) -> list[ShownLevel]:
    """For each indicator of ``criterion``: the level the offices filled in for this
    village's group or region, else a confirmed number of the catalog; indicators with
    neither are left out (the answer keeps its "being checked" wording)."""
    keys = level_keys_for(village)
    filled = [row for row in await repo.criteria.levels(criterion.set_code) if row.indicator.split(".")[0] == str(criterion.number)]
    out: list[ShownLevel] = []
    for indicator in criterion.indicators:
        rows = {row.key: row for row in filled if row.indicator == indicator.code}
        row = next((rows[k] for k in keys if k in rows), None)
        if row is not None:
            out.append(ShownLevel(indicator, row.value, row.key, row.source))
            continue
        confirmed = {t.key: t for t in indicator.shown_thresholds()}
        threshold = next((confirmed[k] for k in keys if k in confirmed), None)
        if threshold is not None:
            out.append(ShownLevel(indicator, threshold.value, threshold.key, indicator.source))
    return out


async def build_index(repo: Repo, catalog: Catalog) -> CriteriaIndex:
    """The matcher over the catalog plus the FAQ entries an operator promoted to a set."""
    saved = await repo.criteria.set_faqs()
    known = {s.code for s in catalog.sets()}
    extra = [(f.set_code, f.number, Faq(question=f.question, answer=f.answer)) for f in saved if f.set_code in known]
    return CriteriaIndex(catalog, extra_faqs=extra)


class CriteriaKnowledge:
    """The catalog (shipped sets plus the files loaded with ``villagebot criteria load``)
    and its matcher, built once on first use."""

    def __init__(self, extra_dir: Path | None = None) -> None:
        self.extra_dir = extra_dir
        self._catalog: Catalog | None = None
        self._index: CriteriaIndex | None = None
        self._lock = asyncio.Lock()

    @property
    def catalog(self) -> Catalog:
        if self._catalog is None:
            catalog = Catalog.builtin()
            if self.extra_dir is not None and self.extra_dir.is_dir():
                for path in sorted(self.extra_dir.glob("*.yaml")):
                    catalog.load_file(path)
            self._catalog = catalog
        return self._catalog

    async def index(self, repo: Repo) -> CriteriaIndex:
        if self._index is None:
            async with self._lock:
                if self._index is None:
                    self._index = await build_index(repo, self.catalog)
        return self._index


def install_catalog_file(source: Path, extra_dir: Path) -> CriteriaSet:
    """Validate ``source`` against the shipped catalog and copy it where the bot loads
    extra sets from; a bad file raises CatalogError and nothing is copied."""
    criteria_set = Catalog.builtin().load_file(source)
    extra_dir.mkdir(parents=True, exist_ok=True)
    target = extra_dir / f"{criteria_set.code}.yaml"
    temporary = target.with_suffix(".yaml.tmp")
    temporary.write_bytes(source.read_bytes())
    temporary.replace(target)
    return criteria_set
