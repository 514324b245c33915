"""Who receives a broadcast: the village's groups, party members, residents; each
recipient with its locale."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from storage.repo import Repo


@dataclass(frozen=True, slots=True)
class Audience:
    """Group chats (all of the village's, or chosen chat row ids), the branch's
    members and the village's residents who use the bot."""

    all_groups: bool = False
    group_ids: tuple[int, ...] = ()
    members: bool = False
    residents: bool = False

    @property
    def empty(self) -> bool:
        return not (self.all_groups or self.group_ids or self.members or self.residents)

    def to_dict(self) -> dict[str, Any]:
        return {
            "all_groups": self.all_groups,
            "group_ids": list(self.group_ids),
            "members": self.members,
            "residents": self.residents,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Audience:
        return cls(
            all_groups=bool(data.get("all_groups")),
            group_ids=tuple(int(i) for i in data.get("group_ids") or ()),
            members=bool(data.get("members")),
            residents=bool(data.get("residents")),
        )


@dataclass(frozen=True, slots=True)
class Recipient:
    target: str  # unique within a run: "c<chat row id>" or "u<user id>"
    chat_id: int
    locale: str
    user_id: int | None = None
    group_id: int | None = None
    name: str = ""

    def row(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "chat_id": self.chat_id,
            "locale": self.locale,
            "user_id": self.user_id,
            "group_id": self.group_id,
        }


@dataclass(frozen=True, slots=True)
class AudienceCount:
    groups: int
    members: int
    residents: int
    total: int


async def resolve_audience(
    repo: Repo, village_id: int, audience: Audience, *, default_locale: str
) -> list[Recipient]:
    """Everyone the audience reaches now, each chat once. Only the village's own,
    active groups: chosen ids of another village's groups are ignored."""
    recipients: list[Recipient] = []
    if audience.all_groups or audience.group_ids:
        chosen = set(audience.group_ids)
        for chat in await repo.chats.of_village(village_id, active_only=True):
            if audience.all_groups or chat.id in chosen:
                recipients.append(
                    Recipient(
                        f"c{chat.id}",
                        chat.platform_chat_id,
                        default_locale,
                        group_id=chat.id,
                        name=chat.title,
                    )
                )
    people: dict[int, Recipient] = {}
    if audience.members:
        for member in await repo.members.of_village(village_id):
            if member.user_id is None:
                continue
            user = await repo.users.get(member.user_id)
            if user is not None and user.reachable:
                people[user.id] = _person(user, default_locale)
    if audience.residents:
        for user in await repo.users.in_village(village_id):
            if user.reachable and user.id not in people:
                people[user.id] = _person(user, default_locale)
    recipients.extend(people[k] for k in sorted(people))
    return recipients


def _person(user: Any, default_locale: str) -> Recipient:
    return Recipient(
        f"u{user.id}",
        user.platform_user_id,
        user.language or default_locale,
        user_id=user.id,
        name=user.full_name,
    )


def count_audience(recipients: Sequence[Recipient], audience: Audience) -> AudienceCount:
    groups = sum(1 for r in recipients if r.group_id is not None)
    private = len(recipients) - groups
    return AudienceCount(
        groups=groups,
        members=private if audience.members else 0,
        residents=private if audience.residents and not audience.members else 0,
        total=len(recipients),
    )
