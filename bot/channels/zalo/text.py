"""Text for a channel without formatting: HTML to plain text, and splitting long texts
at line breaks so that a numbered menu stays whole in the last part."""

from __future__ import annotations

import html
import re

_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_LINK = re.compile(r'<a\s+[^>]*href="([^"]*)"[^>]*>(.*?)</a>', re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
# A Telegram deep link to the bot: on Zalo the same start is typed ("/start dg_AB12").
_DEEP_LINK = re.compile(r"https?://(?:www\.)?(?:t|telegram)\.me/[A-Za-z0-9_]{3,64}\?start=([A-Za-z0-9_-]{1,64})")


def deep_links_typed(text: str) -> str:
    """``https://t.me/<bot>?start=<payload>`` → ``/start <payload>``: what a person
    types on a channel without deep links to get the same start."""
    return _DEEP_LINK.sub(lambda m: f"/start {m.group(1)}", text)


def without_sentences(text: str, sentences: list[str]) -> str:
    """``text`` without any of ``sentences`` (words about a control the channel does
    not have), and without the blank line one leaves behind."""
    for sentence in sentences:
        if sentence and sentence in text:
            text = text.replace(sentence + "\n", "").replace(sentence, "")
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n") if sentences else text


def html_to_plain(text: str) -> str:
    """Telegram's HTML subset as plain text: tags dropped, links as "text (url)",
    entities decoded."""

    def link(match: re.Match[str]) -> str:
        url, label = html.unescape(match.group(1)), _TAG.sub("", match.group(2))
        return f"{label} ({url})" if url and url not in label else label

    text = _BREAK.sub("\n", text)
    text = _LINK.sub(link, text)
    return html.unescape(_TAG.sub("", text))


def split_plain(text: str, limit: int, *, tail: str = "") -> list[str]:
    """Pieces of at most ``limit`` characters, cut at line breaks (else spaces);
    ``tail`` (a numbered menu) is kept whole in the last piece."""
    text = text.strip("\n")
    joined = f"{text}\n\n{tail}" if text and tail else (text or tail)
    if len(joined) <= limit:
        return [joined]
    pieces: list[str] = []
    rest = text
    room_for_tail = limit - len(tail) - 2 if tail else limit
    while rest:
        budget = limit if len(rest) > room_for_tail else room_for_tail
        if len(rest) <= budget:
            break
        window = rest[:budget]
        cut = window.rfind("\n")
        if cut <= 0:
            cut = window.rfind(" ")
        if cut <= 0:
            cut = budget
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip("\n ")
    if tail:
        if rest and len(rest) + len(tail) + 2 <= limit:
            pieces.append(f"{rest}\n\n{tail}")
        else:
            if rest:
                pieces.append(rest)
            pieces.extend(split_plain(tail, limit) if len(tail) > limit else [tail])
    elif rest:
        pieces.append(rest)
    return [piece for piece in pieces if piece]
