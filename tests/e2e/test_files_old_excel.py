"""Old Excel statements through the real bot process: a hostile .xls gets one Vietnamese
line; a VietinBank statement uploaded as a real .xls is matched and confirmed; the same
statement sent again as the web page the bank names .xls offers nothing twice."""

from __future__ import annotations

from sqlalchemy import select

from bot.sandbox import Sandbox
from handlers.contributions.callbacks import DgMatch
from storage.models import Receipt
from tests.bank_layouts import html_xls, vietinbank_history, xls
from tests.e2e.harness import BotProcess
from tests.e2e.test_contributions import (
    eventually,
    next_with,
    send_document,
)
from tests.e2e.test_files import (
    a_campaign_and_its_treasurer_at_the_statement_tool,
    open_statement_tool,
    pledge_a_million,
)
from tests.filebombs import xls_dimension_bomb

LAN = 3001


async def test_an_old_excel_statement_is_matched_through_the_bot(
    sandbox: Sandbox, bot_process: BotProcess
) -> None:
    url = bot_process.database_url
    campaign, treasurer = await a_campaign_and_its_treasurer_at_the_statement_tool(sandbox, url)
    name, bomb = xls_dimension_bomb()
    send_document(sandbox, treasurer, bomb, name)
    refusal = await next_with(treasurer, lambda m: "Bảng tính" in (m["text"] or ""))
    assert refusal["text"] == (
        "Bảng tính này khai báo kích thước lớn hơn nhiều so với một danh sách của thôn nên tôi"
        " không mở."
    )

    _, pledge = await pledge_a_million(sandbox, url, campaign)
    rows = vietinbank_history(campaign.code, pledge.id, pledge.memo_check, pledge.id + 100)

    await open_statement_tool(treasurer, campaign)
    send_document(sandbox, treasurer, xls(rows), "LichSuGiaoDich.xls")
    matches = await next_with(treasurer, lambda m: "Các dòng khớp" in (m["text"] or ""))
    assert f"→ #{pledge.id}" in matches["text"] and "⚠" not in matches["text"]
    assert f"#{pledge.id + 100}" not in matches["text"]  # the debit line is never a payment
    await treasurer.press(matches, callback_data=DgMatch(index=0).pack())
    said = await next_with(treasurer, lambda m: "phiếu thu" in (m["text"] or ""))
    assert "Đã ghi nhận 1 phiếu thu" in said["text"]
    received = await eventually(sandbox, url, select(Receipt), lambda found: len(found) == 1)
    assert [r.amount for r in received] == [1_500_000]

    await open_statement_tool(treasurer, campaign)
    send_document(sandbox, treasurer, html_xls(rows), "LichSuGiaoDich_web.xls")
    nothing = await next_with(treasurer, lambda m: "Không có dòng sao kê" in (m["text"] or ""))
    assert "chưa được ghi nhận" in nothing["text"]
