"""Write query results as a table, CSV, TSV or JSON."""

from __future__ import annotations

import csv
import io
import json
import shutil
import sys

from .errors import ConfigError
from .identifiers import iri_to_curie
from .query import QueryResult

__all__ = ["RESULT_FORMATS", "format_result"]

RESULT_FORMATS = ("table", "csv", "tsv", "json")


def format_result(result: QueryResult, fmt: str = "table", *, width: int | None = None) -> str:
    """Render ``result`` in one of :data:`RESULT_FORMATS`."""
    if fmt == "csv":
        return _delimited(result, ",")
    if fmt == "tsv":
        return _delimited(result, "\t")
    if fmt == "json":
        return json.dumps(result.as_dicts(), indent=2, ensure_ascii=False) + "\n"
    if fmt == "table":
        return _table(result, width or _terminal_width())
    raise ConfigError(
        "--format", f"unknown result format {fmt!r}", f"use {', '.join(RESULT_FORMATS)}"
    )


def _terminal_width() -> int:
    """The terminal's width; piped output is not clipped."""
    if sys.stdout.isatty():
        return shutil.get_terminal_size((120, 24)).columns
    return 1_000_000


def _compact(value: str) -> str:
    """IRIs of known identifiers read better as CURIEs in a table."""
    if value.startswith(("http://", "https://")):
        return iri_to_curie(value) or value
    return value


def _delimited(result: QueryResult, delimiter: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(result.columns)
    for row in result.rows:
        writer.writerow(["" if cell is None else _one_line(cell) for cell in row])
    return buffer.getvalue()


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _table(result: QueryResult, width: int) -> str:
    if not result.rows:
        return "(no rows)\n"
    cells = [[_compact(_one_line(cell or "")) for cell in row] for row in result.rows]
    widths = [
        max(len(column), *(len(row[index]) for row in cells))
        for index, column in enumerate(result.columns)
    ]
    # Shrink the widest columns until the table fits the terminal.
    budget = max(width - 3 * (len(widths) - 1), 10 * len(widths))
    while sum(widths) > budget and max(widths) > 12:
        widest = widths.index(max(widths))
        widths[widest] -= 1

    def line(values: list[str]) -> str:
        clipped = [
            value if len(value) <= size else value[: size - 1] + "…"
            for value, size in zip(values, widths, strict=True)
        ]
        return " | ".join(v.ljust(size) for v, size in zip(clipped, widths, strict=True)).rstrip()

    rule = "-+-".join("-" * size for size in widths)
    body = [line(list(result.columns)), rule, *(line(row) for row in cells)]
    return "\n".join(body) + f"\n({len(cells)} row{'s' if len(cells) != 1 else ''})\n"
