"""300 half-open connections against a server built like the webhook (``LimitedSite`` with
the real limits), with and without the limits: how many the server holds over time, how
many are refused, and how an honest request fares meanwhile. (Some silent connections
never reach the server at all: with a listen backlog of 128 the kernel drops their
handshake, so the client's view counts them as never closed.)

    python bench/bench_slow_connections.py
"""

from __future__ import annotations

import asyncio
import platform
import statistics
import time

from aiohttp import web

from bot.http_limits import HEADER_TIMEOUT, MAX_CONNECTIONS, RUNNER_LIMITS, LimitedSite

ATTACK = 300
OBSERVE_S = 60.0


async def hello(request: web.Request) -> web.Response:
    return web.Response(text="ok")


async def honest(port: int) -> tuple[float, str]:
    started = time.perf_counter()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    await writer.drain()
    answer = await reader.read()
    writer.close()
    return time.perf_counter() - started, answer[9:12].decode()


async def run(limited: bool) -> dict[str, object]:
    app = web.Application()
    app.router.add_get("/", hello)
    runner = web.AppRunner(app, **(RUNNER_LIMITS if limited else {}))
    await runner.setup()
    site = (LimitedSite if limited else web.TCPSite)(runner, "127.0.0.1", 0)
    await site.start()
    port = site.port
    started = time.perf_counter()
    closed_at: list[float] = []
    refused = 0

    async def half_open(index: int) -> None:
        nonlocal refused
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        if index % 2:
            writer.write(b"POST /telegram HTTP/1.1\r\nHost: x\r\nContent-")
        try:
            answer = await asyncio.wait_for(reader.read(), OBSERVE_S)
            refused += answer.startswith(b"HTTP/1.1 503")
            closed_at.append(time.perf_counter() - started)
        except ConnectionResetError:
            refused += 1
            closed_at.append(time.perf_counter() - started)
        except TimeoutError:
            pass
        finally:
            writer.close()

    attack = [asyncio.create_task(half_open(i)) for i in range(ATTACK)]
    await asyncio.sleep(1.0)
    during = [await honest(port) for _ in range(5)]
    open_on_server = {}
    for mark in (2, 5, 12, 20, 40):
        await asyncio.sleep(max(0.0, mark - (time.perf_counter() - started)))
        open_on_server[f"{mark} s"] = len(runner.server.connections)
    await asyncio.gather(*attack)
    after = await honest(port)
    await runner.cleanup()
    return {
        "open on the server at": open_on_server,
        "closed by the server (client's view)": f"{len(closed_at)}/{ATTACK}",
        "refused (503 or reset)": refused,
        "last closed after": f"{max(closed_at):.1f} s" if closed_at else f"> {OBSERVE_S:.0f} s",
        "honest request during the attack": (
            f"{statistics.median(s for s, _ in during) * 1000:.1f} ms, "
            + ",".join(status for _, status in during)
        ),
        "honest request after": f"{after[0] * 1000:.1f} ms, {after[1]}",
    }


async def main() -> None:
    print(f"{time.strftime('%a %d %b %Y', time.gmtime())}, {platform.python_version()}, "
          f"header timeout {HEADER_TIMEOUT} s, cap {MAX_CONNECTIONS}")
    for limited in (False, True):
        print("with limits" if limited else "plain aiohttp", await run(limited))


if __name__ == "__main__":
    asyncio.run(main())
