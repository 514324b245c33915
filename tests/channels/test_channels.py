"""The channel port: splitting long HTML, and a channel without buttons."""

from __future__ import annotations

import re

import pytest

from bot.channels.base import Capabilities, SentRef, degrade, numbered_choice
from bot.channels.text import split_html
from bot.delivery.contract import Choice, OutgoingMessage


def _balanced(piece: str) -> bool:
    stack: list[str] = []
    for closing, name in re.findall(r"<(/?)([a-z]+)[^>]*>", piece):
        if closing:
            if not stack or stack.pop() != name:
                return False
        else:
            stack.append(name)
    return not stack


def test_short_text_is_one_piece() -> None:
    assert split_html("<b>xin chào</b>", 4096) == ["<b>xin chào</b>"]


def test_long_text_splits_at_lines_within_the_limit() -> None:
    lines = [f"Dòng {i}: thông báo của thôn &amp; xã" for i in range(400)]
    text = "\n".join(lines)
    pieces = split_html(text, 4096)
    assert len(pieces) > 1
    assert all(len(piece) <= 4096 for piece in pieces)
    # Nothing lost, cut only at line ends.
    assert "\n".join(pieces) == text
    assert all(piece.split("\n")[-1] in lines for piece in pieces)


def test_never_cuts_inside_a_tag_or_entity_and_keeps_tags_balanced() -> None:
    text = (
        "<b>" + ("Xóm Đông &amp; xóm Tây " * 500) + '</b> <a href="https://example.org/x">link</a>'
    )
    pieces = split_html(text, 1024)
    assert all(len(piece) <= 1024 for piece in pieces)
    for piece in pieces:
        assert _balanced(piece), piece[-60:]
        assert not re.search(r"&[a-z#0-9]*$", piece.rstrip("</b>"))  # no half entity at the end
        assert "<" not in piece.split(">")[-1]  # no half tag at the end
    joined = re.sub(r"</?b>", "", "".join(pieces))
    assert joined.replace(" ", "") == re.sub(r"</?b>", "", text).replace(" ", "")


class FakeChannel:
    """A channel without buttons or edits (like an SMS or a plain Zalo account)."""

    name = "fake"
    capabilities = Capabilities(buttons=False, edits=False, max_text=640, max_caption=0)

    def __init__(self) -> None:
        self.sent: list[tuple[int, str]] = []

    async def send(self, address: int, message: OutgoingMessage) -> SentRef:
        message = degrade(message, self.capabilities)
        assert not message.choices
        self.sent.append((address, message.text))
        return SentRef(len(self.sent))

    async def pin(self, address: int, message_id: int) -> None:
        raise NotImplementedError


async def test_choices_become_numbered_lines_on_a_channel_without_buttons() -> None:
    channel = FakeChannel()
    message = OutgoingMessage(
        text="Bạn có tham gia họp thôn không?",
        choices=(
            (Choice("Có", data="vote:1"), Choice("Không", data="vote:0")),
            (Choice("Xem", url="https://x.vn"),),
        ),
    )
    await channel.send(42, message)
    assert channel.sent == [
        (42, "Bạn có tham gia họp thôn không?\n\n1. Có\n2. Không\n3. Xem – https://x.vn")
    ]
    assert numbered_choice(message, " 2. ") == "vote:0"
    assert numbered_choice(message, "7") is None
    assert numbered_choice(message, "có") is None


def test_a_channel_with_buttons_keeps_them() -> None:
    caps = Capabilities(buttons=True, edits=True, max_text=4096, max_caption=1024)
    message = OutgoingMessage(text="x", choices=((Choice("A", data="a"),),))
    assert degrade(message, caps) is message


@pytest.mark.parametrize("limit", [63, 10])
def test_too_small_limit_is_refused(limit: int) -> None:
    with pytest.raises(ValueError):
        split_html("x" * 100, limit)
