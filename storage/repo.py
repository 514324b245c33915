"""Repositories: every query of the foundation lives here. None of them commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.accounts_repo import AccountRepository
from storage.broadcast_repo import BroadcastRepository
from storage.channels_repo import ChannelRepository, platform_of
from storage.consultations_repo import ConsultationsRepository
from storage.contributions_repo import ContributionsRepository
from storage.criteria_repo import CriteriaRepository
from storage.identity_repo import BotIdentityRepository
from storage.inbox_repo import InboxRepository
from storage.lease_repo import LeaseRepository
from storage.models import (
    AuditLog,
    Branch,
    Chat,
    Commune,
    Household,
    Invite,
    LinkedAccount,
    Member,
    Platform,
    ProcessedUpdate,
    Province,
    User,
    Village,
    VisitAssignment,
)
from storage.outbox_repo import OutboxRepository
from storage.planner_repo import PlannerRunRepository
from storage.visits_repo import VisitRepository


class _Repository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session


class UserRepository(_Repository):
    async def get(self, user_id: int) -> User | None:
        return await self.session.get(User, user_id)

    async def by_platform_id(
        self, platform_user_id: int, platform: str | None = None
    ) -> User | None:
        """The user behind an internal address. Addresses of different channels never
        overlap (see ``storage/channels_repo.py``): the address tells the platform."""
        platform = platform or platform_of(platform_user_id)
        user = await self.session.scalar(
            select(User).where(User.platform == platform, User.platform_user_id == platform_user_id)
        )
        if user is None:  # a linked account used on its other channel
            user = await self.session.scalar(
                select(User)
                .join(LinkedAccount, LinkedAccount.user_id == User.id)
                .where(LinkedAccount.platform_user_id == platform_user_id)
            )
        return user

    async def highest_platform_id(self, platform: str = Platform.TELEGRAM) -> int:
        """The highest platform user id the bot has met (0 when none): the sandbox
        never gives a new persona an id the bot knows already."""
        users = await self.session.scalar(
            select(func.max(User.platform_user_id)).where(User.platform == platform)
        )
        linked = await self.session.scalar(  # an address of a person now reached elsewhere
            select(func.max(LinkedAccount.platform_user_id)).where(LinkedAccount.platform == platform)
        )
        return int(max(users or 0, linked or 0))

    async def ensure(
        self,
        platform_user_id: int,
        *,
        full_name: str,
        username: str | None,
        platform: str = Platform.TELEGRAM,
        bot_key: str | None = None,
    ) -> None:
        """Create the person's row, or bring its name up to date, with two statements
        that race safely (``ON CONFLICT DO NOTHING``, a conditional UPDATE): meant for a
        short unit of work of its own, committed at once (issue 21, item 5). With
        several bots, ``bot_key`` is the bot they write to now (it writes to them).

        An address linked to a person's other account is not a new person: that
        person is reached at this address from now on (the channel used last)."""
        bot = {"bot_key": bot_key} if bot_key is not None else {}
        owner = await AccountRepository(self.session).owner_of(platform_user_id)
        if owner is not None:
            await AccountRepository(self.session).prefer(owner, platform_user_id)
            if bot:
                await self.session.execute(
                    update(User).where(User.id == owner).values(**bot).execution_options(synchronize_session=False)
                )
            return
        insert_ = pg_insert if self.session.bind.dialect.name == "postgresql" else sqlite_insert
        await self.session.execute(
            insert_(User)
            .values(
                platform=platform,
                platform_user_id=platform_user_id,
                full_name=full_name[:200],
                username=username,
                reachable=True,
                **bot,
            )
            .on_conflict_do_nothing(index_elements=["platform", "platform_user_id"])
        )
        changed = (
            (User.full_name != full_name[:200])
            | (User.username.is_distinct_from(username))
            | (User.reachable.is_(False))
        )
        if bot_key is not None:
            changed = changed | User.bot_key.is_distinct_from(bot_key)
        await self.session.execute(
            update(User)
            .where(User.platform == platform, User.platform_user_id == platform_user_id, changed)
            .values(full_name=full_name[:200], username=username, reachable=True, **bot)
            .execution_options(synchronize_session=False)
        )

    async def get_or_create(
        self,
        platform_user_id: int,
        *,
        full_name: str,
        username: str | None,
        platform: str = Platform.TELEGRAM,
    ) -> User:
        user = await self.by_platform_id(platform_user_id)
        if user is None:
            user = User(
                platform=platform,
                platform_user_id=platform_user_id,
                full_name=full_name[:200],
                username=username,
                reachable=True,
            )
            self.session.add(user)
            await self.session.flush()
        else:
            if user.full_name != full_name[:200] or user.username != username:
                user.full_name, user.username = full_name[:200], username
            if not user.reachable:
                user.reachable = True
        return user

    async def in_village(self, village_id: int) -> Sequence[User]:
        result = await self.session.scalars(
            select(User).where(User.village_id == village_id).order_by(User.id)
        )
        return result.all()

    async def mark_unreachable(self, platform_user_id: int, bot_key: str | None = None) -> None:
        """The person blocked the bot. With several bots (``bot_key``: the bot that was
        refused), only their own bot's refusal counts: a 403 from a bot they never wrote to
        says nothing of the one they use (``users.bot_key``; none recorded: any bot's)."""
        mine = User.bot_key.is_(None) | (User.bot_key == bot_key) if bot_key is not None else True
        await self.session.execute(
            update(User)
            .where(
                User.platform == platform_of(platform_user_id),
                User.platform_user_id == platform_user_id,
                mine,
            )
            .values(reachable=False)
        )


class PlaceRepository(_Repository):
    async def province_by_name(self, name: str) -> Province | None:
        return await self.session.scalar(select(Province).where(Province.name == name))

    async def commune_by_code(self, code: str) -> Commune | None:
        return await self.session.scalar(select(Commune).where(Commune.code == code))

    async def village(self, village_id: int) -> Village | None:
        return await self.session.get(Village, village_id)

    async def village_by_code(self, code: str) -> Village | None:
        return await self.session.scalar(select(Village).where(Village.code == code))

    async def all_villages(self) -> Sequence[Village]:
        result = await self.session.scalars(select(Village).order_by(Village.name, Village.id))
        return result.all()

    async def branch_of_village(self, village_id: int) -> Branch | None:
        return await self.session.scalar(select(Branch).where(Branch.village_id == village_id))


class MemberRepository(_Repository):
    async def get(self, member_id: int) -> Member | None:
        return await self.session.get(Member, member_id)

    async def of_user(self, user_id: int) -> Member | None:
        return await self.session.scalar(select(Member).where(Member.user_id == user_id))

    async def by_phone(self, phone: str) -> Member | None:
        return await self.session.scalar(select(Member).where(Member.phone == phone))

    async def by_telegram_id(self, telegram_id: int) -> Member | None:
        return await self.session.scalar(select(Member).where(Member.telegram_id == telegram_id))

    async def of_village(self, village_id: int) -> Sequence[Member]:
        result = await self.session.scalars(
            select(Member).join(Branch).where(Branch.village_id == village_id).order_by(Member.name)
        )
        return result.all()


class HouseholdRepository(_Repository):
    async def by_phone(self, phone: str) -> Household | None:
        return await self.session.scalar(select(Household).where(Household.phone == phone).limit(1))

    async def of_village(self, village_id: int) -> Sequence[Household]:
        result = await self.session.scalars(
            select(Household).where(Household.village_id == village_id).order_by(Household.code)
        )
        return result.all()

    async def visitor_of(self, household_id: int) -> int | None:
        return await self.session.scalar(
            select(VisitAssignment.member_id).where(VisitAssignment.household_id == household_id)
        )


class ChatRepository(_Repository):
    async def by_platform_id(
        self, platform_chat_id: int, platform: str = Platform.TELEGRAM
    ) -> Chat | None:
        return await self.session.scalar(
            select(Chat).where(Chat.platform == platform, Chat.platform_chat_id == platform_chat_id)
        )

    async def upsert(
        self, platform_chat_id: int, title: str, platform: str = Platform.TELEGRAM
    ) -> Chat:
        chat = await self.by_platform_id(platform_chat_id, platform)
        if chat is None:
            chat = Chat(
                platform=platform, platform_chat_id=platform_chat_id, title=title[:255], active=True
            )
            self.session.add(chat)
            await self.session.flush()
        else:
            chat.title = title[:255] or chat.title
        return chat

    async def seen_by(self, platform_chat_id: int, bot_key: str) -> None:
        """Several bots: ``bot_key``'s bot is in this group (it writes there from now on)."""
        await self.session.execute(
            update(Chat)
            .where(Chat.platform == Platform.TELEGRAM, Chat.platform_chat_id == platform_chat_id,
                   Chat.bot_key.is_distinct_from(bot_key))
            .values(bot_key=bot_key)
            .execution_options(synchronize_session=False)
        )

    async def of_village(self, village_id: int, *, active_only: bool = True) -> Sequence[Chat]:
        query = select(Chat).where(Chat.village_id == village_id)
        if active_only:
            query = query.where(Chat.active.is_(True))
        result = await self.session.scalars(query.order_by(Chat.id))
        return result.all()


class InviteRepository(_Repository):
    def add(self, invite: Invite) -> None:
        self.session.add(invite)

    async def by_token(self, token: str) -> Invite | None:
        return await self.session.scalar(select(Invite).where(Invite.token == token))

    async def claim(self, invite_id: int, user_id: int, now: datetime) -> bool:
        """Mark the invite used; False when someone else used it first."""
        result = await self.session.execute(
            update(Invite)
            .where(Invite.id == invite_id, Invite.used_at.is_(None))
            .values(used_at=now, used_by_user_id=user_id)
        )
        return result.rowcount == 1


class AuditRepository(_Repository):
    def add(
        self,
        action: str,
        *,
        actor_user_id: int | None,
        village_id: int | None,
        details: dict[str, Any] | None = None,
    ) -> None:
        self.session.add(
            AuditLog(
                action=action,
                actor_user_id=actor_user_id,
                village_id=village_id,
                details=details or {},
            )
        )

    async def last_of_user(self, user_id: int, action: str) -> AuditLog | None:
        """The user's latest audit entry of this action (None when there is none)."""
        return await self.session.scalar(
            select(AuditLog)
            .where(AuditLog.actor_user_id == user_id, AuditLog.action == action)
            .order_by(AuditLog.id.desc())
            .limit(1)
        )

    async def recent(self, village_id: int | None = None, limit: int = 50) -> Sequence[AuditLog]:
        query = select(AuditLog).order_by(AuditLog.id.desc()).limit(limit)
        if village_id is not None:
            query = query.where(AuditLog.village_id == village_id)
        result = await self.session.scalars(query)
        return result.all()


class UpdateRepository(_Repository):
    async def seen(self, bot_id: int, update_id: int) -> bool:
        """True when this update was handled before (a read: no write lock taken)."""
        found = await self.session.scalar(
            select(ProcessedUpdate.update_id).where(
                ProcessedUpdate.bot_id == bot_id, ProcessedUpdate.update_id == update_id
            )
        )
        return found is not None

    async def mark_processed(self, bot_id: int, update_id: int) -> bool:
        """Record an update id; False when it was recorded before (a redelivery)."""
        dialect = self.session.bind.dialect.name if self.session.bind else "sqlite"
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        statement = (
            insert(ProcessedUpdate)
            .values(bot_id=bot_id, update_id=update_id)
            .on_conflict_do_nothing(index_elements=["bot_id", "update_id"])
        )
        result = await self.session.execute(statement)
        return result.rowcount == 1

    async def prune(self, before: datetime) -> int:
        """Forget update ids older than ``before`` (Telegram redelivers within hours, not weeks)."""
        result = await self.session.execute(delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < before))
        return result.rowcount or 0


class Repo:
    """One facade per session: ``repo.users.get(...)``."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.users = UserRepository(session)
        self.places = PlaceRepository(session)
        self.members = MemberRepository(session)
        self.households = HouseholdRepository(session)
        self.chats = ChatRepository(session)
        self.invites = InviteRepository(session)
        self.audit = AuditRepository(session)
        self.updates = UpdateRepository(session)
        self.org = OrgRepository(session)
        self.broadcasts = BroadcastRepository(session)
        self.outbox = OutboxRepository(session)
        self.inbox = InboxRepository(session)
        self.leases = LeaseRepository(session)
        self.criteria = CriteriaRepository(session)
        self.contributions = ContributionsRepository(session)
        self.visits = VisitRepository(session)
        self.consultations = ConsultationsRepository(session)
        self.bot_identity = BotIdentityRepository(session)
        self.channels = ChannelRepository(session)
        self.planner_runs = PlannerRunRepository(session)
        self.accounts = AccountRepository(session)


class OrgRepository(_Repository):
    """Idempotent upserts used by the org file import (``villagebot import org``)."""

    async def province(self, name: str) -> Province:
        province = await self.session.scalar(select(Province).where(Province.name == name))
        if province is None:
            province = Province(name=name)
            self.session.add(province)
            await self.session.flush()
        return province

    async def commune(self, code: str, **values: Any) -> Commune:
        return await self._upsert(Commune, {"code": code}, values)

    async def village(self, code: str, **values: Any) -> Village:
        return await self._upsert(Village, {"code": code}, values)

    async def branch(self, village_id: int, name: str) -> Branch:
        return await self._upsert(Branch, {"village_id": village_id}, {"name": name})

    async def member(self, phone: str, **values: Any) -> Member:
        return await self._upsert(Member, {"phone": phone}, values)

    async def household(self, village_id: int, code: str, **values: Any) -> Household:
        return await self._upsert(Household, {"village_id": village_id, "code": code}, values)

    async def assign_visitor(self, household_id: int, member_id: int | None) -> None:
        assignment = await self.session.get(VisitAssignment, household_id)
        if member_id is None:
            if assignment is not None:
                await self.session.delete(assignment)
        elif assignment is None:
            self.session.add(VisitAssignment(household_id=household_id, member_id=member_id))
        elif assignment.member_id != member_id:
            assignment.member_id = member_id

    async def group_chat(self, platform_chat_id: int, title: str, village_id: int) -> Chat:
        return await self._upsert(
            Chat,
            {"platform": Platform.TELEGRAM, "platform_chat_id": platform_chat_id},
            {"title": title, "village_id": village_id},
        )

    async def _upsert(self, model: type, keys: dict[str, Any], values: dict[str, Any]) -> Any:
        query = select(model).where(*(getattr(model, k) == v for k, v in keys.items()))
        row = await self.session.scalar(query)
        if row is None:
            row = model(**keys, **values)
            self.session.add(row)
            await self.session.flush()
            return row
        for key, value in values.items():
            if getattr(row, key) != value:
                setattr(row, key, value)
        return row
