"""What a tried drug's findings are about when a paper names more than one condition.

Invented names on purpose: the rules must read how papers write, never know a drug or disease.
"""

from __future__ import annotations

from paperkg.extraction import extract
from paperkg.model import EntityKind, EntityMention, Extraction, PaperRecord

C, D = EntityKind.CHEMICAL, EntityKind.DISEASE


def make(title: str, abstract: str) -> PaperRecord:
    linked = [
        EntityMention("widgetitis", D, "MONDO:0900001", "MONDO:0900001", "linked"),
        EntityMention("gloomosis", D, "MONDO:0900002", "MONDO:0900002", "linked"),
        EntityMention("flurbosis", D, "MONDO:0900003", "MONDO:0900003", "linked"),
        EntityMention("velitrex", C, "MESH:D900001", "MESH:D900001", "linked"),
    ]
    return PaperRecord(
        source="t.txt", sha256="0", title=title, abstract=abstract, linked_entities=tuple(linked)
    )


def conditions_of(extraction: Extraction) -> list[str]:
    return sorted(extraction.concept(f.condition).label for f in extraction.findings)


def test_the_disease_another_is_associated_with_is_its_context_not_its_target() -> None:
    title = "Velitrex for gloomosis-associated widgetitis: a systematic review and meta-analysis"
    abstract = (
        "METHODS: We pooled 12 randomised trials of velitrex against placebo. "
        "RESULTS: Velitrex reduced recurrence of widgetitis more than placebo."
    )
    extraction = extract(make(title, abstract))
    assert conditions_of(extraction) == ["widgetitis"]
    assert extraction.comorbidities == ("MONDO:0900002",)


def test_what_a_drug_was_once_used_for_in_the_background_is_not_what_it_was_given_for() -> None:
    record = make(
        "Widgetitis caused by velitrex in a patient with gloomosis: a case report",
        "BACKGROUND: Velitrex was once widely used as a treatment for flurbosis. "
        "CASE PRESENTATION: A 38-year-old woman with gloomosis had taken velitrex 400 mg "
        "daily for six years when she developed widgetitis.",
    )
    extraction = extract(record)
    assert conditions_of(extraction) == ["gloomosis"]
    assert [f.outcome.value for f in extraction.findings] == ["adverse_effects"]
