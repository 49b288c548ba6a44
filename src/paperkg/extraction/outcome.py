"""Outcome polarity of one drug from the sentences that name it.

Cues are read per clause ("X helped at 1 month, but no benefit was shown at 6 months" has two
clauses, the second inheriting X), negation beats improvement inside a clause, and sentences are
weighed by section: Key findings, TL;DR and an abstract's results speak for the paper, the
methods and the title less. "Well tolerated" is safety, never efficacy.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from paperkg.extraction import lexicon
from paperkg.extraction.sentences import Hit, Sentence
from paperkg.model import EntityKind, Evidence, Outcome

__all__ = [
    "ClausePolarity",
    "OutcomeDecision",
    "adverse_effect_terms",
    "clause_spans",
    "decide_outcome",
    "evidence_section",
    "mask_parentheses",
    "polarity_for",
    "sentence_weight",
]

_CLAUSE_SPLIT = re.compile(
    r";|,?\s+but\s+(?!not\b)|,?\s+whereas\s+|,\s*however,?\s+|,?\s+although\s+|,\s+while\s+",
    re.IGNORECASE,
)
_STRONG_SECTIONS = frozenset({"tldr", "key_findings"})
_RESULT_SUBSECTIONS = frozenset(
    {"results", "result", "conclusion", "conclusions", "interpretation", "findings"}
)
_AE_LIST = re.compile(
    r"(?:side[\s-]effects?|adverse (?:events?|effects?|reactions?))\s*"
    r"\((?:including|e\.g\.,?|such as|mainly|mostly)?\s*([^)]+)\)",
    re.IGNORECASE,
)
_AE_SUBJECT = re.compile(
    r"^(.{3,100}?)\s+(?:were|was) (?:the )?(?:most )?(?:frequent|common|commonest|reported|"
    r"observed)(?: \w+)? (?:adverse events?|side[\s-]effects?|adverse effects?)",
    re.IGNORECASE,
)
_DEVELOPED = re.compile(
    r"\bdeveloped\s+(.+?)(?=\s+(?:after|following|within|on|at|during|while)\b|[.;]|$)",
    re.IGNORECASE,
)
_AE_NEGATED = re.compile(
    r"\bno (?:serious |major |severe )?(?:adverse|side)|\bdid not occur\b|\bwere similar\b|"
    r"\bwas similar\b|\bnon-\S+ related\b|\bdiscontinuation\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class ClausePolarity:
    """What one sentence says about one drug."""

    labels: frozenset[Outcome]
    adverse_terms: tuple[str, ...] = ()

    @property
    def mixed(self) -> bool:
        """Benefit and no benefit stated in the same sentence."""
        return {Outcome.IMPROVED, Outcome.NO_BENEFIT} <= self.labels


@dataclass(frozen=True, slots=True)
class OutcomeDecision:
    """The outcome for one drug, the sentences behind it and how sure the rules are."""

    outcome: Outcome
    evidence: tuple[Evidence, ...]
    confidence: float
    scores: dict[Outcome, float] = field(default_factory=dict)


def mask_parentheses(text: str) -> str:
    """Blank out parenthesised asides (statistics, abbreviations), keeping offsets."""
    out = list(text)
    depth = 0
    for index, char in enumerate(text):
        if char == "(":
            depth += 1
        if depth:
            out[index] = " "
        if char == ")" and depth:
            depth -= 1
    return "".join(out)


def clause_spans(text: str) -> list[tuple[int, int]]:
    """Clause boundaries: semicolons and contrast words ("but", "whereas", "however")."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _CLAUSE_SPLIT.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return [(s, e) for s, e in spans if e > s]


def _object_negated(clause: str, offset: int, targets: Sequence[Hit]) -> bool:
    """A drug in the object of "despite", "did not benefit from", "refractory to"."""
    for match in lexicon.OBJECT_NO_BENEFIT.finditer(clause):
        end_match = lexicon.OBJECT_END.search(clause, match.end())
        scope_end = offset + (end_match.start() if end_match else len(clause))
        scope_start = offset + match.end()
        if any(scope_start <= hit.start < scope_end for hit in targets):
            return True
    return False


def _caused(text: str, drug: Hit, disease: Hit) -> bool:
    """The words between a drug and a disease make the disease a harm of the drug."""
    if re.search(r"\bdeveloped\s+$", text[max(0, disease.start - 25) : disease.start]):
        return True
    low, high = (
        (drug.end, disease.start) if drug.end <= disease.start else (disease.end, drug.start)
    )
    return bool(lexicon.ADVERSE_CAUSAL.search(text[low:high]))


_AGAINST_CONTROL = re.compile(r"\b(?:placebo|sham|control|controls|usual care|baseline)\b", re.I)
_COMPARISON = re.compile(
    r"\b(?:differ\w*|difference|similar|comparable|equivalent|versus|vs\.?|compared|between)\b",
    re.I,
)
_EACH_OTHER = re.compile(r"\b(?:each other|one another|the two (?:drugs|agents|active)\w*)\b", re.I)


def _compares_actives(clause: str, inside: Sequence[Hit]) -> bool:
    """A clause that sets two active drugs against each other, with no placebo or control."""
    if _AGAINST_CONTROL.search(clause) or not _COMPARISON.search(clause):
        return False
    drugs = {hit.key for hit in inside if hit.kind is EntityKind.CHEMICAL}
    return len(drugs) >= 2 or bool(_EACH_OTHER.search(clause))


def polarity_for(
    sentence: Sentence, hits: Sequence[Hit], drug: str, excluded_diseases: Iterable[str] = ()
) -> ClausePolarity:
    """Outcome labels a sentence gives the drug ``drug`` (a concept key).

    ``excluded_diseases`` are the studied conditions: naming them is not a harm.
    """
    text = sentence.text
    if lexicon.INTENT.search(text):
        return ClausePolarity(frozenset())
    masked = mask_parentheses(text)
    targets = [hit for hit in hits if hit.key == drug]
    excluded = set(excluded_diseases)
    labels: set[Outcome] = set()
    terms: list[str] = []
    inherit = False
    for start, end in clause_spans(masked):
        inside = [hit for hit in hits if start <= hit.start < end]
        has_target = any(hit.key == drug for hit in inside)
        has_other = any(hit.kind is EntityKind.CHEMICAL and hit.key != drug for hit in inside)
        if not has_target and (has_other or not inherit):
            inherit = False
            continue
        inherit = True
        clause = masked[start:end]
        # "no difference between 25% and 50%": two doses of the drug, not the drug and control
        clause = _BETWEEN_DOSES.sub(lambda m: " " * len(m.group(0)), clause)
        negated = bool(lexicon.NO_BENEFIT.search(clause)) or _object_negated(clause, start, targets)
        if not negated and _not_significant_comparison(text[start:end]):
            # "fell 20% on X versus 27% on placebo (P = .53)": the test says no difference
            negated = True
        if negated and not has_target and _DOSE_ARM.search(clause):
            # "600 mg/day was superior to placebo, whereas 150 mg/day was not": one dose arm
            # failing beside another that worked is the dose-finding, not the drug's result
            continue
        if negated and _ONE_OF_MANY.search(clause):
            # "one patient did not improve": a single non-responder, not the study's result
            negated = False
            if not lexicon.IMPROVED.search(clause):
                continue
        if negated and _compares_actives(clause, inside):
            # "X and Y did not differ from each other": a head-to-head result, not a failure.
            continue
        diseases = [h for h in inside if h.kind is EntityKind.DISEASE and h.key not in excluded]
        if negated:
            labels.add(Outcome.NO_BENEFIT)
        elif lexicon.WORSENED.search(clause):
            labels.add(Outcome.WORSENED)
        elif lexicon.IMPROVED.search(clause):
            labels.add(Outcome.IMPROVED)
        else:
            harmed = [d for d in diseases if any(_caused(masked, t, d) for t in targets)]
            if harmed:
                labels.add(Outcome.ADVERSE_EFFECTS)
                terms.extend(hit.text for hit in harmed)
    return ClausePolarity(frozenset(labels), tuple(terms))


def sentence_weight(sentence: Sentence) -> float:
    """How much a sentence speaks for the paper's result."""
    if sentence.section in _STRONG_SECTIONS:
        weight = 1.0
    elif sentence.section == "abstract":
        if sentence.subsection in _RESULT_SUBSECTIONS:
            weight = 0.9
        elif sentence.subsection:
            weight = 0.4
        else:
            weight = 0.7
    else:
        weight = 0.6
    if lexicon.HEDGE.search(sentence.text):
        weight *= 0.6
    # the outcome is judged on the primary endpoint; secondary ones say less
    if _PRIMARY_ENDPOINT.search(sentence.text):
        weight *= 2.0
    elif _SECONDARY_ENDPOINT.search(sentence.text):
        weight *= 0.5
    return weight


_AMOUNT = r"\d[\d.,]*\s*(?:%|mg|µg|μg|mcg|g|ml|mL|IU)?(?:/\w+)?"
_BETWEEN_DOSES = re.compile(
    rf"\bno (?:statistically )?(?:significant )?differences? (?:was |were )?"
    rf"(?:found |observed |seen )?between (?:the )?"
    rf"(?:{_AMOUNT}\s+(?:and|or|vs\.?|versus)\s+{_AMOUNT}|"
    rf"(?:two|three|both|all|the) (?:doses|dose groups|dosages|concentrations|regimens))",
    re.IGNORECASE,
)
#: A p-value at or above 0.05 (in parentheses or not), and one below it.
_P_NOT_SIGNIFICANT = re.compile(
    r"\bp\s*(?:=|>|≥|>=)\s*(?:0?\.(?:[1-9]|0[5-9])\d*|1(?:\.0+)?)\b", re.IGNORECASE
)
_P_SIGNIFICANT = re.compile(
    r"\bp\s*(?:<|≤|<=|=)\s*0?\.0[0-4]\d*\b|\bp\s*<\s*0?\.05\b", re.IGNORECASE
)
_AGAINST = re.compile(r"\b(?:versus|vs\.?|compared (?:with|to)|than)\b", re.IGNORECASE)


def _not_significant_comparison(clause: str) -> bool:
    """A comparison whose only test is not significant ("X versus placebo (P = .36)")."""
    return (
        bool(_AGAINST.search(clause))
        and bool(_P_NOT_SIGNIFICANT.search(clause))
        and not _P_SIGNIFICANT.search(clause)
    )


#: A clause about one dose arm ("150 mg/day did not", "lower doses appear ineffective").
_DOSE_ARM = re.compile(
    r"\b\d+(?:[.,]\d+)?\s*(?:mg|µg|μg|mcg|g|ml|mL|IU|units?)\b|"
    r"\b(?:lower|low|lowest|higher|smaller|other) doses?\b",
    re.IGNORECASE,
)
#: One person among the study's many ("one patient", "one participant's symptoms").
_ONE_OF_MANY = re.compile(r"\bone (?:patient|participant|subject)(?:'s)?\b", re.IGNORECASE)
_PRIMARY_ENDPOINT = re.compile(
    r"\bprimary (?:efficacy )?(?:end[\s-]?points?|outcomes?|measures?|variables?|analys[ie]s)\b",
    re.IGNORECASE,
)
_SECONDARY_ENDPOINT = re.compile(
    r"\bsecondary (?:efficacy )?(?:end[\s-]?points?|outcomes?|measures?|variables?)\b",
    re.IGNORECASE,
)


def decide_outcome(
    judged: Sequence[tuple[Sentence, ClausePolarity]], given: Sequence[Sentence] = ()
) -> OutcomeDecision:
    """Combine per-sentence polarities into one outcome with evidence and confidence.

    ``given`` are sentences that show the drug was given; they are the evidence of a
    ``not_stated`` outcome.
    """
    scores: dict[Outcome, float] = {}
    strong_mixed = False
    for sentence, polarity in judged:
        weight = sentence_weight(sentence)
        for label in polarity.labels:
            scores[label] = scores.get(label, 0.0) + weight
        if polarity.mixed and weight >= 0.9:
            strong_mixed = True
    improved = scores.get(Outcome.IMPROVED, 0.0)
    none = scores.get(Outcome.NO_BENEFIT, 0.0)
    worse = scores.get(Outcome.WORSENED, 0.0)
    harm = scores.get(Outcome.ADVERSE_EFFECTS, 0.0)
    if strong_mixed or (improved and none and min(improved, none) / max(improved, none) >= 0.5):
        outcome = Outcome.MIXED
    elif worse > max(improved, none):
        outcome = Outcome.WORSENED
    elif harm > max(improved, none):
        # A report whose statements about the drug are mostly harms it caused.
        outcome = Outcome.ADVERSE_EFFECTS
    elif improved or none:
        outcome = Outcome.IMPROVED if improved > none else Outcome.NO_BENEFIT
    elif harm:
        outcome = Outcome.ADVERSE_EFFECTS
    else:
        outcome = Outcome.NOT_STATED
    # The title names what a paper is about; it is the evidence of what it found only for a
    # citation that has no other sentence.
    supporting = [s for s in _supporting(judged, outcome) if s.section != "title"]
    if not supporting:
        supporting = [s for s in given if s.section != "title"] or list(given[:1])
    order = {"key_findings": 0, "tldr": 1, "abstract": 2}
    supporting.sort(key=lambda s: (order.get(s.section, 3), s.position))
    evidence = tuple(Evidence(s.text, evidence_section(s)) for s in supporting[:3])
    return OutcomeDecision(outcome, evidence, _confidence(outcome, supporting), scores)


def evidence_section(sentence: Sentence) -> str:
    """Where a sentence stands, as a reader finds it: ``key_findings``, ``tldr``, ``abstract``,
    or ``abstract/results`` in a structured abstract.
    """
    if sentence.section == "abstract" and sentence.subsection:
        return f"abstract/{sentence.subsection}"
    return sentence.section


def _supporting(
    judged: Sequence[tuple[Sentence, ClausePolarity]], outcome: Outcome
) -> list[Sentence]:
    wanted = {Outcome.IMPROVED, Outcome.NO_BENEFIT} if outcome is Outcome.MIXED else {outcome}
    return [sentence for sentence, polarity in judged if polarity.labels & wanted]


def _confidence(outcome: Outcome, supporting: Sequence[Sentence]) -> float:
    """Direct statements in summary sections are trusted most; hedged or absent ones least."""
    if outcome is Outcome.NOT_STATED:
        return 0.3
    best = max((sentence_weight(s) for s in supporting), default=0.3)
    bonus = min(0.15, 0.05 * (len(supporting) - 1))
    value = 0.35 + 0.5 * best + bonus
    if outcome is Outcome.MIXED:
        value -= 0.1
    return round(max(0.05, min(0.95, value)), 2)


def adverse_effect_terms(
    sentence: Sentence, hits: Sequence[Hit], studied: Iterable[str]
) -> list[str]:
    """Harms a sentence lists ("Side effects (insomnia, vivid dreams) were rare")."""
    text = sentence.text
    if not lexicon.ADVERSE_NOUN.search(text) or _AE_NEGATED.search(text):
        return []
    excluded = set(studied)
    found = [h.text for h in hits if h.kind is EntityKind.DISEASE and h.key not in excluded]
    for pattern in (_AE_LIST, _AE_SUBJECT, _DEVELOPED):
        for match in pattern.finditer(text):
            found.extend(_list_items(match.group(1)))
    return found


#: When a listed harm appeared, not what it was: "psychosis three days (later)", "... first".
_WHEN_AFTER = re.compile(
    r"\s+(?:(?:(?:one|two|three|four|five|six|seven|eight|nine|ten|several|a few)\s+)?"
    r"(?:hours?|days?|weeks?|months?|years?)(?:\s+later)?|first|only|later)$",
    re.IGNORECASE,
)
#: Words of a clause, not of a harm's name: "which resolved", "possibly induced by X",
#: "managed by stopping X", "under continuous X administration".
_CLAUSE_WORDS = re.compile(
    r"\b(?:which|that|who|whom|was|were|is|are|been|by|under|after|before|to|giving|given|"
    r"managed|linked|possibly|probably|confirmed|proven|returned|recovered|resolved|corrected|"
    r"stopping|starting|started|them|cases)\b",
    re.IGNORECASE,
)
#: A word alone that names no harm.
_NO_HARM_ALONE = re.compile(
    r"^(?:acute|chronic|mild|moderate|severe|mixed|and|or|distribution|withdrawal|symptoms?|"
    r"features|s?aes?|events?|effects?|reactions?)$",
    re.IGNORECASE,
)


def _list_items(text: str) -> list[str]:
    """The harms a list names, each as a name: words of a clause ("which resolved") and when it
    appeared ("three days later") are not part of one.
    """
    items = re.split(r",\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+", text)
    result: list[str] = []
    for raw in items:
        item = re.sub(
            r"^(?:the|a|an|mild|severe|transient)\s+", "", raw.strip(" .;:()"), flags=re.IGNORECASE
        )
        item = _WHEN_AFTER.sub("", item).strip(" ()")
        if (
            item
            and len(item.split()) <= 4
            and not re.search(r"\d", item)
            and not _CLAUSE_WORDS.search(item)
            and not _NO_HARM_ALONE.match(item)
        ):
            result.append(item)
    return result
