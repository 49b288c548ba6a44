"""Export the store for Neo4j's bulk loader, ``neo4j-admin database import full``.

The graph is :mod:`.biolink_graph`'s, as a property graph: one node file per label
(``nodes-Paper.csv`` ...) and one relationship file per type (``relationships-AUTHOR.csv`` ...),
each with its header in a file of its own (``nodes-Paper-header.csv``) so the data files hold
only rows. ``import.sh`` runs the import with every file in place::

    sh import.sh [--overwrite-destination] [DATABASE]

Nodes have their paperkg kind as first label (Paper, Author, Journal, Chemical, Condition,
Species), then their Biolink categories (Drug, ChemicalEntity, Disease, ...). Ids are the KGX
CURIEs, in one id space (``id:ID``); relationship types are the Biolink predicates in upper case
(``IN_CLINICAL_TRIALS_FOR``), plus ``PUBLISHED_IN`` from a paper to its journal (a property in
KGX). Properties are typed from their values (``year:int``, ``extraction_confidence:double``,
``negated:boolean``, ``doses:string[]``).

Arrays are split on ``|`` (``--array-delimiter='|'``: sentences often hold ``;``, the default),
so a ``|`` inside a value becomes ``¦``; line breaks become spaces (no ``--multiline-fields``).
Files are written whole or not at all (:mod:`.export_folder`).
"""

from __future__ import annotations

import csv
import shlex
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .biolink_graph import read_biolink_graph
from .export_folder import write_folder
from .store import PaperStore

__all__ = ["Neo4jReport", "export_neo4j"]

#: Biolink category -> the node's first label (its paperkg kind); the first category that a
#: node lists from here wins.
KIND_LABELS = {
    "biolink:Publication": "Paper",
    "biolink:Agent": "Author",
    "biolink:Serial": "Journal",
    "biolink:ChemicalEntity": "Chemical",
    "biolink:DiseaseOrPhenotypicFeature": "Condition",
    "biolink:OrganismTaxon": "Species",
}
ARRAY_DELIMITER = "|"
IMPORT_SCRIPT = "import.sh"
_INT_RANGE = range(-(2**31), 2**31)
_RELATIONSHIP_CORE = ("id", "subject", "predicate", "object")
#: The first columns of node and relationship files.
_NODE_CORE = (":ID", ":LABEL")
_EDGE_CORE = (":START_ID", ":END_ID", ":TYPE")


@dataclass(frozen=True, slots=True)
class Neo4jReport:
    """What an export wrote: nodes per first label, relationships per type, the files, and the
    ``neo4j-admin`` command that loads them (run in the folder).
    """

    folder: Path
    nodes: dict[str, int]
    relationships: dict[str, int]
    files: tuple[str, ...]
    command: tuple[str, ...]

    def text(self) -> str:
        """One line for the command line."""
        return (
            f"wrote {sum(self.nodes.values())} nodes and {sum(self.relationships.values())} "
            f"relationships for neo4j-admin to {self.folder} (load it with: sh "
            f"{self.folder / IMPORT_SCRIPT})"
        )


def export_neo4j(store: PaperStore, folder: str | Path) -> Neo4jReport:
    """Write the store as ``neo4j-admin database import`` CSV files into ``folder`` (replaced as
    a whole; a folder holding anything but an older paperkg export is refused).
    """
    graph = read_biolink_graph(store)
    nodes: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for node in graph.nodes:
        label = next(KIND_LABELS[c] for c in node["category"] if c in KIND_LABELS)
        labels = [label, *(c.removeprefix("biolink:") for c in node["category"])]
        nodes[label].append({":ID": node["id"], ":LABEL": labels, **_properties(node, ("id",))})
    relationships: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for edge in graph.edges:
        kind = edge["predicate"].removeprefix("biolink:").upper()
        relationships[kind].append(
            {
                ":START_ID": edge["subject"],
                ":END_ID": edge["object"],
                ":TYPE": kind,
                "id": edge["id"],
                "predicate": edge["predicate"],
                **_properties(edge, _RELATIONSHIP_CORE),
            }
        )
    for node in graph.nodes:
        if "published_in" in node:
            relationships["PUBLISHED_IN"].append(
                {":START_ID": node["id"], ":END_ID": node["published_in"], ":TYPE": "PUBLISHED_IN"}
            )

    def write(staging: Path) -> tuple[Neo4jReport, dict[str, Any]]:
        arguments = []
        for label, rows in sorted(nodes.items()):
            header, data = f"nodes-{label}-header.csv", f"nodes-{label}.csv"
            _write_csv(staging, header, data, rows, _NODE_CORE)
            arguments.append(f"--nodes={header},{data}")
        for kind, rows in sorted(relationships.items()):
            header, data = f"relationships-{kind}-header.csv", f"relationships-{kind}.csv"
            _write_csv(staging, header, data, rows, _EDGE_CORE)
            arguments.append(f"--relationships={header},{data}")
        command = (
            "neo4j-admin",
            "database",
            "import",
            "full",
            f"--array-delimiter={ARRAY_DELIMITER}",
            "--id-type=string",
            *arguments,
        )
        (staging / IMPORT_SCRIPT).write_text(_script(command), encoding="utf-8")
        report = Neo4jReport(
            folder=Path(folder),
            nodes={label: len(rows) for label, rows in sorted(nodes.items())},
            relationships={kind: len(rows) for kind, rows in sorted(relationships.items())},
            files=tuple(sorted(path.name for path in staging.iterdir())),
            command=command,
        )
        facts = {"nodes": report.nodes, "relationships": report.relationships}
        return report, {**facts, "command": list(command)}

    return write_folder(folder, "neo4j-admin-import", write)


def _properties(record: dict[str, Any], skipped: Iterable[str]) -> dict[str, Any]:
    left_out = set(skipped)
    return {name: value for name, value in record.items() if name not in left_out}


def _write_csv(
    folder: Path, header: str, data: str, rows: list[dict[str, Any]], core: tuple[str, ...]
) -> None:
    """The header file (one line of ``name:type`` fields) and the data file (rows only); the
    ``core`` columns first, then every property, sorted.
    """
    names = [*core, *sorted({name for row in rows for name in row} - set(core))]
    fields = [_field(name, [row[name] for row in rows if name in row]) for name in names]
    with (folder / header).open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream, lineterminator="\n").writerow(fields)
    with (folder / data).open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerows([_cell(row.get(name)) for name in names] for row in rows)


def _field(name: str, values: list[Any]) -> str:
    """A header field: ``id:ID``, ``:LABEL``, ``:START_ID`` ..., else ``name:type``."""
    if name == ":ID":
        return "id:ID"  # the id is also stored, as the property "id"
    if name.startswith(":"):
        return name
    return f"{name}:{_type(values)}"


def _type(values: list[Any]) -> str:
    """The Neo4j type all of a property's values fit (``string`` when they disagree)."""
    items = [item for value in values for item in (value if isinstance(value, list) else [value])]
    suffix = "[]" if values and all(isinstance(value, list) for value in values) else ""
    if any(isinstance(value, list) for value in values) and not suffix:
        return "string"
    if items and all(isinstance(item, bool) for item in items):
        return "boolean" + suffix
    if items and all(isinstance(item, int) and not isinstance(item, bool) for item in items):
        return ("int" if all(item in _INT_RANGE for item in items) else "long") + suffix
    if items and all(
        isinstance(item, int | float) and not isinstance(item, bool) for item in items
    ):
        return "double" + suffix
    return "string" + suffix


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ARRAY_DELIMITER.join(_text(item) for item in value)
    return _text(value)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    for character in ("\r", "\n"):
        text = text.replace(character, " ")
    return text.replace(ARRAY_DELIMITER, "¦")


def _script(command: tuple[str, ...]) -> str:
    program, options = " ".join(command[:4]), [shlex.quote(part) for part in command[4:]]
    lines = " \\\n    ".join([program, *options])
    return (
        "#!/bin/sh\n"
        "# Load this folder into Neo4j 5 (stopped) as a new database; more neo4j-admin options\n"
        "# and the database name may follow: sh import.sh --overwrite-destination neo4j\n"
        'cd "$(dirname "$0")" || exit 1\n'
        f'exec {lines} \\\n    "$@"\n'
    )
