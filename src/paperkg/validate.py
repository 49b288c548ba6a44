"""SHACL validation. Non-conformance is a returned report, never an exception.

Each record graph is self-contained, so the store is validated graph by graph: each is judged
alone (shared concept nodes are not pooled) and a build can re-validate only the graphs it
changed. The engine is sparql (the shapes compiled to SPARQL, run over all graphs at once), with
pyshacl-turbo and pyshacl, the reference, to choose (:mod:`paperkg.validate_engines`).
Exceptions are raised only when the shapes or the data cannot be loaded
(:class:`~paperkg.errors.ShapesError`).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import rdflib
from rdflib.namespace import SH

from .errors import ShapesError
from .resources import shapes_path
from .store import PaperStore, index_graphs, log_validation, to_rdflib_term, validation_log
from .store.heap import return_freed_memory
from .validate_engines import DEFAULT_ENGINE, ENGINES, engine_for
from .vocab import PKG

__all__ = [
    "DEFAULT_ENGINE",
    "ENGINES",
    "BuildValidator",
    "ValidationReport",
    "ValidationResult",
    "load_shapes",
    "validate_file",
    "validate_graph",
    "validate_store",
]

_FILE_FORMATS = {
    ".ttl": "turtle",
    ".nt": "nt",
    ".nq": "nquads",
    ".trig": "trig",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".rdf": "xml",
    ".owl": "xml",
}


@dataclass(frozen=True, slots=True)
class ValidationResult:
    """One SHACL result: which node, which property, what is wrong."""

    focus_node: str
    path: str | None
    message: str
    severity: str
    component: str | None
    shape: str | None
    value: str | None
    graph: str | None

    def __str__(self) -> str:
        where = f"{self.focus_node}" + (f" {self.path}" if self.path else "")
        value = f" (value: {self.value})" if self.value is not None else ""
        return f"{self.severity}: {where}: {self.message}{value}"


@dataclass(frozen=True, slots=True)
class ValidationReport:
    """The outcome of validating one or more graphs."""

    conforms: bool
    results: tuple[ValidationResult, ...]
    graphs_checked: int

    def text(self) -> str:
        """A readable report: one block per graph, one line per result."""
        if self.conforms:
            return f"Conforms: {self.graphs_checked} graph(s) checked, no violations."
        lines = [
            f"Does not conform: {len(self.results)} result(s) in "
            f"{len({r.graph for r in self.results})} of {self.graphs_checked} graph(s)."
        ]
        current: str | None = None
        for result in self.results:
            if result.graph != current:
                current = result.graph
                lines.append(f"graph {current or '(default)'}:")
            lines.append(f"  {result}")
        return "\n".join(lines)


def load_shapes(path: str | Path | None = None) -> rdflib.Graph:
    """Parse the SHACL shapes (the shipped ones by default)."""
    source = Path(path) if path is not None else shapes_path()
    shapes = rdflib.Graph()
    for graph in _read_rdf(source, "turtle", "shapes").values():
        shapes += graph
    return shapes


#: The formats (rdflib's names, as ``--format`` takes them) read by Oxigraph, whose parsers keep
#: to the W3C grammars: rdflib's take dozens of the suites' invalid files (literal subjects, bad
#: IRIs, bad escapes) and refuse some valid ones (tests/w3c_departures.py).
_OXIGRAPH_READS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nt11": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "json-ld": ox.RdfFormat.JSON_LD,
    "xml": ox.RdfFormat.RDF_XML,
}


def _read_rdf(source: Path, fmt: str, what: str) -> dict[str | None, rdflib.Graph]:
    """The graphs of an RDF file by name (``None``: the default graph), read by Oxigraph when it
    knows the format (else by rdflib); any parse error is one line naming the file.
    """
    graphs: dict[str | None, rdflib.Graph] = {}
    try:
        rdf_format = _OXIGRAPH_READS.get(fmt)
        if rdf_format is None:
            dataset = rdflib.Dataset()
            dataset.parse(source, format=fmt)
            for context in dataset.graphs():
                label = str(context.identifier)
                graphs[None if label == "urn:x-rdflib:default" else label] = context
            return graphs
        base = source.resolve().as_uri()
        for quad in ox.parse(path=str(source), format=rdf_format, base_iri=base):
            graph = quad.graph_name
            name: str | None = None if isinstance(graph, ox.DefaultGraph) else str(graph.value)
            triple = (quad.subject, quad.predicate, quad.object)
            graphs.setdefault(name, rdflib.Graph()).add(tuple(map(to_rdflib_term, triple)))
    except Exception as error:  # parsers (rdflib's above all) raise assorted error types
        problem = " ".join(str(error).split())
        raise ShapesError(str(source), f"cannot parse the {what}: {problem}") from error
    return graphs


def validate_graph(
    data: rdflib.Graph,
    shapes: rdflib.Graph | None = None,
    *,
    graph_name: str | None = None,
    engine: str | None = None,
) -> ValidationReport:
    """Validate one rdflib graph against the shapes (``engine``: one of :data:`ENGINES`)."""
    checker = engine_for(shapes if shapes is not None else load_shapes(), engine)
    conforms, report = checker.check(data)
    return ValidationReport(conforms, _results(report, graph_name), 1)


def validate_store(
    store: PaperStore,
    *,
    graphs: Iterable[str] | None = None,
    shapes: rdflib.Graph | None = None,
    progress: Callable[[str], None] | None = None,
    engine: str | None = None,
) -> ValidationReport:
    """Validate every record graph in the store (or only ``graphs``, e.g. those a build changed).

    Each graph is validated alone, its results attributed to it (``ValidationResult.graph``);
    ``engine`` is one of :data:`ENGINES` (default :data:`DEFAULT_ENGINE`).

    On a writable store, the build key each record graph was validated at and whether it
    conformed are logged (one transaction) in the validation log graph
    (``<base>graph/validation``; see :func:`paperkg.store.validation_graphs`), so that
    :func:`paperkg.stats.store_stats` reports the validation state without validating again.
    """
    checker = engine_for(shapes if shapes is not None else load_shapes(), engine)
    if graphs is None:
        names = [node.value for node in store.record_graphs()] + index_graphs(store)
    else:
        names = sorted(set(graphs))
    keys = _build_keys(store, names)
    results: list[ValidationResult] = []
    checked: dict[ox.NamedNode, tuple[str, bool]] = {}
    for name, conforms, report in checker.check_store_graphs(store, names, every=graphs is None):
        if progress is not None:
            progress(name)
        if len(report):  # most graphs conform, with an empty report
            results.extend(_results(report, name))
        key = keys.get(name)
        if key is not None:
            checked[ox.NamedNode(name)] = (key, conforms)
    if checked and not store.read_only:
        log = validation_log(store)
        log_validation(store, _unlogged(store, checked, log), log)
    return _merge(results, len(names))


#: Above this many graphs, their build keys are read in one pass over every build key, not
#: looked up one by one (measured on 20,000 graphs: 0.16 s of CPU against 0.74 s).
_SCAN_KEYS = 2000


def _build_keys(store: PaperStore, names: list[str]) -> dict[str, str]:
    """The build key stored in each of the record graphs ``names`` (graphs without one, e.g.
    the concept index, are left out), as :meth:`PaperStore.build_key` reads it.
    """
    if len(names) < _SCAN_KEYS:
        found = ((name, store.build_key(ox.NamedNode(name))) for name in names)
        return {name: key for name, key in found if key is not None}
    wanted = set(names)
    first: dict[str, Any] = {}  # the first value in index order, as build_key takes it
    for quad in store.quads_for_pattern(None, ox.NamedNode(str(PKG.buildKey)), None):
        graph = quad.graph_name
        if quad.subject == graph and isinstance(graph, ox.NamedNode) and graph.value in wanted:
            first.setdefault(graph.value, quad.object)
    return {name: value.value for name, value in first.items() if isinstance(value, ox.Literal)}


def _unlogged(
    store: PaperStore, checked: dict[ox.NamedNode, tuple[str, bool]], log: ox.NamedNode
) -> dict[ox.NamedNode, tuple[str, bool]]:
    """The entries of ``checked`` that the validation log does not already hold as they are:
    validating an unchanged store again writes nothing (rewriting 20,000 entries that had
    not changed cost 2.3 s of CPU; reading them, 0.2 s).
    """
    validated, conforms = ox.NamedNode(str(PKG.validatedBuildKey)), ox.NamedNode(str(PKG.conforms))
    held: set[ox.NamedNode] = set()
    seen: set[Any] = set()
    logged = store.quads_for_pattern(None, None, None, log)
    for subject, quads in itertools.groupby(logged, key=lambda quad: quad.subject):
        entry = checked.get(subject) if isinstance(subject, ox.NamedNode) else None
        if subject in seen or entry is None:  # its statements not all in a row: not skipped
            held.discard(subject)
            seen.add(subject)
            continue
        seen.add(subject)
        key, ok = entry
        expected = {(validated, ox.Literal(key)), (conforms, ox.Literal(ok))}
        if {(quad.predicate, quad.object) for quad in quads} == expected:
            held.add(subject)
    return {node: entry for node, entry in checked.items() if node not in held}


#: Record graphs a build validates together (measured on 6,000 PubMed citations: 100 to 250 a
#: batch add 14 to 28 MiB and take 0.3 s per 1,000 graphs; 1,000 add 94 MiB).
BATCH = 200


class BuildValidator:
    """Validates the record graphs a build writes, a batch at a time, from the quads in hand.

    Reading 30,000 fresh graphs back for one pass over the store cost 74 MiB more than the
    rest of the build (the store's read caches and the queries' joins grow with the store). A
    batch copied into a store in memory as its graphs are written is judged as the whole store
    would judge it (each graph alone), in bounded memory and in less time. Each batch's
    conformance is logged as :func:`validate_store` logs it.
    """

    def __init__(
        self,
        store: PaperStore,
        *,
        shapes: rdflib.Graph | None = None,
        progress: Callable[[str], None] | None = None,
        engine: str | None = None,
        batch: int | None = None,
    ) -> None:
        self._logged_in = store
        self._checker = engine_for(shapes if shapes is not None else load_shapes(), engine)
        self._progress = progress
        self._batch = batch or BATCH
        self._pending = PaperStore()
        #: the build key of each graph waiting in ``_pending``
        self._keys: dict[str, str] = {}
        #: the results of each graph validated (graphs without any are not kept)
        self._results: dict[str, tuple[ValidationResult, ...]] = {}
        self._log: ox.NamedNode | None = None  # looked up at the first batch
        #: seconds spent validating and logging so far (the build reports it)
        self.seconds = 0.0

    def add(self, graph: str, build_key: str, quads: Iterable[ox.Quad]) -> None:
        """A record graph as written (``build_key`` is the one stored): validated with its batch."""
        if graph in self._keys:  # written again: its batch is judged before the new version
            self.run()
        start = time.perf_counter()
        self._pending.add_quads(quads)
        self._keys[graph] = build_key
        self.seconds += time.perf_counter() - start
        if len(self._keys) >= self._batch:
            self.run()

    def forget(self, graph: str) -> None:
        """A graph removed from the store: its results leave the report (call before its log
        entries are dropped, :func:`paperkg.store.forget_validation`).
        """
        if graph in self._keys:
            self.run()
        self._results.pop(graph, None)

    def run(self) -> None:
        """Validate the graphs waiting, log them, and start the next batch."""
        if not self._keys:
            return
        start = time.perf_counter()
        names = sorted(self._keys)
        checked: dict[ox.NamedNode, tuple[str, bool]] = {}
        try:
            found = self._checker.check_store_graphs(self._pending, names, every=True)
            for name, conforms, report in found:
                if self._progress is not None:
                    self._progress(name)
                results = _results(report, name)
                if results:
                    self._results[name] = results
                checked[ox.NamedNode(name)] = (self._keys[name], conforms)
        finally:
            self._pending.close()
            self._pending, self._keys = PaperStore(), {}
            return_freed_memory()  # the batch's store and joins, handed back before the next
        if checked and not self._logged_in.read_only:
            self._log = self._log or validation_log(self._logged_in)
            log_validation(self._logged_in, checked, self._log)
        self.seconds += time.perf_counter() - start

    def report(self, graphs: Iterable[str]) -> ValidationReport:
        """The report on ``graphs`` (those the build changed and kept), as
        ``validate_store(store, graphs=graphs)`` gives it.
        """
        self.run()
        names = sorted(set(graphs))
        return _merge([r for name in names for r in self._results.get(name, ())], len(names))


def validate_file(
    path: str | Path,
    *,
    rdf_format: str | None = None,
    shapes: rdflib.Graph | None = None,
    engine: str | None = None,
) -> ValidationReport:
    """Validate any RDF file (e.g. one pulled back from a triple store).

    Files with named graphs (N-Quads, TriG) are validated graph by graph.
    """
    source = Path(path)
    fmt = rdf_format or _FILE_FORMATS.get(source.suffix.lower())
    if fmt is None:
        raise ShapesError(str(source), "unknown RDF format; pass --format (turtle, nt, nquads …)")
    checker = engine_for(shapes if shapes is not None else load_shapes(), engine)
    names: list[str | None] = []
    graphs: list[rdflib.Graph] = []
    for name, context in _read_rdf(source, fmt, "data").items():
        if len(context) == 0:
            continue
        plain = rdflib.Graph()
        for triple in context:
            plain.add(triple)
        names.append(name)
        graphs.append(plain)
    results: list[ValidationResult] = []
    for name, (_, report) in zip(names, checker.check_many(graphs), strict=True):
        results.extend(_results(report, name))
    return _merge(results, len(graphs))


def _merge(results: list[ValidationResult], checked: int) -> ValidationReport:
    violations = [r for r in results if r.severity == "Violation"]
    return ValidationReport(not violations, tuple(results), checked)


def _results(results_graph: Any, graph_name: str | None) -> tuple[ValidationResult, ...]:
    def one(node: Any, predicate: rdflib.URIRef) -> str | None:
        value = results_graph.value(node, predicate)
        return None if value is None else str(value)

    found = []
    for node in results_graph.subjects(rdflib.RDF.type, SH.ValidationResult):
        severity = one(node, SH.resultSeverity) or str(SH.Violation)
        found.append(
            ValidationResult(
                focus_node=one(node, SH.focusNode) or "",
                path=one(node, SH.resultPath),
                message=one(node, SH.resultMessage) or "constraint not met",
                severity=severity.rsplit("#", 1)[-1],
                component=one(node, SH.sourceConstraintComponent),
                shape=one(node, SH.sourceShape),
                value=one(node, SH.value),
                graph=graph_name,
            )
        )
    found.sort(key=lambda r: (r.graph or "", r.focus_node, r.path or "", r.message))
    return tuple(found)
