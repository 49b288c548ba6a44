"""Which drugs a paper gave, and which doses belong to which drug.

A drug named in a paper is not necessarily a drug the paper tried: "standard treatment with
amitriptyline, pregabalin, or duloxetine" is background, "the patient did not benefit from
amitriptyline" is a result. The decision is made per occurrence from sentence structure and cue
lexicons (:mod:`paperkg.extraction.lexicon`), never from drug names.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from paperkg.extraction import lexicon
from paperkg.extraction.dose import DoseSpan, find_doses
from paperkg.extraction.outcome import clause_spans, mask_parentheses
from paperkg.extraction.sentences import Hit, MentionIndex, Sentence
from paperkg.model import Concept, Dose, EntityKind

__all__ = [
    "AnnotatedSentence",
    "Occurrence",
    "annotate",
    "doses_for",
    "is_drug_like",
    "occurrences",
]

_PHRASE_BACKGROUND = re.compile(
    r"\bstandard (?:treatments?|therap(?:y|ies)|care)\b|\bapproved\b|\bsuch as\b|"
    r"\bcommonly[\s-]used\b|\bguidelines?\b|\bfirst[\s-]line\b|\brecommended\b|"
    r"\b(?:options?|treatments?|therapies|drugs|medications|agents|preventives)\s+"
    r"(?:\w+\s+){0,2}?(?:include|includes|including)\b|\bcurrent(?:ly)? (?:available )?"
    r"(?:\w+ )?(?:options?|treatments?|therapies|drugs)\b|\breserved for\b",
    re.IGNORECASE,
)
_CLAUSE_BREAK = re.compile(r"^\s*,\s")
_LISTED = re.compile(r"\b(?:including|include|includes|such as|e\.g\.|like|namely|or|and)\b", re.I)
_OWN_STUDY_SUBSECTIONS = frozenset(
    {"methods", "method", "design", "setting", "settings", "patients", "participants",
     "subjects", "intervention", "interventions", "measurements", "results", "result",
     "findings", "main outcome measures", "outcome measures"}
)  # fmt: skip
_HEDGE_ONLY = re.compile(r"\bmay\b|\bmight\b|\bcould be\b", re.IGNORECASE)
_CONCLUDING = frozenset({"results", "result", "conclusion", "conclusions", "interpretation"})
_SENTENCE_BACKGROUND = re.compile(
    r"\bmay\b|\bmight\b|\bcould be\b|\bhypothesi[sz]ed\b|"
    r"\bha(?:s|ve) been (?:reported|shown|described|used|associated|suggested)\b|"
    r"\bpreviously\b|\bprevious\b|\bprior\b|\bis used\b|\bare used\b|\bused to treat\b|"
    r"\bwidely\b",
    re.IGNORECASE,
)
_AFTER_ADMIN = re.compile(
    r"^[\s,]*(?:\([^)]*\)\s*)?(?:was|were|is|are)\s+(?:\w+\s+)?(?:given|added|administered|"
    r"started|initiated|used|continued|taken)\b|^-?(?:treated|based)\b|^\s*(?:group|arm)s?\b|"
    r"^\s+taken\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One mention of a chemical in a sentence, judged.

    ``background``: only named (guidelines, approvals, other studies); ``modifier``: part of a
    larger noun ("opioid receptors"); ``given``: a cue shows this paper gave or tested it;
    ``explicit``: the cue is an administration, an arm or a dose, not only a stated result.
    """

    sentence: Sentence
    hit: Hit
    background: bool
    modifier: bool
    given: bool
    explicit: bool = False


@dataclass(frozen=True, slots=True)
class AnnotatedSentence:
    """A sentence with its concept hits and doses."""

    sentence: Sentence
    hits: tuple[Hit, ...]
    doses: tuple[DoseSpan, ...]


def annotate(sentences: Sequence[Sentence], index: MentionIndex) -> list[AnnotatedSentence]:
    """Find concept hits and doses in each sentence; examples "(e.g., …)" are left out."""
    result: list[AnnotatedSentence] = []
    for sentence in sentences:
        examples = [m.span() for m in lexicon.EXAMPLE_LIST.finditer(sentence.text)]
        hits = tuple(
            hit
            for hit in _with_causing_drugs(index.find(sentence.text), index)
            if not any(start <= hit.start < end for start, end in examples)
        )
        result.append(AnnotatedSentence(sentence, hits, tuple(find_doses(sentence.text))))
    return result


#: A disease mention that names its cause: "<drug>-induced <disease>", "<drug>-associated ...".
_CAUSED_BY = re.compile(
    r"^(.+?)[\s-]+(?:induced|associated|related|triggered|provoked)\b", re.IGNORECASE
)


def _with_causing_drugs(hits: list[Hit], index: MentionIndex) -> list[Hit]:
    """The hits, plus the drug a disease mention names as its cause ("Mesalazine-induced
    myocarditis" names mesalazine too), so the drug is seen where the harm is.
    """
    extra: list[Hit] = []
    for hit in hits:
        match = _CAUSED_BY.match(hit.text) if hit.kind is EntityKind.DISEASE else None
        if match is None:
            continue
        prefix = match.group(1)
        extra.extend(
            Hit(inner.key, inner.kind, hit.start + inner.start, hit.start + inner.end, inner.text)
            for inner in index.find(prefix)
            if inner.kind is EntityKind.CHEMICAL and inner.end == len(prefix)
        )
    if not extra:
        return hits
    return sorted([*hits, *extra], key=lambda h: (h.start, h.kind is EntityKind.DISEASE))


def is_drug_like(concept: Concept) -> bool:
    """A chemical that can be given: named specifically, not a class or a body substance."""
    if concept.kind is not EntityKind.CHEMICAL:
        return False
    label = concept.label.strip()
    return not (lexicon.CLASS_WORDS.search(label) or lexicon.ENDOGENOUS.search(label.lower()))


@functools.lru_cache(maxsize=1024)
def _clauses(text: str) -> tuple[tuple[int, int], ...]:
    """Clause spans of a sentence, computed once per sentence (every hit asks)."""
    return tuple(clause_spans(mask_parentheses(text)))


def _clause_of(text: str, position: int) -> tuple[int, int]:
    for start, end in _clauses(text):
        if start <= position < end:
            return start, end
    return 0, len(text)


@functools.lru_cache(maxsize=1024)
def _background_triggers(text: str) -> frozenset[str]:
    return frozenset(m.group(0).lower() for m in _SENTENCE_BACKGROUND.finditer(text))


@functools.lru_cache(maxsize=1024)
def _about_study_subjects(text: str) -> bool:
    return bool(lexicon.STUDY_SUBJECT.search(text))


def _is_background(item: AnnotatedSentence, hit: Hit) -> bool:
    sentence = item.sentence
    text = sentence.text
    clause_start, clause_end = _clause_of(text, hit.start)
    if lexicon.EXCLUSION.search(text[clause_start:clause_end]):
        return True
    if _about_study_subjects(text):
        return False
    if sentence.section == "abstract" and sentence.subsection in lexicon.BACKGROUND_SUBSECTIONS:
        return True
    if sentence.section == "abstract" and sentence.subsection in _OWN_STUDY_SUBSECTIONS:
        # Methods and results describe this study ("first-line regimens contained X").
        return False
    triggers = _background_triggers(text)
    hedged_result = sentence.section in {"key_findings", "tldr"} or (
        sentence.section == "abstract" and sentence.subsection in _CONCLUDING
    )
    if triggers and not (hedged_result and all(_HEDGE_ONLY.fullmatch(t) for t in triggers)):
        return True
    start, _ = _clause_of(text, hit.start)
    for match in _PHRASE_BACKGROUND.finditer(text, start, hit.start):
        between = text[match.end() : hit.start]
        if _CLAUSE_BREAK.match(between) and not _LISTED.search(between):
            # "in patients refractory to standard treatment, 24 weeks of X improved": the phrase
            # closes its own clause; a list ("standard treatments, including X") does not
            continue
        end_match = re.search(r"\b(?:are|is|was|were|had|received|showed)\b", between)
        if end_match is None:
            return True
    return False


def _is_given(item: AnnotatedSentence, hit: Hit, has_polarity: bool) -> bool:
    text = item.sentence.text
    if item.sentence.section == "title":
        return True
    clause_start, clause_end = _clause_of(text, hit.start)
    before = text[max(clause_start, hit.start - 60) : hit.start]
    if lexicon.NEGATED_ADMINISTRATION.search(before):
        return False
    if lexicon.ADMINISTRATION.search(before) or _AFTER_ADMIN.search(text[hit.end : hit.end + 120]):
        return True
    clause = text[clause_start:clause_end]
    if lexicon.COMPARATOR.search(clause):
        return True
    for span in item.doses:
        gap_after = span.start - hit.end
        gap_before = hit.start - span.end
        if 0 <= gap_after <= 30 or 0 <= gap_before <= 25:
            return True
    return has_polarity


def occurrences(item: AnnotatedSentence, hit: Hit, has_polarity: bool = False) -> Occurrence:
    """Judge one chemical hit in its sentence."""
    text = item.sentence.text
    modifier = bool(
        lexicon.MODIFIER_AFTER.search(text[hit.end : hit.end + lexicon.CUE_WINDOW])
        or lexicon.MODIFIER_BEFORE.search(text[max(0, hit.start - lexicon.CUE_WINDOW) : hit.start])
        or lexicon.MODIFIER_LIST_AFTER.search(text[hit.end : hit.end + 2 * lexicon.CUE_WINDOW])
    )
    background = _is_background(item, hit)
    usable = not modifier and not background
    explicit = usable and item.sentence.section != "title" and _is_given(item, hit, False)
    given = usable and (explicit or _is_given(item, hit, has_polarity))
    return Occurrence(item.sentence, hit, background, modifier, given, explicit)


def doses_for(drug: str, items: Sequence[AnnotatedSentence], usable: set[int]) -> list[Dose]:
    """Doses written next to the drug; Key findings, TL;DR and title first, then the abstract.

    ``usable`` holds the positions of sentences where the drug is not background. Each dose is
    given to the nearest chemical in its sentence.
    """
    found: dict[str, list[Dose]] = {"summary": [], "abstract": []}
    first_at: dict[str, tuple[int, int]] = {}
    for number, item in enumerate(items):
        for hit in item.hits:
            first_at.setdefault(hit.key, (number, hit.start))
    starts: list[Dose] = []
    arms: list[Dose] = []
    for item in items:
        if item.sentence.position not in usable:
            continue
        text = item.sentence.text
        chemicals = [h for h in item.hits if h.kind is EntityKind.CHEMICAL]
        for span in item.doses:
            nearest = min(chemicals, key=lambda h: _dose_distance(text, span, h), default=None)
            if nearest is None or _dose_distance(text, span, nearest) > 1e6:
                continue
            if nearest.key != drug and not _fixed_combination(text, nearest, drug, chemicals):
                continue
            if (
                span.part is not None
                and _part_of(text, nearest, drug, chemicals, first_at) != span.part
            ):
                # "SFC 50/500 µg": each part of the combination has its own number
                continue
            tier = "abstract" if item.sentence.section == "abstract" else "summary"
            found[tier].append(span.dose)
            if _TITRATION_START.search(text[max(0, span.start - 40) : span.start]):
                starts.append(span.dose)
            elif tier == "abstract" and _ARM_SIZE.match(text[span.end : span.end + 20]):
                # "37.5 mg daily (n=56), 75 mg daily (n=55)": each dose an arm of the trial
                arms.append(span.dose)
    # "started at 25 mg and increased to 100 mg/day": the dose given is the target, not the
    # start, unless the start is all the paper says.
    start_keys = {(d.value, d.value_max, d.unit) for d in starts}
    chosen: list[Dose] = []
    for tier in ("summary", "abstract"):
        doses = _unique(found[tier])
        kept = [d for d in doses if (d.value, d.value_max, d.unit) not in start_keys] or doses
        if kept:
            chosen = kept
            break
    # a dose the abstract gives its own arm is given, whatever the summaries say
    chosen = _unique([*chosen, *arms])
    return [_enrich(dose, found["abstract"] + found["summary"]) for dose in chosen]


def _part_of(
    text: str,
    hit: Hit,
    drug: str,
    chemicals: Sequence[Hit],
    first_at: Mapping[str, tuple[int, int]],
) -> int | None:
    """Which part of the combination ``hit`` names ``drug`` is, in the order of its name: for
    one mention of several concepts ("SFC"), the order the record first names them in ("the
    combination of salmeterol and fluticasone (SFC)"); else its place among the names joined
    by "/" or "+" ("salmeterol/fluticasone 50/500 µg").
    """
    same = [h.key for h in chemicals if (h.start, h.end) == (hit.start, hit.end)]
    if len(same) > 1:
        same.sort(key=lambda key: first_at.get(key, (len(first_at), 0)))
        return same.index(drug) if drug in same else None
    if hit.key != drug:
        # "A/B" with B the drug: B's own mention is the part
        hit = next((h for h in chemicals if h.key == drug and _joined(text, h, hit)), hit)
        if hit.key != drug:
            return None
    before = _NAMES_BEFORE.search(text[: hit.start])
    after = _NAMES_AFTER.match(text[hit.end :])
    if before is None and after is None:
        return None
    return len(re.findall(r"[/+]", before.group(0))) if before else 0


def _joined(text: str, one: Hit, other: Hit) -> bool:
    first, second = (one, other) if one.end <= other.start else (other, one)
    return first.end <= second.start and bool(
        re.fullmatch(r"(?:\s*[/+]\s*[\w-]+)*\s*[/+]\s*", text[first.end : second.start])
    )


#: Names joined into one product before and after a drug's mention: "salmeterol/", "/tiotropium".
_NAMES_BEFORE = re.compile(r"(?:[\w-]+\s*[/+]\s*)+$")
_NAMES_AFTER = re.compile(r"(?:\s*[/+]\s*[A-Za-z][\w-]*)+")


def _fixed_combination(text: str, hit: Hit, drug: str, chemicals: Sequence[Hit]) -> bool:
    """``drug`` is written joined to ``hit`` as one product ("sacubitril/valsartan 200 mg"): the
    product's dose is each component's.
    """
    for other in chemicals:
        if other.key != drug:
            continue
        if (other.start, other.end) == (hit.start, hit.end):
            return True  # one mention of the combination, read as each of its components
        first, second = (other, hit) if other.end <= hit.start else (hit, other)
        if first.end <= second.start and re.fullmatch(
            r"\s*[/+]\s*", text[first.end : second.start]
        ):
            return True
    return False


#: Words before a dose that make it where a titration began, not the dose given.
#: The size of an arm right after its dose: "(n=56)", "(n = 55 patients)".
_ARM_SIZE = re.compile(r"^[\s,]*(?:daily\s*|a day\s*|per day\s*)?\(\s*n\s*=\s*\d+", re.IGNORECASE)
_TITRATION_START = re.compile(
    r"\b(?:start(?:ed|ing)?|initiat(?:ed|ing)|began|beginning|initial(?:ly)?|titrated|"
    r"escalated|increased|increas(?:ing|es)|uptitrated)\b(?:\s+(?:dose|doses))?\s+"
    r"(?:(?:at|with|on|from|by|of)\s+)?(?:a\s+(?:dose\s+of\s+)?)?$|"
    r"\bincrements? of\s+$|\bfrom\s+$",
    re.IGNORECASE,
)
#: Between a dose and a drug written after it: a list or a new clause gives the dose to
#: something else ("topiramate 100 mg/day and propranolol 160 mg/day").
_DOSE_BREAK = re.compile(r"\band\b|\bor\b|\bversus\b|\bvs\b|[,;:]|\bthan\b", re.IGNORECASE)


def _dose_distance(text: str, span: DoseSpan, hit: Hit) -> float:
    """How far a dose is from a drug; doses follow their drug, so a drug written after the dose
    is farther, and unreachable across a list or clause break.
    """
    if span.start >= hit.end:
        return float(span.start - hit.end)
    if _DOSE_BREAK.search(text[span.end : hit.start]):
        return 1e9
    return (hit.start - span.end) * 1.5


def _unique(doses: Sequence[Dose]) -> list[Dose]:
    seen: set[tuple[float | None, float | None, str | None]] = set()
    result: list[Dose] = []
    for dose in doses:
        key = (dose.value, dose.value_max, dose.unit)
        if key not in seen:
            seen.add(key)
            result.append(dose)
    return result


def _enrich(dose: Dose, others: Sequence[Dose]) -> Dose:
    """Fill route, frequency and duration from the same dose written elsewhere."""
    from dataclasses import replace

    for other in others:
        if (other.value, other.value_max, other.unit) == (dose.value, dose.value_max, dose.unit):
            dose = replace(
                dose,
                frequency=dose.frequency or other.frequency,
                route=dose.route or other.route,
                duration=dose.duration or other.duration,
            )
    return dose
