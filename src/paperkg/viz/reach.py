"""What a neighbourhood view needs from the store, found without reading the whole store.

A breadth-first walk over the links the views draw (paper–drug and paper–condition through
findings, paper–condition through ``pkg:studiesCondition``, paper–species, author–paper,
paper–journal, and drug–condition through findings), one SPARQL query per kind of node and
step, gives the papers within ``steps`` of the focus. The views then read only those papers.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from ..store import PaperStore
from ..vocab import PKG
from .snapshot import canonical_concepts

__all__ = ["find_named", "reachable_papers"]

_PREFIXES = f"""PREFIX pkg: <{PKG._NS}>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
"""

# From concepts (canonical IRIs): the papers and the concepts one finding away.
_FROM_CONCEPTS = """SELECT DISTINCT ?paper ?other WHERE {
  VALUES ?concept { {nodes} }
  { ?node pkg:canonical ?concept .
    GRAPH ?g { ?finding pkg:paper ?paper ; pkg:drug|pkg:condition ?node .
               OPTIONAL { ?finding pkg:drug|pkg:condition ?other_node .
                          FILTER(?other_node != ?node) } }
    OPTIONAL { ?other_node pkg:canonical ?other } }
  UNION { ?node pkg:canonical ?concept . GRAPH ?g { ?paper pkg:studiesCondition ?node } }
  UNION { GRAPH ?g { ?paper pkg:studiesCondition ?concept } }
  UNION { ?node pkg:canonical ?concept .
          GRAPH ?g { ?paper a pkg:Paper ; pkg:mentions ?node . ?node a pkg:Species } } }"""

# From papers: their concept nodes (made canonical in Python), authors and journal. The VALUES
# list goes inside each GRAPH, first: outside, Oxigraph took 13 ms per paper.
_FROM_PAPERS = """SELECT DISTINCT ?node ?author ?journal WHERE {
  { GRAPH ?g { VALUES ?paper { {nodes} }
               ?finding pkg:paper ?paper ; pkg:drug|pkg:condition ?node } }
  UNION { GRAPH ?g { VALUES ?paper { {nodes} } ?paper pkg:studiesCondition ?node } }
  UNION { GRAPH ?g { VALUES ?paper { {nodes} } ?paper pkg:mentions ?node . ?node a pkg:Species } }
  UNION { GRAPH ?g { VALUES ?paper { {nodes} } ?paper dcterms:creator ?author } }
  UNION { GRAPH ?g { VALUES ?paper { {nodes} } ?paper dcterms:isPartOf ?journal } } }"""

# From authors and journals: their papers.
_FROM_PEOPLE = """SELECT DISTINCT ?paper WHERE {
  GRAPH ?g { VALUES ?node { {nodes} }
             ?paper dcterms:creator|dcterms:isPartOf ?node . ?paper a pkg:Paper } }"""

_KIND = """SELECT ?kind WHERE {
  VALUES ?node { {nodes} }
  { ?node pkg:conceptIds ?ids BIND("concept" AS ?kind) }
  UNION { GRAPH ?g { ?g pkg:describes ?node } BIND("paper" AS ?kind) }
  UNION { GRAPH ?g { ?paper dcterms:creator ?node } BIND("person" AS ?kind) }
  UNION { GRAPH ?g { ?paper dcterms:isPartOf ?node } BIND("person" AS ?kind) } } LIMIT 1"""

_NAMED = """SELECT DISTINCT ?node ?wanted WHERE {
  { GRAPH ?g { ?node foaf:name ?name } } UNION { GRAPH ?g { ?node a pkg:Journal ;
                                                              dcterms:title ?name } }
  FILTER(LCASE(STR(?name)) = ?wanted) }"""


def reachable_papers(store: PaperStore, start: str, steps: int) -> set[str]:
    """The papers within ``steps`` links of ``start`` (a concept, paper, author or journal)."""
    kind = _kind(store, start)
    if kind is None:
        return set()
    frontier: dict[str, set[str]] = {"concept": set(), "paper": set(), "person": set()}
    frontier[kind].add(start)
    seen = {start}
    papers = {start} if kind == "paper" else set()
    canonical: dict[str, str] = {}
    for _ in range(steps):
        found: dict[str, set[str]] = {"concept": set(), "paper": set(), "person": set()}
        for s in _run(store, _FROM_CONCEPTS, frontier["concept"]):
            found["paper"].add(s["paper"].value)
            if s["other"] is not None:
                found["concept"].add(s["other"].value)
        for s in _run(store, _FROM_PAPERS, frontier["paper"]):
            if s["node"] is not None:
                canonical = canonical or canonical_concepts(store)
                found["concept"].add(canonical.get(s["node"].value, s["node"].value))
            for name in ("author", "journal"):
                if s[name] is not None:
                    found["person"].add(s[name].value)
        for s in _run(store, _FROM_PEOPLE, frontier["person"]):
            found["paper"].add(s["paper"].value)
        frontier = {name: nodes - seen for name, nodes in found.items()}
        seen.update(*frontier.values())
        papers.update(frontier["paper"])
        if not any(frontier.values()):
            break
    return papers


def find_named(store: PaperStore, text: str) -> list[str]:
    """Authors and journals whose name is ``text`` (case-insensitive), sorted."""
    wanted = {ox.Variable("wanted"): ox.Literal(text.strip().lower())}
    # ?wanted is projected: pyoxigraph binds only variables the query selects.
    return sorted(str(s["node"].value) for s in store.query(_PREFIXES + _NAMED, wanted))


def _kind(store: PaperStore, node: str) -> str | None:
    for s in _run(store, _KIND, {node}):
        return str(s["kind"].value)
    return None


def _run(store: PaperStore, template: str, nodes: Iterable[str]) -> list[ox.QuerySolution]:
    chosen = sorted(nodes)
    if not chosen:
        return []
    # IRIs are written by pyoxigraph (N-Triples syntax), never pasted from user text.
    values = " ".join(str(ox.NamedNode(node)) for node in chosen)
    return list(store.query(_PREFIXES + template.replace("{nodes}", values)))
