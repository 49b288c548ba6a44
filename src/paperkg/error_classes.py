"""Which class of mistake an evaluation error is, so a report says *why* pairs are wrong.

The classes are the ones the evaluation sets are written to exercise (``tests/data/eval/
WRITING.md``): a figure that only says "precision 0.7" cannot tell a comorbidity taken as the
studied condition from a comparator taken as a drug tried, and the two are fixed in different
places. The class is decided from the ground truth's own structure (condition roles, drugs
mentioned but not tried, combinations, broader concepts), never from names.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from paperkg.extraction.concepts import NAME_JOINS_PREFIXES
from paperkg.model import Concept, Extraction

__all__ = [
    "ADVERSE",
    "CONCEPTS",
    "CONDITION_ROLE",
    "DESIGN",
    "DOSE",
    "DRUG_ROLE",
    "ERROR_CLASSES",
    "EVIDENCE",
    "NAMES",
    "OUTCOME",
    "SAMPLE_SIZE",
    "SPECIFICITY",
    "missed_pair_class",
    "spurious_pair_class",
]

CONDITION_ROLE = "1 condition role"
SPECIFICITY = "2 specificity"
DRUG_ROLE = "3 drug role"
NAMES = "4 drug names"
ADVERSE = "5 adverse reaction"
DESIGN = "6 design"
DOSE = "7 dose"
EVIDENCE = "8 evidence"
CONCEPTS = "9 concepts"
OUTCOME = "outcome"
SAMPLE_SIZE = "sample size"

#: Every class, in the order a report lists them.
ERROR_CLASSES = (
    CONDITION_ROLE,
    SPECIFICITY,
    DRUG_ROLE,
    NAMES,
    ADVERSE,
    DESIGN,
    DOSE,
    EVIDENCE,
    CONCEPTS,
    OUTCOME,
    SAMPLE_SIZE,
)

DrugMatch = Callable[[Concept, Mapping[str, Any]], bool]
ConditionMatch = Callable[[Concept, Mapping[str, Any]], bool]


def _conditions(expected: Mapping[str, Any], *roles: str) -> list[Mapping[str, Any]]:
    return [c for c in expected.get("conditions") or [] if c.get("role", "studied") in roles]


def _mentioned(expected: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """``mentioned_not_tried`` entries; older ground truth writes them as plain strings."""
    entries: list[Mapping[str, Any]] = []
    for entry in expected.get("mentioned_not_tried") or []:
        if isinstance(entry, Mapping):
            entries.append(entry)
        else:
            entries.append({"drug": str(entry).split(" (", 1)[0]})
    return entries


def _is_broader(condition: Concept, expected: Mapping[str, Any]) -> bool:
    """The found condition is the broader concept of a studied one."""
    broader = {str(c["broader"]) for c in _conditions(expected, "studied") if c.get("broader")}
    return bool(broader & {condition.key, *condition.identifiers})


def spurious_pair_class(
    drug: Concept,
    condition: Concept,
    expected: Mapping[str, Any],
    drug_matches: DrugMatch,
    condition_matches: ConditionMatch,
) -> str:
    """A finding the paper does not support: a drug not tried, or a tried drug's wrong condition."""
    tried = any(drug_matches(drug, i) for i in expected.get("interventions") or [])
    if not tried:
        return DRUG_ROLE
    if any(condition_matches(condition, c) for c in _conditions(expected, "adverse_event")):
        return ADVERSE
    if _is_broader(condition, expected):
        return SPECIFICITY
    return CONDITION_ROLE


def missed_pair_class(
    intervention: Mapping[str, Any],
    extraction: Extraction,
    expected: Mapping[str, Any],
    drug_matches: DrugMatch,
) -> str:
    """Why a true (drug, condition) pair was not found."""
    found_conditions = [
        extraction.concept(f.condition)
        for f in extraction.findings
        if drug_matches(extraction.concept(f.drug), intervention)
    ]
    if found_conditions:
        if any(_is_broader(c, expected) for c in found_conditions):
            return SPECIFICITY
        return CONDITION_ROLE
    if intervention.get("combination_with"):
        return NAMES
    if not any(drug_matches(c, intervention) for c in extraction.concepts):
        return NAMES
    if intervention.get("outcome") == "adverse_effects" and _conditions(expected, "adverse_event"):
        return ADVERSE
    if not extraction.studied_conditions:
        return CONDITION_ROLE
    return DRUG_ROLE


def merged_identifiers(concepts: Sequence[Concept]) -> list[tuple[Concept, str]]:
    """Concepts holding two identifiers of one prefix (two diseases merged into one node);
    PubChem's several compound ids of one drug are a reported conflict, not a merge.
    """
    merged: list[tuple[Concept, str]] = []
    for concept in concepts:
        prefixes: dict[str, list[str]] = {}
        for curie in concept.identifiers:
            prefixes.setdefault(curie.split(":", 1)[0], []).append(curie)
        for prefix, ids in sorted(prefixes.items()):
            if len(ids) > 1 and prefix not in NAME_JOINS_PREFIXES:
                merged.append((concept, "|".join(ids)))
    return merged
