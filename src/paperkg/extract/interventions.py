"""Which drugs a paper gave, which conditions it studied, and which doses belong to which drug.

A drug named in a paper is not necessarily a drug the paper tried: "standard treatment with
amitriptyline, pregabalin, or duloxetine" is background, "the patient did not benefit from
amitriptyline" is a result. The decision is made per occurrence from sentence structure and cue
lexicons (:mod:`paperkg.extract.lexicon`), never from drug names.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from paperkg.extract import lexicon
from paperkg.extract.concepts import label_key
from paperkg.extract.dose import DoseSpan, find_doses
from paperkg.extract.outcome import clause_spans, mask_parentheses
from paperkg.extract.sentences import Hit, MentionIndex, Sentence
from paperkg.model import Concept, Dose, EntityKind

__all__ = [
    "AnnotatedSentence",
    "Occurrence",
    "annotate",
    "comorbidities",
    "condition_roles",
    "doses_for",
    "drug_purposes",
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
_TARGET_BEFORE = re.compile(
    r"(?:patients?|women|men|subjects|people|individuals|participants|children|adults) with\s+"
    r"(?:\S+\s+){0,3}$|(?:treatment|prevention|management) of\s+(?:\S+\s+){0,2}$|"
    r"\bfor\s+(?:the\s+)?(?:\S+\s+){0,2}$|\bin\s+(?:an?\s+|the\s+)?(?:\S+\s+){0,2}$",
    re.IGNORECASE,
)
#: "<drug>-induced <disease>", "<drug>-associated <disease>": the disease is the drug's harm.
_INDUCED = re.compile(
    r"^\s*(?:\)\s*)?-?\s*(?:induced|associated|related|triggered|provoked|caused)\s+(?:[\w-]+\s+){0,2}$",
    re.IGNORECASE,
)
#: "developed X", "experienced X": X happened to the patients, it is not what they have.
_ONSET_BEFORE = re.compile(
    r"\b(?:developed|experienced|suffered|presented with|went on to have)\s+(?:an?\s+)?$",
    re.IGNORECASE,
)
#: How far around a mention its cue words are looked for; a regex over the whole sentence per
#: mention would make long sentences quadratic.
_WINDOW = 80
#: A drug and a disease further apart than this are not read as cause and harm.
_CAUSAL_REACH = 200
_TARGET_AFTER = re.compile(r"^\s*(?:patients?|sufferers|subjects|cases)\b", re.IGNORECASE)


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
            for hit in index.find(sentence.text)
            if not any(start <= hit.start < end for start, end in examples)
        )
        result.append(AnnotatedSentence(sentence, hits, tuple(find_doses(sentence.text))))
    return result


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
        end_match = re.search(
            r"\b(?:are|is|was|were|had|received|showed)\b", text[match.end() : hit.start]
        )
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
        lexicon.MODIFIER_AFTER.search(text[hit.end : hit.end + _WINDOW])
        or lexicon.MODIFIER_BEFORE.search(text[max(0, hit.start - _WINDOW) : hit.start])
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
    starts: list[Dose] = []
    for item in items:
        if item.sentence.position not in usable:
            continue
        text = item.sentence.text
        chemicals = [h for h in item.hits if h.kind is EntityKind.CHEMICAL]
        for span in item.doses:
            nearest = min(chemicals, key=lambda h: _dose_distance(text, span, h), default=None)
            if nearest is None or nearest.key != drug or _dose_distance(text, span, nearest) > 1e6:
                continue
            tier = "abstract" if item.sentence.section == "abstract" else "summary"
            found[tier].append(span.dose)
            if _TITRATION_START.search(text[max(0, span.start - 40) : span.start]):
                starts.append(span.dose)
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
    return [_enrich(dose, found["abstract"] + found["summary"]) for dose in chosen]


#: Words before a dose that make it where a titration began, not the dose given.
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


def condition_roles(
    diseases: Sequence[Concept],
    items: Sequence[AnnotatedSentence],
    linked: set[str],
) -> tuple[list[str], set[str]]:
    """``(studied condition keys, adverse-event keys)``.

    Studied: linked diseases named in the title or TL;DR, not symptoms, not harms of a drug
    ("serotonin syndrome following duloxetine"). Falls back to any disease in the title or
    TL;DR, then to any linked disease (comorbidities are linked too, so they come last).
    """
    focus: set[str] = set()
    adverse: set[str] = set()
    target: set[str] = set()
    induced: set[str] = set()
    title_drug = next(
        (
            h.key
            for item in items
            if item.sentence.section == "title"
            for h in item.hits
            if h.kind is EntityKind.CHEMICAL
        ),
        None,
    )
    for item in items:
        text = item.sentence.text
        if item.sentence.section in {"title", "tldr"}:
            focus |= {h.key for h in item.hits if h.kind is EntityKind.DISEASE}
        chemicals = [h for h in item.hits if h.kind is EntityKind.CHEMICAL]
        for hit in item.hits:
            if hit.kind is not EntityKind.DISEASE:
                continue
            before_hit = text[max(0, hit.start - _WINDOW) : hit.start]
            onset = _ONSET_BEFORE.search(before_hit)
            if not onset and (
                _TARGET_BEFORE.search(before_hit)
                or _TARGET_AFTER.search(text[hit.end : hit.end + _WINDOW])
            ):
                target.add(hit.key)
            for chem in chemicals:
                if abs(chem.start - hit.start) > _CAUSAL_REACH:
                    continue
                if chem.start >= hit.end:
                    between = text[hit.end : chem.start]
                else:
                    between = text[chem.end : hit.start]
                before = text[max(0, hit.start - 25) : hit.start]
                if lexicon.ADVERSE_CAUSAL.search(between) or re.search(r"\bdeveloped\s+$", before):
                    adverse.add(hit.key)
                if (
                    chem.end <= hit.start
                    and _INDUCED.match(text[chem.end : hit.start])
                    and title_drug in (None, chem.key)
                ):
                    # "Duloxetine improves oxaliplatin-induced neuropathy": the title's drug
                    # treats the harm another chemical caused; it is the studied condition.
                    induced.add(hit.key)
    # "X-induced Y" names a harm whatever surrounds it ("management of X-induced Y").
    harms = (adverse - target) | induced
    by_key = {c.key: c for c in diseases}
    comorbid = comorbidities(items)

    def symptom(key: str) -> bool:
        return bool(lexicon.SYMPTOMS.search(label_key(by_key[key].label)))

    order = [c.key for c in diseases]
    tiers = [
        [k for k in order if k in linked and k in focus],
        [k for k in order if k in focus],
        [k for k in order if k in linked],
    ]
    known = [
        [
            k
            for k in candidates
            if k in by_key
            and k not in harms
            and not lexicon.NOT_A_CONDITION.search(label_key(by_key[k].label))
        ]
        for candidates in tiers
    ]

    # In the best tier that has any: a disease before its symptoms; a symptom when it is the
    # target itself ("eszopiclone for insomnia coexisting with depression"); a comorbidity or
    # a population the treatment is not for only when the tier names nothing else.
    def disease(key: str) -> bool:
        return not symptom(key) and key not in comorbid

    def target_symptom(key: str) -> bool:
        return symptom(key) and key not in comorbid and key in focus

    def any_disease(key: str) -> bool:
        return not symptom(key)

    for candidates in known:
        for choose in (disease, target_symptom, any_disease):
            studied = [k for k in candidates if choose(k)]
            if studied:
                return studied, harms
    return [], harms


#: The disease is what some patients also had ("with or without MDD", "coexisting with").
_COMORBID_BEFORE = re.compile(
    # "with or without X" is a subgroup; "with and without X" compares cases with controls
    r"\bwith or without\s+(?:(?:a|an|current|comorbid)\s+)?$|"
    r"\b(?:comorbid|co-?morbid|coexist\w*|co-exist\w*|co-?occurring|concomitant|concurrent|"
    r"coincident|associated)\s+(?:with\s+)?(?:(?:a|an|current|active|stable)\s+)?$|"
    r"\b(?:also|additionally) (?:had|having|with)\s+(?:(?:a|an)\s+)?$|"
    r"\bhistory of\s+(?:(?:a|an)\s+)?$|\bco-?infect\w*\s+with\s+(?:[\w-]+\s+){0,4}and\s+$",
    re.IGNORECASE,
)
#: "<treated condition> in <population>": the title treats the first and studies it in the
#: second ("pramipexole for depression in Parkinson's disease").
_TREATED_BEFORE = re.compile(
    r"\b(?:for|of|treating|against|in the (?:treatment|management|prevention) of|"
    r"improves?|reduces?|relieves?|prevents?|treats?|alleviates?|attenuates?)\s+"
    r"(?:(?:the|a|an|acute|chronic)\s+)?(?:[\w-]+\s+){0,2}$",
    re.IGNORECASE,
)
#: "<drug> for smoking cessation in schizophrenia": a treated aim that is no disease, then the
#: population it is pursued in.
_AIM_IN_POPULATION = re.compile(
    r"\bfor\s+(?:[\w-]+\s+){1,4}?(?:in|among)\s+(?:(?:adult|elderly|older|young|the)\s+)?"
    r"(?:(?:patients?|adults|people|persons|subjects|individuals|children|women|men|smokers|"
    r"outpatients|inpatients)\s+(?:with|who have)\s+)?$",
    re.IGNORECASE,
)
_POPULATION_BEFORE = re.compile(
    r"^\s*(?:in|among|for)\s+(?:(?:adult|elderly|older|young|pediatric|paediatric|the)\s+)?"
    r"(?:(?:patients?|adults|people|persons|subjects|individuals|children|women|men|smokers|"
    r"veterans)\s+(?:with|who have|suffering from|having)\s+)?(?:(?:a|an|comorbid|"
    r"coexisting|concomitant|established|stable)\s+)?$",
    re.IGNORECASE,
)


def comorbidities(items: Sequence[AnnotatedSentence]) -> set[str]:
    """Disease keys the patients had besides what the paper treats.

    A disease introduced as a comorbidity anywhere in the record ("with or without",
    "comorbid", "coexisting with", "history of"), and, in the title, the population a treated
    condition is studied in ("<drug> for <A> in <B>", "treatment of <A> in patients with <B>").
    """
    comorbid: set[str] = set()
    for item in items:
        text = item.sentence.text
        diseases = [h for h in item.hits if h.kind is EntityKind.DISEASE]
        for hit in diseases:
            if _COMORBID_BEFORE.search(text[max(0, hit.start - _WINDOW) : hit.start]):
                comorbid.add(hit.key)
        if item.sentence.section != "title":
            continue
        for treated, population in itertools.pairwise(diseases):
            if (
                treated.key != population.key
                and _TREATED_BEFORE.search(text[max(0, treated.start - _WINDOW) : treated.start])
                and _POPULATION_BEFORE.search(text[treated.end : population.start])
            ):
                comorbid.add(population.key)
        first = diseases[0] if diseases else None
        if first is not None and _AIM_IN_POPULATION.search(text[: first.start]):
            comorbid.add(first.key)
    return comorbid


#: "X for (the treatment of) (her) Y": Y is what X was given for.
_PURPOSE = re.compile(
    r"^[^;.]{0,60}?\bfor\s+(?:the\s+)?(?:(?:treatment|management|prevention|relief)\s+of\s+)?"
    r"(?:(?:her|his|their|its|a|an)\s+)?(?:[\w-]+\s+){0,2}$",
    re.IGNORECASE,
)


def drug_purposes(drug: str, items: Sequence[AnnotatedSentence]) -> set[str]:
    """Disease keys a drug is said to be given for ("sertraline for depression")."""
    purposes: set[str] = set()
    for item in items:
        text = item.sentence.text
        for hit in item.hits:
            if hit.key != drug:
                continue
            for disease in item.hits:
                if (
                    disease.kind is not EntityKind.DISEASE
                    or disease.start < hit.end
                    or disease.start - hit.end > _CAUSAL_REACH
                ):
                    continue
                between = text[hit.end : disease.start]
                others = [
                    h
                    for h in item.hits
                    if h.kind is EntityKind.CHEMICAL and hit.end <= h.start < disease.start
                ]
                if not others and _PURPOSE.search(between):
                    purposes.add(disease.key)
    return purposes
