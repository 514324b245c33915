"""Bounds on the bot's own HTTP servers: the webhook and the sandbox.

aiohttp alone lets a connection that sends no headers (or half of them) sit until its
keep-alive timer (75 s), and takes as many connections as the process has file
descriptors: 300 half-open connections stayed 40 s on the webhook port (issue 14).

:class:`LimitedSite` is a ``TCPSite`` that

- closes a connection that has not sent a complete request line and headers within
  ``header_timeout`` seconds of opening it (a header-read timeout);
- answers ``503`` and closes at once when ``max_connections`` are already open;
- and, with :data:`RUNNER_LIMITS` given to the ``AppRunner``, closes a connection idle
  between requests after ``KEEPALIVE_TIMEOUT`` seconds and bounds the header sizes.

A request body that trickles in is bounded by the handler (``BODY_TIMEOUT``). Behind
nginx the same limits are set there too (``deploy/nginx.conf``).
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from typing import Any

from aiohttp import web
from aiohttp.web_protocol import RequestHandler

log = logging.getLogger("villagebot.http")

HEADER_TIMEOUT = 10.0  # seconds from accept to a complete request head
KEEPALIVE_TIMEOUT = 30.0  # seconds a connection may idle between requests
BODY_TIMEOUT = 10.0  # seconds to read a webhook update's body
MAX_CONNECTIONS = 200  # open connections at once; past it: 503 and close
RUNNER_LIMITS: dict[str, Any] = {
    "keepalive_timeout": KEEPALIVE_TIMEOUT,
    "max_line_size": 8190,
    "max_field_size": 8190,
}
_BUSY = (
    b"HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nRetry-After: 1\r\n"
    b"Content-Length: 0\r\n\r\n"
)


class _Busy(asyncio.Protocol):
    """A connection past the cap: one 503, then closed; nothing is parsed."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        if isinstance(transport, asyncio.WriteTransport):
            transport.write(_BUSY)
        transport.close()


def _close_if_silent(handler: RequestHandler) -> None:
    """No complete request head since the connection opened: close it. (aiohttp counts
    parsed request heads in ``_request_count``; ``tests/test_http_limits.py`` fails if a
    new aiohttp drops it.)"""
    if getattr(handler, "_request_count", 1) == 0 and handler.transport is not None:
        log.info("closing a connection that sent no request head in time")
        handler.transport.close()


class _Counted(asyncio.Protocol):
    """aiohttp's handler, counted in ``live`` from its creation to its end. (aiohttp's own
    list of connections fills only at ``connection_made``, a loop turn after asyncio asks
    for the protocol: a burst of accepts would all see a count under the cap.)"""

    def __init__(self, inner: RequestHandler, live: weakref.WeakSet[_Counted]) -> None:
        self._inner = inner
        self._live = live
        live.add(self)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._inner.connection_made(transport)

    def connection_lost(self, exc: BaseException | None) -> None:
        self._live.discard(self)
        self._inner.connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        self._inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self._inner.eof_received()

    def pause_writing(self) -> None:
        self._inner.pause_writing()

    def resume_writing(self) -> None:
        self._inner.resume_writing()


class LimitedSite(web.TCPSite):
    """A ``TCPSite`` with a header-read timeout and a cap on open connections."""

    __slots__ = ("_header_timeout", "_live", "_max_connections", "refused")

    def __init__(
        self,
        runner: web.BaseRunner,
        host: str | None = None,
        port: int | None = None,
        *,
        header_timeout: float | None = None,
        max_connections: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(runner, host, port, **kwargs)
        self._header_timeout = HEADER_TIMEOUT if header_timeout is None else header_timeout
        self._max_connections = MAX_CONNECTIONS if max_connections is None else max_connections
        self.refused = 0
        self._live: weakref.WeakSet[_Counted] = weakref.WeakSet()

    @property
    def open_connections(self) -> int:
        return len(self._live)

    async def start(self) -> None:
        await web.BaseSite.start(self)  # registers the site with its runner
        loop = asyncio.get_running_loop()
        server = self._runner.server
        assert server is not None

        def protocol() -> asyncio.BaseProtocol:
            if len(self._live) >= self._max_connections:
                self.refused += 1
                if self.refused == 1 or self.refused % 100 == 0:
                    log.warning("connection cap (%s) reached: refused %s", self._max_connections, self.refused)
                return _Busy()
            handler = server()
            loop.call_later(self._header_timeout, _close_if_silent, handler)
            return _Counted(handler, self._live)

        self._server = await loop.create_server(
            protocol,
            self._host,
            self._port,
            ssl=self._ssl_context,
            backlog=self._backlog,
            reuse_address=self._reuse_address,
            reuse_port=self._reuse_port,
        )
        sockets = self._server.sockets
        self._bound_port = sockets[0].getsockname()[1] if sockets else self._port
