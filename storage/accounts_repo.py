"""Linking one person's accounts on two channels into one user. Nothing here commits:
the merge is one transaction, the caller's."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import and_, delete, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.channels_repo import platform_of
from storage.models import (
    AuditLog,
    BroadcastAck,
    ConsultationVote,
    LinkCode,
    LinkedAccount,
    Member,
    OutboxMessage,
    OutboxStatus,
    User,
)
from storage.models.core import Base

# No 0/O, 1/I/L: a code read aloud or copied by hand is typed right.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6


class AccountsConflict(Exception):
    """Both accounts hold a party member's place on the roster: they cannot be one user."""


def new_code() -> str:
    """Six characters with at least one letter and one digit (never an ordinary word)."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if any(c.isdigit() for c in code) and any(c.isalpha() for c in code):
            return code


class AccountRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # ------------------------------------------------------------- addresses

    async def owner_of(self, platform_user_id: int) -> int | None:
        """The user an address was linked to (None when it was never linked)."""
        return await self.session.scalar(
            select(LinkedAccount.user_id).where(LinkedAccount.platform_user_id == platform_user_id)
        )

    async def addresses(self, user_id: int) -> list[int]:
        """Every address of the user: the current one first."""
        current = await self.session.scalar(select(User.platform_user_id).where(User.id == user_id))
        linked = await self.session.scalars(
            select(LinkedAccount.platform_user_id).where(LinkedAccount.user_id == user_id)
        )
        rest = sorted(a for a in linked if a != current)
        return ([current] if current is not None else []) + rest

    async def prefer(self, user_id: int, platform_user_id: int) -> None:
        """The person used this address last: they are reached there from now on."""
        await self.session.execute(
            update(User)
            .where(User.id == user_id, User.platform_user_id != platform_user_id)
            .values(platform=platform_of(platform_user_id), platform_user_id=platform_user_id, reachable=True)
            .execution_options(synchronize_session=False)
        )

    # ----------------------------------------------------------------- codes

    async def new_code(self, user_id: int, *, now: datetime, expires_at: datetime) -> LinkCode:
        """A fresh code for the user; their earlier unused codes stop working."""
        await self.session.execute(
            delete(LinkCode).where(LinkCode.user_id == user_id, LinkCode.used_at.is_(None))
        )
        while True:
            code = new_code()
            if await self.session.scalar(select(LinkCode.id).where(LinkCode.code == code)) is None:
                break
        row = LinkCode(code=code, user_id=user_id, created_at=now, expires_at=expires_at)
        self.session.add(row)
        await self.session.flush()
        return row

    async def code(self, code: str) -> LinkCode | None:
        return await self.session.scalar(select(LinkCode).where(LinkCode.code == code.upper()))

    async def code_by_id(self, code_id: int) -> LinkCode | None:
        return await self.session.get(LinkCode, code_id)

    async def failures_since(self, user_id: int, action: str, since: datetime) -> int:
        return int(
            await self.session.scalar(
                select(func.count())
                .select_from(AuditLog)
                .where(AuditLog.actor_user_id == user_id, AuditLog.action == action, AuditLog.at >= since)
            )
            or 0
        )

    # ----------------------------------------------------------------- merge

    async def merge(self, keep_id: int, gone_id: int, *, now: datetime) -> None:
        """Move everything of user ``gone_id`` to user ``keep_id`` and delete it: the
        village, household and language (where the kept user has none), the roster
        place, pledges, questions, votes, acknowledgements, queued messages and every
        other row that names a user. The kept user is then reached at the address the
        gone one had (the channel used last: the one the code was typed on).

        Raises :class:`AccountsConflict` when both hold a roster place."""
        if keep_id == gone_id:
            raise ValueError("a user cannot be merged into itself")
        session = self.session
        await session.flush()
        keep = await session.get(User, keep_id)
        gone = await session.get(User, gone_id)
        if keep is None or gone is None:
            raise LookupError("user")
        held = set(await session.scalars(select(Member.user_id).where(Member.user_id.in_((keep_id, gone_id)))))
        if held == {keep_id, gone_id}:
            raise AccountsConflict()
        gone_address, gone_platform = gone.platform_user_id, gone.platform
        keep_address = keep.platform_user_id
        addresses = {keep_address, gone_address}
        addresses.update(await self.addresses(keep_id))
        addresses.update(await self.addresses(gone_id))
        fill = {
            name: getattr(gone, name)
            for name in ("village_id", "household_id", "language")
            if getattr(keep, name) is None and getattr(gone, name) is not None
        }

        await self._merge_votes(keep_id, gone_id)
        # One acknowledgement per person and run; the kept one stays.
        kept_ack = aliased(BroadcastAck)
        await session.execute(
            delete(BroadcastAck).where(
                BroadcastAck.user_id == gone_id,
                exists().where(kept_ack.run_id == BroadcastAck.run_id, kept_ack.user_id == keep_id),
            )
        )
        # What was queued for both accounts (a broadcast run, a consultation's
        # invitation: same kind, same subject) reaches the person once.
        kept_row = aliased(OutboxMessage)
        await session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.user_id == gone_id,
                OutboxMessage.status.in_((OutboxStatus.PENDING, OutboxStatus.RETRYING)),
                exists().where(and_(
                    kept_row.user_id == keep_id, kept_row.kind == OutboxMessage.kind,
                    kept_row.ref == OutboxMessage.ref,
                )),
            )
            .values(status=OutboxStatus.SKIPPED, error="merged: the person gets it once")
            .execution_options(synchronize_session=False)
        )
        await session.execute(delete(LinkCode).where(LinkCode.user_id.in_((keep_id, gone_id))))
        await session.execute(
            update(LinkCode).where(LinkCode.claimed_by_user_id == gone_id).values(claimed_by_user_id=None)
        )
        # Every other column that names a user (found from the schema, so a table
        # added later is not forgotten).
        users_id = User.__table__.c.id
        for table in Base.metadata.sorted_tables:
            for fk in table.foreign_keys:
                if fk.column is users_id:
                    column = fk.parent
                    await session.execute(
                        update(table).where(column == gone_id).values({column.name: keep_id})
                    )
        session.expunge(gone)  # its row goes: the session must not write it back
        await session.execute(delete(User).where(User.id == gone_id))
        await session.execute(
            update(User)
            .where(User.id == keep_id)
            .values(platform=gone_platform, platform_user_id=gone_address, reachable=True, **fill)
            .execution_options(synchronize_session=False)
        )
        await session.execute(delete(LinkedAccount).where(LinkedAccount.platform_user_id.in_(addresses)))
        for address in sorted(addresses):
            session.add(
                LinkedAccount(user_id=keep_id, platform=platform_of(address), platform_user_id=address, linked_at=now)
            )
        await session.flush()
        await session.refresh(keep)

    async def _merge_votes(self, keep_id: int, gone_id: int) -> None:
        """A resident's vote is keyed by user (``u:<id>``): the kept account's vote
        stands; the gone one's is carried over only where the kept one has none."""
        session = self.session
        votes = list(
            await session.scalars(
                select(ConsultationVote).where(ConsultationVote.voter_key == f"u:{gone_id}")
            )
        )
        for vote in votes:
            clash = await session.scalar(
                select(ConsultationVote.id).where(
                    ConsultationVote.consultation_id == vote.consultation_id,
                    ConsultationVote.voter_key == f"u:{keep_id}",
                )
            )
            if clash is not None:
                await session.delete(vote)
            else:
                vote.voter_key = f"u:{keep_id}"
        await session.flush()
