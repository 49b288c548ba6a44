"""The SHACL engines behind :mod:`paperkg.validate`: sparql by default, pyshacl as reference.

Each judges one record graph as if it were alone: concept, author and journal nodes recur in
many record graphs, and over a union their labels would be counted together (``sh:maxCount``)
and a node typed in one graph would satisfy ``sh:class`` in another.

- ``sparql`` (:mod:`paperkg.validate_sparql`): the shapes compiled to SPARQL, run by Oxigraph
  over all record graphs at once, each pattern inside its graph. It compiles only the SHACL Core
  components paperkg's shapes use; given shapes with others and no engine named, validation
  falls back to pyshacl-turbo.
- ``pyshacl-turbo`` (Rust, shapes compiled once): each record graph copied out and validated on
  its own, 8-10x faster than pyshacl per graph.
- ``pyshacl``: the reference. ``tests/test_validate_engine.py`` requires the same results from
  the others on the shape test graphs and on the W3C SHACL Core tests of the constraints the
  shapes use; ``bench/bench_validate.py`` measures them against each other.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Final, Protocol

import pyoxigraph as ox
import rdflib

from .errors import ShapesError
from .store import PaperStore

__all__ = ["DEFAULT_ENGINE", "ENGINES", "Engine", "engine_for"]

#: Engine names, as :func:`engine_for` accepts them.
ENGINES: Final = ("pyshacl-turbo", "pyshacl", "sparql")
DEFAULT_ENGINE: Final = "sparql"


class Engine(Protocol):
    """Validates one graph at a time against shapes given once: conformance and report graph."""

    name: str

    def check(self, data: rdflib.Graph) -> tuple[bool, rdflib.Graph]:
        """Validate an rdflib graph."""

    def check_store_graph(
        self, store: PaperStore, graph: ox.NamedNode
    ) -> tuple[bool, rdflib.Graph]:
        """Validate one named graph of the store, as if it were the only graph."""

    def check_many(self, graphs: Sequence[rdflib.Graph]) -> list[tuple[bool, rdflib.Graph]]:
        """Validate rdflib graphs, each alone (the graphs of one file)."""

    def check_store_graphs(
        self, store: PaperStore, names: Sequence[str], *, every: bool = False
    ) -> Iterator[tuple[str, bool, rdflib.Graph]]:
        """(name, conforms, report graph) of each named graph, in order, each judged alone;
        ``every``: the names are all the graphs of the store to validate.
        """


def engine_for(shapes: rdflib.Graph, name: str | None = None) -> Engine:
    """The engine called ``name`` (default :data:`DEFAULT_ENGINE`, or pyshacl-turbo for shapes
    it does not compile), ready for ``shapes``.

    Broken shapes raise :class:`~paperkg.errors.ShapesError` here or at the first check.
    """
    if name is None:
        from .validate_sparql import SparqlEngine
        from .validate_sparql_shapes import UnsupportedShapesError

        try:
            return SparqlEngine(shapes)
        except UnsupportedShapesError:
            return _TurboEngine(shapes)  # shapes beyond what the sparql engine compiles
    chosen = name
    if chosen == "pyshacl-turbo":
        return _TurboEngine(shapes)
    if chosen == "pyshacl":
        return _PyshaclEngine(shapes)
    if chosen == "sparql":
        from .validate_sparql import SparqlEngine

        return SparqlEngine(shapes)
    raise ValueError(f"unknown SHACL engine {chosen!r}; choose one of {', '.join(ENGINES)}")


class _PerGraph:
    """What the per-graph engines share: a store is validated one graph at a time."""

    def check(self, data: rdflib.Graph) -> tuple[bool, rdflib.Graph]:
        raise NotImplementedError

    def check_store_graph(
        self, store: PaperStore, graph: ox.NamedNode
    ) -> tuple[bool, rdflib.Graph]:
        raise NotImplementedError

    def check_many(self, graphs: Sequence[rdflib.Graph]) -> list[tuple[bool, rdflib.Graph]]:
        return [self.check(graph) for graph in graphs]

    def check_store_graphs(
        self, store: PaperStore, names: Sequence[str], *, every: bool = False
    ) -> Iterator[tuple[str, bool, rdflib.Graph]]:
        for name in names:
            yield (name, *self.check_store_graph(store, ox.NamedNode(name)))


class _PyshaclEngine(_PerGraph):
    """pySHACL on an rdflib copy of each graph (the shapes graph is re-read on every call)."""

    name = "pyshacl"

    def __init__(self, shapes: rdflib.Graph) -> None:
        self._shapes = shapes

    def check(self, data: rdflib.Graph) -> tuple[bool, rdflib.Graph]:
        import pyshacl

        try:
            conforms, report, _ = pyshacl.validate(
                data,
                shacl_graph=self._shapes,
                inference="none",
                advanced=False,
                allow_warnings=True,
            )
        except Exception as error:  # pyshacl reports broken shapes as assorted exceptions
            raise ShapesError("shapes", f"validation could not run: {error}") from error
        return bool(conforms), report

    def check_store_graph(
        self, store: PaperStore, graph: ox.NamedNode
    ) -> tuple[bool, rdflib.Graph]:
        return self.check(store.rdflib_graph(graph))


class _TurboEngine(_PerGraph):
    """pyshacl-turbo: shapes compiled once; each graph passed as N-Quads text, which its Rust
    parser reads directly (an rdflib graph or bytes would be parsed in Python first).
    """

    name = "pyshacl-turbo"

    def __init__(self, shapes: rdflib.Graph) -> None:
        import pyshacl_turbo
        from pyshacl_turbo.rdf import Input

        self._input = Input
        # The same triples, so the report names the shapes' own blank nodes (property shapes,
        # paths) as pyshacl's does; no prefixes, as every report graph would bind each of them
        # (measured: longer than validating a record graph).
        bare = rdflib.Graph(bind_namespaces="none")
        for triple in shapes:
            bare.add(triple)
        try:
            self._program: Any = pyshacl_turbo.compile_shapes(bare)  # type: ignore[no-untyped-call]
        except Exception as error:  # the engine reports broken shapes as assorted exceptions
            raise ShapesError("shapes", f"validation could not run: {error}") from error

    def check(self, data: rdflib.Graph) -> tuple[bool, rdflib.Graph]:
        return self._run(data.serialize(format="nt"), "nt")

    def check_store_graph(
        self, store: PaperStore, graph: ox.NamedNode
    ) -> tuple[bool, rdflib.Graph]:
        text = ox.serialize(store.graph_quads(graph), format=ox.RdfFormat.N_QUADS) or b""
        return self._run(text.decode("utf-8"), "nquads")

    def _run(self, text: str, rdf_format: str) -> tuple[bool, rdflib.Graph]:
        try:
            conforms, report, _ = self._program.validate(
                self._input(text, rdf_format, None, {}), allow_warnings=True
            )
        except Exception as error:  # shapes the compiler accepted but cannot run
            raise ShapesError("shapes", f"validation could not run: {error}") from error
        return bool(conforms), report
