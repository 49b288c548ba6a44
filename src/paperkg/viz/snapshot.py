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
from ..query import concept_key
from ..store import PaperStore
from ..vocab import BIOLINK, DESIGN, FAVOURS, OUTCOME, PKG

__all__ = [
    "Finding",
    "Paper",
    "Snapshot",
    "canonical_concepts",
    "concepts_named",
    "read_snapshot",
]

_PREFIXES = f"""PREFIX pkg: <{PKG._NS}>
PREFIX biolink: <{BIOLINK._NS}>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""

_PAPERS = """SELECT ?paper ?title ?issued ?design ?n ?journal ?journal_title ?link ?source
WHERE { GRAPH ?g { {papers} ?g a pkg:RecordGraph ; pkg:describes ?paper .
  OPTIONAL { ?paper dcterms:title ?title }
  OPTIONAL { ?paper dcterms:issued ?issued }
  OPTIONAL { ?paper pkg:studyDesign ?design }
  OPTIONAL { ?paper pkg:sampleSize ?n }
  OPTIONAL { ?paper dcterms:isPartOf ?journal OPTIONAL { ?journal dcterms:title ?journal_title } }
  OPTIONAL { ?paper rdfs:seeAlso ?link }
  OPTIONAL { ?paper dcterms:source ?source } } }"""

# Concept nodes and their direct edges repeat in every record graph that names them, and the
# union default graph keeps every copy: patterns over a record's own facts stay inside its
# GRAPH, and pkg:canonical, pkg:conceptIds and skos:prefLabel are stated once, in the concept
# index graph. Otherwise a join multiplies by the records sharing a concept (4M rows for 2,000
# records, where 4,000 are meant).
# Canonical concepts are looked up in Python (_CANONICAL, read once), and a VALUES list of
# papers goes inside the GRAPH, first: otherwise Oxigraph took 6 ms per paper.
_FINDINGS = """SELECT ?finding ?paper ?drug ?condition ?outcome ?direct
WHERE { GRAPH ?g { {papers} ?finding pkg:paper ?paper .
                   ?finding a pkg:Finding ; pkg:drug ?drug ; pkg:condition ?condition ;
                            pkg:outcome ?outcome .
                   OPTIONAL { VALUES ?direct { biolink:studied_to_treat
                                               biolink:in_clinical_trials_for biolink:treats }
                              ?drug ?direct ?condition } } }"""

_CANONICAL = """SELECT ?node ?concept WHERE { ?node pkg:canonical ?concept }"""

_CONCEPTS = """SELECT ?concept ?kind ?label ?ids
WHERE { VALUES ?kind { pkg:Chemical pkg:Condition pkg:Species }
        ?concept pkg:conceptIds ?ids . FILTER EXISTS { ?concept a ?kind }
        OPTIONAL { ?concept skos:prefLabel ?label } }"""

_DOSES = """SELECT ?finding ?dose
WHERE { GRAPH ?g { {papers} ?finding pkg:paper ?paper .
                   ?finding a pkg:Finding ; pkg:intervention/pkg:dose/pkg:doseText ?dose } }"""

_EVIDENCE = """SELECT ?finding ?evidence ?text ?section
WHERE { GRAPH ?g { {papers} ?finding pkg:paper ?paper .
                   ?finding a pkg:Finding ; pkg:evidence ?evidence .
                   ?evidence pkg:text ?text ; pkg:section ?section } }"""

# A finding's results: endpoint, primary or not, comparator (a drug's label or as written),
# direction and whom it favours, primary endpoints first.
_RESULTS = """SELECT ?finding ?result ?endpoint ?primary ?direction ?favours ?comparator
WHERE { GRAPH ?g { {papers} ?finding pkg:paper ?paper ; pkg:result ?result .
                   ?result pkg:endpoint ?endpoint ; pkg:primaryEndpoint ?primary ;
                           pkg:direction ?direction ; pkg:favours ?favours .
                   OPTIONAL { ?result pkg:comparatorLabel ?written }
                   OPTIONAL { ?result pkg:comparator/rdfs:label ?drug } }
        BIND(COALESCE(?drug, ?written, "") AS ?comparator) }"""

#: A direction individual's IRI -> its label ("significantly decreased").
_DIRECTION_LABELS = {str(iri): direction.value for direction, iri in DIRECTION_IRIS.items()}

_AUTHORS = """SELECT ?paper ?author ?name ?position
WHERE { GRAPH ?g { {papers} ?paper a pkg:Paper ; dcterms:creator ?author .
                              ?author foaf:name ?name .
                   OPTIONAL { ?paper pkg:hasAuthorship ?a .
                              ?a pkg:author ?author ; pkg:authorPosition ?position } } }"""

_STUDIES = """SELECT ?paper ?concept
WHERE { GRAPH ?g { {papers} ?paper a pkg:Paper ; pkg:studiesCondition ?concept } }"""

_SPECIES = """SELECT ?paper ?concept
WHERE { GRAPH ?g { {papers} ?paper a pkg:Paper ; pkg:mentions ?concept .
                              ?concept a pkg:Species } }"""

_FOCUS = (
    "SELECT DISTINCT ?concept ?key WHERE { ?concept pkg:conceptKey ?key ; pkg:conceptIds ?ids }"
)

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
    store: PaperStore, *, context: bool = True, only_papers: Collection[str] | None = None
) -> Snapshot:
    """Read what the views need; ``context=False`` leaves out authors, studied conditions and
    species (the drug–condition view does without them: three queries fewer); ``only_papers``
    limits the reading to those papers (the concepts are read whole: they are few).
    """
    # IRIs are written by pyoxigraph (N-Triples syntax), never pasted from user text.
    only = (
        ""
        if only_papers is None
        else "VALUES ?paper { " + " ".join(str(ox.NamedNode(p)) for p in sorted(only_papers)) + " }"
    )

    def _run(text: str) -> list[ox.QuerySolution]:
        return _query(store, text.replace("{papers}", only))

    papers: dict[str, Paper] = {}
    for s in _run(_PAPERS):
        iri = _text(s["paper"])
        paper = papers.setdefault(iri, Paper(iri))
        paper.title = paper.title or _text(s["title"])
        issued = _text(s["issued"])
        if issued[:4].isdigit():
            paper.year = int(issued[:4])
        paper.design = paper.design or (_local(s["design"], str(DESIGN._NS)) or None)
        if s["n"] is not None:
            paper.sample_size = int(_text(s["n"]))
        if s["journal"] is not None:
            paper.journal = _text(s["journal"])
            paper.journal_title = _text(s["journal_title"]) or paper.journal_title
        for name in ("link", "source"):
            if isinstance(s[name], ox.NamedNode) and s[name].value.startswith("http"):
                paper.links.add(s[name].value)
    directs: dict[tuple[str, ...], set[str]] = defaultdict(set)
    rows: dict[tuple[str, ...], str] = {}
    canonical = canonical_concepts(store)

    def concept(term: Any) -> str:
        node = _text(term)
        return canonical.get(node, node)

    for s in _run(_FINDINGS):
        key = (_text(s["finding"]), _text(s["paper"]), concept(s["drug"]), concept(s["condition"]))
        rows[key] = _local(s["outcome"], str(OUTCOME._NS))
        if s["direct"] is not None:
            directs[key].add("biolink:" + _local(s["direct"], str(BIOLINK._NS)))
    findings = [
        Finding(finding, paper, drug, condition, outcome, tuple(sorted(directs[key])))
        for key, outcome in sorted(rows.items())
        for finding, paper, drug, condition in [key]
    ]
    concepts: dict[str, tuple[str, str, tuple[str, ...]]] = {}
    kinds = {
        str(PKG.Chemical): "drug",
        str(PKG.Condition): "condition",
        str(PKG.Species): "species",
    }
    for s in _run(_CONCEPTS):
        iri = _text(s["concept"])
        ids = tuple(sorted(filter(None, _text(s["ids"]).split("|"))))
        concepts[iri] = (
            kinds[_text(s["kind"])],
            _text(s["label"]) or (ids[0] if ids else iri),
            ids,
        )
    evidence: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    for s in _run(_EVIDENCE):
        node = _text(s["evidence"])
        tail = node.rsplit("/", 1)[-1]
        evidence[_text(s["finding"])].append(
            (
                int(tail) if tail.isdigit() else 0,
                node,
                f"[{_text(s['section'])}] {_text(s['text'])}",
            )
        )
    results: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    for s in _run(_RESULTS):
        primary = _text(s["primary"]) == "true"
        against = f" vs {_text(s['comparator'])}" if _text(s["comparator"]) else ""
        direction = _DIRECTION_LABELS.get(_text(s["direction"]), _text(s["direction"]))
        side = _local(s["favours"], str(FAVOURS._NS))
        results[_text(s["finding"])].append(
            (
                0 if primary else 1,
                _text(s["result"]),
                f"{'primary' if primary else 'secondary'} · {_text(s['endpoint'])}{against}: "
                f"{direction}, favours {side}",
            )
        )
    authors: dict[str, dict[str, tuple[int, str]]] = defaultdict(dict)
    for s in _run(_AUTHORS) if context else []:
        position = int(_text(s["position"])) if s["position"] is not None else 10**6
        authors[_text(s["paper"])][_text(s["author"])] = (position, _text(s["name"]))
    return Snapshot(
        papers=papers,
        findings=findings,
        concepts=concepts,
        doses=_grouped((_text(s["finding"]), _text(s["dose"])) for s in _run(_DOSES)),
        evidence={f: [text for _, _, text in sorted(items)] for f, items in evidence.items()},
        results={f: [text for _, _, text in sorted(items)] for f, items in results.items()},
        authors={
            paper: [
                (iri, name)
                for iri, (_, name) in sorted(found.items(), key=lambda i: (i[1][0], i[0]))
            ]
            for paper, found in authors.items()
        },
        studies=_grouped_sets(_run(_STUDIES) if context else [], concept),
        species=_grouped_sets(_run(_SPECIES) if context else [], concept),
    )


def canonical_concepts(store: PaperStore) -> dict[str, str]:
    """Every concept node and its canonical concept (stated once, in the concept index)."""
    return {_text(s["node"]): _text(s["concept"]) for s in _query(store, _CANONICAL)}


def _query(
    store: PaperStore, text: str, substitutions: Mapping[ox.Variable, Any] | None = None
) -> list[ox.QuerySolution]:
    return list(store.query(_PREFIXES + text, substitutions))


def _text(term: Any) -> str:
    return "" if term is None else str(term.value)


def _local(term: Any, namespace: str) -> str:
    return _text(term).removeprefix(namespace)


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
        grouped[_text(s["paper"])].add(concept(s["concept"]))
    return grouped


def concepts_named(store: PaperStore, text: str) -> list[str]:
    """The canonical concepts whose label, synonym, CURIE or IRI is ``text``."""
    found = _query(store, _FOCUS, {ox.Variable("key"): ox.Literal(concept_key(text))})
    return sorted(str(s["concept"].value) for s in found)
