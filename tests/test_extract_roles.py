"""Who was given what, for what: drug roles, condition roles, subtypes and combinations.

Invented names on purpose: the rules must read how papers write, never know a drug or disease.
"""

from __future__ import annotations

import dataclasses

import pytest

from paperkg.extraction import extract
from paperkg.extraction.conditions import comorbidities
from paperkg.extraction.interventions import AnnotatedSentence, annotate
from paperkg.extraction.sentences import MentionIndex, Sentence
from paperkg.model import (
    DrugRole,
    EntityKind,
    EntityMention,
    Extraction,
    Outcome,
    PaperRecord,
    StudyDesign,
)

C, D = EntityKind.CHEMICAL, EntityKind.DISEASE
DRUGS = {
    "velitrex": "MESH:D900001",
    "orbazine": "MESH:D900002",
    "plenamil": "MESH:D900003",
    "quorafen": "MESH:D900004",
}
DISEASES = {"widgetitis": "MONDO:0900001", "gloomosis": "MONDO:0900002"}


def make(
    *,
    title: str,
    abstract: str = "",
    findings: tuple[str, ...] = (),
    linked_diseases: dict[str, str] | None = None,
    fulltext: dict[str, str | None] | None = None,
    chemicals: dict[str, str | None] | None = None,
) -> PaperRecord:
    linked = [
        EntityMention(name, D, curie, curie, "linked")
        for name, curie in (linked_diseases or DISEASES).items()
    ]
    linked += [EntityMention(name, C, curie, curie, "linked") for name, curie in DRUGS.items()]
    extra = [
        EntityMention(name, D, curie, curie or "-", "fulltext")
        for name, curie in (fulltext or {}).items()
    ]
    extra += [
        EntityMention(name, C, curie, curie or "-", "fulltext")
        for name, curie in (chemicals or {}).items()
    ]
    return PaperRecord(
        source="t.txt",
        sha256="0",
        title=title,
        key_findings=findings,
        abstract=abstract,
        linked_entities=tuple(linked),
        fulltext_entities=tuple(extra),
    )


def annotated(extraction: Extraction, title: str) -> list[AnnotatedSentence]:
    """The title as the extractor reads it, with the record's concepts."""
    surfaces = [
        (form, c.key, c.kind) for c in extraction.concepts for form in (c.label, *c.synonyms)
    ]
    return annotate([Sentence(title, "title")], MentionIndex(surfaces))


#: A title that sets two drugs against each other, naming no control.
VERSUS = "Velitrex versus orbazine for widgetitis: a randomized clinical trial"


def tried(extraction: Extraction) -> set[str]:
    return {extraction.concept(f.drug).label for f in extraction.findings}


def roles(extraction: Extraction) -> dict[str, DrugRole]:
    return {extraction.concept(k).label: role for k, role in extraction.drug_roles}


def pairs(extraction: Extraction) -> set[tuple[str, str]]:
    return {
        (extraction.concept(f.drug).label, extraction.concept(f.condition).label)
        for f in extraction.findings
    }


@pytest.mark.parametrize(
    ("sentence", "role"),
    [
        ("Velitrex or placebo was added to orbazine in 200 adults.", DrugRole.BACKGROUND_THERAPY),
        (
            "Adults inadequately controlled on orbazine received velitrex 10 mg.",
            DrugRole.BACKGROUND_THERAPY,
        ),
        (
            "Patients on stable orbazine were randomized to velitrex or placebo.",
            DrugRole.BACKGROUND_THERAPY,
        ),
        ("Patients switched from orbazine to velitrex 10 mg daily.", DrugRole.PRIOR_TREATMENT),
        (
            "Pain persisted despite orbazine; patients received velitrex 10 mg.",
            DrugRole.PRIOR_TREATMENT,
        ),
        (
            "Adults with an inadequate response to orbazine received velitrex 10 mg.",
            DrugRole.PRIOR_TREATMENT,
        ),
        (
            "Patients were randomized to velitrex 10 mg or orbazine 5 mg as active comparator.",
            DrugRole.COMPARATOR,
        ),
        ("Velitrex 10 mg was compared with orbazine 5 mg in 300 adults.", DrugRole.COMPARATOR),
        (
            "Patients received velitrex 10 mg; orbazine was allowed as rescue medication.",
            DrugRole.RESCUE,
        ),
        (
            "Velitrex 10 mg was tested against orbazine as an active placebo.",
            DrugRole.ACTIVE_PLACEBO,
        ),
        (
            "Orbazine is approved for widgetitis, and 80 adults received velitrex 10 mg.",
            DrugRole.NAMED_IN_BACKGROUND,
        ),
        (
            "Adults with a suboptimal response to 4 weeks of orbazine received velitrex 10 mg.",
            DrugRole.PRIOR_TREATMENT,
        ),
    ],
)
def test_a_drug_the_title_is_not_about_gets_its_role(sentence: str, role: DrugRole) -> None:
    result = extract(make(title="Velitrex for widgetitis: a randomized trial", abstract=sentence))
    assert tried(result) == {"velitrex"}
    assert roles(result)["orbazine"] is role


@pytest.mark.parametrize(
    "title",
    [
        "Comparison of velitrex and orbazine for widgetitis: a randomized trial",
        # "A versus B" with nothing that makes B the control: a head-to-head trial
        VERSUS,
    ],
)
def test_two_drugs_a_title_sets_against_each_other_are_both_tried(title: str) -> None:
    abstract = "Adults were randomized to velitrex 10 mg or orbazine 5 mg daily."
    assert tried(extract(make(title=title, abstract=abstract))) == {"velitrex", "orbazine"}


def test_an_aim_worded_a_with_b_leaves_a_versus_title_s_drugs_equals() -> None:
    # "we compared A with B" is how abstracts word any comparison; the title set them equal
    abstract = (
        "PURPOSE: There is no definitive treatment for widgetitis. In this study, we compared "
        "the therapeutic effects of 5 mg/d orbazine with 10 mg/d velitrex in the treatment of "
        "widgetitis.\nRESULTS: Both treatments reduced widgetitis."
    )
    title = "Comparison of velitrex versus orbazine in widgetitis: a randomized trial"
    assert tried(extract(make(title=title, abstract=abstract))) == {"velitrex", "orbazine"}


def test_the_add_on_a_title_names_beside_what_every_arm_got_is_the_one_tried() -> None:
    result = extract(
        make(
            title="Treatment of widgetitis with a combination of orbazine and velitrex",
            abstract=(
                "This study evaluates velitrex as an adjunctive therapy in widgetitis. "
                "Adults were randomized to orbazine plus velitrex 10 mg or to orbazine alone."
            ),
        )
    )
    assert tried(result) == {"velitrex"}
    assert roles(result)["orbazine"] is DrugRole.BACKGROUND_THERAPY


@pytest.mark.parametrize("joint", ["with and without", "with or without"])
def test_a_drug_given_with_and_without_another_is_background_and_the_other_is_tried(
    joint: str,
) -> None:
    result = extract(
        make(
            title=f"A randomized trial of orbazine {joint} velitrex in widgetitis",
            abstract=(
                "Patients were randomly assigned to orbazine 50 mg plus velitrex 10 mg (OV) or "
                "orbazine plus placebo (OP). The primary end point was the 12-week response "
                "rate. The 12-week response rate was comparable for both groups (OV, 31% v OP, "
                "29%; P = .6)."
            ),
        )
    )
    assert tried(result) == {"velitrex"}
    assert roles(result)["orbazine"] is DrugRole.BACKGROUND_THERAPY
    assert {f.outcome.value for f in result.findings} == {"no_benefit"}


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Velitrex plus orbazine or orbazine alone for widgetitis", {"velitrex"}),
        (
            "Comparison of velitrex with orbazine and orbazine monotherapy in widgetitis",
            {"velitrex"},
        ),
        # a factorial design: each drug alone and both together
        (
            "Velitrex plus orbazine, velitrex alone or orbazine alone in widgetitis",
            {"velitrex", "orbazine"},
        ),
        # doses of the drug given alone are compared too
        (
            "High-dose orbazine alone or low-dose orbazine plus velitrex in widgetitis",
            {"velitrex", "orbazine"},
        ),
    ],
)
def test_a_drug_the_title_gives_alone_as_the_control_is_background(
    title: str, expected: set[str]
) -> None:
    result = extract(
        make(
            title=title,
            abstract=(
                "Adults were randomized to the arms of the title. Velitrex 10 mg and orbazine "
                "50 mg were given daily for 12 weeks."
            ),
        )
    )
    assert tried(result) == expected
    if expected == {"velitrex"}:
        assert roles(result)["orbazine"] is DrugRole.BACKGROUND_THERAPY


@pytest.mark.parametrize(
    "measured",
    [
        "Orbazine and plenamil levels improved significantly compared with placebo.",
        "Plasma concentrations of orbazine increased significantly compared with placebo.",
        "Orbazine, plenamil or quorafen concentrations were significantly reduced.",
        "Circulating orbazine was significantly higher than with placebo.",
    ],
)
def test_chemicals_measured_as_levels_or_concentrations_are_not_tried(measured: str) -> None:
    result = extract(
        make(
            title="A randomized trial in widgetitis",
            abstract=f"Patients received velitrex 10 mg or placebo for 8 weeks. {measured}",
        )
    )
    assert tried(result) == {"velitrex"}


def test_with_or_without_a_disease_in_the_title_sets_no_arms() -> None:
    result = extract(
        make(
            title="Velitrex in widgetitis patients with or without gloomosis",
            abstract="Patients received velitrex 10 mg daily for 12 weeks.",
        )
    )
    assert tried(result) == {"velitrex"}


def test_drugs_added_in_turn_are_each_tried_and_what_they_were_added_to_is_not() -> None:
    result = extract(
        make(
            title="Orbazine, velitrex or placebo and then plenamil in widgetitis",
            abstract=(
                "In adults on orbazine, adding velitrex beat adding placebo at 8 weeks. "
                "In non-responders, plenamil 20 mg was added in both arms."
            ),
        )
    )
    assert tried(result) == {"velitrex", "plenamil"}


@pytest.mark.parametrize(
    ("title", "sentence"),
    [
        (
            "Velitrex or orbazine for widgetitis?",
            "We did a randomized study to evaluate the efficacy of velitrex versus orbazine.",
        ),
        (
            "Velitrex or orbazine for widgetitis?",
            "To compare the effectiveness of velitrex with low-dose orbazine in adults.",
        ),
        # "A versus B" where the abstract makes B the control
        (VERSUS, "Orbazine is the standard treatment of widgetitis."),
        (VERSUS, "Velitrex was non-inferior to orbazine on the primary endpoint."),
        (VERSUS, "Velitrex was superior to orbazine at 8 weeks."),
    ],
)
def test_an_aim_or_a_test_against_one_drug_makes_it_the_control(title: str, sentence: str) -> None:
    result = extract(
        make(
            title=title,
            abstract=f"{sentence} Adults were randomized to velitrex 10 mg or orbazine 5 mg daily.",
        )
    )
    assert tried(result) == {"velitrex"}
    assert roles(result)["orbazine"] is DrugRole.COMPARATOR


def test_an_aim_that_studies_one_of_the_titles_drugs_makes_the_other_the_control() -> None:
    result = extract(
        make(
            title="A placebo-controlled comparative trial of velitrex and orbazine in widgetitis",
            abstract=(
                "Objective: To study the effects of velitrex in a comparative, crossover trial.\n"
                "Patients and Methods: 16 patients received velitrex 400 mg, orbazine 40 mg and "
                "placebo for 15 days each."
            ),
        )
    )
    assert tried(result) == {"velitrex"}
    assert roles(result)["orbazine"] is DrugRole.COMPARATOR


def test_an_aim_that_compares_an_unnamed_agent_with_a_drug_makes_the_drug_the_control() -> None:
    result = extract(
        make(
            title="A comparative study of velitrex vs. orbazine vs. placebo in widgetitis",
            abstract=(
                "OBJECTIVES: To compare a biologic agent with orbazine, a traditional agent.\n"
                "METHODS: Patients were randomized to velitrex 40 mg, orbazine 7.5 mg or placebo."
            ),
        )
    )
    assert tried(result) == {"velitrex"}
    assert roles(result)["orbazine"] is DrugRole.COMPARATOR


def test_an_aim_that_compares_two_drugs_as_equals_keeps_both() -> None:
    aim = "To compare the effectiveness and safety of velitrex and orbazine for widgetitis."
    result = extract(
        make(
            title="Velitrex or orbazine for widgetitis?",
            abstract=f"{aim} Adults were randomized to velitrex 10 mg or orbazine 5 mg daily.",
        )
    )
    assert tried(result) == {"velitrex", "orbazine"}


def test_a_review_compares_other_drugs_with_the_one_it_is_about() -> None:
    result = extract(
        make(
            title="Velitrex for widgetitis: a systematic review and meta-analysis",
            abstract=(
                "Twelve trials compared velitrex with orbazine or plenamil. Velitrex reduced "
                "symptoms more than orbazine and plenamil."
            ),
        )
    )
    assert result.study_design is StudyDesign.META_ANALYSIS
    assert tried(result) == {"velitrex"}
    assert roles(result) == {
        "orbazine": DrugRole.REVIEW_COMPARATOR,
        "plenamil": DrugRole.REVIEW_COMPARATOR,
    }


def test_in_a_case_report_the_failed_drug_is_a_result() -> None:
    result = extract(
        make(
            title="Velitrex for refractory widgetitis: a case report",
            abstract=(
                "We report a woman whose widgetitis did not respond to orbazine. Velitrex 10 mg "
                "daily resolved her symptoms."
            ),
        )
    )
    assert tried(result) == {"velitrex", "orbazine"}


def test_with_or_without_makes_a_comorbidity_not_a_studied_condition() -> None:
    result = extract(
        make(
            title="Velitrex in adults with widgetitis with or without gloomosis",
            abstract="Adults received velitrex 10 mg daily and their symptoms fell.",
        )
    )
    assert pairs(result) == {("velitrex", "widgetitis")}
    assert [result.concept(k).label for k in result.comorbidities] == ["gloomosis"]


@pytest.mark.parametrize(
    "title",
    [
        "Velitrex for gloomosis in patients with widgetitis: a randomized trial",
        # a title that opens with what it treats, then the population
        "Gloomosis response in patients with widgetitis treated with velitrex",
        "Gloomosis remission among adults with widgetitis given velitrex: a pilot study",
    ],
)
def test_the_condition_a_title_treats_in_a_population(title: str) -> None:
    result = extract(
        make(title=title, abstract="Adults received velitrex 10 mg daily and gloomosis improved.")
    )
    assert pairs(result) == {("velitrex", "gloomosis")}
    assert [result.concept(k).label for k in result.comorbidities] == ["widgetitis"]


def test_the_condition_an_aim_treats_in_the_titles_population_is_studied() -> None:
    result = extract(
        make(
            title="A randomized trial of velitrex in gloomosis",
            abstract=(
                "OBJECTIVE: To evaluate velitrex in the treatment of widgetitis in patients "
                "with gloomosis. METHODS: Adults received velitrex 10 mg or placebo."
            ),
        )
    )
    conditions = {result.concept(f.condition).label for f in result.findings}
    assert conditions == {"widgetitis"}
    assert "MONDO:0900002" in result.comorbidities


@pytest.mark.parametrize("subtype", ["treatment-resistant", "acute"])
def test_a_subtype_the_title_names_becomes_the_studied_condition(subtype: str) -> None:
    """The linked concept is broad; the title names a subtype or course without an identifier:
    the finding is about it, a concept of its own with the broad one as ``broader``.
    """
    result = extract(
        make(
            title=f"Velitrex for {subtype} widgetitis: a randomized trial",
            abstract="Adults received velitrex 10 mg daily.",
            linked_diseases={"widgetitis": "MONDO:0900001"},
        )
    )
    (finding,) = result.findings
    condition = result.concept(finding.condition)
    assert condition.label == f"{subtype} widgetitis"
    assert condition.key == f"label:{subtype} widgetitis"
    assert condition.broader == ("MONDO:0900001",)


def test_a_subtype_the_record_annotates_is_taken_with_its_identifier() -> None:
    result = extract(
        make(
            title="Velitrex in progressive widgetitis",
            abstract="Adults received velitrex 10 mg daily.",
            linked_diseases={"widgetitis": "MONDO:0900001"},
            fulltext={"progressive widgetitis": "MESH:D900100"},
        )
    )
    (finding,) = result.findings
    condition = result.concept(finding.condition)
    assert condition.key == "MESH:D900100"
    assert condition.broader == ("MONDO:0900001",)


@pytest.mark.parametrize(
    ("title", "specific"),
    [
        ("Velitrex for widgetitis-related gloom: a randomized trial", "widgetitis-related gloom"),
        ("Velitrex for gloom in post-widgetitis condition: a randomized trial",
         "post-widgetitis condition"),
    ],
)  # fmt: skip
def test_a_sequela_named_after_the_linked_disease_is_studied(title: str, specific: str) -> None:
    """The annotators link the disease; the paper studies a condition named after it (its
    sequela), which the record annotates: that is the finding's condition, the linked disease
    its broader concept, whether or not the title's wording made it look like a population.
    """
    result = extract(
        make(
            title=title,
            abstract="Adults received velitrex 10 mg daily.",
            linked_diseases={"widgetitis": "MONDO:0900001"},
            fulltext={specific: "MESH:D900300"},
        )
    )
    (finding,) = result.findings
    condition = result.concept(finding.condition)
    assert condition.key == "MESH:D900300"
    assert "MONDO:0900001" in condition.broader
    assert "MESH:D900300" not in result.comorbidities


def test_a_manifestation_the_title_treats_in_the_linked_disease_is_studied() -> None:
    """Annotators link the disease; the title treats an unlinked manifestation of it: the
    finding is about the manifestation, with the linked disease as its broader concept.
    """
    result = extract(
        make(
            title="Velitrex for muscle gloom in widgetitis: a randomized crossover trial",
            abstract="Adults with widgetitis received velitrex 10 mg daily or placebo.",
            linked_diseases={"widgetitis": "MONDO:0900001"},
            fulltext={"muscle gloom": "MESH:D900200"},
        )
    )
    (finding,) = result.findings
    condition = result.concept(finding.condition)
    assert condition.key == "MESH:D900200"
    assert condition.broader == ("MONDO:0900001",)


def test_a_linked_condition_in_a_population_is_not_made_a_manifestation() -> None:
    # both linked: the comorbidity rules decide, not the manifestation rule
    result = extract(
        make(
            title="Velitrex for gloomosis in widgetitis: a randomized trial",
            abstract="Adults with widgetitis and gloomosis received velitrex 10 mg daily.",
        )
    )
    assert {result.concept(f.condition).label for f in result.findings} == {"gloomosis"}
    assert all(not result.concept(f.condition).broader for f in result.findings)


def test_a_manifestation_treated_by_therapy_in_the_disease() -> None:
    result = extract(
        make(
            title="Gloom therapy in widgetitis: a randomized trial of velitrex and placebo",
            abstract="Adults with widgetitis received velitrex 10 mg daily or placebo.",
            linked_diseases={"widgetitis": "MONDO:0900001"},
            fulltext={"gloom": "MESH:D900201"},
        )
    )
    assert {result.concept(f.condition).key for f in result.findings} == {"MESH:D900201"}


def test_a_qualifier_the_title_writes_before_the_linked_name_picks_the_specific_concept() -> None:
    # the record annotates "knee W"; the title writes "Knee Widgetitis"
    result = extract(
        make(
            title="Velitrex for Knee Widgetitis: a systematic review",
            abstract="Trials of velitrex in widgetitis (W) of the knee were pooled.",
            linked_diseases={"widgetitis": "MONDO:0900001"},
            fulltext={"W": "MONDO:0900001", "knee W": "MESH:D900300"},
        )
    )
    assert {result.concept(f.condition).key for f in result.findings} == {"MESH:D900300"}


def test_a_laboratory_marker_is_never_a_drug_tried() -> None:
    result = extract(
        make(
            title="Velitrex lowers HbA1c in widgetitis: a randomized trial",
            abstract="Velitrex 10 mg lowered HbA1c compared with placebo.",
            chemicals={"HbA1c": "MESH:D006442"},
        )
    )
    assert tried(result) == {"velitrex"}


def test_the_title_names_the_studied_condition_before_the_summary_names_the_population() -> None:
    record = make(
        title="Velitrex gel in patients with chronic gloom ulcers: a randomized placebo-controlled "
        "trial",
        abstract="Adults with type 9 widgetitis and chronic gloom ulcers received velitrex gel.",
        linked_diseases={"widgetitis": "MONDO:0900001"},
        fulltext={"chronic gloom ulcers": "MESH:D900400", "type 9 widgetitis": "MESH:D900401"},
    )
    record = dataclasses.replace(
        record,
        tldr="Velitrex gel healed more ulcers in type 9 widgetitis with chronic gloom ulcers.",
    )
    result = extract(record)
    assert {result.concept(f.condition).key for f in result.findings} == {"MESH:D900400"}


def test_the_dose_of_a_fixed_combination_is_each_components() -> None:
    result = extract(
        make(
            title="Velitrex/plenamil for widgetitis: a randomized trial",
            abstract="Adults were randomized to velitrex/plenamil 200 mg once daily or placebo.",
            chemicals={"velitrex/plenamil": None},
        )
    )
    doses = {result.concept(f.drug).label: [d.text for d in f.doses] for f in result.findings}
    assert doses == {"velitrex": ["200 mg once daily"], "plenamil": ["200 mg once daily"]}


def test_severity_is_not_a_subtype() -> None:
    result = extract(
        make(
            title="Velitrex for severe refractory widgetitis",
            abstract="Adults received velitrex 10 mg daily.",
            linked_diseases={"widgetitis": "MONDO:0900001"},
        )
    )
    assert pairs(result) == {("velitrex", "widgetitis")}


@pytest.mark.parametrize(
    "joined", ["velitrex/plenamil", "velitrex\u2013plenamil", "velitrex-plenamil"]
)
def test_a_combination_gives_a_finding_per_component_marked_as_given_together(
    joined: str,
) -> None:
    # a slash, an en dash or a hyphen between two drugs' names names their combination
    result = extract(
        make(
            title=f"{joined.capitalize()} for widgetitis: a randomized trial",
            abstract=f"Adults received {joined} 10/5 mg daily or placebo.",
            chemicals={joined: None},
        )
    )
    assert tried(result) == {"velitrex", "plenamil"}
    given_with = {
        result.concept(f.drug).label: {result.concept(k).label for k in f.given_with}
        for f in result.findings
    }
    assert given_with == {"velitrex": {"plenamil"}, "plenamil": {"velitrex"}}


def test_a_class_the_title_is_about_is_its_intervention() -> None:
    classes = extract(
        make(
            title="Antiwidgetics for widgetitis: a meta-analysis",
            abstract="Twelve trials of antiwidgetics, among them velitrex, were pooled.",
            chemicals={"statins": "MESH:D900201"},
        )
    )
    assert "statins" not in tried(classes)  # a class the title does not name is not tried
    titled = extract(
        make(
            title="Statins for widgetitis: a meta-analysis",
            abstract="Twelve trials of statins, among them velitrex 20 mg daily, were pooled.",
            chemicals={"statins": "MESH:D900201"},
        )
    )
    assert tried(titled) == {"statins", "velitrex"}


def test_the_evidence_is_never_the_title() -> None:
    result = extract(
        make(
            title="Velitrex improved widgetitis in a randomized trial",
            abstract="Adults received velitrex 10 mg daily.",
        )
    )
    (finding,) = result.findings
    assert finding.evidence
    assert all(e.section != "title" for e in finding.evidence)


def test_a_case_report_of_harm_is_the_drug_for_its_condition_with_adverse_effects() -> None:
    """ "Velitrex-induced gloomosis in a patient with widgetitis": the finding is velitrex for
    widgetitis, outcome adverse_effects, gloomosis its harm (never velitrex for gloomosis),
    even where the text speaks of managing the harm.
    """
    result = extract(
        make(
            title="Velitrex-induced gloomosis in a woman with widgetitis: a case report",
            abstract=(
                "A woman with widgetitis received velitrex 10 mg daily and developed gloomosis, "
                "which resolved after velitrex was stopped. Early management of "
                "velitrex-induced gloomosis matters."
            ),
        )
    )
    (finding,) = result.findings
    assert result.concept(finding.condition).label == "widgetitis"
    assert finding.outcome.value == "adverse_effects"
    assert "gloomosis" in finding.adverse_effects


def test_what_managed_the_harm_in_a_harm_case_is_no_finding() -> None:
    result = extract(
        make(
            title="Velitrex-induced gloomosis in a woman with widgetitis: a case report",
            abstract=(
                "A woman with widgetitis received velitrex 10 mg daily and developed gloomosis. "
                "She was given orbazine 5 mg and plenamil, and the gloomosis resolved."
            ),
        )
    )
    assert tried(result) == {"velitrex"}


def test_a_harm_case_whose_title_names_no_indication_is_for_the_linked_disease() -> None:
    """ "A case of velitrex-related gloomosis": the title names the harm only; the drug was given
    for the disease the annotators linked, not for what the summary names beside the harm.
    """
    record = make(
        title="A case of velitrex-related gloomosis",
        abstract=(
            "A man with widgetitis took velitrex 10 mg daily. Sprocket rhythm was recorded on "
            "admission."
        ),
        linked_diseases={"widgetitis": "MONDO:0900001"},
        fulltext={"gloomosis": "MESH:D900500", "sprocket rhythm": "MESH:D900501"},
    )
    record = dataclasses.replace(
        record, tldr="Velitrex was followed by sprocket rhythm, a form of gloomosis."
    )
    result = extract(record)
    assert [(result.concept(f.condition).label, f.outcome.value) for f in result.findings] == [
        ("widgetitis", "adverse_effects")
    ]


@pytest.mark.parametrize(
    ("title", "abstract", "tried_drugs"),
    [
        (
            "Superiority of velitrex over orbazine in widgetitis: a randomized trial",
            "Adults were randomized to velitrex 10 mg or orbazine 5 mg daily.",
            {"velitrex"},
        ),
        (
            "Velitrex versus orbazine for widgetitis: a head-to-head randomized trial",
            "Adults were randomized to velitrex 10 mg or orbazine 5 mg daily.",
            {"velitrex", "orbazine"},
        ),
        (
            "Velitrex for widgetitis: a randomized trial",
            "All patients received orbazine 5 mg daily and were randomized to velitrex 10 mg or "
            "placebo.",
            {"velitrex"},
        ),
        (
            "Velitrex for widgetitis: a randomized trial",
            "Adults were randomized to orbazine plus velitrex 10 mg or orbazine plus placebo.",
            {"velitrex"},
        ),
        (
            "Superiority of low-dose velitrex to low-dose orbazine in widgetitis: a randomized "
            "trial",
            "Adults were randomized to velitrex 10 mg or orbazine 5 mg daily.",
            {"velitrex"},
        ),
        (
            "Comparison of velitrex with orbazine in widgetitis: a randomized trial",
            "Adults were randomized to velitrex 10 mg or orbazine 5 mg daily.",
            {"velitrex"},
        ),
        (
            "Efficacy of velitrex, a new agent, compared with orbazine in widgetitis",
            "Adults were randomized to velitrex 10 mg or orbazine 5 mg daily; both treatments "
            "were well tolerated.",
            {"velitrex"},
        ),
        (
            # the drug of both arms is background; the one added to it is tested
            "Randomized trial of orbazine compared with velitrex plus orbazine in widgetitis",
            "Adults were randomized to orbazine alone or velitrex 10 mg plus orbazine.",
            {"velitrex"},
        ),
        (
            "Velitrex efficacy among orbazine maintained adults with widgetitis",
            "Adults on orbazine were randomized to velitrex 10 mg or placebo.",
            {"velitrex"},
        ),
        (
            "Velitrex augmentation of orbazine for refractory widgetitis: a placebo-controlled "
            "study",
            "Adults on orbazine were randomized to velitrex 10 mg or placebo.",
            {"velitrex"},
        ),
        (
            # a negative result opening the title is no prior failure
            "Failure of enteric-coated velitrex in widgetitis: a randomized crossover study",
            "Adults received velitrex 10 mg or placebo.",
            {"velitrex"},
        ),
    ],
)
def test_who_is_the_control_in_a_comparison(
    title: str, abstract: str, tried_drugs: set[str]
) -> None:
    assert tried(extract(make(title=title, abstract=abstract))) == tried_drugs


def test_a_diagnostic_use_of_a_chemical_is_not_a_drug_tried() -> None:
    result = extract(
        make(
            title="Velitrex for widgetitis: a randomized trial",
            abstract="METHODS: Adults received velitrex 10 mg; cure was assessed by plenamil "
            "breath tests.",
        )
    )
    assert tried(result) == {"velitrex"}


def test_methods_describe_this_study_even_with_guideline_words() -> None:
    """ "First-line regimens contained velitrex 20 mg" in Methods is this study's dose."""
    result = extract(
        make(
            title="Velitrex for widgetitis: a randomized trial",
            abstract="METHODS: First-line regimens contained velitrex 20 mg b.i.d. for 7 days.",
        )
    )
    (finding,) = result.findings
    assert [d.text for d in finding.doses] == ["20 mg b.i.d."]


def test_a_dose_belongs_to_the_drug_it_follows_and_the_target_beats_the_start() -> None:
    result = extract(
        make(
            title="Velitrex versus orbazine for widgetitis: a head-to-head randomized trial",
            abstract=(
                "METHODS: Velitrex was started at 25 mg daily and increased to 100 mg/day; "
                "orbazine 160 mg/day was given throughout."
            ),
            findings=("Velitrex titrated to 100 mg/day and orbazine 160 mg/day both helped.",),
        )
    )
    doses = {result.concept(f.drug).label: sorted(d.text for d in f.doses) for f in result.findings}
    assert doses == {"velitrex": ["100 mg/day"], "orbazine": ["160 mg/day"]}


def test_each_part_of_a_combination_gets_its_own_number_of_the_dose() -> None:
    result = extract(
        make(
            title="Velitrex with orbazine for widgetitis: a randomized placebo-controlled trial",
            abstract="METHODS: Velitrex/orbazine 50/500 mg twice daily or placebo for 12 weeks.",
        )
    )
    doses = {result.concept(f.drug).label: sorted(d.text for d in f.doses) for f in result.findings}
    assert doses == {"velitrex": ["50 mg twice daily"], "orbazine": ["500 mg twice daily"]}


def test_a_dose_the_abstract_gives_its_own_arm_is_kept_beside_the_summarys() -> None:
    result = extract(
        make(
            title="Velitrex for widgetitis: a randomized trial",
            abstract=(
                "METHODS: Adults were assigned placebo (n=56) or velitrex 37.5 mg daily (n=56), "
                "75 mg daily (n=55) or 150 mg daily (n=54)."
            ),
            findings=("All velitrex arms started at 37.5 mg; 75 mg and 150 mg daily helped most.",),
        )
    )
    (finding,) = result.findings
    assert {d.value for d in finding.doses} == {37.5, 75, 150}


def test_cases_compared_with_controls_are_not_a_comorbidity() -> None:
    """ "women with and without widgetitis" compares cases with controls: widgetitis is
    studied; "with or without gloomosis" is a subgroup.
    """
    result = extract(
        make(
            title="Velitrex and pain thresholds in widgetitis",
            abstract="Women with and without widgetitis received velitrex 10 mg daily.",
        )
    )
    assert pairs(result) == {("velitrex", "widgetitis")}
    assert result.comorbidities == ()


def test_an_aim_pursued_in_a_population_makes_the_population_a_comorbidity() -> None:
    result = extract(
        make(
            title="Velitrex for smoking cessation in gloomosis: a randomized trial",
            abstract="Smokers with gloomosis received velitrex 10 mg daily or placebo.",
            linked_diseases={"gloomosis": "MONDO:0900002", "widgetitis": "MONDO:0900001"},
        )
    )
    # the population is flagged; with no other condition named it still carries the finding
    assert [result.concept(k).label for k in result.comorbidities] == []
    assert comorbidities(annotated(result, "Velitrex for smoking cessation in gloomosis")) == {
        "MONDO:0900002"
    }


def test_a_harm_of_another_chemical_is_what_the_titles_drug_treats() -> None:
    """ "Velitrex improves orbazine-induced gloomosis": orbazine caused it, velitrex treats it."""
    result = extract(
        make(
            title="Velitrex improves orbazine-induced gloomosis in patients with widgetitis",
            abstract="Forty adults with orbazine-induced gloomosis received velitrex 10 mg.",
        )
    )
    assert pairs(result) == {("velitrex", "gloomosis")}


def test_a_subtype_the_record_files_under_the_broad_id_is_kept_as_written() -> None:
    result = extract(
        make(
            title="Velitrex in early postinfarct widgetitis",
            abstract="Adults received velitrex 10 mg daily.",
            linked_diseases={"widgetitis": "MONDO:0900001"},
            fulltext={"early postinfarct widgetitis": "MONDO:0900001"},
        )
    )
    (finding,) = result.findings
    condition = result.concept(finding.condition)
    assert condition.label == "early postinfarct widgetitis"
    assert condition.broader == ("MONDO:0900001",)


def test_a_subtype_the_aim_names_becomes_the_studied_condition() -> None:
    """The title and summary name the broad condition, the objective its subtype: the paper
    studies the subtype (a background sentence naming another subtype does not count).
    """
    result = extract(
        make(
            title="Velitrex and widgetitis after surgery: a randomized trial",
            abstract=(
                "Background: Velitrex has been tried in neuropathic widgetitis. "
                "Objective: To compare velitrex with placebo on postoperative widgetitis. "
                "Results: Velitrex 10 mg daily lowered scores (P < 0.01)."
            ),
            linked_diseases={"widgetitis": "MONDO:0900001"},
            fulltext={
                "postoperative widgetitis": "MESH:D900100",
                "neuropathic widgetitis": "MESH:D900101",
            },
        )
    )
    (finding,) = result.findings
    condition = result.concept(finding.condition)
    assert condition.key == "MESH:D900100"
    assert condition.broader == ("MONDO:0900001",)


def test_the_population_after_a_harm_in_a_case_title_is_what_the_drug_was_given_for() -> None:
    """ "Velitrex-induced gloomosis in widgetitis": gloomosis is the harm, widgetitis the
    disease of the patients, so the finding is velitrex for widgetitis with adverse effects.
    """
    result = extract(
        make(
            title="Velitrex-induced gloomosis in widgetitis",
            abstract=(
                "Objective To evaluate 3 cases of widgetitis in which velitrex caused gloomosis. "
                "Gloomosis resolved once velitrex was stopped."
            ),
        )
    )
    assert result.study_design is StudyDesign.CASE_SERIES
    assert [(result.concept(f.condition).label, f.outcome.value) for f in result.findings] == [
        ("widgetitis", "adverse_effects")
    ]


def test_a_harm_case_not_called_a_case_is_still_a_harm_case() -> None:
    """A single patient's story whose text never says "case report": the fallback design makes it
    one, so the drug is for what the patient had when taking it ("a woman with widgetitis on
    velitrex"), its outcome the harm, never velitrex for the illness she was admitted with.
    """
    result = extract(
        make(
            title="Gloomosis associated with velitrex in patients admitted with sprocketitis",
            abstract=(
                "A 70-year-old woman with widgetitis on velitrex presented with sprocketitis. "
                "Over the next days she developed gloomosis, which resolved once velitrex was "
                "stopped."
            ),
            fulltext={"sprocketitis": "MESH:D900600"},
        )
    )
    assert [(result.concept(f.condition).label, f.outcome.value) for f in result.findings] == [
        ("widgetitis", "adverse_effects")
    ]


@pytest.mark.parametrize(
    "title",
    [
        "Gloomosis associated with velitrex use in the treatment of widgetitis",
        "Gloomosis after velitrex was added to orbazine in a patient with widgetitis",
        "Orbazine and velitrex leading to gloomosis: a case report",
        "Gloomosis during velitrex use: a case report",
    ],
)
def test_a_harm_the_case_title_ties_to_a_drug_is_never_studied(title: str) -> None:
    """In a case, the title's "Y associated with X", "Y after X", "X leading to Y" make Y the
    harm even where the text also speaks of "patients with Y".
    """
    result = extract(
        make(
            title=title,
            abstract=(
                "A man with widgetitis took velitrex 10 mg daily and developed gloomosis. "
                "Patients with gloomosis need monitoring."
            ),
        )
    )
    assert "MONDO:0900002" not in result.studied_conditions
    assert all(result.concept(f.condition).label != "gloomosis" for f in result.findings)


def test_a_treatment_title_with_the_condition_before_the_drug_is_no_harm() -> None:
    """ "Management of widgetitis with velitrex": "with" after a disease is how a treatment
    is named, not a harm, in a case series too.
    """
    result = extract(
        make(
            title="Medical management of widgetitis with long-term velitrex: a case series",
            abstract="Five women with widgetitis received velitrex 5 mg daily; cysts regressed.",
        )
    )
    assert [result.concept(k).label for k in result.studied_conditions] == ["widgetitis"]


def test_the_condition_an_aim_treats_in_a_population_marks_the_population() -> None:
    """ "To evaluate velitrex in the treatment of gloomosis in widgetitis": widgetitis is the
    population, as it would be in the title; a symptom treated in a population is not
    ("reduces pain in patients with widgetitis").
    """
    aim = Sentence("To evaluate velitrex in the treatment of gloomosis in widgetitis.", "abstract")
    symptom = Sentence("We assessed whether velitrex reduces pain in widgetitis.", "abstract")
    index = MentionIndex(
        [
            ("gloomosis", "MONDO:0900002", D),
            ("widgetitis", "MONDO:0900001", D),
            ("pain", "MESH:D010146", D),
            ("velitrex", "MESH:D900001", C),
        ]
    )
    assert comorbidities(annotate([aim], index)) == {"MONDO:0900001"}
    assert comorbidities(annotate([symptom], index)) == set()


def test_a_review_of_a_class_tried_each_drug_its_results_name() -> None:
    """A review whose title names no drug ("systemic treatments for X") tried, through its
    studies, the drugs its results report on ("velitrex was studied in 12 RCTs", "two
    studies on orbazine"); a drug only named in the background is still background.
    """
    result = extract(
        make(
            title="Systemic treatments for widgetitis: a systematic review",
            abstract=(
                "Background: Plenamil is an old remedy for widgetitis. "
                "Methods: We searched four databases for randomized trials. "
                "Results: Velitrex was studied in 12 RCTs, which showed positive results, "
                "except for two studies on orbazine."
            ),
        )
    )
    assert tried(result) == {"velitrex", "orbazine"}


@pytest.mark.parametrize(
    ("abstract", "findings"),
    [
        # what the review found, in its abstract
        (
            "Background: Plenamil is an old remedy for widgetitis. "
            "Conclusion: This meta-analysis revealed that there is evidence to support the use "
            "of the following oral therapies: velitrex and orbazine.",
            (),
        ),
        # ... or in the record's key findings
        (
            "Background: Plenamil is an old remedy for widgetitis. "
            "We searched four databases for randomized trials.",
            ("Two interventions reached significance: velitrex and orbazine.",),
        ),
    ],
)
def test_a_review_of_a_class_tried_the_drugs_it_found_evidence_for(
    abstract: str, findings: tuple[str, ...]
) -> None:
    """ "Evidence supported X and Y", "X and Y reached significance": the review read their
    studies, and found them to help; a drug only named in the background is still background.
    """
    result = extract(
        make(
            title="Analgesic therapy in widgetitis: a quantitative systematic review",
            abstract=abstract,
            findings=findings,
        )
    )
    assert tried(result) == {"velitrex", "orbazine"}
    assert {f.outcome for f in result.findings} == {Outcome.IMPROVED}


def test_a_title_naming_a_linked_disease_within_a_longer_name_beats_a_linked_symptom() -> None:
    """ "Velitrex in primary Widgetitis": the annotators linked widgetitis and fatigue, the
    title's "primary Widgetitis" is only among the full text's entities: the title's disease is
    studied, not the symptom the summary names.
    """
    record = make(
        title="Velitrex in the treatment of patients with primary Widgetitis: a pilot study",
        abstract="Fatigue is common. Fifteen patients received velitrex 25 mg weekly.",
        linked_diseases={"Widgetitis": "MONDO:0900001", "fatigue": "MESH:D005221"},
        fulltext={"primary Widgetitis": "MESH:D900011"},
    )
    result = extract(dataclasses.replace(record, tldr="Velitrex did not improve fatigue."))
    assert [result.concept(k).label for k in result.studied_conditions] == ["primary Widgetitis"]


@pytest.mark.parametrize(
    ("title", "studied"),
    [
        # two diseases the title treats together are both studied
        (
            "Topical velitrex for the treatment of gloomosis and widgetitis",
            ["gloomosis", "widgetitis"],
        ),
        # what the drug's effect was measured on is not what it treats
        (
            "Velitrex in widgetitis management: effects on gloomosis and widgetitis control",
            ["widgetitis"],
        ),
    ],
)
def test_diseases_a_title_joins_by_and_are_studied_together(title: str, studied: list[str]) -> None:
    record = make(
        title=title,
        abstract="Forty patients applied velitrex 5% cream three times weekly.",
        linked_diseases={"widgetitis": "MONDO:0900001"},
        fulltext={"gloomosis": "MESH:D900012"},
    )
    result = extract(record)
    assert sorted(result.concept(k).label for k in result.studied_conditions) == studied


@pytest.mark.parametrize(
    ("title", "studied"),
    [
        # the disease a drug is given for, though a procedure caused it
        (
            "Velitrex 20 mg vs orbazine 30 mg for endoscopic submucosal "
            "dissection-induced widgetitis",
            ["widgetitis"],
        ),
        # "given for A ... developed drug-induced B": B is still the drug's harm
        (
            "Velitrex for gloomosis: the patient developed drug-induced widgetitis",
            ["gloomosis"],
        ),
    ],
)
def test_a_disease_a_drug_is_given_for_is_no_harm_whatever_caused_it(
    title: str, studied: list[str]
) -> None:
    result = extract(
        make(title=title, abstract="Twenty-six patients were randomised to the two drugs.")
    )
    assert [result.concept(k).label for k in result.studied_conditions] == studied


@pytest.mark.parametrize(
    ("sentence", "comorbid"),
    [
        # how long the patients have had what the trial treats: an inclusion criterion
        ("Men with a minimum 3-month history of widgetitis were randomised.", set()),
        ("Adults with at least 6 months' history of widgetitis were enrolled.", set()),
        # a past disease besides what the paper treats
        ("A woman with a history of widgetitis took velitrex.", {"MONDO:0900001"}),
    ],
)
def test_how_long_patients_had_a_disease_is_no_comorbidity(
    sentence: str, comorbid: set[str]
) -> None:
    index = MentionIndex([("widgetitis", "MONDO:0900001", D), ("velitrex", "MESH:D900001", C)])
    assert comorbidities(annotate([Sentence(sentence, "abstract")], index)) == comorbid
