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


class LimitedSite(web.TCPSite):
    """A ``TCPSite`` with a header-read timeout and a cap on open connections."""

    __slots__ = ("_header_timeout", "_max_connections", "refused")

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

    async def start(self) -> None:
        await web.BaseSite.start(self)  # registers the site with its runner
        loop = asyncio.get_running_loop()
        server = self._runner.server
        assert server is not None

        def protocol() -> asyncio.BaseProtocol:
            if len(server.connections) >= self._max_connections:
                self.refused += 1
                if self.refused == 1 or self.refused % 100 == 0:
                    log.warning("connection cap (%s) reached: refused %s", self._max_connections, self.refused)
                return _Busy()
            handler = server()
            loop.call_later(self._header_timeout, _close_if_silent, handler)
            return handler

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
