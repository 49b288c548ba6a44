"""Study design from the title, summaries and abstract (sample size: :mod:`.sample_size`).

Design rules are ordered from the most specific to the most general (a case report that cites
"previous randomized controlled trials" is still a case report), and sentences about other
studies ("previously", "prior") are not read.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from paperkg.extraction.sentences import Sentence
from paperkg.model import StudyDesign

__all__ = ["CASES", "REVIEWS", "detect_design", "fallback_design", "readable_sentences"]

#: Designs about one or a few patients, and designs about other studies.
CASES = frozenset({StudyDesign.CASE_REPORT, StudyDesign.CASE_SERIES})
REVIEWS = frozenset({StudyDesign.META_ANALYSIS, StudyDesign.SYSTEMATIC_REVIEW})

_OTHER_STUDIES = re.compile(
    # ("118 patients previously enrolled in a trial" are this study's patients)
    r"(?<!patients )(?<!participants )(?<!subjects )\bprevious(?:ly)?\b|\bprior\b|\bearlier\b|"
    r"\bha(?:s|ve) been (?:reported|shown)\b|"
    r"(?<!review the )(?<!reviewed the )\bliterature\b(?! review)|"
    # the studies a conclusion calls for: "larger randomized trials will have to confirm"
    r"\b(?:future|further|larger|additional|longer|well-designed)\b[^.;]{0,40}\b(?:trials?|"
    r"studies)\b[^.;]{0,40}\b(?:needed|warranted|required|necessary|confirm\w*|should be "
    r"(?:conducted|performed|undertaken|done))\b|"
    r"\bto be confirmed (?:in|by)\b",
    re.IGNORECASE,
)
_I = re.IGNORECASE
#: The reporting guideline's name (PRISMA), which a review cites whether it pools or not.
_GUIDELINE_NAME = re.compile(
    r"\bpreferred reporting items for systematic reviews? and meta[\s-]?analys[ie]s"
    r"(?:[\s-]+protocols)?",
    re.IGNORECASE,
)
#: A protocol paper says so in its title, or describes its protocol in the future tense ("the
#: study protocol permitted dose changes" in a results paper is not one).
_PROTOCOL_TITLE = re.compile(
    r"\b(?:study|trial) protocol\b|\bprotocol for\b|\bdesign and rationale\b|"
    r"\brationale and design\b|\bprotocol of\b",
    _I,
)
_PROTOCOL_TEXT = re.compile(
    r"\b(?:this|the present|we describe the|we present the) (?:study |trial )?protocol\b|"
    r"\bthis is (?:a|the) protocol\b|\bprotocol for (?:a|an|the) (?:\w+ )?review\b|"
    r"\b(?:participants|patients|subjects|adults|children|women|men) will be "
    r"(?:randomi[sz]ed|enrolled|recruited|assigned|allocated)\b",
    _I,
)
#: A review that pooled its studies says so.
_POOLED = re.compile(
    r"(?<!\bno )(?<!\bnot )(?<!\bwithout )(?<!\bfor )(?<!\bprecluded )"
    r"(?<!\bpreclude )(?<!\bof )\bmeta[\s-]?analys[ie]s\b(?! (?:was|were) not\b)|"
    # "a pooled analysis of three randomized studies"
    r"\bpooled analys[ie]s of (?:data from )?(?:\w+ )?(?:\w+ )?(?:randomi[sz]ed|controlled|"
    r"clinical|phase)",
    _I,
)
#: One person, as a case names them.
_ONE_PERSON = (
    r"(?:patient|woman|man|girl|boy|female|male|gentleman|lady|child|infant|adolescent|"
    r"neonate|newborn|toddler|teenager)"
)
_RULES: list[tuple[StudyDesign, re.Pattern[str]]] = [
    (StudyDesign.META_ANALYSIS, _POOLED),
    (StudyDesign.SYSTEMATIC_REVIEW, re.compile(r"\bsystematic(?:ally)? review", _I)),
    # "Two unique case reports", "a series of two case reports": several cases, a series
    (
        StudyDesign.CASE_SERIES,
        re.compile(
            r"\b(?:two|three|four|five|six|seven|eight|nine|ten|[2-9]|1\d) (?:[\w-]+ )?"
            r"case reports\b",
            _I,
        ),
    ),
    (
        StudyDesign.CASE_REPORT,
        re.compile(
            r"\bcase report\b|\breport of a case\b|"
            rf"\b(?:we|the authors) (?:here(?:by|in)?,? )?(?:report|describe|present) (?:here )?"
            rf"(?:a|an|the case of an?|one) (?:[\w-]+ ){{0,3}}?(?:case|{_ONE_PERSON})\b|"
            # "We report this complication in a 58-year-old female"
            rf"\bwe (?:report|describe|present) (?:this|the|a) [\w-]+ (?:in|of) an? "
            rf"(?:[\w-]+ ){{0,3}}?{_ONE_PERSON}\b|"
            r"\bI report a\b|\bexperienced a (?:rare )?case\b|"
            # a sentence about one patient of a stated age: "A 64-year-old woman treated with"
            r"(?:^|(?<=[.:] ))An? \d+[\s-](?:year|month)[\s-]old "
            rf"(?:[\w-]+ ){{0,2}}?{_ONE_PERSON}\b|"
            # "this patient", not "this patient population" (a trial's)
            r"\b(?:(?:in |of )?our|this) patient\b(?!s|\s+(?:population|group|cohort|sample))",
            _I,
        ),
    ),
    (
        # a review that says what it read: "we review the current literature on", "19 studies
        # have been included" (after the case report, which may review the literature too;
        # a case series "reviewed the literature" besides, with no "current" or "published")
        StudyDesign.SYSTEMATIC_REVIEW,
        re.compile(
            r"\bwe (?:review|reviewed|summari[sz]e|summari[sz]ed) (?:the )?(?:current|recent|"
            r"available|published) (?:literature|evidence|studies|trials)\b|"
            r"\b(?:\d+|\w+) (?:randomi[sz]ed (?:controlled )?)?(?:studies|trials|RCTs|articles|"
            r"publications) (?:have been|were) (?:included|identified)\b|"
            r"\bthere were (?:\d+|\w+) (?:randomi[sz]ed (?:controlled )?)?"
            r"(?:studies|trials|RCTs)\b",
            _I,
        ),
    ),
    (
        StudyDesign.CASE_SERIES,
        re.compile(
            r"\bcase series\b|\bseries of \w+ (?:patients|cases)|"
            r"\bwe (?:report|describe|present|reviewed) (?:the )?(?:(?:\d+|two|three|four|five|six|"
            r"seven|eight|nine|ten|several)\s+)?(?:consecutive\s+)?cases\b|"
            r"\b(?:two|three|four|five|six|seven|eight|nine|ten|\d+) (?:consecutive )?cases of\b|"
            r"\b(?:evaluate|describe|report|present|illustrate)s?\s+(?:two|three|four|five|six|"
            r"seven|eight|nine|ten|[2-9]|1\d)\s+(?:consecutive\s+)?cases\b|"
            r"\b(?:single|one)[\s-]cent(?:re|er) experience\b|"
            r"\bretrospective(?:ly)? (?:chart|case|record)s? review|"
            r"\bretrospectively reviewed (?:the )?(?:medical |clinical )?(?:charts|records)\b",
            _I,
        ),
    ),
    (
        StudyDesign.LAB_STUDY,
        re.compile(r"\blaboratory sessions?\b|\blab sessions?\b|\bexperimental sessions?\b", _I),
    ),
]
#: "A case of X" names a case report in a title; in results it counts events ("one case of
#: neutropenia was recorded").
_CASE_IN_TITLE = re.compile(r"\b(?:a|one|single) (?:rare )?case of\b", _I)
_CROSSOVER = re.compile(r"\bcross[\s-]?over\b", _I)
_DOUBLE = re.compile(r"\bdouble[\s-](?:blind|masked)\w*|\brandomi[sz]|\brandomly\b", _I)
_SINGLE = re.compile(r"\bsingle[\s-](?:blind|masked)\w*", _I)
_PILOT = re.compile(r"\bpilot\b|\bfeasibility\b", _I)
_SINGLE_ARM = re.compile(r"\bsingle[\s-](?:arm|group)\b|\bone[\s-]arm\b", _I)
_OPEN = re.compile(
    r"\bopen[\s-]label\b|\bextension (?:study|phase)\b|\bflexible[\s-]dose\b[^.]{0,80}\badded\b|"
    r"\buncontrolled (?:study|trial)\b",
    _I,
)
_RCT = re.compile(
    r"\brandomi[sz]ed\b[^.]{0,80}\b(?:trial|study|controlled)\b|"
    r"\brandomly (?:assigned|allocated|divided)\b|\b(?:were|was) randomi[sz]ed\b|"
    r"\brandomi[sz]ed (?:to|into|in a \d:\d)\b|\brandomi[sz]ation\b|"
    r"\b(?:placebo|double[\s-]blind)[\s-]?\w*[\s,]+[^.]{0,60}\btrial\b|\bcontrolled trial\b",
    _I,
)
_COHORT = re.compile(
    r"\bcohort\b|\bprospective (?:observational )?study\b|\bretrospective\b|\bregistry\b|"
    r"\bobservational\b",
    _I,
)
#: The open-label part of a randomised trial: a later phase, not the design of the paper.
_OPEN_PHASE = re.compile(
    r"\b(?:followed by|then|subsequent(?:ly)?|thereafter|after which|entered|continued (?:in|into)"
    r"|rolled over (?:in)?to)\b[^.]{0,60}\bopen[\s-]label\b|\bopen[\s-]label (?:extension|phase|"
    r"period|follow[\s-]up)\b",
    _I,
)
#: A title that says the paper is an extension study.
_EXTENSION_PAPER = re.compile(r"\b(?:open[\s-]label )?extension (?:study|trial)\b", _I)
#: The paper says it is the extension: "we conducted a 3-year open-label extension of ...",
#: "to evaluate X in an open-label extension (OLE) study".
_EXTENSION_AIM = re.compile(
    r"\bwe conducted an? (?:[\w-]+ ){0,2}?open[\s-]label extension\b|"
    r"\b(?:evaluate|assess|examine|investigate|report)\b[^.;]{0,100}\bin an open[\s-]label "
    r"extension\b",
    _I,
)
_TRIAL = re.compile(r"\b(?:clinical )?trial\b|\binterventional study\b", _I)
_GROUPS_COMPARED = re.compile(
    r"\b(?:two|three|four|2|3|4) (?:treatment |study |parallel )?(?:groups|arms)\b|\bplacebo\b|"
    r"\bcontrol group\b",
    _I,
)
_RCT_TITLE = re.compile(r"\bRCT\b|\brandomi[sz]ed\b", _I)

#: The paper's own report ("We hereby report a rare case ... not reported in the literature
#: before") is never about other studies, whatever else the sentence cites.
_OWN_REPORT = re.compile(
    r"\b(?:we|I|the authors)\s+(?:here(?:by|in)?,?\s+)?(?:report|describe|present)\b", _I
)


def readable_sentences(sentences: Sequence[Sentence]) -> list[Sentence]:
    """The sentences about the paper's own study (not those about other studies)."""
    return [s for s in sentences if _OWN_REPORT.search(s.text) or not _OTHER_STUDIES.search(s.text)]


def detect_design(sentences: Sequence[Sentence]) -> StudyDesign | None:
    """The study design, or ``None`` when nothing in the text says."""
    own = readable_sentences(sentences)
    title = " ".join(s.text for s in sentences if s.section == "title")
    # a review that follows the reporting guideline named "... and Meta-Analyses" need not pool
    text = _GUIDELINE_NAME.sub("", " ".join(s.text for s in own))
    # "non-randomised" says the arms were not randomised: one word, which no rule reads
    text = _NOT_RANDOMISED.sub("nonrandomised", text)
    title = _NOT_RANDOMISED.sub("nonrandomised", title)
    design = _named_design(sentences, title, text)
    if design is StudyDesign.COHORT_STUDY and not _COHORT_NAMED.search(title):
        return _uncompared(text)
    return design


#: Words of a study that compares groups of patients (a cohort, not a series of the treated);
#: the ratios' abbreviations in capitals only ("OR" is not "or").
_COMPARISON = re.compile(
    # (compared with baseline: one group's change, not a comparison of groups)
    r"\bcompar\w*\b(?!\s+(?:with|to)\s+(?:the\s+)?(?:baseline|pre-?treatment)\b)|"
    r"\bversus\b|\bvs\.?(?=\s)|\bcontrols?\b|\bcontrol (?:group|arm|cohort)|"
    r"\bmatched\b|\b(?:two|three|four|both|2|3|4) (?:\w+ )?(?:groups|cohorts|arms)\b|"
    r"\bbetween (?:the )?(?:\w+ )?groups\b|\bnon-?(?:users|exposed|treated)\b|\bunexposed\b|"
    r"\b(?:hazard|odds|risk|rate) ratios?\b|\b(?-i:HR|OR|RR|aOR|aHR)\b|\bcase-control\b|"
    r"\bthan (?:those|patients|in|with|without)\b|\bpropensity\b",
    _I,
)
_LOOKED_BACK = re.compile(
    r"\bretrospective\w*|\b(?:medical|clinical|patient|case|hospital)? ?(?:records|charts)\b|"
    r"\breviewed\b",
    _I,
)


#: Patients followed forward from the start (not looked back on in records).
_FOLLOWED_FORWARD = re.compile(r"\bprospective(?:ly)?\b|\bnon-?interventional\b", _I)
#: The study gave the drug (not "users" of it, whom non-users stand beside).
_ALL_TREATED = re.compile(
    r"\b(?:treated with|were given|was given|received|receiving|start(?:ed|ing) (?:on|treatment)|"
    r"initiat(?:ed|ing)|add(?:ed|ing) on)\b",
    _I,
)


def _uncompared(text: str) -> StudyDesign:
    """A cohort's design, unless no group is compared with another: then the treated patients
    looked back on (charts, records) are a case series, and those followed forward from the
    start of the drug an open-label study. A title that says cohort study is taken at its word.
    """
    if not _COMPARISON.search(text):
        if _LOOKED_BACK.search(text):
            return StudyDesign.CASE_SERIES
        if _FOLLOWED_FORWARD.search(text) and _ALL_TREATED.search(text):
            # every patient given the drug and followed forward: an open-label study
            return StudyDesign.OPEN_LABEL_STUDY
    return StudyDesign.COHORT_STUDY


#: A paper that reviews others: its title says review (not a review of charts or records).
_REVIEW_TITLE = re.compile(
    r"(?<!retrospective )(?<!chart )(?<!record )(?<!records )(?<!case )(?<!cases )"
    r"\b(?:literature |narrative |scoping |comprehensive |critical |updated? )?review\b"
    r"(?! of (?:\d+|two|three|four|five|six|seven|eight|nine|ten) (?:\w+ )?(?:cases|patients))",
    _I,
)
#: ... or its methods searched the literature.
_LITERATURE_SEARCH = re.compile(
    r"\b(?:searched|search(?:es)? (?:of|in|on|through)|(?:were|was) searched)\b[^.;]{0,60}"
    r"\b(?:pub ?med|medline|embase|cochrane|web of science|scopus|cinahl|the literature|"
    r"(?:electronic|bibliographic|literature) databases?)\b|"
    r"\b(?:pub ?med|medline|embase)\b[^.;]{0,40}\b(?:were|was) searched\b",
    _I,
)


def _named_design(sentences: Sequence[Sentence], title: str, text: str) -> StudyDesign | None:
    """The design the title or the paper's own sentences (``text``) name."""
    if _PROTOCOL_TITLE.search(title) or _PROTOCOL_TEXT.search(text):
        return StudyDesign.PROTOCOL
    for design, pattern in _RULES:
        # a review the title calls systematic may still pool its trials (read below)
        if design is not StudyDesign.SYSTEMATIC_REVIEW and pattern.search(title):
            return design
    # (a case report "and review of the literature" is a case report: read above)
    if _REVIEW_TITLE.search(title) and not _POOLED.search(text):
        return StudyDesign.SYSTEMATIC_REVIEW
    # A title that calls the paper a randomised trial or a cohort study outranks a sentence
    # that sounds like a case ("this patient" in a trial's results).
    if _RCT_NAMED.search(title):
        return StudyDesign.CROSSOVER_RCT if _CROSSOVER.search(title + text) else StudyDesign.RCT
    if _COHORT_NAMED.search(title):
        return StudyDesign.COHORT_STUDY
    if _OPEN_NAMED.search(title) and not (_RCT_TITLE.search(title) or _PILOT.search(title)):
        return StudyDesign.OPEN_LABEL_STUDY
    if any(_CASE_HEADING.search(s.subsection) for s in sentences) or _CASE_AIM.search(text):
        return StudyDesign.CASE_REPORT
    for design, pattern in _RULES:
        if pattern.search(text):
            return design
    if _CASE_IN_TITLE.search(title):
        return StudyDesign.CASE_REPORT
    if _LITERATURE_SEARCH.search(text):
        return StudyDesign.SYSTEMATIC_REVIEW
    if _CROSSOVER.search(text):
        if _SINGLE.search(text) or not _DOUBLE.search(text):
            return StudyDesign.PILOT_TRIAL
        return StudyDesign.CROSSOVER_RCT
    if _PILOT.search(text) and not _RCT.search(text):
        return StudyDesign.PILOT_TRIAL
    if _EXTENSION_PAPER.search(title) or _EXTENSION_AIM.search(text):
        return StudyDesign.OPEN_LABEL_STUDY
    if _OPEN.search(text) and not _RCT.search(text):
        # Open-label says who knew the treatment; randomised says how arms were formed: an
        # open-label randomised trial, or one with an open-label phase, is still randomised
        # (unless the paper is the extension itself, above).
        return StudyDesign.OPEN_LABEL_STUDY
    if _SINGLE_ARM.search(text) and not _RCT.search(text):
        return StudyDesign.PILOT_TRIAL
    if _RCT.search(text) or _RCT_TITLE.search(title):
        return StudyDesign.RCT
    if _PILOT.search(text):
        return StudyDesign.PILOT_TRIAL
    if _COHORT.search(text):
        return StudyDesign.COHORT_STUDY
    if _TRIAL.search(text) and _GROUPS_COMPARED.search(text):
        # "a clinical trial ... divided into two treatment groups", "olanzapine and placebo":
        # a controlled comparison that does not say "randomised".
        return StudyDesign.RCT
    if _TRIAL.search(text):
        return StudyDesign.OPEN_LABEL_STUDY
    return None


#: A title that names its design says it better than any sentence of the abstract.
_COHORT_NAMED = re.compile(r"\bcohort study\b", _I)
_RCT_NAMED = re.compile(
    r"(?<!non-)(?<!non )\brandomi[sz]ed(?:,? \w+){0,3},? (?:controlled )?(?:trial|study)\b|\bRCT\b",
    _I,
)
_OPEN_NAMED = re.compile(r"\bopen[\s-]label (?:[\w-]+ )?(?:study|trial)\b", _I)
_NOT_RANDOMISED = re.compile(r"\bnon[\s-]?randomi[sz]ed\b", _I)
#: An abstract headed or opened as a case: "Case presentation:", "To report a case of".
_CASE_HEADING = re.compile(r"\bcase (?:presentation|report|description|summary)\b", _I)
_CASE_AIM = re.compile(
    r"\bto (?:report|describe|present) (?:a|an|the) (?:rare |unusual )?case\b", _I
)


def fallback_design(sentences: Sequence[Sentence]) -> StudyDesign:
    """A design for a paper with findings whose text names none: one patient is a case report,
    records of treated patients a cohort, anything else an open-label study (the least claim).
    """
    text = " ".join(s.text for s in readable_sentences(sentences))
    if _ONE_PATIENT.search(text):
        return StudyDesign.CASE_REPORT
    if re.search(r"\b(?:records|chart|database|registry|claims)\b", text, _I):
        return StudyDesign.COHORT_STUDY
    return StudyDesign.OPEN_LABEL_STUDY


_ONE_PATIENT = re.compile(
    rf"\b(?:a|an|one)\s+(?:\d+[\s-]year[\s-]old\s+)?(?:[\w-]+\s+){{0,2}}?{_ONE_PERSON}\b"
    r"(?:\s+(?:with|who|presented|developed|was (?:admitted|referred|brought|seen)))",
    _I,
)
