"""Concepts across records: one drug or condition is one concept, whatever identifiers it came with.

Each record graph names its concepts by their best identifier, so a drug that one record gives
with MeSH and another only with a PubChem CID (or with no identifier at all) would be two nodes.
After a build, the concept index links every concept node to one canonical node of its concept:
nodes of one kind that share an identifier are one concept, and so are nodes with the same label
unless joining them would put two different identifiers of one prefix together (two diseases a
corpus writes "bleeding" stay two), and so are nodes whose identifiers a user's mapping set
(``build --mappings``, :mod:`.mappings_sssom`) declares exact matches: the canonical node then
links (``pkg:mergedBy``) to the mappings that joined it; a mapping's broad or narrow match links
the members of the narrower concept to the broader one by ``skos:broadMatch``, as records link
their broader concepts. Named queries group by the canonical node. Conflicts (one
concept, two identifiers of one kind, joined through another shared identifier) are kept and
reported, never merged away: that is how a wrong PubChem CID in one record comes to light.

The index is its own named graph (``<base>graph/concepts``), rebuilt in one transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox

from .extraction.concepts import conflicting_prefixes
from .identifiers import CANONICAL_PREFIXES, IDENTIFIER_PRIORITY, curie_to_iri, lookup_key
from .mappings_sssom import MappingLinks, mapping_links
from .model import EntityKind
from .store import PaperStore, index_graph, term_text, write_concept_index
from .vocab import DEFAULT_BASE_IRI, PKG, RDF, RDFS, SKOS

__all__ = ["ConceptIndexReport", "IdentifierConflict", "concept_nodes", "reconcile_concepts"]

_KIND_OF = {
    str(PKG.Chemical): EntityKind.CHEMICAL,
    str(PKG.Condition): EntityKind.DISEASE,
    str(PKG.Species): EntityKind.SPECIES,
}
_KINDS = tuple(_KIND_OF)
#: IRI prefixes of the preferred identifier per kind (the order concept keys are chosen by).
_PREFERRED = {
    kind: tuple(CANONICAL_PREFIXES[prefix][0] for prefix in IDENTIFIER_PRIORITY[entity])
    for kind, entity in _KIND_OF.items()
}


@dataclass(frozen=True, slots=True)
class IdentifierConflict:
    """One concept that carries several identifiers of one kind (e.g. two PubChem CIDs)."""

    concept: str
    label: str
    prefix: str
    identifiers: tuple[str, ...]

    def __str__(self) -> str:
        return (
            f"{self.label} ({self.concept}) has {len(self.identifiers)} {self.prefix} "
            f"identifiers: {', '.join(self.identifiers)}"
        )


@dataclass(frozen=True, slots=True)
class ConceptIndexReport:
    """How many concept nodes were grouped into how many concepts, and the conflicts found."""

    nodes: int
    concepts: int
    conflicts: tuple[IdentifierConflict, ...]
    #: The canonical concepts, before and after, of nodes the update moved to another concept
    #: (what counts kept per concept must recount); ``None`` after a full rebuild (all of them).
    regrouped: frozenset[str] | None = field(default=None, compare=False)


class _Groups:
    """Union-find over concept nodes that knows each group's identifiers by prefix."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}
        self.ids: dict[str, dict[str, set[str]]] = {}

    def add(self, node: str, curies: Iterable[str]) -> None:
        self.parent.setdefault(node, node)
        by_prefix = self.ids.setdefault(node, {})
        for curie in curies:
            by_prefix.setdefault(curie.partition(":")[0], set()).add(curie)

    def find(self, node: str) -> str:
        self.parent.setdefault(node, node)
        root = node
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[node] != root:
            self.parent[node], node = root, self.parent[node]
        return root

    def union(self, nodes: Iterable[str], *, shared_id: bool = False) -> None:
        """Join nodes; without a shared identifier only where no prefix gets two id sets."""
        items = sorted(nodes)
        for other in items[1:]:
            first, second = self.find(items[0]), self.find(other)
            if first == second:
                continue
            a, b = self.ids.setdefault(first, {}), self.ids.setdefault(second, {})
            if not shared_id and conflicting_prefixes(a, b):
                continue
            keep, drop = min(first, second), max(first, second)
            self.parent[drop] = keep
            for prefix, curies in self.ids[drop].items():
                self.ids[keep].setdefault(prefix, set()).update(curies)


def reconcile_concepts(
    store: PaperStore,
    *,
    base_iri: str = DEFAULT_BASE_IRI,
    graphs: Iterable[ox.NamedNode] | None = None,
    nodes: Iterable[str] = (),
) -> ConceptIndexReport:
    """Bring the concept index up to date and report on all of it.

    With ``graphs`` (the record graphs a build wrote or replaced) and ``nodes`` (the concept
    nodes of graphs it replaced or removed, read before: what they said about a node may be
    gone), only those concepts, the nodes they can be joined with and nodes no record names any
    more are regrouped: the index comes out as a full rebuild would make it, at a cost that
    follows what changed. Without ``graphs``, the whole index is rebuilt.
    """
    graph = index_graph(base_iri)
    links = mapping_links(store)
    if graphs is None or not any(True for _ in store.quads_for_pattern(None, None, None, graph)):
        kinds = _all_concept_nodes(store, graph)
        quads, _, _ = _grouped(store, kinds, graph, links)
        write_concept_index(store, graph, quads)
        return _index_report(store, graph, None)
    kinds, orphans = _affected_nodes(store, graph, graphs, nodes, links)
    quads, old, new = _grouped(store, kinds, graph, links)
    for orphan in orphans:
        old.update(_canonical_of(store, [orphan], graph))
    stale = set(kinds) | orphans | set(old.values())
    replacing = [ox.NamedNode(node) for node in sorted(stale)]
    write_concept_index(store, graph, quads, replacing=replacing)
    regrouped = {
        concept
        for node in set(old) | set(new)
        if old.get(node) != new.get(node)
        for concept in (old.get(node), new.get(node))
        if concept is not None
    }
    return _index_report(store, graph, frozenset(regrouped))


def concept_nodes(store: PaperStore, graph: ox.NamedNode) -> set[str]:
    """The concept nodes a record graph names (read them before replacing or removing it)."""
    return {
        quad.subject.value
        for quad in store.quads_for_pattern(None, ox.NamedNode(str(RDF.type)), None, graph)
        if isinstance(quad.subject, ox.NamedNode) and term_text(quad.object) in _KIND_OF
    }


def _all_concept_nodes(store: PaperStore, index: ox.NamedNode) -> dict[str, str]:
    kinds: dict[str, str] = {}
    for kind in _KINDS:
        for quad in _pattern(store, None, str(RDF.type), ox.NamedNode(kind)):
            if isinstance(quad.subject, ox.NamedNode) and quad.graph_name != index:
                kinds.setdefault(quad.subject.value, kind)
    return kinds


def _kind_of(store: PaperStore, node: str, index: ox.NamedNode) -> str | None:
    """The node's kind (the first of _KINDS it has outside the index), ``None`` if no record
    names it any more.
    """
    found = {
        quad.object.value
        for quad in _pattern(store, ox.NamedNode(node), str(RDF.type), None)
        if quad.graph_name != index and isinstance(quad.object, ox.NamedNode)
    }
    return next((kind for kind in _KINDS if kind in found), None)


def _affected_nodes(
    store: PaperStore,
    index: ox.NamedNode,
    graphs: Iterable[ox.NamedNode],
    nodes: Iterable[str],
    links: MappingLinks,
) -> tuple[dict[str, str], set[str]]:
    """The concept nodes of ``graphs`` and ``nodes``, closed under the joins of the grouping (a
    shared identifier or label of one kind, a mapping) and under their old groups, so that
    regrouping them gives what a full rebuild gives; and those of them no record names any more.
    """
    kinds: dict[str, str] = {}
    frontier: list[str] = list(nodes)
    for name in graphs:
        frontier.extend(concept_nodes(store, name))
    orphans: set[str] = set()
    while frontier:
        node = frontier.pop()
        if node in kinds or node in orphans:
            continue
        frontier.extend(_group_of(store, node, index))  # its old group is regrouped whole
        kind = _kind_of(store, node, index)
        if kind is None:  # no record names it any more: its index statements go
            orphans.add(node)
            continue
        kinds[node] = kind
        frontier.extend(_joinable(store, node, kind, index, links))
    return kinds, orphans


def _group_of(store: PaperStore, node: str, index: ox.NamedNode) -> list[str]:
    """The members of the indexed group ``node`` belongs to."""
    canonical = ox.NamedNode(str(PKG.canonical))
    targets = [
        q.object for q in store.quads_for_pattern(ox.NamedNode(node), canonical, None, index)
    ]
    return [
        q.subject.value
        for target in targets
        if isinstance(target, ox.NamedNode)
        for q in store.quads_for_pattern(None, canonical, target, index)
        if isinstance(q.subject, ox.NamedNode)
    ]


def _joinable(
    store: PaperStore, node: str, kind: str, index: ox.NamedNode, links: MappingLinks
) -> set[str]:
    """Nodes of ``kind`` that share an identifier or a label with ``node``, or that a mapping
    ties to one of its identifiers (their links are rewritten with it).
    """
    subject = ox.NamedNode(node)
    found: set[str] = set()
    for quad in _pattern(store, subject, str(PKG.curie), None):
        if not isinstance(quad.object, ox.Literal):
            continue
        found |= _carrying(store, [quad.object.value, *links.linked(quad.object.value)], index)
    labels = {
        lookup_key(q.object.value)
        for q in _pattern(store, subject, str(RDFS.label), None)
        if isinstance(q.object, ox.Literal)
    }
    for key in labels:
        # every label's key is among a node's lookup keys: candidates, checked by their labels
        for candidate in _pattern(store, None, str(PKG.lookupKey), ox.Literal(key)):
            other = candidate.subject
            if not isinstance(other, ox.NamedNode) or candidate.graph_name == index:
                continue
            other_labels = _pattern(store, other, str(RDFS.label), None)
            if any(lookup_key(term_text(q.object)) == key for q in other_labels):
                found.add(other.value)
    return {other for other in found if _kind_of(store, other, index) == kind}


def _carrying(store: PaperStore, curies: Iterable[str], index: ox.NamedNode) -> set[str]:
    """The concept nodes records give any of ``curies``."""
    return {
        same.subject.value
        for curie in curies
        for same in _pattern(store, None, str(PKG.curie), ox.Literal(curie))
        if isinstance(same.subject, ox.NamedNode) and same.graph_name != index
    }


def _canonical_of(store: PaperStore, nodes: Iterable[str], graph: ox.NamedNode) -> dict[str, str]:
    """Each node's canonical node in the index as it stands."""
    return {
        node: quad.object.value
        for node in nodes
        for quad in store.quads_for_pattern(
            ox.NamedNode(node), ox.NamedNode(str(PKG.canonical)), None, graph
        )
        if isinstance(quad.object, ox.NamedNode)
    }


def _grouped(
    store: PaperStore, kinds: dict[str, str], graph: ox.NamedNode, links: MappingLinks
) -> tuple[Iterator[ox.Quad], dict[str, str], dict[str, str]]:
    """The index statements for the concept nodes ``kinds`` (made as they are written: a
    baseline file's index is 100,000s of statements), the canonical node each had and the one
    each gets.
    """
    labels = _values(store, str(RDFS.label), kinds, graph)
    curies = _values(store, str(PKG.curie), kinds, graph)
    keys = _values(store, str(PKG.lookupKey), kinds, graph)
    old = _canonical_of(store, kinds, graph)

    groups = _Groups()
    by_id: dict[tuple[str, str], list[str]] = defaultdict(list)
    by_label: dict[tuple[str, str], list[str]] = defaultdict(list)
    for node, kind in kinds.items():
        groups.add(node, curies[node])
        for curie in curies[node]:
            by_id[(kind, curie)].append(node)
        for label in labels[node]:
            by_label[(kind, lookup_key(label))].append(node)
    for members in by_id.values():
        groups.union(members, shared_id=True)
    for _, members in sorted(by_label.items()):
        groups.union(members)
    for (kind, curie), members in list(by_id.items()):  # the user's exact matches join
        for other, _ in sorted(links.exact.get(curie, ())):
            groups.union([*members, *by_id.get((kind, other), ())], shared_id=True)

    members_of: dict[str, list[str]] = defaultdict(list)
    for node in kinds:
        members_of[groups.find(node)].append(node)
    canonicals = [_canonical(members, kinds[members[0]]) for members in members_of.values()]
    new = {
        member: canonical
        for canonical, members in zip(canonicals, members_of.values(), strict=True)
        for member in members
    }

    grouped = list(zip(canonicals, members_of.values(), strict=True))
    values = _NodeValues(labels, curies, keys)
    return _index_statements(store, grouped, values, links, graph), old, new


@dataclass(frozen=True, slots=True)
class _NodeValues:
    labels: dict[str, set[str]]
    curies: dict[str, set[str]]
    keys: dict[str, set[str]]


def _index_statements(
    store: PaperStore,
    grouped: list[tuple[str, list[str]]],
    values: _NodeValues,
    links: MappingLinks,
    graph: ox.NamedNode,
) -> Iterator[ox.Quad]:
    """What the index states of each group, one group at a time."""
    for canonical, members in grouped:
        target = ox.NamedNode(canonical)
        labels = {label for m in members for label in values.labels[m]}
        label = min(labels, key=_label_rank, default=canonical)
        yield ox.Quad(target, ox.NamedNode(str(SKOS.prefLabel)), ox.Literal(label), graph)
        for member in sorted(members):
            yield ox.Quad(ox.NamedNode(member), ox.NamedNode(str(PKG.canonical)), target, graph)
        group_curies = sorted({c for m in members for c in values.curies[m]})
        # One literal for all identifiers and one triple per key, in this graph only: queries
        # join here, so a concept named in 10,000 records costs one row, not 10,000.
        ids = ox.Literal("|".join(group_curies))
        yield ox.Quad(target, ox.NamedNode(str(PKG.conceptIds)), ids, graph)
        for key in sorted({k for m in members for k in values.keys[m]} | {lookup_key(label)}):
            yield ox.Quad(target, ox.NamedNode(str(PKG.conceptKey)), ox.Literal(key), graph)
        prefixes = [curie.partition(":")[0] for curie in group_curies]
        # Conflicts are stated once here, where they are found: the statistics and the
        # identifier-conflicts query read them rather than recomputing them.
        for prefix in sorted(set(prefixes)):
            if prefixes.count(prefix) > 1:
                conflict = ox.NamedNode(str(PKG.conflictingPrefix))
                yield ox.Quad(target, conflict, ox.Literal(prefix), graph)
        yield from _mapped(store, target, sorted(members), set(group_curies), links, graph)


def _mapped(
    store: PaperStore,
    target: ox.NamedNode,
    members: list[str],
    group_curies: set[str],
    links: MappingLinks,
    graph: ox.NamedNode,
) -> list[ox.Quad]:
    """What the user's mappings say of one concept: the exact matches that joined it
    (``pkg:mergedBy``), and its members' broader concepts (``skos:broadMatch``, to the nodes
    that carry the broader identifier and to its IRI).
    """
    quads = [
        ox.Quad(target, ox.NamedNode(str(PKG.mergedBy)), ox.NamedNode(mapping), graph)
        for mapping in sorted(
            {m for c in group_curies for o, m in links.exact.get(c, ()) if o in group_curies}
        )
    ]
    broader = sorted({b for c in group_curies for b in links.broader.get(c, ())} - group_curies)
    if not broader:
        return quads
    targets = _carrying(store, broader, graph) | {curie_to_iri(curie) for curie in broader}
    quads.extend(
        ox.Quad(
            ox.NamedNode(member), ox.NamedNode(str(SKOS.broadMatch)), ox.NamedNode(other), graph
        )
        for member in members
        for other in sorted(targets - set(members))
    )
    return quads


def _index_report(
    store: PaperStore, graph: ox.NamedNode, regrouped: frozenset[str] | None
) -> ConceptIndexReport:
    """What the index holds: concept nodes, concepts, and the conflicts it states."""

    def values(predicate: str) -> dict[str, str]:
        return {
            term_text(q.subject): term_text(q.object)
            for q in store.quads_for_pattern(None, ox.NamedNode(predicate), None, graph)
        }

    members = sum(
        1 for _ in store.quads_for_pattern(None, ox.NamedNode(str(PKG.canonical)), None, graph)
    )
    ids, labels = values(str(PKG.conceptIds)), values(str(SKOS.prefLabel))
    conflicts = []
    for quad in store.quads_for_pattern(
        None, ox.NamedNode(str(PKG.conflictingPrefix)), None, graph
    ):
        concept, prefix = term_text(quad.subject), term_text(quad.object)
        same = tuple(c for c in ids.get(concept, "").split("|") if c.partition(":")[0] == prefix)
        conflicts.append(IdentifierConflict(concept, labels.get(concept, concept), prefix, same))
    conflicts.sort(key=lambda c: (c.label, c.prefix))
    return ConceptIndexReport(members, len(ids), tuple(conflicts), regrouped)


def _pattern(
    store: PaperStore,
    subject: ox.NamedNode | None,
    predicate: str,
    obj: ox.NamedNode | ox.Literal | None,
) -> Iterable[ox.Quad]:
    return store.quads_for_pattern(subject, ox.NamedNode(predicate), obj)


def _values(
    store: PaperStore, predicate: str, nodes: dict[str, str], index: ox.NamedNode
) -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for quad in _pattern(store, None, predicate, None):
        subject, value = quad.subject, quad.object
        if (
            quad.graph_name != index
            and isinstance(subject, ox.NamedNode)
            and subject.value in nodes
            and isinstance(value, ox.Literal)
        ):
            found[subject.value].add(value.value)
    return found


def _label_rank(label: str) -> tuple[bool, int, str]:
    """The concept's display label: lower case as written in running text, then the shortest."""
    return (label != label.lower(), len(label), label)


def _canonical(members: list[str], kind: str) -> str:
    """The member with the most preferred identifier IRI; ties broken by IRI order."""
    preferred = _PREFERRED.get(kind, ())

    def rank(node: str) -> tuple[int, str]:
        for position, prefix in enumerate(preferred):
            if node.startswith(prefix):
                return (position, node)
        return (len(preferred), node)

    return min(members, key=rank)
