"""Files the bot serves itself: Zalo sends photos only by URL, and has no documents.

An uploaded photo (a VietQR code, a chart) or document is kept under an unguessable
name (128 random bits) for ``ttl`` and served at ``PUBLIC_URL/f/<name>``; after that the
link answers 404. The files live in a directory (``ZALO_FILES_DIR``), each with a small
``.json`` beside it (type, file name, expiry in wall-clock seconds), so a link sent
before a restart still opens after it. Space is bounded: expired files go at each
upkeep, and past ``max_bytes`` the oldest go first."""

from __future__ import annotations

import json
import logging
import mimetypes
import os
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from aiohttp import web

log = logging.getLogger("villagebot.zalo")

PATH = "/f/"
_NAME = re.compile(r"[A-Za-z0-9_-]{22}")  # secrets.token_urlsafe(16)
UPKEEP_EVERY = 60.0  # seconds between two sweeps of the directory


@dataclass(frozen=True, slots=True)
class Served:
    data: bytes
    content_type: str
    filename: str
    expires: float


class FileShelf:
    def __init__(
        self,
        public_url: str,
        directory: Path | str | None = None,
        *,
        ttl: float = 24 * 3600,
        max_bytes: int = 256 * 1024 * 1024,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.public_url = public_url.rstrip("/")
        self.directory = Path(directory) if directory is not None else None
        self.ttl = ttl
        self.max_bytes = max_bytes
        self.clock = clock
        self._memory: dict[str, Served] = {}  # without a directory (tests, tools)
        self._swept = 0.0
        if self.directory is not None:
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)

    def put(self, data: bytes, filename: str, content_type: str | None = None) -> str:
        """Keep ``data`` and return its public URL."""
        self._upkeep()
        name = secrets.token_urlsafe(16)
        kind = content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
        served = Served(data, kind, filename, self.clock() + self.ttl)
        if self.directory is None:
            self._memory[name] = served
        else:
            self._write(name, served)
        suffix = "/" + quote(filename) if filename else ""
        return f"{self.public_url}{PATH}{name}{suffix}"

    def _write(self, name: str, served: Served) -> None:
        assert self.directory is not None
        meta = {"content_type": served.content_type, "filename": served.filename, "expires": served.expires}
        for path, body in ((self.directory / name, served.data),
                           (self.directory / f"{name}.json", json.dumps(meta).encode())):
            partial = path.with_name(path.name + ".part")
            partial.write_bytes(body)
            os.replace(partial, path)  # a crash leaves a whole file or none

    def get(self, name: str) -> Served | None:
        if not _NAME.fullmatch(name):
            return None
        now = self.clock()
        if self.directory is None:
            served = self._memory.get(name)
        else:
            try:
                meta = json.loads((self.directory / f"{name}.json").read_text())
                served = Served((self.directory / name).read_bytes(), str(meta["content_type"]),
                                str(meta["filename"]), float(meta["expires"]))
            except (OSError, ValueError, KeyError, TypeError):
                return None
        return served if served is not None and served.expires > now else None

    def _upkeep(self) -> None:
        """Expired files go; past ``max_bytes`` the oldest go too."""
        now = self.clock()
        if self.directory is None:
            for name in [n for n, f in self._memory.items() if f.expires <= now]:
                del self._memory[name]
            while sum(len(f.data) for f in self._memory.values()) > self.max_bytes and len(self._memory) > 1:
                del self._memory[next(iter(self._memory))]
            return
        if now - self._swept < UPKEEP_EVERY:
            return
        self._swept = now
        kept: list[tuple[float, str, int]] = []
        for meta in self.directory.glob("*.json"):
            name = meta.stem
            try:
                expires = float(json.loads(meta.read_text())["expires"])
                size = (self.directory / name).stat().st_size
            except (OSError, ValueError, KeyError, TypeError):
                expires, size = 0.0, 0
            if expires <= now:
                self._remove(name)
            else:
                kept.append((expires, name, size))
        total = sum(size for _, _, size in kept)
        for _, name, size in sorted(kept):  # the soonest to expire are the oldest
            if total <= self.max_bytes:
                break
            self._remove(name)
            total -= size

    def _remove(self, name: str) -> None:
        assert self.directory is not None
        for path in (self.directory / name, self.directory / f"{name}.json"):
            try:
                path.unlink()
            except FileNotFoundError:
                pass
            except OSError as exc:
                log.warning("zalo: could not remove %s: %s", path.name, exc)

    async def handle(self, request: web.Request) -> web.Response:
        served = self.get(request.match_info["name"])
        if served is None:
            raise web.HTTPNotFound()
        return web.Response(body=served.data, content_type=served.content_type)

    def install(self, app: web.Application) -> None:
        app.router.add_get(PATH + "{name}", self.handle)
        app.router.add_get(PATH + "{name}/{filename}", self.handle)
