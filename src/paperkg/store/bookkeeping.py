"""The graphs a store keeps about its own work beside the record graphs: the concept index
(updated after each build), the tallies (counts kept at ingest), the validation log and one push
log per endpoint.

They are named under the store's base IRI (``<base>graph/concepts``, ``<base>graph/tallies``,
``<base>graph/validation``, ``<base>graph/push/<digest>``), so they travel with the data they
describe. Export and push leave the tallies and logs out (:func:`local_graphs`); the concept
index is data and goes with the records.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable, Mapping

import pyoxigraph as ox

from ..vocab import DEFAULT_BASE_IRI, PKG
from .paper_store import PaperStore

__all__ = [
    "forget_validation",
    "index_graph",
    "index_graphs",
    "local_graphs",
    "log_pushes",
    "log_validation",
    "mark_tallies",
    "push_log_graph",
    "read_push_log",
    "store_base_iri",
    "tallies_current",
    "tally_graph",
    "tally_graphs",
    "validation_graph",
    "validation_graphs",
    "validation_log",
    "write_concept_index",
    "write_tallies",
]

_ANY_URI = ox.NamedNode("http://www.w3.org/2001/XMLSchema#anyURI")


def index_graph(base_iri: str = DEFAULT_BASE_IRI) -> ox.NamedNode:
    """The named graph that holds the concept index."""
    return ox.NamedNode(f"{base_iri}graph/concepts")


def index_graphs(store: PaperStore) -> list[str]:
    """The concept index graph(s) in the store: where the ``pkg:canonical`` links are."""
    found = {
        quad.graph_name.value
        for quad in store.quads_for_pattern(None, ox.NamedNode(str(PKG.canonical)), None)
        if isinstance(quad.graph_name, ox.NamedNode)
    }
    return sorted(found)


def write_concept_index(
    store: PaperStore,
    graph: ox.NamedNode,
    quads: Iterable[ox.Quad],
    *,
    replacing: Iterable[ox.NamedNode] | None = None,
) -> None:
    """Write the concept index in one transaction: the whole graph, or (``replacing``) only
    what those nodes state in it.
    """
    if replacing is None:
        store.replace_graph(graph, quads)
    else:
        store.replace_statements(graph, replacing, quads)


def tally_graph(base_iri: str = DEFAULT_BASE_IRI) -> ox.NamedNode:
    """The named graph that holds the tallies (counts kept at ingest)."""
    return ox.NamedNode(f"{base_iri}graph/tallies")


def _tally_marks(store: PaperStore) -> list[ox.Quad]:
    return list(store.quads_for_pattern(None, ox.NamedNode(str(PKG.talliesStale)), None))


def tally_graphs(store: PaperStore) -> list[ox.NamedNode]:
    """The tally graph(s) in the store, whatever its base IRI: where the stale mark is."""
    named = {q.graph_name for q in _tally_marks(store) if isinstance(q.graph_name, ox.NamedNode)}
    return sorted(named, key=lambda node: node.value)


def tallies_current(store: PaperStore) -> bool | None:
    """``True`` if the tallies match the store, ``False`` if a writer is at work (or was killed
    at work), ``None`` if the store has none (built before paperkg kept them).
    """
    marks = _tally_marks(store)
    if not marks:
        return None
    return all(isinstance(q.object, ox.Literal) and q.object.value == "false" for q in marks)


def mark_tallies(store: PaperStore, graph: ox.NamedNode, *, stale: bool) -> None:
    """State whether the tallies in ``graph`` are stale, in one small transaction: a writer
    marks them stale before its first record write and current after its last recount.
    """
    store.replace_statements(
        graph,
        [graph],
        [ox.Quad(graph, ox.NamedNode(str(PKG.talliesStale)), ox.Literal(stale), graph)],
        predicate=ox.NamedNode(str(PKG.talliesStale)),
    )


#: Statements per transaction when the whole tally graph is written.
TALLY_CHUNK = 20_000


def write_tallies(
    store: PaperStore,
    graph: ox.NamedNode,
    quads: Iterable[ox.Quad],
    *,
    replacing: Iterable[ox.NamedNode] | None = None,
) -> None:
    """Write tallies: the whole graph (marked stale until the writer marks it current, see
    :func:`mark_tallies`), or (``replacing``) only what those tally nodes state, in one
    transaction.

    The whole graph goes in steps of :data:`TALLY_CHUNK` statements a transaction, ``quads``
    taken as they come: marked stale first, the old statements dropped, the new ones added.
    Until the writer marks it current the store's tallies are stale, which readers and the next
    writer take as absent (count from the findings; recount all), so no reader ever uses half
    of them. At 10,000 records one update text of every count cost 565 MiB, dropping the old
    graph in one transaction 220 MiB; the steps count towards the store's flushes, without
    which what they write stays in memory.
    """
    if replacing is None:
        mark_tallies(store, graph, stale=True)
        stale = ox.NamedNode(str(PKG.talliesStale))
        old = (q for q in store.graph_quads(graph) if q.predicate != stale)
        while chunk := list(itertools.islice(old, TALLY_CHUNK)):
            store.remove_quads(chunk)
        while chunk := list(itertools.islice(quads, TALLY_CHUNK)):
            store.add_quads(chunk)
    else:
        store.replace_statements(graph, replacing, quads)


def validation_graph(base_iri: str = DEFAULT_BASE_IRI) -> ox.NamedNode:
    """The named graph that logs which build key of each record graph was validated."""
    return ox.NamedNode(f"{base_iri}graph/validation")


def validation_graphs(store: PaperStore) -> list[ox.NamedNode]:
    """The validation log graph(s) in the store, whatever its base IRI: where the
    ``pkg:validatedBuildKey`` statements are.
    """
    return sorted((s["g"] for s in store.select("validation-graphs")), key=lambda n: n.value)


def store_base_iri(store: PaperStore) -> str:
    """The base IRI the store was built with, read from its graph names (the concept index
    ``<base>graph/concepts``, else a record graph ``<base>graph/KEY`` describing
    ``<base>paper/KEY``), so logs kept beside the data share its base; the default if empty.
    """
    for name in index_graphs(store):
        if name.endswith("graph/concepts"):
            return name.removesuffix("graph/concepts")
    describes = ox.NamedNode(str(PKG.describes))
    for quad in store.quads_for_pattern(None, describes, None):
        graph, paper = quad.subject, quad.object
        if not (isinstance(graph, ox.NamedNode) and isinstance(paper, ox.NamedNode)):
            continue
        start = graph.value.find("graph/")
        while start >= 0:
            if f"{graph.value[:start]}paper/{graph.value[start + 6 :]}" == paper.value:
                return graph.value[:start]
            start = graph.value.find("graph/", start + 1)
    return DEFAULT_BASE_IRI


def validation_log(store: PaperStore) -> ox.NamedNode:
    """The validation log graph to write to: the store's own, else a new one beside its data."""
    existing = validation_graphs(store)
    return existing[0] if existing else validation_graph(store_base_iri(store))


def log_validation(
    store: PaperStore,
    checked: Mapping[ox.NamedNode, tuple[str, bool]],
    log: ox.NamedNode | None = None,
) -> None:
    """Log the build key and conformance of each validated record graph, in one transaction,
    in ``log`` (default :func:`validation_log`, looked up: a writer logging many times
    looks it up once).

    A read-only store is validated without logging (stats then report those graphs unchecked).
    """
    if not checked or store.read_only:
        return
    log = log if log is not None else validation_log(store)
    validated, conforms = ox.NamedNode(str(PKG.validatedBuildKey)), ox.NamedNode(str(PKG.conforms))
    quads = [
        quad
        for node, (key, ok) in checked.items()
        for quad in (
            ox.Quad(node, validated, ox.Literal(key), log),
            ox.Quad(node, conforms, ox.Literal(ok), log),
        )
    ]
    store.replace_statements(log, checked, quads)


def forget_validation(store: PaperStore, graphs: Iterable[ox.NamedNode]) -> None:
    """Drop the validation log entries of record graphs that are gone from the store."""
    chosen = list(graphs)
    if not chosen or store.read_only:
        return
    for log in validation_graphs(store):
        store.replace_statements(log, chosen, ())


def push_log_graph(store: PaperStore, endpoint: str) -> ox.NamedNode:
    """The push log graph of ``endpoint``: which graph was pushed there with which build key."""
    digest = hashlib.sha256(endpoint.encode("utf-8")).hexdigest()[:16]
    return ox.NamedNode(f"{store_base_iri(store)}graph/push/{digest}")


def read_push_log(store: PaperStore, log: ox.NamedNode) -> dict[str, str]:
    """Graph IRI -> the build key it had when last pushed, from the push log graph ``log``."""
    pushed = ox.NamedNode(str(PKG.pushedBuildKey))
    return {
        quad.subject.value: quad.object.value
        for quad in store.quads_for_pattern(None, pushed, None, log)
        if isinstance(quad.subject, ox.NamedNode) and isinstance(quad.object, ox.Literal)
    }


def log_pushes(
    store: PaperStore, log: ox.NamedNode, endpoint: str, entries: Mapping[str, str | None]
) -> None:
    """Note in one transaction which graphs were pushed (with their build key) or deleted
    (``None``) at ``endpoint``.
    """
    pushed = ox.NamedNode(str(PKG.pushedBuildKey))
    quads = [
        ox.Quad(
            log, ox.NamedNode(str(PKG.pushEndpoint)), ox.Literal(endpoint, datatype=_ANY_URI), log
        )
    ]
    quads.extend(
        ox.Quad(ox.NamedNode(graph), pushed, ox.Literal(key), log)
        for graph, key in entries.items()
        if key is not None
    )
    store.replace_statements(
        log, (ox.NamedNode(graph) for graph in entries), quads, predicate=pushed
    )


def local_graphs(store: PaperStore) -> list[ox.NamedNode]:
    """The tally, validation and push log graphs of ``store``, sorted by IRI."""
    logs = {s["g"] for s in store.select("push-log-graphs")} | set(validation_graphs(store))
    logs |= set(tally_graphs(store))
    return sorted(logs, key=lambda node: node.value)
