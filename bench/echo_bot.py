"""The baseline of ``bench/bench_webhook.py``: a bare aiogram echo bot in webhook mode.

aiogram's own webhook server (``SimpleRequestHandler``, which answers 200 and handles
the update in the background) and one handler that answers every message with its
text. No database, no middleware, no flood budget. Configured by the environment:
BOT_TOKEN, TELEGRAM_API_URL, WEBHOOK_URL, WEBHOOK_LISTEN (host:port), WEBHOOK_SECRET.
"""

from __future__ import annotations

import asyncio
import os
from urllib.parse import urlsplit

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import Message
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web


async def main() -> None:
    env = os.environ
    bot = Bot(env["BOT_TOKEN"], session=AiohttpSession(api=TelegramAPIServer.from_base(env["TELEGRAM_API_URL"])))
    dispatcher = Dispatcher()

    @dispatcher.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "…")

    app = web.Application()
    secret = env.get("WEBHOOK_SECRET")
    SimpleRequestHandler(dispatcher, bot, secret_token=secret).register(app, path=urlsplit(env["WEBHOOK_URL"]).path)
    setup_application(app, dispatcher, bot=bot)
    host, port = env["WEBHOOK_LISTEN"].rsplit(":", 1)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, int(port)).start()
    await bot.set_webhook(env["WEBHOOK_URL"], secret_token=secret)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
