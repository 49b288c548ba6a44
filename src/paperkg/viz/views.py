"""The store as typed networkx graphs: the views people look at, not a dump of every triple.

A view is an ``nx.DiGraph`` whose node ids are IRIs. Nodes carry ``kind`` (drug, condition,
paper, author, journal, species), ``label``, ``iri``, ``ids`` (CURIEs), ``url`` and ``papers``
(how many papers support the node in this view); papers also ``year``, ``design``,
``sample_size`` and ``journal``. Edges carry ``relation`` (tested_for, gave, studies, authored,
published_in, mentions), ``predicate`` (a CURIE), ``label``, ``weight`` (papers), ``outcome``
(one outcome code, ``conflicting`` when the papers disagree, or ``None``), ``outcomes``
(papers per outcome) and ``support``: one entry per paper with its outcome, dose and the
sentences that support it. The writers in :mod:`paperkg.viz.writers` flatten what GraphML and
GEXF cannot hold.

Everything is read from the store in a handful of SPARQL queries (one per kind of fact), then
assembled in Python; drugs and conditions are grouped by their canonical concept.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import pyoxigraph as ox

from ..errors import StoreError, VizError, closest
from ..model import Outcome, StudyDesign
from ..query import concept_key
from ..stats import is_conflicting
from ..store import PaperStore
from ..vocab import BIOLINK, DESIGN, OUTCOME, PKG
from .style import CONFLICTING

__all__ = [
    "VIEWS",
    "ViewFilter",
    "drug_condition_graph",
    "neighbourhood_graph",
    "paper_graph",
    "view_graph",
]

#: The views ``paperkg viz --view`` offers.
VIEWS = ("drug-condition", "papers")

_PREFIXES = f"""PREFIX pkg: <{PKG._NS}>
PREFIX biolink: <{BIOLINK._NS}>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""

_PAPERS = """SELECT ?paper ?title ?issued ?design ?n ?journal ?journal_title ?link ?source
WHERE { GRAPH ?g { ?g a pkg:RecordGraph ; pkg:describes ?paper .
  OPTIONAL { ?paper dcterms:title ?title }
  OPTIONAL { ?paper dcterms:issued ?issued }
  OPTIONAL { ?paper pkg:studyDesign ?design }
  OPTIONAL { ?paper pkg:sampleSize ?n }
  OPTIONAL { ?paper dcterms:isPartOf ?journal OPTIONAL { ?journal dcterms:title ?journal_title } }
  OPTIONAL { ?paper rdfs:seeAlso ?link }
  OPTIONAL { ?paper dcterms:source ?source } } }"""

_FINDINGS = """SELECT ?finding ?paper ?drug ?condition ?outcome ?direct
WHERE { ?finding a pkg:Finding ; pkg:paper ?paper ; pkg:drug ?drug_node ;
          pkg:condition ?condition_node ; pkg:outcome ?outcome .
  ?drug_node pkg:canonical ?drug . ?condition_node pkg:canonical ?condition .
  OPTIONAL { VALUES ?direct { biolink:studied_to_treat biolink:in_clinical_trials_for
                              biolink:treats }
             ?drug_node ?direct ?condition_node } }"""

_CONCEPTS = """SELECT ?concept ?kind ?label ?ids
WHERE { VALUES ?kind { pkg:Chemical pkg:Condition pkg:Species }
  ?concept pkg:conceptIds ?ids ; a ?kind . OPTIONAL { ?concept skos:prefLabel ?label } }"""

_DOSES = """SELECT ?finding ?dose
WHERE { ?finding a pkg:Finding ; pkg:intervention/pkg:dose/pkg:doseText ?dose }"""

_EVIDENCE = """SELECT ?finding ?evidence ?text
WHERE { ?finding a pkg:Finding ; pkg:evidence ?evidence . ?evidence pkg:text ?text }"""

_AUTHORS = """SELECT ?paper ?author ?name ?position
WHERE { ?paper a pkg:Paper ; dcterms:creator ?author . ?author foaf:name ?name .
  OPTIONAL { ?paper pkg:hasAuthorship ?a . ?a pkg:author ?author ; pkg:authorPosition ?position }
}"""

_STUDIES = """SELECT ?paper ?concept
WHERE { ?paper a pkg:Paper ; pkg:studiesCondition ?node .
        OPTIONAL { ?node pkg:canonical ?canonical }
        BIND(COALESCE(?canonical, ?node) AS ?concept) }"""

_SPECIES = """SELECT ?paper ?concept
WHERE { ?paper a pkg:Paper ; pkg:mentions ?node . ?node a pkg:Species ; pkg:canonical ?concept }"""

_FOCUS = (
    "SELECT DISTINCT ?concept ?key WHERE { ?concept pkg:conceptKey ?key ; pkg:conceptIds ?ids }"
)

_LINK_ORDER = ("https://doi.org/", "https://www.ncbi.nlm.nih.gov/pmc/", "https://pubmed.ncbi")

_RELATIONS = {
    "gave": ("pkg:drug", "gave"),
    "studies": ("pkg:studiesCondition", "studies"),
    "authored": ("dcterms:creator", "author of"),
    "published_in": ("dcterms:isPartOf", "published in"),
    "mentions": ("pkg:mentions", "mentions"),
}


@dataclass(frozen=True, slots=True)
class ViewFilter:
    """Which findings a view keeps: by outcome, by the paper's design, by publication year.

    Empty sets keep everything. A paper without a year passes only an open year range.
    """

    outcomes: frozenset[str] = frozenset()
    designs: frozenset[str] = frozenset()
    year_from: int | None = None
    year_to: int | None = None

    def __post_init__(self) -> None:
        for option, values, known in (
            ("outcome", self.outcomes, tuple(o.value for o in Outcome)),
            ("design", self.designs, tuple(d.value for d in StudyDesign)),
        ):
            for value in sorted(values):
                if value not in known:
                    hint = closest(value, known)
                    fix = f"did you mean {hint!r}? " if hint else ""
                    raise VizError(
                        option,
                        f"unknown {option} {value!r}",
                        fix + "use one of: " + ", ".join(known),
                    )
        if (
            self.year_from is not None
            and self.year_to is not None
            and (self.year_from > self.year_to)
        ):
            raise VizError(
                "year",
                f"{self.year_from} is after {self.year_to}",
                "give the range as FROM-TO, e.g. 2005-2020",
            )

    @classmethod
    def parse(
        cls, outcomes: Iterable[str] = (), designs: Iterable[str] = (), years: str | None = None
    ) -> ViewFilter:
        """A filter from command-line text: outcome and design codes, years as ``2005-2020``,
        ``2005-``, ``-2020`` or ``2009``.
        """
        low = high = None
        if years:
            match = re.fullmatch(r"\s*(\d{4})?\s*(-)?\s*(\d{4})?\s*", years)
            if not match or not (match[1] or match[3]) or (match[3] and not match[2]):
                raise VizError(
                    "year",
                    f"{years!r} is not a year range",
                    "write FROM-TO, FROM-, -TO or one year, e.g. 2005-2020",
                )
            low = int(match[1]) if match[1] else None
            high = int(match[3]) if match[3] else (low if not match[2] else None)
        return cls(frozenset(outcomes), frozenset(designs), low, high)

    def keeps(self, paper: _Paper, outcome: str) -> bool:
        """Whether a finding of ``paper`` with ``outcome`` is in the view."""
        if self.outcomes and outcome not in self.outcomes:
            return False
        if self.designs and paper.design not in self.designs:
            return False
        if self.year_from is None and self.year_to is None:
            return True
        if paper.year is None:
            return False
        return (self.year_from is None or paper.year >= self.year_from) and (
            self.year_to is None or paper.year <= self.year_to
        )


@dataclass(slots=True)
class _Paper:
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
class _Finding:
    iri: str
    paper: str
    drug: str
    condition: str
    outcome: str
    predicates: tuple[str, ...]


@dataclass(slots=True)
class _Snapshot:
    """What the views are made of, read from the store once."""

    papers: dict[str, _Paper]
    findings: list[_Finding]
    concepts: dict[str, tuple[str, str, tuple[str, ...]]]  # iri -> kind, label, ids
    doses: dict[str, list[str]]
    evidence: dict[str, list[str]]
    authors: dict[str, list[tuple[str, str]]]  # paper -> [(author iri, name)] in order
    studies: dict[str, set[str]]
    species: dict[str, set[str]]


def _read(store: PaperStore) -> _Snapshot:
    papers: dict[str, _Paper] = {}
    for s in _run(store, _PAPERS):
        iri = _text(s["paper"])
        paper = papers.setdefault(iri, _Paper(iri))
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
    for s in _run(store, _FINDINGS):
        key = tuple(_text(s[name]) for name in ("finding", "paper", "drug", "condition"))
        rows[key] = _local(s["outcome"], str(OUTCOME._NS))
        if s["direct"] is not None:
            directs[key].add("biolink:" + _local(s["direct"], str(BIOLINK._NS)))
    findings = [
        _Finding(finding, paper, drug, condition, outcome, tuple(sorted(directs[key])))
        for key, outcome in sorted(rows.items())
        for finding, paper, drug, condition in [key]
    ]
    concepts: dict[str, tuple[str, str, tuple[str, ...]]] = {}
    kinds = {
        str(PKG.Chemical): "drug",
        str(PKG.Condition): "condition",
        str(PKG.Species): "species",
    }
    for s in _run(store, _CONCEPTS):
        iri = _text(s["concept"])
        ids = tuple(sorted(filter(None, _text(s["ids"]).split("|"))))
        concepts[iri] = (
            kinds[_text(s["kind"])],
            _text(s["label"]) or (ids[0] if ids else iri),
            ids,
        )
    evidence: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    for s in _run(store, _EVIDENCE):
        node = _text(s["evidence"])
        tail = node.rsplit("/", 1)[-1]
        evidence[_text(s["finding"])].append(
            (int(tail) if tail.isdigit() else 0, node, _text(s["text"]))
        )
    authors: dict[str, dict[str, tuple[int, str]]] = defaultdict(dict)
    for s in _run(store, _AUTHORS):
        position = int(_text(s["position"])) if s["position"] is not None else 10**6
        authors[_text(s["paper"])][_text(s["author"])] = (position, _text(s["name"]))
    return _Snapshot(
        papers=papers,
        findings=findings,
        concepts=concepts,
        doses=_grouped((_text(s["finding"]), _text(s["dose"])) for s in _run(store, _DOSES)),
        evidence={f: [text for _, _, text in sorted(items)] for f, items in evidence.items()},
        authors={
            paper: [
                (iri, name)
                for iri, (_, name) in sorted(found.items(), key=lambda i: (i[1][0], i[0]))
            ]
            for paper, found in authors.items()
        },
        studies=_grouped_sets(_run(store, _STUDIES)),
        species=_grouped_sets(_run(store, _SPECIES)),
    )


# --- the views -------------------------------------------------------------------------------


def drug_condition_graph(store: PaperStore, filters: ViewFilter | None = None) -> nx.DiGraph[str]:
    """Drugs and conditions, one edge per (drug, condition) pair with a finding: ``weight`` is
    the number of papers, ``outcome`` their common outcome or ``conflicting``, ``support`` the
    papers with their outcome, dose and supporting sentences.
    """
    return _drug_condition(_read(store), filters or ViewFilter())


def paper_graph(store: PaperStore, filters: ViewFilter | None = None) -> nx.DiGraph[str]:
    """Papers with what they gave (drugs, coloured by the paper's outcome), the conditions they
    studied, the species they mention, their authors and journals.
    """
    return _papers(_read(store), filters or ViewFilter())


def neighbourhood_graph(
    store: PaperStore, focus: str, *, depth: int = 1, filters: ViewFilter | None = None
) -> nx.DiGraph[str]:
    """Everything within ``depth`` steps of ``focus`` (edges followed either way) in the drug–
    condition and paper views combined. ``focus`` is a drug, condition or species (label,
    synonym, CURIE or IRI), a paper (DOI, PMID:…, PMC id or IRI), an author or a journal name.
    """
    if depth < 0:
        raise VizError("depth", f"{depth} is negative", "give 0 or more steps")
    snapshot, chosen = _read(store), filters or ViewFilter()
    combined = nx.compose(_papers(snapshot, chosen), _drug_condition(snapshot, chosen))
    node = _resolve_focus(store, snapshot, combined, focus)
    if node not in combined:
        raise VizError(
            "focus",
            f"{focus!r} has no findings in this view",
            "widen the filters or pick another focus",
        )
    view: nx.DiGraph[str] = nx.DiGraph(nx.ego_graph(combined, node, radius=depth, undirected=True))
    view.graph.update(
        view="neighbourhood",
        focus=node,
        depth=depth,
        title=f"{combined.nodes[node]['label']}: neighbourhood, depth {depth}",
    )
    return view


def view_graph(
    store: PaperStore,
    view: str = "drug-condition",
    *,
    focus: str | None = None,
    depth: int = 1,
    filters: ViewFilter | None = None,
) -> nx.DiGraph[str]:
    """The view the CLI asks for: a named view, or the neighbourhood of ``focus``."""
    if focus is not None:
        return neighbourhood_graph(store, focus, depth=depth, filters=filters)
    if view == "drug-condition":
        return drug_condition_graph(store, filters)
    if view == "papers":
        return paper_graph(store, filters)
    hint = closest(view, VIEWS)
    raise VizError(
        "view",
        f"unknown view {view!r}",
        (f"did you mean {hint!r}? " if hint else "") + "use one of: " + ", ".join(VIEWS),
    )


def _drug_condition(snapshot: _Snapshot, filters: ViewFilter) -> nx.DiGraph[str]:
    graph: nx.DiGraph[str] = nx.DiGraph(
        view="drug-condition", title="Drugs and the conditions they were tried for"
    )
    pairs: dict[tuple[str, str], list[_Finding]] = defaultdict(list)
    for finding in snapshot.findings:
        paper = snapshot.papers.get(finding.paper)
        if paper is not None and filters.keeps(paper, finding.outcome):
            pairs[(finding.drug, finding.condition)].append(finding)
    concept_papers: dict[str, set[str]] = defaultdict(set)
    for (drug, condition), found in sorted(pairs.items()):
        for concept in (drug, condition):
            _add_concept(graph, snapshot, concept)
            concept_papers[concept].update(f.paper for f in found)
        support = [_support(snapshot, f) for f in sorted(found, key=lambda f: (f.paper, f.iri))]
        outcomes = Counter(entry["outcome"] for entry in support)
        predicates = sorted({p for f in found for p in f.predicates}) or [
            "biolink:studied_to_treat"
        ]
        graph.add_edge(
            drug,
            condition,
            relation="tested_for",
            predicate="|".join(predicates),
            label="tried for",
            weight=len({f.paper for f in found}),
            outcome=_combined(outcomes),
            outcomes=dict(sorted(outcomes.items())),
            support=support,
        )
    for concept, papers in concept_papers.items():
        graph.nodes[concept]["papers"] = len(papers)
    return graph


def _papers(snapshot: _Snapshot, filters: ViewFilter) -> nx.DiGraph[str]:
    graph: nx.DiGraph[str] = nx.DiGraph(
        view="papers", title="Papers, what they gave and studied, who wrote them"
    )
    kept: dict[str, list[_Finding]] = defaultdict(list)
    for finding in snapshot.findings:
        paper = snapshot.papers.get(finding.paper)
        if paper is not None and filters.keeps(paper, finding.outcome):
            kept[finding.paper].append(finding)
    unfiltered = filters == ViewFilter()
    chosen = sorted(snapshot.papers) if unfiltered else sorted(kept)
    counts: Counter[str] = Counter()
    for iri in chosen:
        paper = snapshot.papers[iri]
        graph.add_node(
            iri,
            kind="paper",
            label=_paper_label(paper, snapshot.authors.get(iri)),
            iri=iri,
            ids=(),
            url=paper.url,
            papers=1,
            year=paper.year,
            design=paper.design,
            sample_size=paper.sample_size,
            journal=paper.journal_title,
            title=paper.title,
        )
        by_drug: dict[str, list[_Finding]] = defaultdict(list)
        for finding in kept.get(iri, []):
            by_drug[finding.drug].append(finding)
        for drug, found in sorted(by_drug.items()):
            support = [_support(snapshot, f) for f in found]
            outcomes = Counter(entry["outcome"] for entry in support)
            _add_concept(graph, snapshot, drug)
            _add_link(
                graph,
                iri,
                drug,
                "gave",
                outcome=_combined(outcomes),
                outcomes=outcomes,
                support=support,
            )
            counts[drug] += 1
        studied = set(snapshot.studies.get(iri, set())) | {f.condition for f in kept.get(iri, [])}
        for condition in sorted(studied):
            if condition in snapshot.concepts:
                _add_concept(graph, snapshot, condition)
                _add_link(graph, iri, condition, "studies")
                counts[condition] += 1
        for species in sorted(snapshot.species.get(iri, set())):
            if species in snapshot.concepts:
                _add_concept(graph, snapshot, species)
                _add_link(graph, iri, species, "mentions")
                counts[species] += 1
        for author, name in snapshot.authors.get(iri, []):
            if author not in graph:
                graph.add_node(
                    author, kind="author", label=name, iri=author, ids=(), url=None, papers=0
                )
            _add_link(graph, author, iri, "authored")
            counts[author] += 1
        if paper.journal:
            if paper.journal not in graph:
                graph.add_node(
                    paper.journal,
                    kind="journal",
                    label=paper.journal_title or paper.journal,
                    iri=paper.journal,
                    ids=(),
                    url=None,
                    papers=0,
                )
            _add_link(graph, iri, paper.journal, "published_in")
            counts[paper.journal] += 1
    for node, count in counts.items():
        graph.nodes[node]["papers"] = count
    _disambiguate_papers(graph)
    return graph


def _disambiguate_papers(graph: nx.DiGraph[str]) -> None:
    """Two papers of one first author and year read "Younger et al. 2009a" and "…2009b"."""
    same: dict[str, list[str]] = defaultdict(list)
    for node, data in graph.nodes(data=True):
        if data["kind"] == "paper":
            same[data["label"]].append(node)
    for label, nodes in same.items():
        if len(nodes) > 1 and label[-4:].isdigit():
            ordered = sorted(nodes, key=lambda n: (graph.nodes[n].get("title") or "", n))
            for index, node in enumerate(ordered):
                graph.nodes[node]["label"] = label + "abcdefghijklmnopqrstuvwxyz"[index % 26]


# --- helpers ---------------------------------------------------------------------------------


def _add_concept(graph: nx.DiGraph[str], snapshot: _Snapshot, iri: str) -> None:
    if iri in graph:
        return
    kind, label, ids = snapshot.concepts.get(iri, ("condition", iri, ()))
    graph.add_node(iri, kind=kind, label=label, iri=iri, ids=ids, url=iri, papers=0)


def _add_link(
    graph: nx.DiGraph[str],
    source: str,
    target: str,
    relation: str,
    *,
    outcome: str | None = None,
    outcomes: Mapping[str, int] | None = None,
    support: list[dict[str, Any]] | None = None,
) -> None:
    predicate, label = _RELATIONS[relation]
    graph.add_edge(
        source,
        target,
        relation=relation,
        predicate=predicate,
        label=label,
        weight=1,
        outcome=outcome,
        outcomes=dict(sorted((outcomes or {}).items())),
        support=support or [],
    )


def _support(snapshot: _Snapshot, finding: _Finding) -> dict[str, Any]:
    paper = snapshot.papers[finding.paper]
    doses = snapshot.doses.get(finding.iri, [])
    return {
        "paper": paper.iri,
        "title": paper.title,
        "url": paper.url,
        "year": paper.year,
        "design": paper.design,
        "sample_size": paper.sample_size,
        "outcome": finding.outcome,
        "dose": "; ".join(doses) or None,
        "evidence": list(snapshot.evidence.get(finding.iri, [])),
    }


def _combined(outcomes: Mapping[str, int]) -> str:
    """One colour for several papers: their outcome if they agree, else conflicting or mixed."""
    if is_conflicting(outcomes):
        return CONFLICTING
    present = [name for name, count in outcomes.items() if count]
    if len(present) == 1:
        return present[0]
    return Outcome.MIXED.value


def _resolve_focus(
    store: PaperStore, snapshot: _Snapshot, graph: nx.DiGraph[str], focus: str
) -> str:
    text = focus.strip()
    if not text:
        raise VizError("focus", "empty focus", "name a drug, condition, paper, author or journal")
    found = [
        str(s["concept"].value)
        for s in store.query(
            _PREFIXES + _FOCUS, {ox.Variable("key"): ox.Literal(concept_key(text))}
        )
    ]
    for iri in sorted(found):
        if iri in graph:
            return iri
    try:
        record = store.find_record_graph(text)
    except StoreError:
        record = None
    if record is not None:
        for quad in store.oxigraph.quads_for_pattern(
            record, ox.NamedNode(str(PKG.describes)), None, record
        ):
            if isinstance(quad.object, ox.NamedNode):
                return quad.object.value
    if text in graph:
        return text
    wanted = text.casefold()
    named = sorted(str(n) for n in graph if graph.nodes[n]["label"].casefold() == wanted)
    if named:
        return named[0]
    if found:
        return sorted(found)[0]
    labels = sorted({data["label"] for _, data in graph.nodes(data=True)})
    hint = closest(text, labels)
    fix = f"did you mean {hint!r}? " if hint else ""
    raise VizError(
        "focus",
        f"nothing in the store is called {focus!r}",
        fix + "give a drug, condition, paper (DOI, PMID:…), author or journal",
    )


def _run(
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


def _grouped_sets(solutions: Iterable[ox.QuerySolution]) -> dict[str, set[str]]:
    grouped: dict[str, set[str]] = defaultdict(set)
    for s in solutions:
        grouped[_text(s["paper"])].add(_text(s["concept"]))
    return grouped


def _paper_label(paper: _Paper, authors: list[tuple[str, str]] | None) -> str:
    """How people cite a paper in a picture: first author's surname and year ("Younger 2009")."""
    if not authors:
        return _short(paper.title or paper.iri, 40)
    words = [w for w in authors[0][1].replace(",", " ").split() if w.rstrip(".") not in _SUFFIXES]
    # "Younger JW", "Cummins ET": initials after the surname; "Jarred Younger": surname last.
    initials = len(words) > 1 and words[-1].isupper() and len(words[-1].rstrip(".")) <= 3
    surname = words[0] if initials else (words[-1] if words else paper.title)
    more = " et al." if len(authors) > 1 else ""
    return f"{surname}{more} {paper.year}" if paper.year else f"{surname}{more}"


_SUFFIXES = {"Jr", "Sr", "II", "III", "IV"}


def _short(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"
