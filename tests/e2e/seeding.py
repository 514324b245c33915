"""Set-up shared by the e2e tests that broadcast to many residents: an org file applied to a
fresh database with known residents, and a secretary's broadcast written straight through the
service (the tests are about its delivery, not the wizard that makes it)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.sandbox import Sandbox
from bot.services import broadcasts as service
from bot.services.authz import Actor
from bot.services.org_import import apply_org, parse_org
from storage.db import create_engine, create_sessionmaker
from storage.migrate import upgrade
from storage.models import Role, User
from storage.repo import Repo

VILLAGE = "nam-bac-thanh"


async def seed_org(url: str, org_yaml: str | None = None) -> None:
    """A database migrated (start-up then only checks the revision) with the test org file."""
    if org_yaml is None:
        from tests.data_org import ORG_YAML as org_yaml
    engine = create_engine(url)
    await upgrade(engine)
    async with create_sessionmaker(engine)() as session:
        await apply_org(Repo(session), parse_org(org_yaml))
        await session.commit()
    await engine.dispose()


async def seed_residents(url: str, sandbox: Sandbox, org_yaml: str, count: int, first_id: int = 6_000_000) -> list[int]:
    """Migrate, apply ``org_yaml`` and add ``count`` residents of the test village who have
    started the bot in ``sandbox``; returns their ids."""
    engine = create_engine(url)
    await upgrade(engine)
    recipients = []
    async with create_sessionmaker(engine)() as session:
        repo = Repo(session)
        await apply_org(repo, parse_org(org_yaml))
        village = await repo.places.village_by_code(VILLAGE)
        assert village is not None
        for i in range(count):
            pid = first_id + i
            session.add(User(platform_user_id=pid, full_name=f"Dân {i}", village_id=village.id))
            sandbox.user(pid, f"Dân {i}").started = True
            recipients.append(pid)
        await session.commit()
    await engine.dispose()
    return recipients


async def broadcast_to_residents(url: str, text: str, secretary_id: int = 1001) -> None:
    """The test village's secretary sends ``text`` to its residents, now."""
    engine = create_engine(url)
    async with create_sessionmaker(engine)() as session:
        repo = Repo(session)
        village = await repo.places.village_by_code(VILLAGE)
        assert village is not None
        actor = Actor(user_id=None, platform_user_id=secretary_id, village_id=village.id, role=Role.SECRETARY)
        await service.create_broadcast(
            repo, actor, service.Draft("text", text, service.Audience(residents=True)),
            author_chat_id=secretary_id, author_locale="vi", now=datetime.now(UTC), tz=UTC, default_locale="vi",
        )
        await session.commit()
    await engine.dispose()
