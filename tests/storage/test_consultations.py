"""Consultations on SQLite and PostgreSQL: who answers for whom, one vote per
household with the last one standing, closing once, the board's edits at most every
10 minutes, the reminder the day before, and the papers agreeing with the board."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook

from bot.delivery.contract import Delivery, PlanContext, RenderContext, SentContext
from bot.services.authz import Actor
from bot.services.consultations import delivery as yk
from bot.services.consultations import documents, service
from bot.services.consultations.domain import OTHER, ConsultationInvalid, NotEligible
from bot.services.errors import NotAllowed
from bot.services.org_import import apply_org, parse_org
from storage.models import ConsultationKind, Member, User, Voters
from storage.repo import Repo
from tests.data_org import ORG_YAML

TZ = "Asia/Ho_Chi_Minh"
NOW = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)  # 10:00 in Vietnam


class Collector:
    def __init__(self) -> None:
        self.deliveries: list[Delivery] = []
        self.keys: set[str] = set()

    async def enqueue(self, delivery: Delivery) -> bool:
        if delivery.dedupe_key in self.keys:
            return False
        self.keys.add(delivery.dedupe_key or "")
        self.deliveries.append(delivery)
        return True

    async def enqueue_repo(self, _repo: Repo, delivery: Delivery) -> bool:
        return await self.enqueue(delivery)


async def plan(planner, repo: Repo, collector: Collector, now: datetime) -> list[Delivery]:  # type: ignore[no-untyped-def]
    before = len(collector.deliveries)
    await planner(PlanContext(repo=repo, now=now, timezone=TZ, enqueue=collector.enqueue))
    return collector.deliveries[before:]


def render_ctx(repo: Repo, now: datetime) -> RenderContext:
    return RenderContext(locale="vi", repo=repo, now=now, timezone=TZ, gettext=lambda s: s)


async def user(repo: Repo, platform_id: int, name: str, village_id: int, household_id: int | None = None) -> User:
    person = await repo.users.get_or_create(platform_id, full_name=name, username=None)
    person.village_id = village_id
    person.household_id = household_id
    await repo.session.flush()
    return person


async def seed(repo: Repo):  # type: ignore[no-untyped-def]
    await apply_org(repo, parse_org(ORG_YAML))
    village = await repo.places.village_by_code("nam-bac-thanh")
    other = await repo.places.village_by_code("trung-thanh")
    households = {h.code: h for h in await repo.households.of_village(village.id)}
    secretary_user = await user(repo, 1001, "An", village.id)
    secretary = await repo.members.by_phone("0912000001")
    secretary.user_id = secretary_user.id
    member_user = await user(repo, 1002, "Bình", village.id)
    member = await repo.members.by_phone("0912000002")
    member.user_id = member_user.id
    await repo.session.flush()
    return village, other, households, secretary_user, secretary, member_user, member


def actor_of(person: User, member: Member | None = None, role: str | None = None) -> Actor:
    from storage.models import Role

    return Actor(
        user_id=person.id,
        platform_user_id=person.platform_user_id,
        village_id=person.village_id,
        member_id=member.id if member else None,
        role=Role(role or member.role) if member else None,
    )


def draft(**changes) -> service.Draft:  # type: ignore[no-untyped-def]
    values = dict(
        question="Làm đường bê tông, mỗi hộ góp 500.000 đ?",
        kind=ConsultationKind.YES_NO,
        labels=["Đồng ý", "Không đồng ý"],
        allow_other=False,
        voters=Voters.HOUSEHOLD,
        names_public=True,
        closes_at=NOW + timedelta(days=3),
    )
    values.update(changes)
    return service.Draft(**values)


async def test_one_vote_per_household_last_one_standing(repo: Repo) -> None:
    village, other, hh, sec_user, secretary, member_user, member = await seed(repo)
    secretary_actor = actor_of(sec_user, secretary)
    with pytest.raises(NotAllowed):
        await service.create(repo, actor_of(member_user, member), draft(), now=NOW)
    poll = await service.create(repo, secretary_actor, draft(), now=NOW)

    lan = await user(repo, 3001, "Lan", village.id, hh["NBT-001"].id)  # phone matched NBT-001
    lans_son = await user(repo, 3002, "Hùng", village.id, hh["NBT-001"].id)
    stranger = await user(repo, 3003, "Khách", village.id)  # chose the village by name only
    outsider = await user(repo, 3004, "Xa", other.id)  # chose the other village by name
    far_member = await user(repo, 3007, "Võ", other.id)
    far = await repo.members.by_phone("0912000009")  # the other village's secretary
    far.user_id = far_member.id
    await repo.session.flush()

    async def cast(person: User, choice: int, *, code: str | None = None, member: Member | None = None):  # type: ignore[no-untyped-def]
        actor = actor_of(person, member)
        voter = await service.voter_for(
            repo, actor, poll, user_household_id=person.household_id, user_name=person.full_name, typed_code=code
        )
        return await service.vote(repo, actor, poll, voter, [choice], now=NOW + timedelta(minutes=5))

    silent = await repo.consultations.silent_households(poll.id, village.id)
    assert [h.code for h in silent] == ["NBT-001", "NBT-002"]
    first = await cast(lan, 0)
    silent = await repo.consultations.silent_households(poll.id, village.id)
    assert [h.code for h in silent] == ["NBT-002"]
    assert not first.replaced
    changed = await cast(lans_son, 1)  # same household: replaces Lan's answer
    assert changed.replaced and changed.previous == (0,)
    with pytest.raises(NotEligible) as refused:
        await cast(member_user, 0, member=member)  # a member without a matched household
    assert refused.value.reason == "need_code"
    with pytest.raises(NotEligible) as refused:
        await cast(member_user, 0, code="KHONG-CO", member=member)
    assert refused.value.reason == "code_unknown"
    await cast(member_user, 0, code="nbt-002", member=member)
    # Back on the ballot, the member is not asked for the code again: the household he
    # answered for is the one his ballot shows and his new answer replaces.
    again = await cast(member_user, 0, member=member)
    assert again.replaced and again.vote.household_id == hh["NBT-002"].id
    with pytest.raises(NotEligible) as refused:  # one household per person per consultation
        await cast(member_user, 0, code="NBT-001", member=member)
    assert refused.value.reason == "one_household"
    for person, reason in ((stranger, "unverified"), (outsider, "unverified")):
        with pytest.raises(NotEligible) as refused:
            await cast(person, 0)
        assert refused.value.reason == reason
    with pytest.raises(NotEligible) as refused:
        await cast(far_member, 0, member=far)
    assert refused.value.reason == "other_village"
    with pytest.raises(ConsultationInvalid):  # a forged choice
        await cast(lan, 7)

    result = await service.result(repo, poll, other_label="Other")
    assert result.tally.voted == 2 and result.tally.eligible == 2
    assert [o.votes for o in result.tally.options] == [1, 1]
    assert len(await repo.consultations.votes(poll.id)) == 2


async def test_closing_board_reminder_and_papers(repo: Repo) -> None:
    village, _other, hh, sec_user, secretary, *_ = await seed(repo)
    chat = (await repo.chats.of_village(village.id))[0]
    poll = await service.create(
        repo,
        actor_of(sec_user, secretary),
        draft(kind=ConsultationKind.MULTI, labels=["$5$ mỗi hộ", "=SUM(A1) 🚧"], allow_other=True),
        now=NOW,
    )
    collector = Collector()
    assert await yk.announce(repo, collector.enqueue_repo, poll, "villagebot", NOW) == 1
    [post] = collector.deliveries
    assert post.recipient.chat_id == chat.id and post.kind == yk.BOARD
    message = await yk.render_board(render_ctx(repo, NOW), post.payload)
    assert message is not None and message.edit_message_id is None
    assert message.choices[0][0].url == f"https://t.me/villagebot?start=yk_{poll.code}"
    await yk.board_sent(SentContext(repo, NOW, 77, post.ref), post.payload)

    lan = await user(repo, 3001, "<b>Lan</b>", village.id, hh["NBT-001"].id)
    actor = actor_of(lan)
    voter = await service.voter_for(repo, actor, poll, user_household_id=lan.household_id, user_name=lan.full_name)
    await service.vote(repo, actor, poll, voter, [0, OTHER], other_text="=HYPERLINK(\"x\")", now=NOW + timedelta(minutes=1))

    # the board: one edit, not sooner than 10 minutes after it was drawn
    [edit] = await plan(yk.plan_board_updates, repo, collector, NOW + timedelta(minutes=2))
    assert edit.not_before == NOW + timedelta(minutes=10)
    assert await plan(yk.plan_board_updates, repo, collector, NOW + timedelta(minutes=4)) == []
    text = (await yk.render_board(render_ctx(repo, NOW + timedelta(minutes=10)), edit.payload)).text
    assert "<b>Lan</b>" not in text and "1 of 2 (50%)" in text and text.count("100%") == 2

    # the reminder: the day before, to the household that has not answered
    assert await plan(yk.plan_reminders, repo, collector, NOW + timedelta(hours=47)) == []
    await user(repo, 3005, "Hùng", village.id, hh["NBT-001"].id)  # NBT-001 answered (Lan)
    neighbour = await user(repo, 3006, "Hà", village.id, hh["NBT-002"].id)
    [reminder] = await plan(yk.plan_reminders, repo, collector, NOW + timedelta(hours=48, minutes=1))
    assert reminder.recipient.user_id == neighbour.id and reminder.kind == yk.REMINDER
    assert await plan(yk.plan_reminders, repo, collector, NOW + timedelta(hours=49)) == []
    assert await yk.render_reminder(render_ctx(repo, NOW + timedelta(hours=49)), reminder.payload)

    # closing: once, with the pinned result, a last board edit and the papers
    assert await plan(yk.plan_closing, repo, collector, NOW + timedelta(days=2)) == []
    closing = await plan(yk.plan_closing, repo, collector, NOW + timedelta(days=3))
    # (the board's last edit is the one already queued: rendered at send time, closed)
    assert sorted(d.kind for d in closing) == sorted([yk.RESULT, yk.MINUTES, yk.FILE, yk.FILE])
    final_board = await yk.render_board(render_ctx(repo, NOW + timedelta(days=3)), edit.payload)
    assert final_board.choices == () and final_board.edit_message_id == 77
    assert "Final result" in final_board.text
    assert await plan(yk.plan_closing, repo, collector, NOW + timedelta(days=3, minutes=1)) == []
    with pytest.raises(ConsultationInvalid):
        await service.vote(repo, actor, poll, voter, [1], now=NOW + timedelta(days=3))
    later = NOW + timedelta(days=3)
    ctx = render_ctx(repo, later)
    by_kind = {(d.kind, d.payload.get("what")): d for d in closing}
    pinned = await yk.render_result(ctx, by_kind[(yk.RESULT, None)].payload)
    assert pinned is not None and pinned.pin and pinned.attachment.content.startswith(b"\x89PNG")
    minutes = await yk.render_minutes(ctx, by_kind[(yk.MINUTES, "text")].payload)
    assert "NBT-001 · Lê Văn C: $5$ mỗi hộ, Other: =HYPERLINK(&quot;x&quot;)" in minutes.text
    assert "1 of 2 (50%)" in minutes.text and "<b>Lan</b>" not in minutes.text
    pdf = await yk.render_file(ctx, by_kind[(yk.FILE, "pdf")].payload)
    assert pdf.attachment.content.startswith(b"%PDF")
    sheet = await yk.render_file(ctx, by_kind[(yk.FILE, "xlsx")].payload)
    book = load_workbook(io.BytesIO(sheet.attachment.content))
    typed = [c for row in book.active.iter_rows() for c in row if isinstance(c.value, str)]
    cells = {c.value: c for c in typed}
    assert "=HYPERLINK(\"x\")" in cells and "=SUM(A1) 🚧" in cells  # shown as typed ...
    assert all(c.data_type == "s" for c in typed)  # ... as text, never a formula
    assert cells["=SUM(A1) 🚧"].quotePrefix
    result = await service.result(repo, poll, other_label=documents.other_label(lambda s: s))
    assert result.tally.voted == 1 and [o.votes for o in result.tally.options] == [1, 0]


async def test_members_and_residents_and_the_campaign_link(repo: Repo) -> None:
    village, other, hh, sec_user, secretary, member_user, member = await seed(repo)
    secretary_actor = actor_of(sec_user, secretary)
    lan = await user(repo, 3001, "Lan", village.id, hh["NBT-001"].id)
    stranger = await user(repo, 3003, "Khách", village.id)

    async def voter(poll, person: User, member_row: Member | None = None) -> service.Voter:  # type: ignore[no-untyped-def]
        return await service.voter_for(
            repo, actor_of(person, member_row), poll, user_household_id=person.household_id, user_name=person.full_name
        )

    branch_poll = await service.create(repo, secretary_actor, draft(voters=Voters.MEMBER), now=NOW)
    assert (await voter(branch_poll, member_user, member)).key == f"m:{member.id}"
    with pytest.raises(NotEligible) as refused:
        await voter(branch_poll, lan)
    assert refused.value.reason == "not_member"
    assert await service.eligible(repo, branch_poll) == 3  # the branch's roster

    residents_poll = await service.create(repo, secretary_actor, draft(voters=Voters.RESIDENT), now=NOW)
    assert (await voter(residents_poll, lan)).key == f"u:{lan.id}"
    assert (await voter(residents_poll, member_user, member)).key == f"u:{member_user.id}"
    with pytest.raises(NotEligible):
        await voter(residents_poll, stranger)
    # Lan, and the two members linked to their accounts (the secretary and Bình).
    assert await service.eligible(repo, residents_poll) == 3

    from bot.services.contributions import service as contributions

    today = contributions.local_today(NOW, TZ)
    elsewhere = await contributions.create_campaign(
        repo, Actor(None, None, other.id, None, None, is_admin=True), village_id=other.id, name="Cầu",
        purpose="", goals={"money": 1_000_000}, starts_on=today, ends_on=today + timedelta(days=9),
        bank_bin="970405", account_number="1", account_holder="X", now=NOW,
    )  # fmt: skip
    with pytest.raises(ConsultationInvalid) as refused:
        await service.create(repo, secretary_actor, draft(campaign_id=elsewhere.id), now=NOW)
    assert refused.value.reason == "campaign"
    # A campaign of the village itself: linked, and named in the minutes.
    road = await contributions.create_campaign(
        repo, Actor(None, None, village.id, None, None, is_admin=True), village_id=village.id, name="Đường xóm 1",
        purpose="", goals={"money": 1_000_000}, starts_on=today, ends_on=today + timedelta(days=9),
        bank_bin="970405", account_number="1", account_holder="X", now=NOW,
    )  # fmt: skip
    linked = await service.create(repo, secretary_actor, draft(campaign_id=road.id), now=NOW)
    assert linked.campaign_id == road.id
    minutes = await yk.render_minutes(render_ctx(repo, NOW), {"consultation_id": linked.id})
    assert "About the campaign: Đường xóm 1" in minutes.text


def test_kinds_planners_and_quiet_hours() -> None:
    kinds = {spec.kind: spec for spec in yk.delivery_kinds()}
    assert set(kinds) == {yk.BOARD, yk.RESULT, yk.MINUTES, yk.FILE, yk.REMINDER}
    assert kinds[yk.REMINDER].quiet_hours is not None  # never at night
    assert kinds[yk.BOARD].on_sent is not None and kinds[yk.BOARD].quiet_hours is None
    assert {p.name for p in yk.planners()} == {"consult.close", "consult.board", "consult.reminders"}
