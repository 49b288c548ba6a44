"""Text helpers of the markdown record reader, apart from its parser: decoding bytes of unknown
encoding, capped warnings, and splitting the bullet lists and entity items of a section.

All of them run in linear time on hostile input (string methods and linear regexes only).
"""

from __future__ import annotations

import re

from paperkg.model import ReaderWarning

__all__ = [
    "NO_ID",
    "Item",
    "Warnings",
    "clip",
    "count_word",
    "decode_bytes",
    "paragraphs",
    "split_bullets",
    "split_items",
]

_ID_LIKE = re.compile(r"[A-Za-z][A-Za-z .]{0,30} [0-9]{1,12}")
_BULLET = re.compile(r"(?:[-*+•]|[0-9]{1,3}[.)])[ \t]+")
_ITEM_TOKEN = re.compile(r"[()\[\],;]|\b[Aa][Nn][Dd]\b")
_LEADING_COUNT = re.compile(r"[0-9]{1,9}(?![0-9])")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_COUNT_WORDS = {"no": 0, "none": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
#: Identifier cells that mean "no identifier".
NO_ID = frozenset({"", "-", "–", "—", "none", "n/a", "na"})

Item = tuple[str, str | None, str]
"""An entity list item: name, note (``(human, species)``), identifier as written."""


def decode_bytes(data: bytes) -> tuple[str, str | None, int]:
    """Text, the fallback encoding used (``None`` for UTF-8) and the line of the first bad byte.

    Legacy files are mostly Windows-1252; Latin-1 decodes any byte, so decoding never fails.
    """
    for bom, codec in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(codec), "UTF-16", 1
            except UnicodeDecodeError:
                break
    try:
        return data.decode("utf-8"), None, 0
    except UnicodeDecodeError as error:
        before = data[: error.start].replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        line = before.count(b"\n") + 1
    try:
        return data.decode("cp1252"), "Windows-1252", line
    except UnicodeDecodeError:
        return data.decode("latin-1"), "Latin-1", line


class Warnings:
    """Reader warnings, capped so that a hostile file cannot flood a build report."""

    limit = 200

    def __init__(self) -> None:
        self.items: list[ReaderWarning] = []

    def add(self, line: int, message: str) -> None:
        if len(self.items) < self.limit:
            self.items.append(ReaderWarning(line, message))
        elif len(self.items) == self.limit:
            self.items.append(ReaderWarning(line, "more warnings follow; only the first shown"))


def clip(text: str, width: int = 60) -> str:
    """Short form of a value for a message (values may be megabytes long)."""
    return text if len(text) <= width else text[: width - 1] + "…"


def paragraphs(body: str) -> str | None:
    """Paragraphs with their white space collapsed, joined by a blank line."""
    found = (" ".join(block.split()) for block in _PARAGRAPH_BREAK.split(body))
    return "\n\n".join(block for block in found if block) or None


def split_bullets(body: str, first_line: int) -> list[tuple[int, str]]:
    """Bullet items with their line; wrapped lines join the bullet above them."""
    items: list[tuple[int, list[str]]] = []
    blank = True
    for offset, raw in enumerate(body.split("\n")):
        line = raw.strip()
        bullet = _BULLET.match(line)
        if bullet is not None:
            items.append((first_line + offset, [line[bullet.end() :].strip()]))
        elif line and items and not blank:
            items[-1][1].append(line)
        elif line:
            items.append((first_line + offset, [line]))
        blank = not line
    return [(line, " ".join(parts)) for line, parts in items]


def count_word(body: str) -> int | None:
    """``3 figures …`` → 3 (also ``no``/``one``…); ``None`` when no count is given."""
    head = body.lstrip()[:32]
    match = _LEADING_COUNT.match(head)
    if match is not None:
        return int(match.group())
    words = head.split(None, 1)
    return _COUNT_WORDS.get(words[0].casefold()) if words else None


def split_items(text: str) -> tuple[list[Item], bool]:
    """Split ``name (ID), name (note) [ID] and name (ID)``; also say if brackets balance.

    A comma, semicolon or ``and`` separates items only right after a closing bracket, so names
    may contain commas and ``and``. Linear: only bracket and separator positions are visited.
    """
    found: list[Item] = []
    stack: list[tuple[int, str]] = []
    groups: list[tuple[int, int, str]] = []
    start, last_close = 0, -1
    for match in _ITEM_TOKEN.finditer(text):
        token, pos = match.group(), match.start()
        if token in ("(", "["):
            stack.append((pos, token))
        elif token in (")", "]"):
            if stack and stack[-1][1] + token in ("()", "[]"):
                opened = stack.pop()[0]
                if not stack:
                    groups.append((opened, pos, token))
                    last_close = pos + 1
        elif not stack and last_close >= 0 and not text[last_close:pos].strip():
            found.extend(_item(text, start, pos, groups))
            start, groups, last_close = match.end(), [], -1
    found.extend(_item(text, start, len(text), groups))
    return found, not stack


def _item(text: str, start: int, end: int, groups: list[tuple[int, int, str]]) -> list[Item]:
    """One item: a trailing ``[ID]`` or ID-like ``(ID)`` is the identifier, the rest the name."""
    segment = text[start:end]
    begin = start + len(segment) - len(segment.lstrip())
    stop = begin + len(segment.strip().rstrip(".;,").rstrip())
    if stop <= begin:
        return []
    name_end, note, raw = stop, None, ""
    if groups and groups[-1][1] + 1 == stop:
        opened, closed, kind = groups[-1]
        inner = text[opened + 1 : closed].strip()
        if kind == "]":
            raw, name_end = inner, opened
            if len(groups) > 1 and groups[-2][2] == ")":
                p_open, p_close, _ = groups[-2]
                if not text[p_close + 1 : opened].strip():
                    note, name_end = text[p_open + 1 : p_close].strip(), p_open
        elif inner.casefold() in NO_ID or ":" in inner or _ID_LIKE.fullmatch(inner):
            raw, name_end = inner, opened
    return [(text[begin:name_end].strip(), note, raw)]
