"""Write query results as a table, CSV, TSV or JSON.

``auto`` picks a table for a person at a terminal and CSV for a pipe, so ``paperkg query X |
cut -d, -f1`` gets machine-readable text without a flag. Colour is for the table only.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import sys

from .errors import ConfigError
from .identifiers import iri_to_curie
from .query import QueryResult

__all__ = ["OUTCOME_TERMINAL_COLOURS", "RESULT_FORMATS", "format_result", "resolve_format"]

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
) -> str:
    """Render ``result`` in one of :data:`RESULT_FORMATS`.

    ``auto`` looks at whether stdout is a terminal. ``color`` styles a table's header and
    outcome values with ANSI codes (the caller decides: a terminal, and NO_COLOR unset).
    """
    fmt = resolve_format(fmt, terminal=sys.stdout.isatty())
    if fmt == "csv":
        return _delimited(result, ",")
    if fmt == "tsv":
        return _delimited(result, "\t")
    if fmt == "json":
        return json.dumps(result.as_dicts(), indent=2, ensure_ascii=False) + "\n"
    if fmt == "table":
        return _table(result, width or _terminal_width(), color=color)
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


def _table(result: QueryResult, width: int, *, color: bool = False) -> str:
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
