"""Which papers a whole-store papers view holds: all of them up to :data:`SHOWN_PAPERS`, else
the most recent ones, read without reading the rest.

No one reads a picture or a Gephi file of 100,000 papers with their authors and journals, and
drawing one read every finding of the store (36 s at 10,000 records). Past
:data:`SHOWN_PAPERS` papers, the view keeps the most recent ones (latest year first, undated
last, then by IRI: the order in which the explorer picks the papers it embeds for an edge) and
says how many it leaves out; ``--focus`` and the filters reach the others. The papers come from
a query that lists the dated papers latest first, read only until the view is full; their
record graphs are copied into a store in memory and the view is read from that (the views'
queries restricted to listed papers took three times as long at 10,000 records; 100 papers'
authors alone took 1.7 s).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import TYPE_CHECKING

import pyoxigraph as ox

from ..resources import internal_query
from ..store import PaperStore, term_text
from ..vocab import PKG
from .snapshot import Snapshot, canonical_concepts, read_concepts, read_snapshot

if TYPE_CHECKING:
    import networkx as nx

    from .views import ViewFilter

__all__ = ["SHOWN_PAPERS", "latest_kept", "latest_papers", "read_papers", "say_left_out"]

#: Papers a whole-store papers view holds at most; with their drugs, conditions, species,
#: authors and journals that is some 3,000 nodes, ten times what a picture keeps.
SHOWN_PAPERS = 500

_DESCRIBES = ox.NamedNode(str(PKG.describes))


def latest_papers(store: PaperStore, most: int | None = None) -> tuple[list[str], int] | None:
    """The ``most`` (:data:`SHOWN_PAPERS`) most recent papers of the store, latest first, and
    how many papers it holds; ``None`` if it holds no more than ``most``.
    """
    most = SHOWN_PAPERS if most is None else most
    counted = store.select("view-paper-count")
    total = int(term_text(counted[0]["papers"])) if counted else 0
    if total <= most:
        return None
    # read as they come: Oxigraph sorts every date, Python sees only the first rows
    dated = _dated(store.query(internal_query("view-dated-papers")), store, most)
    if len(dated) < most:  # too few dated papers: the undated follow, by IRI
        shown = set(dated)
        undated = (term_text(s["paper"]) for s in store.select("view-undated-papers"))
        dated += [paper for paper in undated if paper not in shown][: most - len(dated)]
    return dated, total


def _dated(rows: Iterable[ox.QuerySolution], store: PaperStore, most: int) -> list[str]:
    """The ``most`` most recent papers of ``rows`` (dates latest first), by year and IRI: the
    rows are read to the end of the year that fills the view, no further.
    """
    years: dict[str, int] = {}
    floor = None
    for row in rows:
        issued = term_text(row["issued"])
        if not issued[:4].isdigit():
            continue  # undated in the view
        year, paper = int(issued[:4]), row["paper"]
        if floor is not None and year < floor:
            break
        if paper.value not in years and _describes(store, row["g"], paper):
            years[paper.value] = year
            if len(years) == most:
                floor = year
    return sorted(years, key=lambda p: (-years[p], p))[:most]


def _describes(store: PaperStore, graph: object, paper: object) -> bool:
    """Whether ``graph`` is the record graph of ``paper`` (a date stated elsewhere is not)."""
    if not isinstance(graph, ox.NamedNode) or not isinstance(paper, ox.NamedNode):
        return False
    return any(True for _ in store.quads_for_pattern(graph, _DESCRIBES, paper, graph))


def read_papers(store: PaperStore, papers: Iterable[str]) -> Snapshot:
    """What the views need of ``papers``: their record graphs copied into a store in memory
    and read whole there, with the concepts of ``store``.
    """
    graphs = {
        quad.graph_name
        for paper in sorted(set(papers))
        for quad in store.quads_for_pattern(None, _DESCRIBES, ox.NamedNode(paper))
        if quad.subject == quad.graph_name and isinstance(quad.graph_name, ox.NamedNode)
    }
    with PaperStore() as copy:
        copy.add_quads(
            quad
            for graph in sorted(graphs, key=lambda node: node.value)
            for quad in store.graph_quads(graph)
        )
        snapshot = read_snapshot(copy, canonical=canonical_concepts(store), concepts=False)
    snapshot.concepts = read_concepts(store)
    return snapshot


def latest_kept(
    snapshot: Snapshot, filters: ViewFilter, most: int | None = None
) -> tuple[Snapshot, int]:
    """``snapshot`` cut to the ``most`` most recent papers with a finding ``filters`` keep, and
    how many papers have one (a filtered view reads the whole store, then draws no more).
    """
    most = SHOWN_PAPERS if most is None else most
    kept = {
        finding.paper
        for finding in snapshot.findings
        if finding.paper in snapshot.papers
        and filters.keeps(snapshot.papers[finding.paper], finding.outcome)
    }
    if len(kept) <= most:
        return snapshot, len(kept)
    ranked = sorted(kept, key=lambda p: (-(snapshot.papers[p].year or -1), p))[:most]
    papers = {iri: snapshot.papers[iri] for iri in sorted(ranked)}
    return dataclasses.replace(snapshot, papers=papers), len(kept)


def say_left_out(graph: nx.DiGraph[str], papers: int) -> nx.DiGraph[str]:
    """``graph``, saying (``more_papers``, title) how many of ``papers`` it leaves out."""
    shown = sum(1 for _, data in graph.nodes(data=True) if data["kind"] == "paper")
    if papers > shown:
        graph.graph.update(
            more_papers=papers - shown,
            title=f"The {shown:,} most recent of {papers:,} papers: what they gave and studied, "
            "who wrote them",
        )
    return graph
