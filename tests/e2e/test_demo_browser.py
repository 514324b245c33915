"""``make run`` as a newcomer sees it, in a real browser at phone width (390 px): the demo's
web chat, the progress chart, and a restart of ``villagebot run`` that just works
(issue 8: after a restart the bot ignored every message)."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REQUIRE_SERVICES
from tests.e2e.test_webchat_browser import CHROMEDRIVER, CHROMIUM

RESIDENT = 2001  # the demo's resident persona


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _start(workdir: Path, port: int) -> asyncio.subprocess.Process:
    """``villagebot run`` with no BOT_TOKEN: the sandbox, its web chat and the demo."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("BOT_", "WEBHOOK_", "DATABASE_", "REDIS_", "SANDBOX_", "ZALO_"))
    }
    env.update(
        DATABASE_URL=f"sqlite+aiosqlite:///{workdir / 'demo.db'}",
        SANDBOX_LISTEN=f"127.0.0.1:{port}",
        ZALO_LISTEN=f"127.0.0.1:{_free_port()}",  # tests run in parallel: each its own photo server
        PYTHONUNBUFFERED="1",
    )
    log_path = workdir / "run.log"
    seen = log_path.stat().st_size if log_path.exists() else 0
    log = log_path.open("ab")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", cwd=workdir, env=env, stdout=log, stderr=log
    )
    log.close()
    deadline = time.monotonic() + 40
    while b"running against the local sandbox" not in log_path.read_bytes()[seen:]:
        if process.returncode is not None or time.monotonic() > deadline:
            raise RuntimeError((workdir / "run.log").read_text(errors="replace"))
        await asyncio.sleep(0.2)
    return process


async def _stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        process.send_signal(signal.SIGINT)
        try:
            await asyncio.wait_for(process.wait(), 20)
        except TimeoutError:
            process.kill()
            await process.wait()


def _driver(profile: Path):  # type: ignore[no-untyped-def]
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM  # type: ignore[assignment]
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    # A phone: 390 CSS px wide (headless windows cannot be narrower than 500 px).
    options.add_experimental_option(
        "mobileEmulation", {"deviceMetrics": {"width": 390, "height": 844, "pixelRatio": 3}}
    )
    return webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)


def _session(url: str, profile: Path, screenshot: Path, first: bool) -> dict:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import Select, WebDriverWait

    driver = _driver(profile)
    try:
        driver.get(url)
        wait = WebDriverWait(driver, 30)
        wait.until(
            ec.presence_of_element_located(
                (By.CSS_SELECTOR, f"#persona option[value='{RESIDENT}']")
            )
        )
        Select(driver.find_element(By.ID, "persona")).select_by_value(str(RESIDENT))

        def send(text: str) -> None:
            box = driver.find_element(By.ID, "text")
            box.send_keys(text)
            driver.find_element(By.CSS_SELECTOR, "#composer").submit()

        def bubbles() -> list[str]:
            # Read in one script: the page re-renders its messages as replies arrive, so
            # elements found in one call may be gone by the next.
            return driver.execute_script(
                "return [...document.querySelectorAll('#messages .msg')].map(m => m.innerText)"
            )

        out: dict = {}
        if first:
            send("/start v_nam-bac-thanh")
            wait.until(lambda d: any("Chào mừng" in t for t in bubbles()))
            send("/tiendo")
            image = wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#messages img")))
            wait.until(
                lambda d: d.execute_script(
                    "return arguments[0].complete && arguments[0].naturalWidth > 0", image
                )
            )
            driver.execute_script("arguments[0].scrollIntoView()", image)
            out["image"] = driver.execute_script(
                "const r = arguments[0].getBoundingClientRect(); return [r.width, arguments[0].naturalWidth]",
                image,
            )
            out["progress"] = next(t for t in bubbles() if "tiêu chí đạt" in t)
        else:
            before = len(bubbles())
            send("/help")
            wait.until(lambda d: len(bubbles()) >= before + 2 and "/tieuchi" in bubbles()[-1])
            last = driver.find_elements(By.CSS_SELECTOR, "#messages .msg")[-1]
            out["last_visible"] = driver.execute_script(
                "const r = arguments[0].getBoundingClientRect();"
                "const l = document.getElementById('messages').getBoundingClientRect();"
                "return r.bottom <= l.bottom + 2 && r.top < l.bottom",
                last,
            )
        persona = driver.find_element(By.ID, "persona")
        out["persona_right"] = driver.execute_script(
            "return arguments[0].getBoundingClientRect().right", persona
        )
        out["width"] = driver.execute_script("return window.innerWidth")
        out["overflow"] = driver.execute_script(
            "return document.documentElement.scrollWidth - window.innerWidth"
        )
        out["times"] = driver.execute_script(
            "return [...document.querySelectorAll('#messages .meta')].map(m => m.innerText)"
        )
        driver.save_screenshot(str(screenshot))
        return out
    finally:
        driver.quit()


async def test_demo_at_phone_width_chart_and_restart(tmp_path: Path) -> None:
    if not (CHROMIUM and CHROMEDRIVER):
        if REQUIRE_SERVICES:
            pytest.fail("chromium and chromedriver are required (REQUIRE_SERVICES=1)")
        pytest.skip("chromium/chromedriver not installed")
    port = _free_port()
    url = f"http://127.0.0.1:{port}/"
    process = await _start(tmp_path, port)
    try:
        first = await asyncio.to_thread(
            _session, url, tmp_path / "p1", tmp_path / "demo-1.png", True
        )
    finally:
        await _stop(process)
    width, natural = first["image"]
    assert natural >= 800 and 0 < width <= first["width"]  # the chart fits the phone's width
    assert "0/" not in first["progress"].split("tiêu chí đạt")[0][-6:]  # realistic demo statuses
    assert first["persona_right"] <= first["width"] and first["overflow"] <= 0  # picker not cut off

    process = await _start(tmp_path, port)  # `make run` again, same database
    try:
        second = await asyncio.to_thread(
            _session, url, tmp_path / "p2", tmp_path / "demo-2.png", False
        )
    finally:
        await _stop(process)
    assert second["last_visible"], "the new reply is hidden"
    assert second["persona_right"] <= second["width"]
    assert "Traceback" not in (tmp_path / "run.log").read_text(errors="replace")
