"""Write query results as a table, CSV, TSV, JSON, HTML or a pandas DataFrame.

``auto`` picks a table for a person at a terminal and CSV for a pipe, so ``paperkg query X |
cut -d, -f1`` gets machine-readable text without a flag. Colour is for the table only. Every
format shows an identifier's IRI as the CURIE the table shows (``iris`` keeps the IRIs), and JSON
and DataFrames type the values by column (:attr:`paperkg.query.QueryResult.column_types`):
numbers, booleans, and lists for ``|``-joined cells, so scripts need not parse strings.
"""

from __future__ import annotations

import csv
import html
import importlib
import io
import json
import math
import re
import shutil
import sys
from typing import Any

from .errors import ConfigError
from .identifiers import iri_to_curie
from .query import QueryResult

__all__ = [
    "OUTCOME_TERMINAL_COLOURS",
    "RESULT_FORMATS",
    "format_result",
    "resolve_format",
    "result_dataframe",
    "result_html",
    "typed_records",
]

RESULT_FORMATS = ("auto", "table", "csv", "tsv", "json")

#: Colours of outcome values in a terminal table: the terminal's own named colours (ANSI), so
#: they follow the user's theme. Pictures use the hex palette of ``paperkg.viz.style``.
OUTCOME_TERMINAL_COLOURS = {
    "improved": "green",
    "no_benefit": "yellow",
    "worsened": "red",
    "adverse_effects": "magenta",
    "mixed": "cyan",
}
_ANSI_CODES = {"red": 31, "green": 32, "yellow": 33, "magenta": 35, "cyan": 36}
_OUTCOME_WORD = re.compile(r"\b(" + "|".join(OUTCOME_TERMINAL_COLOURS) + r")\b")
#: Columns whose values are outcomes (``improved``, or counts like ``improved:2|mixed:1``).
_OUTCOME_COLUMNS = frozenset({"outcome", "outcomes"})
#: pandas dtypes of the column types (nullable, so an unbound value stays missing).
_DTYPES = {"integer": "Int64", "decimal": "Float64", "boolean": "boolean", "string": "string"}
#: Rows a notebook shows of a result; the rest are counted.
HTML_ROWS = 50


def resolve_format(fmt: str, *, terminal: bool) -> str:
    """``auto`` means a table on a terminal and CSV when piped; other formats stay."""
    if fmt == "auto":
        return "table" if terminal else "csv"
    return fmt


def format_result(
    result: QueryResult,
    fmt: str = "table",
    *,
    width: int | None = None,
    color: bool = False,
    iris: bool = False,
) -> str:
    """Render ``result`` in one of :data:`RESULT_FORMATS`.

    ``auto`` looks at whether stdout is a terminal. ``color`` styles a table's header and
    outcome values with ANSI codes (the caller decides: a terminal, and NO_COLOR unset).
    ``iris`` keeps identifiers' full IRIs where every format otherwise shows CURIEs.
    """
    fmt = resolve_format(fmt, terminal=sys.stdout.isatty())
    if fmt == "csv":
        return _delimited(result, ",", iris=iris)
    if fmt == "tsv":
        return _delimited(result, "\t", iris=iris)
    if fmt == "json":
        records = typed_records(result, iris=iris)
        return json.dumps(records, indent=2, ensure_ascii=False) + "\n"
    if fmt == "table":
        return _table(result, width or _terminal_width(), color=color, iris=iris)
    raise ConfigError(
        "--format", f"unknown result format {fmt!r}", f"use {', '.join(RESULT_FORMATS)}"
    )


def typed_records(result: QueryResult, *, iris: bool = False) -> list[dict[str, Any]]:
    """The rows as dictionaries of typed values (what ``--format json`` prints)."""
    types = result.column_types
    return [
        {
            column: _typed(cell, kind, iris=iris)
            for column, kind, cell in zip(result.columns, types, row, strict=True)
        }
        for row in result.rows
    ]


def result_dataframe(result: QueryResult, *, iris: bool = False) -> Any:
    """The rows as a pandas ``DataFrame``, columns typed as in JSON (nullable dtypes)."""
    try:
        pandas: Any = importlib.import_module("pandas")
    except ImportError:
        raise ConfigError(
            "to_dataframe", "pandas is not installed", "pip install 'paperkg[notebook]'"
        ) from None
    frame = pandas.DataFrame.from_records(
        typed_records(result, iris=iris), columns=list(result.columns)
    )
    types = dict(zip(result.columns, result.column_types, strict=True))
    return frame.astype({c: _DTYPES[t] for c, t in types.items() if t in _DTYPES})


def result_html(result: QueryResult, *, max_rows: int = HTML_ROWS) -> str:
    """The first ``max_rows`` rows as an HTML table (values escaped), CURIEs as in the table."""
    types = result.column_types
    head = "".join(f"<th>{html.escape(column)}</th>" for column in result.columns)
    body = [
        "<tr>"
        + "".join(
            f"<td>{html.escape(_text(cell, kind, iris=False))}</td>"
            for kind, cell in zip(types, row, strict=True)
        )
        + "</tr>"
        for row in result.rows[:max_rows]
    ]
    shown = len(body)
    count = f"{len(result.rows)} row{'s' if len(result.rows) != 1 else ''}"
    if shown < len(result.rows):
        count += f", the first {shown} shown"
    notes = "".join(f"<p>{html.escape(str(miss))}</p>" for miss in result.misses)
    return (
        f'<div class="paperkg-result">{notes}<table><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table><p>({count})</p></div>"
    )


def _terminal_width() -> int:
    """The terminal's width; piped output is not clipped."""
    if sys.stdout.isatty():
        return shutil.get_terminal_size((120, 24)).columns
    return 1_000_000


def _compact(value: str) -> str:
    """IRIs of known identifiers read better as CURIEs."""
    if value.startswith(("http://", "https://")):
        return iri_to_curie(value) or value
    return value


def _items(cell: str) -> tuple[str, list[str]]:
    """A list cell's separator and items (`` | `` between sentences, else ``|``)."""
    separator = " | " if " | " in cell else "|"
    return separator, cell.split(separator)


def _text(cell: str | None, kind: str, *, iris: bool) -> str:
    """A cell as text on one line, identifiers as CURIEs unless ``iris``."""
    if cell is None:
        return ""
    line = _one_line(cell)
    if iris:
        return line
    if kind == "list":
        separator, items = _items(line)
        return separator.join(_compact(item) for item in items)
    return _compact(line)


def _typed(cell: str | None, kind: str, *, iris: bool) -> Any:
    """A cell as its column's type; a value that does not parse stays a string."""
    if cell is None:
        return None
    if kind == "list":
        items = (item.strip() for item in _items(cell)[1])
        return [item if iris else _compact(item) for item in items if item]
    try:
        if kind == "integer":
            return int(cell)
        if kind == "decimal" and math.isfinite(number := float(cell)):
            return number
    except ValueError:
        return cell
    if kind == "boolean" and cell in {"true", "false", "1", "0"}:
        return cell in {"true", "1"}
    return cell if iris or kind != "string" else _compact(cell)


def _delimited(result: QueryResult, delimiter: str, *, iris: bool) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(result.columns)
    types = result.column_types
    for row in result.rows:
        writer.writerow(
            [_text(cell, kind, iris=iris) for kind, cell in zip(types, row, strict=True)]
        )
    return buffer.getvalue()


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _table(result: QueryResult, width: int, *, color: bool = False, iris: bool = False) -> str:
    if not result.rows:
        return "(no rows)\n"
    types = result.column_types
    cells = [
        [_text(cell, kind, iris=iris) for kind, cell in zip(types, row, strict=True)]
        for row in result.rows
    ]
    widths = [
        max(len(column), *(len(row[index]) for row in cells))
        for index, column in enumerate(result.columns)
    ]
    # Shrink the widest columns until the table fits the terminal.
    budget = max(width - 3 * (len(widths) - 1), 10 * len(widths))
    while sum(widths) > budget and max(widths) > 12:
        widest = widths.index(max(widths))
        widths[widest] -= 1

    outcome_columns = {
        index for index, column in enumerate(result.columns) if column in _OUTCOME_COLUMNS
    }

    def line(values: list[str], header: bool = False) -> str:
        parts = []
        for index, (value, size) in enumerate(zip(values, widths, strict=True)):
            clipped = value if len(value) <= size else value[: size - 1] + "…"
            # Pad by the visible text, then style: ANSI codes take no room on screen.
            padding = " " * (size - len(clipped))
            if color and header:
                clipped = _ansi(clipped, 1)
            elif color and index in outcome_columns:
                clipped = _paint_outcomes(clipped)
            parts.append(clipped + padding)
        return " | ".join(parts).rstrip()

    rule = "-+-".join("-" * size for size in widths)
    body = [line(list(result.columns), header=True), rule, *(line(row) for row in cells)]
    return "\n".join(body) + f"\n({len(cells)} row{'s' if len(cells) != 1 else ''})\n"


def _paint_outcomes(text: str) -> str:
    return _OUTCOME_WORD.sub(
        lambda match: _ansi(match.group(1), _ANSI_CODES[OUTCOME_TERMINAL_COLOURS[match.group(1)]]),
        text,
    )


def _ansi(text: str, code: int) -> str:
    """``text`` in one ANSI style (1 bold, 31-36 colours), reset after."""
    return f"\x1b[{code}m{text}\x1b[0m"
