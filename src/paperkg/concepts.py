"""Concepts across records: one drug or condition is one concept, whatever identifiers it came with.

Each record graph names its concepts by their best identifier, so a drug that one record gives
with MeSH and another only with a PubChem CID (or with no identifier at all) would be two nodes.
After a build, the concept index links every concept node to one canonical node of its concept:
nodes of one kind that share an identifier are one concept, and so are nodes with the same label
unless joining them would put two different identifiers of one prefix together (two diseases a
corpus writes "bleeding" stay two). Named queries group by the canonical node. Conflicts (one
concept, two identifiers of one kind, joined through another shared identifier) are kept and
reported, never merged away: that is how a wrong PubChem CID in one record comes to light.

The index is its own named graph (``<base>graph/concepts``), rebuilt in one transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from .extraction.concepts import conflicting_prefixes
from .identifiers import CANONICAL_PREFIXES, IDENTIFIER_PRIORITY, lookup_key
from .model import EntityKind
from .store import PaperStore, index_graph, write_concept_index
from .vocab import DEFAULT_BASE_IRI, PKG, RDF, RDFS, SKOS

__all__ = ["ConceptIndexReport", "IdentifierConflict", "reconcile_concepts"]

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
    store: PaperStore, *, base_iri: str = DEFAULT_BASE_IRI
) -> ConceptIndexReport:
    """Rebuild the concept index of the whole store; return what it found."""
    graph = index_graph(base_iri)
    kinds: dict[str, str] = {}
    for kind in _KINDS:
        for quad in _pattern(store, None, str(RDF.type), ox.NamedNode(kind)):
            if isinstance(quad.subject, ox.NamedNode) and quad.graph_name != graph:
                kinds.setdefault(quad.subject.value, kind)
    labels = _values(store, str(RDFS.label), kinds, graph)
    curies = _values(store, str(PKG.curie), kinds, graph)
    keys = _values(store, str(PKG.lookupKey), kinds, graph)

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

    members_of: dict[str, list[str]] = defaultdict(list)
    for node in kinds:
        members_of[groups.find(node)].append(node)
    quads: list[ox.Quad] = []
    conflicts: list[IdentifierConflict] = []
    for members in members_of.values():
        canonical = _canonical(members, kinds[members[0]])
        target = ox.NamedNode(canonical)
        label = min(
            {label for m in members for label in labels[m]}, key=_label_rank, default=canonical
        )
        quads.append(ox.Quad(target, ox.NamedNode(str(SKOS.prefLabel)), ox.Literal(label), graph))
        for member in sorted(members):
            quads.append(
                ox.Quad(ox.NamedNode(member), ox.NamedNode(str(PKG.canonical)), target, graph)
            )
        group_curies = sorted({c for m in members for c in curies[m]})
        # One literal for all identifiers and one triple per key, in this graph only: queries
        # join here, so a concept named in 10,000 records costs one row, not 10,000.
        quads.append(
            ox.Quad(
                target, ox.NamedNode(str(PKG.conceptIds)), ox.Literal("|".join(group_curies)), graph
            )
        )
        for key in sorted({k for m in members for k in keys[m]} | {lookup_key(label)}):
            quads.append(ox.Quad(target, ox.NamedNode(str(PKG.conceptKey)), ox.Literal(key), graph))
        by_prefix: dict[str, list[str]] = defaultdict(list)
        for curie in group_curies:
            by_prefix[curie.partition(":")[0]].append(curie)
        found = [
            IdentifierConflict(canonical, label, prefix, tuple(ids))
            for prefix, ids in sorted(by_prefix.items())
            if len(ids) > 1
        ]
        # Stated once here, where they are found: the statistics and the identifier-conflicts
        # query read these rather than recomputing them.
        quads.extend(
            ox.Quad(target, ox.NamedNode(str(PKG.conflictingPrefix)), ox.Literal(c.prefix), graph)
            for c in found
        )
        conflicts.extend(found)
    write_concept_index(store, graph, quads)
    conflicts.sort(key=lambda c: (c.label, c.prefix))
    return ConceptIndexReport(len(kinds), len(members_of), tuple(conflicts))


def _pattern(
    store: PaperStore, subject: ox.NamedNode | None, predicate: str, obj: ox.NamedNode | None
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
