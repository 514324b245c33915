"""A chat of the sandbox: private, group or supergroup, with its members, messages,
pins and migration."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .records import MEMBER_STATUSES, StoredMessage

if TYPE_CHECKING:  # annotations only: these modules import this one
    from .core import Sandbox
    from .user import SandboxUser


class SandboxChat:
    """A private chat, group or supergroup."""

    def __init__(
        self,
        sandbox: Sandbox,
        chat_id: int,
        title: str | None,
        type: str,  # noqa: A002
        user: SandboxUser | None = None,
    ) -> None:
        self.sandbox = sandbox
        self.id = chat_id
        self.title = title
        self.type = type
        self.user = user  # for private chats
        self.members: dict[int, str] = {}  # user id -> status
        self.bot_status = "member" if type == "private" else "left"
        self.migrated_to: int | None = None
        self.migrated_from: int | None = None
        self.pinned: list[int] = []
        self.next_message_id = 1
        self.messages: dict[int, StoredMessage] = {}

    def __repr__(self) -> str:
        return f"<SandboxChat {self.id} {self.type} {self.title!r}>"

    def to_api(self) -> dict[str, Any]:
        if self.type == "private" and self.user is not None:
            return self.user.chat_api()
        return {"id": self.id, "title": self.title or "", "type": self.type}

    @property
    def bot_is_member(self) -> bool:
        return self.bot_status in ("creator", "administrator", "member", "restricted")

    @property
    def bot_is_admin(self) -> bool:
        return self.bot_status in ("creator", "administrator")

    def set_member(self, user: SandboxUser, status: str = "member") -> None:
        """Set ``user``'s status silently (no update is sent)."""
        if status not in MEMBER_STATUSES:
            raise ValueError(f"unknown status {status!r}")
        self.members[user.id] = status

    def is_member(self, user_id: int) -> bool:
        return self.members.get(user_id) in ("creator", "administrator", "member", "restricted")

    async def join(self, user: SandboxUser) -> dict[str, Any]:
        """``user`` joins: ``new_chat_members`` service message (+ chat_member)."""
        old = self.members.get(user.id, "left")
        self.members[user.id] = "member"
        sb = self.sandbox
        sb._chat_member_update("chat_member", self, user, user, old, "member")
        return sb._user_message(user, self, {"new_chat_members": [user.to_api()]})

    async def leave(self, user: SandboxUser) -> dict[str, Any]:
        old = self.members.get(user.id, "member")
        self.members[user.id] = "left"
        sb = self.sandbox
        sb._chat_member_update("chat_member", self, user, user, old, "left")
        return sb._user_message(user, self, {"left_chat_member": user.to_api()})

    async def migrate_to_supergroup(
        self, new_chat_id: int, by: SandboxUser | None = None
    ) -> SandboxChat:
        """Upgrade this group: service messages in both chats, old id refuses sends."""
        if self.type != "group":
            raise ValueError("only basic groups can be migrated")
        sb = self.sandbox
        new = sb.group(new_chat_id, self.title or "", type="supergroup")
        new.members = dict(self.members)
        new.bot_status = self.bot_status
        new.migrated_from = self.id
        actor = by or next(
            (sb.users[uid] for uid, st in self.members.items() if st == "creator"),
            next((sb.users[uid] for uid in self.members if uid in sb.users), None),
        )
        if actor is None:
            raise ValueError("the group has no member who could migrate it")
        sb._user_message(actor, self, {"migrate_to_chat_id": new_chat_id})
        self.migrated_to = new_chat_id
        sb._user_message(actor, new, {"migrate_from_chat_id": self.id})
        return new
