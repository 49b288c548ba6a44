"""One decoded JSON object to a :class:`~paperkg.model.PaperRecord`: :mod:`.jsonl_model` checks
it, and the first of pydantic's errors becomes :class:`RecordError`'s
``file:line: field: problem; fix``, so a bad line says what to change in the project's words.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from paperkg.errors import RecordError
from paperkg.model import EntityKind, PaperRecord, ReaderWarning

from .jsonl_model import _NESTED, _SHA256, SCHEMA_ID, RecordModel, _short

__all__ = ["record_from_json"]

_PAIR_FIX = 'use ["heading", "text"]'
_KINDS = ", ".join(kind.value for kind in EntityKind)
_NAMES = [field.alias or name for name, field in RecordModel.model_fields.items()]
_FIELD_NAMES = ", ".join(sorted(_NAMES))
#: Where a top-level field's problems come among a line's (see :func:`_rank`).
_ORDER = {name: rank for rank, name in enumerate(dict.fromkeys(["schema", "title", *_NAMES]))}


def record_from_json(
    obj: Any, *, source: str, line: int, line_sha256: str | None = None
) -> PaperRecord:
    """The record of one JSON object; ``source`` (the file) and ``line`` name it in errors.

    The record keeps the object's ``source`` and ``sha256`` (if 64 hex digits) or gets
    ``"<file>:<line>"`` and ``line_sha256`` (default: the digest of the object's canonical JSON).
    Raises :class:`RecordError` naming the field and the fix for anything not in the schema.
    """
    try:
        read = RecordModel.model_validate(obj)
    except ValidationError as error:
        raise _record_error(error.errors(include_url=False), source, line) from None
    warnings = [warning.value() for warning in read.warnings]
    sha256 = read.sha256
    if not (isinstance(sha256, str) and _SHA256.fullmatch(sha256)):
        if line_sha256 is None:
            canonical = json.dumps(obj, sort_keys=True, ensure_ascii=False, allow_nan=False)
            line_sha256 = hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()
        if sha256 is not None:
            message = "sha256 is not 64 hex digits; the line's own checksum is used instead"
            warnings.append(ReaderWarning(line, message))
        sha256 = line_sha256
    return PaperRecord(
        source=read.source if "source" in read.model_fields_set else f"{source}:{line}",
        sha256=sha256,
        title=read.title,
        authors=tuple(read.authors),
        origin=read.origin,
        doi=read.doi,
        pmid=read.pmid,
        pmcid=read.pmcid,
        journal=read.journal,
        volume=read.volume,
        issue=read.issue,
        pages=read.pages,
        date=read.date,
        tldr=read.tldr,
        contribution=read.contribution,
        key_findings=tuple(read.key_findings),
        abstract=read.abstract,
        linked_entities=tuple(mention.value("linked") for mention in read.linked_entities),
        fulltext_entities=tuple(mention.value("fulltext") for mention in read.fulltext_entities),
        full_text=read.full_text,
        figures_count=read.figures_count,
        references_count=read.references_count,
        source_url=read.source_url,
        extra_sections=tuple((heading, text) for heading, text in read.extra_sections),
        warnings=tuple(warnings),
        annotations=tuple(annotation.value() for annotation in read.annotations),
        relations=tuple(relation.value() for relation in read.relations),
        publication_types=tuple(read.publication_types),
        mesh_headings=tuple(heading.value() for heading in read.mesh_headings),
        source_format=read.source_format,
    )


_TYPE_NAMES = {dict: "an object", list: "an array", str: "a string", bool: "true/false"}
_TYPE_NAMES |= {int: "an integer", float: "a number", type(None): "null"}
#: Pydantic's type errors: the type that was expected, and how to fix the value.
_EXPECTED = {
    "string_type": ("a string", "write it as a JSON string"),
    "enum": ("a string", "write it as a JSON string"),
    "int_type": ("an integer", "write it as a whole number"),
    "bool_type": ("true/false", "write it as true or false"),
    "list_type": ("an array", "use an array"),
    "model_type": ("an object", "write one JSON object per line"),
}


def _record_error(errors: list[ErrorDetails], source: str, line: int) -> RecordError:
    """The one error a line reports; see :func:`_rank` for which."""
    _, error = min(enumerate(errors), key=_rank)
    loc, value, ctx = error["loc"], error["input"], error.get("ctx", {})
    where = _where(loc)
    kind = error["type"]
    if kind == "paperkg":
        problem, fix = ctx["problem"], ctx["fix"]
    elif kind == "extra_forbidden":
        problem, fix = "unknown field", f"remove it (fields: {_FIELD_NAMES})"
        fix = fix if len(loc) == 1 else "remove it"
    elif kind == "missing":
        problem, fix = "missing", f"add {loc[-1]!r}"
        fix = 'add "title": the paper title' if loc == ("title",) else fix
    elif kind == "literal_error":  # the only literal is the schema value
        problem = f"schema {_short(repr(value))} is not one this paperkg reads"
        fix = f'use "{SCHEMA_ID}" or leave it out'
    elif kind == "enum" and isinstance(value, str):
        problem, fix = f"unknown kind {_short(value)!r}", f"use one of {_KINDS}"
    elif kind == "greater_than_equal":
        problem, fix = f"{value} is below {ctx['ge']}", f"use a number >= {ctx['ge']}"
    elif kind in ("too_short", "too_long"):
        problem, fix = f"{ctx['actual_length']} items, not 2", _PAIR_FIX
    elif kind in _EXPECTED:
        expected, fix = _EXPECTED[kind]
        problem = f"expected {expected}, got {_TYPE_NAMES.get(type(value), 'something else')}"
        if kind == "model_type" and loc:
            fix = "use an object with " + ", ".join(_NESTED[ctx["class_name"]].model_fields)
        if loc[:1] == ("extra_sections",) and len(loc) == 2:
            fix = _PAIR_FIX
    else:  # a check this module does not know: say so in the project's words
        problem, fix = f"not accepted ({kind})", "see shapes/paper-record.schema.json"
    return RecordError(source, line, where, problem, fix)


def _rank(item: tuple[int, ErrorDetails]) -> tuple[int, str, int, int, int, int]:
    """Of several problems: an unknown top-level field (a misspelt name explains the rest), the
    ``schema`` (another version is misread throughout), the ``title``, then field by field;
    within one object of an array, an unknown field, then a missing one, then the rest.
    """
    index, error = item
    loc, kind = error["loc"], error["type"]
    if kind == "extra_forbidden" and len(loc) == 1:
        return (0, str(loc[0]), 0, 0, 0, index)
    field = _ORDER.get(str(loc[0]), len(_ORDER)) if loc else -1
    position = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else -1
    within = {"extra_forbidden": 0, "missing": 1}.get(kind, 2)
    return (1, "", field, position, within, index)


def _where(loc: tuple[int | str, ...]) -> str:
    """``authors[1]``, ``linked_entities[0].kind``: the field as the JSON names it; ``line`` for
    the object itself.
    """
    where = ""
    for part in loc:
        if isinstance(part, int):
            where += f"[{part}]"
        else:
            where += f".{_short(part)}" if where else _short(part)
    return where or "line"
