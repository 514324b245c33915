"""Issue 14 #10: the webhook and sandbox servers bound slow and idle connections. 300
half-open connections stayed 40 s on the webhook port and nothing capped them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.web_protocol import RequestHandler

from bot.http_limits import RUNNER_LIMITS, LimitedSite

WAIT = 10  # a safety net for the awaits below, not a measured time


@pytest.fixture
async def site() -> AsyncIterator[LimitedSite]:
    async def hello(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_get("/", hello)
    runner = web.AppRunner(app, **RUNNER_LIMITS)
    await runner.setup()
    limited = LimitedSite(runner, "127.0.0.1", 0, header_timeout=0.3, max_connections=5)
    await limited.start()
    yield limited
    await runner.cleanup()


async def opened(site: LimitedSite) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection("127.0.0.1", site.port)


async def closed_by_server(reader: asyncio.StreamReader) -> bytes:
    """What the server sent before it closed the connection."""
    return await asyncio.wait_for(reader.read(), WAIT)


def test_aiohttp_still_counts_request_heads() -> None:
    """The header timeout reads this counter; a new aiohttp without it fails here."""
    assert "_request_count" in RequestHandler.__slots__


async def test_silent_and_half_sent_connections_are_closed(site: LimitedSite) -> None:
    silent = await opened(site)
    half = await opened(site)
    half[1].write(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")  # never finishes its headers
    await half[1].drain()
    assert await closed_by_server(silent[0]) == b""
    assert await closed_by_server(half[0]) == b""


async def test_connections_past_the_cap_get_503_and_the_rest_still_work(site: LimitedSite) -> None:
    held = [await opened(site) for _ in range(5)]
    extra_reader, _ = await opened(site)
    assert (await closed_by_server(extra_reader)).startswith(b"HTTP/1.1 503")
    assert site.refused == 1
    for reader, _ in held:  # the header timeout frees the slots ...
        await closed_by_server(reader)
    reader, writer = await opened(site)  # ... and an honest request goes through
    writer.write(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    await writer.drain()
    answer = await closed_by_server(reader)
    assert answer.startswith(b"HTTP/1.1 200") and answer.endswith(b"ok")


async def test_a_request_after_the_header_timeout_still_works_on_a_live_connection(
    site: LimitedSite,
) -> None:
    """The timer is for the first request head only; a request sent at once is served."""
    reader, writer = await opened(site)
    writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    await writer.drain()
    head = await asyncio.wait_for(reader.readuntil(b"ok"), WAIT)
    assert head.startswith(b"HTTP/1.1 200")
    await asyncio.sleep(0.5)  # past the header timeout: the connection is not cut
    writer.write(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    await writer.drain()
    assert (await closed_by_server(reader)).startswith(b"HTTP/1.1 200")


async def test_the_sandbox_closes_a_silent_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    import bot.http_limits
    from bot.sandbox import Sandbox

    monkeypatch.setattr(bot.http_limits, "HEADER_TIMEOUT", 0.3)
    sandbox = await Sandbox.start()
    try:
        reader, _ = await asyncio.open_connection(sandbox.host, sandbox.port)
        assert await closed_by_server(reader) == b""
    finally:
        await sandbox.stop()


async def test_a_burst_of_connections_is_capped_too(site: LimitedSite) -> None:
    """Accepted at once, before aiohttp registers any of them: still at most the cap."""
    burst = await asyncio.gather(*(opened(site) for _ in range(40)))
    answers = await asyncio.gather(*(closed_by_server(reader) for reader, _ in burst[:1]))
    assert site.open_connections <= 5
    assert site.refused >= 30
    for _, writer in burst:
        writer.close()
    assert answers
