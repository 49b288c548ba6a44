"""Names written in part: coordinated diseases that share a head ("hepatic and renal failure"),
one mention per conjunct with its own id, and a name inside a hyphenated word
("cocaine-induced").
"""

from __future__ import annotations

from pathlib import Path

import pytest

from paperkg.extraction.concepts import build_concepts
from paperkg.model import EntityKind, PaperRecord
from paperkg.readers.pubtator import read_pubtator
from paperkg.text_entities import find_entities, with_text_entities
from paperkg.text_scores import score

D, C = EntityKind.DISEASE, EntityKind.CHEMICAL


def _found(text: str) -> list[tuple[str, EntityKind, str | None]]:
    return [(hit.text, hit.kind, hit.identifier) for hit in find_entities(text)]


@pytest.mark.parametrize(
    ("written", "curies"),
    [
        ("hepatic and renal failure", ["MESH:D017093", "MESH:D051437"]),
        ("liver or kidney disease", ["MESH:D008107", "MESH:D007674"]),
        ("acute and chronic renal failure", ["MESH:D058186", "MESH:D007676"]),
    ],
)
def test_a_composite_is_one_mention_per_conjunct(written: str, curies: list[str]) -> None:
    found = _found(f"Patients with {written} were excluded.")
    assert found == [(written, D, curie) for curie in curies]


def test_a_list_of_modifiers_shares_the_head_and_names_without_ids_count_too() -> None:
    text = "Rates of colorectal, endometrial, and ovarian cancers rose."
    notes = [hit.note for hit in find_entities(text)]
    assert notes == [
        "vocabulary (colorectal cancers)",
        "vocabulary (endometrial cancers)",
        "vocabulary (ovarian cancers)",
    ]
    assert {hit.text for hit in find_entities(text)} == {
        "colorectal, endometrial, and ovarian cancers"
    }
    types = find_entities("Adults with type 1 and type 2 diabetes were enrolled.")
    assert [hit.note for hit in types] == [
        "vocabulary (type 1 diabetes)",
        "vocabulary (type 2 diabetes)",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # each a disease of its own, no shared head
        (
            "Patients reported pain and fatigue.",
            [("pain", D, "MESH:D010146"), ("fatigue", D, "MESH:D005221")],
        ),
        # "kidney" and "chronic renal" are not parallel: the kidney is no disease here
        (
            "Patients with normal kidney and chronic renal insufficiency.",
            [("chronic renal insufficiency", D, "MESH:D051436")],
        ),
    ],
)
def test_a_coordination_that_is_no_composite_is_left_alone(
    text: str, expected: list[tuple[str, EntityKind, str | None]]
) -> None:
    assert _found(text) == expected


def test_a_name_with_its_own_conjunction_is_no_composite() -> None:
    # "head and neck cancer" is a name: no "head cancers" beside "neck cancers"
    hits = find_entities("Head and neck cancers were treated.")
    assert [hit.note for hit in hits] == ["vocabulary"]


def test_a_composite_never_merges_its_ids_into_one_concept() -> None:
    record = PaperRecord(
        source="x",
        sha256="0",
        title="Outcomes in hepatic and renal failure",
        abstract="Patients with hepatic and renal failure were followed for a year.",
    )
    mentions = with_text_entities(record).fulltext_entities
    assert sorted(m.identifier or "" for m in mentions) == ["MESH:D017093", "MESH:D051437"]
    concepts = build_concepts(with_text_entities(record)).concepts
    assert sorted(c.identifiers for c in concepts) == [("MESH:D017093",), ("MESH:D051437",)]


def test_a_composite_is_scored_once_as_gold_marks_it(tmp_path: Path) -> None:
    text = "Hepatic and renal failure after treatment"
    path = tmp_path / "c.PubTator.txt"
    path.write_text(
        f"1|t|{text}\n1|a|Rare.\n1\t0\t25\tHepatic and renal failure\tDisease\tD017093|D051437\n",
        encoding="utf-8",
    )
    records = [r for r in read_pubtator(path) if isinstance(r, PaperRecord)]
    disease = score(records, (D,))[D]
    assert (disease.gold, disease.found, disease.correct) == (1, 1, 1)
    assert (disease.with_id, disease.right_id) == (1, 1)


def test_a_conjunct_is_looked_up_in_either_number() -> None:
    # the head is written once, plural; the vocabulary names "hepatic failure" only
    hits = find_entities("Patients with hepatic and renal failures were excluded.")
    assert [(hit.text, hit.identifier) for hit in hits] == [
        ("hepatic and renal failures", "MESH:D017093"),
        ("hepatic and renal failures", "MESH:D051437"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Cocaine-induced seizures were seen in lithium-treated rats.",
            [
                ("Cocaine", C, "MESH:D003042"),
                ("seizures", D, "MESH:D012640"),
                ("lithium", C, "MESH:D008094"),
            ],
        ),
        # a number joined to a name says it is something else (PD alone is Parkinson's disease)
        ("PD-1 blockade was given.", []),
        # a name with hyphens is matched whole
        ("non-small-cell lung cancer", [("non-small-cell lung cancer", D, "MESH:D002289")]),
    ],
)
def test_a_name_inside_a_hyphenated_word_is_found(
    text: str, expected: list[tuple[str, EntityKind, str | None]]
) -> None:
    assert _found(text) == expected


def test_an_abbreviation_the_text_defines_is_found_inside_a_hyphenated_word() -> None:
    text = "Obsessive-compulsive disorder (OCD) is common. Mice showed OCD-like behaviour."
    hits = [(hit.start, hit.text, hit.identifier) for hit in find_entities(text)]
    assert (text.index("OCD-like"), "OCD", "MESH:D009771") in hits
