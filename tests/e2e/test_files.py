"""Issue 14 items 4 and 5 through the real bot process: a hostile bank statement gets
one Vietnamese line and the bot keeps answering others; a forged 1 đ line carrying a
neighbour's memo is marked ⚠ and "confirm all" leaves it alone."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.sandbox import Sandbox
from bot.services.contributions import vietqr
from handlers.contributions.callbacks import DgAmount, DgKind, DgManage, DgMatch
from storage.models import Campaign, Pledge, Receipt
from tests.e2e.harness import BotProcess
from tests.e2e.test_broadcasts import forged_press
from tests.e2e.test_contributions import (
    TREASURER,
    add_treasurer,
    create_campaign,
    eventually,
    next_with,
    rows,
    send_document,
)
from tests.filebombs import shared_strings_bomb

LAN = 3001


async def a_campaign_and_its_treasurer_at_the_statement_tool(
    sandbox: Sandbox, url: str
) -> tuple[Campaign, Any]:
    """A treasurer creates a campaign and opens its statement tool: the campaign and her chat."""
    await add_treasurer(url)
    await create_campaign(sandbox)
    [campaign] = await eventually(sandbox, url, select(Campaign), lambda found: len(found) == 1)
    treasurer = sandbox.user(TREASURER, "Quỹ", language_code="vi")
    await open_statement_tool(treasurer, campaign)
    return campaign, treasurer


async def pledge_a_million(sandbox: Sandbox, url: str, campaign: Campaign) -> tuple[Any, Pledge]:
    """Lan opens the campaign's link, pledges 1.000.000 ₫ in money, confirms and gets her
    VietQR; her chat and her pledge as stored."""
    lan = sandbox.user(LAN, "Lan", language_code="vi")
    await lan.send(f"/start dg_{campaign.code}")
    card = await lan.next_message()
    await lan.press(card, callback_data=DgKind(campaign_id=campaign.id, kind="money").pack())
    amounts = await lan.next_message()
    await lan.press(amounts, callback_data=DgAmount(amount=1_000_000).pack())
    confirm = await lan.next_message()
    await lan.press(
        confirm, callback_data=confirm["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    )
    await next_with(lan, lambda m: "photo" in m)
    [pledge] = await eventually(sandbox, url, select(Pledge), lambda found: len(found) == 1)
    return lan, pledge


async def open_statement_tool(treasurer, campaign: Campaign) -> None:  # type: ignore[no-untyped-def]
    await treasurer.send("/donggop")
    menu = await treasurer.next_message()
    await treasurer.press(menu, text="🤝 Nhà văn hóa thôn")
    tools = await treasurer.next_message()
    await treasurer.press(
        tools, callback_data=DgManage(action="statement", campaign_id=campaign.id).pack()
    )
    await treasurer.next_message()


async def test_a_bomb_is_refused_in_one_line_and_a_forged_line_is_never_confirmed_in_bulk(
    sandbox: Sandbox, bot_process: BotProcess
) -> None:
    url = bot_process.database_url
    campaign, treasurer = await a_campaign_and_its_treasurer_at_the_statement_tool(sandbox, url)

    name, bomb = shared_strings_bomb()
    send_document(sandbox, treasurer, bomb, name)
    bystander = sandbox.user(4242, "Khách", language_code="vi")
    await bystander.send("/help")
    assert (await bystander.next_message(timeout=10))["text"]  # the bot still answers others
    refusal = await next_with(treasurer, lambda m: "Tệp" in (m["text"] or ""))
    assert refusal["text"] == (
        "Tệp này bung ra lớn hơn nhiều so với một bảng tính thông thường nên tôi không mở."
    )

    # A resident pledges; someone sends 1 đ with her memo but without its check letters.
    lan, pledge = await pledge_a_million(sandbox, url, campaign)
    memo = vietqr.pledge_memo(campaign.code, pledge.id, pledge.memo_check)
    statement = (
        "SAO KÊ TÀI KHOẢN\n"
        "Ngày giao dịch;Số tham chiếu;Số tiền ghi nợ;Số tiền ghi có;Nội dung\n"
        f"05/03/2026;FT001;;1;CK DG {campaign.code} {pledge.id}\n"
        f"05/03/2026;FT002;;1.000.000;MBVCB.123.{memo.upper().replace(' ', '')}.CT tu\n"
    ).encode()
    await open_statement_tool(treasurer, campaign)
    send_document(sandbox, treasurer, statement, "saoke.csv")
    matches = await next_with(treasurer, lambda m: "⚠" in (m["text"] or ""))
    assert "thiếu mã kiểm tra" in matches["text"] and "ít hơn nhiều" in matches["text"]
    buttons = [
        b["callback_data"] for row in matches["reply_markup"]["inline_keyboard"] for b in row
    ]
    assert buttons == [DgMatch(index=0).pack(), DgMatch(index=1).pack()]  # no bulk button here
    # Even a forged "confirm all" press takes only the unmarked line.
    answer = await forged_press(sandbox, treasurer, matches, DgMatch(index=-1).pack())
    assert answer is not None  # the press is answered; the confirmation is a message that lasts
    said = await next_with(treasurer, lambda m: "phiếu thu" in (m["text"] or ""))
    assert "Đã ghi nhận 1 phiếu thu" in said["text"]
    received = await eventually(sandbox, url, select(Receipt), lambda found: len(found) == 1)
    assert [r.amount for r in received] == [1_000_000]  # the forged 1 đ was left alone
    assert [p.status for p in await rows(url, select(Pledge))] == ["received"]

    # The treasurer takes the receipt back (a wrong match): the pledge unlocks, the audit keeps it.
    await lan.send(f"/huythu {received[0].id} thử")  # not hers to take back
    assert "thủ quỹ" in (await next_with(lan, lambda m: "thủ quỹ" in (m["text"] or "")))["text"]
    await treasurer.send(f"/huythu {received[0].id} ghi nhầm")
    reply = await next_with(treasurer, lambda m: "Đã hủy phiếu thu" in (m["text"] or ""))
    assert f"#{received[0].id}" in reply["text"]
    unlocked = await eventually(
        sandbox, url, select(Pledge), lambda found: found[0].status == "pledged"
    )
    assert unlocked[0].received == 0
    assert await rows(url, select(Receipt)) == []
