"""Events taken by long polling, kept on disk until the inbox has them.

Zalo's ``getUpdates`` has no offset and no acknowledgement: an event handed over is
gone from Zalo. Telegram's updates are acknowledged only after the inbox committed
them; the nearest thing here is to write each polled event to a file (written, synced,
renamed: whole or absent) the moment it arrives, store it, and only then delete the
file. A process killed in between finds the file at its next start and stores the
event then (the inbox's unique update id makes a second store a no-op). What is left
is the instant between Zalo's answer and the write."""

from __future__ import annotations

import json
import logging
import os
import secrets
import time
from pathlib import Path
from typing import Any

log = logging.getLogger("villagebot.zalo")


class EventJournal:
    def __init__(self, directory: Path | str) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)

    def write(self, event: dict[str, Any]) -> Path:
        path = self.directory / f"{time.time_ns():020d}-{secrets.token_hex(4)}.json"
        partial = path.with_suffix(".part")
        with partial.open("wb") as handle:
            handle.write(json.dumps(event, ensure_ascii=False).encode())
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, path)
        return path

    def pending(self) -> list[tuple[Path, dict[str, Any]]]:
        """Events written but not yet stored, oldest first (an unreadable file is set aside)."""
        found = []
        for path in sorted(self.directory.glob("*.json")):
            try:
                event = json.loads(path.read_text())
            except (OSError, ValueError):
                log.error("zalo: unreadable polled event %s set aside", path.name)
                path.rename(path.with_suffix(".bad"))
                continue
            if isinstance(event, dict):
                found.append((path, event))
        return found

    @staticmethod
    def done(path: Path) -> None:
        path.unlink(missing_ok=True)
