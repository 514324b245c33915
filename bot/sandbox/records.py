"""The sandbox's plain records: update kinds, fault kinds, member statuses, the log of
API calls and rate limits, injected faults, stored files and messages."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

#: Update types delivered when ``allowed_updates`` was never specified.
DEFAULT_ALLOWED_UPDATES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)

FAULT_KINDS = ("429", "500", "timeout_before", "timeout_after", "blocked", "kicked", "migrate")

MEMBER_STATUSES = ("creator", "administrator", "member", "restricted", "left", "kicked")


@dataclass
class ApiCall:
    """One Bot API request as seen by the sandbox."""

    method: str
    params: dict[str, Any]
    time: float
    outcome: str = "pending"  # "ok", "error 400: ...", "fault timeout_before", ...
    status: int = 0


@dataclass
class RateLimited:
    """A 429 the sandbox answered because of its flood limits."""

    method: str
    chat_id: int
    retry_after: int
    time: float
    injected: bool = False  # True for 429s made by inject_fault()


@dataclass
class Fault:
    """A fault injected with :meth:`Sandbox.inject_fault`."""

    method: str
    kind: str
    chat_id: int | None
    times: int
    retry_after: int


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    data: bytes | None
    file_path: str
    mime_type: str | None = None
    file_name: str | None = None
    url: str | None = None


@dataclass
class StoredMessage:
    """A message in a chat: its current Bot API form plus sandbox metadata."""

    chat_id: int
    message_id: int
    api: dict[str, Any]
    from_bot: bool
    html: str | None = None
    history: list[dict[str, Any]] = field(default_factory=list)
    deleted: bool = False
    rev: int = 0
    #: Service message (pin, ...) posted by a bot call; not in ``messages()``.
    service: bool = False
    #: Reply keyboard (or ReplyKeyboardRemove/ForceReply) sent with the message;
    #: Telegram does not echo those in the returned Message.
    keyboard: dict[str, Any] | None = None

    def view(self) -> dict[str, Any]:
        """The dict tests get: the API message plus ``html`` and plain ``text``."""
        out = copy.deepcopy(self.api)
        plain = self.api.get("text", self.api.get("caption"))
        out["text"] = plain
        out["html"] = self.html if self.html is not None else plain
        out["edit_history"] = copy.deepcopy(self.history)
        if self.deleted:
            out["deleted"] = True
        return out


@dataclass
class _PendingCallback:
    query_id: str
    user_id: int
    chat_id: int
    message_id: int
    answered: bool = False
    answer: dict[str, Any] | None = None


def _scope_key(scope: dict[str, Any] | None) -> str:
    import json

    return json.dumps(scope or {"type": "default"}, sort_keys=True)
