"""Repositories and the org import, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.services.org_import import apply_org, parse_org
from storage.models import AuditLog, Chat, Household, Member, Village, VisitAssignment
from storage.repo import Repo
from tests.data_org import ORG_YAML


async def _counts(repo: Repo) -> dict[str, int]:
    counts = {}
    for model in (Village, Member, Household, Chat, VisitAssignment):
        counts[model.__tablename__] = await repo.session.scalar(select(func.count()).select_from(model))
    return counts


async def test_org_import_is_idempotent(repo: Repo) -> None:
    specs = parse_org(ORG_YAML)
    await apply_org(repo, specs)
    await repo.session.commit()
    first = await _counts(repo)
    await apply_org(repo, parse_org(ORG_YAML))
    await repo.session.commit()
    assert await _counts(repo) == first == {
        "villages": 2,
        "members": 4,
        "households": 2,
        "chats": 1,
        "visit_assignments": 1,
    }
    commune = await repo.places.commune_by_code("cam-thanh")
    assert commune is not None and commune.criteria_set == "ntm-2021-2025" and commune.criteria_group == 2
    household = (await repo.households.of_village((await repo.places.village_by_code("nam-bac-thanh")).id))[0]
    assert household.flags == ["poor"]
    visitor = await repo.households.visitor_of(household.id)
    assert visitor == (await repo.members.by_phone("0912000002")).id


async def test_user_get_or_create_and_unreachable(repo: Repo) -> None:
    user = await repo.users.get_or_create(42, full_name="Bà Tư", username=None)
    again = await repo.users.get_or_create(42, full_name="Bà Tư Mới", username="batu")
    assert again.id == user.id and again.full_name == "Bà Tư Mới"
    await repo.users.mark_unreachable(42)
    await repo.session.commit()
    await repo.session.refresh(user)
    assert user.reachable is False
    assert user.created_at.tzinfo is not None


async def test_a_403_from_another_bot_leaves_the_person_reachable(repo: Repo) -> None:
    """Several bots: a person who writes to bot "ha-tinh" is not unreachable because bot
    "nghe-an" (which they never started) was refused; their own bot's 403 counts."""
    user = await repo.users.get_or_create(43, full_name="Ông Năm", username=None)
    user.bot_key = "ha-tinh"
    await repo.session.commit()
    await repo.users.mark_unreachable(43, "nghe-an")
    await repo.session.commit()
    await repo.session.refresh(user)
    assert user.reachable is True
    await repo.users.mark_unreachable(43, "ha-tinh")
    await repo.session.commit()
    await repo.session.refresh(user)
    assert user.reachable is False
    nobody = await repo.users.get_or_create(44, full_name="Bà Sáu", username=None)  # no bot recorded
    await repo.users.mark_unreachable(44, "nghe-an")
    await repo.session.commit()
    await repo.session.refresh(nobody)
    assert nobody.reachable is False


async def test_update_ids_are_recorded_once(repo: Repo) -> None:
    assert await repo.updates.mark_processed(1, 500) is True
    assert await repo.updates.mark_processed(1, 500) is False
    assert await repo.updates.mark_processed(2, 500) is True


async def test_invite_claim_is_single_use(repo: Repo) -> None:
    await apply_org(repo, parse_org(ORG_YAML))
    from storage.models import Invite

    member = await repo.members.by_phone("0912000002")
    now = datetime.now(UTC)
    invite = Invite(token="tok-123456", member_id=member.id, expires_at=now + timedelta(days=1))
    repo.invites.add(invite)
    u1 = await repo.users.get_or_create(1, full_name="A", username=None)
    u2 = await repo.users.get_or_create(2, full_name="B", username=None)
    await repo.session.flush()
    assert await repo.invites.claim(invite.id, u1.id, now) is True
    assert await repo.invites.claim(invite.id, u2.id, now) is False


async def test_chats_of_village_skip_inactive(repo: Repo) -> None:
    await apply_org(repo, parse_org(ORG_YAML))
    village = await repo.places.village_by_code("nam-bac-thanh")
    chat = await repo.chats.by_platform_id(-1001000000001)
    assert [c.id for c in await repo.chats.of_village(village.id)] == [chat.id]
    chat.active = False
    await repo.session.flush()
    assert await repo.chats.of_village(village.id) == []
    assert len(await repo.chats.of_village(village.id, active_only=False)) == 1


async def test_audit_log_records_details(repo: Repo) -> None:
    repo.audit.add("test_action", actor_user_id=None, village_id=None, details={"x": "ấp"})
    await repo.session.commit()
    row = await repo.session.scalar(select(AuditLog))
    assert row.details == {"x": "ấp"} and row.at.tzinfo is not None


async def test_naive_datetime_is_refused(repo: Repo) -> None:
    await apply_org(repo, parse_org(ORG_YAML))
    from storage.models import Invite

    member = await repo.members.by_phone("0912000002")
    repo.invites.add(Invite(token="naive-token", member_id=member.id, expires_at=datetime(2030, 1, 1)))  # noqa: DTZ001
    with pytest.raises(Exception, match="naive datetime"):
        await repo.session.flush()


async def test_old_update_ids_are_pruned(repo: Repo) -> None:
    from storage.models import ProcessedUpdate

    await repo.updates.mark_processed(1, 10)
    await repo.updates.mark_processed(1, 11)
    old = await repo.session.get(ProcessedUpdate, (1, 10))
    old.processed_at = datetime.now(UTC) - timedelta(days=30)
    await repo.session.flush()
    assert await repo.updates.prune(datetime.now(UTC) - timedelta(days=7)) == 1
    assert await repo.updates.mark_processed(1, 11) is False
