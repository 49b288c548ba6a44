"""The structural features the results labeller learns from: confidence intervals against
their null value, the test's verdict crossed with the direction, and "better" on a scale whose
polarity is known.
"""

from __future__ import annotations

import pytest

from paperkg.extraction.comparison import arm_names, label_features

PROMPT = ("drug A", "placebo", "pain")
ARMS = arm_names("Patients were randomised to drug A or placebo.", "drug A", "placebo")


@pytest.mark.parametrize(
    ("sentence", "excludes", "includes"),
    [
        # a ratio's null is 1
        ("Pain relief: odds ratio 1.53 (95% CI 0.76 to 3.08) for drug A.", 0.0, 1.0),
        ("Pain: hazard ratio 0.80 (95% CI, 0.65-0.98) with drug A.", 1.0, 0.0),
        # a difference's null is 0, however the minus is written
        ("Pain: difference from placebo -0.9 (95% CI -2.34 to 4.29).", 0.0, 1.0),
        ("Pain: difference from placebo \u221228.1 (95% CI \u221249.9 to \u22126.3).", 1.0, 0.0),
        # "or" is not an odds ratio: a difference's interval after it keeps its null of 0
        ("Pain fell more or less: difference 2.3 (95% CI 0.5 to 4.1) with drug A.", 1.0, 0.0),
        # the interval of a level, not of a difference, says nothing
        ("Pain was 0.10 with drug A (95% CI 0.05\u20130.18).", 0.0, 0.0),
    ],
)
def test_a_confidence_interval_is_read_against_its_null(
    sentence: str, excludes: float, includes: float
) -> None:
    features = label_features(sentence, PROMPT, ARMS)
    assert features["sentence.ci_excludes_null"] == excludes
    assert features["sentence.ci_includes_null"] == includes


def test_an_interval_below_the_null_is_less_for_the_arm_named_first() -> None:
    below = label_features(
        "Drug A versus placebo: pain ratio 0.70 (95% CI 0.55 to 0.90).", PROMPT, ARMS
    )
    assert below.get("ci_direction=-1") == 1.0
    swapped = label_features(
        "Placebo versus drug A: pain ratio 0.70 (95% CI 0.55 to 0.90).", PROMPT, ARMS
    )
    assert swapped.get("ci_direction=1") == 1.0


def test_a_better_arm_on_a_lower_is_better_scale_is_a_decrease() -> None:
    sentence = (
        "Drug A gave significantly greater improvement in depression severity than placebo "
        "(p < 0.001)."
    )
    lower_is_better = label_features(sentence, ("drug A", "placebo", "depression severity"), ARMS)
    assert lower_is_better.get("better_direction=-1") == 1.0
    higher_is_better = label_features(sentence, ("drug A", "placebo", "response rate"), ARMS)
    assert higher_is_better.get("better_direction=1") == 1.0
    negated = label_features(
        "Drug A did not improve depression severity more than placebo.",
        ("drug A", "placebo", "depression severity"),
        ARMS,
    )
    assert not any(name.startswith("better_direction") for name in negated)


@pytest.mark.parametrize(
    ("sentence", "verdict"),
    [
        ("Pain fell more with drug A than placebo (p = 0.01).", "differ"),
        ("Pain did not differ between drug A and placebo.", "same"),
        ("Pain: odds ratio 1.53 (95% CI 0.76 to 3.08) for drug A versus placebo.", "same"),
        ("Pain was recorded for drug A and placebo.", "unknown"),
    ],
)
def test_the_tests_verdict_is_crossed_with_the_direction(sentence: str, verdict: str) -> None:
    features = label_features(sentence, PROMPT, ARMS)
    crossed = [name for name in features if name.startswith("verdict=")]
    assert crossed
    assert all(name.startswith(f"verdict={verdict}|") for name in crossed)


def test_a_denied_change_is_a_test_not_passed() -> None:
    # the sentence's only p-value is for another endpoint: the clause's own words decide
    sentence = (
        "Response rose with drug A (P = .001), but the primary end point, pain, "
        "did not improve (4.9 vs 4.2)."
    )
    features = label_features(sentence, PROMPT, ARMS)
    assert features["clause.denied_change"] == 1.0
    assert any(name.startswith("verdict=same|") for name in features)
    stated = label_features("Drug A reduced pain more than placebo.", PROMPT, ARMS)
    assert stated["clause.denied_change"] == 0.0
