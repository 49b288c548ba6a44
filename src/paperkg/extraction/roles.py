"""What part a drug plays in a paper: given as the intervention, or named with another role.

Every chemical of a record is a candidate; this module classifies it. A trial of drug A "added to
metformin", "versus sitagliptin", in patients "with an inadequate response to methotrexate" gives
A and only A; the others are mentions with a role (:class:`~paperkg.model.DrugRole`). The
decision uses general cues only (how papers write about comparators, background therapy and
prior treatment) and the record's own structure (the title names what a paper is about, a review
compares drugs it is not about), never drug names.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from paperkg.extraction import lexicon
from paperkg.extraction.design import CASES, REVIEWS
from paperkg.extraction.sentences import Hit, Sentence
from paperkg.model import DrugRole, EntityKind, StudyDesign

__all__ = [
    "RoleCue",
    "TitleArms",
    "co_arms",
    "compared_as_equals",
    "cue_roles",
    "decide_role",
    "title_arms",
    "title_subjects",
    "versus_as_equals",
]


def _cue(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


#: Cues in the words just before a drug (same clause), by the role they give it.
_BEFORE: tuple[tuple[DrugRole, re.Pattern[str]], ...] = (
    (
        DrugRole.ACTIVE_PLACEBO,
        _cue(r"\bactive[\s-]placebo\b[^.;]{0,30}$|\bactive control\b[^.;]{0,20}$"),
    ),
    (
        DrugRole.RESCUE,
        _cue(
            r"\brescue\b(?:\s+(?:medication|therapy|treatment|analgesi[ac]s?|use))?[\s:,]*"
            r"(?:with\s+|of\s+|\(\s*)?(?:[\w-]+\s+){0,1}$"
        ),
    ),
    (
        DrugRole.BACKGROUND_THERAPY,
        _cue(
            r"\b(?:added|add-on|adjunct(?:ive)?|adjuvant|addition)\s+to\s+(?:(?:their|a|an|the|"
            r"ongoing|existing|current|stable|standard|background|usual|maintenance)\s+){0,3}"
            r"(?:[\w-]+\s+){0,2}$|"
            r"\bon top of\s+(?:[\w-]+\s+){0,3}$|"
            # "olanzapine augmentation of fluoxetine": fluoxetine is what is augmented
            r"\baugment(?:ation|ing)\s+(?:of\s+)?(?:(?:ongoing|existing|current|stable)\s+)?"
            r"(?:[\w-]+\s+){0,1}$|"
            r"\bin addition to\s+(?:[\w-]+\s+){0,3}$|"
            r"\b(?:on|receiving|taking|treated with|maintained on)\s+(?:a\s+)?(?:stable|"
            r"background|concomitant|maintenance|ongoing|baseline)\s+(?:doses?\s+(?:of\s+)?)?"
            r"(?:[\w-]+\s+){0,2}$|"
            r"\b(?:background|concomitant|stable[\s-]dose|maintenance)\s+(?:therapy\s+(?:with\s+)?)?"
            r"$|"
            r"\b(?:inadequately|insufficiently|poorly|not adequately)\s+controlled\s+(?:on|with|by)"
            r"\s+(?:[\w-]+\s+){0,3}$|"
            r"\b(?:already|currently)\s+(?:on|receiving|taking|treated with)\s+(?:[\w-]+\s+){0,2}$|"
            r"\bco-?administ\w+\s+with\s+(?:[\w-]+\s+){0,1}$|"
            r"\ball\s+(?:\w+\s+){0,3}?(?:received|were given|given|were treated with|treated with|"
            r"took|were taking|were on)\s+(?:[\w-]+\s+){0,2}$|"
            r"\b(?:optimi[sz]ed|stabili[sz]ed|titrated)\s+on\s+(?:[\w-]+\s+){0,2}$|"
            r"\bstandard(?:[\s-]of[\s-]care)? (?:therapy |treatment )?(?:with|including)\s+"
            r"(?:[\w-]+\s+){0,2}$"
        ),
    ),
    (
        DrugRole.PRIOR_TREATMENT,
        _cue(
            r"\b(?:switch(?:ed|ing)?|transition(?:ed|ing)?|changed|converted)\s+from\s+"
            r"(?:[\w-]+\s+){0,2}$|"
            r"\bdespite\s+(?:(?:treatment|therapy)\s+with\s+)?(?:[\w-]+\s+){0,3}$|"
            # "Failure of X in Y" opening a title is this study's result, not a prior failure
            r"(?:\bfailed|(?<=\S\s)failure (?:of|on|with)|\bfailing)\s+"
            r"(?:(?:treatment|therapy) with\s+)?"
            r"(?:[\w-]+\s+){0,3}$|"
            r"\b(?:refractory|resistant|intolerant|intolerance|unresponsive|non-?responders?)\s+"
            r"(?:to|of)\s+(?:[\w-]+\s+){0,3}$|"
            r"\b(?:inadequate|insufficient|incomplete|partial|poor|suboptimal|sub-optimal|"
            r"unsatisfactory|lack of)\s+response\s+(?:to|after)\s+(?:[\w-]+\s+){0,5}$|"
            r"\bprevious(?:ly)?\s+(?:treated with|received|taken|exposed to|used)?\s*"
            r"(?:[\w-]+\s+){0,2}$|"
            r"\bprior\s+(?:treatment\s+with\s+|therapy\s+with\s+|exposure to\s+|use of\s+)?"
            r"(?:[\w-]+\s+){0,2}$|"
            r"\b(?:discontinu\w+|withdr[ae]w\w*|stopp\w+|tapered off|wash(?:ed)?[\s-]?out of)\s+"
            r"(?:(?:their|of|from)\s+)?(?:[\w-]+\s+){0,2}$|"
            r"\b(?:naive|naïve)\s+to\s+$|"
            r"\bafter\s+(?:failure|failing)\s+(?:of|on|with)\s+(?:[\w-]+\s+){0,2}$"
        ),
    ),
    (
        DrugRole.COMPARATOR,
        _cue(
            r"\b(?:compared|comparison)\s+(?:with|to|against)\s+(?:(?:those|patients|people|"
            r"participants)\s+(?:(?:given|receiving|taking|on|treated with)\s+)?)?"
            r"(?:[\w-]+\s+){0,2}$|"
            r"\b(?:versus|vs\.?|against|relative to|than|over)\s+(?:[\w-]+\s+){0,2}$|"
            r"\bactive[\s-](?:comparator|control)\s+(?:[\w-]+\s+){0,2}$|"
            r"\b(?:non-?inferior(?:ity)?|superior(?:ity)?)\s+to\s+(?:[\w-]+\s+){0,2}$"
        ),
    ),
)
#: Cues in the words just after a drug.
_AFTER: tuple[tuple[DrugRole, re.Pattern[str]], ...] = (
    (
        DrugRole.ACTIVE_PLACEBO,
        _cue(r"^[\s,)]*(?:\([^)]*\)\s*)?(?:as\s+(?:an?\s+)?)?active placebo"),
    ),
    (
        DrugRole.RESCUE,
        _cue(
            r"^[\s,)]*(?:\([^)]*\)\s*)?(?:(?:was|were|is|are)\s+(?:\w+\s+)?)?"
            r"(?:as\s+(?:a\s+|the\s+)?)?rescue\b"
        ),
    ),
    (
        DrugRole.BACKGROUND_THERAPY,
        _cue(
            # "sildenafil plus placebo": the drug of both arms
            r"^\s*(?:\+|plus|with)\s+(?:matching\s+)?placebo\b|"
            # "methadone-maintained smokers": what the people were on already
            r"^[\s-]*maintained\b(?!\s+(?:on|at|with)\b)|"
            r"^[\s,)]*(?:\([^)]*\)\s*)?(?:-?(?:treated|based)\s+)?(?:as\s+)?(?:background|"
            r"stable[\s-]dose|standard)\s+(?:therapy|treatment|regimen)?|"
            r"^[\s-]*(?:monotherapy|therapy|treatment)\s+(?:alone\s+)?(?:was|were)\s+(?:continued|"
            r"maintained|kept stable)"
        ),
    ),
    (
        DrugRole.NAMED_IN_BACKGROUND,
        _cue(
            r"^[\s,)]*(?:\([^)]*\)\s*)?(?:(?:is|are|was|were|has|have|had|remains?)\s+(?:been\s+)?"
            r"(?:(?:the|a|an|only|currently|widely|commonly|frequently|often|also|now|"
            r"first|most)\s+){0,3}(?:approved|recommended|licensed|indicated|prescribed|"
            r"first[\s-]line|second[\s-]line|standard|established|mainstays?|"
            r"used (?:to treat|for|in|as|off))\b)"
        ),
    ),
    (
        DrugRole.COMPARATOR,
        _cue(
            r"^[\s-]*(?:-|\s)controlled\b|^[\s,)]*(?:\([^)]*\)\s*)?(?:as\s+(?:the\s+|an\s+)?)?"
            r"(?:active\s+)?(?:comparator|control)\b"
        ),
    ),
    (
        DrugRole.PRIOR_TREATMENT,
        _cue(
            r"^[\s,)]*(?:\([^)]*\)\s*)?(?:-?(?:refractory|resistant|experienced|intolerant|"
            r"failures?|non-?responders?)\b|(?:had |has |have )?(?:failed|been ineffective|"
            r"was ineffective|were ineffective))"
        ),
    ),
)
#: A dose right after a drug ("orbazine 5 mg as active comparator"): read past it.
_DOSE_AHEAD = re.compile(
    r"^\s*\(?[\d.,/]+\s*(?:mg|µg|μg|mcg|g|ml|mL|IU|units?)\b(?:/\w+)?\)?"
    r"(?:\s+(?:once|twice|three times)?\s*(?:daily|a day|per day|weekly|nightly))?",
    re.IGNORECASE,
)
#: How far around a drug its role cues are read.
_REACH = 90


@dataclass(frozen=True, slots=True)
class RoleCue:
    """One role cue found for a drug, and the sentence it was found in."""

    role: DrugRole
    sentence: Sentence


def _clause_bounds(text: str, position: int) -> tuple[int, int]:
    """Clause around a position: sentence pieces split by ';' and by contrast words."""
    start = 0
    for match in re.finditer(r";|\bwhereas\b|\bbut\b|\bwhile\b", text):
        if match.end() <= position:
            start = match.end()
        elif match.start() > position:
            return start, match.start()
    return start, len(text)


def cue_roles(sentence: Sentence, hit: Hit, hits: Sequence[Hit]) -> list[DrugRole]:
    """Roles the words around one mention give its drug (none when nothing is said).

    Another chemical between the cue and the drug ends the cue's reach, unless the two are joined
    by a list ("added to metformin and/or a sulfonylurea" gives both the background role).
    """
    text = sentence.text
    start, end = _clause_bounds(text, hit.start)
    before_start = max(start, hit.start - _REACH)
    before = text[before_start : hit.start]
    after = text[hit.end : min(end, hit.end + _REACH)]
    found: list[DrugRole] = []
    others = [
        h
        for h in hits
        if h.kind is EntityKind.CHEMICAL
        and h.key != hit.key
        and before_start <= h.start < hit.start
    ]
    for role, pattern in _BEFORE:
        match = pattern.search(before)
        if match is None:
            continue
        cue_end = before_start + match.start()
        between = [h for h in others if h.start >= cue_end]
        if between and not all(_listed(text, h.end, hit.start) for h in between):
            continue
        found.append(role)
    # "A, B and C were approved": the words after a list are about every member of it.
    chained = hit.end
    for other in sorted(hits, key=lambda h: h.start):
        if other.start >= chained and other.kind is EntityKind.CHEMICAL and other.start < end:
            if _listed(text, chained, other.start):
                chained = other.end
            else:
                break
    after = _DOSE_AHEAD.sub("", text[chained : min(end, chained + _REACH)], count=1)
    for role, pattern in _AFTER:
        if pattern.search(after):
            found.append(role)
    return found


def _listed(text: str, end: int, start: int) -> bool:
    """Two mentions joined as a list ("A, B and/or C", "A or B")."""
    gap = text[end:start]
    return bool(re.fullmatch(r"\s*(?:\([^)]*\))?\s*(?:,|,?\s*(?:and|or|and/or|plus)\b)\s*", gap))


def title_subjects(
    title: Sentence | None, hits: Sequence[Hit], *, as_equals: bool = False
) -> set[str]:
    """The drugs a title is about: chemicals it names without a role cue. In "A versus B" the
    paper tests A against B, its control, unless the record compares them as equals
    (``as_equals``: head to head, or each against placebo), when both are subjects.
    """
    if title is None:
        return set()
    subjects: set[str] = set()
    for hit in hits:
        if _names_a_cause(hit, hits):
            continue
        roles = set(cue_roles(title, hit, hits))
        if as_equals:
            roles.discard(DrugRole.COMPARATOR)
        if hit.kind is EntityKind.CHEMICAL and not roles:
            subjects.add(hit.key)
    return subjects


def _names_a_cause(hit: Hit, hits: Sequence[Hit]) -> bool:
    """A chemical named inside a disease mention as its cause ("clozapine-induced
    hypersalivation"): the title treats the harm, it does not test the drug.
    """
    return hit.kind is EntityKind.CHEMICAL and any(
        other.kind is EntityKind.DISEASE and other.start <= hit.start and hit.end < other.end
        for other in hits
    )


@dataclass(frozen=True, slots=True)
class TitleArms:
    """The two sides of a title that sets one regimen against another: the drugs tested, the
    control arm's drugs, and the drugs of both arms (given to everyone: background).
    """

    tested: frozenset[str]
    control: frozenset[str]
    both: frozenset[str]


#: Where a title turns from the tested regimen to its control.
_TURN = re.compile(
    r"\b(?:versus|vs\.?|compared (?:with|to)|in comparison (?:with|to)|against)\b", re.IGNORECASE
)
#: "Superiority of A to B", "comparison of A with B": the word after A turns to the control.
_TEST_OF = re.compile(r"\b(?:superiority|non-?inferiority|comparison)\s+of\b", re.IGNORECASE)
_AIM_TEST_OF = re.compile(
    r"\b(?:superiority|non-?inferiority|comparison)\s+of\b|\bcompar(?:e|es|ed|ing)\b", re.IGNORECASE
)
_TURN_AFTER_TESTED = re.compile(r"^[^:;]*?\s(?:to|with|over|versus|vs\.?)\s", re.IGNORECASE)
#: "A with and without B", "A with or without B": both arms got A, B is what is tested.
_WITH_AND_WITHOUT = re.compile(r"\bwith\s+(?:and|or)\s+without\b", re.IGNORECASE)
#: What follows a drug given as the control arm on its own: "B alone", "B monotherapy".
_ALONE_AFTER = re.compile(r"^\s*(?:alone|monotherapy|only)\b", re.IGNORECASE)
_DOSE_BEFORE = re.compile(r"(?:\bdose[ds]?|\d)\W*$", re.IGNORECASE)


def title_arms(title: Sentence, hits: Sequence[Hit], *, aim: bool = False) -> TitleArms | None:
    """The arms of "A compared with B", "superiority of A to B", "B compared with A plus B" (A
    is tested, B given in both arms), "B with and without A", "A plus B or B alone" (the same);
    ``None`` when the title sets no drug against another.
    An ``aim`` ("to compare the effect of A with B") also turns at "compare ... with".
    """
    text = title.text
    chemicals = sorted((h for h in hits if h.kind is EntityKind.CHEMICAL), key=lambda h: h.start)
    with_and_without = _WITH_AND_WITHOUT.search(text)
    if with_and_without is not None:
        start, end = with_and_without.span()
        given = {h.key for h in chemicals if h.end <= start}
        added = {h.key for h in chemicals if h.start >= end} - given
        if given and added:
            return TitleArms(frozenset(added), frozenset(), frozenset(given))
    alone = {h.key for h in chemicals if _ALONE_AFTER.match(text[h.end :])}
    if any(_DOSE_BEFORE.search(text[max(0, h.start - 20) : h.start]) for h in chemicals):
        # "high-dose B alone or low-dose B plus A" compares doses of B too
        alone = set()
    if len(alone) == 1:
        # "A plus B and B alone": B, given in both arms, is background; A is tested. When
        # each drug is also given alone (a factorial design), every drug is tested.
        others = {h.key for h in chemicals} - alone
        if others:
            return TitleArms(frozenset(others), frozenset(), frozenset(alone))
    turn: tuple[int, int] | None = None
    match = _TURN.search(text)
    if match is not None:
        turn = match.span()
    else:
        tested_of = (_AIM_TEST_OF if aim else _TEST_OF).search(text)
        first = next((h for h in chemicals if tested_of and h.start >= tested_of.end()), None)
        after = _TURN_AFTER_TESTED.match(text[first.end :]) if first is not None else None
        if first is not None and after is not None:
            turn = (first.end + after.start(), first.end + after.end())
    if turn is None:
        return None
    left = {h.key for h in chemicals if h.end <= turn[0]}
    right = {h.key for h in chemicals if h.start >= turn[1]}
    if not left or not right:
        return None
    both = left & right
    if both:
        return TitleArms(frozenset((left | right) - both), frozenset(), frozenset(both))
    return TitleArms(frozenset(left), frozenset(right), frozenset())


#: The record compares two active drugs as equals rather than a new one against a control.
_AS_EQUALS = re.compile(
    r"\bhead[\s-]to[\s-]head\b|\bcompared directly\b|\bdirect(?:ly)? compar\w+|"
    r"\beach other\b|\bone another\b|\btwo active\b|\bboth (?:active )?(?:drugs|agents|"
    r"treatments|medications)\b|\bthree[\s-]arm\b|\b(?:or|and|,)\s+(?:matching\s+)?placebo\b|"
    r"\bcomparison of\b(?![^:;]*\s(?:with|to|versus|vs\.?)\s)",
    re.IGNORECASE,
)


#: A title that tests one drug against another ("superiority of A over B").
_ONE_AGAINST_ANOTHER = re.compile(
    r"\b(?:superior\w*|non-?inferior\w*|equivalen\w+|better than|over)\b", re.IGNORECASE
)


#: What the abstract must say to set the drugs as equals: "both treatments were well
#: tolerated" or "a comparison of" there says nothing about which arm is the control.
_AS_EQUALS_IN_TEXT = re.compile(
    r"\bhead[\s-]to[\s-]head\b|\bcompared directly\b|\bdirect(?:ly)? compar\w+|"
    r"\beach other\b|\bone another\b|\btwo active\b|\bthree[\s-]arm\b|"
    r"\b(?:or|and|,)\s+(?:matching\s+)?placebo\b",
    re.IGNORECASE,
)


#: "A versus B" in a title, with nothing that makes B the control (placebo, saline, usual
#: care, "A plus B versus B alone"), and an abstract that names no control or standard: the
#: read evaluation sets' writers took both drugs as tried (pair F1 +0.015 to +0.03 on three of
#: them, -0.004 on one), where the rule before took B as the control.
_VERSUS = re.compile(r"\b(?:versus|vs\.?)\s", re.IGNORECASE)


def compared_as_equals(title: str, texts: Iterable[str]) -> bool:
    """Whether a record sets its drugs against each other as equals (see :func:`title_subjects`):
    head to head, each against placebo, or "A versus B" with no control named; a title that
    tests one against the other decides it is not.
    """
    if _ONE_AGAINST_ANOTHER.search(title):
        return False
    texts = list(texts)
    if versus_as_equals(title, texts):
        return True
    return bool(_AS_EQUALS.search(title)) or any(_AS_EQUALS_IN_TEXT.search(text) for text in texts)


def versus_as_equals(title: str, texts: Iterable[str]) -> bool:
    """Whether the title sets its drugs "A versus B" with no control named in it or in the
    abstract: then an aim worded "we compared A with B" names no control either.
    """
    return bool(
        _VERSUS.search(title)
        and not _ONE_AGAINST_ANOTHER.search(title)
        and not lexicon.CONTROL_IN_VERSUS_TITLE.search(title)
        and not any(lexicon.STANDARD_COMPARISON.search(text) for text in texts)
    )


def decide_role(
    drug: str,
    cues: Iterable[RoleCue],
    *,
    given: bool,
    explicit: bool,
    subjects: set[str],
    design: StudyDesign | None,
    co_arm: bool = False,
) -> DrugRole:
    """One role per drug, from the cues of all its mentions and the record's structure.

    - A role cue (background, prior, rescue, active placebo) outweighs a mere "given" cue
      unless the drug is a subject of the title; a comparator cue counts only for drugs the
      title is not about.
    - In a review, drugs the title is not about are the review's comparators.
    - In a case report or series, what a patient received and failed is a result of the case,
      so "prior" there stays an intervention (the outcome says it failed).
    - When the title names the drugs a study tests, another drug is not an intervention
      unless it is an arm beside them (``co_arm``: "A and B each did better than placebo"):
      given to everyone it is background therapy, named only it is background. In a case
      report or series, what the patient received is part of the case and stays a finding.
    """
    roles = [cue.role for cue in cues]
    case = design in CASES
    if drug in subjects:
        # The title's own drug is the intervention, unless the title itself gives it a role.
        return DrugRole.INTERVENTION
    for role in (
        DrugRole.ACTIVE_PLACEBO,
        DrugRole.RESCUE,
        DrugRole.BACKGROUND_THERAPY,
        DrugRole.PRIOR_TREATMENT,
    ):
        if role in roles and not (case and role is DrugRole.PRIOR_TREATMENT):
            return role
    review = design in REVIEWS
    if review and subjects:
        return DrugRole.REVIEW_COMPARATOR
    if DrugRole.COMPARATOR in roles and subjects:
        return DrugRole.COMPARATOR
    if DrugRole.NAMED_IN_BACKGROUND in roles and not explicit:
        return DrugRole.NAMED_IN_BACKGROUND
    if given and (not subjects or case or co_arm):
        return DrugRole.INTERVENTION
    if given and explicit:
        # The title names what a study tests; another drug its patients were given went to
        # every arm (background therapy) or made the control arm (comparator).
        return DrugRole.COMPARATOR if DrugRole.COMPARATOR in roles else DrugRole.BACKGROUND_THERAPY
    return DrugRole.NAMED_IN_BACKGROUND


#: A sentence about the arms of a trial.
_ARMS = re.compile(
    r"\bplacebo\b|\brandomi[sz]\w*|\beach\b|\brespectively\b|\bgroups?\b|\barms?\b",
    re.IGNORECASE,
)
_COORDINATED = re.compile(r"^\s*(?:\([^)]*\))?\s*(?:,|,?\s*(?:and|or|and/or)\b)\s*$", re.IGNORECASE)


def co_arms(subjects: set[str], sentences: Iterable[tuple[Sentence, Sequence[Hit]]]) -> set[str]:
    """Drugs written side by side with a subject in a sentence about the arms of a trial
    ("velitrex and orbazine each reduced flares more than placebo").
    """
    found: set[str] = set()
    for sentence, hits in sentences:
        if sentence.section == "title" or not _ARMS.search(sentence.text):
            continue
        chemicals = [h for h in hits if h.kind is EntityKind.CHEMICAL]
        for first, second in itertools.pairwise(chemicals):
            gap = sentence.text[first.end : second.start]
            if not _COORDINATED.match(gap) or first.key == second.key:
                continue
            if first.key in subjects and second.key not in subjects:
                found.add(second.key)
            elif second.key in subjects and first.key not in subjects:
                found.add(first.key)
    return found
