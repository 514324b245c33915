"""The real bot process, started as a subprocess against an in-test sandbox."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from bot.sandbox import Sandbox

BOT_TOKEN = "424242:e2e-test-token"


class BotProcess:
    """``villagebot run`` in a subprocess, talking to ``sandbox`` over HTTP."""

    def __init__(self, sandbox: Sandbox, database_url: str, workdir: Path, **env: str) -> None:
        self.sandbox = sandbox
        self.database_url = database_url
        self.workdir = workdir
        self.extra_env = env
        self.process: asyncio.subprocess.Process | None = None
        self.log_path = workdir / "bot.log"
        self.starts = 0

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "WEBHOOK_", "DATABASE_", "REDIS_"))}
        env.update(
            BOT_TOKEN=BOT_TOKEN,
            TELEGRAM_API_URL=self.sandbox.base_url,
            DATABASE_URL=self.database_url,
            PYTHONUNBUFFERED="1",
        )
        env.update(self.extra_env)
        return env

    async def run_cli(self, *args: str) -> tuple[int, str]:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", *args,
            cwd=self.workdir, env=self.env(),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )
        out, _ = await process.communicate()
        return process.returncode or 0, out.decode()

    async def start(self) -> None:
        polls_before = self._polls()
        self.starts += 1
        log = self.log_path.open("ab")
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "run",
            cwd=self.workdir, env=self.env(), stdout=log, stderr=log,
        )
        log.close()

        async def polling() -> bool:
            if self.process is not None and self.process.returncode is not None:
                raise RuntimeError(f"bot exited with {self.process.returncode}:\n{self.log()}")
            return self._polls() > polls_before

        await self.sandbox.wait_until(polling, timeout=30)

    def _polls(self) -> int:
        """Signs of life: long-polling requests, or the webhook being set."""
        return sum(1 for call in self.sandbox.calls if call.method.lower() in ("getupdates", "setwebhook"))

    async def stop(self) -> None:
        if self.process is None or self.process.returncode is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            await asyncio.wait_for(self.process.wait(), 15)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()

    async def kill(self) -> None:
        """``kill -9``: no clean-up at all."""
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            await self.process.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
