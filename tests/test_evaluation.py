"""Scoring on small hand-made inputs, checked against figures worked out by hand."""

from __future__ import annotations

from typing import Any

import pytest

from paperkg.evaluation import answer_check, evaluate
from paperkg.model import (
    Concept,
    Dose,
    EntityKind,
    Evidence,
    Extraction,
    Finding,
    Outcome,
    PaperRecord,
    StudyDesign,
)

from conftest import FIBROMYALGIA_IDS

FM = Concept(
    "MONDO:0005546", EntityKind.DISEASE, "fibromyalgia", (), ("MESH:D005356", "MONDO:0005546")
)
DRUG_A = Concept("MESH:D000001", EntityKind.CHEMICAL, "drug a", ("DA",), ("MESH:D000001",))
DRUG_B = Concept(
    "MESH:D000002", EntityKind.CHEMICAL, "drug b", (), ("MESH:D000002", "pubchem.compound:22")
)
DRUG_C = Concept("label:drug c", EntityKind.CHEMICAL, "drug c")


def truth_record(name: str, interventions: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "file": f"public/{name}",
        "record_kind": "valid",
        "study_design": extra.get("design", "rct"),
        "sample_size": extra.get("size", 100),
        "conditions": [{"label": "fibromyalgia", "mondo": "MONDO:0005546", "mesh": "MESH:D005356"}],
        "interventions": [{"for_conditions": ["MONDO:0005546"], **i} for i in interventions],
    }


TRUTH: dict[str, Any] = {
    "records": [
        truth_record(
            "p1.txt",
            [
                {
                    "drug": "drug a",
                    "mesh": "MESH:D000001",
                    "outcome": "improved",
                    "dose": "10 mg/day",
                },
                {"drug": "drug b", "pubchem_cid": "22", "outcome": "no_benefit", "dose": None},
            ],
        ),
        truth_record(
            "p2.txt",
            [{"drug": "drug a", "outcome": "mixed", "doses": ["5 mg", "10 mg"]}],
            design="case_report",
            size=1,
        ),
        truth_record("broken.txt", [{"drug": "drug b", "outcome": "improved"}]),
    ],
    "queries": {
        "fibromyalgia_drugs": {
            "expected_answer": [
                {
                    "drug": "drug a",
                    "mesh": "MESH:D000001",
                    "paper_count": 2,
                    "outcome_counts": {"improved": 1, "mixed": 1},
                },
                {
                    "drug": "drug b",
                    "pubchem_cid": "22",
                    "paper_count": 1,
                    "outcome_counts": {"no_benefit": 1},
                },
            ]
        }
    },
}


SUPPORT = (Evidence("The drug helped.", "abstract"),)


def finding(drug: Concept, outcome: Outcome, *doses: Dose) -> Finding:
    return Finding(drug.key, FM.key, outcome, doses=doses, evidence=SUPPORT)


def record(name: str, doi: str) -> PaperRecord:
    return PaperRecord(source=name, sha256="0", title=name, doi=doi)


def perfect() -> list[tuple[str, Extraction, PaperRecord]]:
    concepts = (FM, DRUG_A, DRUG_B, DRUG_C)
    one = Extraction(
        concepts=concepts,
        findings=(
            finding(DRUG_A, Outcome.IMPROVED, Dose("10 mg/day", 10.0, None, "mg", "daily")),
            finding(DRUG_B, Outcome.NO_BENEFIT),
        ),
        study_design=StudyDesign.RCT,
        sample_size=100,
    )
    two = Extraction(
        concepts=concepts,
        findings=(
            finding(
                DRUG_A,
                Outcome.MIXED,
                Dose("5 mg", 5.0, None, "mg"),
                Dose("10 mg", 10.0, None, "mg"),
            ),
        ),
        study_design=StudyDesign.CASE_REPORT,
        sample_size=1,
    )
    return [
        ("/somewhere/p1.txt", one, record("p1", "10.1/one")),
        ("p2.txt", two, record("p2", "10.1/two")),
    ]


def test_perfect_extraction_scores_one() -> None:
    report = evaluate(perfect(), TRUTH)
    assert report.records == 2  # broken.txt was not read, so it is not scored
    assert report.summary() == {
        "records": 2,
        "pair_precision": 1.0,
        "pair_recall": 1.0,
        "pair_f1": 1.0,
        "outcome_accuracy": 1.0,
        "design_accuracy": 1.0,
        "sample_size_accuracy": 1.0,
        "dose_recall": 1.0,
    }
    assert report.errors == ()


def test_missed_pair_lowers_recall_as_computed_by_hand() -> None:
    rows = perfect()
    name, extraction, rec = rows[0]
    rows[0] = (
        name,
        Extraction(**{**_fields(extraction), "findings": extraction.findings[:1]}),
        rec,
    )
    report = evaluate(rows, TRUTH)
    # truth pairs 3, extracted 2, matched 2 -> P = 1, R = 2/3, F1 = 0.8
    assert report.precision == 1.0
    assert report.recall == pytest.approx(2 / 3)
    assert report.f1 == pytest.approx(0.8)
    assert [(e.kind, e.drug) for e in report.errors] == [("missed_pair", "drug b")]


def test_spurious_pair_and_wrong_outcome() -> None:
    rows = perfect()
    name, extraction, rec = rows[1]
    wrong = (
        finding(DRUG_A, Outcome.IMPROVED, Dose("5 mg", 5.0, None, "mg")),
        finding(DRUG_C, Outcome.IMPROVED),
    )
    rows[1] = (name, Extraction(**{**_fields(extraction), "findings": wrong}), rec)
    report = evaluate(rows, TRUTH)
    # extracted 4, matched 3 -> P = 3/4; outcomes right on 2 of 3 matched pairs
    assert report.precision == pytest.approx(0.75)
    assert report.recall == 1.0
    assert report.outcome_accuracy == pytest.approx(2 / 3)
    # truth doses: 10 mg/day, 5 mg, 10 mg -> the 10 mg of p2 is missing
    assert report.dose_recall == pytest.approx(2 / 3)
    kinds = sorted(e.kind for e in report.errors)
    assert kinds == ["missed_dose", "spurious_pair", "wrong_outcome"]


def test_design_and_sample_size_errors() -> None:
    rows = perfect()
    name, extraction, rec = rows[0]
    rows[0] = (
        name,
        Extraction(
            **{**_fields(extraction), "study_design": StudyDesign.COHORT_STUDY, "sample_size": 99}
        ),
        rec,
    )
    report = evaluate(rows, TRUTH)
    assert report.design_accuracy == 0.5
    assert report.sample_size_accuracy == 0.5


def test_drug_matches_by_pubchem_and_synonym() -> None:
    other = Concept("MESH:D999999", EntityKind.CHEMICAL, "B-brand", (), ("pubchem.compound:22",))
    alias = Concept("label:x", EntityKind.CHEMICAL, "DA long name", ("drug a",))
    rows = perfect()
    name, extraction, rec = rows[0]
    changed = Extraction(
        **{
            **_fields(extraction),
            "concepts": (FM, other, alias),
            "findings": (
                Finding(alias.key, FM.key, Outcome.IMPROVED, doses=extraction.findings[0].doses),
                Finding(other.key, FM.key, Outcome.NO_BENEFIT),
            ),
        }
    )
    rows[0] = (name, changed, rec)
    assert evaluate(rows, TRUTH).f1 == 1.0


def test_answer_check() -> None:
    check = answer_check(perfect(), TRUTH, "fibromyalgia_drugs", FIBROMYALGIA_IDS)
    assert check.ok
    rows = perfect()
    rows.append(("p1-copy.txt", rows[0][1], rows[0][2]))  # same paper twice counts once
    assert answer_check(rows, TRUTH, "fibromyalgia_drugs", FIBROMYALGIA_IDS).ok
    name, extraction, rec = rows[1]
    extra = Extraction(**{**_fields(extraction), "findings": (finding(DRUG_C, Outcome.IMPROVED),)})
    check = answer_check(
        [rows[0], (name, extra, rec)], TRUTH, "fibromyalgia_drugs", FIBROMYALGIA_IDS
    )
    assert not check.ok
    first = check.rows[0]
    assert (first.expected_papers, first.found_papers) == (2, 1)
    assert check.extra == {"drug c": {"improved": 1}}


def _fields(extraction: Extraction) -> dict[str, Any]:
    return {name: getattr(extraction, name) for name in Extraction.__dataclass_fields__}


def test_errors_carry_their_class() -> None:
    """A spurious drug is a drug-role error, a title as evidence an evidence error."""
    rows = perfect()
    name, extraction, rec = rows[1]
    titled = Finding(DRUG_A.key, FM.key, Outcome.MIXED, evidence=(Evidence("p2.txt", "title"),))
    extra = finding(DRUG_C, Outcome.IMPROVED)
    rows[1] = (name, Extraction(**{**_fields(extraction), "findings": (titled, extra)}), rec)
    report = evaluate(rows, TRUTH)
    found = {(e.kind, e.error_class) for e in report.errors}
    assert ("spurious_pair", "3 drug role") in found
    assert ("title_evidence", "8 evidence") in found
    assert report.by_class()["3 drug role"] == {"spurious_pair": 1}


def test_a_concept_with_two_ids_of_one_prefix_is_a_concept_error() -> None:
    merged = Concept("MESH:D1", EntityKind.DISEASE, "bleeding", (), ("MESH:D1", "MESH:D2"))
    rows = perfect()
    name, extraction, rec = rows[0]
    concepts = (*extraction.concepts, merged)
    rows[0] = (name, Extraction(**{**_fields(extraction), "concepts": concepts}), rec)
    errors = [e for e in evaluate(rows, TRUTH).errors if e.kind == "merged_identifiers"]
    assert [(e.found, e.error_class) for e in errors] == [
        ("bleeding: MESH:D1|MESH:D2", "9 concepts")
    ]


def test_ground_truth_synonyms_match_a_concept() -> None:
    """A drug or condition the truth lists under another name still matches."""
    truth: dict[str, Any] = {
        "records": [
            {
                "file": "p1.txt",
                "conditions": [
                    {"label": "fibromyalgia syndrome", "synonyms": ["fibromyalgia"], "mondo": None}
                ],
                "interventions": [
                    {
                        "drug": "brand x",
                        "synonyms": ["drug a"],
                        "outcome": "improved",
                        "for_conditions": ["fibromyalgia syndrome"],
                    }
                ],
            }
        ]
    }
    one = Extraction(concepts=(FM, DRUG_A), findings=(finding(DRUG_A, Outcome.IMPROVED),))
    report = evaluate([("p1.txt", one, record("p1.txt", "10.1/a"))], truth)
    assert report.matched_pairs == 1


@pytest.mark.parametrize(("found", "recall"), [(80.0, 1.0), (4.5, 1.0), (160.0, 0.0)])
def test_a_truth_dose_written_per_part_is_met_by_any_one_part(found: float, recall: float) -> None:
    truth = {
        "records": [
            truth_record(
                "p1.txt",
                [{"drug": "drug a", "outcome": "improved", "dose": "80/4.5μg, two puffs daily"}],
            )
        ]
    }
    dose = Dose(f"{found:g} µg", found, None, "µg")
    extraction = Extraction(
        concepts=(FM, DRUG_A), findings=(finding(DRUG_A, Outcome.IMPROVED, dose),)
    )
    report = evaluate([("p1.txt", extraction, record("p1", "10.1/one"))], truth)
    assert report.dose_recall == recall
