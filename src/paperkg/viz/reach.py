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
from .snapshot import canonical_concepts

__all__ = ["reachable_papers"]


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
        for s in _run(store, "reach-from-concepts", "concept", frontier["concept"]):
            found["paper"].add(s["paper"].value)
            if s["other"] is not None:
                found["concept"].add(s["other"].value)
        for s in _run(store, "reach-from-papers", "paper", frontier["paper"]):
            if s["node"] is not None:
                canonical = canonical or canonical_concepts(store)
                found["concept"].add(canonical.get(s["node"].value, s["node"].value))
            for name in ("author", "journal"):
                if s[name] is not None:
                    found["person"].add(s[name].value)
        for s in _run(store, "reach-from-people", "node", frontier["person"]):
            found["paper"].add(s["paper"].value)
        frontier = {name: nodes - seen for name, nodes in found.items()}
        seen.update(*frontier.values())
        papers.update(frontier["paper"])
        if not any(frontier.values()):
            break
    return papers


def _kind(store: PaperStore, node: str) -> str | None:
    for s in _run(store, "node-kind", "node", {node}):
        return str(s["kind"].value)
    return None


def _run(
    store: PaperStore, name: str, variable: str, nodes: Iterable[str]
) -> list[ox.QuerySolution]:
    chosen = sorted(nodes)
    if not chosen:
        return []
    return store.select(name, values={variable: [ox.NamedNode(node) for node in chosen]})
