"""Reader for paper-record markdown: one file in, one :class:`PaperRecord` out.

The layout is line-oriented: ``# Title``, ``**Authors:** …``, the meta line
``origin · DOI: … · journal · date``, ``## Section`` blocks, then ``---`` and ``Source: URL``.
Records come from many hands, so the reader accepts what it can (and says so in warnings) and
rejects the rest with a :class:`RecordError` naming line, field and fix. It uses string methods
and linear-time regexes only, so hostile input is read or rejected in bounded time, and it refuses
sizes no paper record has (:data:`MAX_RECORD_BYTES`, ``MAX_LINE_CHARS``, :data:`MAX_ENTITIES`).
A record that looks cut off is read with a warning saying what it lacks (:mod:`.completeness`).
"""

from __future__ import annotations

import datetime
import hashlib
import os
import re
import unicodedata
from typing import Any

from paperkg.errors import RecordError
from paperkg.identifiers import NOT_A_WEB_IRI, normalize_curie, normalize_doi, web_iri
from paperkg.model import EntityKind, EntityMention, PaperRecord

from .completeness import check_characters, check_line_length, incomplete_warning
from .sources import unreadable
from .text import (
    NO_ID,
    Item,
    Warnings,
    clip,
    count_word,
    decode_bytes,
    paragraphs,
    split_bullets,
    split_items,
)

__all__ = ["MAX_ENTITIES", "MAX_RECORD_BYTES", "parse_record", "read_markdown"]

_MIB = 1024 * 1024
#: Records larger than this are refused: a paper record is a few kilobytes.
MAX_RECORD_BYTES = 16 * _MIB
#: Records listing more entity mentions than this are refused (real ones list tens).
MAX_ENTITIES = 20_000
_MAX_ENTITY_CHARS = _MIB // 4
_MAX_LIST_LINES = 50_000
_MAX_SECTIONS = 1000
_MAX_HEADER_LINES = 50
_MAX_META_FIELDS = 64

_HEADING = re.compile(r"^##(?!#)[ \t]*([^\n]*)$", re.MULTILINE)
_RULE = re.compile(r"^(?:-{3,}|\*{3,}|_{3,})[ \t]*$", re.MULTILINE)
_TRAILER_LINE = re.compile(r"[A-Za-z][A-Za-z0-9 _-]{0,40}:")
_AUTHORS = re.compile(r"(?i)\**[ \t]*authors?[ \t]*\**[ \t]*:[ \t]*\**[ \t]*")
_ID_FIELD = re.compile(r"(?i)(doi|pmid|pmcid)[ \t]*:[ \t]*")
_PMC = re.compile(r"(?i)pmc([0-9]{1,12})")
_PMC_IN_URL = re.compile(r"(?<![A-Za-z])PMC([0-9]{1,12})", re.IGNORECASE)
_DIGITS = re.compile(r"[0-9]{1,12}")
_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{1,2}))?(?:-([0-9]{1,2}))?")
_CITATION = re.compile(
    r"([0-9]+[A-Za-z]?)(?:\(([^()]{1,30})\))?"
    r"(?::([A-Za-z]?[0-9][A-Za-z0-9]*(?:[-–][A-Za-z]?[0-9][A-Za-z0-9]*)?))?"
)
_NONBLANK = re.compile(r"\S")

_ORIGINS = frozenset({"pmc", "pubmed", "journal article", "journal page", "preprint", "medline"})
_AUTHOR_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "2nd", "3rd"})
#: section heading (lower case, ``-`` read as a space) -> what the section holds
_SECTIONS = {name: name.replace(" ", "_") for name in ("tldr", "contribution", "key findings")}
_SECTIONS |= {name: name.replace(" ", "_") for name in ("abstract", "full text", "figures")}
_SECTIONS |= {"tl;dr": "tldr", "contributions": "contribution", "references": "references"}
_SECTIONS |= {
    "linked entities": "linked",
    "full text entities": "fulltext",
    "fulltext": "full_text",
}
_KINDS = {
    **dict.fromkeys(("chemicals", "chemical", "drugs"), EntityKind.CHEMICAL),
    **dict.fromkeys(("diseases", "disease", "conditions"), EntityKind.DISEASE),
    **dict.fromkeys(("genes", "gene"), EntityKind.GENE),
    "species": EntityKind.SPECIES,
}
_ONE_RECORD_FIX = "check that this is one paper record"
_TITLE_FIX = "add the paper title as the first line, starting with '# '"
_DOI_FIX = "write it as 'DOI: 10.<registrant>/<suffix>', e.g. 'DOI: 10.1000/xyz123'"
_DATE_FIX = "write the date as YYYY, YYYY-MM or YYYY-MM-DD with a real month and day"
_KNOWN_IDS = "MESH:D009271, MONDO:0005546, CHEBI:7465, 'PubChem CID 5360515' or 'taxon 9606'"


def read_markdown(path: str | os.PathLike[str]) -> PaperRecord:
    """Read one markdown record file; the checksum is of the raw bytes, so any change is seen."""
    name = os.fspath(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_RECORD_BYTES + 1)
    except OSError as error:
        raise unreadable(name, error) from None
    if len(data) > MAX_RECORD_BYTES:
        raise _too_big(name)
    digest = hashlib.sha256(data).hexdigest()
    text, decoded_as, bad_line = decode_bytes(data)
    warnings = Warnings()
    if decoded_as is not None:
        message = f"file is not UTF-8; read it as {decoded_as}. Save it as UTF-8 to be sure"
        warnings.add(bad_line, message)
    return _parse(text, name, digest, warnings)


def parse_record(text: str, *, source: str, sha256: str) -> PaperRecord:
    """Parse record text (pure: no file access). ``source`` names the record in messages."""
    return _parse(text, source, sha256, Warnings())


class _Parser:
    """One parse: the text, the warnings so far, and a cheap position -> line lookup."""

    def __init__(self, text: str, source: str, warnings: Warnings) -> None:
        self.text, self.source, self.warnings = text, source, warnings
        self.fields: dict[str, Any] = {}
        self._pos, self._line = 0, 1
        self.trailer = False  # the ``---`` / ``Source:`` trailer the layout ends with was read
        self.mentions = 0

    def line_at(self, pos: int) -> int:
        """Line number of ``pos``; linear overall when positions mostly increase."""
        if pos < self._pos:
            self._pos, self._line = 0, 1
        self._line += self.text.count("\n", self._pos, pos)
        self._pos = pos
        return self._line

    def error(self, line: int, field: str, problem: str, fix: str) -> RecordError:
        return RecordError(self.source, line, field, problem, fix)


def _too_big(source: str) -> RecordError:
    problem = f"record is larger than the {MAX_RECORD_BYTES // _MIB} MiB limit"
    return RecordError(source, 0, "file", problem, _ONE_RECORD_FIX)


def _parse(text: str, source: str, sha256: str, warnings: Warnings) -> PaperRecord:
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if len(text) > MAX_RECORD_BYTES:
        raise _too_big(source)
    if not text.strip():
        fix = "write the record: a '# Title' line, then its sections"
        raise RecordError(source, 1, "file", "empty file", fix)
    text = unicodedata.normalize("NFC", check_characters(text, source, warnings))
    for space in ("\u00a0", "\u202f", "\u2007"):
        text = text.replace(space, " ")
    text = text.replace("\ufeff", "")
    parser = _Parser(text, source, warnings)
    check_line_length(text, source, _ONE_RECORD_FIX)
    fields = parser.fields
    title_end = _read_title(parser)
    body_end = _read_trailer(parser, title_end)
    headings = _headings(parser, title_end, body_end)
    _read_header(parser, title_end, headings[0][0] if headings else body_end)
    _read_sections(parser, headings, body_end)
    last = headings[-1] if headings else None
    cut = incomplete_warning(
        text,
        trailer=parser.trailer,
        last_section=None if last is None else (last[3], text[last[1] : body_end]),
        entities="linked_entities" in fields or "fulltext_entities" in fields,
    )
    if cut is not None:
        warnings.add(cut.line, cut.message)
    match = _PMC_IN_URL.search(fields.get("source_url") or "")
    if fields.get("pmcid") is None and match is not None:
        fields["pmcid"] = "PMC" + match.group(1)
    ordered = tuple(sorted(warnings.items, key=lambda warning: warning.line))
    return PaperRecord(source=source, sha256=sha256, warnings=ordered, **fields)


def _read_title(parser: _Parser) -> int:
    """The first non-blank line must be the ``# Title`` heading (nothing is invented)."""
    text = parser.text
    first = re.search(r"\S", text)
    start = 0 if first is None else text.rfind("\n", 0, first.start()) + 1
    end = text.find("\n", start)
    end = len(text) if end < 0 else end
    line_no = parser.line_at(start)
    line = text[start:end].strip()
    if not line.startswith("#") or line.startswith("##"):
        raise parser.error(line_no, "title", "missing '# Title' heading", _TITLE_FIX)
    parser.fields["title"] = _clean_heading(line[1:])
    if not parser.fields["title"]:
        raise parser.error(line_no, "title", "empty title", "write the paper title after '# '")
    return end


def _clean_heading(raw: str) -> str:
    """Heading text without the optional closing ``#`` run (kept when it ends a word: ``C#``)."""
    text = raw.strip()
    bare = text.rstrip("#")
    if bare != text and (not bare or bare[-1] in " \t"):
        text = bare.rstrip()
    return text


def _read_trailer(parser: _Parser, start: int) -> int:
    """Read the ``---`` / ``Source:`` trailer; return where the body ends."""
    text = parser.text
    rules = list(_RULE.finditer(text, max(start, len(text) - 65536)))
    rule = rules[-1] if rules else None
    if rule is not None and _is_trailer(text[rule.end() :]):
        body_end, lines_from = rule.start(), rule.end()
    else:
        last = text.rstrip()
        line_start = last.rfind("\n", start) + 1
        if line_start == 0 or not last[line_start:].lstrip().casefold().startswith("source:"):
            return len(text)
        body_end = lines_from = line_start
    first_line = parser.line_at(lines_from)
    for offset, line in enumerate(text[lines_from:].split("\n")):
        key, _, value = line.strip().partition(":")
        if key.strip().casefold() == "source" and "source_url" not in parser.fields:
            parser.fields["source_url"] = next(iter(value.split()), None)
            parser.trailer = parser.fields["source_url"] is not None
            if parser.trailer and web_iri(parser.fields["source_url"]) is None:
                parser.warnings.add(first_line + offset, f"Source: {NOT_A_WEB_IRI}")
        elif key:
            parser.warnings.add(first_line + offset, "line after '---' not understood; ignored")
    return body_end


def _is_trailer(after: str) -> bool:
    lines = [line.strip() for line in after.split("\n") if line.strip()]
    return all(_TRAILER_LINE.match(line) for line in lines)


def _headings(parser: _Parser, start: int, end: int) -> list[tuple[int, int, int, str]]:
    """``(line start, body start, line number, name)`` of every ``## `` heading."""
    found: list[tuple[int, int, int, str]] = []
    for match in _HEADING.finditer(parser.text, start, end):
        line = parser.line_at(match.start())
        if len(found) >= _MAX_SECTIONS:
            problem = f"more than {_MAX_SECTIONS} '## ' sections"
            raise parser.error(line, "section", problem, _ONE_RECORD_FIX)
        found.append((match.start(), match.end() + 1, line, _clean_heading(match.group(1))))
    return found


def _read_header(parser: _Parser, start: int, end: int) -> None:
    """Authors and meta line: the few lines between the title and the first section."""
    text, pos, seen, has_meta = parser.text, start, 0, False
    while (found := _NONBLANK.search(text, pos, end)) is not None:
        line_start = text.rfind("\n", start, found.start()) + 1
        line_end = text.find("\n", found.start(), end)
        pos = end if line_end < 0 else line_end
        line, line_no = text[found.start() : pos].strip(), parser.line_at(line_start)
        authors = _AUTHORS.match(line)
        seen += 1
        if seen > _MAX_HEADER_LINES:
            message = f"more than {_MAX_HEADER_LINES} lines before the first section; rest ignored"
            parser.warnings.add(line_no, message)
            break
        if authors is not None:
            if "authors" in parser.fields:
                parser.warnings.add(line_no, "second authors line ignored")
            else:
                parser.fields["authors"] = _split_authors(line[authors.end() :])
        elif not has_meta and _looks_like_meta(meta := _split_meta(line)):
            has_meta = True
            _read_meta(parser, meta, line_no)
        else:
            expected = "'**Authors:** A, B' or 'origin · DOI: … · journal · date'"
            parser.warnings.add(line_no, f"header line not understood; ignored. Use {expected}")


def _split_authors(value: str) -> tuple[str, ...]:
    """Split on commas (or semicolons); a suffix like ``Jr.`` stays with its name."""
    authors: list[str] = []
    for part in value.replace(";", ",").split(","):
        name = part.strip()
        if authors and name.casefold().rstrip(".") in _AUTHOR_SUFFIXES:
            authors[-1] = f"{authors[-1]}, {name}"
        elif name:
            if authors and name.startswith(("and ", "& ")):
                name = name.partition(" ")[2].strip()
            authors.append(name)
    return tuple(authors)


def _split_meta(line: str) -> list[str]:
    """Split on middle dots with white space on both sides (``4·5`` is a number, not a split)."""
    if sum(line.count(dot) for dot in "·\u22c5\u2022") > _MAX_META_FIELDS:
        return [line]
    pieces = line.replace("\u22c5", "·").replace("\u2022", "·").split("·")
    fields: list[str] = []
    current = [pieces[0]]
    for piece in pieces[1:]:
        if current[-1][-1:] in (" ", "\t") and piece[:1] in (" ", "\t"):
            fields.append("·".join(current).strip())
            current = [piece]
        else:
            current.append(piece)
    fields.append("·".join(current).strip())
    return fields


def _looks_like_meta(fields: list[str]) -> bool:
    one = fields[0]
    return len(fields) > 1 or one.casefold() in _ORIGINS or _meta_kind(one) != ""


def _meta_kind(part: str) -> str:
    """``doi``, ``pmid``, ``pmcid``, ``date`` or ``""`` (origin or journal)."""
    id_field = _ID_FIELD.match(part)
    if id_field is not None:
        return id_field.group(1).casefold()
    return "pmcid" if _PMC.fullmatch(part) else "date" if _DATE.fullmatch(part) else ""


def _read_meta(parser: _Parser, parts: list[str], line: int) -> None:
    """``origin · DOI: … · journal · date``: any of the fields may be missing."""
    fields = parser.fields
    for index, part in enumerate(parts):
        kind = _meta_kind(part)
        if kind in ("doi", "pmid", "pmcid", "date") and kind in fields:
            parser.warnings.add(line, f"second {kind} on the meta line ignored")
        elif kind == "date":
            fields["date"] = _meta_date(parser, part, line)
        elif kind:
            id_field = _ID_FIELD.match(part)
            value = part[id_field.end() :].strip() if id_field else part
            fields[kind] = _meta_identifier(parser, kind, value, line)
        elif index == 0 and part:
            fields["origin"] = part
        elif "journal" not in fields and part:
            _read_journal(part, fields)
        elif part:
            parser.warnings.add(line, f"meta field {clip(part)!r} not understood; ignored")


def _meta_identifier(parser: _Parser, kind: str, value: str, line: int) -> str:
    if kind == "doi":
        doi = normalize_doi(value)
        if doi is None:
            raise parser.error(line, "DOI", f"malformed DOI {clip(value)!r}", _DOI_FIX)
        return doi
    if kind == "pmid":
        if not _DIGITS.fullmatch(value):
            raise parser.error(line, "PMID", f"malformed PMID {clip(value)!r}", "use digits only")
        return value
    match = _PMC.fullmatch(value) or _DIGITS.fullmatch(value)
    if match is None:
        fix = "write it as 'PMCID: PMC1234567'"
        raise parser.error(line, "PMCID", f"malformed PMCID {clip(value)!r}", fix)
    return "PMC" + (match.group(1) if match.lastindex else match.group(0))


def _meta_date(parser: _Parser, raw: str, line: int) -> str:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``, checked against the calendar."""
    match = _DATE.fullmatch(raw)
    year, month, day = match.groups() if match else (raw, None, None)
    try:
        datetime.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        raise parser.error(line, "date", f"no such date {raw!r}", _DATE_FIX) from None
    return "-".join([year] + [f"{int(value):02d}" for value in (month, day) if value])


def _read_journal(value: str, fields: dict[str, Any]) -> None:
    """``Arthritis Rheum 52(4):1264-73`` → journal, volume, issue, pages."""
    fields["journal"] = value
    head, _, last = value.rpartition(" ")
    match = _CITATION.fullmatch(last) if head.strip() and len(last) <= 64 else None
    if match is not None and (match.group(2) or match.group(3)):
        fields["journal"] = head.strip()
        fields["volume"], fields["issue"], fields["pages"] = match.groups()


def _section_key(name: str) -> str:
    words = name.casefold().replace("-", " ").replace("_", " ").split()
    return " ".join(words).rstrip(":").strip()


def _read_sections(parser: _Parser, headings: list[tuple[int, int, int, str]], end: int) -> None:
    """Each section once: a repeated section is reported and skipped, never read twice."""
    fields = parser.fields
    first_seen: dict[str, int] = {}
    extra: list[tuple[str, str]] = []
    for index, (_, body_start, line, name) in enumerate(headings):
        stop = headings[index + 1][0] if index + 1 < len(headings) else end
        body = parser.text[min(body_start, stop) : stop]
        key = _SECTIONS.get(_section_key(name), "extra:" + _section_key(name))
        if key in first_seen:
            message = f"section '{clip(name)}' repeated (first at line {first_seen[key]})"
            parser.warnings.add(line, message + "; kept the first. Remove the repeated one")
            continue
        first_seen[key] = line
        if key in ("tldr", "contribution", "abstract"):
            fields[key] = paragraphs(body)
        elif key == "key_findings":
            _check_list_size(parser, body, line, name)
            fields[key] = tuple(item for _, item in split_bullets(body, line + 1))
        elif key in ("linked", "fulltext"):
            mentions = _read_entities(parser, body, line, name, key)
            fields["linked_entities" if key == "linked" else "fulltext_entities"] = mentions
        elif key == "full_text":
            fields[key] = body.strip() or None
        elif key in ("figures", "references"):
            fields[f"{key}_count"] = count_word(body)
        else:
            if not name:
                parser.warnings.add(line, "section heading without a name; kept as extra text")
            extra.append((name, body.strip()))
    fields["extra_sections"] = tuple(extra)


def _read_entities(
    parser: _Parser, body: str, line: int, name: str, section: str
) -> tuple[EntityMention, ...]:
    """``- **Chemicals:** name (ID), name (ID)`` lines, item by item."""
    _check_list_size(parser, body, line, name)
    mentions: list[EntityMention] = []
    for line_no, bullet in split_bullets(body, line + 1):
        label, items = _split_kind(bullet)
        if label is None:
            expected = "'- **Kind:** name (ID), …'"
            parser.warnings.add(line_no, f"line in '{name}' is not {expected}; ignored")
            continue
        kind = _KINDS.get(_section_key(label))
        if kind is None:
            kind = EntityKind.OTHER
            parser.warnings.add(line_no, f"entity kind {clip(label)!r} not known; kept as other")
        found, balanced = split_items(items)
        if not balanced:
            parser.warnings.add(line_no, "unbalanced brackets in the entity list; check it")
        for item in found:
            mentions.extend(_mentions(parser, item, kind, section, line_no))
        if parser.mentions + len(mentions) > MAX_ENTITIES:
            problem = f"more than {MAX_ENTITIES:,} entity mentions in the record"
            raise parser.error(line_no, name, problem, "list each entity once; " + _ONE_RECORD_FIX)
    parser.mentions += len(mentions)
    return tuple(mentions)


def _check_list_size(parser: _Parser, body: str, line: int, name: str) -> None:
    """Lists are read item by item in Python: refuse sizes no paper record has."""
    if len(body) > _MAX_ENTITY_CHARS or body.count("\n") > _MAX_LIST_LINES:
        problem = f"section longer than {_MAX_ENTITY_CHARS // 1024} KiB or {_MAX_LIST_LINES} lines"
        raise parser.error(line, name, problem, _ONE_RECORD_FIX)


def _split_kind(bullet: str) -> tuple[str | None, str]:
    """``**Chemicals:** rest`` (or ``Chemicals: rest``) → ``("Chemicals", "rest")``."""
    if bullet.startswith("**"):
        close = bullet.find("**", 2)
        if close < 0:
            return None, ""
        return bullet[2:close].strip().rstrip(":"), bullet[close + 2 :].lstrip().removeprefix(":")
    label, colon, rest = bullet.partition(":")
    return (label.strip(), rest) if colon and len(label) <= 40 else (None, "")


def _mentions(
    parser: _Parser, item: Item, kind: EntityKind, section: str, line: int
) -> list[EntityMention]:
    """One mention per identifier: a composite ``MESH:D006526|D015658`` names two concepts."""
    text, note, raw = item
    if not text:
        if raw:
            parser.warnings.add(line, f"identifier {clip(raw)!r} without a name; ignored")
        return []
    parts = [part.strip() for part in raw.split("|")] if "|" in raw else [raw]
    prefix = parts[0].partition(":")[0] if ":" in parts[0] else ""
    identifiers: list[str | None] = []
    for part in parts:
        whole = part if ":" in part or not prefix else f"{prefix}:{part}"
        identifier = None
        if raw.casefold() not in NO_ID:
            identifier = normalize_curie(whole) if len(whole) <= 200 else None
            if identifier is None:
                parser.warnings.add(
                    line,
                    f"identifier {clip(part)!r} of {clip(text)!r} is not one paperkg knows; the "
                    f"mention is kept without it. Write a known identifier such as {_KNOWN_IDS}",
                )
        identifiers.append(identifier)
    return [
        EntityMention(
            text=text,
            kind=kind,
            identifier=identifier,
            raw_identifier=raw,
            section=section,
            line=line,
            note=note,
        )
        for identifier in dict.fromkeys(identifiers)
    ]
