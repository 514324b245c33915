"""Broadcast domain: recurrence and due times (month ends, time zones), parsing,
validation, the grace rule, audience resolution and authorization."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.services import broadcasts as service
from bot.services.authz import Actor
from bot.services.errors import BroadcastInvalid, NotAllowed
from bot.services.org_import import apply_org, parse_org
from storage.models import Chat, Role, User
from storage.repo import Repo
from tests.data_org import ORG_YAML

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def test_weekly_sunday_0630_in_vietnam() -> None:
    rule = service.Recurrence("weekly", 6, 6, 30)
    # Saturday 23:00 UTC is already Sunday 06:00 in Vietnam: due in 30 minutes
    after = datetime(2026, 3, 7, 23, 0, tzinfo=UTC)
    due = rule.next_after(after, VN)
    assert due == datetime(2026, 3, 8, 6, 30, tzinfo=VN)
    assert due.astimezone(UTC) == datetime(2026, 3, 7, 23, 30, tzinfo=UTC)
    assert rule.next_after(due, VN) == datetime(2026, 3, 15, 6, 30, tzinfo=VN)
    assert rule.latest_at_or_before(due, VN) == due
    assert rule.latest_at_or_before(due - timedelta(minutes=1), VN) == datetime(2026, 3, 1, 6, 30, tzinfo=VN)


def test_monthly_on_the_31st_uses_the_last_day_of_short_months() -> None:
    rule = service.Recurrence("monthly", 31, 7, 0)
    start = datetime(2026, 1, 31, 7, 0, tzinfo=VN)
    dues = [start]
    for _ in range(4):
        dues.append(rule.next_after(dues[-1], VN))
    assert [d.date().isoformat() for d in dues] == [
        "2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30", "2026-05-31",
    ]
    leap = service.Recurrence("monthly", 30, 7, 0).next_after(datetime(2028, 2, 1, tzinfo=VN), VN)
    assert leap == datetime(2028, 2, 29, 7, 0, tzinfo=VN)
    december = service.Recurrence("monthly", 15, 20, 0).next_after(datetime(2026, 12, 20, tzinfo=VN), VN)
    assert december == datetime(2027, 1, 15, 20, 0, tzinfo=VN)
    assert rule.latest_at_or_before(datetime(2026, 3, 15, tzinfo=VN), VN) == datetime(2026, 2, 28, 7, 0, tzinfo=VN)


def test_recurrence_round_trip_and_validation() -> None:
    rule = service.Recurrence("weekly", 6, 6, 30)
    assert service.Recurrence.parse(rule.to_str()) == rule
    for bad in (("weekly", 7, 6, 0), ("monthly", 0, 6, 0), ("daily", 1, 6, 0), ("weekly", 1, 24, 0)):
        with pytest.raises(BroadcastInvalid):
            service.Recurrence(*bad)
    with pytest.raises(BroadcastInvalid):
        service.Recurrence.parse("weekly:x")


def test_parse_when_in_local_time() -> None:
    now = datetime(2026, 3, 1, tzinfo=UTC)
    when = service.parse_when("08/03/2026 06:30", VN, now)
    assert when.tzinfo is not None and when.astimezone(UTC) == datetime(2026, 3, 7, 23, 30, tzinfo=UTC)
    assert service.parse_when(" 8/3/2026 6h30 ", VN, now) == when
    for bad in ("31/02/2026 06:30", "hôm nay", "08/03/26 06:30", ""):
        with pytest.raises(BroadcastInvalid) as exc:
            service.parse_when(bad, VN, now)
        assert exc.value.reason == "bad_datetime"
    with pytest.raises(BroadcastInvalid) as exc:
        service.parse_when("01/01/2026 06:30", VN, now)
    assert exc.value.reason == "in_past"
    assert service.parse_time("6:30") == (6, 30)
    with pytest.raises(BroadcastInvalid):
        service.parse_time("25:00")


def test_grace_decides_sent_or_missed() -> None:
    due = datetime(2026, 3, 8, 6, 30, tzinfo=VN)
    grace = timedelta(minutes=60)
    on_time = service.decide_due(due, None, now=due + timedelta(minutes=59), grace=grace, tz=VN)
    assert on_time.send and on_time.next_due is None and on_time.due_at == due
    late = service.decide_due(due, None, now=due + timedelta(minutes=61), grace=grace, tz=VN)
    assert not late.send and late.next_due is None
    weekly = service.Recurrence("weekly", 6, 6, 30).to_str()
    # down for 15 days and back 10 minutes after an occurrence: send that one only
    back = due + timedelta(days=14, minutes=10)
    decision = service.decide_due(due, weekly, now=back, grace=grace, tz=VN)
    assert decision.send and decision.due_at == due + timedelta(days=14)
    assert decision.next_due == due + timedelta(days=21)
    missed = service.decide_due(due, weekly, now=due + timedelta(days=16), grace=grace, tz=VN)
    assert not missed.send and missed.next_due == due + timedelta(days=21)


def test_validation() -> None:
    audience = service.Audience(residents=True)
    service.validate(service.Draft("text", "<b>&</b> 🌾 Họp", audience))
    cases = {
        "empty": service.Draft("text", "   ", audience),
        "too_long": service.Draft("text", "x" * 4000, audience),
        "no_audience": service.Draft("text", "Họp", service.Audience()),
    }
    for reason, draft in cases.items():
        with pytest.raises(BroadcastInvalid) as exc:
            service.validate(draft)
        assert exc.value.reason == reason
    with pytest.raises(BroadcastInvalid):
        service.validate(service.Draft("photo", "caption", audience))
    with pytest.raises(BroadcastInvalid):
        service.validate(service.Draft("photo", "x" * 1000, audience, file_id="AgAD"))


async def test_audience_own_village_only_and_each_person_once(repo: Repo) -> None:
    await apply_org(repo, parse_org(ORG_YAML))
    home = await repo.places.village_by_code("nam-bac-thanh")
    other = await repo.places.village_by_code("trung-thanh")
    assert home is not None and other is not None
    foreign = Chat(platform_chat_id=-1009, title="Trung Thành", village_id=other.id, active=True)
    gone = Chat(platform_chat_id=-1008, title="Cũ", village_id=home.id, active=False)
    repo.session.add_all([foreign, gone])
    secretary = User(platform_user_id=1001, full_name="Bí thư", village_id=home.id, language="en")
    resident = User(platform_user_id=2001, full_name="Dân", village_id=home.id)
    blocked = User(platform_user_id=2002, full_name="Chặn", village_id=home.id, reachable=False)
    outsider = User(platform_user_id=2003, full_name="Xã khác", village_id=other.id)
    repo.session.add_all([secretary, resident, blocked, outsider])
    await repo.session.flush()
    member = await repo.members.by_phone("0912000001")
    assert member is not None
    member.user_id = secretary.id
    await repo.session.flush()

    both = service.Audience(group_ids=(foreign.id,), members=True, residents=True)
    recipients = await service.resolve_audience(repo, home.id, both, default_locale="vi")
    assert [r.chat_id for r in recipients] == [1001, 2001]  # the foreign group is ignored
    assert recipients[0].locale == "en" and recipients[1].locale == "vi"

    groups = await service.resolve_audience(repo, home.id, service.Audience(all_groups=True), default_locale="vi")
    assert [r.chat_id for r in groups] == [-1001000000001]  # active, own village

    members = await service.resolve_audience(repo, home.id, service.Audience(members=True), default_locale="vi")
    assert [r.chat_id for r in members] == [1001]


async def test_only_broadcast_roles_may_create(repo: Repo) -> None:
    await apply_org(repo, parse_org(ORG_YAML))
    home = await repo.places.village_by_code("nam-bac-thanh")
    assert home is not None
    draft = service.Draft("text", "Họp", service.Audience(all_groups=True))
    for role in (Role.MEMBER, Role.TREASURER, None):
        actor = Actor(user_id=None, platform_user_id=7, village_id=home.id, role=role)
        with pytest.raises(NotAllowed):
            await service.create_broadcast(
                repo, actor, draft, author_chat_id=7, author_locale="vi",
                now=datetime.now(UTC), tz=VN, default_locale="vi",
            )
    committee = Actor(user_id=None, platform_user_id=7, village_id=home.id, role=Role.COMMITTEE)
    created = await service.create_broadcast(
        repo, committee, draft, author_chat_id=7, author_locale="vi",
        now=datetime.now(UTC), tz=VN, default_locale="vi",
    )
    assert created.recipients == 1 and created.run is not None
    audit = await repo.audit.recent(home.id)
    assert audit[0].action == "broadcast_created"
