"""Export the store as a KGX graph: TSV (``nodes.tsv``, ``edges.tsv``) and JSON Lines
(``nodes.jsonl``, ``edges.jsonl``), the formats Biolink tools (``kgx validate``, ``kgx
graph-summary``, ``kgx transform``) read.

The nodes and edges, and why each Biolink category and predicate, are :mod:`.biolink_graph`'s.
``prefixes.json`` expands the ``paperkg.*`` CURIE prefixes of ids that have no registered
identifier (authors, journals, label-only concepts, papers known by title); every other id uses a
prefix of Biolink's own prefix map. The folder appears whole or not at all (:mod:`.export_folder`).

KGX TSV has no escaping: a tab or line break in a value becomes a space (as kgx's own writer
does), and a ``|`` inside a value becomes ``¦``, since kgx splits values on ``|`` into lists. kgx
also reads any non-empty TSV cell of ``negated`` as true, so the column is ``True`` or empty.
The JSON Lines files keep every value exactly, typed (numbers, booleans, lists).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from .biolink_graph import BiolinkGraph, read_biolink_graph
from .export_folder import write_folder
from .store import PaperStore

__all__ = ["KgxReport", "export_kgx"]

NODE_FILES = ("nodes.tsv", "nodes.jsonl")
EDGE_FILES = ("edges.tsv", "edges.jsonl")
PREFIX_FILE = "prefixes.json"

#: The columns every node and every edge file starts with, in KGX's order.
_NODE_CORE = ("id", "category", "name")
_EDGE_CORE = ("id", "subject", "predicate", "object")


@dataclass(frozen=True, slots=True)
class KgxReport:
    """What an export wrote: where, how many nodes and edges, by category and predicate."""

    folder: Path
    nodes: int
    edges: int
    categories: dict[str, int]
    """Nodes per category (a node counts once for each category it lists)."""
    predicates: dict[str, int]
    files: tuple[str, ...]

    def text(self) -> str:
        """One line for the command line."""
        return f"wrote {self.nodes} nodes and {self.edges} edges as KGX to {self.folder}"


def export_kgx(store: PaperStore, folder: str | Path) -> KgxReport:
    """Write the store as KGX TSV and JSON Lines into ``folder`` (replaced as a whole; a folder
    holding anything but an older paperkg export is refused).
    """
    graph = read_biolink_graph(store)
    categories = Counter(c for node in graph.nodes for c in node["category"])
    predicates = Counter(edge["predicate"] for edge in graph.edges)

    def write(staging: Path) -> tuple[KgxReport, dict[str, Any]]:
        _write_tsv(staging / "nodes.tsv", graph.nodes, _NODE_CORE)
        _write_tsv(staging / "edges.tsv", graph.edges, _EDGE_CORE)
        _write_jsonl(staging / "nodes.jsonl", graph.nodes)
        _write_jsonl(staging / "edges.jsonl", graph.edges)
        (staging / PREFIX_FILE).write_text(
            json.dumps(graph.prefixes, indent=2) + "\n", encoding="utf-8"
        )
        report = KgxReport(
            folder=Path(folder),
            nodes=len(graph.nodes),
            edges=len(graph.edges),
            categories=dict(sorted(categories.items())),
            predicates=dict(sorted(predicates.items())),
            files=(*NODE_FILES, *EDGE_FILES, PREFIX_FILE),
        )
        return report, _manifest_facts(graph, report)

    return write_folder(folder, "kgx", write)


def _manifest_facts(graph: BiolinkGraph, report: KgxReport) -> dict[str, Any]:
    return {
        "nodes": report.nodes,
        "edges": report.edges,
        "categories": report.categories,
        "predicates": report.predicates,
        "prefixes": graph.prefixes,
    }


def _write_jsonl(path: Path, records: Iterable[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as stream:
        for record in records:
            stream.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")


def _write_tsv(path: Path, records: tuple[dict[str, Any], ...], core: tuple[str, ...]) -> None:
    """One row per record; the columns are the core ones, then every other property, sorted."""
    extra = sorted({name for record in records for name in record} - set(core))
    columns = (*core, *extra)
    with path.open("w", encoding="utf-8", newline="\n") as stream:
        _row(stream, columns)
        for record in records:
            _row(stream, [_cell(record.get(name)) for name in columns])


def _row(stream: TextIO, cells: Iterable[str]) -> None:
    stream.write("\t".join(cells) + "\n")


def _cell(value: Any) -> str:
    if value is None or value is False:
        return ""
    if value is True:
        return "True"
    if isinstance(value, list):
        return "|".join(_text(item) for item in value)
    return _text(value)


def _text(value: Any) -> str:
    text = str(value)
    for character in ("\t", "\r", "\n"):
        text = text.replace(character, " ")
    return text.replace("|", "¦")
