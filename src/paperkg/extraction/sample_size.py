"""How many people a paper studied, from its abstract's own sentences.

The number randomized, enrolled or included is preferred over the number who completed; two
arms' counts are added; a year, a dose or a subgroup is no sample; a case report has one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from paperkg.extraction.design import readable_sentences
from paperkg.extraction.sentences import Sentence
from paperkg.model import StudyDesign

__all__ = ["parse_number", "sample_size"]

_I = re.IGNORECASE
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


def sample_size(sentences: Sequence[Sentence], design: StudyDesign | None = None) -> int | None:
    """People randomized, enrolled or included; 1 for a case report; ``None`` if not written."""
    if design is StudyDesign.CASE_REPORT:
        return 1
    strong: list[int] = []
    weak: list[int] = []
    completed: list[int] = []
    for sentence in readable_sentences(sentences):
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
