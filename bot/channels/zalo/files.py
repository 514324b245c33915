"""Files the bot serves itself: Zalo sends photos only by URL, and has no documents.

An uploaded photo (a VietQR code, a chart) or document is kept in memory under an
unguessable name (128 random bits) for ``ttl`` and served at ``PUBLIC_URL/f/<name>``;
after that the link answers 404. Memory is bounded: the oldest go first."""

from __future__ import annotations

import mimetypes
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from aiohttp import web

PATH = "/f/"


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
        *,
        ttl: float = 24 * 3600,
        max_bytes: int = 64 * 1024 * 1024,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.public_url = public_url.rstrip("/")
        self.ttl = ttl
        self.max_bytes = max_bytes
        self.clock = clock
        self._files: OrderedDict[str, Served] = OrderedDict()
        self._size = 0

    def put(self, data: bytes, filename: str, content_type: str | None = None) -> str:
        """Keep ``data`` and return its public URL."""
        self._expire()
        name = secrets.token_urlsafe(16)
        kind = content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
        self._files[name] = Served(data, kind, filename, self.clock() + self.ttl)
        self._size += len(data)
        while self._size > self.max_bytes and len(self._files) > 1:
            _, old = self._files.popitem(last=False)
            self._size -= len(old.data)
        suffix = "/" + quote(filename) if filename else ""
        return f"{self.public_url}{PATH}{name}{suffix}"

    def get(self, name: str) -> Served | None:
        self._expire()
        return self._files.get(name)

    def _expire(self) -> None:
        now = self.clock()
        for name in [n for n, f in self._files.items() if f.expires <= now]:
            self._size -= len(self._files.pop(name).data)

    async def handle(self, request: web.Request) -> web.Response:
        served = self.get(request.match_info["name"])
        if served is None:
            raise web.HTTPNotFound()
        return web.Response(body=served.data, content_type=served.content_type)

    def install(self, app: web.Application) -> None:
        app.router.add_get(PATH + "{name}", self.handle)
        app.router.add_get(PATH + "{name}/{filename}", self.handle)
