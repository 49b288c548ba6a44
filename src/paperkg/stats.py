"""What is in a store: counts, top concepts, validation state, and evidence per drug and condition.

Everything is counted by the SPARQL engine (aggregates over the union of the named graphs, the
queries in ``queries/internal/stats-*.rq`` and ``evidence-*.rq``), so
the cost grows with what is counted, not with Python loops over triples. Concept triples repeat
in every record graph that names the concept, so every count is a ``COUNT(DISTINCT …)``; drugs
and conditions are grouped by their canonical node in the concept index graph. The validation
state comes from the validation log that :func:`paperkg.validate.validate_store` keeps, so no
SHACL runs here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

import pyoxigraph as ox
from rdflib import URIRef

from .lookup import Unmatched, concepts_named, unmatched_concepts
from .model import IndexingAgreement, Outcome, is_conflicting
from .query import QueryResult
from .store import PaperStore, Term, term_text
from .tallies import (
    concept_names,
    concept_tallies,
    conditions_under,
    pair_tallies,
    tallies_usable,
)
from .vocab import DESIGN, OUTCOME, PKG

__all__ = [
    "EVIDENCE_COLUMNS",
    "ConceptCount",
    "EvidenceSummary",
    "StoreStats",
    "ValidationState",
    "evidence_result",
    "evidence_summary",
    "evidence_to_result",
    "is_conflicting",
    "store_stats",
]

OUTCOMES: tuple[str, ...] = tuple(outcome.value for outcome in Outcome)
_NO_DESIGN = "unknown"


@dataclass(frozen=True, slots=True)
class ConceptCount:
    """A canonical concept and the number of distinct papers with a finding about it."""

    concept: str
    label: str
    ids: tuple[str, ...]
    papers: int


@dataclass(frozen=True, slots=True)
class ValidationState:
    """Record graphs by what the validation log says about their current build."""

    conforming: int
    violations: int
    stale: int
    """Validated, but changed (another build key) since."""
    unchecked: int
    """Never validated (or validated only in a read-only store, which cannot log it)."""

    @property
    def not_validated(self) -> int:
        """Graphs not validated since their last change: stale plus unchecked."""
        return self.stale + self.unchecked


@dataclass(frozen=True, slots=True)
class StoreStats:
    """Counts that describe a store; :meth:`text` for people, :meth:`as_dict` for JSON."""

    papers: int
    findings: int
    outcomes: tuple[tuple[str, int], ...]
    """Findings per outcome: all six outcomes, in :class:`paperkg.model.Outcome` order."""
    designs: tuple[tuple[str, int], ...]
    """Papers per study design, most first (``unknown``: no design stated)."""
    drugs: int
    """Distinct canonical chemical concepts (given in a finding or only named)."""
    conditions: int
    species: int
    top_drugs: tuple[ConceptCount, ...]
    top_conditions: tuple[ConceptCount, ...]
    identifier_conflicts: int
    """(concept, identifier kind) pairs with two or more identifiers, as the build reports."""
    validation: ValidationState
    indexing: tuple[tuple[str, int], ...] = ()
    """Findings per agreement with their citation's MeSH indexing (confirmed, indexed_as_harm,
    not_indexed, indexing_only), for findings of indexed citations (PubMed, MEDLINE)."""

    def as_dict(self) -> dict[str, Any]:
        """Plain values for ``json.dumps``: mappings for the per-outcome and per-design counts."""
        data = asdict(self)
        data["outcomes"] = dict(self.outcomes)
        data["designs"] = dict(self.designs)
        data["indexing"] = dict(self.indexing)
        data["validation"]["not_validated"] = self.validation.not_validated
        for key in ("top_drugs", "top_conditions"):
            for item in data[key]:
                item["ids"] = list(item["ids"])
        return data

    def text(self) -> str:
        """A compact aligned report (no colour)."""
        state = self.validation
        # only for stores with findings of indexed citations (PubMed, MEDLINE)
        indexing: list[tuple[str, int | None]] = []
        if any(count for _, count in self.indexing):
            indexing = [("findings vs MeSH indexing", None)]
            indexing += [(f"  {name}", count) for name, count in self.indexing]
        rows: list[tuple[str, int | None]] = [
            ("papers", self.papers),
            ("findings", self.findings),
            *((f"  {name}", count) for name, count in self.outcomes),
            ("papers by design", None),
            *((f"  {name}", count) for name, count in self.designs),
            ("drugs", self.drugs),
            ("conditions", self.conditions),
            ("species", self.species),
            ("identifier conflicts", self.identifier_conflicts),
            *indexing,
            ("validation (record graphs)", None),
            ("  conforming", state.conforming),
            ("  with violations", state.violations),
            ("  changed since validated", state.stale),
            ("  never validated", state.unchecked),
        ]
        lines = [name if value is None else f"{name:<28}{value:>8}" for name, value in rows]
        for title, items in (("drugs", self.top_drugs), ("conditions", self.top_conditions)):
            lines.append(f"top {title} (papers with a finding)")
            width = max((len(item.label) for item in items), default=0)
            lines.extend(
                f"  {item.papers:>6}  {item.label:<{width}}  {' '.join(item.ids)}".rstrip()
                for item in items
            )
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class EvidenceSummary:
    """The findings about one (canonical drug, canonical condition) pair, as facts."""

    drug: str
    drug_label: str
    drug_ids: tuple[str, ...]
    condition: str
    condition_label: str
    condition_ids: tuple[str, ...]
    papers: int
    outcomes: tuple[tuple[str, int], ...]
    """Distinct papers per outcome (outcomes with papers only, in Outcome order)."""
    designs: tuple[tuple[str, int], ...]
    """Distinct papers per study design, most first."""
    participants: int | None
    """Sum of the sample sizes of the distinct papers that state one (``None``: none does)."""
    largest_n: int | None
    conflicting: bool
    """At least one paper found it improved and at least one no benefit or worse."""
    indexing_confirmed: int | None
    """Findings whose pair NLM's MeSH indexing of the citation states too (a second witness);
    this and the next two are ``None`` where no finding comes from an indexed citation."""
    indexing_as_harm: int | None
    """Findings of citations whose indexing calls the condition chemically induced."""
    indexing_not_indexed: int | None
    """Findings of indexed citations whose indexing does not state the pair."""
    indexing_only: int | None
    """Findings the indexing alone states (the text gave none of the pair: extractor
    ``mesh-indexing``)."""
    indexing_absent: int
    """Findings of citations without MeSH indexing (paper records, PubTator, JATS, ...)."""

    def row(self) -> tuple[str | None, ...]:
        """The cells of :data:`EVIDENCE_COLUMNS`; counts are joined, sorted, like
        ``improved:2|no_benefit:1``.
        """
        return (
            self.drug,
            self.drug_label,
            "|".join(self.drug_ids),
            self.condition,
            self.condition_label,
            "|".join(self.condition_ids),
            str(self.papers),
            _joined(self.outcomes),
            _joined(self.designs),
            None if self.participants is None else str(self.participants),
            None if self.largest_n is None else str(self.largest_n),
            str(self.conflicting).lower(),
            *(
                None if count is None else str(count)
                for count in (
                    self.indexing_confirmed,
                    self.indexing_as_harm,
                    self.indexing_not_indexed,
                    self.indexing_only,
                    self.indexing_absent,
                )
            ),
        )


#: Columns of :func:`evidence_to_result`, in order: the fields of :class:`EvidenceSummary`.
EVIDENCE_COLUMNS = tuple(field.name for field in fields(EvidenceSummary))
#: Their types as JSON gives them (:data:`paperkg.query.COLUMN_TYPES`), from the fields' types.
_EVIDENCE_TYPES = tuple(
    {"int": "integer", "int | None": "integer", "bool": "boolean"}.get(str(field.type), "string")
    for field in fields(EvidenceSummary)
)


def _joined(counts: tuple[tuple[str, int], ...]) -> str:
    # Sorted, like every |-joined cell of the named queries (README: "cells are sorted").
    return "|".join(sorted(f"{name}:{count}" for name, count in counts))


# --- store statistics ------------------------------------------------------------------------


def store_stats(store: PaperStore, *, top: int = 10) -> StoreStats:
    """Count papers, findings, designs, concepts and conflicts; list the ``top`` drugs and
    conditions by papers with a finding; report the validation state of the record graphs.
    """
    if top < 0:
        raise ValueError(f"top must be >= 0, not {top}")
    by_outcome = {
        _local(s["outcome"], str(OUTCOME._NS)): _int(s["n"]) for s in store.select("stats-outcomes")
    }
    designs = _designs(
        (_local(s["design"], str(DESIGN._NS)), _int(s["n"])) for s in store.select("stats-designs")
    )
    kinds = {term_text(s["kind"]): _int(s["n"]) for s in store.select("stats-kinds")}
    agreement = {term_text(s["agreement"]): _int(s["n"]) for s in store.select("stats-indexing")}
    validation = store.select("stats-validation")[0]
    graphs, ok, bad, old = (
        _int(validation[name]) for name in ("graphs", "conforming", "violations", "stale")
    )
    return StoreStats(
        papers=graphs,
        findings=sum(by_outcome.values()),
        outcomes=tuple((name, by_outcome.get(name, 0)) for name in OUTCOMES),
        designs=designs,
        drugs=kinds.get(str(PKG.Chemical), 0),
        conditions=kinds.get(str(PKG.Condition), 0),
        species=kinds.get(str(PKG.Species), 0),
        top_drugs=_top(store, PKG.drug, top),
        top_conditions=_top(store, PKG.condition, top),
        identifier_conflicts=_conflicts(store),
        validation=ValidationState(ok, bad, old, max(graphs - ok - bad - old, 0)),
        indexing=tuple((name.value, agreement.get(name.value, 0)) for name in IndexingAgreement),
    )


def _top(store: PaperStore, role: URIRef, limit: int) -> tuple[ConceptCount, ...]:
    if limit == 0:
        return ()
    if tallies_usable(store):
        counted = concept_tallies(store, str(role))
        names = concept_names(store, (t.concept for t in counted))
        ranked_counts = sorted(
            (
                ConceptCount(
                    concept=t.concept,
                    label=names[t.concept][0] or t.concept,
                    ids=_ids(ox.Literal(names[t.concept][1] or "")),
                    papers=t.papers,
                )
                for t in counted
            ),
            key=lambda c: (-c.papers, c.label, c.concept),
        )
        return tuple(ranked_counts[:limit])
    ranked = store.select("stats-top", values={"role": [ox.NamedNode(str(role))]})
    return tuple(
        ConceptCount(
            concept=term_text(s["concept"]),
            label=term_text(s["label"]) or term_text(s["concept"]),
            ids=_ids(s["ids"]),
            papers=_int(s["papers"]),
        )
        for s in ranked[:limit]
    )


def _conflicts(store: PaperStore) -> int:
    """Concept/prefix pairs with several identifiers, as the concept index found them."""
    return _int(store.select("stats-conflicts")[0]["n"])


def _designs(counts: Any) -> tuple[tuple[str, int], ...]:
    merged: dict[str, int] = defaultdict(int)
    for name, count in counts:
        merged[name or _NO_DESIGN] += count
    return tuple(sorted(merged.items(), key=lambda item: (-item[1], item[0])))


# --- evidence per (drug, condition) ----------------------------------------------------------


def evidence_summary(
    store: PaperStore, *, condition: str | None = None, drug: str | None = None
) -> tuple[EvidenceSummary, ...]:
    """One summary per (canonical drug, canonical condition) pair with a finding, most papers
    first. ``condition`` and ``drug`` (a label, synonym, CURIE or IRI) narrow it down; a value
    that names nothing gives no rows, so use :func:`evidence_result` to have it reported.
    """
    if tallies_usable(store):
        tallied = _evidence_from_tallies(store, condition=condition, drug=drug)
        if tallied is not None:
            return tallied
    values: dict[str, list[Term] | None] = {"drug": None, "condition_node": None}
    if drug is not None:
        values["drug"] = [ox.NamedNode(iri) for iri in concepts_named(store, drug)]
    if condition is not None:
        asked = [ox.NamedNode(iri) for iri in concepts_named(store, condition)]
        nodes = store.select("condition-nodes-under", values={"asked": asked}) if asked else []
        values["condition_node"] = [s["node"] for s in nodes]

    def run(name: str) -> list[ox.QuerySolution]:
        return store.select(name, values=values)

    outcomes: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for s in run("evidence-outcomes"):
        pair = (term_text(s["drug"]), term_text(s["condition"]))
        outcomes[pair][_local(s["outcome"], str(OUTCOME._NS))] = _int(s["n"])
    designs: dict[tuple[str, str], list[tuple[str, int]]] = defaultdict(list)
    for s in run("evidence-designs"):
        pair = (term_text(s["drug"]), term_text(s["condition"]))
        designs[pair].append((_local(s["design"], str(DESIGN._NS)), _int(s["n"])))
    agreements: dict[tuple[str, str], dict[str | None, int]] = defaultdict(dict)
    for s in run("evidence-indexing"):
        pair = (term_text(s["drug"]), term_text(s["condition"]))
        agreement = None if s["agreement"] is None else term_text(s["agreement"])
        agreements[pair][agreement] = _int(s["n"])
    rows = []
    for s in run("evidence-pairs"):
        pair = drug_iri, condition_iri = term_text(s["drug"]), term_text(s["condition"])
        counts = outcomes[pair]
        known = _int(s["known"]) > 0
        confirmed, harm, silent, only, absent = _indexing(agreements[pair])
        rows.append(
            EvidenceSummary(
                drug=drug_iri,
                drug_label=term_text(s["drug_label"]) or drug_iri,
                drug_ids=_ids(s["drug_ids"]),
                condition=condition_iri,
                condition_label=term_text(s["condition_label"]) or condition_iri,
                condition_ids=_ids(s["condition_ids"]),
                papers=_int(s["papers"]),
                outcomes=tuple((name, counts[name]) for name in OUTCOMES if counts.get(name)),
                designs=_designs(designs[pair]),
                participants=_int(s["participants"]) if known else None,
                largest_n=_int(s["largest"]) if known else None,
                conflicting=is_conflicting(counts),
                indexing_confirmed=confirmed,
                indexing_as_harm=harm,
                indexing_not_indexed=silent,
                indexing_only=only,
                indexing_absent=absent,
            )
        )
    rows.sort(key=lambda r: (-r.papers, r.drug_label, r.condition_label, r.drug, r.condition))
    return tuple(rows)


def _evidence_from_tallies(
    store: PaperStore, *, condition: str | None, drug: str | None
) -> tuple[EvidenceSummary, ...] | None:
    """:func:`evidence_summary` from the counts kept at ingest (the same rows, a test compares);
    ``None`` where a pair's tallies predate the indexing agreement counts: count the findings.
    """
    drugs = None if drug is None else concepts_named(store, drug)
    conditions = None
    if condition is not None:
        conditions = conditions_under(store, concepts_named(store, condition))
    pairs = pair_tallies(store, drugs=drugs, conditions=conditions)
    if any(not pair.agreements for pair in pairs):
        return None
    names = concept_names(store, {c for p in pairs for c in (p.drug, p.condition)})
    rows = []
    for pair in pairs:
        counts = {
            _local(ox.NamedNode(o), str(OUTCOME._NS)): papers
            for o, (papers, _) in pair.outcomes.items()
        }
        designs = [
            (_local(None if d is None else ox.NamedNode(d), str(DESIGN._NS)), n)
            for d, n in pair.designs.items()
        ]
        drug_label, drug_ids = names[pair.drug]
        condition_label, condition_ids = names[pair.condition]
        known = pair.sized_papers > 0
        confirmed, harm, silent, only, absent = _indexing(pair.agreements)
        rows.append(
            EvidenceSummary(
                drug=pair.drug,
                drug_label=drug_label or pair.drug,
                drug_ids=_ids(ox.Literal(drug_ids or "")),
                condition=pair.condition,
                condition_label=condition_label or pair.condition,
                condition_ids=_ids(ox.Literal(condition_ids or "")),
                papers=pair.papers,
                outcomes=tuple((name, counts[name]) for name in OUTCOMES if counts.get(name)),
                designs=_designs(designs),
                participants=pair.participants if known else None,
                largest_n=pair.largest if known else None,
                conflicting=is_conflicting(counts),
                indexing_confirmed=confirmed,
                indexing_as_harm=harm,
                indexing_not_indexed=silent,
                indexing_only=only,
                indexing_absent=absent,
            )
        )
    rows.sort(key=lambda r: (-r.papers, r.drug_label, r.condition_label, r.drug, r.condition))
    return tuple(rows)


def _indexing(
    findings: Mapping[str | None, int],
) -> tuple[int | None, int | None, int | None, int | None, int]:
    """Confirmed, indexed as harm, not indexed, indexing only (all ``None`` without an indexed
    citation) and without indexing, from the findings per agreement (``None``: no indexing).
    """
    indexed = any(findings.get(a.value) for a in IndexingAgreement)
    confirmed, harm, silent, only = (
        findings.get(a.value, 0) if indexed else None
        for a in (
            IndexingAgreement.CONFIRMED,
            IndexingAgreement.INDEXED_AS_HARM,
            IndexingAgreement.NOT_INDEXED,
            IndexingAgreement.INDEXING_ONLY,
        )
    )
    return confirmed, harm, silent, only, findings.get(None, 0)


def evidence_to_result(
    rows: tuple[EvidenceSummary, ...], *, misses: tuple[Unmatched, ...] = ()
) -> QueryResult:
    """The summaries as a :class:`~paperkg.query.QueryResult` (columns
    :data:`EVIDENCE_COLUMNS`), for :func:`paperkg.results.format_result`.
    """
    cells = tuple(row.row() for row in rows)
    return QueryResult(EVIDENCE_COLUMNS, cells, misses, _EVIDENCE_TYPES)


def evidence_result(
    store: PaperStore, *, condition: str | None = None, drug: str | None = None
) -> QueryResult:
    """:func:`evidence_summary` as a QueryResult whose ``misses`` are the ``condition`` or
    ``drug`` values that name no condition or drug in the store (a likely typo), with the
    closest labels.
    """
    rows = evidence_summary(store, condition=condition, drug=drug)
    misses = tuple(
        miss
        for value, kind in ((condition, PKG.Condition), (drug, PKG.Chemical))
        if value is not None
        for miss in unmatched_concepts(store, [value], str(kind))
    )
    return evidence_to_result(rows, misses=misses)


# --- helpers ---------------------------------------------------------------------------------


def _int(term: Any) -> int:
    return 0 if term is None else int(term.value)


def _local(term: Any, namespace: str) -> str:
    """``improved`` for ``outcome:improved``; ``""`` when unbound."""
    value = term_text(term)
    return value.removeprefix(namespace) if value.startswith(namespace) else value


def _ids(term: Any) -> tuple[str, ...]:
    return tuple(sorted(item for item in term_text(term).split("|") if item))
