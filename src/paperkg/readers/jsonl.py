"""PaperRecord as JSON Lines: one JSON object per line, the record's fields by name.

Tuples are arrays, enums their string values, nested values objects, and every line carries
``"schema": "https://w3id.org/paperkg/paper-record/1"``. The model in :mod:`.jsonl_model` checks a
line (:mod:`.jsonl_convert` makes the record of it) and generates
``shapes/paper-record.schema.json``; ``docs/paper-record-jsonl.md`` describes it.
Reading streams line by line with bounded memory; a bad line becomes a :class:`RecordError` and
the next line is read.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from typing import Any

from paperkg.errors import RecordError
from paperkg.files import atomic_write
from paperkg.model import PaperRecord

from .jsonl_convert import record_from_json
from .jsonl_model import _SHA256, SCHEMA_ID, _short
from .jsonl_schema import record_schema, record_schema_json
from .sources import unreadable

__all__ = [
    "MAX_LINE_BYTES",
    "SCHEMA_ID",
    "iter_jsonl",
    "record_from_json",
    "record_schema",
    "record_schema_json",
    "record_to_json",
    "write_jsonl",
]

#: Lines longer than this (without the line end) are refused without being read whole.
MAX_LINE_BYTES = 16 * 1024 * 1024

FIELDS = tuple(field.name for field in dataclasses.fields(PaperRecord))
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


def iter_jsonl(path: str | os.PathLike[str]) -> Iterator[PaperRecord | RecordError]:
    """Every record of a JSON Lines file, in order; a bad line gives a :class:`RecordError`.

    Reads one line at a time (blank lines are skipped); a line over :data:`MAX_LINE_BYTES` is
    skipped in chunks, never held whole. An unreadable file gives one error.
    """
    name = os.fspath(path)
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below, also when the caller stops early
    except OSError as error:
        yield unreadable(name, error)
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
