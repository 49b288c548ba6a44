"""A finding's results: how the drug compared with its comparator on each endpoint, read by the
learned results reader (:mod:`paperkg.extraction.trial_results`), and the outcome derived from them.

The outcome rule (README, "What a trial found"), judged on the primary endpoints when the paper
names any, else on every endpoint read:

- ``improved``: significantly better than the comparator on one and worse on none;
- ``worsened``: significantly worse on one and better on none;
- ``mixed``: better on some and worse, or not different, on others;
- ``no_benefit``: no significant difference on any;
- undecided (``None``) when a difference was found on an endpoint whose polarity is unknown,
  or the reader was unsure: the cue rules decide then.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from paperkg.extraction import lexicon
from paperkg.extraction.design import REVIEWS
from paperkg.extraction.endpoints import Endpoint, Polarity, endpoint_polarity, stated_endpoints
from paperkg.extraction.pooled import PooledEstimate, pooled_estimates
from paperkg.extraction.sentences import Sentence
from paperkg.extraction.trial_results import answer_comparison
from paperkg.model import (
    Concept,
    Direction,
    DrugRole,
    Evidence,
    ExtractorInfo,
    Favours,
    Outcome,
    Result,
    StudyDesign,
)

__all__ = [
    "BASELINE",
    "MIN_CONFIDENCE",
    "RESULTS_EXTRACTOR",
    "Comparator",
    "TrialText",
    "choose_comparator",
    "derive_outcome",
    "favours",
    "name_pattern",
    "results_for",
    "trial_text",
]

#: Which reader made a result; bump the version when the model or the features change.
RESULTS_EXTRACTOR = ExtractorInfo("results-reader", "1.1.0")
#: The reader of a review's pooled estimates (their intervals decide, :mod:`.pooled`).
POOLED_EXTRACTOR = ExtractorInfo("pooled-estimates", "1.0.0")
#: How sure a direction read off an interval is (arithmetic; the endpoint's words may still
#: be misread, and a pooled estimate is never a primary endpoint: it does not decide alone).
_POOLED_CONFIDENCE = 0.9
#: The comparator of a single-arm study.
BASELINE = "baseline"
#: Below this the reader's answer is kept as a result but does not decide the outcome.
MIN_CONFIDENCE = 0.5
#: At most this many endpoints are read per finding (primary ones first).
MAX_ENDPOINTS = 4

#: A clause that says the drug did better, or worse, whichever way the scale runs.
_BETTER = re.compile(
    r"\b(?:improv\w*|better|superior|more effective|benefit\w*|efficacious)\b", re.IGNORECASE
)
_WORSE = re.compile(r"\b(?:worse|inferior|less effective|deteriorat\w*)\b", re.IGNORECASE)
#: How far before a verb of better or worse a negation still reaches, in characters.
_NEGATION_REACH = 24
_NEGATION = re.compile(r"\b(?:not|no|failed|neither|nor|without)\b", re.IGNORECASE)
_PARTS = re.compile(r";\s*")
_SUMMARY_SECTIONS = {"tldr": "conclusions", "key_findings": "results"}
_HEAD_TO_HEAD = frozenset({StudyDesign.RCT, StudyDesign.CROSSOVER_RCT, StudyDesign.PILOT_TRIAL})


@dataclass(frozen=True, slots=True)
class TrialText:
    """A record's sentences as the results reader takes them: ``(section, text)`` pairs, the
    abstract's under its own headings and the summary's under ``results``/``conclusions``,
    and the endpoints they state.
    """

    pairs: tuple[tuple[str, str], ...]
    endpoints: tuple[Endpoint, ...]
    #: a review's pooled estimates (:mod:`.pooled`); empty for other designs
    pooled: tuple[PooledEstimate, ...] = ()

    @classmethod
    def of(cls, sentences: Sequence[Sentence], design: StudyDesign | None = None) -> TrialText:
        """Read the record's sentences (the title is not a result)."""
        pairs = tuple(
            (_SUMMARY_SECTIONS.get(s.section) or s.subsection or "abstract", s.text)
            for s in sentences
            if s.section != "title"
        )
        pooled = tuple(pooled_estimates(pairs)) if design in REVIEWS else ()
        return cls(pairs, tuple(stated_endpoints(text for _, text in pairs)), pooled)


def trial_text(sentences: Sequence[Sentence], design: StudyDesign | None) -> TrialText | None:
    """The text the results reader takes; ``None`` for a protocol, which reports no results."""
    return None if design is StudyDesign.PROTOCOL else TrialText.of(sentences, design)


@dataclass(frozen=True, slots=True)
class Comparator:
    """What a drug was compared with: ``key`` is a drug's concept key or a control as written;
    ``control`` says the comparison can decide an outcome (placebo, a control or a comparator
    drug, not the patients' own baseline nor another drug tried as an equal).
    """

    key: str
    label: str
    control: bool


def choose_comparator(
    drug: str,
    tried: Sequence[str],
    roles: Mapping[str, DrugRole],
    concepts: Mapping[str, Concept],
    given_with: Sequence[str],
    text: TrialText,
    design: StudyDesign | None,
) -> Comparator:
    """What ``drug`` was compared with: a comparator drug, a placebo or control as written, in
    a review the one other drug it compares with, in a trial without placebo the background
    therapy alone, another tried drug in a head-to-head trial, or the patients' own baseline.
    """
    tried_labels = {concepts[key].label.lower() for key in tried if key in concepts}
    for key, role in roles.items():
        if role is DrugRole.COMPARATOR and key in concepts:
            label = concepts[key].label
            return Comparator(key, label, label.lower() not in tried_labels)
    body = " ".join(t for _, t in text.pairs)
    placebo = lexicon.PLACEBO_ARM.search(body)
    if placebo is not None:
        return Comparator(placebo.group(1).lower(), placebo.group(1).lower(), True)
    if design in REVIEWS:
        # A review pools its drug's results against the one other drug it names: "A versus B"
        reviewed = [
            key
            for key, role in roles.items()
            if role is DrugRole.REVIEW_COMPARATOR and key in concepts
        ]
        if len(reviewed) == 1:
            return Comparator(reviewed[0], concepts[reviewed[0]].label, True)
    if design in _HEAD_TO_HEAD:
        # "B plus A versus A": without a placebo, the control arm had the background alone
        for key, role in roles.items():
            if role is DrugRole.BACKGROUND_THERAPY and key in concepts:
                return Comparator(key, concepts[key].label, True)
    rivals = [key for key in tried if key != drug and key not in given_with and key in concepts]
    if rivals and design in _HEAD_TO_HEAD:
        return Comparator(rivals[0], concepts[rivals[0]].label, False)
    control = lexicon.USUAL_CARE_ARM.search(body)
    if control is not None:
        return Comparator(control.group(1).lower(), control.group(1).lower(), True)
    return Comparator(BASELINE, BASELINE, False)


def favours(direction: Direction, polarity: Polarity) -> Favours:
    """Whom a direction favours on an endpoint of this polarity."""
    if direction is Direction.NO_DIFFERENCE:
        return Favours.NEITHER
    if polarity is Polarity.UNKNOWN:
        return Favours.UNKNOWN
    up = direction is Direction.INCREASED
    good = up == (polarity is Polarity.HIGHER_IS_BETTER)
    return Favours.INTERVENTION if good else Favours.COMPARATOR


def results_for(
    drug: Concept, comparator: Comparator, text: TrialText, *, several: bool = False
) -> tuple[Result, ...]:
    """Read each endpoint the paper states for ``drug`` vs ``comparator``; none stated, none
    read (the reader guessing an endpoint was wrong more often than right on the dev set).

    In a paper of several drugs only the parts of sentences (between semicolons) naming this one
    speak for it. A sentence
    that says the drug did better (or worse) decides whom the result favours, whichever way
    the endpoint's scale runs ("improved the FIQ score").
    """
    results: list[Result] = []
    pairs = text.pairs
    if several:
        names = name_pattern(drug)
        pairs = (
            tuple(
                (section, part)
                for section, sentence in pairs
                for part in _PARTS.split(sentence)
                if names.search(part)
            )
            or pairs
        )
    for endpoint in text.endpoints[:MAX_ENDPOINTS]:
        answer = answer_comparison(pairs, drug.label, comparator.label, endpoint.text)
        if answer is None:
            continue
        direction = _verb_more_than(answer.evidence) or answer.direction
        results.append(
            Result(
                endpoint=endpoint.text,
                comparator=comparator.key,
                direction=direction,
                favours=_side(direction, endpoint.text, answer.evidence),
                evidence=Evidence(answer.evidence, answer.section),
                primary=endpoint.primary,
                extractor=RESULTS_EXTRACTOR,
                # a sentence that never names the endpoint cannot say what happened to it
                confidence=answer.confidence
                if _names_endpoint(endpoint.text, answer.evidence)
                else round(answer.confidence * _UNNAMED_ENDPOINT, 3),
            )
        )
    return tuple(results) + _pooled_results(drug, comparator, text, results, several=several)


def _pooled_results(
    drug: Concept,
    comparator: Comparator,
    text: TrialText,
    read: Sequence[Result],
    *,
    several: bool,
) -> tuple[Result, ...]:
    """A review's pooled estimates against the comparator it names, for endpoints not read
    otherwise (never primary: they add results, not outcomes). In a review of several drugs
    only estimates in a sentence that names this one speak for it.
    """
    if not text.pooled or not comparator.control:
        return ()
    names = name_pattern(drug)
    known = {r.endpoint.lower() for r in read}
    results: list[Result] = []
    for estimate in text.pooled:
        if len(read) + len(results) >= MAX_ENDPOINTS:
            break
        if estimate.endpoint.lower() in known or (several and not names.search(estimate.sentence)):
            continue
        direction = estimate.direction
        results.append(
            Result(
                endpoint=estimate.endpoint,
                comparator=comparator.key,
                direction=direction,
                favours=favours(direction, endpoint_polarity(estimate.endpoint)),
                evidence=Evidence(estimate.sentence, estimate.section),
                extractor=POOLED_EXTRACTOR,
                confidence=_POOLED_CONFIDENCE,
            )
        )
    return tuple(results)


#: "X reduced pain more than placebo": the verb says which way, "more than" only that it went
#: further than the comparator (the reader can take "more" for an increase).
_VERB_MORE_THAN = re.compile(
    r"\b(?P<verb>reduc\w*|lower\w*|decreas\w*|increas\w*|rais\w*|elevat\w*)\b[^.;]{0,60}?"
    r"\b(?:more|further|to a (?:greater|larger) (?:extent|degree)) than\b",
    re.IGNORECASE,
)
_DOWN_VERB = re.compile(r"reduc|lower|decreas", re.IGNORECASE)


def _verb_more_than(evidence: str) -> Direction | None:
    match = _VERB_MORE_THAN.search(evidence)
    if match is None or _NEGATION.search(
        evidence[max(0, match.start() - _NEGATION_REACH) : match.start()]
    ):
        return None
    return Direction.DECREASED if _DOWN_VERB.match(match.group("verb")) else Direction.INCREASED


#: The confidence left to a result whose evidence never names its endpoint (below the bar).
_UNNAMED_ENDPOINT = 0.5
_WORDS = re.compile(r"[A-Za-z][A-Za-z0-9-]{3,}")


def _names_endpoint(endpoint: str, evidence: str) -> bool:
    """Some word of the endpoint (its first five letters) is in the sentence."""
    stems = {w.lower()[:5] for w in _WORDS.findall(endpoint)}
    return any(w.lower()[:5] in stems for w in _WORDS.findall(evidence))


def _side(direction: Direction, endpoint: str, evidence: str) -> Favours:
    side = favours(direction, endpoint_polarity(endpoint))
    if direction is Direction.NO_DIFFERENCE:
        return side
    better, worse = _affirmed(_BETTER, evidence), _affirmed(_WORSE, evidence)
    if better and not worse:
        return Favours.INTERVENTION
    if worse and not better:
        return Favours.COMPARATOR
    return side


def _affirmed(pattern: re.Pattern[str], sentence: str) -> bool:
    """The pattern matches with no negation just before it ("did not improve" does not count,
    "improved A, but not B" does).
    """
    return any(
        not _NEGATION.search(sentence[max(0, m.start() - _NEGATION_REACH) : m.start()])
        for m in pattern.finditer(sentence)
    )


def derive_outcome(
    results: Sequence[Result], comparator: Comparator, min_confidence: float = MIN_CONFIDENCE
) -> Outcome | None:
    """The outcome the primary results imply by the rule above, or ``None`` when they do not
    decide: no primary endpoint read surely, no control to compare with, or a difference whose
    side is unknown. Unsure readings are left out, so they never outvote a sure one.
    """
    judged = [r for r in results if r.primary and r.confidence >= min_confidence]
    if not judged or not comparator.control:
        return None
    sides = {r.favours for r in judged}
    if Favours.UNKNOWN in sides:
        return None
    better = Favours.INTERVENTION in sides
    worse = Favours.COMPARATOR in sides
    if better and (worse or Favours.NEITHER in sides):
        return Outcome.MIXED
    if better:
        return Outcome.IMPROVED
    if worse:
        return Outcome.WORSENED
    return Outcome.NO_BENEFIT


def name_pattern(drug: Concept) -> re.Pattern[str]:
    """Whole-word matches of the drug's label or a synonym, case-insensitive (built once)."""
    names = sorted({n for n in (drug.label, *drug.synonyms) if n}, key=len, reverse=True)
    return re.compile(
        r"(?<!\w)(?:" + "|".join(re.escape(n) for n in names) + r")(?!\w)", re.IGNORECASE
    )
