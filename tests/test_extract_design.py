"""Study design and sample size on invented sentences."""

from __future__ import annotations

import pytest

from paperkg.extraction.design import detect_design, fallback_design
from paperkg.extraction.sample_size import parse_number, sample_size
from paperkg.extraction.sentences import Sentence, split_abstract, split_sentences
from paperkg.model import StudyDesign


def sentences(title: str, *abstract: str) -> list[Sentence]:
    result = [Sentence(title, "title")]
    result += [Sentence(text, "abstract", "", i + 1) for i, text in enumerate(abstract)]
    return result


@pytest.mark.parametrize(
    ("title", "abstract", "design"),
    [
        (
            "Drug Q for gout: a report of a case",
            ["Previous randomized controlled trials exist."],
            StudyDesign.CASE_REPORT,
        ),
        (
            "Drug Q in gout",
            ["We report a 54-year-old patient who improved."],
            StudyDesign.CASE_REPORT,
        ),
        # a sentence about one patient of a stated age, with no word for the design
        (
            "Drug Q-induced aortitis in a patient undergoing chemotherapy",
            [
                "Drug Q is used to prevent fever.",
                "A 64-year-old woman treated with chemotherapy including Drug Q was admitted.",
            ],
            StudyDesign.CASE_REPORT,
        ),
        (
            "Drug Q in gout",
            ["Patients aged 18 to 65 years took drug Q.", "A 12-week course was given."],
            None,
        ),
        # every patient given the drug and followed forward, no group compared: open label
        (
            "Drug Q with a beta-blocker in angina: results of an observational study",
            [
                "This non-interventional, multicentre, prospective study included 2,330 "
                "patients treated with drug Q in addition to a beta-blocker.",
                "Angina attacks fell from 2.4 to 0.4 per week.",
            ],
            StudyDesign.OPEN_LABEL_STUDY,
        ),
        (
            "Drug Q in gout: an observational study",
            [
                "This prospective observational study followed 300 patients.",
                "Users of drug Q were compared with non-users.",
            ],
            StudyDesign.COHORT_STUDY,
        ),
        ("Drug Q in gout: a systematic review and meta-analysis", [], StudyDesign.META_ANALYSIS),
        ("Drug Q in gout: a systematic review", [], StudyDesign.SYSTEMATIC_REVIEW),
        ("Drug Q in gout: study protocol for a randomised trial", [], StudyDesign.PROTOCOL),
        (
            "Drug Q and pain thresholds",
            ["Each participant attended two laboratory sessions."],
            StudyDesign.LAB_STUDY,
        ),
        (
            "Drug Q in gout",
            ["A randomized, double-blind, placebo-controlled crossover trial."],
            StudyDesign.CROSSOVER_RCT,
        ),
        (
            "A pilot study of drug Q",
            ["A single-blind crossover with placebo first."],
            StudyDesign.PILOT_TRIAL,
        ),
        (
            "Drug Q in gout",
            ["An open-label extension study followed 40 patients."],
            StudyDesign.OPEN_LABEL_STUDY,
        ),
        (
            "Drug Q in gout",
            ["Flexible-dose drug Q was added for 3-month cycles."],
            StudyDesign.OPEN_LABEL_STUDY,
        ),
        (
            "Drug Q in gout",
            ["We randomly assigned 300 patients to drug Q or placebo."],
            StudyDesign.RCT,
        ),
        (
            "Drug Q in gout: a pilot trial",
            ["Twelve patients took drug Q."],
            StudyDesign.PILOT_TRIAL,
        ),
        (
            "Drug Q in gout",
            ["This prospective study in a community clinic followed users."],
            StudyDesign.COHORT_STUDY,
        ),
        ("Drug Q in gout", ["Two prospective pilot studies have previously shown benefit."], None),
    ],
)
def test_design(title: str, abstract: list[str], design: StudyDesign | None) -> None:
    assert detect_design(sentences(title, *abstract)) is design


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Two hundred eight", 208), ("ten", 10), ("1,200", 1200), ("forty-two", 42), ("many", None)],
)
def test_parse_number(text: str, expected: int | None) -> None:
    assert parse_number(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Twelve men with gout and twelve healthy controls took part.", 24),
        ("Three hundred four patients were randomized to drug Q or placebo.", 304),
        ("A total of 612 participants underwent randomization: 300 were assigned to drug Q.", 612),
        ("90 adults with gout were enrolled and 71 adults completed the study.", 90),
        ("Drug Q (n=40 patients) was compared with placebo (n=38 patients).", 78),
        ("In total, 33 patients were included and 30 completed.", 33),
        # the words between a count and its people hold no other number
        ("80 RCTs were concordant (79 studies involving 15,609 individuals reported pain).", 15609),
        ("We included 20 trials published since 2012 (N = 16,478; 4 of good quality).", 16478),
        ("The protocol describes a trial planned for 16 000 patients with gout.", 16000),
        ("Of 715 patients screened, 88 were enrolled and dosed.", 88),
        ("Of 715 patients meeting the criteria, 88 patients were enrolled.", 88),
        ("Twenty-four of 46 drug R-treated patients were randomized to drug Q or placebo.", 24),
        ("In a randomised crossover trial of 32 patients, 218 patients were screened.", 32),
        (
            "Thirteen studies with 4155 patients were pooled (1933 on drug Q, 2222 on placebo).",
            4155,
        ),
        # a year is no count
        (
            "Patients with coronavirus disease 2019 patients were excluded; 120 adults were "
            "randomized.",
            120,
        ),
        # the trials counted before the people are no people
        ("A meta-analysis of 9 randomized trials (2309 patients) found benefit.", 2309),
        # those who remained are part of those enrolled, not another group
        ("A total of 32 gout patients were enrolled, and 20 subjects remained to the end.", 32),
        ("Among the 130 patients included, 52 received drug Q and 78 drug R.", 130),
        # a type and the count's own share may stand between a count and its people; those
        # previously enrolled elsewhere are this study's; "randomly assigned N" is the sample
        ("We randomly assigned 237 type 2 diabetic patients; 225 patients were analyzed.", 237),
        ("Results: 59 (93.5%) patients completed follow-up.", 59),
        ("Participants: 118 gout patients previously enrolled in a 4-week trial of drug Q.", 118),
        ("Ten combat veterans with gout each received drug Q and placebo.", 10),
        # what else a number counts before the people is no count of them
        (
            "After two pretreatment menstrual cycles, women were randomized to drug Q or "
            "placebo. In all, 187 women took part.",
            187,
        ),
        # a number in a drug's name is no count; a spaced thousand may precede its people's
        # description
        (
            "Drug Q vs dipeptidyl peptidase 4 inhibitors in patients with gout: among "
            "87 274 propensity-matched adults, drug Q lowered flares.",
            87274,
        ),
        # hospitals named after their patients are no patients; infants are people
        (
            "This cohort study included infants with gout at 11 children's hospitals. "
            "Among 115 infants with gout, 58 received drug Q.",
            115,
        ),
        # an abbreviated genus and an en dash between the count and its people
        (
            "A total of 314 treatment-naive, H. pylori\u2013infected patients were randomly "
            "assigned in a 1:1 ratio to either group.",
            314,
        ),
        # arms' counts with a space between their thousands
        (
            "We followed two cohorts of adults with gout: drug Q (N=12 978) and a matched "
            "comparator (N=44 286).",
            57264,
        ),
        # two arms' counts, the second without its noun
        (
            "Results: There were 30 patients in the conversion group and 30 in a direct "
            "matched control group.",
            60,
        ),
    ],
)
def test_sample_size(text: str, expected: int) -> None:
    assert sample_size(sentences("Drug Q", text)) == expected


def test_case_report_has_one_patient_and_unknown_is_none() -> None:
    assert sample_size(sentences("x", "Many patients exist."), StudyDesign.CASE_REPORT) == 1
    assert sample_size(sentences("x", "Pain fell by 30%.")) is None


def test_abstract_headings_become_subsections() -> None:
    parts = split_abstract(
        "OBJECTIVE: To test Q. METHODS: We gave Q. RESULTS: Q helped. It lasted."
    )
    assert parts == [
        ("objective", "To test Q."),
        ("methods", "We gave Q."),
        ("results", "Q helped."),
        ("results", "It lasted."),
    ]


def test_a_two_word_methods_heading_is_one_heading() -> None:
    pairs = split_abstract("Patients and Methods: 16 adults took drug Q. Results: Pain fell.")
    assert pairs == [("methods", "16 adults took drug Q."), ("results", "Pain fell.")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Other drugs (e.g. Q) vs. placebo were used. P = 0.22 overall. Then 2 more.",
            ["Other drugs (e.g. Q) vs. placebo were used.", "P = 0.22 overall.", "Then 2 more."],
        ),
        # "vitamin D.", "group B." end their sentences; a genus before its species
        # ("H. pylori") is followed by a small letter and never splits
        (
            "Adults took vitamin D. Pain fell in group B. H. pylori was eradicated in 80%.",
            ["Adults took vitamin D.", "Pain fell in group B.", "H. pylori was eradicated in 80%."],
        ),
    ],
)
def test_sentence_split_keeps_abbreviations(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


@pytest.mark.parametrize(
    ("title", "abstract", "design"),
    [
        (
            "Drug Q in gout: a randomized, double-blind trial",
            ["After 12 weeks, patients entered an open-label extension."],
            StudyDesign.RCT,
        ),
        (
            "Drug Q in gout: results of an open-label extension study",
            ["Patients who completed the parent trial received drug Q."],
            StudyDesign.OPEN_LABEL_STUDY,
        ),
        (
            "Drug Q for gout: rationale and design of a randomized trial",
            ["Adults will be randomized to drug Q or placebo."],
            StudyDesign.PROTOCOL,
        ),
        (
            "Drug Q for gout",
            ["We describe 3 cases of gout treated with drug Q."],
            StudyDesign.CASE_SERIES,
        ),
        (
            "Drug Q for gout",
            ["Patients were randomized to drug Q or placebo for 12 weeks."],
            StudyDesign.RCT,
        ),
        (
            "Drug Q for gout",
            ["A clinical trial was done on 60 patients divided into two treatment groups."],
            StudyDesign.RCT,
        ),
        (
            "Drug Q for gout",
            ["In this open-label, single-arm study, 40 adults received drug Q."],
            StudyDesign.OPEN_LABEL_STUDY,
        ),
        (
            # the title names the design; "this patient" in the results does not make a case
            "Comparison of drug Q with drug R in gout: a randomized controlled trial",
            ["In this patient group, drug Q lowered pain more than drug R."],
            StudyDesign.RCT,
        ),
        (
            "Role of drug Q in gout: a retrospective cohort study",
            ["Patients were randomized in the parent trials; we analysed their records."],
            StudyDesign.COHORT_STUDY,
        ),
        (
            "Drug Q-associated rash",
            ["Purpose: To report a case of drug Q-associated rash.", "A man enrolled in a trial."],
            StudyDesign.CASE_REPORT,
        ),
        (
            # the trials a conclusion calls for are not the paper's own design
            "Drug Q for gout",
            [
                "In this pilot study, 30 adults took drug Q for 8 weeks.",
                "Larger randomized controlled trials will have to confirm these data.",
            ],
            StudyDesign.PILOT_TRIAL,
        ),
        (
            "Drug Q for gout",
            [
                "In this pilot study, 30 adults took drug Q for 8 weeks.",
                "Its benefit remains to be confirmed in randomised trials.",
            ],
            StudyDesign.PILOT_TRIAL,
        ),
        (
            "Drug Q for gout",
            [
                "Adults were randomized to drug Q or placebo in this pilot study.",
                "Further studies are needed.",
            ],
            StudyDesign.RCT,
        ),
        # what a paper calls itself beats what it cites or counts
        (
            "Drug Q in gout: a systematic review",
            [
                "Two reviewers followed the Preferred Reporting Items for Systematic Reviews "
                "and Meta-Analyses guidelines.",
                "Of 123 citations, 37 case reports were included and described.",
            ],
            StudyDesign.SYSTEMATIC_REVIEW,
        ),
        (
            "A 6-month, open-label study of drug Q in gout",
            ["Further randomized and controlled studies should be conducted."],
            StudyDesign.OPEN_LABEL_STUDY,
        ),
        (
            "Drug Q versus drug R in gout: prospective, randomized, comparative study",
            ["Only 3 cases of drug side effects were seen."],
            StudyDesign.RCT,
        ),
        (
            "Drug Q for gout in children",
            ["We retrospectively reviewed the records of 13 children given drug Q."],
            StudyDesign.CASE_SERIES,
        ),
        # "or" is no odds ratio, and a change from baseline compares no groups
        (
            "Drug Q for gout: a retrospective study",
            ["We reviewed the medical records of 13 adults given drug Q with or without food."],
            StudyDesign.CASE_SERIES,
        ),
        (
            "Drug Q for gout: a retrospective study",
            [
                "We reviewed the medical records of 13 adults given drug Q.",
                "Pain fell at 12 months compared with baseline values.",
            ],
            StudyDesign.CASE_SERIES,
        ),
        (
            "Gout after drug Q",
            ["We present here a case of an 82-year-old woman on drug Q."],
            StudyDesign.CASE_REPORT,
        ),
        (
            "Drug Q-induced dyspnoea in gout",
            ["Objective To evaluate 3 cases illustrating a rare phenotype of gout."],
            StudyDesign.CASE_SERIES,
        ),
        (
            "Clinical impact of drug Q in refractory gout: one centre experience",
            ["We report our experience with drug Q in different forms of gout."],
            StudyDesign.CASE_SERIES,
        ),
    ],
)
def test_designs_that_are_easy_to_get_wrong(
    title: str, abstract: list[str], design: StudyDesign
) -> None:
    assert detect_design(sentences(title, *abstract)) is design


def test_a_paper_with_findings_always_has_a_design() -> None:
    one = sentences("Drug Q and gout", "A 40-year-old man with gout improved on drug Q.")
    assert detect_design(one) is None
    assert fallback_design(one) is StudyDesign.CASE_REPORT
    many = sentences("Drug Q and gout", "Forty adults with gout improved on drug Q.")
    assert fallback_design(many) is StudyDesign.OPEN_LABEL_STUDY


@pytest.mark.parametrize(
    ("title", "abstract", "design"),
    [
        (
            "Drug Q versus drug R in gout: a prospective randomized study",
            ["This open-label trial randomized 80 adults to drug Q or drug R."],
            StudyDesign.RCT,
        ),
        (
            "Drug Q in gout: a 12-month trial",
            ["The study protocol permitted dose changes.", "Forty adults received drug Q."],
            StudyDesign.OPEN_LABEL_STUDY,
        ),
        (
            "Hyperuricaemia after drug Q",
            ["In our patient, drug Q raised urate."],
            StudyDesign.CASE_REPORT,
        ),
        # open-label and not randomised; the extension itself, not a trial's extension phase
        (
            "Drug Q with drug R versus drug Q alone in depression: a 4-week open-label "
            "parallel-group study",
            ["In this 4-week open-label non-randomized parallel-group study, drug R was added."],
            StudyDesign.OPEN_LABEL_STUDY,
        ),
        (
            "Blinded assessment after 10 weeks of drug Q for psychosis",
            [
                "Objective: Evaluate drug Q in an open-label extension (OLE) study.",
                "Patients who completed a randomized placebo-controlled trial received drug Q.",
            ],
            StudyDesign.OPEN_LABEL_STUDY,
        ),
        (
            "Drug Q for psychosis",
            [
                "Patients were randomized to drug Q or placebo for 6 weeks.",
                "Completers entered an open-label extension of 12 weeks.",
            ],
            StudyDesign.RCT,
        ),
    ],
)
def test_open_label_protocol_words_and_our_patient(
    title: str, abstract: list[str], design: StudyDesign
) -> None:
    assert detect_design(sentences(title, *abstract)) is design


def test_an_abstract_headed_as_a_case_is_a_case_report() -> None:
    found = detect_design(
        [
            Sentence("Gout caused by drug Q", "title"),
            Sentence(
                "A woman with gout was started on drug Q in a trial.",
                "abstract",
                "case presentation",
                1,
            ),
        ]
    )
    assert found is StudyDesign.CASE_REPORT


def test_a_case_presentation_heading_is_a_subsection() -> None:
    parts = split_abstract("Background: Gout is common. Case presentation: A woman took drug Q.")
    assert [sub for sub, _ in parts] == ["background", "case presentation"]


@pytest.mark.parametrize(
    ("title", "abstract", "design"),
    [
        # a title that calls the paper a review, and a review's literature search
        ("A review of oral treatments for gout", ["Drug Q lowered urate."], "systematic_review"),
        (
            "Drug Q for gout",
            ["An electronic search of publications via PUBMED database was conducted."],
            "systematic_review",
        ),
        (
            "Drug Q for gout",
            ["MEDLINE and Embase were searched for trials of drug Q."],
            "systematic_review",
        ),
        # ... but a case "and review of the literature" is a case report
        (
            "Gout after drug Q: a case report and review of the literature",
            ["A man developed gout."],
            "case_report",
        ),
        # a retrospective review of charts is no review of papers
        (
            "A retrospective chart review of drug Q in gout",
            ["Drug Q lowered urate in 12 patients."],
            "case_series",
        ),
        # an insurance database searched for patients is a cohort, not a literature search
        (
            "Drug Q use in gout: a population-based study",
            [
                "In this retrospective cohort, the national insurance database was searched.",
                "Users of drug Q had a lower hazard ratio of death than non-users.",
            ],
            "cohort_study",
        ),
        (
            "Drug Q for gout",
            ["This is a protocol for a Cochrane Review (Intervention)."],
            "protocol",
        ),
        # a cohort without a group compared, looked back on, is a case series
        (
            "Drug Q in gout: a real-world study",
            ["This retrospective study analysed the records of 38 patients given drug Q."],
            "case_series",
        ),
        (
            "Drug Q in gout: a real-world study",
            ["This retrospective study compared 38 patients given drug Q with 40 given R."],
            "cohort_study",
        ),
        (
            "Drug Q in gout: a retrospective cohort study",
            ["We analysed the records of 38 patients treated with drug Q."],
            "cohort_study",
        ),
    ],
)
def test_reviews_and_uncompared_cohorts(title: str, abstract: list[str], design: str) -> None:
    assert detect_design(sentences(title, *abstract)) is StudyDesign(design)


@pytest.mark.parametrize(
    ("title", "abstract"),
    [
        # the paper's own report stays readable though it cites "the literature"
        (
            "Drug Q-induced purpura: first reported case",
            [
                "We hereby report a rare case of purpura which has not been reported in literature "
                "before."
            ],
        ),
        (
            "Drug Q-induced periostitis",
            ["We report this complication in a 58-year-old female undergoing transplantation."],
        ),
        (
            "Drug Q-induced thyroiditis",
            ["The authors present a case of a 55-year-old gentleman with atrial fibrillation."],
        ),
        (
            "Drug Q-induced serotonin syndrome",
            ["In this report, we present the case of a 70-year-old female who developed tremor."],
        ),
    ],
)
def test_a_case_told_in_the_papers_own_words_is_a_case_report(
    title: str, abstract: list[str]
) -> None:
    assert detect_design(sentences(title, *abstract)) is StudyDesign.CASE_REPORT


@pytest.mark.parametrize("group", ["population", "group"])
def test_this_patient_population_of_a_trial_is_no_case(group: str) -> None:
    text = sentences(
        "Phase III, randomized, double-blind, placebo-controlled study of drug Q for fatigue",
        "Adults with cancer were randomly assigned to receive drug Q or placebo for 4 weeks.",
        f"Drug Q did not improve fatigue in this patient {group} (P = 0.35).",
    )
    assert detect_design(text) is StudyDesign.RCT


@pytest.mark.parametrize(
    "title",
    [
        "Drug Q-induced angle closure glaucoma: two unique case reports",
        "Drug-resistant hyponatremia after drug Q intake: a series of two case reports",
    ],
)
def test_several_case_reports_are_a_series(title: str) -> None:
    text = sentences(title, "We present two women who developed the harm after drug Q.")
    assert detect_design(text) is StudyDesign.CASE_SERIES


def test_one_person_admitted_is_a_case_when_the_text_names_no_design() -> None:
    text = sentences("Thrombosis on drug Q", "A 62-year-old woman was admitted with renal failure.")
    assert detect_design(text) is None
    assert fallback_design(text) is StudyDesign.CASE_REPORT


@pytest.mark.parametrize(
    ("title", "abstract", "design"),
    [
        (
            "Drug classes for gambling",
            [
                "In this paper, we review the current literature on a class of drugs.",
                "A total of 19 studies have been included.",
                "Clinical trials and case series using these drugs will be presented.",
            ],
            StudyDesign.SYSTEMATIC_REVIEW,
        ),
        # a case series that reviewed the literature besides is still a series
        (
            "Angioedema after drug Q: a series",
            [
                "We describe five cases of angioedema after drug Q.",
                "Additionally, we reviewed the literature to evaluate treatment options.",
            ],
            StudyDesign.CASE_SERIES,
        ),
        # trials counted or pooled
        (
            "Randomized controlled trials of add-on drug Q in schizophrenia",
            [
                "Methods: Published trials of add-on drug Q were analysed.",
                "Results: There were 36 randomized controlled trials reported in 41 publications.",
            ],
            StudyDesign.SYSTEMATIC_REVIEW,
        ),
        (
            "Onset of action of drug Q in phase II and III clinical trials",
            [
                "Methods: This was a prespecified pooled analysis of three randomized, "
                "double-blind, placebo-controlled, 12-week studies.",
            ],
            StudyDesign.META_ANALYSIS,
        ),
    ],
)
def test_a_review_that_says_what_it_read(
    title: str, abstract: list[str], design: StudyDesign
) -> None:
    assert detect_design(sentences(title, *abstract)) is design
