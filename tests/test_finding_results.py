"""A finding's results (per endpoint, against its comparator) and the outcome derived from them.

The records in tests/data/results/ are invented, one per branch of the outcome rule: a drug that
lowered a laboratory marker versus placebo, one where both arms improved and the drug did not
beat placebo, one where a harmful event became more common, one with two primary endpoints, and
a review of two drugs whose results share a sentence.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from paperkg.build import build
from paperkg.extraction import extract
from paperkg.extraction.endpoints import Endpoint, Polarity, endpoint_polarity, stated_endpoints
from paperkg.extraction.finding_results import (
    BASELINE,
    MIN_CONFIDENCE,
    Comparator,
    TrialText,
    choose_comparator,
    derive_outcome,
    favours,
    results_for,
)
from paperkg.model import (
    Concept,
    Direction,
    DrugRole,
    EntityKind,
    Evidence,
    Favours,
    Outcome,
    Result,
    StudyDesign,
)
from paperkg.query import run_query
from paperkg.readers import read_record
from paperkg.store import PaperStore
from paperkg.validate import validate_store

from conftest import DATA

RECORDS = DATA / "results"
PLACEBO = Comparator("placebo", "placebo", True)


def _result(side: Favours, *, primary: bool = True, confidence: float = 0.9) -> Result:
    direction = {
        Favours.NEITHER: Direction.NO_DIFFERENCE,
        Favours.INTERVENTION: Direction.DECREASED,
        Favours.COMPARATOR: Direction.INCREASED,
        Favours.UNKNOWN: Direction.INCREASED,
    }[side]
    return Result(
        "pain", "placebo", direction, side, Evidence("s", "results"), primary, confidence=confidence
    )


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("The primary endpoint was the change in HbA1c at week 24.", [Endpoint("HbA1c", True)]),
        (
            "The primary endpoint, change in pain intensity, did not differ from placebo.",
            [Endpoint("pain intensity", True)],
        ),
        (
            "All-cause mortality was the primary outcome.",
            [Endpoint("All-cause mortality", True)],
        ),
        (
            "The co-primary endpoints were pain intensity and physical function.",
            [Endpoint("pain intensity", True), Endpoint("physical function", True)],
        ),
        (
            "Secondary outcomes included sleep quality, fatigue and the FIQ.",
            [
                Endpoint("sleep quality", False),
                Endpoint("fatigue", False),
                Endpoint("the FIQ", False),
            ],
        ),
        ("Patients were randomized to drug or placebo.", []),
        (
            # a decimal point does not end the endpoint
            "The primary end point was a creatinine rise of at least 0.5 mg/dL at 72 hours.",
            [Endpoint("a creatinine rise of at least 0.5 mg/dL", True)],
        ),
    ],
)
def test_stated_endpoints(sentence: str, expected: list[Endpoint]) -> None:
    assert stated_endpoints([sentence]) == expected


@pytest.mark.parametrize(
    ("endpoint", "polarity"),
    [
        ("pain intensity", Polarity.LOWER_IS_BETTER),
        ("HbA1c", Polarity.LOWER_IS_BETTER),
        ("all-cause mortality", Polarity.LOWER_IS_BETTER),
        ("rate of exacerbations", Polarity.LOWER_IS_BETTER),
        ("overall survival", Polarity.HIGHER_IS_BETTER),
        ("clinical remission at week 8", Polarity.HIGHER_IS_BETTER),
        ("at least 30% reduction in pain", Polarity.HIGHER_IS_BETTER),
        ("time to first relapse", Polarity.HIGHER_IS_BETTER),
        ("time to recovery", Polarity.LOWER_IS_BETTER),
        ("pressure pain threshold", Polarity.HIGHER_IS_BETTER),
        ("serum sodium", Polarity.UNKNOWN),
    ],
)
def test_endpoint_polarity(endpoint: str, polarity: Polarity) -> None:
    assert endpoint_polarity(endpoint) is polarity


def test_whom_a_direction_favours_follows_the_polarity() -> None:
    lower, higher = Polarity.LOWER_IS_BETTER, Polarity.HIGHER_IS_BETTER
    assert favours(Direction.DECREASED, lower) is Favours.INTERVENTION
    assert favours(Direction.INCREASED, lower) is Favours.COMPARATOR
    assert favours(Direction.INCREASED, higher) is Favours.INTERVENTION
    assert favours(Direction.DECREASED, higher) is Favours.COMPARATOR
    assert favours(Direction.NO_DIFFERENCE, lower) is Favours.NEITHER
    assert favours(Direction.INCREASED, Polarity.UNKNOWN) is Favours.UNKNOWN


@pytest.mark.parametrize(
    ("sides", "outcome"),
    [
        ([Favours.INTERVENTION], Outcome.IMPROVED),
        ([Favours.NEITHER], Outcome.NO_BENEFIT),
        ([Favours.COMPARATOR], Outcome.WORSENED),
        ([Favours.INTERVENTION, Favours.NEITHER], Outcome.MIXED),
        ([Favours.INTERVENTION, Favours.COMPARATOR], Outcome.MIXED),
        ([Favours.COMPARATOR, Favours.NEITHER], Outcome.WORSENED),
        ([Favours.INTERVENTION, Favours.UNKNOWN], None),
    ],
)
def test_the_outcome_rule_on_primary_results(sides: list[Favours], outcome: Outcome | None) -> None:
    assert derive_outcome([_result(side) for side in sides], PLACEBO) is outcome


def test_results_decide_only_against_a_control_on_a_primary_endpoint_read_surely() -> None:
    better = [_result(Favours.INTERVENTION)]
    assert derive_outcome(better, Comparator(BASELINE, BASELINE, False)) is None
    assert derive_outcome([_result(Favours.INTERVENTION, primary=False)], PLACEBO) is None
    assert derive_outcome([_result(Favours.INTERVENTION, confidence=0.3)], PLACEBO) is None
    # secondary results never outvote the primary ones
    mixed = [_result(Favours.NEITHER), _result(Favours.INTERVENTION, primary=False)]
    assert derive_outcome(mixed, PLACEBO) is Outcome.NO_BENEFIT
    # an unsure reading of one sentence does not silence a sure reading of another
    sure_and_unsure = [_result(Favours.NEITHER), _result(Favours.INTERVENTION, confidence=0.3)]
    assert derive_outcome(sure_and_unsure, PLACEBO) is Outcome.NO_BENEFIT


@pytest.mark.parametrize(
    ("name", "outcome", "sides"),
    [
        ("tesorafen_hba1c_trial.txt", Outcome.IMPROVED, [Favours.INTERVENTION]),
        ("quelindol_pain_trial.txt", Outcome.NO_BENEFIT, [Favours.NEITHER]),
        ("marovastin_mortality_trial.txt", Outcome.WORSENED, [Favours.COMPARATOR]),
        (
            "velitrex_two_endpoints_trial.txt",
            Outcome.MIXED,
            [Favours.INTERVENTION, Favours.NEITHER],
        ),
    ],
)
def test_a_record_outcome_is_derived_from_its_results(
    name: str, outcome: Outcome, sides: list[Favours]
) -> None:
    extraction = extract(read_record(RECORDS / name))
    [finding] = extraction.findings
    assert finding.outcome is outcome
    assert [r.favours for r in finding.results] == sides
    assert all(r.primary and r.comparator == "placebo" for r in finding.results)
    assert all(r.evidence.section == "results" for r in finding.results)


def test_without_placebo_the_control_arm_is_the_background_therapy_alone() -> None:
    text = TrialText((("results", "Orbazine alone or with velitrex."),), ())
    roles = {"MESH:D900002": DrugRole.BACKGROUND_THERAPY}
    concepts = {"MESH:D900002": Concept("MESH:D900002", EntityKind.CHEMICAL, "orbazine")}
    comparator = choose_comparator(
        "MESH:D900001", ["MESH:D900001"], roles, concepts, (), text, StudyDesign.RCT
    )
    assert comparator == Comparator("MESH:D900002", "orbazine", True)
    single = choose_comparator(
        "MESH:D900001", ["MESH:D900001"], {}, {}, (), text, StudyDesign.OPEN_LABEL_STUDY
    )
    assert single == Comparator(BASELINE, BASELINE, False)


def test_a_review_pools_its_drug_against_the_one_other_drug_it_names() -> None:
    text = TrialText((("results", "Velitrex reduced strokes more than orbazine."),), ())
    roles = {"MESH:D900002": DrugRole.REVIEW_COMPARATOR}
    concepts = {"MESH:D900002": Concept("MESH:D900002", EntityKind.CHEMICAL, "orbazine")}
    comparator = choose_comparator(
        "MESH:D900001", ["MESH:D900001"], roles, concepts, (), text, StudyDesign.META_ANALYSIS
    )
    assert comparator == Comparator("MESH:D900002", "orbazine", True)
    # several drugs compared: none of them is the comparator
    roles["MESH:D900003"] = DrugRole.REVIEW_COMPARATOR
    concepts["MESH:D900003"] = Concept("MESH:D900003", EntityKind.CHEMICAL, "plenamil")
    several = choose_comparator(
        "MESH:D900001", ["MESH:D900001"], roles, concepts, (), text, StudyDesign.META_ANALYSIS
    )
    assert several == Comparator(BASELINE, BASELINE, False)


def test_in_a_paper_of_two_drugs_a_clause_about_the_other_does_not_speak_for_one() -> None:
    extraction = extract(read_record(RECORDS / "two_drugs_review.txt"))
    outcomes = {extraction.concept(f.drug).label: f.outcome for f in extraction.findings}
    assert outcomes == {"velitrex": Outcome.IMPROVED, "plenamil": Outcome.NO_BENEFIT}
    for finding in extraction.findings:
        [result] = finding.results
        assert extraction.concept(finding.drug).label in result.evidence.text
        assert ";" not in result.evidence.text


@pytest.fixture(scope="module")
def store() -> PaperStore:
    built = PaperStore()
    report = build(built, sorted(str(p) for p in Path(RECORDS).glob("*.txt")))
    assert report.ok, [str(e) for e in report.rejected]
    return built


def test_results_are_nodes_under_their_finding_and_conform(store: PaperStore) -> None:
    assert validate_store(store).conforms
    rows = store.query(
        """SELECT (COUNT(?r) AS ?n) WHERE { GRAPH ?g {
             ?f a <https://w3id.org/paperkg/vocab/Finding> ;
                <https://w3id.org/paperkg/vocab/result> ?r } }"""
    )
    assert int(next(iter(rows))["n"].value) == 7


def test_the_results_query_lists_each_endpoint(store: PaperStore) -> None:
    result = run_query(store, "results", {"drug": "velitrex", "condition": "widgetitis"})
    assert result.columns[:2] == ("paper", "title")
    for column in ("comparator", "endpoint", "direction", "favours", "evidence"):
        assert column in result.columns
    rows = result.as_dicts()
    assert {(r["endpoint"], r["direction"], r["favours"]) for r in rows} == {
        ("pain intensity", "significantly decreased", "intervention"),
        ("physical function", "no significant difference", "neither"),
    }
    assert all(r["comparator"] == "placebo" and r["primary"] == "primary" for r in rows)
    assert all(str(r["evidence"]).startswith("[results] ") for r in rows)


def test_the_results_query_filters_by_endpoint_words(store: PaperStore) -> None:
    rows = run_query(
        store, "results", {"drug": "velitrex", "condition": "widgetitis", "endpoint": "FUNCTION"}
    ).as_dicts()
    assert [r["endpoint"] for r in rows] == ["physical function"]


VELITREX = Concept("MESH:D900001", EntityKind.CHEMICAL, "velitrex")


def test_a_verb_that_went_further_than_placebo_keeps_its_direction() -> None:
    # "reduced ... more than placebo" is a decrease, whatever "more" suggests
    text = TrialText(
        (("results", "Velitrex reduced widgetitis pain intensity more than placebo."),),
        (Endpoint("pain intensity", True),),
    )
    [result] = results_for(VELITREX, PLACEBO, text)
    assert result.direction is Direction.DECREASED
    assert result.favours is Favours.INTERVENTION
    assert derive_outcome([result], PLACEBO) is Outcome.IMPROVED


def test_evidence_that_never_names_the_endpoint_does_not_decide() -> None:
    text = TrialText(
        (("results", "Patients with widgetitis developed rash after velitrex."),),
        (Endpoint("pain intensity", True),),
    )
    [result] = results_for(VELITREX, PLACEBO, text)
    assert result.confidence < MIN_CONFIDENCE
    assert derive_outcome([result], PLACEBO) is None


def test_the_views_carry_each_findings_results_for_the_explorer(store: PaperStore) -> None:
    from paperkg.viz import drug_condition_graph

    lines = [
        line
        for _, _, data in drug_condition_graph(store).edges(data=True)
        for entry in data["support"]
        for line in entry["results"]
    ]
    assert "primary · physical function vs placebo: no significant difference, favours neither" in (
        lines
    )
    assert (
        "primary · all-cause mortality vs placebo: significantly increased, favours comparator"
        in (lines)
    )
