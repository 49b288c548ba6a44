"""Counts kept at ingest, so that whole-store answers read counts instead of every finding.

For each (canonical drug, canonical condition) pair with a finding, the tally graph
(``<base>graph/tallies``) keeps its distinct papers, their sample sizes, the papers and findings
per outcome, the papers per study design, the doses as written and the findings per agreement
with NLM's MeSH indexing of their citation; for each canonical concept, the papers it is a
finding's drug or condition in. They are the numbers ``drugs-tried-for``, ``evidence``, ``stats``
and the drug–condition view report, computed by the same counting queries
(``queries/internal/tally-*.rq``) once per change instead of once per question.

A build or removal marks the tallies stale before its first write and recounts, after the
concept index is updated, only the pairs and concepts it touched: the pairs of every drug
concept a changed record names, and everything of a concept the index regrouped. A killed
writer leaves them marked stale: readers then count from the findings (the named ``.rq`` files,
which give the same rows in any triple store), and the next build recounts everything.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from urllib.parse import unquote

import pyoxigraph as ox

from .store import (
    PaperStore,
    index_graph,
    tallies_current,
    tally_graphs,
)
from .tally_counts import TALLY_PREDICATES as _P
from .tally_counts import begin_tally_update, canonicals, refresh_tallies
from .vocab import PKG, SKOS

__all__ = [
    "TRIED_FOR_COLUMNS",
    "ConceptTally",
    "PairTally",
    "begin_tally_update",
    "concept_names",
    "concept_tallies",
    "conditions_under",
    "drugs_tried_for",
    "narrower_conditions",
    "pair_outcome_tallies",
    "pair_tallies",
    "refresh_tallies",
    "tallies_usable",
]

_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")


@dataclass(slots=True)
class PairTally:
    """What the findings of one (canonical drug, canonical condition) pair add up to."""

    drug: str
    condition: str
    papers: int = 0
    sized_papers: int = 0
    participants: int = 0
    largest: int = -1
    #: outcome IRI -> (distinct papers, findings)
    outcomes: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: study design IRI (``None``: not stated) -> distinct papers
    designs: dict[str | None, int] = field(default_factory=dict)
    doses: set[str] = field(default_factory=set)
    #: agreement with NLM's indexing (``None``: citation without indexing) -> findings; a
    #: pair's findings always give an entry, so empty means tallies counted before they did
    agreements: dict[str | None, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ConceptTally:
    """The distinct papers in which a canonical concept is a finding's drug or condition."""

    concept: str
    role: str
    papers: int


# --- reading -----------------------------------------------------------------------------------


def tallies_usable(store: PaperStore) -> bool:
    """Whether the store keeps tallies and they match its record graphs."""
    return tallies_current(store) is True


def pair_tallies(
    store: PaperStore,
    *,
    drugs: Iterable[str] | None = None,
    conditions: Iterable[str] | None = None,
) -> list[PairTally]:
    """The pair tallies (of those canonical drugs and conditions, if given), unsorted: all of
    them grouped by the store (:func:`_every_pair`), those of a few concepts by their nodes.
    """
    graphs = tally_graphs(store)
    if drugs is None and conditions is None:
        return _every_pair(store, graphs)
    wanted_drugs = None if drugs is None else set(drugs)
    wanted_conditions = None if conditions is None else set(conditions)
    nodes = (
        _subjects_with(store, "tallyCondition", wanted_conditions)
        if wanted_conditions is not None
        else _subjects_with(store, "tallyDrug", wanted_drugs or set())
    )
    quads = (q for n in nodes for q in _statements(store, n, graphs))
    by_node: dict[str, dict[str, list[ox.NamedNode | ox.Literal]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for quad in quads:
        if isinstance(quad.subject, ox.NamedNode) and "/tally/" in quad.subject.value:
            obj = quad.object
            if isinstance(obj, ox.NamedNode | ox.Literal):
                by_node[quad.subject.value][quad.predicate.value].append(obj)
    pairs: dict[tuple[str, str], PairTally] = {}
    for node, props in by_node.items():
        kind = node.rsplit("/", 2)[-2]
        if kind == "concept":
            continue
        drug, condition = _one(props, "tallyDrug"), _one(props, "tallyCondition")
        if drug is None or condition is None:
            continue
        if (wanted_drugs is not None and drug not in wanted_drugs) or (
            wanted_conditions is not None and condition not in wanted_conditions
        ):
            continue
        entry = pairs.setdefault((drug, condition), PairTally(drug, condition))
        papers = int(_one(props, "paperCount") or 0)
        if kind == "pair":
            entry.papers = papers
            entry.sized_papers = int(_one(props, "sizedPaperCount") or 0)
            entry.participants = int(_one(props, "participantCount") or 0)
            entry.largest = int(_one(props, "largestSampleSize") or -1)
            entry.doses = {v.value for v in props.get(str(PKG.tallyDose), [])}
        elif kind == "outcome":
            outcome = _one(props, "tallyOutcome")
            if outcome is not None:
                entry.outcomes[outcome] = (papers, int(_one(props, "findingCount") or 0))
        elif kind == "design":
            entry.designs[_one(props, "tallyDesign")] = papers
        elif kind == "agreement":
            findings = int(_one(props, "findingCount") or 0)
            entry.agreements[_one(props, "indexingAgreement")] = findings
    return list(pairs.values())


def _every_pair(store: PaperStore, graphs: Sequence[ox.NamedNode]) -> list[PairTally]:
    """Every pair's tallies, joined and grouped by the store (``tally-read``) so that only each
    pair's terms are read into Python (not every statement of the tally graph).
    """
    found = []
    for s in store.solutions("tally-read", values={"g": graphs}):
        tally = PairTally(
            s["drug"].value,
            s["condition"].value,
            papers=int(s["papers"].value),
            sized_papers=int(s["sized"].value),
            participants=int(s["participants"].value),
            largest=int(s["largest"].value),
            doses={unquote(dose) for dose in s["doses"].value.split()},
        )
        for outcome, counts in _entries(s["outcomes"]):
            papers, findings = counts.split(",")
            tally.outcomes[outcome] = (int(papers), int(findings))
        for design, papers in _entries(s["designs"]):
            tally.designs[design or None] = int(papers)
        for agreement, counts in _entries(s["agreements"]):
            tally.agreements[agreement or None] = int(counts.split(",")[1])
        found.append(tally)
    return found


def _entries(joined: ox.Literal) -> Iterator[tuple[str, str]]:
    """The ``KEY=VALUE`` entries of a space-separated list of ``tally-read``."""
    for entry in joined.value.split():
        key, value = entry.rsplit("=", 1)
        yield key, value


def pair_outcome_tallies(store: PaperStore) -> list[PairTally]:
    """Every pair's papers, papers and findings per outcome, and papers per design (the rest
    of :class:`PairTally` left empty), unsorted: what the whole-store drug–condition view
    draws, read as :func:`pair_tallies` reads them all (``view-pair-tallies``) in half the time.
    """
    found = []
    for s in store.solutions("view-pair-tallies", values={"g": tally_graphs(store)}):
        tally = PairTally(s["drug"].value, s["condition"].value, papers=int(s["papers"].value))
        for outcome, counts in _entries(s["outcomes"]):
            papers, findings = counts.split(",")
            tally.outcomes[outcome] = (int(papers), int(findings))
        for design, papers in _entries(s["designs"]):
            tally.designs[design or None] = int(papers)
        found.append(tally)
    return found


def concept_tallies(store: PaperStore, role: str) -> list[ConceptTally]:
    """Per-concept paper counts in ``role`` (the IRI of pkg:drug or pkg:condition)."""
    found = []
    graphs = tally_graphs(store)
    for graph in graphs:
        for quad in store.quads_for_pattern(None, _P["tallyRole"], ox.NamedNode(role), graph):
            props = {
                q.predicate.value: q.object.value
                for q in _statements(store, quad.subject, graphs)
                if isinstance(q.object, ox.NamedNode | ox.Literal)
            }
            found.append(
                ConceptTally(
                    props.get(str(PKG.tallyConcept), ""),
                    role,
                    int(props.get(str(PKG.paperCount), 0)),
                )
            )
    return found


#: The columns of ``queries/drugs-tried-for.rq``, which :func:`drugs_tried_for` answers too.
TRIED_FOR_COLUMNS = ("drug", "drug_label", "drug_ids", "papers", "outcomes", "doses")
#: Outcomes in the order the query lists them.
_OUTCOME_ORDER = ("improved", "no_benefit", "worsened", "adverse_effects", "mixed", "not_stated")


def drugs_tried_for(
    store: PaperStore, key: str
) -> list[tuple[ox.NamedNode | ox.Literal, ...]] | None:
    """The rows of ``drugs-tried-for`` for the condition lookup key ``key``, from the tallies:
    one per drug, most papers first. ``None`` where counts cannot give them (no current
    tallies; the key names several conditions with findings, or a condition with subtypes of
    other concepts, whose distinct papers only the findings can count): run the query then.
    """
    index = _index(store)
    if index is None:
        return None
    candidates = {
        q.subject.value
        for q in store.quads_for_pattern(None, ox.NamedNode(str(PKG.conceptKey)), ox.Literal(key))
        if isinstance(q.subject, ox.NamedNode) and q.graph_name == index
    }
    with_findings = []
    for concept in sorted(candidates):
        under = narrower_conditions(store, concept, index)
        if under != {concept} and pair_tallies(store, conditions=under - {concept}):
            return None  # findings of a subtype: distinct papers need the findings
        tallies = pair_tallies(store, conditions={concept})
        if tallies:
            with_findings.append(tallies)
    if len(with_findings) > 1:
        return None
    rows: list[tuple[ox.NamedNode | ox.Literal, ...]] = []
    for tally in with_findings[0] if with_findings else []:
        drug = ox.NamedNode(tally.drug)
        label = _index_value(store, drug, SKOS.prefLabel, index)
        ids = _index_value(store, drug, PKG.conceptIds, index)
        if label is None or ids is None:
            continue  # as the query: a drug without label or identifiers in the index
        papers = {o.rsplit("/", 1)[-1]: counts[0] for o, counts in tally.outcomes.items()}
        outcomes = "|".join(f"{o}:{papers[o]}" for o in _OUTCOME_ORDER if papers.get(o))
        rows.append(
            (
                drug,
                label,
                ids,
                ox.Literal(str(tally.papers), datatype=_INTEGER),
                ox.Literal(outcomes),
                ox.Literal("|".join(sorted(d for d in tally.doses if d))),
            )
        )
    rows.sort(key=lambda row: (-int(row[3].value), row[1].value, row[0].value))
    return rows


def _index_value(
    store: PaperStore, node: ox.NamedNode, predicate: object, index: ox.NamedNode
) -> ox.Literal | None:
    for quad in store.quads_for_pattern(node, ox.NamedNode(str(predicate)), None, index):
        if isinstance(quad.object, ox.Literal):
            return quad.object
    return None


def narrower_conditions(store: PaperStore, condition: str, index: ox.NamedNode) -> set[str]:
    """The canonical concepts of the condition nodes under ``condition`` (its members and,
    through ``skos:broadMatch`` in any number of steps, their subtypes), itself included.
    """
    under = store.select("condition-nodes-under", values={"asked": [ox.NamedNode(condition)]})
    nodes = [s["node"].value for s in under if isinstance(s["node"], ox.NamedNode)]
    return {condition, *canonicals(store, nodes, index)}


def conditions_under(store: PaperStore, concepts: Iterable[str]) -> set[str]:
    """The canonical conditions of ``concepts`` and of their subtypes (for narrowing down)."""
    index = _index(store)
    if index is None:
        return set()
    return {c for concept in concepts for c in narrower_conditions(store, concept, index)}


def concept_names(
    store: PaperStore, concepts: Iterable[str]
) -> dict[str, tuple[str | None, str | None]]:
    """Each canonical concept's display label and joined identifiers, from the index."""
    index = _index(store)
    named: dict[str, tuple[str | None, str | None]] = {}
    for concept in concepts:
        node = ox.NamedNode(concept)
        label = None if index is None else _index_value(store, node, SKOS.prefLabel, index)
        ids = None if index is None else _index_value(store, node, PKG.conceptIds, index)
        named[concept] = (
            None if label is None else label.value,
            None if ids is None else ids.value,
        )
    return named


def _index(store: PaperStore) -> ox.NamedNode | None:
    """The concept index beside current tallies; ``None`` if the tallies are not usable."""
    graphs = tally_graphs(store)
    if len(graphs) != 1 or not tallies_usable(store):
        return None
    return index_graph(graphs[0].value.removesuffix("graph/tallies"))


def _subjects_with(store: PaperStore, predicate: str, values: set[str]) -> set[ox.NamedNode]:
    return {
        q.subject
        for value in values
        for q in store.quads_for_pattern(None, _P[predicate], ox.NamedNode(value))
        if isinstance(q.subject, ox.NamedNode)
    }


def _statements(store: PaperStore, node: object, graphs: Sequence[ox.NamedNode]) -> list[ox.Quad]:
    if not isinstance(node, ox.NamedNode):
        return []
    return [q for g in graphs for q in store.quads_for_pattern(node, None, None, g)]


def _one(props: dict[str, list[ox.NamedNode | ox.Literal]], name: str) -> str | None:
    values = props.get(str(getattr(PKG, name)))
    return values[0].value if values else None
