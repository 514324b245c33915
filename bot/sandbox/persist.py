"""The sandbox's world kept in a file, so that ``make run`` can be restarted.

Telegram remembers who started the bot, every chat and message, and the files sent;
a sandbox that forgot them on a restart answered the bot's next message to a user
with 403 "bot can't initiate conversation", edits of earlier messages (a group's
board) with "message to edit not found", and gave a new persona an id used before,
so the bot took her for the earlier one (issue 16). :class:`StateFile` saves users,
personas, chats with their messages, pending updates and files shortly after every
change (and at stop) and loads them at start.

What can go wrong, and why it holds:
- *The process dies while writing.* The JSON is written to a temporary file and
  renamed over the old one: a reader sees the old state or the new one, never half.
- *A file is large (a chart, a photo).* File contents live beside the JSON, one file
  each, written once; the JSON holds their names.
- *The state file is from another sandbox version.* It carries a schema number; an
  unknown one is ignored (the sandbox starts empty) rather than half-loaded.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
from dataclasses import asdict, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .chat import SandboxChat
from .records import StoredFile, StoredMessage
from .user import SandboxUser

if TYPE_CHECKING:
    from .core import Sandbox

log = logging.getLogger(__name__)

SCHEMA = 1
USER_FIELDS = (
    "id",
    "first_name",
    "last_name",
    "username",
    "language_code",
    "phone",
    "blocked",
    "started",
)
CHAT_FIELDS = (
    "id",
    "title",
    "type",
    "members",
    "bot_status",
    "migrated_to",
    "migrated_from",
    "pinned",
    "next_message_id",
)
MESSAGE_FIELDS = tuple(f.name for f in fields(StoredMessage))
FILE_FIELDS = tuple(f.name for f in fields(StoredFile) if f.name != "data")


def snapshot(sb: Sandbox, files_dir: Path) -> dict[str, Any]:
    """The sandbox's state as JSON-able data; file contents are written to ``files_dir``."""
    files_dir.mkdir(parents=True, exist_ok=True)
    stored_files = []
    for index, f in enumerate(sb.files.values()):
        entry = {k: getattr(f, k) for k in FILE_FIELDS}  # not asdict: it would copy the bytes
        if f.data is not None:
            name = f"{index:06d}-{f.file_unique_id}"
            path = files_dir / name
            if not path.exists():
                path.write_bytes(f.data)
            entry["blob"] = name
        stored_files.append(entry)
    chats = []
    for chat in sb.chats.values():
        entry = {name: getattr(chat, name) for name in CHAT_FIELDS}
        entry["members"] = {str(uid): status for uid, status in chat.members.items()}
        entry["user"] = chat.user.id if chat.user is not None else None
        entry["messages"] = [asdict(m) for _, m in sorted(chat.messages.items())]
        chats.append(entry)
    return {
        "schema": SCHEMA,
        "users": [{name: getattr(u, name) for name in USER_FIELDS} for u in sb.users.values()],
        "personas": sb.personas,
        "chats": chats,
        "files": stored_files,
        "updates": [list(u) for u in sb.updates],
        "highest_user_id": sb.highest_user_id,
    }


def restore(sb: Sandbox, data: dict[str, Any], files_dir: Path) -> None:
    """Load what :func:`snapshot` saved into an empty sandbox."""
    for raw in data["users"]:
        user = SandboxUser(sb, int(raw["id"]), raw["first_name"])
        for name in USER_FIELDS[1:]:
            setattr(user, name, raw.get(name))
        user.blocked, user.started = bool(raw.get("blocked")), bool(raw.get("started"))
        sb.users[user.id] = user
    sb.personas = list(data.get("personas") or [])
    for raw in data["chats"]:
        owner = sb.users.get(raw["user"]) if raw.get("user") is not None else None
        chat = SandboxChat(sb, int(raw["id"]), raw["title"], raw["type"], user=owner)
        for name in CHAT_FIELDS[3:]:
            setattr(chat, name, raw[name])
        chat.members = {int(uid): status for uid, status in raw["members"].items()}
        for message in raw["messages"]:
            stored = StoredMessage(**{k: message[k] for k in MESSAGE_FIELDS if k in message})
            chat.messages[stored.message_id] = stored
        sb.chats[chat.id] = chat
    for raw in data.get("files") or []:
        blob = raw.pop("blob", None)
        content = (files_dir / blob).read_bytes() if blob and (files_dir / blob).exists() else None
        stored = StoredFile(data=content, **raw)
        sb.files[stored.file_id] = stored
    sb.updates = [(int(u[0]), str(u[1]), u[2]) for u in data.get("updates") or []]
    sb.highest_user_id = max(int(data.get("highest_user_id") or 0), *sb.users, 0)


class StateFile:
    """Keeps ``sandbox`` saved in ``path`` (its files in ``path`` + ``.files/``)."""

    def __init__(self, sandbox: Sandbox, path: Path, *, delay: float = 0.3) -> None:
        self.sandbox = sandbox
        self.path = path
        self.files_dir = path.with_name(path.name + ".files")
        self.delay = delay
        self._saved_rev = -1
        self._task: asyncio.Task[None] | None = None

    def load(self) -> bool:
        """Load the saved state, if any; True when something was loaded."""
        if not self.path.exists():
            return False
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            log.warning("sandbox state %s unreadable (%s): starting empty", self.path, exc)
            return False
        if data.get("schema") != SCHEMA:
            log.warning(
                "sandbox state %s has schema %s: starting empty", self.path, data.get("schema")
            )
            return False
        restore(self.sandbox, data, self.files_dir)
        self._saved_rev = self.sandbox.revision
        return True

    def save(self) -> None:
        data = snapshot(self.sandbox, self.files_dir)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False, default=str), encoding="utf-8")
        os.replace(tmp, self.path)

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(
            self._keep_saved(), name="sandbox-state"
        )

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            # A cancel that lands as the world changes can be swallowed by asyncio.wait_for
            # (Python 3.11: the waited event was already set), and the saver would wait on,
            # 60 s at a time: cancel until it has ended.
            while not task.done():
                task.cancel()
                await asyncio.wait({task}, timeout=0.1)
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self.save()

    async def _keep_saved(self) -> None:
        sb = self.sandbox
        while True:
            with contextlib.suppress(TimeoutError):
                await sb._wait_for(lambda: sb.revision != self._saved_rev, timeout=60)  # noqa: SLF001
            if sb.revision == self._saved_rev:
                continue
            await asyncio.sleep(self.delay)  # one write for a burst of changes
            revision = sb.revision
            try:
                self.save()
            except OSError:
                log.exception("could not save the sandbox state to %s", self.path)
            self._saved_rev = revision
