"""Writing the tallies (:mod:`paperkg.tallies`): marking them stale before a change, and
counting them again after it, the whole graph streamed or only the pairs and concepts a change
touched.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from itertools import chain

import pyoxigraph as ox

from .store import (
    PaperStore,
    index_graph,
    mark_tallies,
    tallies_current,
    tally_graph,
    write_tallies,
)
from .vocab import DEFAULT_BASE_IRI, PKG, RDF

__all__ = ["TALLY_PREDICATES", "begin_tally_update", "canonicals", "refresh_tallies"]

TALLY_PREDICATES = {
    name: ox.NamedNode(str(getattr(PKG, name)))
    for name in (
        "tallyDrug",
        "tallyCondition",
        "tallyConcept",
        "tallyRole",
        "tallyOutcome",
        "tallyDesign",
        "tallyDose",
        "paperCount",
        "findingCount",
        "sizedPaperCount",
        "participantCount",
        "largestSampleSize",
        "indexingAgreement",
        "canonical",
    )
}
_TYPE, _TALLY = ox.NamedNode(str(RDF.type)), ox.NamedNode(str(PKG.Tally))


_P = TALLY_PREDICATES


def begin_tally_update(store: PaperStore, base_iri: str = DEFAULT_BASE_IRI) -> bool:
    """Mark the tallies stale before a writer's first change; ``True`` if they were current
    (an incremental recount will do), ``False`` if absent or left stale by a killed writer.
    """
    current = tallies_current(store) is True
    mark_tallies(store, tally_graph(base_iri), stale=True)
    return current


def refresh_tallies(
    store: PaperStore,
    base_iri: str = DEFAULT_BASE_IRI,
    *,
    nodes: Iterable[str] | None = None,
    regrouped: frozenset[str] | None = None,
) -> None:
    """Recount after a change and mark the tallies current. ``nodes``: the concept nodes of the
    record graphs written or dropped; ``regrouped``: the concepts the index update moved nodes
    between (:attr:`paperkg.concepts.ConceptIndexReport.regrouped`). Either ``None``: all.
    """
    graph = tally_graph(base_iri)
    if nodes is None or regrouped is None:
        # The whole graph streams: counted a solution at a time, written in steps.
        write_tallies(store, graph, _counted(store, graph, base_iri, None, None))
    else:
        index = index_graph(base_iri)
        touched = set(canonicals(store, nodes, index)) | set(regrouped)
        if touched:
            drugs = sorted(touched)
            counted = _counted(store, graph, base_iri, drugs, None)
            if regrouped:
                counted = chain(counted, _counted(store, graph, base_iri, None, sorted(regrouped)))
            quads = list(dict.fromkeys(counted))
            replacing = set(_tally_nodes(store, graph, drugs, sorted(regrouped), drugs))
            replacing |= {q.subject for q in quads if isinstance(q.subject, ox.NamedNode)}
            write_tallies(store, graph, quads, replacing=sorted(replacing, key=str))
    mark_tallies(store, graph, stale=False)


def canonicals(store: PaperStore, nodes: Iterable[str], index: ox.NamedNode) -> Iterator[str]:
    """The canonical concepts the concept index groups ``nodes`` under."""
    for node in set(nodes):
        for quad in store.quads_for_pattern(ox.NamedNode(node), _P["canonical"], None, index):
            if isinstance(quad.object, ox.NamedNode):
                yield quad.object.value


def _tally_nodes(
    store: PaperStore,
    graph: ox.NamedNode,
    drugs: Sequence[str],
    conditions: Sequence[str],
    concepts: Sequence[str],
) -> Iterator[ox.NamedNode]:
    """The tally nodes in the scope of a recount: of those drugs, conditions and concepts."""
    for predicate, values in (
        ("tallyDrug", drugs),
        ("tallyCondition", conditions),
        ("tallyConcept", concepts),
    ):
        for value in values:
            for quad in store.quads_for_pattern(None, _P[predicate], ox.NamedNode(value), graph):
                if isinstance(quad.subject, ox.NamedNode):
                    yield quad.subject


def _counted(
    store: PaperStore,
    graph: ox.NamedNode,
    base_iri: str,
    drugs: Sequence[str] | None,
    conditions: Sequence[str] | None,
) -> Iterator[ox.Quad]:
    """The tally statements of the pairs of ``drugs`` (or of ``conditions``; both ``None``:
    all pairs) and of the concepts among them, counted from the findings, as each counting
    query's solutions come: a list of every statement of a whole recount held 65 MiB more at
    10,000 records. A pair's type statement comes again with each of its doses.
    """
    values = {
        "drug": None if drugs is None else [ox.NamedNode(d) for d in drugs],
        "condition": None if conditions is None else [ox.NamedNode(c) for c in conditions],
    }

    def tally(kind: str, *parts: ox.NamedNode | ox.Literal | None) -> ox.NamedNode:
        key = "|".join("" if part is None else part.value for part in parts)
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
        return ox.NamedNode(f"{base_iri}tally/{kind}/{digest}")

    def stated(
        node: ox.NamedNode, *facts: tuple[str, ox.NamedNode | ox.Literal | None]
    ) -> Iterator[ox.Quad]:
        yield ox.Quad(node, _TYPE, _TALLY, graph)
        for predicate, value in facts:
            if value is not None:
                yield ox.Quad(node, _P[predicate], value, graph)

    for s in store.solutions("tally-pairs", values=values):
        yield from stated(
            tally("pair", s["drug"], s["condition"]),
            ("tallyDrug", s["drug"]),
            ("tallyCondition", s["condition"]),
            ("paperCount", s["papers"]),
            ("sizedPaperCount", s["known"]),
            ("participantCount", s["participants"]),
            ("largestSampleSize", s["largest"]),
        )
    for s in store.solutions("tally-pair-outcomes", values=values):
        yield from stated(
            tally("outcome", s["drug"], s["condition"], s["outcome"]),
            ("tallyDrug", s["drug"]),
            ("tallyCondition", s["condition"]),
            ("tallyOutcome", s["outcome"]),
            ("paperCount", s["papers"]),
            ("findingCount", s["findings"]),
        )
    for s in store.solutions("tally-pair-designs", values=values):
        yield from stated(
            tally("design", s["drug"], s["condition"], s["design"]),
            ("tallyDrug", s["drug"]),
            ("tallyCondition", s["condition"]),
            ("tallyDesign", s["design"]),  # none: no design stated
            ("paperCount", s["papers"]),
        )
    for s in store.solutions("tally-pair-indexing", values=values):
        yield from stated(
            tally("agreement", s["drug"], s["condition"], s["agreement"]),
            ("tallyDrug", s["drug"]),
            ("tallyCondition", s["condition"]),
            ("indexingAgreement", s["agreement"]),  # none: a citation without indexing
            ("paperCount", s["papers"]),
            ("findingCount", s["findings"]),
        )
    for s in store.solutions("tally-pair-doses", values=values):
        yield from stated(tally("pair", s["drug"], s["condition"]), ("tallyDose", s["dose"]))
    concepts = None
    if drugs is not None or conditions is not None:
        concepts = [ox.NamedNode(c) for c in [*(drugs or ()), *(conditions or ())]]
    for s in store.solutions("tally-concepts", values={"concept": concepts}):
        yield from stated(
            tally("concept", s["concept"], s["role"]),
            ("tallyConcept", s["concept"]),
            ("tallyRole", s["role"]),
            ("paperCount", s["papers"]),
        )
