"""A disease is recognised however the paper spells it: British or American, and "cancer" for
the carcinoma or neoplasm its heading names (the vocabulary's sources gave one form only).
"""

from __future__ import annotations

import pytest

from paperkg.text_entities import find_entities


def _diseases(text: str) -> dict[str, str | None]:
    return {hit.text: hit.identifier for hit in find_entities(text) if hit.kind.value == "disease"}


@pytest.mark.parametrize(
    ("written", "curie"),
    [
        ("non-small-cell lung cancer", "MESH:D002289"),
        ("non-small-cell lung carcinoma", "MESH:D002289"),
        ("lung cancer", "MESH:D008175"),
        ("anaemia", "MESH:D000740"),
        ("anemia", "MESH:D000740"),
    ],
)
def test_a_disease_is_recognised_in_either_spelling(written: str, curie: str) -> None:
    assert _diseases(f"Adults with {written} were randomised.") == {written: curie}


def test_the_cancer_form_names_the_same_concept_as_the_heading() -> None:
    found = _diseases("Patients with lung neoplasms and with lung cancer.")
    assert found["lung cancer"] == found["lung neoplasms"] == "MESH:D008175"
