"""The one place that resolves what a user types to what the store holds: a concept's label,
synonym, CURIE or IRI to its canonical concept; a DOI, PMID or PMC id to its paper; an author's
or journal's name to its node.

Keys are computed by :mod:`paperkg.identifiers` (``concept_lookup_key``, ``paper_keys``) and
matched by the store's queries, so the CLI, the named queries, the statistics and the views
all find the same things for the same text. A name that finds nothing comes back as an
:class:`Unmatched` with the closest labels of its kind, so every command can say "did you mean".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from .errors import StoreError, close_matches
from .identifiers import concept_lookup_key
from .store import PaperStore
from .vocab import PKG

__all__ = [
    "Unmatched",
    "concepts_named",
    "key_is_known",
    "kind_of_parameter",
    "names_concept",
    "node_named",
    "paper_named",
    "people_named",
    "suggest_labels",
    "unmatched_concepts",
]

#: What a concept class is called in messages.
_NOUNS = {str(PKG.Chemical): "drug", str(PKG.Condition): "condition", str(PKG.Species): "species"}
#: The concept class a query parameter asks for, by its name (``drug``, ``conditions``).
_KIND_BY_NAME = {
    "drug": str(PKG.Chemical),
    "chemical": str(PKG.Chemical),
    "condition": str(PKG.Condition),
    "disease": str(PKG.Condition),
    "species": str(PKG.Species),
}


@dataclass(frozen=True, slots=True)
class Unmatched:
    """A drug or condition name that names nothing of its kind in the store (a likely typo),
    with the closest labels there: the answer is empty, not wrong, and this says why.
    """

    value: str
    #: The concept class asked for (``pkg:Condition``...), ``None`` for any kind.
    kind: str | None = None
    suggestions: tuple[str, ...] = ()

    @property
    def noun(self) -> str:
        """``condition``, ``drug``, ``species`` or ``drug, condition or species``."""
        return _NOUNS.get(self.kind or "", "drug, condition or species")

    def __str__(self) -> str:
        if self.suggestions:
            hint = f"did you mean: {', '.join(self.suggestions)}?"
        else:
            hint = "try another label, a synonym or a CURIE (e.g. MONDO:0005546)"
        return f"no {self.noun} is called {self.value!r}; {hint}"

    def as_dict(self) -> dict[str, object]:
        """For JSON: the value, what it was taken for, the suggestions and the message."""
        return {
            "value": self.value,
            "kind": self.noun,
            "did_you_mean": list(self.suggestions),
            "message": str(self),
        }


def kind_of_parameter(name: str) -> str | None:
    """The concept class a query parameter named ``name`` asks for (``drug``, ``drugs``:
    ``pkg:Chemical``; ``condition``: ``pkg:Condition``); ``None``: any kind.
    """
    key = name.strip().lower()
    return _KIND_BY_NAME.get(key) or _KIND_BY_NAME.get(key.removesuffix("s"))


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


def unmatched_concepts(
    store: PaperStore, texts: Iterable[str], kind: str | None = None
) -> tuple[Unmatched, ...]:
    """The texts that name no concept (of ``kind``, if given) in the store, in order, each with
    the closest labels of that kind.
    """
    return tuple(
        Unmatched(text, kind, suggest_labels(store, text, kind))
        for text in texts
        if text.strip() and not concepts_named(store, text, kind)
    )


def suggest_labels(store: PaperStore, text: str, kind: str | None = None) -> tuple[str, ...]:
    """The labels or synonyms closest to ``text`` of up to three concepts (of ``kind``),
    closest first: one name per concept, so a typo of "fibromyalgia" is not answered with
    its synonyms too.
    """
    solutions = store.select(
        "concept-labels", values={"kind": None if kind is None else [ox.NamedNode(kind)]}
    )
    concepts: dict[str, set[str]] = {}
    for solution in solutions:
        label = str(solution["label"].value)
        concepts.setdefault(label.casefold(), set()).add(str(solution["concept"].value))
    # lower case first: of "Fibromyalgia" and "fibromyalgia" the running-text form is shown
    labels = sorted({str(s["label"].value) for s in solutions}, key=lambda x: (x != x.lower(), x))
    chosen: list[str] = []
    seen: set[str] = set()
    for label in close_matches(text.strip(), labels, n=10):
        if len(chosen) < 3 and not concepts[label.casefold()] <= seen:
            chosen.append(label)
        seen |= concepts[label.casefold()]
    return tuple(chosen)


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
