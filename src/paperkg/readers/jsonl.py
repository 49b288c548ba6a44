"""PaperRecord as JSON Lines: one JSON object per line, the record's fields by name.

Tuples are arrays, enums their string values, nested values objects, and every line carries
``"schema": "https://w3id.org/paperkg/paper-record/1"``. ``shapes/paper-record.schema.json`` is
the JSON Schema of a line and ``docs/paper-record-jsonl.md`` describes it. Reading streams line
by line with bounded memory; a bad line becomes a :class:`RecordError` and the next line is read.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import hashlib
import json
import os
import re
from collections.abc import Iterable, Iterator
from typing import Any

from paperkg.errors import RecordError
from paperkg.files import atomic_write
from paperkg.identifiers import normalize_curie, normalize_doi
from paperkg.model import (
    Annotation,
    EntityKind,
    EntityMention,
    PaperRecord,
    ReaderWarning,
    Relation,
)

__all__ = [
    "MAX_LINE_BYTES",
    "SCHEMA_ID",
    "iter_jsonl",
    "record_from_json",
    "record_to_json",
    "write_jsonl",
]

#: The ``schema`` value of every line: the version of this layout.
SCHEMA_ID = "https://w3id.org/paperkg/paper-record/1"
#: Lines longer than this (without the line end) are refused without being read whole.
MAX_LINE_BYTES = 16 * 1024 * 1024

FIELDS = tuple(field.name for field in dataclasses.fields(PaperRecord))
_KEYS = frozenset(FIELDS) | {"schema"}
_SHA256 = re.compile(r"[0-9a-fA-F]{64}")
_PATTERNS = {
    "pmid": (re.compile(r"[0-9]{1,12}"), 'use digits only, e.g. "16200650"'),
    "pmcid": (re.compile(r"PMC[0-9]{1,12}"), 'write it as "PMC1234567"'),
    "date": (
        re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?"),
        'write the date as "YYYY", "YYYY-MM" or "YYYY-MM-DD" with a real month and day',
    ),
}
#: ``origin``, ``doi`` … ``source_url``: the optional text fields, in model order.
_OPTIONAL_TEXT = tuple(f.name for f in dataclasses.fields(PaperRecord) if f.type == "str | None")
_KINDS = ", ".join(kind.value for kind in EntityKind)
_CURIE_FIX = "write a CURIE paperkg knows, e.g. MESH:D009271, MONDO:0005546, CHEBI:7465"
_TYPE_NAMES = {dict: "an object", list: "an array", str: "a string", bool: "true/false"}
_TYPE_NAMES |= {int: "an integer", float: "a number", type(None): "null"}
_BOM = b"\xef\xbb\xbf"
_READ_CHUNK = 1024 * 1024


def record_to_json(record: PaperRecord) -> dict[str, Any]:
    """The JSON object of one record: ``schema`` first, then every field in model order.

    A ``sha256`` that is not 64 hex digits is left out (a reader then uses the line's own).
    """
    obj: dict[str, Any] = {"schema": SCHEMA_ID}
    for name in FIELDS:
        obj[name] = _plain(getattr(record, name))
    if not _SHA256.fullmatch(record.sha256):
        del obj["sha256"]
    return obj


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return value


def record_from_json(
    obj: Any, *, source: str, line: int, line_sha256: str | None = None
) -> PaperRecord:
    """The record of one JSON object; ``source`` (the file) and ``line`` name it in errors.

    The record keeps the object's ``source`` and ``sha256`` (if 64 hex digits) or gets
    ``"<file>:<line>"`` and ``line_sha256`` (default: the digest of the object's canonical JSON).
    Raises :class:`RecordError` naming the field and the fix for anything not in the schema.
    """
    return _Reader(source, line).record(obj, line_sha256)


class _Reader:
    """One object being checked: where it came from, and the warnings so far."""

    def __init__(self, source: str, line: int) -> None:
        self.source, self.line = source, line
        self.warnings: list[ReaderWarning] = []

    def fail(self, field: str, problem: str, fix: str) -> RecordError:
        return RecordError(self.source, self.line, field, problem, fix)

    def record(self, obj: Any, line_sha256: str | None) -> PaperRecord:
        obj = self.typed(obj, dict, "line", "write one JSON object per line")
        unknown = sorted(set(obj) - _KEYS)
        if unknown:
            fix = "remove it (fields: " + ", ".join(sorted(_KEYS)) + ")"
            raise self.fail(_short(unknown[0]), "unknown field", fix)
        schema = obj.get("schema", SCHEMA_ID)
        if schema != SCHEMA_ID:
            problem = f"schema {_short(repr(schema))} is not one this paperkg reads"
            raise self.fail("schema", problem, f'use "{SCHEMA_ID}" or leave it out')
        if "title" not in obj:
            raise self.fail("title", "missing", 'add "title": the paper title')
        fields: dict[str, Any] = {"title": self.text(obj["title"], "title")}
        if not fields["title"].strip():
            raise self.fail("title", "empty title", "give the paper title")
        fields["source"] = self.text(obj.get("source", f"{self.source}:{self.line}"), "source")
        fields["sha256"] = self.sha256(obj, line_sha256)
        fields["source_format"] = self.text(obj.get("source_format", "jsonl"), "source_format")
        for name in _OPTIONAL_TEXT:
            value = obj.get(name)
            fields[name] = None if value is None else self.checked(name, self.text(value, name))
        for name in ("authors", "key_findings"):
            fields[name] = tuple(self.text(v, f"{name}[{i}]") for i, v in self.items(obj, name))
        for name in ("figures_count", "references_count"):
            value = obj.get(name)
            fields[name] = None if value is None else self.count(value, name)
        for name, section in (("linked_entities", "linked"), ("fulltext_entities", "fulltext")):
            fields[name] = tuple(
                self.mention(value, f"{name}[{i}]", section) for i, value in self.items(obj, name)
            )
        fields["extra_sections"] = tuple(
            self.pair(value, f"extra_sections[{i}]")
            for i, value in self.items(obj, "extra_sections")
        )
        fields["annotations"] = tuple(
            self.annotation(value, f"annotations[{i}]")
            for i, value in self.items(obj, "annotations")
        )
        fields["relations"] = tuple(
            self.relation(value, f"relations[{i}]") for i, value in self.items(obj, "relations")
        )
        read = tuple(self.warning(v, f"warnings[{i}]") for i, v in self.items(obj, "warnings"))
        return PaperRecord(warnings=read + tuple(self.warnings), **fields)

    def sha256(self, obj: dict[str, Any], line_sha256: str | None) -> str:
        value = obj.get("sha256")
        if isinstance(value, str) and _SHA256.fullmatch(value):
            return value
        if line_sha256 is None:
            canonical = json.dumps(obj, sort_keys=True, ensure_ascii=False, allow_nan=False)
            line_sha256 = hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()
        if value is not None:
            message = "sha256 is not 64 hex digits; the line's own checksum is used instead"
            self.warnings.append(ReaderWarning(self.line, message))
        return line_sha256

    def typed(self, value: Any, kind: type, field: str, fix: str) -> Any:
        if type(value) is not kind:
            expected, got = _TYPE_NAMES[kind], _TYPE_NAMES.get(type(value), "something else")
            raise self.fail(field, f"expected {expected}, got {got}", fix)
        return value

    def text(self, value: Any, field: str) -> str:
        return str(self.typed(value, str, field, "write it as a JSON string"))

    def optional_text(self, value: Any, field: str) -> str | None:
        return None if value is None else self.text(value, field)

    def count(self, value: Any, field: str, minimum: int = 0) -> int:
        number = int(self.typed(value, int, field, "write it as a whole number"))
        if number < minimum:
            raise self.fail(field, f"{number} is below {minimum}", f"use a number >= {minimum}")
        return number

    def items(self, obj: dict[str, Any], name: str) -> Iterator[tuple[int, Any]]:
        value = obj.get(name)
        return enumerate(() if value is None else self.typed(value, list, name, "use an array"))

    def checked(self, name: str, value: str) -> str:
        """Identifiers and dates in the form the markdown reader gives them."""
        if name == "doi":
            doi = normalize_doi(value)
            if doi is None:
                raise self.fail(name, f"malformed DOI {_short(value)!r}", 'write "10.1000/xyz"')
            return doi
        if name not in _PATTERNS:
            return value
        pattern, fix = _PATTERNS[name]
        match = pattern.fullmatch(value)
        if match is None:
            raise self.fail(name, f"malformed {name} {_short(value)!r}", fix)
        if name == "date":
            year, month, day = match.groups()
            try:
                datetime.date(int(year), int(month or 1), int(day or 1))
            except ValueError:
                raise self.fail(name, f"no such date {value!r}", fix) from None
        return value

    def object(
        self, value: Any, field: str, cls: type, required: tuple[str, ...]
    ) -> dict[str, Any]:
        names = tuple(f.name for f in dataclasses.fields(cls))
        obj: dict[str, Any] = self.typed(
            value, dict, field, f"use an object with {', '.join(names)}"
        )
        for key in obj:
            if key not in names:
                raise self.fail(f"{field}.{_short(key)}", "unknown field", "remove it")
        for key in required:
            if key not in obj:
                raise self.fail(f"{field}.{key}", "missing", f"add {key!r}")
        return obj

    def kind(self, value: Any, field: str) -> EntityKind:
        text = self.text(value, field)
        try:
            return EntityKind(text)
        except ValueError:
            raise self.fail(
                field, f"unknown kind {_short(text)!r}", f"use one of {_KINDS}"
            ) from None

    def curie(self, value: Any, field: str) -> str:
        text = self.text(value, field)
        if normalize_curie(text) != text:
            raise self.fail(field, f"{_short(text)!r} is not a canonical CURIE", _CURIE_FIX)
        return text

    def mention(self, value: Any, field: str, section: str) -> EntityMention:
        obj = self.object(value, field, EntityMention, ("text", "kind"))
        raw = obj.get("identifier")
        identifier = None if raw is None else self.curie(raw, f"{field}.identifier")
        return EntityMention(
            text=self.text(obj["text"], f"{field}.text"),
            kind=self.kind(obj["kind"], f"{field}.kind"),
            identifier=identifier,
            raw_identifier=self.text(
                obj.get("raw_identifier", identifier or ""), f"{field}.raw_identifier"
            ),
            section=self.text(obj.get("section", section), f"{field}.section"),
            line=self.count(obj.get("line", 0), f"{field}.line"),
            note=self.optional_text(obj.get("note"), f"{field}.note"),
        )

    def annotation(self, value: Any, field: str) -> Annotation:
        obj = self.object(value, field, Annotation, ("start", "end", "text", "kind"))
        start = self.count(obj["start"], f"{field}.start")
        ids = self.typed(obj.get("identifiers", []), list, f"{field}.identifiers", "use an array")
        return Annotation(
            start=start,
            end=self.count(obj["end"], f"{field}.end", minimum=start),
            text=self.text(obj["text"], f"{field}.text"),
            kind=self.kind(obj["kind"], f"{field}.kind"),
            identifiers=tuple(
                self.curie(v, f"{field}.identifiers[{i}]") for i, v in enumerate(ids)
            ),
            raw_identifier=self.text(obj.get("raw_identifier", ""), f"{field}.raw_identifier"),
        )

    def relation(self, value: Any, field: str) -> Relation:
        obj = self.object(value, field, Relation, ("kind", "subject", "object"))
        parts = [self.text(obj[key], f"{field}.{key}") for key in ("kind", "subject", "object")]
        for key, part in zip(("kind", "subject", "object"), parts, strict=True):
            if not part.strip():
                raise self.fail(f"{field}.{key}", "empty", "give a relation type and two CURIEs")
        return Relation(*parts)

    def warning(self, value: Any, field: str) -> ReaderWarning:
        obj = self.object(value, field, ReaderWarning, ("line", "message"))
        line = self.count(obj["line"], f"{field}.line")
        return ReaderWarning(line, self.text(obj["message"], f"{field}.message"))

    def pair(self, value: Any, field: str) -> tuple[str, str]:
        items = self.typed(value, list, field, 'use ["heading", "text"]')
        if len(items) != 2:
            raise self.fail(field, f"{len(items)} items, not 2", 'use ["heading", "text"]')
        return self.text(items[0], f"{field}[0]"), self.text(items[1], f"{field}[1]")


def iter_jsonl(path: str | os.PathLike[str]) -> Iterator[PaperRecord | RecordError]:
    """Every record of a JSON Lines file, in order; a bad line gives a :class:`RecordError`.

    Reads one line at a time (blank lines are skipped); a line over :data:`MAX_LINE_BYTES` is
    skipped in chunks, never held whole. An unreadable file gives one error.
    """
    name = os.fspath(path)
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below, also when the caller stops early
    except OSError as error:
        problem = f"cannot read the file ({error.strerror or error})"
        yield RecordError(name, 0, "file", problem, "check the path and permissions")
        return
    with handle:
        number = 0
        while raw := handle.readline(MAX_LINE_BYTES + 2):
            number += 1
            content = raw.removesuffix(b"\n").removesuffix(b"\r")
            if len(content) > MAX_LINE_BYTES:
                while raw and not raw.endswith(b"\n"):
                    raw = handle.readline(_READ_CHUNK)
                problem = f"line longer than {MAX_LINE_BYTES // (1024 * 1024)} MiB"
                yield RecordError(name, number, "line", problem, "write one record per line")
                continue
            if number == 1:
                content = content.removeprefix(_BOM)
            if content.strip():
                yield _read_line(content, name, number)


def _read_line(content: bytes, name: str, number: int) -> PaperRecord | RecordError:
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as error:
        problem = f"not UTF-8 (bad byte at column {error.start + 1})"
        return RecordError(name, number, "line", problem, "save the file as UTF-8")
    try:
        obj = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        problem = f"not valid JSON ({error.msg} at column {error.colno})"
        return RecordError(name, number, "line", problem, "write one JSON object per line")
    except _DuplicateKeyError as error:
        return RecordError(name, number, _short(error.key), "field given twice", "keep one")
    except (ValueError, RecursionError) as error:
        problem = f"not valid JSON ({_short(str(error))})"
        return RecordError(name, number, "line", problem, "write one JSON object per line")
    digest = hashlib.sha256(content).hexdigest()
    try:
        return record_from_json(obj, source=name, line=number, line_sha256=digest)
    except RecordError as error:
        return error


class _DuplicateKeyError(ValueError):
    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(key)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            raise _DuplicateKeyError(key)
        obj[key] = value
    return obj


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def write_jsonl(records: Iterable[PaperRecord], path: str | os.PathLike[str]) -> int:
    """Write ``records`` as JSON Lines to ``path`` atomically; return how many were written.

    The lines go to a temporary file in the same folder, which is synced and then renamed over
    ``path``: readers see the old file or the new one, never half of it.
    """
    count = 0
    with atomic_write(path) as handle:
        for record in records:
            obj = record_to_json(record)
            line = json.dumps(obj, ensure_ascii=False, allow_nan=False)
            try:
                data = line.encode("utf-8")
            except UnicodeEncodeError:  # lone surrogates: escaped, still valid JSON
                data = json.dumps(obj, allow_nan=False).encode("ascii")
            handle.write(data + b"\n")
            count += 1
    return count


def _short(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
