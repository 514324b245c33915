"""Issue 14 (round 2): the attacks on button data, HTML and pledges, through the real
bot process against the sandbox."""

from __future__ import annotations

from bot.sandbox import Sandbox
from handlers.broadcasts.callbacks import BcMenu
from tests.e2e.harness import BotProcess
from tests.e2e.test_broadcasts import forged_press


async def test_huge_numbers_in_button_data_are_refused_politely(
    sandbox: Sandbox, bot_process: BotProcess
) -> None:
    """#9: ``dgo:+99999999999999999999`` and ``vis:card:…`` reached the database and got
    the generic error."""
    secretary = sandbox.user(1001, "An")
    await secretary.send("/thongbao")
    menu = await secretary.next_message()
    await secretary.press(menu, callback_data=BcMenu(action="new").pack())
    await secretary.next_message()
    for data in (
        "dgo:+99999999999999999999",
        "vis:card:+99999999999999999999",
        "vis:card:1_000_000_000_000",
        "dgp:cancel: 99999999999999999999",
        "vas:to:+99999999999999999999:1",
    ):
        answer = await forged_press(sandbox, secretary, menu, data)
        assert answer is not None, data
        assert "không hợp lệ" in answer["text"], (data, answer)


LINK = '<a href="https://evil.example/login">XI MĂNG – bấm xem sao kê</a>'
OPEN_B = "<b"
HOSTILE_ORG = f"""\
communes:
  - code: cam-thanh
    name: 'Xã {OPEN_B} Cẩm'
    province: Hà Tĩnh
    villages:
      - code: nam-bac-thanh
        name: 'Thôn {OPEN_B} & Nam'
        branch: 'Chi bộ {OPEN_B}'
        members:
          - {{name: 'An {OPEN_B}', role: secretary, phone: "0912000001", telegram_id: 1001}}
          - {{name: '{LINK}', role: member, phone: "0912000002"}}
          - {{name: 'Quỹ {OPEN_B}', role: treasurer, phone: "0912000777", telegram_id: 2001}}
          - {{name: 'Phó {OPEN_B}', role: deputy, phone: "0912000005", telegram_id: 1003}}
        households:
          - {{code: NBT-001, head: '{LINK}', address: '{OPEN_B} Xóm 1', cluster: '{LINK}', flags: [poor], visitor: "0912000002"}}
          - {{code: NBT-002, head: 'Hồ {OPEN_B} E', visitor: "0912000002"}}
        groups:
          - {{telegram_chat_id: -1001000000001, title: 'Nhóm {OPEN_B}'}}
"""


def button(message: dict, startswith: str) -> str:
    for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
        for item in row:
            if item["text"].startswith(startswith) and "callback_data" in item:
                return item["callback_data"]
    raise AssertionError(f"no button {startswith!r} in {message.get('reply_markup')}")


def no_injection(sandbox: Sandbox) -> list[str]:
    """Every refused send (a broken tag) and every link or entity made of typed text."""
    problems = [
        f"{call.method}: {call.outcome}"
        for call in sandbox.calls
        if "parse entities" in call.outcome
    ]
    for chat in sandbox.chats.values():
        for stored in chat.messages.values():
            view = stored.view()
            for entity in view.get("entities", []) + view.get("caption_entities", []):
                if entity["type"] in ("text_link", "url") and "evil" in str(entity):
                    problems.append(f"link in {view['text'][:80]!r}")
                piece = (
                    (view["text"] or "")
                    .encode("utf-16-le")[
                        2 * entity["offset"] : 2 * (entity["offset"] + entity["length"])
                    ]
                    .decode("utf-16-le")
                )
                if entity["type"] == "text_link":
                    problems.append(f"link {piece!r}")
    return problems


async def test_typed_html_is_shown_as_text_on_every_screen(sandbox: Sandbox, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """#1: a material typed as a link became a live link under the bot's name in
    /congkhai, the treasurer's view and the group board; an unclosed ``<b`` broke the
    message. Every user-writable field goes through the screens that show it."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from bot.services.org_import import apply_org, parse_org
    from handlers.contributions.callbacks import DgKind, DgManage, DgNew
    from storage.db import create_engine, create_sessionmaker
    from storage.migrate import upgrade
    from storage.repo import Repo
    from tests.e2e.test_contributions import edited, next_with

    url = f"sqlite+aiosqlite:///{tmp_path / 'e2e.db'}"
    engine = create_engine(url)
    await upgrade(engine)
    async with create_sessionmaker(engine)() as session:
        await apply_org(Repo(session), parse_org(HOSTILE_ORG))
        await session.commit()
    await engine.dispose()
    bot = BotProcess(sandbox, url, tmp_path)
    await bot.start()
    try:
        secretary = sandbox.user(1001, "An", language_code="vi")
        treasurer = sandbox.user(2001, "Quỹ", language_code="vi")
        group = sandbox.group(-1001000000001, "Nhóm")
        group.set_member(secretary, "creator")
        await secretary.send("/help")  # known to the bot before the group's update comes
        await secretary.next_message()
        await secretary.add_bot_to(group, as_admin=True)

        # A campaign whose name, purpose and bank holder are typed attacks.
        await secretary.send("/taodonggop")
        await next_with(
            secretary, lambda m: "/huy" in (m["text"] or "") or "tên" in (m["text"] or "")
        )
        await secretary.send(f"Nhà văn hóa {OPEN_B} $x$\n{LINK}")
        kinds = await secretary.next_message()
        await secretary.press(kinds, callback_data=DgNew(what="kind", kind="money").pack())
        await secretary.press(kinds, callback_data=DgNew(what="kind", kind="material").pack())
        await secretary.press(kinds, callback_data=DgNew(what="next").pack())
        await secretary.next_message()
        await secretary.send("600 triệu")
        await secretary.next_message()
        end = (datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")) + timedelta(days=60)).strftime("%d/%m/%Y")
        await secretary.send(end)
        await secretary.next_message()
        await secretary.send(f"970405 3600205123456 QUY {OPEN_B}")
        names = await secretary.next_message()
        await secretary.press(names, callback_data=DgNew(what="public").pack())
        review = await secretary.next_message()  # the review screen (issue 16): nothing created yet
        await secretary.press(review, callback_data=DgNew(what="create").pack())
        from sqlalchemy import select

        from storage.models import Campaign
        from tests.e2e.test_contributions import eventually

        code = (await eventually(sandbox, url, select(Campaign), lambda found: True))[0].code

        # A resident pledges a material typed as a link, under a name that is one too.
        resident = sandbox.user(3001, "Lan <b", language_code="vi")
        await resident.send(f"/start dg_{code}")
        campaign_card = await next_with(resident, lambda m: "Nhà văn hóa" in (m["text"] or ""))
        campaign_id = DgKind.unpack(button(campaign_card, "💰")).campaign_id
        await resident.press(
            campaign_card, callback_data=DgKind(campaign_id=campaign_id, kind="material").pack()
        )
        await resident.next_message()
        await resident.send(f"50 bao {LINK}")
        confirm = await next_with(resident, lambda m: bool(m.get("reply_markup")))
        assert LINK in confirm["text"]
        await resident.press(confirm, callback_data=button(confirm, "✅"))
        assert LINK in await edited(sandbox, confirm, "#1")
        await resident.send("/cuatoi")
        await next_with(resident, lambda m: LINK in (m["text"] or ""))

        # The treasurer records one for a household whose head's name is a link.
        await treasurer.send(f"/ghinhan NBT-001 3 bao {LINK}")
        confirm = await next_with(treasurer, lambda m: "NBT-001" in (m["text"] or ""))
        await treasurer.press(confirm, callback_data=button(confirm, "✅"))
        assert LINK in await edited(sandbox, confirm, "#2")

        # /congkhai: the resident's view, the treasurer's full view, the group board.
        await resident.send("/congkhai")
        board = await next_with(resident, lambda m: LINK in (m["text"] or ""))
        await treasurer.send("/congkhai")
        full = await next_with(treasurer, lambda m: LINK in (m["text"] or ""))
        assert "Lan <b" in full["text"] or LINK in full["text"]
        await treasurer.send("/congkhai")
        mine = await next_with(
            treasurer, lambda m: bool(m.get("reply_markup")) and LINK in (m["text"] or "")
        )
        await treasurer.press(
            mine, callback_data=DgManage(action="post", campaign_id=campaign_id).pack()
        )

        async def posted() -> dict | None:
            for stored in sandbox.chats[-1001000000001].messages.values():
                if stored.from_bot and LINK in (stored.view()["text"] or ""):
                    return stored.view()
            return None

        await sandbox.wait_until(posted, timeout=15)

        # A question typed as a link, answered with one; the inbox lists it.
        await resident.send(f"đường thôn cần đạt gì {LINK} {OPEN_B}")
        answer = await next_with(resident, lambda m: bool(m.get("reply_markup")))
        await resident.press(answer, callback_data=button(answer, "❓"))
        deputy = sandbox.user(1003, "Phó", language_code="vi")  # each officer within 20/min
        await deputy.send("/cauhoi")
        inbox = await next_with(deputy, lambda m: "XI MĂNG" in (m["text"] or ""))
        assert LINK[:40] in inbox["text"]
        await deputy.press(inbox, callback_data=button(inbox, "Trả lời"))
        await deputy.next_message()
        await deputy.send(f"Trả lời: {LINK} {OPEN_B}")
        await next_with(resident, lambda m: f"Trả lời: {LINK}" in (m["text"] or ""), timeout=30)

        # The member who visits the households sees them listed and on their cards.
        member = sandbox.user(1002, "B", phone="0912000002", language_code="vi")
        await member.share_contact()
        await member.next_message()
        await member.send("/lichtham")
        schedule = await next_with(member, lambda m: "NBT-001" in (m["text"] or ""))
        assert LINK in schedule["text"]
        await member.press(schedule, callback_data=button(schedule, "NBT-001"))
        card = await next_with(member, lambda m: "Xóm 1" in (m["text"] or ""))
        assert f"{OPEN_B} Xóm 1" in card["text"] and LINK in card["text"]

        # An announcement typed as a link, to the group and the residents.
        from handlers.broadcasts.callbacks import BcAudience, BcConfirm, BcOption, BcWhen

        await deputy.send("/thongbao")
        menu = await next_with(deputy, lambda m: "bcm:new" in str(m.get("reply_markup")))
        await deputy.press(menu, callback_data=BcMenu(action="new").pack())
        await deputy.next_message()
        await deputy.send(f"Họp thôn {LINK} {OPEN_B}")
        audience = await deputy.next_message()
        await deputy.press(audience, callback_data=BcAudience(what="all").pack())
        await deputy.press(audience, callback_data=BcAudience(what="residents").pack())
        await deputy.press(audience, callback_data=BcAudience(what="next").pack())
        when = await deputy.next_message()
        await deputy.press(when, callback_data=BcWhen(what="now").pack())
        options = await deputy.next_message()
        await deputy.press(options, callback_data=BcOption(what="preview").pack())
        summary = await next_with(deputy, lambda m: "bcc:send" in str(m.get("reply_markup")))
        await deputy.press(summary, callback_data=BcConfirm(what="send").pack())
        await next_with(
            resident, lambda m: f"Họp thôn {LINK} {OPEN_B}" in (m["text"] or ""), timeout=30
        )
        await next_with(deputy, lambda m: "Báo cáo thông báo" in (m["text"] or ""), timeout=30)
        assert board["text"] and full["text"]
        assert no_injection(sandbox) == []
    except BaseException:
        for chat in sandbox.chats.values():
            for stored in chat.messages.values():
                print(
                    chat.id,
                    stored.from_bot,
                    (stored.view()["text"] or "")[:300].replace("\n", " | "),
                )
        for call in sandbox.calls:
            if call.outcome != "ok" and call.method.lower() != "getupdates":
                print("CALL", call.method, call.outcome)
        raise
    finally:
        await bot.stop()
        log = bot.log()
    assert "Traceback" not in log, log[-4000:]


async def test_pledges_in_a_households_name_are_bounded_and_can_be_voided(
    sandbox: Sandbox, bot_process: BotProcess
) -> None:
    """#7: a plain party member recorded three 10-tỷ pledges in a household's name with
    /ghinhan, and nobody could cancel them, not even the secretary."""
    from sqlalchemy import select

    from storage.models import Pledge
    from tests.e2e.test_contributions import create_campaign, edited, eventually, next_with

    await create_campaign(sandbox)
    member = sandbox.user(1002, "B", phone="0912000002", language_code="vi")  # visits NBT-001
    await member.share_contact()
    await member.next_message()
    for _ in range(3):
        await member.send("/ghinhan nbt-002 10 tỷ")
        await next_with(member, lambda m: "các hộ mình phụ trách" in (m["text"] or ""))
    await member.send("/ghinhan nbt-001 10 tỷ")
    await next_with(member, lambda m: "tối đa 100.000.000" in (m["text"] or ""))

    secretary = sandbox.user(1001, "An", language_code="vi")
    await secretary.send("/ghinhan nbt-002 50 triệu")
    confirm = await next_with(secretary, lambda m: "NBT-002" in (m["text"] or ""))
    await secretary.press(confirm, callback_data=button(confirm, "✅"))
    await edited(sandbox, confirm, "#1")
    await secretary.send("/huycamket 1")
    await next_with(secretary, lambda m: "lý do" in (m["text"] or ""))
    await member.send("/huycamket 1 không thích")
    await member.next_message()
    await secretary.send("/huycamket 1 ghi nhầm số tiền")
    await next_with(secretary, lambda m: "Đã hủy cam kết #1" in (m["text"] or ""))
    pledges = await eventually(
        sandbox, bot_process.database_url, select(Pledge), lambda found: found[0].status == "cancelled"
    )
    assert [(p.amount, p.status) for p in pledges] == [(50_000_000, "cancelled")]


async def test_half_open_connections_on_the_webhook_port_are_bounded(
    sandbox: Sandbox, e2e_db: str, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    """#10: 300 half-open connections stayed 40 s on the webhook port, nothing capped them."""
    import asyncio

    from tests.e2e.test_webhook_and_restart import SECRET, free_port

    port = free_port()
    process = BotProcess(
        sandbox, e2e_db, tmp_path,
        WEBHOOK_URL=f"http://127.0.0.1:{port}/telegram", WEBHOOK_SECRET=SECRET,
        WEBHOOK_LISTEN=f"127.0.0.1:{port}",
    )  # fmt: skip
    await process.start()
    connections = []
    try:
        for index in range(300):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            if index % 2:
                writer.write(b"POST /telegram HTTP/1.1\r\nHost: x\r\nContent-")  # half a head
            connections.append((reader, writer))

        async def until_closed(reader: asyncio.StreamReader) -> bytes:
            try:
                return await reader.read()
            except ConnectionResetError:  # refused while our half head was unread
                return b"reset"

        answers = await asyncio.wait_for(
            asyncio.gather(*(until_closed(reader) for reader, _ in connections)), 60
        )  # every one is closed by the server: the header timeout, or the cap
        refused = [a for a in answers if a.startswith(b"HTTP/1.1 503") or a == b"reset"]
        assert len(refused) >= 100 and all(a == b"" or a in refused for a in answers)
        user = sandbox.user(5001, "Hoa")  # and updates still go through
        await user.send("/start v_trung-thanh")
        assert "Thôn Trung Thành" in (await user.next_message(timeout=30))["text"]
    finally:
        for _, writer in connections:
            writer.close()
        await process.stop()
    assert "Traceback" not in process.log()
