"""Splitting long HTML text at line boundaries, never inside a tag or an entity."""

from __future__ import annotations

import re

_TAG = re.compile(r"<(/?)([a-zA-Z]+)[^>]*>")


def split_html(text: str, limit: int) -> list[str]:
    """Pieces of at most ``limit`` characters. Cuts at a line break when there is one
    in the piece, else at a space, else anywhere outside a tag or ``&entity;``; tags
    still open at a cut are closed there and opened again in the next piece."""
    if limit < 64:
        raise ValueError("limit too small to split HTML safely")
    pieces: list[str] = []
    rest = text
    carried: list[str] = []  # opening tags to repeat at the start of the next piece
    while True:
        prefix = "".join(carried)
        if len(prefix) + len(rest) <= limit:
            pieces.append(prefix + rest)
            return pieces
        budget = limit - len(prefix)
        # Leave room to close the tags open at the cut (worst case: everything we carry
        # plus what the piece opens; a generous reserve keeps this simple).
        reserve = 40 + sum(len(_closing(tag)) for tag in carried)
        window = rest[: max(1, budget - reserve)]
        cut = window.rfind("\n")
        if cut <= 0:
            cut = window.rfind(" ")
        if cut <= 0:
            cut = len(window)
        cut = _safe_cut(rest, cut)
        head, rest = rest[:cut], rest[cut:].lstrip("\n")
        open_tags = _open_after(carried, head)
        pieces.append(prefix + head + "".join(_closing(tag) for tag in reversed(open_tags)))
        carried = open_tags


def _safe_cut(text: str, cut: int) -> int:
    """Move ``cut`` left out of a tag (``<...>``) or an entity (``&...;``)."""
    lt, gt = text.rfind("<", 0, cut), text.rfind(">", 0, cut)
    if lt > gt:
        cut = lt
    amp = text.rfind("&", 0, cut)
    if amp != -1 and ";" not in text[amp:cut] and re.match(r"&#?\w{1,10};", text[amp:]):
        cut = amp
    return max(cut, 1)


def _open_after(carried: list[str], chunk: str) -> list[str]:
    stack = list(carried)
    for match in _TAG.finditer(chunk):
        closing, name = match.group(1), match.group(2).lower()
        if closing:
            for index in range(len(stack) - 1, -1, -1):
                if _name(stack[index]) == name:
                    del stack[index]
                    break
        else:
            stack.append(match.group(0))
    return stack


def _name(tag: str) -> str:
    match = _TAG.match(tag)
    return match.group(2).lower() if match else ""


def _closing(tag: str) -> str:
    return f"</{_name(tag)}>"
