"""The rule extractor on the shared real records, scored against their ground truth.

The records' abstracts are publishers' text: they are read from the shared folder, never copied.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from paperkg.errors import RecordError
from paperkg.evaluation import answer_check, evaluate
from paperkg.extraction import extract
from paperkg.model import DrugRole, Extraction, Outcome, PaperRecord, StudyDesign
from paperkg.readers import read_record

from conftest import FIBROMYALGIA_IDS, public_truth_as_paperkg_reads_it

RECORDS = Path(__file__).resolve().parents[2] / "shared" / "records"
SEED = "000_47468af30908e69c.txt"


@pytest.fixture(scope="module")
def truth() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((RECORDS / "ground_truth.json").read_text(encoding="utf-8"))
    return public_truth_as_paperkg_reads_it(data)


@pytest.fixture(scope="module")
def extracted() -> list[tuple[str, Extraction, PaperRecord]]:
    rows = []
    for path in sorted(RECORDS.glob("*.txt")):
        try:
            record = read_record(path)
        except RecordError:
            continue
        rows.append((path.name, extract(record), record))
    return rows


def by_name(rows: list[tuple[str, Extraction, PaperRecord]], prefix: str) -> Extraction:
    return next(extraction for name, extraction, _ in rows if name.startswith(prefix))


def test_broken_files_are_skipped_and_the_duplicated_one_is_read(
    extracted: list[tuple[str, Extraction, PaperRecord]],
) -> None:
    names = {name[:3] for name, _, _ in extracted}
    assert {"006", "007"}.isdisjoint(names)
    assert "034" in names
    assert len(extracted) == 11


def test_seed_record_contract(extracted: list[tuple[str, Extraction, PaperRecord]]) -> None:
    result = by_name(extracted, SEED)
    assert result.studied_conditions == ("MONDO:0005546",)
    found = {
        result.concept(f.drug).label: (f.condition, f.outcome, [d.text for d in f.doses])
        for f in result.findings
    }
    assert found == {
        "naltrexone": ("MONDO:0005546", Outcome.IMPROVED, ["4.5 mg/day"]),
        "amitriptyline": ("MONDO:0005546", Outcome.NO_BENEFIT, []),
        "pregabalin": ("MONDO:0005546", Outcome.NO_BENEFIT, []),
    }
    assert [result.concept(k).label for k in result.mentioned_drugs] == ["duloxetine"]
    naltrexone = next(f for f in result.findings if result.concept(f.drug).label == "naltrexone")
    dose = naltrexone.doses[0]
    assert (dose.value, dose.unit, dose.frequency) == (4.5, "mg", "daily")
    assert naltrexone.drug == "MESH:D009271"
    concept = result.concept(naltrexone.drug)
    assert concept.identifiers == ("MESH:D009271", "pubchem.compound:5360515")
    assert "LDN" in concept.synonyms
    condition = result.concept("MONDO:0005546")
    assert "MESH:D005356" in condition.identifiers
    assert "FMS" in condition.synonyms
    pregabalin = result.concept("MESH:D000069583")
    assert "pubchem.compound:4715169" in pregabalin.identifiers
    assert result.study_design is StudyDesign.CASE_REPORT
    assert result.sample_size == 1
    for item in result.findings:
        assert item.evidence
        assert item.evidence[0].section in {"key_findings", "tldr", "abstract", "title"}
        assert item.extractor.name == "rules"
        assert 0.0 < item.confidence <= 1.0


def test_evaluation_targets(
    extracted: list[tuple[str, Extraction, PaperRecord]], truth: dict[str, Any]
) -> None:
    report = evaluate(extracted, truth)
    assert report.records == 11
    assert report.f1 >= 0.95, report.errors
    assert report.outcome_accuracy >= 0.9, report.errors
    assert report.design_accuracy >= 0.9, report.errors
    assert report.sample_size_accuracy >= 0.9, report.errors
    assert report.dose_recall >= 0.9, report.errors


def test_fibromyalgia_answer(
    extracted: list[tuple[str, Extraction, PaperRecord]], truth: dict[str, Any]
) -> None:
    check = answer_check(extracted, truth, "fibromyalgia_drugs", FIBROMYALGIA_IDS)
    assert check.ok, (check.rows, check.extra)


def test_adverse_event_is_not_a_studied_condition(
    extracted: list[tuple[str, Extraction, PaperRecord]],
) -> None:
    result = by_name(extracted, "029")
    assert result.studied_conditions == ("MONDO:0005546",)
    (item,) = result.findings
    assert item.outcome is Outcome.ADVERSE_EFFECTS
    assert "serotonin syndrome" in item.adverse_effects
    assert [result.concept(k).label for k in result.mentioned_drugs] == ["fluoxetine"]


def test_prior_treatment_and_example_drugs(
    extracted: list[tuple[str, Extraction, PaperRecord]],
) -> None:
    result = by_name(extracted, "034")
    outcomes = {result.concept(f.drug).label: f.outcome for f in result.findings}
    assert outcomes == {"pregabalin": Outcome.NOT_STATED}
    roles = {result.concept(k).label: role for k, role in result.drug_roles}
    # "pain despite treatment with gabapentin": the patients' prior treatment, not a finding
    assert roles["gabapentin"] is DrugRole.PRIOR_TREATMENT
    assert [result.concept(k).label for k in result.mentioned_drugs] == ["gabapentin", "tramadol"]
    assert result.study_design is StudyDesign.OPEN_LABEL_STUDY
    assert result.sample_size == 25


def test_listed_side_effects_are_collected(
    extracted: list[tuple[str, Extraction, PaperRecord]],
) -> None:
    result = by_name(extracted, "027")
    (item,) = result.findings
    assert set(item.adverse_effects) >= {"insomnia", "vivid dreams"}
