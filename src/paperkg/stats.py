"""What is in a store: counts, top concepts, validation state, and evidence per drug and condition.

Everything is counted by the SPARQL engine (aggregates over the union of the named graphs), so
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

from .model import Outcome, is_conflicting
from .query import QueryResult, concept_key
from .store import PaperStore
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
_PREFIXES = f"""PREFIX pkg: <{PKG._NS}>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""


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

    def as_dict(self) -> dict[str, Any]:
        """Plain values for ``json.dumps``: mappings for the per-outcome and per-design counts."""
        data = asdict(self)
        data["outcomes"] = dict(self.outcomes)
        data["designs"] = dict(self.designs)
        data["validation"]["not_validated"] = self.validation.not_validated
        for key in ("top_drugs", "top_conditions"):
            for item in data[key]:
                item["ids"] = list(item["ids"])
        return data

    def text(self) -> str:
        """A compact aligned report (no colour)."""
        state = self.validation
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
        )


#: Columns of :func:`evidence_to_result`, in order: the fields of :class:`EvidenceSummary`.
EVIDENCE_COLUMNS = tuple(field.name for field in fields(EvidenceSummary))


def _joined(counts: tuple[tuple[str, int], ...]) -> str:
    # Sorted, like every |-joined cell of the named queries (README: "cells are sorted").
    return "|".join(sorted(f"{name}:{count}" for name, count in counts))


# --- store statistics ------------------------------------------------------------------------

_OUTCOMES = """SELECT ?outcome (COUNT(DISTINCT ?finding) AS ?n)
WHERE { ?finding a pkg:Finding ; pkg:outcome ?outcome } GROUP BY ?outcome"""

_DESIGNS = """SELECT ?design (COUNT(DISTINCT ?paper) AS ?n)
WHERE { GRAPH ?g { ?g a pkg:RecordGraph ; pkg:describes ?paper .
                   OPTIONAL { ?paper pkg:studyDesign ?design } } }
GROUP BY ?design"""

# pkg:conceptIds is written once per concept, in the index graph only: one row per concept.
_KINDS = """SELECT ?kind (COUNT(DISTINCT ?concept) AS ?n)
WHERE { VALUES ?kind { pkg:Chemical pkg:Condition pkg:Species }
        ?concept pkg:conceptIds ?ids . FILTER EXISTS { ?concept a ?kind } }
GROUP BY ?kind"""

_MULTI_IDS = """SELECT DISTINCT ?concept ?ids
WHERE { ?concept pkg:conceptIds ?ids . FILTER(CONTAINS(?ids, "|")) }"""

_TOP = """SELECT ?concept (SAMPLE(?label_) AS ?label) (SAMPLE(?ids_) AS ?ids)
       (COUNT(DISTINCT ?paper) AS ?papers)
WHERE { ?finding a pkg:Finding ; pkg:paper ?paper ; pkg:{role} ?node .
        ?node pkg:canonical ?concept .
        OPTIONAL { ?concept skos:prefLabel ?label_ }
        OPTIONAL { ?concept pkg:conceptIds ?ids_ } }
GROUP BY ?concept ORDER BY DESC(?papers) ?label ?concept LIMIT {limit}"""

# A record graph conforms or not when the log holds its current build key; it is stale when the
# log holds another one. IF over an unbound value is an error, which leaves the BIND unbound.
_VALIDATION = """SELECT (COUNT(DISTINCT ?g) AS ?graphs) (COUNT(DISTINCT ?ok) AS ?conforming)
       (COUNT(DISTINCT ?bad) AS ?violations) (COUNT(DISTINCT ?old) AS ?stale)
WHERE { GRAPH ?g { ?g a pkg:RecordGraph OPTIONAL { ?g pkg:buildKey ?key } }
        OPTIONAL { GRAPH ?log { ?g pkg:validatedBuildKey ?checked ; pkg:conforms ?c } }
        BIND(IF(?checked = ?key && ?c, ?g, ?none) AS ?ok)
        BIND(IF(?checked = ?key && !?c, ?g, ?none) AS ?bad)
        BIND(IF(?checked != ?key, ?g, ?none) AS ?old) }"""


def store_stats(store: PaperStore, *, top: int = 10) -> StoreStats:
    """Count papers, findings, designs, concepts and conflicts; list the ``top`` drugs and
    conditions by papers with a finding; report the validation state of the record graphs.
    """
    if top < 0:
        raise ValueError(f"top must be >= 0, not {top}")
    by_outcome = {
        _local(s["outcome"], str(OUTCOME._NS)): _int(s["n"]) for s in _run(store, _OUTCOMES)
    }
    designs = _designs(
        (_local(s["design"], str(DESIGN._NS)), _int(s["n"])) for s in _run(store, _DESIGNS)
    )
    kinds = {_value(s["kind"]): _int(s["n"]) for s in _run(store, _KINDS)}
    validation = _run(store, _VALIDATION)[0]
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
        top_drugs=_top(store, "drug", top),
        top_conditions=_top(store, "condition", top),
        identifier_conflicts=_conflicts(store),
        validation=ValidationState(ok, bad, old, max(graphs - ok - bad - old, 0)),
    )


def _top(store: PaperStore, role: str, limit: int) -> tuple[ConceptCount, ...]:
    if limit == 0:
        return ()
    # role and limit are fixed words and an int, never user text.
    text = _TOP.replace("{role}", role).replace("{limit}", str(int(limit)))
    return tuple(
        ConceptCount(
            concept=_value(s["concept"]),
            label=_value(s["label"]) or _value(s["concept"]),
            ids=_ids(s["ids"]),
            papers=_int(s["papers"]),
        )
        for s in _run(store, text)
    )


def _conflicts(store: PaperStore) -> int:
    """Concept/prefix pairs with several identifiers (one row per concept with 2+ ids)."""
    total = 0
    for solution in _run(store, _MULTI_IDS):
        prefixes = [curie.partition(":")[0] for curie in _ids(solution["ids"])]
        total += sum(1 for prefix in set(prefixes) if prefixes.count(prefix) > 1)
    return total


def _designs(counts: Any) -> tuple[tuple[str, int], ...]:
    merged: dict[str, int] = defaultdict(int)
    for name, count in counts:
        merged[name or _NO_DESIGN] += count
    return tuple(sorted(merged.items(), key=lambda item: (-item[1], item[0])))


# --- evidence per (drug, condition) ----------------------------------------------------------

# The finding core: one solution per (drug, condition, paper, outcome), filters optional.
_CORE = """?finding a pkg:Finding ; pkg:paper ?paper ; pkg:drug ?drug_node ;
         pkg:condition ?condition_node ; pkg:outcome ?outcome .
?drug_node pkg:canonical ?drug .
?condition_node pkg:canonical ?condition .
{filters}"""
_DRUG_FILTER = "?drug pkg:conceptKey ?drug_key ."
# The asked condition, or a subtype of it (skos:broadMatch, as drugs-tried-for follows it).
_CONDITION_FILTER = """?asked pkg:conceptKey ?condition_key .
?asked_node pkg:canonical ?asked .
?condition_node skos:broadMatch* ?asked_node ."""

_PAIRS = """SELECT ?drug ?condition{keys} (COUNT(DISTINCT ?paper) AS ?papers) (COUNT(?n) AS ?known)
       (SUM(COALESCE(?n, 0)) AS ?participants) (MAX(COALESCE(?n, -1)) AS ?largest)
       (SAMPLE(?drug_label_) AS ?drug_label) (SAMPLE(?drug_ids_) AS ?drug_ids)
       (SAMPLE(?condition_label_) AS ?condition_label)
       (SAMPLE(?condition_ids_) AS ?condition_ids)
WHERE {
  { SELECT DISTINCT ?drug ?condition{keys} ?paper WHERE { {core} } }
  OPTIONAL { ?paper pkg:sampleSize ?n }
  OPTIONAL { ?drug skos:prefLabel ?drug_label_ } OPTIONAL { ?drug pkg:conceptIds ?drug_ids_ }
  OPTIONAL { ?condition skos:prefLabel ?condition_label_ }
  OPTIONAL { ?condition pkg:conceptIds ?condition_ids_ }
}
GROUP BY ?drug ?condition{keys}"""

_PAIR_OUTCOMES = """SELECT ?drug ?condition{keys} ?outcome (COUNT(DISTINCT ?paper) AS ?n)
WHERE { {core} } GROUP BY ?drug ?condition{keys} ?outcome"""

_PAIR_DESIGNS = """SELECT ?drug ?condition{keys} ?design (COUNT(DISTINCT ?paper) AS ?n)
WHERE { {core} OPTIONAL { ?paper pkg:studyDesign ?design } }
GROUP BY ?drug ?condition{keys} ?design"""


def evidence_summary(
    store: PaperStore, *, condition: str | None = None, drug: str | None = None
) -> tuple[EvidenceSummary, ...]:
    """One summary per (canonical drug, canonical condition) pair with a finding, most papers
    first. ``condition`` and ``drug`` (a label, synonym, CURIE or IRI) narrow it down; a value
    that names nothing gives no rows, so use :func:`evidence_result` to have it reported.
    """
    filters, substitutions = [], {}
    for value, clause, variable in (
        (drug, _DRUG_FILTER, "drug_key"),
        (condition, _CONDITION_FILTER, "condition_key"),
    ):
        if value is not None:
            filters.append(clause)
            substitutions[ox.Variable(variable)] = ox.Literal(concept_key(value))
    core = _CORE.replace("{filters}", "\n".join(filters))
    # Bound variables must be projected (at every level) for pyoxigraph's substitutions.
    keys = "".join(f" {variable}" for variable in substitutions)

    def run(template: str) -> list[ox.QuerySolution]:
        text = template.replace("{core}", core).replace("{keys}", keys)
        return _run(store, text, substitutions)

    outcomes: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for s in run(_PAIR_OUTCOMES):
        pair = (_value(s["drug"]), _value(s["condition"]))
        outcomes[pair][_local(s["outcome"], str(OUTCOME._NS))] = _int(s["n"])
    designs: dict[tuple[str, str], list[tuple[str, int]]] = defaultdict(list)
    for s in run(_PAIR_DESIGNS):
        pair = (_value(s["drug"]), _value(s["condition"]))
        designs[pair].append((_local(s["design"], str(DESIGN._NS)), _int(s["n"])))
    rows = []
    for s in run(_PAIRS):
        pair = drug_iri, condition_iri = _value(s["drug"]), _value(s["condition"])
        counts = outcomes[pair]
        known = _int(s["known"]) > 0
        rows.append(
            EvidenceSummary(
                drug=drug_iri,
                drug_label=_value(s["drug_label"]) or drug_iri,
                drug_ids=_ids(s["drug_ids"]),
                condition=condition_iri,
                condition_label=_value(s["condition_label"]) or condition_iri,
                condition_ids=_ids(s["condition_ids"]),
                papers=_int(s["papers"]),
                outcomes=tuple((name, counts[name]) for name in OUTCOMES if counts.get(name)),
                designs=_designs(designs[pair]),
                participants=_int(s["participants"]) if known else None,
                largest_n=_int(s["largest"]) if known else None,
                conflicting=is_conflicting(counts),
            )
        )
    rows.sort(key=lambda r: (-r.papers, r.drug_label, r.condition_label, r.drug, r.condition))
    return tuple(rows)


def evidence_to_result(
    rows: tuple[EvidenceSummary, ...], *, unmatched: tuple[str, ...] = ()
) -> QueryResult:
    """The summaries as a :class:`~paperkg.query.QueryResult` (columns
    :data:`EVIDENCE_COLUMNS`), for :func:`paperkg.results.format_result`.
    """
    return QueryResult(EVIDENCE_COLUMNS, tuple(row.row() for row in rows), unmatched)


def evidence_result(
    store: PaperStore, *, condition: str | None = None, drug: str | None = None
) -> QueryResult:
    """:func:`evidence_summary` as a QueryResult whose ``unmatched`` lists the ``condition`` or
    ``drug`` values that name no condition or drug in the store (a likely typo).
    """
    rows = evidence_summary(store, condition=condition, drug=drug)
    missing = tuple(
        value
        for value, kind in ((condition, PKG.Condition), (drug, PKG.Chemical))
        if value is not None and not _names_concept(store, value, str(kind))
    )
    return evidence_to_result(rows, unmatched=missing)


def _names_concept(store: PaperStore, value: str, kind: str) -> bool:
    text = (
        "SELECT ?key ?kind WHERE { ?concept pkg:conceptKey ?key . "
        "FILTER EXISTS { ?concept a ?kind } } LIMIT 1"
    )
    bound = {
        ox.Variable("key"): ox.Literal(concept_key(value)),
        ox.Variable("kind"): ox.NamedNode(kind),
    }
    return bool(_run(store, text, bound))


# --- helpers ---------------------------------------------------------------------------------


def _run(
    store: PaperStore, text: str, substitutions: Mapping[ox.Variable, Any] | None = None
) -> list[ox.QuerySolution]:
    return list(store.query(_PREFIXES + text, substitutions))


def _value(term: Any) -> str:
    return "" if term is None else str(term.value)


def _int(term: Any) -> int:
    return 0 if term is None else int(term.value)


def _local(term: Any, namespace: str) -> str:
    """``improved`` for ``outcome:improved``; ``""`` when unbound."""
    value = _value(term)
    return value.removeprefix(namespace) if value.startswith(namespace) else value


def _ids(term: Any) -> tuple[str, ...]:
    return tuple(sorted(item for item in _value(term).split("|") if item))
