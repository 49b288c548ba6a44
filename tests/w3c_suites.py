"""The W3C RDF 1.1 syntax suites in ``../shared/w3c``: their tests, each test's graph, and the
comparison of graphs read back (isomorphic graph by graph), for ``test_w3c_syntax.py``.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib.compare import isomorphic

from paperkg.store import to_rdflib_term

from conftest import SHARED

W3C = SHARED / "w3c"
MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
RDFT = rdflib.Namespace("http://www.w3.org/ns/rdftest#")
#: suite -> (folder, Oxigraph format, rdflib format, file suffix)
SUITES = {
    "turtle": ("rdf-turtle", ox.RdfFormat.TURTLE, "turtle", ".ttl"),
    "nt": ("rdf-n-triples", ox.RdfFormat.N_TRIPLES, "nt", ".nt"),
    "nq": ("rdf-n-quads", ox.RdfFormat.N_QUADS, "nquads", ".nq"),
}
#: Where a test's own graphs go (its default graph, its blank-node-named graphs).
HOME = "https://w3id.org/paperkg/test/w3c/"


@dataclass(frozen=True)
class Case:
    """One syntax or evaluation test of a suite."""

    suite: str
    name: str
    positive: bool
    action: Path
    result: Path | None
    base: str

    @property
    def key(self) -> str:
        return f"{self.suite}/{self.name}"


@cache
def cases(suite: str) -> tuple[Case, ...]:
    """The tests of ``suite``'s manifest, in its order."""
    folder = W3C / SUITES[suite][0]
    local = folder.as_uri() + "/"
    manifest = rdflib.Graph().parse(folder / "manifest.ttl", format="turtle", publicID=local)
    base = manifest.value(None, MF.assumedTestBase)
    head = manifest.value(rdflib.URIRef(local), MF.entries)
    assert head is not None, f"no mf:entries in {folder}"
    found = []
    for entry in rdflib.collection.Collection(manifest, head):
        kind = str(manifest.value(entry, rdflib.RDF.type))
        action = Path(urllib.parse.urlsplit(str(manifest.value(entry, MF.action))).path)
        result = manifest.value(entry, MF.result)
        found.append(
            Case(
                suite,
                str(manifest.value(entry, MF.name)),
                "Negative" not in kind,
                action,
                Path(urllib.parse.urlsplit(str(result)).path) if result is not None else None,
                f"{base}{action.name}" if base is not None else action.as_uri(),
            )
        )
    assert found, f"no tests in {folder}"
    return tuple(found)


def positive(suite: str) -> list[Case]:
    return [case for case in cases(suite) if case.positive]


def negative(suite: str) -> list[Case]:
    return [case for case in cases(suite) if not case.positive]


@cache
def expected(case: Case) -> tuple[ox.Quad, ...]:
    """The test's graph in named graphs only: its expected N-Triples, else its input."""
    fmt = SUITES[case.suite][1]
    if case.result is not None:
        quads = ox.parse(path=str(case.result), format=ox.RdfFormat.N_TRIPLES)
    else:
        quads = ox.parse(path=str(case.action), format=fmt, base_iri=case.base)
    home = f"{HOME}{case.key}"
    placed = []
    for quad in quads:
        graph = quad.graph_name
        if isinstance(graph, ox.DefaultGraph):
            graph = ox.NamedNode(home)
        elif isinstance(graph, ox.BlankNode):
            graph = ox.NamedNode(f"{home}/blank-graph/{graph.value}")
        placed.append(ox.Quad(quad.subject, quad.predicate, quad.object, graph))
    return tuple(placed)


# --- comparing graphs -----------------------------------------------------------------------------

RdflibQuad = tuple[rdflib.term.Node, rdflib.term.Node, rdflib.term.Node, str | None]


def from_oxigraph(quads: Iterable[ox.Quad | ox.Triple], with_graphs: bool) -> list[RdflibQuad]:
    out: list[RdflibQuad] = []
    for quad in quads:
        graph = getattr(quad, "graph_name", None)
        name = graph.value if with_graphs and isinstance(graph, ox.NamedNode) else None
        terms = (to_rdflib_term(quad.subject), to_rdflib_term(quad.predicate))
        out.append((*terms, to_rdflib_term(quad.object), name))
    return out


def from_rdflib(dataset: rdflib.Dataset, with_graphs: bool) -> list[RdflibQuad]:
    out: list[RdflibQuad] = []
    for graph in dataset.graphs():
        name = str(graph.identifier)
        keep = name if with_graphs and name != "urn:x-rdflib:default" else None
        out.extend((s, p, o, keep) for s, p, o in graph)
    return out


def same(actual: list[RdflibQuad], wanted: list[RdflibQuad]) -> bool:
    """Isomorphic graph by graph (blank nodes may be renamed; graph names may not)."""

    def graphs(quads: list[RdflibQuad]) -> dict[str | None, rdflib.Graph]:
        found: dict[str | None, rdflib.Graph] = {}
        for s, p, o, g in quads:
            found.setdefault(g, rdflib.Graph()).add((s, p, o))
        return found

    mine, theirs = graphs(actual), graphs(wanted)
    return mine.keys() == theirs.keys() and all(isomorphic(mine[g], theirs[g]) for g in mine)


@cache
def normalised(case: Case) -> tuple[ox.Quad, ...]:
    """The test's graph as an Oxigraph store keeps it: typed literals by value (below)."""
    store = ox.Store()
    store.extend(expected(case))
    return tuple(store)


def want(case: Case, with_graphs: bool, *, through_store: bool = True) -> list[RdflibQuad]:
    return from_oxigraph(normalised(case) if through_store else expected(case), with_graphs)
