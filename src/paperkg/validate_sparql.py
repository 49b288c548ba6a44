"""The ``sparql`` SHACL engine: the shapes compiled once to SPARQL, run by Oxigraph over the store.

The per-graph engines copy each record graph out of the store and validate it alone; at 100,000
records that copying and calling costs more than the checks. Here each targeted shape becomes a
few SELECT queries (:mod:`paperkg.validate_sparql_shapes`) run once over every record graph
(``GRAPH ?g``); the graphs a build changed, when they are few, are copied to a store in memory
and validated there. Every pattern sits inside the graph block, so
each graph is still judged alone, as the other engines judge it: ``sh:class`` is met only by an
``rdf:type`` in the same graph and values are counted per graph. The rows name the graph, focus
node and value; they become the report graph pyshacl writes (result path and source shape are
the shapes graph's own nodes, the messages the shapes' own).

The queries are generated from the shapes graph, not kept in ``queries/``: they are a compiled
form of the shapes (the shapes file is their one home), change whenever a shape does, and are
not meant to be read or run by users; ``queries/`` holds the queries people write and run.

Only the SHACL Core components paperkg's shapes use are compiled; a shapes graph with any other
is refused with a :class:`~paperkg.errors.ShapesError` naming it, so the user picks another
engine. Terms are judged as Oxigraph holds them: literals of known datatypes in canonical form
(``"01"^^xsd:integer`` is ``1``), as every engine sees the store; :meth:`SparqlEngine.check`
reports the data's own terms. A shape without ``sh:message`` gets a message of this engine's
(pyshacl writes its own).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Final, NamedTuple

import pyoxigraph as ox
import rdflib
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from .cpus import usable_cpus
from .errors import ShapesError
from .store import PaperStore, to_rdflib_term
from .validate_sparql_shapes import GRAPHS, Plan, compile_shapes, uses_target_nodes

__all__ = ["SparqlEngine"]

#: The names of the graphs :meth:`SparqlEngine.check_many` copies (then a number).
_DATA: Final = "urn:x-paperkg:validate:data:"
#: Below this share of the store's graphs (1 in N), the graphs are copied out to be validated.
_COPY_SHARE: Final = 4
#: At most this many queries at once over a whole store: each holds its joins in memory (two
#: took validating 100,000 records from 839 to 1,332 MiB).
_MAX_THREADS: Final = 2
_ALLOWED: Final = (SH.Warning, SH.Info)
_HAS_SUBCLASSES: Final = (
    f"ASK {{ {GRAPHS} GRAPH ?g {{ ?a <http://www.w3.org/2000/01/rdf-schema#subClassOf> ?b }} }}"
)


class _Result(NamedTuple):
    focus: Any
    plan: Plan
    component: rdflib.URIRef
    value: Any


class SparqlEngine:
    """SHACL Core over the store by SPARQL: all graphs in one pass of a few hundred queries."""

    name = "sparql"

    def __init__(self, shapes: rdflib.Graph) -> None:
        self._shapes = shapes
        # compiled now, so unsupported or broken shapes are refused before any data is read
        self._plans = {False: compile_shapes(shapes, subclasses=False)}
        self._target_nodes = uses_target_nodes(shapes)
        self._empty = rdflib.Graph(bind_namespaces="none")
        self._back: dict[Any, Node] = {}

    # --- the Engine protocol ---------------------------------------------------------------

    def check(self, data: rdflib.Graph) -> tuple[bool, rdflib.Graph]:
        """Validate an rdflib graph (copied into a store in memory)."""
        return self.check_many([data])[0]

    def check_many(self, graphs: Sequence[rdflib.Graph]) -> list[tuple[bool, rdflib.Graph]]:
        """Validate rdflib graphs, each alone: copied into one store in memory, one graph each,
        and validated in one pass.
        """
        names = [f"{_DATA}{index}" for index in range(len(graphs))]
        store = PaperStore()
        try:
            self._back = _load(store, zip(names, graphs, strict=True))
            found = self._run(store, names)
            return [self._outcome(found.get(name)) for name in names]
        finally:
            self._back = {}
            store.close()

    def check_store_graph(
        self, store: PaperStore, graph: ox.NamedNode
    ) -> tuple[bool, rdflib.Graph]:
        _, conforms, report = next(self.check_store_graphs(store, [graph.value]))
        return conforms, report

    def check_store_graphs(
        self, store: PaperStore, names: Sequence[str], *, every: bool = False
    ) -> Iterator[tuple[str, bool, rdflib.Graph]]:
        """(graph, conforms, report graph) of each of ``names``, in that order.

        ``every`` (the names are all the graphs to validate), or names that are a large part
        of the store: the queries run over the whole store, the rows of other graphs dropped.
        Fewer graphs are copied to a store in memory and validated there: Oxigraph does not
        narrow a pattern to the graphs a ``VALUES ?g`` lists (measured: slower than the whole
        store, and worse than linear in the number of graphs).
        """
        chosen = list(names)
        if every or _COPY_SHARE * len(chosen) >= len(store.named_graphs()):
            found = self._run(store, chosen, threads=_threads())
        else:
            copy = PaperStore()
            try:
                copy.add_quads(q for n in chosen for q in store.graph_quads(ox.NamedNode(n)))
                found = self._run(copy, chosen)
            finally:
                copy.close()
        for name in chosen:
            yield (name, *self._outcome(found.get(name)))

    def _outcome(self, results: list[_Result] | None) -> tuple[bool, rdflib.Graph]:
        if not results:
            return True, self._empty
        return _conforms(results), self._report(results)

    # --- running the queries ---------------------------------------------------------------

    def _run(
        self, store: PaperStore, names: list[str], *, threads: int = 1
    ) -> dict[str, list[_Result]]:
        """The results in each of ``names``. A plan whose focus classes the store has none of
        is not run; a plan with a screen runs only when the screen finds a graph of ``names``
        (a screen several plans share runs once). Shapes with ``sh:targetNode`` need every
        graph listed (``VALUES ?g``), as a node given so is a focus node in every graph.

        ``threads`` queries run at once (Oxigraph evaluates without the GIL): on a store on
        disk of 100,000 records, two threads on 2 cores took ``paperkg validate`` from 74 s
        to 48 s. Results keep the plans' order.
        """
        if not names:
            return {}
        values = _values(names) if self._target_nodes else ""
        subclasses = bool(_query(store, _HAS_SUBCLASSES.replace(GRAPHS, values)))
        if subclasses not in self._plans:
            self._plans[subclasses] = compile_shapes(self._shapes, subclasses=subclasses)
        plans = self._plans[subclasses]
        present = _present(store, {c for plan in plans for c in plan.classes})
        chosen = [p for p in plans if not p.classes or not present.isdisjoint(p.classes)]
        wanted = set(names)
        screens = _Screens(store, values, wanted)

        def rows(plan: Plan) -> list[tuple[str, _Result]]:
            sparql: str | None = plan.sparql
            if plan.screen is not None and not screens.finds(plan.screen):
                sparql = plan.otherwise
            if sparql is None:
                return []
            return [
                (graph.value, result)
                for row in _query(store, sparql.replace(GRAPHS, values))
                if isinstance(graph := row["g"], ox.NamedNode) and graph.value in wanted
                for result in _results(plan, row)
            ]

        if threads > 1:
            with ThreadPoolExecutor(max_workers=threads) as pool:
                # the screens first, each once: several plans share one
                shared = dict.fromkeys(p.screen for p in chosen if p.screen is not None)
                list(pool.map(screens.finds, shared))
                answers = list(pool.map(rows, chosen))
        else:
            answers = [rows(plan) for plan in chosen]
        found: dict[str, list[_Result]] = {}
        for answer in answers:
            for graph, result in answer:
                found.setdefault(graph, []).append(result)
        return found

    # --- the report ------------------------------------------------------------------------

    def _term(self, term: Any) -> Node:
        converted = self._back.get(term)
        return converted if converted is not None else to_rdflib_term(term)

    def _report(self, results: list[_Result]) -> rdflib.Graph:
        """The SHACL report graph pyshacl would write for these results."""
        report = rdflib.Graph(bind_namespaces="none")
        top = rdflib.BNode()
        report.add((top, RDF.type, SH.ValidationReport))
        for result in results:
            plan = result.plan
            node = rdflib.BNode()
            report.add((top, SH.result, node))
            report.add((node, RDF.type, SH.ValidationResult))
            report.add((node, SH.focusNode, self._term(result.focus)))
            if plan.path is not None:
                report.add((node, SH.resultPath, plan.path))
            if result.value is not None:
                report.add((node, SH.value, self._term(result.value)))
            report.add((node, SH.sourceShape, plan.shape))
            report.add((node, SH.sourceConstraintComponent, result.component))
            report.add((node, SH.resultSeverity, plan.severity))
            for message in plan.messages or (_message(result.component),):
                report.add((node, SH.resultMessage, message))
        report.add((top, SH.conforms, rdflib.Literal(_conforms(results))))
        return report


def _threads() -> int:
    """Queries run at once over a whole store: one per CPU this process may use, at most
    :data:`_MAX_THREADS` (each holds its joins in memory).
    """
    return max(1, min(usable_cpus(), _MAX_THREADS))


def _query(store: PaperStore, sparql: str) -> Any:
    try:
        return store.query(sparql)
    except (SyntaxError, ValueError, OSError) as error:
        # a shape Oxigraph cannot run (e.g. a regex its engine refuses)
        problem = " ".join(str(error).split())
        raise ShapesError("shapes", f"validation could not run: {problem}") from error


class _Screens:
    """Whether each screen finds a graph of ``wanted``: run once, however many plans ask."""

    def __init__(self, store: PaperStore, values: str, wanted: set[str]) -> None:
        self._store, self._values, self._wanted = store, values, wanted
        self._found: dict[str, bool] = {}

    def finds(self, screen: str) -> bool:
        if screen not in self._found:
            rows = _query(self._store, screen.replace(GRAPHS, self._values))
            if isinstance(rows, ox.QueryBoolean):  # an ASK: true when it may find some
                self._found[screen] = bool(rows)
            else:
                self._found[screen] = any(row["g"].value in self._wanted for row in rows)
        return self._found[screen]


def _present(store: PaperStore, classes: Iterable[str]) -> set[str]:
    """The classes of ``classes`` with an instance in the store (one index lookup each)."""
    typed = ox.NamedNode(str(RDF.type))
    return {
        c
        for c in classes
        if next(store.quads_for_pattern(None, typed, ox.NamedNode(c)), None) is not None
    }


def _values(names: Iterable[str]) -> str:
    return "VALUES ?g { " + " ".join(str(ox.NamedNode(n)) for n in names) + " }\n"


def _results(plan: Plan, row: Any) -> Iterator[_Result]:
    focus = row["f"]
    if plan.kind == "values":
        for index, component in enumerate(plan.components):
            flag = row[f"b{index}"]
            if flag is not None and flag.value == "true":
                yield _Result(focus, plan, component, row["v"])
    elif plan.kind == "counts":
        found = int(row["n"].value)
        low, high = plan.bounds
        if low is not None and found < low:
            yield _Result(focus, plan, plan.components[0], None)
        if high is not None and found > high:
            yield _Result(focus, plan, plan.components[1], None)
    else:
        yield _Result(focus, plan, plan.components[0], row["v"])


def _conforms(results: Iterable[_Result]) -> bool:
    """As pyshacl with warnings allowed: only Warning and Info results let a graph conform."""
    return all(result.plan.severity in _ALLOWED for result in results)


def _message(component: rdflib.URIRef) -> rdflib.Literal:
    name = str(component).removeprefix(str(SH)).removesuffix("ConstraintComponent")
    return rdflib.Literal(f"The {name} constraint is not met.")


def _load(store: PaperStore, graphs: Iterable[tuple[str, rdflib.Graph]]) -> dict[Any, Node]:
    """Copy each graph into the store's graph of that name; the map from the store's terms back
    to the data's own (blank nodes, literals Oxigraph writes in canonical form).
    """
    back: dict[Any, Node] = {}
    literals: dict[ox.Literal, rdflib.Literal] = {}

    def convert(term: Node) -> Any:
        if isinstance(term, rdflib.URIRef):
            return ox.NamedNode(str(term))
        if isinstance(term, rdflib.BNode):
            try:
                node = ox.BlankNode(str(term))
            except ValueError:
                node = ox.BlankNode()
            back[node] = term
            return node
        if isinstance(term, rdflib.Literal):
            if term.language:
                literal = ox.Literal(str(term), language=term.language)
            else:
                datatype = str(term.datatype or rdflib.XSD.string)
                literal = ox.Literal(str(term), datatype=ox.NamedNode(datatype))
            literals.setdefault(literal, term)
            return literal
        raise ShapesError("data", f"cannot validate the term {term!r}")

    quads: list[ox.Quad] = []
    try:
        for name, data in graphs:
            graph = ox.NamedNode(name)
            quads.extend(ox.Quad(convert(s), convert(p), convert(o), graph) for s, p, o in data)
    except ValueError as error:
        raise ShapesError("data", f"cannot validate the data: {error}") from error
    store.add_quads(quads)
    for literal, original in literals.items():
        for quad in store.quads_for_pattern(None, None, literal):
            back.setdefault(quad.object, original)
            break
    return back
