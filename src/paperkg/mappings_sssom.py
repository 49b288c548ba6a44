"""Mappings in: a user's SSSOM TSV file merges concepts the records name by different identifiers.

SSSOM (Simple Standard for Sharing Ontological Mappings) is how the field shares mappings: a
YAML metadata header on ``#`` lines, then a TSV table, one mapping per row. The metadata and
each row are validated by ``sssom-pydantic`` (the spec's slots, types and propagation); this
module reads the lines itself so that every problem names its line, and resolves each CURIE
through :mod:`paperkg.identifiers` (prefix synonyms, OBO and IRI forms) like everything else.

What a row does depends on its predicate: ``skos:exactMatch`` joins the two concepts in the
concept index; ``skos:broadMatch`` / ``skos:narrowMatch`` link them as broader and narrower,
as records' broader concepts are linked; ``skos:closeMatch`` / ``skos:relatedMatch`` are
counted and ignored (too loose to merge by); any other predicate is reported. A mapping set
is stored as its own named graph, each mapping a node with its provenance (set id and version,
justification, authors, confidence), so the graph says why two concepts were joined.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import curies
import pyoxigraph as ox

from .errors import ConfigError, ConfigFileError
from .identifiers import curie_to_iri, resolve_identifier
from .quads import decimal_literal
from .store import PaperStore
from .vocab import DEFAULT_BASE_IRI, OWL, PKG, RDF, SKOS

__all__ = [
    "BROAD",
    "EXACT",
    "IGNORED",
    "MappingFile",
    "MappingFileError",
    "MappingLinks",
    "MappingRow",
    "as_mapping_file",
    "load_mappings",
    "mapping_graphs",
    "mapping_links",
    "read_mapping_file",
    "set_graph",
]

EXACT = str(SKOS.exactMatch)
BROAD = str(SKOS.broadMatch)
NARROW = str(SKOS.narrowMatch)
#: Predicates too loose to merge or link concepts by: counted, not used.
IGNORED = (str(SKOS.closeMatch), str(SKOS.relatedMatch))
_REQUIRED_COLUMNS = ("subject_id", "predicate_id", "object_id", "mapping_justification")
_MAX_CELL = 60


class MappingFileError(ConfigFileError):
    """A mapping file, or a row of it, that cannot be used: file, line, field and the fix."""


@dataclass(frozen=True, slots=True)
class MappingRow:
    """One usable mapping: canonical CURIEs, the predicate IRI and the row's provenance."""

    line: int
    subject: str
    predicate: str
    object: str
    justification: str
    authors: tuple[str, ...] = ()
    confidence: float | None = None


@dataclass(slots=True)
class MappingFile:
    """A mapping set as read: its identity, the rows used and what was left out, and why."""

    path: str
    set_id: str
    version: str | None
    rows: list[MappingRow] = field(default_factory=list)
    #: close and related matches, counted and ignored
    ignored: Counter[str] = field(default_factory=Counter)
    #: predicates paperkg does not use, with how many rows give each
    unknown: Counter[str] = field(default_factory=Counter)
    #: ``predicate_modifier: Not`` rows (a mapping that does not hold): never merged
    negated: int = 0
    #: rows skipped, one line each (a bad cell, an identifier paperkg does not know)
    problems: list[MappingFileError] = field(default_factory=list)

    def summary(self) -> str:
        """One line: the set, and how many rows merge, link, are ignored or skipped."""
        exact = sum(1 for row in self.rows if row.predicate == EXACT)
        version = f" version {self.version}" if self.version else ""
        parts = [f"{exact} exact (merged)", f"{len(self.rows) - exact} broader/narrower (linked)"]
        if self.ignored:
            parts.append(f"{sum(self.ignored.values())} close/related (ignored)")
        if self.negated:
            parts.append(f"{self.negated} negated (ignored)")
        if self.unknown:
            names = ", ".join(f"{name} ({count})" for name, count in sorted(self.unknown.items()))
            parts.append(f"{sum(self.unknown.values())} with an unknown predicate: {names}")
        if self.problems:
            parts.append(f"{len(self.problems)} skipped")
        return f"mappings {self.set_id}{version} from {self.path}: {', '.join(parts)}"


def read_mapping_file(path: str | os.PathLike[str], *, strict: bool = False) -> MappingFile:
    """Read an SSSOM TSV file. A bad header raises :class:`MappingFileError`; a bad row is
    skipped and kept in ``problems`` (``strict``: raised).
    """
    from pydantic import ValidationError

    try:  # the [mappings] extra, loaded only when a mapping file is read
        from sssom_pydantic.api import MappingSetRecord, row_to_record
        from sssom_pydantic.constants import BUILTIN_CONVERTER
    except ImportError:
        raise ConfigError(
            "--mappings",
            "reading SSSOM needs the sssom-pydantic package",
            "install it with: pip install 'paperkg[mappings]'",
        ) from None

    name = str(path)
    lines = _lines(Path(path))
    header_end = next((i for i, line in enumerate(lines) if not line.startswith("#")), len(lines))
    metadata = _metadata(name, lines[:header_end])
    try:
        record = MappingSetRecord.model_validate(metadata)
    except ValidationError as error:
        slot, text = _first_error(error)
        raise MappingFileError(
            name, _header_line(lines[:header_end], slot), slot, text, _HEADER_FIX
        ) from None
    if header_end == len(lines):
        raise MappingFileError(
            name, header_end, "columns", "no table after the metadata", _COLUMNS_FIX
        )
    columns = [column.strip() for column in lines[header_end].split("\t")]
    for column in _REQUIRED_COLUMNS:
        if column not in columns:
            raise MappingFileError(
                name, header_end + 1, column, "this required column is missing", _COLUMNS_FIX
            )
    prefix_map = dict(record.curie_map or {})
    converter = curies.chain(
        [curies.Converter.from_prefix_map(prefix_map), BUILTIN_CONVERTER]
        if prefix_map
        else [BUILTIN_CONVERTER]
    )
    found = MappingFile(name, str(record.mapping_set_id), record.mapping_set_version)
    propagated = record.get_propagatable()
    for number, line in enumerate(lines[header_end + 1 :], start=header_end + 2):
        if not line.strip():
            continue
        cells = line.split("\t")
        problem: MappingFileError | None
        if len(cells) > len(columns):
            problem = MappingFileError(
                name,
                number,
                "columns",
                f"{len(cells)} cells under {len(columns)} columns",
                "separate cells by one tab each, and write no tab inside a value",
            )
        else:
            row = {
                col: cell.strip() for col, cell in zip(columns, cells, strict=False) if cell.strip()
            }
            try:
                mapping = row_to_record({**propagated, **row}, converter=converter)
            except ValidationError as error:
                slot, text = _first_error(error)
                problem = MappingFileError(name, number, slot, text, _ROW_FIX)
            else:
                problem = _use_row(found, number, mapping, converter)
        if problem is not None:
            if strict:
                raise problem
            found.problems.append(problem)
    return found


_HEADER_FIX = (
    "the '#' lines at the top are the SSSOM metadata in YAML: give at least "
    "'mapping_set_id: <IRI>' and a curie_map for the prefixes the table uses"
)
_COLUMNS_FIX = (
    "after the '#' metadata lines, the first line names the columns, tab-separated: "
    "subject_id, predicate_id, object_id and mapping_justification at least"
)
_ROW_FIX = "see https://mapping-commons.github.io/sssom/ for the slot's values; the row was skipped"


def _lines(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        line = path.read_bytes()[: error.start].count(b"\n") + 1
        raise MappingFileError(
            str(path), line, "encoding", "not UTF-8 text", "save the file as UTF-8"
        ) from None
    except OSError as error:
        raise MappingFileError(
            str(path), None, "file", error.strerror or "cannot be read", "check the path"
        ) from None
    return text.splitlines()


def _metadata(name: str, header: list[str]) -> dict[str, Any]:
    """The YAML of the ``#`` lines (each without its one ``#``), line for line."""
    yaml: Any = importlib.import_module("yaml")  # a dependency of sssom-pydantic

    try:
        data = yaml.safe_load("\n".join(line[1:] for line in header)) if header else None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = " ".join(str(getattr(error, "problem", None) or error).split())
        raise MappingFileError(
            name, line, "metadata", f"not YAML ({problem})", _HEADER_FIX
        ) from None
    if data is None:
        raise MappingFileError(name, 1, "mapping_set_id", "no metadata header", _HEADER_FIX)
    if not isinstance(data, dict):
        raise MappingFileError(name, 1, "metadata", "not a YAML mapping of slots", _HEADER_FIX)
    return data


def _header_line(header: list[str], slot: str) -> int:
    """The line of the header that gives ``slot`` (its first line if none does)."""
    pattern = re.compile(rf"^#\s*{re.escape(slot)}\s*:")
    return next((i for i, line in enumerate(header, 1) if pattern.match(line)), 1)


def _first_error(error: Any) -> tuple[str, str]:
    """The slot and the message of a pydantic error, in a few words."""
    first = error.errors()[0]
    slot = str(first["loc"][0]) if first.get("loc") else "metadata"
    text = str(first.get("msg", "invalid"))
    value = first.get("input")
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        shown = str(value)
        shown = shown if len(shown) <= _MAX_CELL else shown[: _MAX_CELL - 1] + "…"
        text = f"{text} (got {shown!r})"
    elif first.get("type") == "missing":
        text = "required, and missing or empty"
    return slot, text


def _use_row(
    found: MappingFile, line: int, mapping: Any, converter: curies.Converter
) -> MappingFileError | None:
    """Add a validated row to ``found`` (or count it as ignored); a problem if it cannot be."""
    predicate = _expand(str(mapping.predicate_id), converter)
    if mapping.predicate_modifier == "Not":
        found.negated += 1
        return None
    if predicate in IGNORED:
        found.ignored[str(mapping.predicate_id)] += 1
        return None
    if predicate not in (EXACT, BROAD, NARROW):
        found.unknown[str(mapping.predicate_id)] += 1
        return None
    ends = []
    for slot in ("subject_id", "object_id"):
        raw = str(getattr(mapping, slot))
        curie = resolve_identifier(raw) or resolve_identifier(_expand(raw, converter))
        if curie is None:
            return MappingFileError(
                found.path,
                line,
                slot,
                f"{raw!r} is not an identifier paperkg knows",
                "write a MONDO, MESH, CHEBI, pubchem.compound, NCBITaxon, DOID, HP or OMIM "
                "CURIE, or declare the prefix in curie_map with its usual IRI; the row was skipped",
            )
        ends.append(curie)
    subject, obj = ends
    justification = _expand(str(mapping.mapping_justification), converter)
    if not re.match(r"^https?://\S+$", justification):
        return MappingFileError(
            found.path,
            line,
            "mapping_justification",
            f"{mapping.mapping_justification!r} is not a CURIE or IRI of how the mapping was made",
            "write a semapv term, e.g. semapv:ManualMappingCuration; the row was skipped",
        )
    if predicate == NARROW:  # the object is the narrower one: stored as it broadMatch subject
        subject, obj, predicate = obj, subject, BROAD
    found.rows.append(
        MappingRow(
            line,
            subject,
            predicate,
            obj,
            justification,
            tuple(str(author) for author in mapping.author_id or ()),
            mapping.confidence,
        )
    )
    return None


def _expand(text: str, converter: curies.Converter) -> str:
    """A CURIE as an IRI by the file's prefixes (an IRI, or an unknown prefix, as written)."""
    try:
        return converter.expand(text) or text
    except (ValueError, KeyError):
        return text


#: The terms a mapping set graph is written with, made once (a set may hold many thousands).
_TYPE, _SET_ID, _SET_VERSION, _MAPPING_SET, _JUSTIFICATION, _AUTHOR, _CONFIDENCE = (
    ox.NamedNode(str(term))
    for term in (
        RDF.type,
        PKG.mappingSetId,
        PKG.mappingSetVersion,
        PKG.mappingSet,
        PKG.mappingJustification,
        PKG.mappingAuthor,
        PKG.mappingConfidence,
    )
)
_SOURCE, _PROPERTY, _TARGET = (
    ox.NamedNode(str(term))
    for term in (OWL.annotatedSource, OWL.annotatedProperty, OWL.annotatedTarget)
)


def set_graph(set_id: str, base_iri: str = DEFAULT_BASE_IRI) -> ox.NamedNode:
    """The named graph a mapping set is stored in (one per ``mapping_set_id``)."""
    return ox.NamedNode(f"{base_iri}graph/mappings/{_digest(set_id)}")


def mapping_graphs(store: PaperStore) -> list[ox.NamedNode]:
    """The mapping set graphs in the store, whatever their base IRI."""
    typed = store.quads_for_pattern(
        None, ox.NamedNode(str(RDF.type)), ox.NamedNode(str(PKG.MappingSet)), None
    )
    graphs = {q.subject for q in typed if q.subject == q.graph_name}
    return sorted((g for g in graphs if isinstance(g, ox.NamedNode)), key=lambda g: g.value)


def load_mappings(
    store: PaperStore, mappings: MappingFile, *, base_iri: str = DEFAULT_BASE_IRI
) -> set[str]:
    """Store a mapping set as its named graph (replacing an earlier load of the same set) and
    return the concept nodes whose grouping it may change: those carrying an identifier of a
    mapping added or taken out. The same set loaded again writes nothing.
    """
    graph = set_graph(mappings.set_id, base_iri)
    old = set(store.quads_for_pattern(None, None, None, graph))
    quads = _quads(mappings, graph, base_iri)
    changed = old.symmetric_difference(quads)
    if not changed:
        return set()
    if old:
        store.replace_graph(graph, quads)
    else:  # a set loaded for the first time: one bulk transaction, as new records are
        store.add_quads(quads)
    named = {
        _curie_of(end)
        for quad in changed
        if quad.predicate.value in (EXACT, BROAD)
        for end in (quad.subject, quad.object)
    }
    curie = ox.NamedNode(str(PKG.curie))
    return {
        q.subject.value
        for value in sorted(named)
        if value
        for q in store.quads_for_pattern(None, curie, ox.Literal(value), None)
        if isinstance(q.subject, ox.NamedNode)
    }


def _curie_of(term: object) -> str:
    from .identifiers import iri_to_curie

    return (iri_to_curie(term.value) or "") if isinstance(term, ox.NamedNode) else ""


def _quads(mappings: MappingFile, graph: ox.NamedNode, base_iri: str) -> list[ox.Quad]:
    """The set's graph: the set, each mapping's direct link, and each mapping as a node."""
    quads = [
        ox.Quad(graph, _TYPE, ox.NamedNode(str(PKG.MappingSet)), graph),
        ox.Quad(graph, _SET_ID, ox.Literal(mappings.set_id), graph),
    ]
    if mappings.version:
        quads.append(ox.Quad(graph, _SET_VERSION, ox.Literal(mappings.version), graph))
    mapping_type = ox.NamedNode(str(PKG.Mapping))
    for row in mappings.rows:
        source = ox.NamedNode(curie_to_iri(row.subject))
        target = ox.NamedNode(curie_to_iri(row.object))
        predicate = ox.NamedNode(row.predicate)
        key = f"{mappings.set_id}|{row.subject}|{row.predicate}|{row.object}"
        node = ox.NamedNode(f"{base_iri}mapping/{_digest(key)}")
        statements: list[tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode | ox.Literal]] = [
            (source, predicate, target),
            (node, _TYPE, mapping_type),
            (node, _MAPPING_SET, graph),
            (node, _SOURCE, source),
            (node, _PROPERTY, predicate),
            (node, _TARGET, target),
            (node, _JUSTIFICATION, ox.NamedNode(row.justification)),
            *((node, _AUTHOR, ox.Literal(author)) for author in row.authors),
        ]
        if row.confidence is not None:
            statements.append((node, _CONFIDENCE, decimal_literal(row.confidence)))
        quads.extend(ox.Quad(s, p, o, graph) for s, p, o in statements)
    return quads


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:20]


@dataclass(frozen=True, slots=True)
class MappingLinks:
    """The stored mappings by identifier, as the concept index uses them."""

    #: CURIE -> (the CURIE it exactly matches, the mapping node saying so), both ways
    exact: dict[str, set[tuple[str, str]]] = field(default_factory=dict)
    #: narrower CURIE -> broader CURIEs
    broader: dict[str, set[str]] = field(default_factory=dict)
    #: broader CURIE -> narrower CURIEs (to find what a change reaches)
    narrower: dict[str, set[str]] = field(default_factory=dict)

    def linked(self, curie: str) -> set[str]:
        """Every CURIE a mapping ties ``curie`` to, whatever its predicate."""
        exact = {other for other, _ in self.exact.get(curie, ())}
        return exact | self.broader.get(curie, set()) | self.narrower.get(curie, set())


def mapping_links(store: PaperStore) -> MappingLinks:
    """The exact and broader mappings of every mapping set in the store."""
    links = MappingLinks()
    typed = (ox.NamedNode(str(RDF.type)), ox.NamedNode(str(PKG.Mapping)))
    for graph in mapping_graphs(store):
        for quad in store.quads_for_pattern(None, *typed, graph):
            if isinstance(quad.subject, ox.NamedNode):
                _add_link(store, links, quad.subject, graph)
    return links


def _add_link(
    store: PaperStore, links: MappingLinks, node: ox.NamedNode, graph: ox.NamedNode
) -> None:
    from .identifiers import iri_to_curie

    ends: dict[str, str] = {}
    for slot in (_SOURCE, _PROPERTY, _TARGET):
        for value in store.quads_for_pattern(node, slot, None, graph):
            if isinstance(value.object, ox.NamedNode):
                ends[slot.value] = value.object.value
    predicate = ends.get(_PROPERTY.value)
    source = iri_to_curie(ends.get(_SOURCE.value, ""))
    target = iri_to_curie(ends.get(_TARGET.value, ""))
    if source is None or target is None:
        return
    if predicate == EXACT:
        links.exact.setdefault(source, set()).add((target, node.value))
        links.exact.setdefault(target, set()).add((source, node.value))
    elif predicate == BROAD:
        links.broader.setdefault(source, set()).add(target)
        links.narrower.setdefault(target, set()).add(source)


def as_mapping_file(
    mappings: MappingFile | str | os.PathLike[str], *, strict: bool = False
) -> MappingFile:
    """A mapping set as read (a path is read here)."""
    return (
        mappings
        if isinstance(mappings, MappingFile)
        else read_mapping_file(mappings, strict=strict)
    )
