"""Contributions through the real bot process and the sandbox: a secretary creates a
campaign, a resident pledges from its link in ≤ 5 taps and gets the VietQR, the
treasurer records a partial then a full receipt and confirms a bank-statement line,
/congkhai shows the totals and chart, and the export holds the same numbers."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from sqlalchemy import select

from bot.sandbox import Sandbox
from bot.services.contributions import vietqr
from handlers.contributions.callbacks import (
    DgAmount,
    DgConfirm,
    DgKind,
    DgManage,
    DgMatch,
    DgNew,
    DgReceipt,
    PledgeAction,
)
from storage.db import create_engine, create_sessionmaker
from storage.models import Campaign, Member, Pledge, Role
from storage.repo import Repo
from tests.e2e.harness import BotProcess
from tests.e2e.test_broadcasts import forged_press

VN = ZoneInfo("Asia/Ho_Chi_Minh")
SECRETARY, TREASURER, LAN, TUAN, NEIGHBOUR = 1001, 2001, 3001, 3002, 3003


async def rows(url: str, statement):  # type: ignore[no-untyped-def]
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session:
            return (await session.scalars(statement)).all()
    finally:
        await engine.dispose()


async def add_treasurer(url: str) -> None:
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session:
            repo = Repo(session)
            village = await repo.places.village_by_code("nam-bac-thanh")
            branch = await repo.places.branch_of_village(village.id)
            session.add(
                Member(
                    branch_id=branch.id,
                    name="Thủ Quỹ",
                    phone="0912000777",
                    role=Role.TREASURER,
                    telegram_id=TREASURER,
                )
            )
            await session.commit()
    finally:
        await engine.dispose()


async def eventually(sandbox: Sandbox, url: str, statement, check):  # type: ignore[no-untyped-def]
    """The bot commits right after it answers: wait for the rows to satisfy ``check``."""

    async def ok():  # type: ignore[no-untyped-def]
        found = await rows(url, statement)
        return found if found and check(found) else None

    return await sandbox.wait_until(ok, timeout=10)


def send_document(sandbox: Sandbox, user, data: bytes, file_name: str) -> None:  # type: ignore[no-untyped-def]
    """A user uploads a file (the sandbox's users send text and photos only)."""
    chat = sandbox._private_chat(user)
    stored = sandbox._store_file(
        data, "documents", file_name.rsplit(".", 1)[-1], "application/octet-stream", file_name
    )
    document = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_name": file_name,
        "file_size": len(data),
    }
    sandbox._user_message(user, chat, {"document": document})


async def next_with(user, predicate, timeout: float = 10) -> dict:  # type: ignore[no-untyped-def]
    while True:
        message = await user.next_message(timeout=timeout)
        if predicate(message):
            return message


def current(sandbox: Sandbox, message: dict) -> dict:
    """A message as it is now (after the bot's edits)."""
    return sandbox.chats[message["chat"]["id"]].messages[message["message_id"]].view()


async def edited(sandbox: Sandbox, message: dict, needle: str) -> str:
    """The message's text once the bot has edited it to contain ``needle``."""

    async def check() -> str | None:
        text = current(sandbox, message)["text"] or ""
        return text if needle in text else None

    return await sandbox.wait_until(check, timeout=10)


async def create_campaign(sandbox: Sandbox) -> None:
    secretary = sandbox.user(SECRETARY, "An", language_code="vi")
    await secretary.send("/taodonggop")
    await secretary.next_message()
    await secretary.send("Nhà văn hóa thôn\nXây mới nhà văn hóa thôn Nam Bắc Thành")
    kinds = await secretary.next_message()
    await secretary.press(kinds, callback_data=DgNew(what="kind", kind="money").pack())
    await secretary.press(kinds, callback_data=DgNew(what="kind", kind="labour").pack())
    await secretary.press(kinds, callback_data=DgNew(what="next").pack())
    await secretary.next_message()
    await secretary.send("600 triệu")
    labour = await secretary.next_message()
    assert "ngày công" in labour["text"]  # a goal for each chosen kind
    await secretary.send("-")
    await secretary.next_message()
    end = (datetime.now(VN) + timedelta(days=60)).strftime("%d/%m/%Y")
    await secretary.send(end)
    await secretary.next_message()
    await secretary.send("Agribank 3600205123456 QUY THON NAM BAC THANH")  # the bank by name
    names = await secretary.next_message()
    await secretary.press(names, callback_data=DgNew(what="public").pack())
    review = await secretary.next_message()
    assert "600.000.000" in review["text"] and "3600205123456" in review["text"]
    await secretary.press(review, callback_data=DgNew(what="create").pack())
    card = await next_with(secretary, lambda m: "Nhà văn hóa thôn" in (m["text"] or "") and "reply_markup" in m)
    assert "Nhà văn hóa thôn" in card["text"]


async def test_pledge_pay_receive_and_publish(sandbox: Sandbox, bot_process: BotProcess) -> None:
    url = bot_process.database_url
    await add_treasurer(url)
    await create_campaign(sandbox)
    [campaign] = await eventually(sandbox, url, select(Campaign), lambda found: len(found) == 1)
    assert campaign.account_number == "3600205123456" and campaign.names_public
    assert (campaign.bank_bin, campaign.bank_name) == ("970405", "Agribank")

    # A resident with no village yet opens the campaign's link: 1 tap (Start), kind, amount, confirm = 4.
    lan = sandbox.user(LAN, "Lan", language_code="vi")
    await lan.send(f"/start dg_{campaign.code}")
    card = await lan.next_message()
    assert "Nhà văn hóa thôn" in card["text"] and "💰 Tiền" in str(card["reply_markup"])
    await lan.press(card, callback_data=DgKind(campaign_id=campaign.id, kind="money").pack())
    amounts = await lan.next_message()
    assert "✖ Hủy" in str(amounts["reply_markup"]), "the amount step has no way back (issue 16)"
    await lan.press(amounts, callback_data=DgAmount(amount=1_000_000).pack())
    confirm = await lan.next_message()
    assert "1.000.000\xa0₫" in confirm["text"]
    confirm_button = confirm["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    await lan.press(confirm, callback_data=confirm_button)
    qr = await next_with(lan, lambda m: "photo" in m)
    # A second press (a double tap that arrives after the edit): still one pledge.
    again = await forged_press(sandbox, lan, confirm, confirm_button)
    assert again is not None and "Đã ghi nhận rồi" in again["text"]
    [pledge] = await eventually(sandbox, url, select(Pledge), lambda found: len(found) == 1)
    assert (pledge.amount, pledge.status, pledge.kind) == (1_000_000, "pledged", "money")
    assert await edited(sandbox, confirm, "Xin cảm ơn")
    memo = vietqr.pledge_memo(campaign.code, pledge.id, pledge.memo_check)
    assert memo in qr["text"] and "1.000.000\xa0₫" in qr["text"]
    # Residents see the bank's name under the VietQR, never its BIN.
    assert "Ngân hàng: Agribank" in qr["text"] and "970405" not in qr["text"]
    assert sandbox.file_bytes(qr["photo"][-1]["file_id"]).startswith(b"\x89PNG")
    assert DgConfirm.unpack(confirm_button).ok

    # A second resident types the amount in words.
    tuan = sandbox.user(TUAN, "Tuấn", language_code="vi")
    await tuan.send(f"/start dg_{campaign.code}")
    card = await tuan.next_message()
    await tuan.press(card, callback_data=DgKind(campaign_id=campaign.id, kind="money").pack())
    await tuan.next_message()
    await tuan.send("0đ")
    refused = await tuan.next_message()
    assert "lớn hơn 0" in refused["text"] and "500k" in refused["text"]
    await tuan.send("hai triệu")
    confirm = await tuan.next_message()
    assert "2.000.000\xa0₫" in confirm["text"]
    await tuan.press(
        confirm, callback_data=confirm["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    )
    await next_with(tuan, lambda m: "photo" in m)
    second = next(
        p
        for p in await eventually(sandbox, url, select(Pledge), lambda found: len(found) == 2)
        if p.id != pledge.id
    )

    # Another village's resident cannot even see it, and a resident cannot record receipts.
    neighbour = sandbox.user(NEIGHBOUR, "Hà", language_code="vi")
    await neighbour.send("/start v_trung-thanh")
    await neighbour.next_message()
    await neighbour.send(f"/start dg_{campaign.code}")
    assert (
        "thôn khác"
        in (await next_with(neighbour, lambda m: "thôn khác" in (m["text"] or "")))["text"]
    )
    await lan.send(f"/thu {pledge.id} 100k")
    assert "thủ quỹ" in (await next_with(lan, lambda m: "thủ quỹ" in (m["text"] or "")))["text"]

    # The treasurer: a partial then a full receipt.
    treasurer = sandbox.user(TREASURER, "Quỹ", language_code="vi")
    await treasurer.send(f"/thu {pledge.id} 400k PT01")
    ask = await treasurer.next_message()
    await treasurer.press(ask, callback_data=DgReceipt(method="cash").pack())
    assert await edited(sandbox, ask, "đã nhận một phần")
    await treasurer.send(f"/thu {pledge.id} 600.000 PT02")
    ask = await treasurer.next_message()
    await treasurer.press(ask, callback_data=DgReceipt(method="transfer").pack())
    assert await edited(sandbox, ask, "đã nhận đủ")

    # ... and a bank statement line naming Tuấn's pledge, confirmed with one press.
    await treasurer.send("/donggop")
    menu = await treasurer.next_message()
    await treasurer.press(menu, text="🤝 Nhà văn hóa thôn")
    tools = await treasurer.next_message()
    await treasurer.press(
        tools, callback_data=DgManage(action="statement", campaign_id=campaign.id).pack()
    )
    await treasurer.next_message()
    statement = (
        "Ngày giao dịch;Số tham chiếu;Nội dung;Ghi nợ;Ghi có\n"
        f"05/03/2026;FT001;TUAN CK {vietqr.pledge_memo(campaign.code, second.id)};;2.000.000\n"
        "05/03/2026;FT002;phi quan ly;11.000;\n"
    ).encode()
    send_document(sandbox, treasurer, statement, "saoke.csv")
    matches = await treasurer.next_message()
    assert f"#{second.id}" in matches["text"] and "2.000.000\xa0₫" in matches["text"]
    assert [p.received for p in await rows(url, select(Pledge).where(Pledge.id == second.id))] == [
        0
    ]  # not before confirming
    await treasurer.press(matches, callback_data=DgMatch(index=0).pack())
    # A confirmation that lasts: a message, and the used button is gone.
    assert await next_with(treasurer, lambda m: "Đã ghi nhận 1 phiếu thu" in (m["text"] or ""))
    assert DgMatch(index=0).pack() not in str(current(sandbox, matches).get("reply_markup"))
    await forged_press(sandbox, treasurer, matches, DgMatch(index=0).pack())  # twice: once
    assert await next_with(treasurer, lambda m: "Đã ghi nhận rồi" in (m["text"] or ""))
    forged = await forged_press(
        sandbox, lan, matches, DgMatch(index=-1).pack()
    )  # not hers to confirm
    assert forged is not None and "Đã ghi nhận" not in forged["text"]
    # The second press changed nothing on the screen, so nothing was sent to change it (the
    # edit, sent after the commit, failed in the outbox with "message is not modified").
    assert "message is not modified" not in bot_process.log()
    by_id = {
        p.id: p
        for p in await eventually(
            sandbox, url, select(Pledge), lambda found: all(p.received for p in found)
        )
    }
    assert (by_id[pledge.id].received, by_id[pledge.id].status) == (1_000_000, "received")
    assert (by_id[second.id].received, by_id[second.id].status) == (2_000_000, "received")

    # The secretary records a pledge of labour for a household without a phone.
    secretary = sandbox.user(SECRETARY, "An", language_code="vi")
    await secretary.send("/ghinhan nbt-002 3 công")
    confirm = await next_with(secretary, lambda m: "NBT-002" in (m["text"] or ""))
    assert "3 ngày công" in confirm["text"]
    await secretary.press(
        confirm, callback_data=confirm["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    )
    labour = await eventually(
        sandbox, url, select(Pledge).where(Pledge.kind == "labour"), lambda found: True
    )
    assert [(p.amount, p.user_id, p.contributor_name) for p in labour] == [(3, None, "Hồ Thị E")]

    # /congkhai: totals and a chart, for a resident.
    await lan.send("/congkhai")
    board = await next_with(lan, lambda m: "Số hộ tham gia" in (m["text"] or ""))
    assert "cam kết 3.000.000\xa0₫, đã nhận 3.000.000\xa0₫" in board["text"]
    assert "mục tiêu 600.000.000\xa0₫" in board["text"]
    assert "Ngày công: cam kết 3 ngày công, đã nhận 0 ngày công" in board["text"]
    assert "Số hộ tham gia: 3" in board["text"]  # two residents and one household
    chart = await lan.next_message()
    assert sandbox.file_bytes(chart["photo"][-1]["file_id"]).startswith(b"\x89PNG")

    # The export opens with openpyxl and holds the same numbers.
    await treasurer.send("/congkhai")
    board = await next_with(treasurer, lambda m: "Số hộ tham gia" in (m["text"] or ""))
    await treasurer.press(
        board, callback_data=DgManage(action="export", campaign_id=campaign.id).pack()
    )
    xlsx = await next_with(treasurer, lambda m: "document" in m)
    workbook = load_workbook(io.BytesIO(sandbox.file_bytes(xlsx["document"]["file_id"])))
    sheet = workbook["Cam kết"]
    money = [row for row in sheet.iter_rows(min_row=3, values_only=True) if row[3] == "Tiền"]
    assert sum(row[4] for row in money) == 3_000_000 and sum(row[7] for row in money) == 3_000_000
    assert sheet["E3"].number_format == '#,##0 "₫"'
    receipts = [row for row in workbook["Phiếu thu"].iter_rows(min_row=2, values_only=True)]
    assert sorted(row[2] for row in receipts) == [400_000, 600_000, 2_000_000]
    csv_file = await next_with(treasurer, lambda m: "document" in m)
    assert csv_file["document"]["file_name"].endswith(".csv")


async def test_my_pledges_change_cancel_and_stop_reminders(
    sandbox: Sandbox, bot_process: BotProcess
) -> None:
    url = bot_process.database_url
    await create_campaign(sandbox)
    [campaign] = await eventually(sandbox, url, select(Campaign), lambda found: len(found) == 1)
    lan = sandbox.user(LAN, "Lan", language_code="vi")
    await lan.send(f"/start dg_{campaign.code}")
    card = await lan.next_message()
    await lan.press(card, callback_data=DgKind(campaign_id=campaign.id, kind="labour").pack())
    await lan.next_message()
    await lan.send("ba ngày")
    confirm = await lan.next_message()
    assert "3 ngày công" in confirm["text"]
    await lan.press(
        confirm, callback_data=confirm["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    )
    [pledge] = await eventually(sandbox, url, select(Pledge), lambda found: len(found) == 1)

    await lan.send("/cuatoi")
    mine = await next_with(lan, lambda m: f"#{pledge.id}" in (m["text"] or ""))
    await lan.press(mine, callback_data=PledgeAction(action="change", pledge_id=pledge.id).pack())
    await lan.next_message()
    await lan.send("0 ngày")
    assert "lớn hơn 0" in (await lan.next_message())["text"]  # refused, still asking
    await lan.send("5 công")
    changed = await lan.next_message()
    assert "5 ngày công" in changed["text"]

    # Tuấn forges presses on Lan's pledge: nothing happens to it.
    tuan = sandbox.user(TUAN, "Tuấn", language_code="vi")
    await tuan.send(f"/start dg_{campaign.code}")
    await tuan.next_message()
    for action in ("cancel", "stop", "change"):
        answer = await forged_press(
            sandbox, tuan, mine, PledgeAction(action=action, pledge_id=pledge.id).pack()
        )
        assert answer is not None and "thôn khác" in answer["text"]

    answer = await lan.press(
        changed, callback_data=PledgeAction(action="stop", pledge_id=pledge.id).pack()
    )
    assert answer is not None and "không nhắc" in answer["text"].lower()
    await lan.press(
        changed, callback_data=PledgeAction(action="cancel", pledge_id=pledge.id).pack()
    )
    [after] = await eventually(
        sandbox, url, select(Pledge), lambda found: found[0].status == "cancelled"
    )
    assert (after.amount, after.stop_reminders, after.user_id is not None) == (5, True, True)
