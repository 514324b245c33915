"""``make run`` survives a restart (issue 16), in a real browser at phone width (390 px):
a resident opens the village group, presses the demo campaign's "🤝 Đóng góp ↗" (a
t.me deep link, which now opens the bot's start in the web chat itself), picks money,
and ``villagebot run`` is restarted at the amount step. The page stays open; the
history is still there, "500k" typed after the restart continues the pledge (it was
answered as a criteria question) and the pledge is confirmed with its VietQR."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import select

from storage.db import create_engine, create_sessionmaker
from storage.models import Pledge, User
from tests.conftest import REQUIRE_SERVICES
from tests.e2e.test_demo_browser import RESIDENT, _driver, _free_port, _start, _stop
from tests.e2e.test_webchat_browser import CHROMEDRIVER, CHROMIUM

GROUP_TITLE = "Thôn Nam Bắc Thành"


def _bubbles(driver) -> list[str]:  # type: ignore[no-untyped-def]
    # One script: the page re-renders its messages as replies arrive.
    return driver.execute_script(
        "return [...document.querySelectorAll('#messages .msg')].map(m => m.innerText)"
    )


def _wait(driver, predicate, timeout: float = 40):  # type: ignore[no-untyped-def]
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, ignored_exceptions=(Exception,)).until(predicate)


def _click_last(driver, xpath: str) -> None:  # type: ignore[no-untyped-def]
    def clicked(d) -> bool:  # type: ignore[no-untyped-def]
        from selenium.webdriver.common.by import By

        found = d.find_elements(By.XPATH, xpath)
        if not found:
            return False
        d.execute_script("arguments[0].scrollIntoView({block: 'center'})", found[-1])
        found[-1].click()
        return True

    _wait(driver, clicked)


def _send(driver, text: str) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    box = driver.find_element(By.ID, "text")
    box.send_keys(text)
    driver.find_element(By.CSS_SELECTOR, "#composer").submit()


def _to_amount_step(driver, url: str, shots: Path) -> dict:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    driver.get(url)
    _wait(
        driver, lambda d: d.find_elements(By.CSS_SELECTOR, f"#persona option[value='{RESIDENT}']")
    )
    Select(driver.find_element(By.ID, "persona")).select_by_value(str(RESIDENT))
    # The village group, from the chat list (behind ☰ at phone width).
    driver.find_element(By.ID, "menu").click()
    _click_last(driver, f"//ul[@id='chats']/li[contains(., '{GROUP_TITLE}')]")
    _click_last(driver, "//div[@class='inline-kb']//a[contains(., 'Đóng góp')]")
    # The deep link opened the bot's private chat here (not t.me) and started the pledge.
    _wait(driver, lambda d: "trò chuyện riêng" in d.find_element(By.ID, "chat-sub").text)
    _wait(driver, lambda d: any("Bê tông hóa đường trục Xóm 2" in t for t in _bubbles(d)))
    _click_last(driver, "//div[@class='inline-kb']//button[contains(., 'Tiền')]")
    before = len(_bubbles(driver))
    _wait(driver, lambda d: len(_bubbles(d)) > before)
    driver.save_screenshot(str(shots / "pledge-1-amount-step.png"))
    return {
        "started_with": next(t for t in _bubbles(driver) if t.startswith("/start")),
        "count": len(_bubbles(driver)),
    }


def _finish_after_restart(driver, shots: Path, count: int) -> dict:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    # The page reconnects by itself; the history is what it was.
    _wait(driver, lambda d: "Mất kết nối" not in d.find_element(By.ID, "status").text)
    _wait(driver, lambda d: len(_bubbles(d)) >= count)
    kept = _bubbles(driver)[:count]
    _send(driver, "500k")
    _wait(driver, lambda d: any("500.000" in t and "Tiêu chí" not in t for t in _bubbles(d)))
    _click_last(
        driver,
        "//div[contains(@class,'msg')][contains(., '500.000')]"
        "//div[@class='inline-kb']//button[contains(., 'Xác nhận')]",
    )
    _wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#messages img"))
    driver.save_screenshot(str(shots / "pledge-2-confirmed.png"))
    return {
        "kept": kept,
        "bubbles": _bubbles(driver),
        "width": driver.execute_script("return window.innerWidth"),
        "overflow": driver.execute_script(
            "return document.documentElement.scrollWidth - window.innerWidth"
        ),
    }


async def _pledges(db: Path) -> list[tuple[int, int, str]]:
    engine = create_engine(f"sqlite+aiosqlite:///{db}")
    try:
        async with create_sessionmaker(engine)() as session:
            rows = await session.execute(
                select(User.platform_user_id, Pledge.amount, Pledge.kind).join(
                    User, User.id == Pledge.user_id
                )
            )
            return [tuple(row) for row in rows.all()]
    finally:
        await engine.dispose()


async def test_restart_in_the_middle_of_a_pledge_from_the_group_button(tmp_path: Path) -> None:
    if not (CHROMIUM and CHROMEDRIVER):
        if REQUIRE_SERVICES:
            pytest.fail("chromium and chromedriver are required (REQUIRE_SERVICES=1)")
        pytest.skip("chromium/chromedriver not installed")
    port = _free_port()
    url = f"http://127.0.0.1:{port}/"
    process = await _start(tmp_path, port)
    driver = await asyncio.to_thread(_driver, tmp_path / "profile")
    try:
        first = await asyncio.to_thread(_to_amount_step, driver, url, tmp_path)
        await _stop(process)  # `make run` stopped at the amount step …
        process = await _start(tmp_path, port)  # … and started again, same database
        second = await asyncio.to_thread(_finish_after_restart, driver, tmp_path, first["count"])
    finally:
        await asyncio.to_thread(driver.quit)
        await _stop(process)
    assert first["started_with"].startswith("/start dg_")
    assert len(second["kept"]) == first["count"]  # the history survived the restart
    assert any("Xin cảm ơn" in t or "DG " in t for t in second["bubbles"]), second["bubbles"][-3:]
    assert await _pledges(tmp_path / "demo.db") == [(RESIDENT, 500_000, "money")]
    assert second["width"] == 390 and second["overflow"] <= 0
    log = (tmp_path / "run.log").read_text(errors="replace")
    assert "Traceback" not in log and "marked inactive" not in log
