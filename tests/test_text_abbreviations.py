"""An abbreviation the text defines as its own is not the dictionary's concept of those letters.

The shipped vocabulary knows short forms from annotated corpora ("EP" as epinephrine, "LA" as
lactate); a trial that writes "erlotinib plus placebo (EP)" or a paper that writes "left atrium
(LA)" means something else, and the arm must not become a drug of the paper.
"""

from __future__ import annotations

import pytest

from paperkg.extraction import extract
from paperkg.readers import read_record
from paperkg.text_entities import find_entities

from conftest import REPO


def _abbreviations(text: str) -> set[str]:
    return {hit.text for hit in find_entities(text) if hit.text.isupper()}


@pytest.mark.parametrize(
    ("text", "gone"),
    [
        ("Patients received evotrex or evotrex plus placebo (EP). The EP arm did well.", "EP"),
        ("The left atrium (LA) was enlarged; LA size predicted recurrence.", "LA"),
    ],
)
def test_an_abbreviation_the_text_defines_otherwise_is_dropped(text: str, gone: str) -> None:
    assert gone not in _abbreviations(text)
    # without the definition the dictionary's reading stands
    assert gone in _abbreviations(text.replace(f" ({gone})", ""))


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        # the long form shares words with the concept's own names
        ("Adults with non-small-cell lung cancer (NSCLC) were enrolled. NSCLC is common.", "NSCLC"),
        ("Adenosine triphosphate (ATP) was infused; ATP shortened the interval.", "ATP"),
        # the vocabulary knows the concept by its abbreviation only: nothing to compare with
        ("Acquired immunodeficiency syndrome (AIDS) was present; AIDS was advanced.", "AIDS"),
    ],
)
def test_an_abbreviation_defined_as_its_own_concept_is_kept(text: str, kept: str) -> None:
    assert kept in _abbreviations(text)


def test_the_arms_of_a_real_trial_are_no_drugs_and_the_add_on_has_no_benefit() -> None:
    """PMID 22508830: "erlotinib plus entinostat (EE) or erlotinib plus placebo (EP)"."""
    record = read_record(REPO / "tests" / "data" / "pubmed" / "pubmed-article-set.xml")
    result = extract(record)
    chemicals = {c.label for c in result.concepts if c.kind.value == "chemical"}
    assert not {"EE", "EP"} & {form for c in result.concepts for form in (c.label, *c.synonyms)}
    assert {"entinostat", "Erlotinib"} <= chemicals
    assert {(result.concept(f.drug).label, f.outcome.value) for f in result.findings} == {
        ("entinostat", "no_benefit")
    }
