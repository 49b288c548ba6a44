"""Interventions and outcome polarity on invented records (names are made up on purpose)."""

from __future__ import annotations

import dataclasses

import pytest

from paperkg.extraction import Extractor, RuleExtractor, extract
from paperkg.extraction.interventions import is_drug_like
from paperkg.extraction.outcome import (
    ClausePolarity,
    adverse_effect_terms,
    clause_spans,
    decide_outcome,
    mask_parentheses,
    polarity_for,
)
from paperkg.extraction.sentences import MentionIndex, Sentence
from paperkg.model import Concept, EntityKind, EntityMention, Extraction, Outcome, PaperRecord

from conftest import C, D, make, mentioned, outcomes


def test_background_drugs_are_mentions_and_the_trial_drug_a_finding() -> None:
    rec = make(
        title="Velitrex for widgetitis: a randomized, double-blind, placebo-controlled trial",
        findings=("Velitrex 20 mg/day was not superior to placebo on pain scores.",),
        abstract=(
            "BACKGROUND: Guidelines recommend orbazine for widgetitis. "
            "Standard treatment with orbazine or plenamil is often insufficient. "
            "RESULTS: Velitrex did not differ from placebo in any end point."
        ),
    )
    result = extract(rec)
    assert outcomes(result) == {"velitrex": Outcome.NO_BENEFIT}
    assert mentioned(result) == {"orbazine", "plenamil"}
    (finding,) = result.findings
    assert finding.condition == "MONDO:0900001"
    assert [d.text for d in finding.doses] == ["20 mg/day"]
    assert finding.evidence[0].section == "key_findings"
    assert finding.extractor.name == "rules"
    assert 0.0 <= finding.confidence <= 1.0


def test_patient_who_did_not_benefit_from_named_drugs() -> None:
    rec = make(
        title="Velitrex for refractory widgetitis: a case report",
        findings=(
            "Velitrex (5 mg nightly) led to sustained improvement of widgetitis.",
            "The patient did not benefit from earlier therapies like orbazine or plenamil.",
        ),
    )
    assert outcomes(extract(rec)) == {
        "velitrex": Outcome.IMPROVED,
        "orbazine": Outcome.NO_BENEFIT,
        "plenamil": Outcome.NO_BENEFIT,
    }


def test_well_tolerated_alone_is_not_efficacy() -> None:
    rec = make(findings=("Patients received velitrex 10 mg daily.", "Velitrex was well tolerated."))
    assert outcomes(extract(rec)) == {"velitrex": Outcome.NOT_STATED}


def test_short_term_benefit_and_long_term_no_difference_is_mixed() -> None:
    rec = make(
        tldr="Velitrex helped at 4 weeks, but no benefit over placebo was seen at 6 months.",
        findings=("Patients were randomized to velitrex or placebo.",),
    )
    assert outcomes(extract(rec)) == {"velitrex": Outcome.MIXED}


def test_harm_after_the_drug_is_adverse_effects_and_not_a_studied_condition() -> None:
    rec = make(
        title="Toxic hepatitis following velitrex administration in a widgetitis patient",
        tldr="A widgetitis patient developed toxic hepatitis after 2 weeks of velitrex 100 mg.",
        diseases={"toxic hepatitis": "MESH:D900010", "widgetitis": "MESH:D900011"},
    )
    result = extract(rec)
    assert result.studied_conditions == ("MONDO:0900001",)
    (finding,) = result.findings
    assert finding.outcome is Outcome.ADVERSE_EFFECTS
    assert "toxic hepatitis" in finding.adverse_effects
    assert finding.doses[0].value == 100.0


def test_one_mention_naming_drug_and_harm_is_a_harm_of_that_drug() -> None:
    # "Velitrex-induced hepatitis" is one disease mention; the drug inside it caused it
    rec = make(
        title="Velitrex-induced toxic hepatitis in a patient with widgetitis: a case report",
        tldr="A man developed acute toxic hepatitis three weeks after starting velitrex for "
        "widgetitis; velitrex was stopped and he recovered.",
        diseases={
            "Velitrex-induced toxic hepatitis": "MESH:D900010",
            "acute toxic hepatitis": "MESH:D900010",
        },
    )
    harm = EntityMention("toxic hepatitis", D, "MONDO:0900002", "MONDO:0900002", "linked")
    rec = dataclasses.replace(rec, linked_entities=(*rec.linked_entities, harm))
    result = extract(rec)
    assert result.studied_conditions == ("MONDO:0900001",)
    (finding,) = result.findings
    assert finding.outcome is Outcome.ADVERSE_EFFECTS
    assert result.concept(finding.condition).label == "widgetitis"


def test_a_drug_named_as_the_cause_of_the_treated_harm_is_not_tried() -> None:
    rec = make(
        title="Velitrex treatment of orbazine-induced hypersalivation",
        tldr="In an open study, velitrex reduced orbazine-induced hypersalivation in 20 patients.",
        diseases={"orbazine-induced hypersalivation": "MESH:D900012"},
    )
    result = extract(rec)
    assert set(outcomes(result)) == {"velitrex"}


def test_despite_marks_only_the_drugs_after_it() -> None:
    rec = make(
        findings=(
            "Patients received velitrex after persistent pain despite treatment with orbazine.",
        )
    )
    extraction = extract(rec)
    assert outcomes(extraction) == {"velitrex": Outcome.NOT_STATED}
    roles = {extraction.concept(k).label: role.value for k, role in extraction.drug_roles}
    assert roles == {"orbazine": "prior_treatment"}


def test_a_population_refractory_to_standard_treatment_does_not_judge_the_drug() -> None:
    """ "In patients refractory to standard treatment, 24 weeks of X improved ...": the
    phrase closes its own clause; X was given and improved them.
    """
    rec = make(
        tldr=(
            "In 25 patients with widgetitis refractory to standard treatment, 24 weeks of "
            "velitrex improved disease severity and quality of life in most."
        ),
        abstract="Twenty-five patients were treated with velitrex over a period of 24 weeks.",
    )
    assert outcomes(extract(rec)) == {"velitrex": Outcome.IMPROVED}


@pytest.mark.parametrize(
    "sentence",
    [
        "Velitrex helps control widgetitis with minimal side effects.",
        "In an 18-patient open pilot, velitrex ointment cleared widgetitis completely in 61%.",
        "Velitrex restored iron stores faster than orbazine.",
        "Liver enzymes normalized within 12 weeks of velitrex.",
    ],
)
def test_a_drug_that_helps_control_or_clears_the_disease_improved_it(sentence: str) -> None:
    rec = make(findings=(sentence,), abstract="Eighteen patients applied velitrex twice daily.")
    assert outcomes(extract(rec)) == {"velitrex": Outcome.IMPROVED}


def test_negated_administration_is_not_a_drug_taken() -> None:
    rec = make(
        findings=(
            "Ten women not taking orbazine received velitrex 2 mg.",
            "Velitrex reduced symptom severity by 30%.",
        )
    )
    result = extract(rec)
    assert outcomes(result) == {"velitrex": Outcome.IMPROVED}
    assert "orbazine" in mentioned(result)


def test_placebo_and_classes_are_never_drugs() -> None:
    rec = make(
        findings=("Patients received velitrex or placebo; opioids were not allowed.",),
        drugs={"velitrex": "MESH:D900001", "placebo": "MESH:D900020", "opioids": "MESH:D900021"},
    )
    result = extract(rec)
    assert set(outcomes(result)) == {"velitrex"}
    assert mentioned(result) == set()


def test_saline_given_as_the_control_is_no_drug_but_hypertonic_saline_is() -> None:
    rec = make(
        title="Velitrex versus normal saline in widgetitis",
        findings=("Infants received nebulised velitrex or normal saline; velitrex helped.",),
        drugs={"velitrex": "MESH:D900001", "normal saline": "MESH:D900030"},
    )
    assert set(outcomes(extract(rec))) == {"velitrex"}
    concept = Concept("MESH:D900031", EntityKind.CHEMICAL, "hypertonic saline")
    assert is_drug_like(concept)
    assert not is_drug_like(dataclasses.replace(concept, label="normal saline"))


def sentence(text: str, section: str = "key_findings") -> Sentence:
    return Sentence(text, section)


INDEX = MentionIndex([("velitrex", "V", C), ("orbazine", "O", C), ("widgetitis", "W", D)])


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Velitrex did not change pain thresholds.", Outcome.NO_BENEFIT),
        ("Velitrex failed to reduce flares.", Outcome.NO_BENEFIT),
        ("Velitrex was not superior to placebo.", Outcome.NO_BENEFIT),
        ("There was no significant effect of velitrex on pain.", Outcome.NO_BENEFIT),
        ("Velitrex improved pain numerically but not significantly.", Outcome.NO_BENEFIT),
        ("We found no evidence that velitrex alters mood.", Outcome.NO_BENEFIT),
        ("Groups given velitrex or placebo did not differ.", Outcome.NO_BENEFIT),
        ("Velitrex significantly improved sleep.", Outcome.IMPROVED),
        ("Velitrex was efficacious for widgetitis.", Outcome.IMPROVED),
        ("Velitrex reduced monthly flare days.", Outcome.IMPROVED),
        ("Velitrex worsened fatigue.", Outcome.WORSENED),
        ("Velitrex exacerbated fatigue.", Outcome.WORSENED),
        # exacerbations are counted events: fewer of them is a benefit
        ("Velitrex reduced exacerbations of widgetitis.", Outcome.IMPROVED),
        # a decrease reported with its p-value at or above 0.05 is no difference
        (
            "Flare scores decreased 20% with velitrex and 27% with placebo, P = .53.",
            Outcome.NO_BENEFIT,
        ),
        ("These results do not support the efficacy of velitrex.", Outcome.NO_BENEFIT),
        ("Velitrex reduced flare scores no more than placebo.", Outcome.NO_BENEFIT),
        # two doses of the drug compared with each other say nothing against the control
        (
            "Velitrex improved scores versus placebo, with no difference between 25% and 50%.",
            Outcome.IMPROVED,
        ),
        # the comparison's only test, in parentheses, is not significant
        ("Flares fell 20% on velitrex versus 27% on placebo (P = .53).", Outcome.NO_BENEFIT),
        ("Flares fell 40% on velitrex versus 10% on placebo (P = .002).", Outcome.IMPROVED),
        # one non-responder among many is not the study's result
        ("Pain fell on velitrex, although one patient did not improve.", Outcome.IMPROVED),
        # one dose arm failing beside one that worked is the dose-finding
        (
            "Velitrex 300 mg/day was superior to placebo, whereas 150 mg/day did not differ.",
            Outcome.IMPROVED,
        ),
        ("Velitrex 600 mg reduced pain, while lower doses appeared ineffective.", Outcome.IMPROVED),
    ],
)
def test_polarity_cues(text: str, label: Outcome) -> None:
    polarity = polarity_for(sentence(text), INDEX.find(text), "V", ["W"])
    assert polarity.labels == {label}


def test_aims_are_not_results() -> None:
    text = "To evaluate the efficacy of velitrex in widgetitis."
    assert polarity_for(sentence(text, "abstract"), INDEX.find(text), "V").labels == set()


def test_other_drug_clause_does_not_leak() -> None:
    text = "Velitrex improved pain, whereas orbazine did not change it."
    hits = INDEX.find(text)
    assert polarity_for(sentence(text), hits, "V").labels == {Outcome.IMPROVED}
    assert polarity_for(sentence(text), hits, "O").labels == {Outcome.NO_BENEFIT}


def test_statistics_in_parentheses_are_ignored() -> None:
    text = "Velitrex improved pain (versus orbazine, P not significant)."
    assert "(" not in mask_parentheses(text)
    assert polarity_for(sentence(text), INDEX.find(text), "V").labels == {Outcome.IMPROVED}


def test_clauses_split_on_contrast_words() -> None:
    assert len(clause_spans("A helped at first, but later it did not; B failed")) == 3
    assert len(clause_spans("A improved pain but not sleep")) == 1


def test_decision_weighs_summary_sections_over_the_title() -> None:
    improved = (
        sentence("x", "key_findings"),
        polarity_for(sentence("Velitrex improved."), INDEX.find("Velitrex improved."), "V"),
    )
    title_text = "No evidence for velitrex"
    title = (
        sentence(title_text, "title"),
        polarity_for(sentence(title_text, "title"), INDEX.find(title_text), "V"),
    )
    decision = decide_outcome([improved, improved, title])
    assert decision.outcome is Outcome.IMPROVED
    assert decision.confidence > decide_outcome([title]).confidence


def test_the_primary_endpoint_outweighs_secondary_ones() -> None:
    def judged(text: str) -> tuple[Sentence, ClausePolarity]:
        return sentence(text, "abstract"), polarity_for(
            sentence(text, "abstract"), INDEX.find(text), "V"
        )

    primary = judged("Velitrex did not differ from placebo on the primary outcome.")
    secondary = judged("Velitrex improved sleep, a secondary outcome.")
    assert decide_outcome([primary, secondary]).outcome is Outcome.NO_BENEFIT


def test_extractor_protocol_and_swappable_extractor() -> None:
    class Fixed:
        name = "fixed"
        version = "1"

        def extract(self, record: PaperRecord) -> Extraction:
            return Extraction(sample_size=7)

    assert isinstance(RuleExtractor(), Extractor)
    assert isinstance(Fixed(), Extractor)
    assert extract(make(), Fixed()).sample_size == 7
    assert RuleExtractor.name == "rules"


def test_prior_failure_hedged_conclusion_and_side_effects_of_the_title_drug() -> None:
    rec = make(
        title="Open-label velitrex for widgetitis",
        findings=("Nausea was the most common side effect.",),
        abstract=(
            "METHODS: In this open-label study, 30 patients who had failed orbazine received "
            "velitrex 10 mg twice daily. CONCLUSION: Velitrex may be effective in widgetitis."
        ),
        diseases={"nausea": "MESH:D009325"},
    )
    result = extract(rec)
    assert outcomes(result) == {"velitrex": Outcome.IMPROVED}
    assert [(result.concept(k).label, r.value) for k, r in result.drug_roles] == [
        ("orbazine", "prior_treatment")
    ]
    velitrex = next(f for f in result.findings if result.concept(f.drug).label == "velitrex")
    assert velitrex.adverse_effects == ("nausea",)
    assert velitrex.confidence < 0.8  # hedged evidence only
    assert velitrex.doses[0].frequency == "twice daily"


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Adding velitrex led to a significant decrease in all the scales.", Outcome.IMPROVED),
        ("Velitrex showed positive results for widgetitis in real practice.", Outcome.IMPROVED),
        ("Velitrex seems to be a useful aid for patients with widgetitis.", Outcome.IMPROVED),
        ("Velitrex led to no significant decrease in any scale.", Outcome.NO_BENEFIT),
    ],
)
def test_a_benefit_said_with_a_noun_or_in_plain_words(sentence: str, expected: Outcome) -> None:
    """ "a significant decrease", "positive results", "a useful aid" state a benefit as
    "decreased" and "effective" do; negated they state none.
    """
    rec = make(findings=("Patients received velitrex 10 mg daily.", sentence))
    assert outcomes(extract(rec)) == {"velitrex": expected}


@pytest.mark.parametrize(
    ("text", "harms"),
    [
        (
            "She developed reversible psychosis three days later.",
            ["reversible psychosis"],
        ),
        (
            "Side effects (gloomy rash which resolved, possibly induced by velitrex, mild) "
            "were rare.",
            [],
        ),
        (
            "Adverse events (dry mouth, blurred vision and QTc prolongation) were reported.",
            ["dry mouth", "blurred vision", "QTc prolongation"],
        ),
    ],
)
def test_a_listed_harm_is_a_name_not_a_clause(text: str, harms: list[str]) -> None:
    # "which resolved", "possibly induced by X", "mild", "three days later" name no harm
    assert adverse_effect_terms(Sentence(text, "abstract"), [], ()) == harms
