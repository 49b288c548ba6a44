"""The one place that resolves what a user types to what the store holds: a concept's label,
synonym, CURIE or IRI to its canonical concept; a DOI, PMID or PMC id to its paper; an author's
or journal's name to its node.

Keys are computed by :mod:`paperkg.identifiers` (``concept_lookup_key``, ``paper_keys``) and
matched by the store's queries, so the CLI, the named queries, the statistics and the views
all find the same things for the same text.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from .errors import StoreError
from .identifiers import concept_lookup_key
from .store import PaperStore
from .vocab import PKG

__all__ = [
    "concepts_named",
    "key_is_known",
    "names_concept",
    "node_named",
    "paper_named",
    "people_named",
    "unknown_concepts",
]


def concepts_named(store: PaperStore, text: str, kind: str | None = None) -> list[str]:
    """The canonical concepts (of ``kind``, a class IRI such as ``pkg:Condition``, if given)
    whose label, synonym, CURIE or IRI is ``text``, sorted.
    """
    solutions = store.select(
        "concepts-named",
        bind={"key": ox.Literal(concept_lookup_key(text))},
        values={"kind": None if kind is None else [ox.NamedNode(kind)]},
    )
    return sorted({str(s["concept"].value) for s in solutions})


def names_concept(store: PaperStore, text: str, kind: str) -> bool:
    """Whether ``text`` names a concept of ``kind`` in the store."""
    return bool(concepts_named(store, text, kind))


def key_is_known(store: PaperStore, key: str) -> bool:
    """Whether any concept node carries the lookup key ``key`` (see ``concept_lookup_key``)."""
    return bool(store.select("key-known", bind={"key": ox.Literal(key)}))


def unknown_concepts(store: PaperStore, texts: Iterable[str]) -> tuple[str, ...]:
    """The texts that name no concept in the store (a likely typo), in order."""
    return tuple(text for text in texts if not key_is_known(store, concept_lookup_key(text)))


def people_named(store: PaperStore, text: str) -> list[str]:
    """Authors and journals whose name is ``text`` (case-insensitive), sorted."""
    solutions = store.select("people-named", bind={"wanted": ox.Literal(text.strip().lower())})
    return sorted(str(s["node"].value) for s in solutions)


def paper_named(store: PaperStore, text: str) -> str | None:
    """The paper a DOI, ``PMID:…``, PMC id, paper key or IRI names, or ``None``."""
    try:
        record = store.find_record_graph(text)
    except StoreError:
        return None
    for quad in store.quads_for_pattern(record, ox.NamedNode(str(PKG.describes)), None, record):
        if isinstance(quad.object, ox.NamedNode):
            return quad.object.value
    return None


def node_named(store: PaperStore, text: str) -> str | None:
    """The node ``text`` names, tried in order: a concept (label, synonym, CURIE or IRI), a
    paper (identifier), an author or journal (name); ``None`` when nothing is called that.
    """
    wanted = text.strip()
    if not wanted:
        return None
    for found in (
        concepts_named(store, wanted),
        [paper] if (paper := paper_named(store, wanted)) else [],
        people_named(store, wanted),
    ):
        if found:
            return found[0]
    return None
