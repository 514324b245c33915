"""Telegram text formatting: HTML parse mode and entity extraction.

:func:`parse_html` implements the subset of HTML that Telegram accepts for
``parse_mode=HTML`` and fails the way Telegram does (``can't parse entities:
...``) on unknown tags, unclosed tags and stray ``<``.  It is deliberately
*stricter* than Telegram about a bare ``&``: Telegram shows an unknown ``&...``
literally, but a bare ``&`` in bot output almost always means a missing
``html.escape`` somewhere, so the sandbox rejects it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

#: Tag name -> entity type.
_TAGS: dict[str, str] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
    "tg-time": "date_time",
}

_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'", "nbsp": "\xa0"}


class EntityParseError(ValueError):
    """``parse_mode`` text that Telegram would refuse."""

    @property
    def description(self) -> str:
        return f"Bad Request: can't parse entities: {self}"


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's entity offsets."""
    return len(text.encode("utf-16-le")) // 2


@dataclass
class _Open:
    tag: str
    start: int  # UTF-16 offset in the output
    attrs: dict[str, str]
    byte_offset: int


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram HTML into ``(plain_text, entities)``.

    Raises :class:`EntityParseError` with Telegram's wording on invalid input.
    """
    out: list[str] = []
    out_len = 0  # UTF-16 length of "".join(out)
    stack: list[_Open] = []
    entities: list[dict[str, Any]] = []
    i = 0
    n = len(source)

    def byte_at(pos: int) -> int:
        return len(source[:pos].encode("utf-8"))

    def emit(chunk: str) -> None:
        nonlocal out_len
        out.append(chunk)
        out_len += utf16_len(chunk)

    while i < n:
        ch = source[i]
        if ch == "&":
            decoded, i = _decode_entity(source, i, byte_at)
            emit(decoded)
            continue
        if ch != "<":
            j = i
            while j < n and source[j] not in "<&":
                j += 1
            emit(source[i:j])
            i = j
            continue
        begin = i
        if i + 1 < n and source[i + 1] == "/":
            end = source.find(">", i + 2)
            if end == -1:
                raise EntityParseError(f"Unclosed end tag at byte offset {byte_at(begin)}")
            name = source[i + 2 : end].strip().lower()
            if not stack:
                raise EntityParseError(f"Unexpected end tag at byte offset {byte_at(begin)}")
            top = stack.pop()
            if name != top.tag:
                raise EntityParseError(
                    f'Unmatched end tag at byte offset {byte_at(begin)}, expected "</{top.tag}>",'
                    f' found "</{name}>"'
                )
            entity = _make_entity(top, out_len)
            if entity is not None:
                entities.append(entity)
            i = end + 1
            continue
        # start tag
        j = i + 1
        while j < n and (source[j].isascii() and (source[j].isalnum() or source[j] == "-")):
            j += 1
        name = source[i + 1 : j].lower()
        if j >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {byte_at(begin)}")
        if name not in _TAGS:
            raise EntityParseError(
                f'Unsupported start tag "{name}" at byte offset {byte_at(begin)}'
            )
        attrs, j = _parse_attributes(source, j, name, begin, byte_at)
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise EntityParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {byte_at(begin)}'
            )
        stack.append(_Open(name, out_len, attrs, byte_at(begin)))
        i = j
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    text = "".join(out)
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return _strip(text, entities)


def _decode_entity(source: str, i: int, byte_at: Any) -> tuple[str, int]:
    m = re.match(r"&(#[0-9]{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});", source[i:])
    if m:
        body = m.group(1)
        if body.startswith("#x"):
            return chr(int(body[2:], 16)), i + m.end()
        if body.startswith("#"):
            return chr(int(body[1:])), i + m.end()
        if body.lower() in _NAMED_ENTITIES:
            return _NAMED_ENTITIES[body.lower()], i + m.end()
    raise EntityParseError(
        f'Unescaped "&" at byte offset {byte_at(i)} (sandbox rule: escape it as "&amp;")'
    )


def _parse_attributes(
    source: str, j: int, tag: str, begin: int, byte_at: Any
) -> tuple[dict[str, str], int]:
    attrs: dict[str, str] = {}
    n = len(source)
    while True:
        while j < n and source[j].isspace():
            j += 1
        if j >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {byte_at(begin)}")
        if source[j] == ">":
            return attrs, j + 1
        k = j
        while k < n and source[k].isascii() and (source[k].isalnum() or source[k] in "-_"):
            k += 1
        attr = source[j:k].lower()
        if not attr:
            raise EntityParseError(
                f'Empty attribute name in the tag "{tag}" at byte offset {byte_at(begin)}'
            )
        j = k
        while j < n and source[j].isspace():
            j += 1
        if j >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {byte_at(begin)}")
        if source[j] != "=":
            attrs[attr] = ""  # boolean attribute, e.g. <blockquote expandable>
            continue
        j += 1
        while j < n and source[j].isspace():
            j += 1
        if j >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {byte_at(begin)}")
        if source[j] in "\"'":
            quote = source[j]
            end = source.find(quote, j + 1)
            if end == -1:
                raise EntityParseError(f"Unclosed start tag at byte offset {byte_at(begin)}")
            raw = source[j + 1 : end]
            j = end + 1
        else:
            k = j
            while k < n and not source[k].isspace() and source[k] != ">":
                k += 1
            raw = source[j:k]
            j = k
        value, pos = [], 0
        while pos < len(raw):
            if raw[pos] == "&":
                decoded, pos = _decode_entity(raw, pos, lambda p: byte_at(begin))
                value.append(decoded)
            else:
                value.append(raw[pos])
                pos += 1
        attrs[attr] = "".join(value)


def _make_entity(tag: _Open, end: int) -> dict[str, Any] | None:
    length = end - tag.start
    if length <= 0:
        return None
    kind = _TAGS[tag.tag]
    entity: dict[str, Any] = {"offset": tag.start, "length": length, "type": kind}
    if tag.tag == "a":
        href = tag.attrs.get("href", "")
        m = re.fullmatch(r"tg://user\?id=(\d+)", href)
        if m:
            entity["type"] = "text_mention"
            entity["user"] = {"id": int(m.group(1)), "is_bot": False, "first_name": ""}
        elif not href:
            return None
        else:
            entity["url"] = href
    elif tag.tag == "pre":
        pass
    elif tag.tag == "code" and "class" in tag.attrs:
        lang = tag.attrs["class"].removeprefix("language-")
        entity.update(type="pre", language=lang)
    elif tag.tag == "blockquote" and "expandable" in tag.attrs:
        entity["type"] = "expandable_blockquote"
    elif tag.tag == "tg-emoji":
        entity["custom_emoji_id"] = tag.attrs.get("emoji-id", "")
    elif tag.tag == "tg-time":
        entity["unix_time"] = int(tag.attrs.get("unix", "0") or 0)
        if tag.attrs.get("format"):
            entity["date_time_format"] = tag.attrs["format"]
    return entity


def _strip(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Telegram trims surrounding whitespace and shifts entities accordingly."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    shift = utf16_len(text[: len(text) - len(text.lstrip())])
    total = utf16_len(stripped)
    fixed = []
    for e in entities:
        start = max(e["offset"] - shift, 0)
        end = min(e["offset"] + e["length"] - shift, total)
        if end > start:
            fixed.append({**e, "offset": start, "length": end - start})
    return stripped, fixed


_ENTITY_PATTERNS = [
    ("bot_command", re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")),
    ("mention", re.compile(r"(?<!\w)@[A-Za-z0-9_]{4,32}")),
    ("url", re.compile(r"https?://[^\s]+")),
    ("phone_number", re.compile(r"(?<!\w)\+?\d[\d ]{8,13}\d(?!\w)")),
]


def detect_entities(text: str) -> list[dict[str, Any]]:
    """Entities Telegram's clients attach to plain user text (commands, ...)."""
    found: list[dict[str, Any]] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _ENTITY_PATTERNS:
        for m in pattern.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            taken.append((m.start(), m.end()))
            found.append(
                {
                    "offset": utf16_len(text[: m.start()]),
                    "length": utf16_len(m.group(0)),
                    "type": kind,
                }
            )
    found.sort(key=lambda e: e["offset"])
    return found


def strip_html(source: str) -> str:
    """Plain text of Telegram HTML, lenient (never raises)."""
    try:
        return parse_html(source)[0]
    except EntityParseError:
        return re.sub(r"<[^>]*>", "", source)
