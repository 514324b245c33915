"""The new screens in a real browser at phone width (390 px), on ``make run``'s demo
(issue 16, done-when): a resident finds their household by typing part of a name; the
secretary reviews the balanced proposal (names, who is left out, cancel), accepts it and
moves a household; and three wizard steps are left with "hủy", the ✖ button and /huy."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.conftest import REQUIRE_SERVICES
from tests.e2e.test_demo_browser import RESIDENT, _driver, _free_port, _start, _stop
from tests.e2e.test_webchat_browser import CHROMEDRIVER, CHROMIUM

SECRETARY = 1001

BUBBLES = "return [...document.querySelectorAll('#messages .msg')].map(m => m.innerText)"
# The last button whose label contains arguments[0], pressed in the same script that finds
# it (the page re-renders as replies arrive).
PRESS = """
const found = [...document.querySelectorAll('#messages .inline-kb button')]
  .filter(b => b.innerText.includes(arguments[0])).pop();
if (!found) return false;
found.click();
return true;
"""
LAST_BUTTONS = """
const boxes = [...document.querySelectorAll('#messages .msg')].filter(m => m.querySelector('.inline-kb'));
const last = boxes.pop();
return last ? [...last.querySelectorAll('.inline-kb button')].map(b => b.innerText) : [];
"""


def _session(url: str, profile: Path, screenshots: Path) -> dict:  # noqa: C901
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import Select, WebDriverWait

    driver = _driver(profile)
    out: dict = {}
    try:
        driver.get(url)
        wait = WebDriverWait(driver, 30)
        wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, f"#persona option[value='{SECRETARY}']")))

        def persona(user_id: int) -> None:
            Select(driver.find_element(By.ID, "persona")).select_by_value(str(user_id))

        def bubbles() -> list[str]:
            return driver.execute_script(BUBBLES)

        def send(text: str) -> None:
            box = driver.find_element(By.ID, "text")
            box.send_keys(text)
            driver.find_element(By.CSS_SELECTOR, "#composer").submit()

        def shows(needle: str) -> str:
            return wait.until(lambda d: next((t for t in reversed(bubbles()) if needle in t), None))

        def press(label: str) -> None:
            wait.until(lambda d: d.execute_script(PRESS, label))

        def fits() -> bool:
            return driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth") <= 0

        # 1. A resident finds their household by part of the head's name.
        persona(RESIDENT)
        send("/start v_nam-bac-thanh")
        shows("Chào mừng")
        send("/donggop")
        press("Tiền")
        press("500.000")
        press("Xác nhận")
        press("Hộ gia đình")
        shows("mã hộ hoặc một phần tên chủ hộ")
        send("giang")
        shows("Hộ nào là hộ của bà con")
        out["household_buttons"] = driver.execute_script(LAST_BUTTONS)
        press("NBT-004")
        out["household_saved"] = shows("Đã lưu")
        out["fits_1"] = fits()
        driver.save_screenshot(str(screenshots / "1-household.png"))

        # 2. The secretary reviews the proposal, cancels, accepts, and moves a household.
        persona(SECRETARY)
        send("/phancong")
        shows("ai phụ trách hộ nào")
        press("Đề xuất phân công")
        out["proposal"] = shows("hộ gần nhau giao cùng người")
        out["proposal_buttons"] = driver.execute_script(LAST_BUTTONS)
        press("Hủy")
        shows("Đã hủy: không thay đổi gì")
        press("Đề xuất phân công")
        shows("Chưa có gì thay đổi")
        press("Đồng ý")
        out["accepted"] = shows("Đã đồng ý")
        press("Chuyển hộ")
        shows("gõ mã hộ")
        send("NBT-004")
        press("NBT-004 · Võ Thị Giang")
        out["who"] = shows("Ai phụ trách hộ")
        press("Lê Thị Chi")
        out["moved"] = shows("từ nay do đồng chí")
        out["fits_2"] = fits()
        driver.save_screenshot(str(screenshots / "2-assign.png"))

        # 3. Three wizard steps left three ways: "hủy" typed, the ✖ button, /huy.
        send("/taodonggop")
        shows("Gõ tên")
        send("Sửa nhà văn hóa")
        press("Tiền")
        press("Tiếp")
        shows("Mục tiêu bằng tiền")
        send("hủy")
        out["cancel_goal"] = shows("Đã hủy")
        send("/taodonggop")
        shows("Gõ tên")
        send("Sửa nhà văn hóa")
        press("Tiền")
        press("Tiếp")
        shows("Mục tiêu bằng tiền")
        send("-")
        out["date_prompt"] = shows("Ngày cuối")
        before = sum("Đã hủy" in t for t in bubbles())
        press("✖ Hủy")
        wait.until(lambda d: sum("Đã hủy" in t for t in bubbles()) > before)
        persona(RESIDENT)
        send("/donggop")
        press("Tiền")
        press("Số tiền khác")
        shows("muốn đóng góp bao nhiêu")
        send("/huy")
        out["cancel_amount"] = shows("Đã hủy")
        out["fits_3"] = fits()
        driver.save_screenshot(str(screenshots / "3-cancel.png"))
        return out
    finally:
        driver.quit()


async def test_new_screens_at_phone_width(tmp_path: Path) -> None:
    if not (CHROMIUM and CHROMEDRIVER):
        if REQUIRE_SERVICES:
            pytest.fail("chromium and chromedriver are required (REQUIRE_SERVICES=1)")
        pytest.skip("chromium/chromedriver not installed")
    port = _free_port()
    process = await _start(tmp_path, port)
    try:  # the demo seeds its own open money campaign (bot/demo/campaign.yaml)
        out = await asyncio.to_thread(_session, f"http://127.0.0.1:{port}/", tmp_path / "profile", tmp_path)
    finally:
        await _stop(process)
    log = (tmp_path / "run.log").read_text(errors="replace")
    assert "Traceback" not in log, log[-3000:]

    # A handful of matches, with names, and a way out — never the whole village.
    buttons = out["household_buttons"]
    assert 1 <= len(buttons) <= 6 and any("Võ Thị Giang" in b for b in buttons) and "✖ Hủy" in buttons
    assert "NBT-004 · Võ Thị Giang" in out["household_saved"]
    # Household → member with names, who is left out and why, and Cancel before Accept.
    assert "Trần Văn Bình" in out["proposal"] and "NBT-004 Võ Thị Giang" in out["proposal"]
    assert "Nguyễn Thị An" in out["proposal"] and "chưa được giao hộ" in out["proposal"]
    assert any("Hủy" in b for b in out["proposal_buttons"])
    assert "NBT-004 · Võ Thị Giang" in out["who"] and "Lê Thị Chi" in out["moved"]
    assert "cuối tháng" in out["date_prompt"]
    assert all(out[f"fits_{n}"] for n in (1, 2, 3)), "the page is wider than the phone"
