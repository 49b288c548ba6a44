"""Which reader a record file needs, told from its first few KiB (never from its name).

- ``pubtator``: the first non-empty line is ``PMID|t|…`` or ``PMID|a|…``;
- ``pubmed-xml``: XML whose root element (or ``<!DOCTYPE``) is ``PubmedArticleSet``,
  ``MedlineCitationSet``, ``PubmedArticle`` or ``MedlineCitation``; also gzip-compressed
  (told by the gzip magic bytes, then the same sniff of what they decompress to);
- ``jats``: XML whose root element (or ``<!DOCTYPE``) is ``article`` (PMC full text);
- ``bioc-xml``: any other XML prolog, ``<!DOCTYPE collection`` or ``<collection>``;
- ``medline``: the first non-empty line is ``PMID- <digits>`` (PubMed's MEDLINE text export);
- ``bioc-json``: a JSON object with a top-level ``"documents"`` key near its start (or
  ``"PubTator3"``, the key of PubTator3's BioC JSON export);
- ``jsonl``: the first non-empty line is a JSON object with a ``"title"`` key or the paperkg
  ``"schema"`` value (the line may be longer than what is read: its start decides);
- ``markdown``: anything else, including binary data (the markdown reader then says what is
  wrong with it).
"""

from __future__ import annotations

import os
import re
import zlib

from .jsonl import SCHEMA_ID
from .sources import unreadable

__all__ = [
    "GZIP_MAGIC",
    "JATS_ROOT",
    "PUBMED_ROOTS",
    "SNIFF_BYTES",
    "detect_format",
    "detect_text",
    "read_head",
]

#: How much of a file is read to tell its format.
SNIFF_BYTES = 8192
#: The first bytes of every gzip file.
GZIP_MAGIC = b"\x1f\x8b"
#: Root elements of PubMed / MEDLINE XML (baseline and update files, efetch answers).
PUBMED_ROOTS = frozenset(
    {"PubmedArticleSet", "MedlineCitationSet", "PubmedArticle", "MedlineCitation"}
)
#: Root element of a JATS article (PMC full text).
JATS_ROOT = "article"

_PUBTATOR = re.compile(r"[0-9]+\|[ta]\|")
_BIOC_XML = re.compile(r"<\?xml[\s?]|<!DOCTYPE\s+collection[\s>\[]|<collection[\s>]")
_JSON_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|[{}\[\]:,\n]')
_MEDLINE = re.compile(r"PMID-\s*[0-9]")
#: What may come before an XML root element: prolog, processing instructions, comments, DOCTYPE.
_XML_SKIP = re.compile(
    r"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE\s+([\w.:-]+)[^\[>]*(?:\[.*?\])?\s*>)", re.DOTALL
)
_XML_START = re.compile(r"\s*<([A-Za-z_][\w.:-]*)")


def detect_format(path: str | os.PathLike[str]) -> str:
    """``"markdown"``, ``"pubtator"``, ``"bioc-xml"``, ``"bioc-json"``, ``"jsonl"``,
    ``"pubmed-xml"``, ``"medline"`` or ``"jats"``.

    Reads at most :data:`SNIFF_BYTES`; raises :class:`RecordError` if the file cannot be read.
    Gzip data is ``pubmed-xml``, the one format read compressed: its reader says what is wrong
    when the content is something else.
    """
    head, compressed = _head(path)
    return "pubmed-xml" if compressed else detect_text(_decode(head))


def read_head(path: str | os.PathLike[str]) -> str:
    """The first :data:`SNIFF_BYTES` of a file as text (``""`` for binary data); of a gzip
    file, the first bytes it decompresses to.
    """
    return _decode(_head(path)[0])


def _head(path: str | os.PathLike[str]) -> tuple[bytes, bool]:
    """The file's first bytes, decompressed if it is gzip, and whether it was."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except OSError as error:
        raise unreadable(os.fspath(path), error) from None
    if not head.startswith(GZIP_MAGIC):
        return head, False
    try:  # a truncated or corrupt stream gives what decompresses before the damage
        return zlib.decompressobj(wbits=31).decompress(head, SNIFF_BYTES), True
    except zlib.error:
        return b"", True


def _decode(head: bytes) -> str:
    for bom, codec in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            return head[len(bom) :].decode(codec, errors="replace")
    if b"\x00" in head:
        return ""  # binary (or BOM-less UTF-16): left to the markdown reader to report
    return head.removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="replace")


def detect_text(head: str) -> str:
    """The format of a file that starts with ``head`` (see :func:`detect_format`)."""
    text = head.removeprefix("\ufeff")
    start = len(text) - len(text.lstrip())
    if start == len(text) or "\x00" in text:
        return "markdown"
    line_end = text.find("\n", start)
    first_line = text[start : len(text) if line_end < 0 else line_end].strip()
    if _PUBTATOR.match(first_line):
        return "pubtator"
    if _MEDLINE.match(first_line):
        return "medline"
    if text[start] == "<":
        root = _xml_root(text, start)
        if root in PUBMED_ROOTS:
            return "pubmed-xml"
        if root == JATS_ROOT:
            return "jats"
        return "bioc-xml" if _BIOC_XML.search(text, start) else "markdown"
    if text[start] != "{":
        return "markdown"
    keys, one_line = _top_level_keys(text, start)
    if "documents" in keys or "PubTator3" in keys:
        return "bioc-json"
    if one_line and ("title" in keys or keys.get("schema") == SCHEMA_ID):
        return "jsonl"
    return "markdown"


def _xml_root(text: str, start: int) -> str | None:
    """The name of the root element (or, if it lies beyond ``text``, the DOCTYPE's name)."""
    doctype, pos = None, start
    while (skipped := _XML_SKIP.match(text, pos)) is not None and skipped.end() > pos:
        doctype = skipped.group(1) or doctype
        pos = skipped.end()
    root = _XML_START.match(text, pos)
    return root.group(1) if root is not None else doctype


def _top_level_keys(text: str, start: int) -> tuple[dict[str, str | None], bool]:
    """Keys of the JSON object at ``start`` (as far as ``text`` goes), with their string values,
    and whether the object stays on one line. A tolerant scan, not a parser: it only has to tell
    formats apart, and malformed JSON is the reader's to report.
    """
    keys: dict[str, str | None] = {}
    depth, previous, key, one_line = 0, "", "", True
    for match in _JSON_TOKEN.finditer(text, start):
        part = match.group()
        if part == "\n":
            one_line = False
            continue
        if part in ("{", "["):
            depth += 1
        elif part in ("}", "]"):
            depth -= 1
            if depth <= 0:
                break
        elif depth == 1 and part[0] == '"' and previous in ("{", ","):
            key = _unquote(part)
        elif depth == 1 and part[0] == '"' and previous == ":":
            keys[key] = _unquote(part)
        elif depth == 1 and part == ":":
            keys.setdefault(key, None)
        previous = '"' if part[0] == '"' else part
    return keys, one_line


def _unquote(quoted: str) -> str:
    return quoted[1:-1].replace('\\"', '"').replace("\\/", "/").replace("\\\\", "\\")
