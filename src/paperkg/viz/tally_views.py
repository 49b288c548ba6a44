"""The whole-store drug–condition view from the counts kept at ingest (:mod:`paperkg.tallies`).

Its nodes and edges, their papers, outcomes and predicates come from the tally graph, so it
reads no finding: drawing it from every finding, its sentences, doses and results took 152 s at
100,000 records. An edge's ``support`` is a :class:`~paperkg.viz.support.PairSupport`, read
from the store when something uses it. The view equals the one counted from the findings, which
is drawn instead when the tallies are absent or stale, or when filters choose findings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import networkx as nx
import pyoxigraph as ox

from ..mapping import _TRIAL_DESIGNS
from ..store import PaperStore, term_text
from ..tallies import PairTally, concept_tallies, pair_outcome_tallies, tallies_usable
from ..vocab import DESIGN, OUTCOME, PKG
from .snapshot import read_concepts
from .support import PairSupport, SupportReader, combined_outcome

__all__ = ["add_concept", "add_tallied_pairs", "pair_predicates"]

#: The study designs whose findings the mapping states as ``biolink:in_clinical_trials_for``.
_TRIALS = frozenset(str(DESIGN[design.value]) for design in _TRIAL_DESIGNS)

Concepts = Mapping[str, tuple[str, str, tuple[str, ...]]]


def add_tallied_pairs(graph: nx.DiGraph[str], store: PaperStore) -> bool:
    """Add to ``graph`` every drug–condition pair of the store, from the tallies; ``False``
    (``graph`` untouched) when the store keeps no current tallies.
    """
    if not tallies_usable(store):
        return False
    tallies = sorted(pair_outcome_tallies(store), key=lambda t: (t.drug, t.condition))
    concepts = read_concepts(store)
    reader = SupportReader(store)
    outcome_ns = str(OUTCOME._NS)
    for tally in tallies:
        outcomes = {
            outcome.removeprefix(outcome_ns): findings
            for outcome, (_, findings) in tally.outcomes.items()
            if findings
        }
        for concept in (tally.drug, tally.condition):
            add_concept(graph, concepts, concept)
        graph.add_edge(
            tally.drug,
            tally.condition,
            relation="tested_for",
            predicate=pair_predicates(tally),
            label="tried for",
            weight=tally.papers,
            outcome=combined_outcome(outcomes),
            outcomes=dict(sorted(outcomes.items())),
            support=PairSupport(reader, (tally.drug, tally.condition), sum(outcomes.values())),
        )
    for concept, papers in _concept_papers(store, tallies).items():
        graph.nodes[concept]["papers"] = papers
    return True


def add_concept(graph: nx.DiGraph[str], concepts: Concepts, iri: str) -> None:
    """A drug, condition or species node (once), as every view draws it."""
    if iri in graph:
        return
    kind, label, ids = concepts.get(iri, ("condition", iri, ()))
    graph.add_node(iri, kind=kind, label=label, iri=iri, ids=ids, url=iri, papers=0)


def pair_predicates(tally: PairTally) -> str:
    """The Biolink predicates the records state for a pair, from its papers' designs: the
    mapping says ``in_clinical_trials_for`` for a trial's findings, else ``studied_to_treat``.
    """
    found = {
        "biolink:in_clinical_trials_for" if design in _TRIALS else "biolink:studied_to_treat"
        for design, papers in tally.designs.items()
        if papers
    }
    return "|".join(sorted(found)) or "biolink:studied_to_treat"


def _concept_papers(store: PaperStore, tallies: Iterable[PairTally]) -> dict[str, int]:
    """Each concept's distinct papers: its tally in its role; a concept that is a drug in some
    findings and a condition in others is counted over both, from the findings (rare).
    """
    drugs, conditions = set(), set()
    for tally in tallies:
        drugs.add(tally.drug)
        conditions.add(tally.condition)
    papers: dict[str, int] = {}
    for role, members in ((PKG.drug, drugs), (PKG.condition, conditions)):
        for found in concept_tallies(store, str(role)):
            if found.concept in members:
                papers[found.concept] = found.papers
    both = sorted(drugs & conditions)
    if both:
        solutions = store.select(
            "view-concept-papers", values={"concept": [ox.NamedNode(c) for c in both]}
        )
        for s in solutions:
            papers[term_text(s["concept"])] = int(term_text(s["papers"]))
    return papers
