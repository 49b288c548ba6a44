"""A review's pooled estimates read as results against the comparator it names: the interval
(or P value) decides the direction by arithmetic; they add results, never an outcome.

The record in tests/data/pooled/ is invented.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import paperkg.extraction.finding_results
from paperkg.extraction import extract
from paperkg.extraction.finding_results import POOLED_EXTRACTOR
from paperkg.extraction.pooled import pooled_estimates
from paperkg.model import Direction, Favours
from paperkg.readers import read_record

from conftest import DATA

REVIEW = DATA / "pooled" / "orbazine_fracture_meta_analysis.txt"
UP, DOWN, SAME = Direction.INCREASED, Direction.DECREASED, Direction.NO_DIFFERENCE


@pytest.mark.parametrize(
    ("sentence", "endpoint", "direction"),
    [
        (
            "Pregabalin 300 mg/day (risk ratio for ≥50% pain relief 1.46, 95% CI 1.22–1.75) "
            "was superior to placebo.",
            "≥50% pain relief",
            Direction.INCREASED,
        ),
        (
            "The odds ratio for remission was 1.8 (95% CI 1.2-2.6).",
            "remission",
            Direction.INCREASED,
        ),
        ("The HR for death of 0.75 (95% CI, 0.61 to 0.92).", "death", Direction.DECREASED),
        (
            "It gave a greater reduction in pain intensity (SMD −0.30; 95% CI −0.45 to −0.15).",
            "pain intensity",
            Direction.DECREASED,
        ),
        # a difference is judged around 0, a ratio around 1
        ("A change in weight (MD 0.4, 95% CI 0.1 to 0.7).", "weight", Direction.INCREASED),
        (
            "No effect on mortality (RR 1.02, 95% CI 0.90-1.10).",
            "mortality",
            Direction.NO_DIFFERENCE,
        ),
        ("The odds of stroke (OR 0.62; P = 0.127).", "stroke", Direction.NO_DIFFERENCE),
        ("The risk of stroke (OR 0.62; P < .01).", "risk of stroke", Direction.DECREASED),
        (
            "Fewer exacerbations of asthma (OR 0.62; P <0.001).",
            "exacerbations of asthma",
            Direction.DECREASED,
        ),
    ],
)
def test_an_estimate_and_its_interval_give_the_direction(
    sentence: str, endpoint: str, direction: Direction
) -> None:
    [estimate] = pooled_estimates([("results", sentence)])
    assert (estimate.endpoint, estimate.direction) == (endpoint, direction)
    assert estimate.sentence == sentence


@pytest.mark.parametrize(
    "sentence",
    [
        # an interval that does not hold its estimate was misread
        "A change in mortality (MD 0.5, 95% CI 0.9 to 1.2).",
        # "for X (...)" names an arm or a subgroup; "in X" alone a population
        "No significance was observed for etidronate (OR 0.34; P = 0.127).",
        "High doses were also effective in spirometry-confirmed COPD (RR 0.75, 95% CI 0.68-0.82).",
        # no estimate with an interval or a P value
        "Orbazine reduced the risk of fracture by a third.",
    ],
)
def test_what_is_not_an_endpoints_estimate_is_not_read(sentence: str) -> None:
    assert pooled_estimates([("results", sentence)]) == []


def test_a_review_gets_its_pooled_results_against_placebo_and_keeps_its_outcome(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    extraction = extract(read_record(REVIEW))
    [finding] = extraction.findings
    pooled = {r.endpoint: r for r in finding.results if r.extractor == POOLED_EXTRACTOR}
    assert {e: (r.direction, r.favours) for e, r in pooled.items()} == {
        "risk of vertebral widget fracture": (Direction.DECREASED, Favours.INTERVENTION),
        "wrist fracture": (Direction.NO_DIFFERENCE, Favours.NEITHER),
        "exacerbations of widget pain": (Direction.DECREASED, Favours.INTERVENTION),
    }
    assert all(r.comparator == "placebo" and not r.primary for r in pooled.values())
    assert all(r.evidence.section == "results" for r in pooled.values())
    # a pooled estimate adds a result, not an outcome: read without them, the same outcome
    monkeypatch.setattr(paperkg.extraction.finding_results, "pooled_estimates", lambda _: [])
    [without] = extract(read_record(REVIEW)).findings
    assert not any(r.extractor == POOLED_EXTRACTOR for r in without.results)
    assert without.outcome is finding.outcome


def test_a_trial_reads_no_pooled_estimates(tmp_path: Path) -> None:
    trial = REVIEW.read_text(encoding="utf-8").replace("a meta-analysis of", "a trial of")
    trial = trial.replace("We pooled randomized placebo-controlled trials of", "We randomized")
    path = tmp_path / "orbazine_trial.txt"
    path.write_text(trial, encoding="utf-8")
    extraction = extract(read_record(path))
    assert extraction.findings
    assert all(r.extractor != POOLED_EXTRACTOR for f in extraction.findings for r in f.results)
