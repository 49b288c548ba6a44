"""Study design and sample size from the title, summaries and abstract.

Design rules are ordered from the most specific to the most general (a case report that cites
"previous randomized controlled trials" is still a case report), and sentences about other
studies ("previously", "prior") are not read. Sample size prefers the number of people
randomized, enrolled or included over the number who completed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from paperkg.extraction.sentences import Sentence
from paperkg.model import StudyDesign

__all__ = ["CASES", "REVIEWS", "detect_design", "fallback_design", "parse_number", "sample_size"]

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

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
_WORD = "|".join(sorted(_UNITS, key=len, reverse=True))
_PEOPLE_WORDS = r"(?:patients|participants|subjects|women|men|adults|children|people|individuals)"
_NUMBER = (
    # "16 000 patients": a thin-space thousands separator only right before the people
    rf"(?:\d{{1,3}}(?:,\d{{3}})+|"
    rf"\d{{1,3}}(?:[ \u2009\u202f]\d{{3}})+(?=[\s-]+(?:[a-z-]+\s+){{0,2}}{_PEOPLE_WORDS})|"
    rf"\d+|(?:(?:{_WORD})(?:[\s-]+(?:hundred|thousand))?"
    rf"(?:[\s-]+(?:and[\s-]+)?(?:{_WORD}))*))"
)
_PEOPLE = (
    r"(?:patients|participants|subjects|women|men|adults|children|people|individuals|"
    r"volunteers|outpatients|persons|cases|controls|infants|neonates|newborns|adolescents|"
    r"veterans)"
)
# The words between a number and its people hold no numbers ("79 studies with 15,609 patients",
# "9 trials (2309 patients)"), except a type ("237 type 2 diabetic patients") or the count's own
# share ("59 (93.5%) patients").
# "11 children's hospitals" counts hospitals.
#: What a number may count besides people: time, doses, visits.
_COUNTED_THINGS = (
    r"(?:cycles?|weeks?|days?|months?|years?|hours?|doses?|times|sessions?|visits?|periods?|"
    r"courses?|injections?|infusions?|"
    # nor across a preposition: "dipeptidyl peptidase 4 inhibitors in patients"
    r"in|of|on|with|for|among|from|at|by)\b"
)
_COUNT = re.compile(
    rf"\b({_NUMBER})[\s-]+(?:\(\s*[\d.]+\s*%\s*\)\s+)?"
    # never across what else is counted ("two pretreatment menstrual cycles, women were ...")
    rf"(?:(?:(?!\S*\d|{_COUNTED_THINGS})[\w,()/.\u2013-]+|type\s+\d)\s+){{0,3}}?{_PEOPLE}\b"
    r"(?!['’]s\b)",
    _I,
)
#: "88 were enrolled": a count whose people the sentence named before.
_BARE_COUNT = re.compile(
    rf"\b({_NUMBER})\s+(?:were|was)\s+(?:\w+\s+)?(?:randomi[sz]ed|enrolled|included)\b", _I
)
_STRONG_AFTER = re.compile(
    r"^[^.;]{0,120}?\b(?:were|was)\s+(?:\w+\s+)?(?:randomi[sz]ed|enrolled|included|entered|"
    r"recruited|assigned|allocated|studied|treated|pooled|analy[sz]ed)\b|"
    r"^[^.;]{0,40}?\bunderwent randomi[sz]ation\b|"
    # "Among the 130 patients included, 52 received ..."
    r"^\s*(?:randomi[sz]ed|enrolled|included)\s*,",
    _I,
)
_STRONG_BEFORE = re.compile(
    r"\b(?:a total of|in total,?|total of|enrolled|included|in|randomi[sz]ing|randomi[sz]ed|"
    r"(?:randomly )?(?:assigned|allocated)|recruited|enrolling|including)\s+$|"
    r"\b(?:trial|study|analysis)\s+(?:of|in|with|involving)\s+$",
    _I,
)
#: "coronavirus disease 2019", "since 2012": a year, not a count.
_YEAR_BEFORE = re.compile(
    r"\b(?:disease|year|since|from|until|to|in|of|january|february|march|april|may|june|july|"
    r"august|september|october|november|december)\s+$",
    _I,
)
#: "present in 27 participants", "occurred in 6 patients": a subgroup, not the sample.
_SUBGROUP_BEFORE = re.compile(
    r"\b(?:present|observed|occurred|reported|seen|found|recorded|developed)\s+in\s+$", _I
)
#: "<part> of (the) <count>": the count is the pool the part was drawn from.
_POOL_BEFORE = re.compile(
    rf"(?:^|[\s(,;:])({_NUMBER})\s+(?:\(\s*[\d.]+\s*%\s*\)\s+)?of\s+(?:the\s+|these\s+|all\s+)?$",
    _I,
)
_DESIGN_WORDS = re.compile(r"\b(?:trial|randomi[sz]ed|enrolled|included|conducted|study)\b", _I)
_WEAK_AFTER = re.compile(
    r"^\s*(?:\w+\s+){0,2}(?:completed|withdrew|dropped|discontinued|remained|finished)\b", _I
)
_GROUPS = re.compile(
    rf"\b({_NUMBER})\s+(?:[\w-]+\s+){{0,3}}?{_PEOPLE}\b[^.;]{{0,60}}?\band\s+({_NUMBER})\s+"
    rf"(?:[\w,-]+\s+){{0,5}}?{_PEOPLE}\b",
    _I,
)
#: "(n = 44 286)": a space (or thin space) may separate the thousands of an arm's count.
_N_EQUALS = re.compile(
    r"\(n\s*=\s*(\d{1,3}(?:,\d{3})+(?!\d)|\d{1,3}(?:[ \u2009\u202f]\d{3})+(?=\s*[)\];,])|\d+)", _I
)
#: "30 patients in the conversion group and 30 in a matched control group": two arms' counts.
_IN_TWO_GROUPS = re.compile(
    rf"\b({_NUMBER})\s+(?:[\w-]+\s+){{0,3}}?{_PEOPLE}\s+(?:were\s+)?in\s+(?:the|a|an)\s+"
    r"[^.;]{0,40}?\b(?:group|arm)\b\s*,?\s*and\s+"
    rf"({_NUMBER})\s+(?:[\w-]+\s+){{0,3}}?(?:{_PEOPLE}\s+)?(?:were\s+)?in\s+(?:the|a|an)\s+"
    r"[^.;]{0,40}?\b(?:group|arm)\b",
    _I,
)


def _strong_after(after: str) -> bool:
    """The count is what was randomised or enrolled, unless another number is ("Of 715
    patients screened, 88 were enrolled").
    """
    match = _STRONG_AFTER.search(after)
    return match is not None and not re.search(
        r"\b\d[\d,]*\s+(?:[\w-]+\s+){0,2}?(?:were|was)\b", match.group(0)
    )


def parse_number(text: str) -> int | None:
    """``"Two hundred eight"`` → 208, ``"1,200"`` → 1200, ``"ten"`` → 10."""
    cleaned = re.sub(r"(?<=\d)[ \u2009\u202f](?=\d{3}\b)", "", text.strip().lower()).replace(
        ",", ""
    )
    if cleaned.isdigit():
        return int(cleaned)
    total = 0
    current = 0
    for word in re.split(r"[\s-]+", cleaned):
        if word == "and" or not word:
            continue
        if word in _UNITS:
            current += _UNITS[word]
        elif word == "hundred":
            current = max(current, 1) * 100
        elif word == "thousand":
            total += max(current, 1) * 1000
            current = 0
        else:
            return None
    return total + current if total + current > 0 else None


#: The paper's own report ("We hereby report a rare case ... not reported in the literature
#: before") is never about other studies, whatever else the sentence cites.
_OWN_REPORT = re.compile(
    r"\b(?:we|I|the authors)\s+(?:here(?:by|in)?,?\s+)?(?:report|describe|present)\b", _I
)


def _readable(sentences: Sequence[Sentence]) -> list[Sentence]:
    return [s for s in sentences if _OWN_REPORT.search(s.text) or not _OTHER_STUDIES.search(s.text)]


def detect_design(sentences: Sequence[Sentence]) -> StudyDesign | None:
    """The study design, or ``None`` when nothing in the text says."""
    own = _readable(sentences)
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


def _uncompared(text: str) -> StudyDesign:
    """A cohort's design, unless no group is compared with another: then the treated patients
    looked back on (charts, records) are a case series. A title that says cohort study is
    taken at its word.
    """
    if not _COMPARISON.search(text) and _LOOKED_BACK.search(text):
        return StudyDesign.CASE_SERIES
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
    text = " ".join(s.text for s in _readable(sentences))
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


def sample_size(sentences: Sequence[Sentence], design: StudyDesign | None = None) -> int | None:
    """People randomized, enrolled or included; 1 for a case report; ``None`` if not written."""
    if design is StudyDesign.CASE_REPORT:
        return 1
    strong: list[int] = []
    weak: list[int] = []
    completed: list[int] = []
    for sentence in _readable(sentences):
        text = sentence.text
        for match in _GROUPS.finditer(text):
            first, second = parse_number(match.group(1)), parse_number(match.group(2))
            nouns = re.findall(_PEOPLE, match.group(0), _I)
            if _WEAK_AFTER.search(text[match.end() :]) or len({n.lower() for n in nouns}) < 2:
                continue
            if first and second:
                strong.append(first + second)
        for match in _IN_TWO_GROUPS.finditer(text):
            first, second = parse_number(match.group(1)), parse_number(match.group(2))
            if first and second and not _WEAK_AFTER.search(text[match.end() :]):
                strong.append(first + second)
        strong.extend(
            value
            for match in _BARE_COUNT.finditer(text)
            if (value := parse_number(match.group(1))) is not None
            and value > 0
            and not (1900 <= value <= 2100 and _YEAR_BEFORE.search(text[: match.start()]))
        )
        for match in _COUNT.finditer(text):
            value = parse_number(match.group(1))
            if value is None or value < 1:
                continue
            if _WEAK_AFTER.search(text[match.end() :]):
                # those who completed: the sample only when nothing else says how many
                completed.append(value)
                continue
            after, before = text[match.end() :], text[: match.start()]
            if 1900 <= value <= 2100 and _YEAR_BEFORE.search(before):
                continue
            if re.search(r"[\d.]\s*$|[%≥≤<>=]\s*$", before):
                continue
            pool = _POOL_BEFORE.search(before)
            part = parse_number(pool.group(1)) if pool is not None else None
            if part is not None and _strong_after(after):
                # "Twenty-four of 46 patients were randomized": the part is the sample
                strong.append(part)
                weak.append(value)
            elif _SUBGROUP_BEFORE.search(before):
                weak.append(value)
            elif _strong_after(after) or _STRONG_BEFORE.search(before):
                strong.append(value)
            else:
                weak.append(value)
        arms = [n for n in map(parse_number, _N_EQUALS.findall(text)) if n is not None]
        if len(arms) == 1 and _DESIGN_WORDS.search(text):
            strong.append(arms[0])
        elif arms:
            weak.append(sum(arms))
    if strong:
        return max(strong)
    if weak:
        return max(weak)
    return max(completed) if completed else None
