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
