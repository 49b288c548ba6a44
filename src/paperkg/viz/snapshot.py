"""Read once from the store what the views are drawn from: papers, findings, concepts, doses,
evidence sentences, authors, studied conditions and species, one SPARQL query each.

Drugs and conditions are their canonical concept nodes (``pkg:canonical``); everything else is
plain Python data, so the views assemble graphs without touching the store again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from ..mapping import DIRECTION_IRIS
from ..store import PaperStore, term_text
from ..vocab import BIOLINK, DESIGN, FAVOURS, OUTCOME, PKG

__all__ = [
    "WHOLE_READ_FACTOR",
    "Finding",
    "Paper",
    "Snapshot",
    "canonical_concepts",
    "read_concepts",
    "read_snapshot",
]

#: A direction individual's IRI -> its label ("significantly decreased").
_DIRECTION_LABELS = {str(iri): direction.value for direction, iri in DIRECTION_IRIS.items()}

#: Reading listed papers costs about four times as much per paper as reading the whole store
#: (measured at 2,000 records): a reader wanting more than a quarter of the papers reads all.
WHOLE_READ_FACTOR = 4

#: Papers bound per query when reading some papers: Oxigraph's time grows faster than the
#: number of bound papers (0.19 s for 1,000 papers' findings, 10.6 s for 4,000), so many papers
#: are read a slice at a time.
_PAPERS_PER_QUERY = 500

#: Views read in two forms: the whole store joined by hashing, one scan per pattern (the
#: look-ups of the ``-by-paper`` form grew with the store), and listed papers looked up one by
#: one (scanning, the cost would follow the store instead of the papers asked for).
_BY_PAPER = {
    "view-doses": "view-doses-by-paper",
    "view-evidence": "view-evidence-by-paper",
    "view-results": "view-results-by-paper",
}

_LINK_ORDER = ("https://doi.org/", "https://www.ncbi.nlm.nih.gov/pmc/", "https://pubmed.ncbi")


@dataclass(slots=True)
class Paper:
    iri: str
    title: str = ""
    year: int | None = None
    design: str | None = None
    sample_size: int | None = None
    journal: str | None = None
    journal_title: str | None = None
    links: set[str] = field(default_factory=set)

    @property
    def url(self) -> str | None:
        for prefix in _LINK_ORDER:
            for link in sorted(self.links):
                if link.startswith(prefix):
                    return link
        return min(self.links) if self.links else None


@dataclass(frozen=True, slots=True)
class Finding:
    iri: str
    paper: str
    drug: str
    condition: str
    outcome: str
    predicates: tuple[str, ...]


@dataclass(slots=True)
class Snapshot:
    """What the views are made of, read from the store once."""

    papers: dict[str, Paper]
    findings: list[Finding]
    concepts: dict[str, tuple[str, str, tuple[str, ...]]]  # iri -> kind, label, ids
    doses: dict[str, list[str]]
    evidence: dict[str, list[str]]
    authors: dict[str, list[tuple[str, str]]]  # paper -> [(author iri, name)] in order
    studies: dict[str, set[str]]
    species: dict[str, set[str]]
    #: finding -> its results as one line each ("primary · pain vs placebo: significantly
    #: decreased, favours intervention")
    results: dict[str, list[str]] = field(default_factory=dict)


def read_snapshot(
    store: PaperStore,
    *,
    context: bool = True,
    only_papers: Collection[str] | None = None,
    canonical: Mapping[str, str] | None = None,
    concepts: bool = True,
) -> Snapshot:
    """Read what the views need; ``context=False`` leaves out authors, studied conditions and
    species (the drug–condition view does without them: three queries fewer); ``only_papers``
    limits the reading to those papers (the concepts are read whole: they are few).
    ``canonical`` is :func:`canonical_concepts` if already read; ``concepts=False`` leaves the
    concepts out (a reader of edge support, reading often, needs neither again).
    """
    only = None if only_papers is None else [ox.NamedNode(p) for p in sorted(only_papers)]

    def _run(name: str) -> list[ox.QuerySolution]:
        if only is None:
            return store.select(name, values={"paper": None})
        found: list[ox.QuerySolution] = []
        by_paper = _BY_PAPER.get(name, name)
        for start in range(0, len(only), _PAPERS_PER_QUERY):
            chunk = only[start : start + _PAPERS_PER_QUERY]
            found.extend(store.select(by_paper, values={"paper": chunk}))
        return found

    papers: dict[str, Paper] = {}
    for s in _run("view-papers"):
        iri = term_text(s["paper"])
        paper = papers.setdefault(iri, Paper(iri))
        paper.title = paper.title or term_text(s["title"])
        issued = term_text(s["issued"])
        if issued[:4].isdigit():
            paper.year = int(issued[:4])
        paper.design = paper.design or (_local(s["design"], str(DESIGN._NS)) or None)
        if s["n"] is not None:
            paper.sample_size = int(term_text(s["n"]))
        if s["journal"] is not None:
            paper.journal = term_text(s["journal"])
            paper.journal_title = term_text(s["journal_title"]) or paper.journal_title
        for name in ("link", "source"):
            if isinstance(s[name], ox.NamedNode) and s[name].value.startswith("http"):
                paper.links.add(s[name].value)
    directs: dict[tuple[str, ...], set[str]] = defaultdict(set)
    rows: dict[tuple[str, ...], str] = {}
    canonical = canonical_concepts(store) if canonical is None else canonical

    def concept(term: Any) -> str:
        node = term_text(term)
        return canonical.get(node, node)

    for s in _run("view-findings"):
        key = (
            term_text(s["finding"]),
            term_text(s["paper"]),
            concept(s["drug"]),
            concept(s["condition"]),
        )
        rows[key] = _local(s["outcome"], str(OUTCOME._NS))
        if s["direct"] is not None:
            directs[key].add("biolink:" + _local(s["direct"], str(BIOLINK._NS)))
    findings = [
        Finding(finding, paper, drug, condition, outcome, tuple(sorted(directs[key])))
        for key, outcome in sorted(rows.items())
        for finding, paper, drug, condition in [key]
    ]
    evidence: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    for s in _run("view-evidence"):
        node = term_text(s["evidence"])
        tail = node.rsplit("/", 1)[-1]
        evidence[term_text(s["finding"])].append(
            (
                int(tail) if tail.isdigit() else 0,
                node,
                f"[{term_text(s['section'])}] {term_text(s['text'])}",
            )
        )
    results: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    for s in _run("view-results"):
        primary = term_text(s["primary"]) == "true"
        against = f" vs {term_text(s['comparator'])}" if term_text(s["comparator"]) else ""
        direction = _DIRECTION_LABELS.get(term_text(s["direction"]), term_text(s["direction"]))
        side = _local(s["favours"], str(FAVOURS._NS))
        results[term_text(s["finding"])].append(
            (
                0 if primary else 1,
                term_text(s["result"]),
                f"{'primary' if primary else 'secondary'} · {term_text(s['endpoint'])}{against}: "
                f"{direction}, favours {side}",
            )
        )
    authors: dict[str, dict[str, tuple[int, str]]] = defaultdict(dict)
    for s in _run("view-authors") if context else []:
        position = int(term_text(s["position"])) if s["position"] is not None else 10**6
        authors[term_text(s["paper"])][term_text(s["author"])] = (position, term_text(s["name"]))
    return Snapshot(
        papers=papers,
        findings=findings,
        concepts=read_concepts(store) if concepts else {},
        doses=_grouped((term_text(s["finding"]), term_text(s["dose"])) for s in _run("view-doses")),
        evidence={f: [text for _, _, text in sorted(items)] for f, items in evidence.items()},
        results={f: [text for _, _, text in sorted(items)] for f, items in results.items()},
        authors={
            paper: [
                (iri, name)
                for iri, (_, name) in sorted(found.items(), key=lambda i: (i[1][0], i[0]))
            ]
            for paper, found in authors.items()
        },
        studies=_grouped_sets(_run("view-studies") if context else [], concept),
        species=_grouped_sets(_run("view-species") if context else [], concept),
    )


def read_concepts(store: PaperStore) -> dict[str, tuple[str, str, tuple[str, ...]]]:
    """Every canonical concept's kind (drug, condition, species), display label and CURIEs."""
    concepts: dict[str, tuple[str, str, tuple[str, ...]]] = {}
    for s in store.select("view-concepts"):
        iri = term_text(s["concept"])
        ids = tuple(sorted(filter(None, term_text(s["ids"]).split("|"))))
        concepts[iri] = (
            _KINDS[term_text(s["kind"])],
            term_text(s["label"]) or (ids[0] if ids else iri),
            ids,
        )
    return concepts


_KINDS = {str(PKG.Chemical): "drug", str(PKG.Condition): "condition", str(PKG.Species): "species"}


def canonical_concepts(store: PaperStore) -> dict[str, str]:
    """Every concept node and its canonical concept (stated once, in the concept index)."""
    return {term_text(s["node"]): term_text(s["concept"]) for s in store.select("view-canonical")}


def _local(term: Any, namespace: str) -> str:
    return term_text(term).removeprefix(namespace)


def _grouped(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, set[str]] = defaultdict(set)
    for key, value in pairs:
        grouped[key].add(value)
    return {key: sorted(values) for key, values in grouped.items()}


def _grouped_sets(
    solutions: Iterable[ox.QuerySolution], concept: Callable[[Any], str]
) -> dict[str, set[str]]:
    grouped: dict[str, set[str]] = defaultdict(set)
    for s in solutions:
        grouped[term_text(s["paper"])].add(concept(s["concept"]))
    return grouped
