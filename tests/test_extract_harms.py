"""Case reports of a harm: which drug caused it, and what it was given for.

Invented names on purpose: the rules must read how papers write, never know a drug or disease.
"""

from __future__ import annotations

import dataclasses

import pytest

from paperkg.extraction import extract
from paperkg.extraction.harms import harm_case_targets, names_drug
from paperkg.model import Concept, EntityKind, EntityMention, Extraction, PaperRecord, StudyDesign

C, D = EntityKind.CHEMICAL, EntityKind.DISEASE


def make(title: str, abstract: str, *, class_name: str | None = None) -> PaperRecord:
    """A case record linking two drugs and two diseases; a drug class only as text found it."""
    linked = [
        EntityMention("widgetitis", D, "MONDO:0900001", "MONDO:0900001", "linked"),
        EntityMention("gloomosis", D, "MONDO:0900002", "MONDO:0900002", "linked"),
        EntityMention("velitrex", C, "MESH:D900001", "MESH:D900001", "linked"),
        EntityMention("orbazine", C, "MESH:D900002", "MESH:D900002", "linked"),
    ]
    extra = [EntityMention(class_name, C, None, "-", "fulltext")] if class_name else []
    return PaperRecord(
        source="t.txt",
        sha256="0",
        title=title,
        abstract=abstract,
        linked_entities=tuple(linked),
        fulltext_entities=tuple(extra),
    )


def findings(extraction: Extraction) -> list[tuple[str, str, str]]:
    return sorted(
        (
            extraction.concept(f.drug).label,
            extraction.concept(f.condition).label,
            f.outcome.value,
        )
        for f in extraction.findings
    )


def test_a_harm_title_naming_a_class_leaves_the_causing_drug_to_the_text() -> None:
    """ "Antiwidget drug-induced gloomosis": the class does not say which drug; the sentence
    calling gloomosis a complication of velitrex does, and the drug that treated the harm
    is no finding.
    """
    result = extract(
        make(
            "Antiwidget drug-induced gloomosis: a case report",
            "Gloomosis is a rare complication of velitrex, an antiwidget drug prescribed for "
            "widgetitis. A woman presented with fever one month after starting velitrex. "
            "After velitrex was stopped she was treated with orbazine, which improved her "
            "condition.",
            class_name="antiwidget drug",
        )
    )
    assert findings(result) == [("velitrex", "widgetitis", "adverse_effects")]
    (finding,) = result.findings
    assert "gloomosis" in finding.adverse_effects


@pytest.mark.parametrize(
    "title",
    [
        "Low-dose velitrex toxicity in a patient with widgetitis: case report",
        "Adverse reactions to velitrex in a patient with widgetitis",
    ],
)
def test_a_title_that_puts_a_harm_word_beside_the_drug_is_a_harm_case(title: str) -> None:
    """ "X toxicity", "adverse reactions to X": the case is the drug's harm even where the
    disease it caused has no place in the title, and the patient's recovery is not its outcome.
    """
    result = extract(
        make(
            title,
            "A woman with widgetitis took velitrex 10 mg weekly and developed gloomosis. "
            "She improved after velitrex was withdrawn.",
        )
    )
    assert findings(result) == [("velitrex", "widgetitis", "adverse_effects")]


@pytest.mark.parametrize(
    "title",
    [
        "Onset of gloomosis while on velitrex for widgetitis: a case report",
        "Gloomosis aggravated by velitrex: a paradoxical reaction",
    ],
)
def test_a_harm_the_title_says_came_while_on_or_by_the_drug_is_its_harm(title: str) -> None:
    result = extract(
        make(
            title,
            "A man with widgetitis received velitrex 40 mg every other week; his widgetitis "
            "improved but gloomosis appeared after three months.",
        )
    )
    assert findings(result) == [("velitrex", "widgetitis", "adverse_effects")]


def test_a_toxicity_treated_with_another_drug_does_not_make_that_drug_a_harm() -> None:
    """ "Velitrex toxicity treated with orbazine": orbazine rescued, it caused nothing."""
    result = extract(
        make(
            "Velitrex toxicity treated with orbazine in a patient with widgetitis",
            "A man with widgetitis took velitrex 10 mg daily and developed gloomosis. "
            "Orbazine was given and the gloomosis resolved.",
        )
    )
    outcomes = {drug: outcome for drug, _, outcome in findings(result)}
    assert outcomes["velitrex"] == "adverse_effects"
    assert outcomes.get("orbazine") != "adverse_effects"


def test_a_harm_after_stopping_the_drug_is_still_the_drugs_harm() -> None:
    """ "Gloomosis after discontinuation of velitrex": stopping (or starting) the drug names
    it as the harm's cause; gloomosis is not what the patient took it for.
    """
    result = extract(
        make(
            "Development of gloomosis after discontinuation of velitrex: an unusual case",
            "We herein describe a case of a woman with widgetitis. She stopped velitrex, "
            "given for ten days; gloomosis was diagnosed three weeks later.",
        )
    )
    assert findings(result) == [("velitrex", "widgetitis", "adverse_effects")]


def test_a_drug_is_never_given_for_the_harm_it_caused() -> None:
    """ "Developed gloomosis after starting velitrex and was treated for gloomosis": the
    treatment is for the harm, not what velitrex was given for; the finding is velitrex for
    the disease the annotators linked, with the harm as its effect.
    """
    result = extract(
        make(
            "A case of velitrex-induced gloomosis",
            "A man developed fever after starting velitrex and was diagnosed with and treated "
            "for gloomosis. Velitrex is more effective than older drugs in widgetitis.",
        )
    )
    assert findings(result) == [("velitrex", "widgetitis", "adverse_effects")]


def test_a_condition_named_after_the_drug_is_never_what_it_was_given_for() -> None:
    """ "Velitrex toxicity" is the drug's harm, even when it is the only disease the record
    links and the text calls the drug useful: no finding gives velitrex for it.
    """
    record = PaperRecord(
        source="t.txt",
        sha256="0",
        title="Velitrex toxicity in the setting of orbazine",
        abstract=(
            "Velitrex toxicity affects many organs. Orbazine can increase velitrex levels and "
            "decrease renal velitrex clearance. We present a case of velitrex toxicity, which "
            "shows that velitrex levels do not follow clinical improvement."
        ),
        linked_entities=(
            EntityMention("velitrex toxicity", D, None, "-", "linked"),
            EntityMention("velitrex", C, "MESH:D900001", "MESH:D900001", "linked"),
            EntityMention("orbazine", C, "MESH:D900002", "MESH:D900002", "linked"),
        ),
    )
    pairs = {(drug, condition) for drug, condition, _ in findings(extract(record))}
    assert ("velitrex", "velitrex toxicity") not in pairs


@pytest.mark.parametrize(
    ("condition", "drug", "harm"),
    [
        ("lithium toxicity", "lithium", True),
        ("valproate-induced hyperammonaemic encephalopathy", "valproate", True),
        ("iron deficiency anaemia", "iron", False),
        ("nicotine dependence", "nicotine", False),
    ],
)
def test_only_a_condition_named_as_the_drugs_harm_is_its_harm(
    condition: str, drug: str, harm: bool
) -> None:
    """A drug's name inside a condition's makes it the drug's harm only with a harm word after
    it: iron is what iron deficiency is treated with.
    """
    assert names_drug(Concept("c", D, condition), Concept("d", C, drug)) is harm


def test_the_harms_drug_is_a_finding_for_what_it_was_given_for_though_no_study_of_it() -> None:
    # The patients' disease (gloomosis) is what the rules take as studied; the drug was given
    # for another (blahosis, named in the text only): the finding is for that one, not none.
    record = make(
        "Widgetitis caused by velitrex: a case report",
        "A woman with gloomosis was started on velitrex 10 mg daily for blahosis. Two weeks "
        "later she developed widgetitis. Velitrex was discontinued and the widgetitis resolved.",
    )
    blahosis = EntityMention("blahosis", D, "MESH:D900009", "MESH:D900009", "fulltext")
    record = dataclasses.replace(record, fulltext_entities=(blahosis,))
    assert findings(extract(record)) == [("velitrex", "blahosis", "adverse_effects")]


def test_a_harm_after_the_treatment_of_a_disease_is_not_its_sequela() -> None:
    # "toxicity after treatment for widgetitis": a harm of the drug, not a form of widgetitis
    record = make(
        "Severe velitrex toxicity after treatment for widgetitis: a case report",
        "A woman was given velitrex 50 mg for widgetitis and developed severe toxicity.",
    )
    toxicity = EntityMention("toxicity", D, "MESH:D064420", "MESH:D064420", "fulltext")
    result = extract(dataclasses.replace(record, fulltext_entities=(toxicity,)))
    assert [result.concept(k).label for k in result.studied_conditions] == ["widgetitis"]
    assert findings(result) == [("velitrex", "widgetitis", "adverse_effects")]


def test_a_word_for_harm_is_never_what_a_drug_was_given_for() -> None:
    # "monitoring for toxicity" reads like a purpose; toxicity is no condition to treat
    record = make(
        "Gloomosis associated with velitrex use in the treatment of widgetitis: a case report",
        "A woman with widgetitis received velitrex 20 mg daily and developed gloomosis. "
        "Patients on velitrex require monitoring for toxicity.",
    )
    toxicity = EntityMention("toxicity", D, None, "-", "fulltext")
    result = extract(dataclasses.replace(record, fulltext_entities=(toxicity,)))
    assert "toxicity" not in {condition for _, condition, _ in findings(result)}


def test_a_case_of_a_harm_whose_drug_has_no_stated_indication_is_still_a_case_report() -> None:
    # no finding (what the drug was given for is not said), but a design and one patient
    record = PaperRecord(
        source="t.txt",
        sha256="0",
        title="Widgetitis associated with velitrex",
        abstract="A 62-year-old woman was admitted with widgetitis three weeks after starting "
        "velitrex. Velitrex was stopped and the widgetitis resolved.",
        linked_entities=(
            EntityMention("widgetitis", D, "MONDO:0900001", "MONDO:0900001", "linked"),
            EntityMention("velitrex", C, "MESH:D900001", "MESH:D900001", "linked"),
        ),
    )
    result = extract(record)
    assert (result.findings, result.study_design, result.sample_size) == (
        (),
        StudyDesign.CASE_REPORT,
        1,
    )


_BLAHOSIS_IN_TEXT = EntityMention("blahosis", D, "MESH:D900009", "MESH:D900009", "fulltext")
_BLAHOSIS_LINKED = EntityMention("blahosis", D, None, "-", "linked")


@pytest.mark.parametrize(
    ("title", "abstract", "blahosis", "expected"),
    [
        # "velitrex and orbazine for blahosis": both were given for blahosis, not only the
        # drug next to it (velitrex went to the patient's other disease, gloomosis, before)
        (
            "Widgetitis caused by velitrex and orbazine: a case report",
            "A woman with gloomosis was started on velitrex and orbazine for blahosis. Two "
            "weeks later she developed widgetitis. Velitrex and orbazine were discontinued and "
            "the widgetitis resolved.",
            _BLAHOSIS_IN_TEXT,
            [
                ("orbazine", "blahosis", "adverse_effects"),
                ("velitrex", "blahosis", "adverse_effects"),
            ],
        ),
        # "orbazine was administered to manage the gloomosis": a purpose, as "for" is
        (
            "Widgetitis caused by velitrex: a case report",
            "A man was diagnosed with gloomosis and received velitrex daily for 160 days. He "
            "developed widgetitis. Velitrex was discontinued, and orbazine was administered to "
            "manage the gloomosis. One week later his condition improved.",
            None,
            [("orbazine", "gloomosis", "not_stated"), ("velitrex", "gloomosis", "adverse_effects")],
        ),
        # "also started on orbazine for gloomosis": gloomosis is orbazine's, not velitrex's
        (
            "A case of velitrex-induced widgetitis",
            "A woman presented with fever. She was diagnosed with blahosis, for which she was "
            "started on velitrex 2 g daily. She was also started on orbazine 20 mg daily for "
            "gloomosis. On day 7 she developed widgetitis. Velitrex was stopped and the "
            "widgetitis resolved.",
            _BLAHOSIS_LINKED,
            [("orbazine", "gloomosis", "not_stated"), ("velitrex", "blahosis", "adverse_effects")],
        ),
    ],
)
def test_what_each_drug_of_a_harm_case_was_given_for(
    title: str, abstract: str, blahosis: EntityMention | None, expected: list[tuple[str, ...]]
) -> None:
    record = make(title, abstract)
    if blahosis is _BLAHOSIS_IN_TEXT:
        record = dataclasses.replace(record, fulltext_entities=(blahosis,))
    elif blahosis is not None:
        record = dataclasses.replace(record, linked_entities=(*record.linked_entities, blahosis))
    assert findings(extract(record)) == expected


@pytest.mark.parametrize(
    "title",
    [
        "Velitrex gloomosis: two case reports",
        "Gloomosis secondary to long-term therapy with velitrex: a case report",
    ],
)
def test_a_harm_the_title_names_after_the_drug_or_its_therapy_is_its_harm(title: str) -> None:
    """ "X neuropathy" (the harm named after the drug, as in "methotrexate pneumonitis") and
    "Y secondary to therapy with X": the case is X's harm, for what X was given for.
    """
    result = extract(
        make(
            title,
            "Two men with widgetitis were treated with velitrex 250 mg daily. After six months "
            "both had gloomosis, which resolved when velitrex was withdrawn.",
        )
    )
    assert findings(result) == [("velitrex", "widgetitis", "adverse_effects")]


def test_an_injury_the_title_says_was_due_to_the_drug_is_its_harm() -> None:
    """ "Liver injury due to X" with no disease of the record in the title: the text says
    which harm X caused; X is no finding for it.
    """
    result = extract(
        make(
            "Idiosyncratic liver injury due to velitrex",
            "A woman with widgetitis was started on velitrex. Three weeks later her liver "
            "tests rose and gloomosis was diagnosed; gloomosis is a rare complication of "
            "velitrex.",
        )
    )
    assert findings(result) == [("velitrex", "widgetitis", "adverse_effects")]


def test_a_class_in_a_harm_title_gives_way_to_the_member_the_text_says_caused_it() -> None:
    """ "Gloomosis secondary to therapy with antiwidget drugs": the patient took velitrex, and
    the text says gloomosis was its complication: velitrex is the harm's drug.
    """
    result = extract(
        make(
            "Gloomosis secondary to therapy with antiwidget drugs: a case report",
            "Antiwidget drugs are used in widgetitis. A woman with widgetitis was started on "
            "velitrex and developed jaundice. This case shows gloomosis as a rare complication "
            "of velitrex use.",
            class_name="antiwidget drugs",
        )
    )
    harmed = [(drug, outcome) for drug, _, outcome in findings(result)]
    assert ("velitrex", "adverse_effects") in harmed
    assert ("antiwidget drugs", "adverse_effects") not in harmed


@pytest.mark.parametrize(
    ("studied", "expected"),
    [
        # the report studies one of the linked diseases, or a subtype of one
        (["MONDO:0900001"], ["MONDO:0900001"]),
        (["label:pleomorphic widgetitis"], ["label:pleomorphic widgetitis"]),
        # what it studies is none of them: every linked disease the patient had
        (["label:blahosis"], ["MONDO:0900001", "MONDO:0900002"]),
    ],
)
def test_a_harm_case_keeps_the_linked_disease_it_studies_not_the_patients_history(
    studied: list[str], expected: list[str]
) -> None:
    """No sentence says what velitrex was given for: of the linked diseases, the one the
    report is about is it, not the history the patient came with (gloomosis).
    """
    concepts = {
        "MONDO:0900001": Concept("MONDO:0900001", D, "widgetitis", (), ("MONDO:0900001",)),
        "MONDO:0900002": Concept("MONDO:0900002", D, "gloomosis", (), ("MONDO:0900002",)),
        "label:pleomorphic widgetitis": Concept(
            "label:pleomorphic widgetitis", D, "pleomorphic widgetitis", broader=("MONDO:0900001",)
        ),
        "label:blahosis": Concept("label:blahosis", D, "blahosis"),
        "MESH:D900001": Concept("MESH:D900001", C, "velitrex", (), ("MESH:D900001",)),
    }
    targets = harm_case_targets(
        "MESH:D900001",
        studied,
        [],
        concepts,
        linked=["MONDO:0900002", "MONDO:0900001"],
        harms=set(),
        comorbid=set(),
        purposes=set(),
        others=set(),
    )
    assert sorted(targets) == expected
