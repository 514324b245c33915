"""The secretary's notice of new questions: one per village, recipient and ten minutes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.delivery.contract import Delivery, PlanContext, RenderContext
from bot.services import question_notices as notices
from bot.services.org_import import apply_org, parse_org
from storage.models import Question, User
from storage.repo import Repo
from tests.data_org import ORG_YAML

T0 = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)  # 10:00 in Vietnam


class FakePlan:
    """A PlanContext whose ``enqueue`` keeps deliveries and honours dedupe keys."""

    def __init__(self) -> None:
        self.deliveries: list[Delivery] = []
        self.keys: set[str] = set()

    def context(self, repo: Repo, now: datetime) -> PlanContext:
        async def enqueue(delivery: Delivery) -> bool:
            if delivery.dedupe_key in self.keys:
                return False
            self.keys.add(delivery.dedupe_key or "")
            self.deliveries.append(delivery)
            return True

        return PlanContext(repo=repo, now=now, timezone="Asia/Ho_Chi_Minh", enqueue=enqueue)


async def _setup(repo: Repo) -> tuple[int, int, int]:
    await apply_org(repo, parse_org(ORG_YAML))
    village = await repo.places.village_by_code("nam-bac-thanh")
    other = await repo.places.village_by_code("trung-thanh")
    secretary = User(platform_user_id=1001, full_name="Bí thư", village_id=village.id)
    resident = User(platform_user_id=3001, full_name="Dân", village_id=village.id)
    repo.session.add_all([secretary, resident])
    await repo.session.flush()
    members = {m.name: m for m in await repo.members.of_village(village.id)}
    members["Nguyễn Thị A"].user_id = secretary.id
    await repo.session.flush()
    return village.id, other.id, resident.id


def _question(
    user_id: int, village_id: int, at: datetime, text: str = "Đường thôn cần rộng bao nhiêu?"
) -> Question:
    return Question(
        user_id=user_id,
        village_id=village_id,
        text=text,
        set_code="x",
        status="open",
        asked_at=at,
        forwarded_at=at,
    )


def _render_context(repo: Repo, now: datetime) -> RenderContext:
    return RenderContext(
        locale="en", repo=repo, now=now, timezone="Asia/Ho_Chi_Minh", gettext=lambda s: s
    )


async def test_one_notice_per_window_batched_and_deduplicated(repo: Repo) -> None:
    village_id, _, resident_id = await _setup(repo)
    for minute in (1, 2, 3, 7, 9):  # a burst of five questions in one window
        repo.session.add(
            _question(resident_id, village_id, T0 + timedelta(minutes=minute), f"câu <{minute}>")
        )
    await repo.session.flush()
    plan = FakePlan()
    await notices.plan_question_notices(plan.context(repo, T0 + timedelta(minutes=8)))
    assert plan.deliveries == []  # the window has not ended: wait for the batch
    for minute in (10, 12, 14, 19):  # the planner runs again and again
        await notices.plan_question_notices(plan.context(repo, T0 + timedelta(minutes=minute)))
    assert len(plan.deliveries) == 1  # the secretary only; the deputy has no account
    delivery = plan.deliveries[0]
    assert delivery.kind == "questions.notice" and delivery.recipient.user_id is not None
    message = await notices.render_question_notice(
        _render_context(repo, T0 + timedelta(minutes=11)), delivery.payload
    )
    assert message is not None
    assert (
        "5 new question" in message.text
        and "5 in all" in message.text
        and "/cauhoi" in message.text
    )
    assert "câu &lt;1&gt;" in message.text and "and 2 more" in message.text

    # A question in the next window: a second notice, ten minutes later.
    repo.session.add(_question(resident_id, village_id, T0 + timedelta(minutes=15)))
    await repo.session.flush()
    await notices.plan_question_notices(plan.context(repo, T0 + timedelta(minutes=21)))
    assert len(plan.deliveries) == 2
    assert plan.deliveries[1].dedupe_key != delivery.dedupe_key


async def test_answered_meanwhile_or_superseded_renders_nothing(repo: Repo) -> None:
    village_id, _, resident_id = await _setup(repo)
    question = _question(resident_id, village_id, T0 + timedelta(minutes=2))
    repo.session.add(question)
    await repo.session.flush()
    plan = FakePlan()
    await notices.plan_question_notices(plan.context(repo, T0 + timedelta(minutes=10)))
    payload = plan.deliveries[0].payload
    # Held overnight while a later window also filled: only the later notice speaks.
    repo.session.add(_question(resident_id, village_id, T0 + timedelta(minutes=25)))
    await repo.session.flush()
    assert (
        await notices.render_question_notice(
            _render_context(repo, T0 + timedelta(minutes=31)), payload
        )
        is None
    )
    assert (
        await notices.render_question_notice(
            _render_context(repo, T0 + timedelta(minutes=12)), payload
        )
        is not None
    )
    question.status = "answered"
    await repo.session.flush()
    assert (
        await notices.render_question_notice(
            _render_context(repo, T0 + timedelta(minutes=12)), payload
        )
        is None
    )


async def test_no_questions_or_other_village_no_notice(repo: Repo) -> None:
    village_id, other_id, resident_id = await _setup(repo)
    repo.session.add(
        _question(resident_id, other_id, T0 + timedelta(minutes=2))
    )  # nobody there can answer
    await repo.session.flush()
    plan = FakePlan()
    await notices.plan_question_notices(plan.context(repo, T0 + timedelta(minutes=11)))
    assert plan.deliveries == []


def test_registration() -> None:
    assert [k.kind for k in notices.delivery_kinds()] == ["questions.notice"]
    assert [p.name for p in notices.planners()] == ["questions.notice"]
    assert notices.window_start(datetime(2026, 12, 2, 3, 19, 59, tzinfo=UTC)) == datetime(
        2026, 12, 2, 3, 10, tzinfo=UTC
    )
