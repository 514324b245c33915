"""A person's row is created or renamed in a short unit of work of its own (issue 21,
item 5): two updates of one new person handled at once never collide."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from storage.models import User
from storage.repo import Repo


async def test_ensure_races_safely_and_renames(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    async def ensure(name: str) -> None:
        async with sessionmaker() as session:
            await Repo(session).users.ensure(4242, full_name=name, username=None)
            await session.commit()

    await asyncio.gather(*(ensure("Lan") for _ in range(4)))
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(User).where(User.platform_user_id == 4242)) == 1
        await Repo(session).users.mark_unreachable(4242)
        await session.commit()
    await ensure("Lan Anh")
    async with sessionmaker() as session:
        user = await session.scalar(select(User).where(User.platform_user_id == 4242))
        assert user is not None and user.full_name == "Lan Anh" and user.reachable
