"""The web chat page in a real browser (Debian's chromium, driven by Selenium): a
persona sends /start, presses a button, and sees the bot answer."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from bot.sandbox import Sandbox
from tests.conftest import REQUIRE_SERVICES
from tests.e2e.harness import BotProcess

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


def _drive(url: str, profile: Path, screenshot: Path) -> list[str]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM  # type: ignore[assignment]
    for flag in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", "--disable-quic", f"--user-data-dir={profile}", "--window-size=420,860",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    try:
        driver.get(url)
        wait = WebDriverWait(driver, 20)
        wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#persona option")))
        text = driver.find_element(By.ID, "text")
        text.send_keys("/start")
        driver.find_element(By.CSS_SELECTOR, "#composer").submit()
        wait.until(lambda d: "Choose your language" in d.find_element(By.ID, "messages").text)
        button = wait.until(ec.element_to_be_clickable((By.XPATH, "//div[@class='inline-kb']//button[contains(., 'Tiếng Việt')]")))
        button.click()
        wait.until(lambda d: "Gõ tên thôn" in d.find_element(By.ID, "messages").text)
        driver.save_screenshot(str(screenshot))
        return driver.execute_script(  # one script: the page re-renders as replies arrive
            "return [...document.querySelectorAll('#messages .msg')].map(m => m.innerText)"
        )
    finally:
        driver.quit()


async def test_web_chat_page_talks_to_the_bot(sandbox: Sandbox, bot_process: BotProcess, tmp_path: Path) -> None:
    if not (CHROMIUM and CHROMEDRIVER):
        if REQUIRE_SERVICES:
            pytest.fail("chromium and chromedriver are required (REQUIRE_SERVICES=1): apt-get install chromium chromium-driver")
        pytest.skip("chromium/chromedriver not installed")
    sandbox.add_persona(6001, "Bà Năm", "Người dân", phone="0912000555")
    messages = await asyncio.to_thread(_drive, sandbox.base_url + "/", tmp_path / "profile", tmp_path / "webchat.png")
    assert any("Ngôn ngữ: 🇻🇳 Tiếng Việt" in m for m in messages)  # the choice, edited in place
    assert any("Gõ tên thôn" in m for m in messages)
