"""Visit reminders, overdue notices and need notices, planned and rendered with a
fake engine and an injected clock (time travel), on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.delivery.contract import Delivery, PlanContext, QuietHours, RenderContext
from bot.services.authz import Actor
from bot.services.errors import NotAllowed
from bot.services.visits import delivery as vd
from bot.services.visits import delivery_kinds, planners, service
from bot.services.visits.service import NeedInput, VisitInvalid
from storage.models import Role, User
from storage.repo import Repo

TZ = "Asia/Ho_Chi_Minh"
VN = ZoneInfo(TZ)


def vn(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=VN).astimezone(UTC)


class FakeOutbox:
    """Collects deliveries; a dedupe key already queued is refused, as the outbox does."""

    def __init__(self) -> None:
        self.rows: dict[str, Delivery] = {}

    async def enqueue(self, delivery: Delivery) -> bool:
        assert delivery.not_before.tzinfo is not None
        if delivery.dedupe_key in self.rows:
            return False
        self.rows[delivery.dedupe_key] = delivery
        return True

    def of_kind(self, kind: str) -> list[Delivery]:
        return [d for d in self.rows.values() if d.kind == kind]


async def run(repo: Repo, outbox: FakeOutbox, now: datetime, name: str | None = None) -> None:
    for spec in planners():
        if name is None or spec.name == name:
            await spec.planner(PlanContext(repo=repo, now=now, timezone=TZ, enqueue=outbox.enqueue))
    await repo.session.flush()


async def run_between(
    repo: Repo, outbox: FakeOutbox, start: datetime, end: datetime, name: str
) -> None:
    """Time travel: the planner every 15 minutes from ``start`` to ``end``, as the engine runs it."""
    now = start
    while now <= end:
        await run(repo, outbox, now, name)
        now += timedelta(minutes=15)


async def render(repo: Repo, delivery: Delivery, now: datetime):  # type: ignore[no-untyped-def]
    renderer = {spec.kind: spec.renderer for spec in delivery_kinds()}[delivery.kind]
    ctx = RenderContext(locale="en", repo=repo, now=now, timezone=TZ, gettext=lambda s: s)
    return await renderer(ctx, delivery.payload)


@dataclass
class World:
    village_id: int
    other_village_id: int
    secretary: Actor
    member: Actor
    other: Actor
    stranger: Actor  # a member of another village
    resident: Actor
    households: dict[str, int]
    member_user_id: int
    secretary_user_id: int


async def _user(repo: Repo, tg: int, village_id: int) -> User:
    user = await repo.users.get_or_create(tg, full_name=f"u{tg}", username=None)
    user.village_id = village_id
    return user


@pytest.fixture
async def world(repo: Repo) -> World:
    province = await repo.org.province("Hà Tĩnh")
    commune = await repo.org.commune("cam-thanh", name="Xã Cẩm Thành", province_id=province.id)
    village = await repo.org.village("nbt", name="Thôn Nam Bắc Thành", commune_id=commune.id)
    other_village = await repo.org.village("tt", name="Thôn Trung Thành", commune_id=commune.id)
    branch = await repo.org.branch(village.id, "Chi bộ NBT")
    other_branch = await repo.org.branch(other_village.id, "Chi bộ TT")
    actors = {}
    ids = {}
    for tg, name, role, branch_id, village_id in [
        (1, "Bí thư An", Role.SECRETARY, branch.id, village.id),
        (2, "Đảng viên Bình", Role.MEMBER, branch.id, village.id),
        (3, "Đảng viên Cường", Role.MEMBER, branch.id, village.id),
        (4, "Đảng viên Xa", Role.MEMBER, other_branch.id, other_village.id),
    ]:
        user = await _user(repo, tg, village_id)
        member = await repo.org.member(
            f"09120000{tg:02d}", name=name, role=role, branch_id=branch_id, user_id=user.id
        )
        actors[tg] = Actor(
            user_id=user.id,
            platform_user_id=tg,
            village_id=village_id,
            member_id=member.id,
            role=role,
        )
        ids[tg] = user.id
    resident = await _user(repo, 9, village.id)
    households = {}
    for code, flags, cluster, visitor in [
        ("H1", {"poor": True}, "Tổ 1", 2),
        ("H2", {}, "Tổ 1", 2),
        ("H3", {"policy": True}, "Tổ 2", 2),
        ("H4", {}, "Tổ 2", 3),
    ]:
        household = await repo.org.household(
            village.id,
            code,
            head_name=f"Chủ hộ {code}",
            address=f"Xóm {code}",
            cluster=cluster,
            **flags,
        )
        await repo.visits.assign(household.id, actors[visitor].member_id)
        households[code] = household.id
    far = await repo.org.household(other_village.id, "T1", head_name="Chủ hộ T1")
    await repo.visits.assign(far.id, actors[4].member_id)
    households["T1"] = far.id
    await repo.session.flush()
    return World(
        village_id=village.id,
        other_village_id=other_village.id,
        secretary=actors[1],
        member=actors[2],
        other=actors[3],
        stranger=actors[4],
        resident=Actor(user_id=resident.id, platform_user_id=9, village_id=village.id),
        households=households,
        member_user_id=ids[2],
        secretary_user_id=ids[1],
    )


DAY = date(2026, 3, 10)  # a Tuesday


async def _due(repo: Repo, code_days: dict[int, date]) -> None:
    await repo.visits.ensure_plans(DAY + timedelta(days=200))  # the others: far away
    for household_id, due_on in code_days.items():
        plan = await repo.visits.plan(household_id)
        plan.due_on = due_on
    await repo.session.flush()


async def test_one_reminder_per_member_per_day_and_slot_listing_all(
    repo: Repo, world: World
) -> None:
    h = world.households
    await _due(
        repo,
        {h["H1"]: DAY, h["H2"]: DAY, h["H3"]: DAY, h["H4"]: DAY, h["T1"]: DAY + timedelta(days=30)},
    )
    outbox = FakeOutbox()
    await run_between(
        repo, outbox, vn(DAY - timedelta(days=1), 12), vn(DAY, 12), "visits.reminders"
    )
    reminders = outbox.of_kind(vd.REMINDER)
    # Bình (3 households) and Cường (1): one evening and one morning reminder each.
    assert len(reminders) == 4
    by_member = {}
    for d in reminders:
        by_member.setdefault(d.payload["member_id"], []).append(d)
    assert set(by_member) == {world.member.member_id, world.other.member_id}
    evening = next(d for d in by_member[world.member.member_id] if d.payload["slot"] == "evening")
    morning = next(d for d in by_member[world.member.member_id] if d.payload["slot"] == "morning")
    assert evening.not_before == vn(DAY - timedelta(days=1), 19)
    assert morning.not_before == vn(DAY, 7)
    assert (
        evening.dedupe_key == f"visit.reminder:{world.member.member_id}:{DAY.isoformat()}:evening"
    )
    message = await render(repo, evening, vn(DAY - timedelta(days=1), 19))
    assert message is not None
    for code in ("H1", "H2", "H3"):
        assert f"{code} – Chủ hộ {code}" in message.text
    assert "H4" not in message.text
    assert len(message.choices) == 6  # two rows of buttons per household, each naming it
    assert message.choices[0][0].data == f"vis:done:{h['H1']}"


async def test_planner_twice_enqueues_nothing_new(repo: Repo, world: World) -> None:
    await _due(repo, {world.households["H1"]: DAY})
    outbox = FakeOutbox()
    now = vn(DAY - timedelta(days=1), 18)
    await run(repo, outbox, now)
    first = dict(outbox.rows)
    assert [d.payload["slot"] for d in first.values()] == ["evening"]
    await run(repo, outbox, now)
    await run(repo, outbox, now + timedelta(minutes=15))
    assert outbox.rows == first


def test_reminder_times_are_outside_quiet_hours() -> None:
    quiet = QuietHours()
    for slot in vd.slots_to_plan(vn(DAY, 6), TZ):
        local = slot.not_before.astimezone(VN).time()
        assert quiet.end <= local < quiet.start


async def test_reminder_missed_while_down_is_planned_once_after_restart(
    repo: Repo, world: World
) -> None:
    await _due(repo, {world.households["H4"]: DAY})
    outbox = FakeOutbox()
    # Down from the day before until 08:30 on the day: only the morning reminder, once.
    await run(repo, outbox, vn(DAY, 8, 30), "visits.reminders")
    await run(repo, outbox, vn(DAY, 8, 45), "visits.reminders")
    reminders = outbox.of_kind(vd.REMINDER)
    assert [(d.payload["slot"], d.not_before) for d in reminders] == [("morning", vn(DAY, 7))]
    # Back only at 10:00: more than two hours past 07:00, no "today" reminder at all.
    late = FakeOutbox()
    await run(repo, late, vn(DAY, 10), "visits.reminders")
    assert late.of_kind(vd.REMINDER) == []


async def test_visit_reported_meanwhile_renders_to_nothing(repo: Repo, world: World) -> None:
    h = world.households
    await _due(repo, {h["H1"]: DAY, h["H2"]: DAY})
    outbox = FakeOutbox()
    await run_between(
        repo, outbox, vn(DAY - timedelta(days=1), 12), vn(DAY, 12), "visits.reminders"
    )
    morning = next(
        d
        for d in outbox.of_kind(vd.REMINDER)
        if d.payload["slot"] == "morning" and d.payload["member_id"] == world.member.member_id
    )
    await service.record_visit(
        repo,
        world.member,
        h["H1"],
        visited_on=DAY - timedelta(days=1),
        today=DAY - timedelta(days=1),
        note="ổn",
    )
    message = await render(repo, morning, vn(DAY, 7))
    assert message is not None and "H1" not in message.text and "H2" in message.text
    await service.record_visit(
        repo,
        world.member,
        h["H2"],
        visited_on=DAY - timedelta(days=1),
        today=DAY - timedelta(days=1),
    )
    assert await render(repo, morning, vn(DAY, 7)) is None


async def test_snooze_moves_the_reminder(repo: Repo, world: World) -> None:
    h = world.households
    await _due(repo, {h["H4"]: DAY})
    outbox = FakeOutbox()
    await run_between(
        repo, outbox, vn(DAY - timedelta(days=1), 12), vn(DAY, 12), "visits.reminders"
    )
    evening = outbox.of_kind(vd.REMINDER)[0]
    later = DAY + timedelta(days=3)
    await service.snooze(repo, world.other, h["H4"], to=later, today=DAY - timedelta(days=1))
    assert await render(repo, evening, vn(DAY - timedelta(days=1), 19)) is None
    await run_between(
        repo, outbox, vn(later - timedelta(days=1), 12), vn(later, 12), "visits.reminders"
    )
    moved = [d for d in outbox.of_kind(vd.REMINDER) if d.payload["due_on"] == later.isoformat()]
    assert {d.payload["slot"] for d in moved} == {"evening", "morning"}
    assert await render(repo, moved[0], vn(later - timedelta(days=1), 19)) is not None
    with pytest.raises(VisitInvalid):
        await service.snooze(
            repo, world.other, h["H4"], to=DAY - timedelta(days=2), today=DAY - timedelta(days=1)
        )
    with pytest.raises(NotAllowed):  # somebody else's household
        await service.snooze(repo, world.member, h["H4"], to=later, today=DAY)


async def test_cadence_monthly_and_quarterly(repo: Repo, world: World) -> None:
    h = world.households
    await repo.visits.ensure_plans(DAY)
    await service.record_visit(
        repo, world.member, h["H1"], visited_on=DAY, today=DAY
    )  # poor: monthly
    await service.record_visit(
        repo, world.member, h["H2"], visited_on=DAY, today=DAY
    )  # other: quarterly
    assert (await repo.visits.plan(h["H1"])).due_on == date(2026, 4, 10)
    assert (await repo.visits.plan(h["H2"])).due_on == date(2026, 6, 10)
    await service.set_cadence(repo, world.secretary, h["H2"], "monthly", DAY)
    assert (await repo.visits.plan(h["H2"])).due_on == date(2026, 4, 10)
    with pytest.raises(NotAllowed):
        await service.set_cadence(repo, world.member, h["H2"], "quarterly", DAY)
    with pytest.raises(VisitInvalid):
        await service.record_visit(
            repo, world.member, h["H1"], visited_on=DAY + timedelta(days=1), today=DAY
        )


async def test_escalation_at_3_and_7_days(repo: Repo, world: World) -> None:
    h = world.households
    await _due(
        repo,
        {
            h["H1"]: DAY,
            h["H2"]: DAY,
            h["H3"]: DAY + timedelta(days=40),
            h["H4"]: DAY + timedelta(days=40),
            h["T1"]: DAY + timedelta(days=40),
        },
    )
    outbox = FakeOutbox()
    for late in range(0, 4):  # 0..3 days late: nothing
        await run(repo, outbox, vn(DAY + timedelta(days=late), 9), "visits.overdue")
    assert outbox.rows == {}
    day4 = DAY + timedelta(days=4)
    await run(repo, outbox, vn(day4, 5), "visits.overdue")
    nudges = outbox.of_kind(vd.OVERDUE)
    assert len(nudges) == 1 and nudges[0].recipient.user_id == world.member_user_id
    assert nudges[0].not_before == vn(day4, 7)  # not at 05:00, at the morning slot
    assert nudges[0].payload["household_ids"] == sorted([h["H1"], h["H2"]])
    message = await render(repo, nudges[0], vn(day4, 7))
    assert "H1" in message.text and "4 days late" in message.text
    for late in range(4, 8):  # nudged once, never again for the same late visit
        await run(repo, outbox, vn(DAY + timedelta(days=late), 9), "visits.overdue")
    assert len(outbox.of_kind(vd.OVERDUE)) == 1 and outbox.of_kind(vd.ESCALATION) == []
    await service.record_visit(
        repo,
        world.member,
        h["H2"],
        visited_on=DAY + timedelta(days=7),
        today=DAY + timedelta(days=7),
    )
    day8 = DAY + timedelta(days=8)
    await run(repo, outbox, vn(day8, 9), "visits.overdue")
    await run(repo, outbox, vn(day8, 10), "visits.overdue")
    escalations = outbox.of_kind(vd.ESCALATION)
    assert [d.recipient.user_id for d in escalations] == [world.secretary_user_id]
    assert escalations[0].payload["household_ids"] == [h["H1"]]
    text = (await render(repo, escalations[0], vn(day8, 9))).text
    assert "H1" in text and "Đảng viên Bình" in text and "8 days late" in text
    # Visited before the notice went out: nothing left to say.
    await service.record_visit(repo, world.member, h["H1"], visited_on=day8, today=day8)
    assert await render(repo, escalations[0], vn(day8, 9)) is None
    assert await render(repo, nudges[0], vn(day8, 9)) is None


async def test_need_reaches_the_secretary_once(repo: Repo, world: World) -> None:
    h = world.households
    await repo.visits.ensure_plans(DAY)
    await service.record_visit(
        repo,
        world.member,
        h["H1"],
        visited_on=DAY,
        today=DAY,
        note="Mái nhà dột",
        checklist={"housing": "concern", "health": "ok", "bogus": "x"},
        needs=[NeedInput("repair", "mái dột <b>")],
    )
    outbox = FakeOutbox()
    now = vn(DAY, 15)
    await run(repo, outbox, now, "visits.needs")
    await run(repo, outbox, now + timedelta(minutes=1), "visits.needs")
    notices = outbox.of_kind(vd.NEED)
    assert [d.recipient.user_id for d in notices] == [world.secretary_user_id]
    message = await render(repo, notices[0], now)
    assert "H1" in message.text and "house repair" in message.text and "&lt;b&gt;" in message.text
    with pytest.raises(VisitInvalid):
        await service.record_visit(
            repo, world.member, h["H1"], visited_on=DAY, today=DAY, needs=[NeedInput("spaceship")]
        )


async def test_monthly_report_on_the_first(repo: Repo, world: World) -> None:
    h = world.households
    await repo.visits.ensure_plans(date(2026, 3, 1))
    await service.record_visit(
        repo,
        world.member,
        h["H1"],
        visited_on=date(2026, 3, 5),
        today=date(2026, 3, 5),
        needs=[NeedInput("health")],
    )
    outbox = FakeOutbox()
    await run(repo, outbox, vn(date(2026, 3, 31), 12), "visits.monthly")
    assert outbox.rows == {}
    await run(repo, outbox, vn(date(2026, 4, 1), 3), "visits.monthly")
    await run(repo, outbox, vn(date(2026, 4, 1), 9), "visits.monthly")
    monthly = outbox.of_kind(vd.MONTHLY)
    assert [d.recipient.user_id for d in monthly] == [world.secretary_user_id]
    assert (
        monthly[0].not_before == vn(date(2026, 4, 1), 7)
        and monthly[0].payload["month"] == "2026-03-01"
    )
    message = await render(repo, monthly[0], vn(date(2026, 4, 1), 7))
    assert "Visited 1 of 4" in message.text and message.attachment.content[:4] == b"\x89PNG"
    sheet = await render(repo, outbox.of_kind(vd.MONTHLY_XLSX)[0], vn(date(2026, 4, 1), 7))
    assert sheet.attachment.content[:2] == b"PK"


async def test_privacy_of_household_details(repo: Repo, world: World) -> None:
    h = world.households
    await repo.visits.ensure_plans(DAY)
    plan = await repo.visits.plan(h["H1"])
    mine = await service.household_by_token(repo, world.member, plan.qr_token)
    assert mine.details and mine.assigned_to_me
    for actor in (world.other, world.resident, world.stranger):
        public = await service.household_by_token(repo, actor, plan.qr_token)
        assert (
            not public.details
            and public.member_name == "Đảng viên Bình"
            and public.last_visit is None
        )
        with pytest.raises(NotAllowed):
            await service.household_by_id(repo, actor, h["H1"])
    assert (await service.household_by_token(repo, world.secretary, plan.qr_token)).details
    assert await service.household_by_token(repo, world.member, "NBT-001") is None
    with pytest.raises(NotAllowed):
        await service.record_visit(repo, world.other, h["H1"], visited_on=DAY, today=DAY)
    with pytest.raises(NotAllowed):
        await service.my_schedule(repo, world.resident, DAY)
    schedule = await service.my_schedule(repo, world.member, DAY)
    assert [item.household.code for item in schedule] == ["H1", "H2", "H3"]


async def test_balanced_proposal_accepted_with_one_press(repo: Repo, world: World) -> None:
    with pytest.raises(NotAllowed):
        await service.apply_proposal(repo, world.member, world.village_id, DAY)
    await service.apply_proposal(repo, world.secretary, world.village_id, DAY)
    screen = await service.assignment_screen(repo, world.secretary, world.village_id)
    loads = {load.name: load.households for load in screen.loads}
    assert sum(loads.values()) == 4 and not screen.unassigned
    assert max(loads.values()) <= 5
    assert await service.apply_proposal(repo, world.secretary, world.village_id, DAY) == 0


async def test_two_processes_planning_at_once_queue_each_notice_once(
    repo: Repo, world: World, sessionmaker
) -> None:  # type: ignore[no-untyped-def]
    """Two engines run the same planners at the same moment on their own sessions:
    the dedupe keys make the second enqueue a no-op, and neither run fails."""
    h = world.households
    await _due(repo, {h["H1"]: DAY, h["H4"]: DAY - timedelta(days=9)})
    await repo.session.commit()
    outbox = FakeOutbox()
    now = vn(DAY, 8)

    async def engine() -> None:
        async with sessionmaker() as session:
            await run(Repo(session), outbox, now)
            await session.commit()

    import asyncio

    await asyncio.gather(engine(), engine())
    kinds = sorted(d.kind for d in outbox.rows.values())
    assert kinds == [vd.ESCALATION, vd.OVERDUE, vd.REMINDER]
