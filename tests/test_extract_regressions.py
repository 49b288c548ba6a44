"""Regressions found on records the rules were not written from: the project's own seeds and
the development evaluation set (tests/data/eval/dev).

Each test failed before its fix; names are invented so no rule can lean on a real drug.
"""

from __future__ import annotations

from paperkg.extraction import extract
from paperkg.model import EntityMention, Outcome, PaperRecord, StudyDesign

from conftest import C, D, make, mentioned, outcomes


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


# --- found on the development evaluation set (tests/data/eval/dev) -----------------------------


def test_drugs_listed_as_current_options_are_mentions() -> None:
    rec = make(
        findings=("Velitrex 20 mg/day reduced widgetitis pain more than placebo.",),
        abstract=(
            "OBJECTIVE: Current pharmacological options include orbazine and plenamil, but many "
            "patients obtain only partial relief."
        ),
    )
    result = extract(rec)
    assert outcomes(result) == {"velitrex": Outcome.IMPROVED}
    assert mentioned(result) == {"orbazine", "plenamil"}


def test_drugs_stopped_before_the_study_are_not_interventions() -> None:
    rec = make(
        findings=("Velitrex 20 mg/day reduced widgetitis pain more than placebo.",),
        abstract="Participants taking orbazine or plenamil must discontinue these drugs first.",
    )
    assert set(outcomes(extract(rec))) == {"velitrex"}


def test_a_protocol_states_no_outcome() -> None:
    rec = make(
        title="Velitrex for widgetitis: protocol for a randomized, placebo-controlled trial",
        findings=("Velitrex may improve sleep and will be given at 5 mg at bedtime.",),
    )
    result = extract(rec)
    assert result.study_design is StudyDesign.PROTOCOL
    assert outcomes(result) == {"velitrex": Outcome.NOT_STATED}


def test_two_active_drugs_that_do_not_differ_from_each_other_both_improved() -> None:
    rec = make(
        findings=(
            "Velitrex and orbazine each reduced widgetitis flares more than placebo.",
            "Velitrex and orbazine did not differ from each other.",
        ),
        drugs={"velitrex": "MESH:D900001", "orbazine": "MESH:D900002"},
    )
    assert outcomes(extract(rec)) == {"velitrex": Outcome.IMPROVED, "orbazine": Outcome.IMPROVED}


def test_a_benefit_that_faded_is_mixed_and_numerically_better_is_no_benefit() -> None:
    faded = make(
        tldr="Velitrex infusions reduced widgetitis pain, but the benefit had faded by six weeks.",
        drugs={"velitrex": "MESH:D900001"},
    )
    assert outcomes(extract(faded)) == {"velitrex": Outcome.MIXED}
    numerically = make(
        findings=(
            "Scores were numerically better with velitrex, without statistical significance.",
        ),
        drugs={"velitrex": "MESH:D900001"},
    )
    assert outcomes(extract(numerically)) == {"velitrex": Outcome.NO_BENEFIT}


def test_drugs_the_study_patients_had_previously_failed_are_prior_treatments() -> None:
    """In a trial, drugs the patients had failed before are mentions with a role (issue 11)."""
    rec = make(
        title="Velitrex for widgetitis: an open-label trial",
        findings=("Forty women received velitrex 0.5 mg/kg/day and their pain fell.",),
        abstract="Forty women with widgetitis had previously failed orbazine and plenamil.",
    )
    result = extract(rec)
    assert outcomes(result) == {"velitrex": Outcome.IMPROVED}
    roles = {result.concept(k).label: role.value for k, role in result.drug_roles}
    assert roles == {"orbazine": "prior_treatment", "plenamil": "prior_treatment"}


def test_in_a_case_series_the_failed_drugs_are_results_of_the_case() -> None:
    rec = make(
        title="Velitrex for refractory widgetitis: a case series",
        findings=("Five women received velitrex 0.5 mg/kg/day and their pain fell.",),
        abstract="Five women with widgetitis had previously failed orbazine and plenamil.",
    )
    assert outcomes(extract(rec)) == {
        "velitrex": Outcome.IMPROVED,
        "orbazine": Outcome.NO_BENEFIT,
        "plenamil": Outcome.NO_BENEFIT,
    }


def test_design_words_in_context() -> None:
    review = make(
        title="Velitrex for widgetitis: a systematic review",
        abstract=(
            "Nineteen studies, including 17 case series, were included. Designs were too "
            "heterogeneous for meta-analysis, so results were synthesized narratively."
        ),
    )
    assert extract(review).study_design is StudyDesign.SYSTEMATIC_REVIEW
    extension = make(
        title="Velitrex in widgetitis: an open-label extension study",
        findings=("28 patients received velitrex.", "One case of neutropenia was recorded."),
    )
    result = extract(extension)
    assert result.study_design is StudyDesign.OPEN_LABEL_STUDY
    assert result.sample_size == 28
    pilot = make(title="Velitrex in widgetitis: an open single-arm pilot study")
    assert extract(pilot).study_design is StudyDesign.PILOT_TRIAL


def test_sample_size_from_n_equals_beats_a_subgroup() -> None:
    rec = make(
        abstract=(
            "We conducted a randomized trial in women with widgetitis (n = 99). "
            "Gizmosis was present in 27 participants."
        ),
    )
    assert extract(rec).sample_size == 99


def test_a_formal_disease_name_joins_its_plain_name_and_comorbidities_are_not_studied() -> None:
    linked = (
        EntityMention("widgetitis disorder", D, "MONDO:0900001", "MONDO:0900001", "linked"),
        EntityMention("gizmosis", D, "MONDO:0900002", "MONDO:0900002", "linked"),
        EntityMention("velitrex", C, "MESH:D900001", "MESH:D900001", "linked"),
    )
    fulltext = (EntityMention("widgetitis", D, "MESH:D900100", "MESH:D900100", "fulltext"),)
    rec = PaperRecord(
        source="t.txt",
        sha256="0",
        title="Velitrex for the prevention of widgetitis: a randomized trial",
        key_findings=("Velitrex reduced widgetitis days; 14 participants had treated gizmosis.",),
        linked_entities=linked,
        fulltext_entities=fulltext,
    )
    result = extract(rec)
    (studied,) = result.studied_conditions
    assert result.concept(studied).identifiers == ("MESH:D900100", "MONDO:0900001")


def test_a_drug_given_for_one_of_two_conditions_counts_for_that_one() -> None:
    linked = (
        EntityMention("widgetitis", D, "MONDO:0900001", "MONDO:0900001", "linked"),
        EntityMention("gizmosis", D, "MONDO:0900002", "MONDO:0900002", "linked"),
        EntityMention("velitrex", C, "MESH:D900001", "MESH:D900001", "linked"),
        EntityMention("orbazine", C, "MESH:D900002", "MESH:D900002", "linked"),
    )
    rec = PaperRecord(
        source="t.txt",
        sha256="0",
        title="Widgetitis and gizmosis in one patient: a case report",
        key_findings=(
            "A woman took velitrex 10 mg for gizmosis and orbazine 5 mg for widgetitis.",
            "Both conditions improved.",
        ),
        linked_entities=linked,
    )
    result = extract(rec)
    pairs = {
        (result.concept(f.drug).label, result.concept(f.condition).label) for f in result.findings
    }
    assert pairs == {("velitrex", "gizmosis"), ("orbazine", "widgetitis")}


def test_a_title_only_citation_gives_findings_that_stand_on_the_title() -> None:
    """A citation with no abstract (common in MEDLINE): the title is the only sentence, so it is
    the evidence; before, the finding had none and its graph broke the shapes.
    """
    import dataclasses

    import rdflib

    from paperkg.mapping import map_record
    from paperkg.store import to_rdflib_term
    from paperkg.validate import validate_graph

    rec = make(title="Velitrex for widgetitis: a randomized controlled trial")
    rec = dataclasses.replace(rec, sha256="a" * 64)
    result = extract(rec)
    assert result.findings
    assert all([e.section for e in finding.evidence] == ["title"] for finding in result.findings)
    graph = rdflib.Graph()
    for quad in map_record(rec, result).quads:
        graph.add(tuple(to_rdflib_term(t) for t in (quad.subject, quad.predicate, quad.object)))
    assert validate_graph(graph).conforms
