"""Regressions found on the project's own seed records (written independently of the rules).

Each test failed before its fix; names are invented so no rule can lean on a real drug.
"""

from __future__ import annotations

from paperkg.extract import extract
from paperkg.model import Outcome
from test_extract_outcome import make, outcomes


def test_benefit_that_is_no_longer_significant_later_is_mixed() -> None:
    rec = make(
        findings=(
            "Velitrex and orbazine did better than placebo in widgetitis after one month, "
            "but the difference was no longer significant at six months.",
        ),
    )
    result = outcomes(extract(rec))
    assert result == {"velitrex": Outcome.MIXED, "orbazine": Outcome.MIXED}


def test_a_benefit_that_was_not_sustained_is_mixed() -> None:
    rec = make(
        findings=(
            "Velitrex 10 mg improved widgetitis scores at week 4, but the effect was not "
            "sustained at week 12.",
        ),
    )
    assert outcomes(extract(rec)) == {"velitrex": Outcome.MIXED}


def test_a_reaction_the_patient_developed_is_a_harm_not_a_studied_condition() -> None:
    rec = make(
        title="Gloomfever following Velitrex administration in a widgetitis patient: case report",
        tldr="A patient with widgetitis developed gloomfever after ten days on velitrex 30 mg.",
        findings=(
            "Velitrex 30 mg was given alone for widgetitis, and after 10 days the patient had "
            "gloomfever.",
            "No effect of velitrex on widgetitis symptoms is reported.",
        ),
        diseases={"gloomfever": "MESH:D900100"},
        drugs={"velitrex": "MESH:D900001"},
    )
    result = extract(rec)
    studied = {result.concept(key).label for key in result.studied_conditions}
    assert studied == {"widgetitis"}
    assert outcomes(result) == {"velitrex": Outcome.ADVERSE_EFFECTS}
    (finding,) = result.findings
    assert "gloomfever" in finding.adverse_effects
