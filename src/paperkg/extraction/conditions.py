"""Which conditions a paper treats, which its patients merely have, and which a drug caused.

The studied condition is what the title, TL;DR and objective name as the target of treatment;
a comorbidity ("with or without", "coexisting with", the population a title treats a condition
in) and a harm a drug caused ("X-induced Y") are not. Decided from sentence structure and cue
words (:mod:`paperkg.extraction.lexicon`), never from disease names.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

from paperkg.extraction import lexicon
from paperkg.extraction.concepts import label_key
from paperkg.extraction.interventions import AnnotatedSentence
from paperkg.extraction.sentences import states_aim
from paperkg.extraction.spelling import spelling_key
from paperkg.model import Concept, EntityKind

__all__ = [
    "comorbidities",
    "condition_roles",
    "title_harms",
]

_TARGET_BEFORE = re.compile(
    r"(?:patients?|women|men|subjects|people|individuals|participants|children|adults) with\s+"
    r"(?:\S+\s+){0,3}$|(?:treatment|prevention|management) of\s+(?:\S+\s+){0,2}$|"
    r"\bfor\s+(?:the\s+)?(?:\S+\s+){0,2}$|\bin\s+(?:an?\s+|the\s+)?(?:\S+\s+){0,2}$",
    re.IGNORECASE,
)
#: "<drug>-induced <disease>", "<drug>-associated <disease>": the disease is the drug's harm.
#: Words between "X-induced" and the disease it names; "in", "with", "among" open the population
#: instead ("X-induced Y in Z": Z is who had the harm, not the harm).
_HARM_WORDS = r"(?:(?!(?:in|among|with|of|for)\s)[\w-]+\s+)"
_INDUCED = re.compile(
    rf"^\s*(?:\)\s*)?-?\s*(?:induced|associated|related|triggered|provoked|caused)\s+{_HARM_WORDS}{{0,2}}$",
    re.IGNORECASE,
)
_INDUCED_INSIDE = re.compile(
    r"^[\s-]*(?:induced|associated|related|triggered|provoked|caused)\b", re.IGNORECASE
)
#: "developed X", "experienced X": X happened to the patients, it is not what they have.
_ONSET_BEFORE = re.compile(
    r"\b(?:developed|experienced|suffered|presented with|went on to have)\s+(?:an?\s+)?$",
    re.IGNORECASE,
)
#: Between a drug and the disease it was given for.
_GIVEN_FOR = re.compile(r"\b(?:for|to treat|to prevent|in the treatment of)\b", re.IGNORECASE)
_TARGET_AFTER = re.compile(r"^\s*(?:patients?|sufferers|subjects|cases)\b", re.IGNORECASE)


#: In a case's title, the words between a harm and the drug that caused it ("Y associated with
#: X", "Y after X", "Y during X use") or between the drug and its harm ("X leading to Y").
_TITLE_HARM_THEN_DRUG = re.compile(
    r"^\s*(?:(?:associated|related|induced|caused|triggered|provoked)\s+(?:with|by|to)|after|"
    r"(?:aggravated|exacerbated|worsened|precipitated|unmasked)\s+by|"
    r"while\s+(?:on|taking|receiving|using)|following|during|due to|secondary to|from)\s+"
    r"(?:(?:the|a|an|long-term|chronic|"
    r"high-dose|low-dose|oral|intravenous|topical)\s+)*"
    # "Y after discontinuation of X": stopping or starting the drug is still the drug's harm
    r"(?:(?:discontinuation|withdrawal|cessation|initiation|administration|intake) of\s+)?"
    # "Y secondary to endocrine therapy with X"
    r"(?:(?:\w+\s+){0,2}(?:therapy|treatment) (?:with|by)\s+)?$",
    re.IGNORECASE,
)
_TITLE_DRUG_THEN_HARM = re.compile(
    r"^[\s-]*(?:(?:(?:induced|associated|related|triggered|provoked|caused)|leading to|causing|"
    r"resulting in|(?:use|therapy|treatment|exposure|overdose|toxicity)\s+(?:leading to|causing|"
    rf"resulting in|and))\s+{_HARM_WORDS}{{0,3}})?$",
    re.IGNORECASE,
)


def title_harms(items: Sequence[AnnotatedSentence]) -> set[str]:
    """Disease keys a case's title names as caused by a drug it names ("hypokalaemia associated
    with X use", "X leading to serotonin toxicity"): the harm the case is about.
    """
    harms: set[str] = set()
    for item in items:
        if item.sentence.section != "title":
            continue
        text = item.sentence.text
        chemicals = [h for h in item.hits if h.kind is EntityKind.CHEMICAL]
        for hit in item.hits:
            if hit.kind is not EntityKind.DISEASE:
                continue
            for chem in chemicals:
                if hit.end <= chem.start:
                    linked = _TITLE_HARM_THEN_DRUG.match(text[hit.end : chem.start])
                elif chem.end <= hit.start:
                    linked = _TITLE_DRUG_THEN_HARM.match(text[chem.end : hit.start])
                else:
                    linked = None
                if linked is not None:
                    harms.add(hit.key)
    return harms


def condition_roles(
    diseases: Sequence[Concept],
    items: Sequence[AnnotatedSentence],
    linked: set[str],
    *,
    case: bool = False,
) -> tuple[list[str], set[str], set[str]]:
    """``(studied condition keys, adverse-event keys, comorbidity keys)``: see
    :func:`_chosen_roles`; a disease the title joins to a studied one by "and" or "or" ("for
    the treatment of common warts and molluscum contagiosum", "with TIA or ischemic stroke")
    is studied too, unless a harm, a comorbidity or a symptom.
    """
    studied, harms, comorbid = _chosen_roles(diseases, items, linked, case=case)
    by_key = {c.key: c for c in diseases}
    joined = [
        key
        for key in _coordinated_in_title(items, set(studied))
        if key in by_key
        and key not in harms
        and key not in comorbid
        and not lexicon.SYMPTOMS.search(label_key(by_key[key].label))
        and not lexicon.NOT_A_CONDITION.search(label_key(by_key[key].label))
    ]
    return [*studied, *joined], harms, comorbid


#: Between two diseases a title names together: "A and B", "A or B", "A, B".
_COORDINATED = re.compile(r"^\s*(?:,\s*)?(?:and|or|and/or|,)\s*$", re.IGNORECASE)


#: What a title says the drug's effect was measured on: outcomes, not what it treats.
_MEASURED_ON = re.compile(r"\b(?:effects?|impact|influence|outcomes?) on\s+(?:\S+\s+){0,2}$", re.I)


def _coordinated_in_title(items: Sequence[AnnotatedSentence], studied: set[str]) -> list[str]:
    """Diseases the title joins to a studied one by "and", "or" or a comma, in title order."""
    found: list[str] = []
    for item in items:
        if item.sentence.section != "title":
            continue
        text = item.sentence.text
        hits = [h for h in item.hits if h.kind is EntityKind.DISEASE]
        for left, right in itertools.pairwise(hits):
            if not _COORDINATED.match(text[left.end : right.start]) or _MEASURED_ON.search(
                text[max(0, left.start - 40) : left.start]
            ):
                continue
            for one, other in ((left, right), (right, left)):
                if one.key in studied and other.key not in studied and other.key not in found:
                    found.append(other.key)
    return found


def _chosen_roles(
    diseases: Sequence[Concept],
    items: Sequence[AnnotatedSentence],
    linked: set[str],
    *,
    case: bool = False,
) -> tuple[list[str], set[str], set[str]]:
    """``(studied condition keys, adverse-event keys, comorbidity keys)``; a comorbidity the
    record names nothing else than is studied, and so is not among the comorbidities. In a
    ``case`` (report or series), a harm its title ties to a drug is a harm whatever else says.

    Studied: linked diseases named in the title or TL;DR, not symptoms, not harms of a drug
    ("serotonin syndrome following duloxetine"). Falls back to any disease in the title or
    TL;DR, then to any linked disease (comorbidities are linked too, so they come last).
    """
    focus: set[str] = set()
    in_title: set[str] = set()
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
        if item.sentence.section == "title":
            in_title |= {h.key for h in item.hits if h.kind is EntityKind.DISEASE}
        chemicals = [h for h in item.hits if h.kind is EntityKind.CHEMICAL]
        for hit in item.hits:
            if hit.kind is not EntityKind.DISEASE:
                continue
            before_hit = text[max(0, hit.start - lexicon.CUE_WINDOW) : hit.start]
            onset = _ONSET_BEFORE.search(before_hit)
            if not onset and (
                _TARGET_BEFORE.search(before_hit)
                or _TARGET_AFTER.search(text[hit.end : hit.end + lexicon.CUE_WINDOW])
            ):
                target.add(hit.key)
            for chem in chemicals:
                if abs(chem.start - hit.start) > lexicon.CAUSAL_REACH:
                    continue
                if chem.start >= hit.end:
                    between = text[hit.end : chem.start]
                else:
                    between = text[chem.end : hit.start]
                before = text[max(0, hit.start - 25) : hit.start]
                # "X for procedure-induced Y": what X was given for, whatever caused Y
                given_for = (
                    chem.end <= hit.start
                    and _GIVEN_FOR.search(between)
                    and not any(
                        chem.end <= other.start < hit.start
                        for other in item.hits
                        if other.kind is EntityKind.DISEASE and other.key != hit.key
                    )
                )
                if not given_for and (
                    lexicon.ADVERSE_CAUSAL.search(between) or re.search(r"\bdeveloped\s+$", before)
                ):
                    adverse.add(hit.key)
                named_inside = hit.start <= chem.start and chem.end < hit.end
                if (
                    (
                        (chem.end <= hit.start and _INDUCED.match(text[chem.end : hit.start]))
                        # one mention naming drug and harm: "mesalazine-induced myocarditis"
                        or (named_inside and _INDUCED_INSIDE.match(text[chem.end : hit.end]))
                    )
                    and title_drug in (None, chem.key)
                ):
                    # "Duloxetine improves oxaliplatin-induced neuropathy": the title's drug
                    # treats the harm another chemical caused; it is the studied condition.
                    induced.add(hit.key)
    # "X-induced Y" names a harm whatever surrounds it ("management of X-induced Y").
    harms = (adverse - target) | induced | (title_harms(items) if case else set())
    by_key = {c.key: c for c in diseases}
    comorbid = comorbidities(items)

    def symptom(key: str) -> bool:
        return bool(lexicon.SYMPTOMS.search(label_key(by_key[key].label)))

    order = [c.key for c in diseases]
    tiers = [
        [k for k in order if k in linked and k in focus],
        # the title before the TL;DR, whose summary also names the population
        [k for k in order if k in in_title],
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

    # What a title or aim treats in a population ("treatment of A in B"), when the best tier
    # names only the population B (the title says "in B" and leaves A to the aim).
    treated = {
        key
        for item in items
        for key, _ in _treated_in_population(item)
        # a title's "M in D" with M unlinked is a manifestation of D (specificity.py)
        if (item.sentence.section != "title" or key in linked)
        and key in by_key
        and key not in comorbid
        and key not in harms
        and not symptom(key)
    }
    # the title's diseases, when one of them names a linked disease within its name, come
    # before a symptom the annotators linked ("X in primary Sjögren's syndrome" with fatigue
    # and Sjogren syndrome linked, the title's name only among the full text's entities)
    if not any(disease(k) for k in known[0]):
        titled = [k for k in known[1] if disease(k)]
        if any(_names_within(by_key[k], by_key[o]) for k in titled for o in linked if o in by_key):
            return titled, harms, comorbid - set(titled)
    for candidates in known:
        for choose in (disease, target_symptom):
            studied = [k for k in candidates if choose(k)]
            if studied:
                return studied, harms, comorbid - set(studied)
        if treated and candidates and all(k in comorbid for k in candidates if not symptom(k)):
            studied = [k for k in order if k in treated]
            return studied, harms, comorbid
        studied = [k for k in candidates if any_disease(k)]
        if studied:
            return studied, harms, comorbid - set(studied)
    return [], harms, comorbid


#: The disease is what some patients also had ("with or without MDD", "coexisting with").
_COMORBID_BEFORE = re.compile(
    # "with or without X" is a subgroup; "with and without X" compares cases with controls
    r"\bwith or without\s+(?:(?:a|an|current|comorbid)\s+)?$|"
    # ("cancer-associated thrombosis" names the thrombosis the paper treats, not a comorbidity)
    r"(?<![\w-])(?:comorbid|co-?morbid|coexist\w*|co-exist\w*|co-?occurring|concomitant|concurrent|"
    r"coincident|associated)\s+(?:with\s+)?(?:(?:a|an|current|active|stable)\s+)?$|"
    r"\b(?:also|additionally) (?:had|having|with)\s+(?:(?:a|an)\s+)?$|"
    # ("a 3-month history of X", "at least 6 months' history of X": how long the patients
    # have had what the trial treats, an inclusion criterion)
    r"(?<!month )(?<!months )(?<!year )(?<!years )(?<!week )(?<!weeks )(?<!months' )"
    r"(?<!years' )\bhistory of\s+(?:(?:a|an)\s+)?$|"
    r"\bco-?infect\w*\s+with\s+(?:[\w-]+\s+){0,4}and\s+$",
    re.IGNORECASE,
)
#: "<A>-associated <B>": B is the disease, A where it arises ("cancer-associated thrombosis").
_CONTEXT_OF = re.compile(r"^-(?:associated|related)\s+(?:[\w-]+\s+){0,2}$", re.IGNORECASE)
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
    r"^\s*(?:(?:response|remission|relapse|control|outcomes?|recurrence|eradication|"
    r"treatment|therapy|management|prevention)\s+)?(?:in|among|for)\s+"
    r"(?:(?:adult|elderly|older|young|pediatric|paediatric|the)\s+)?"
    r"(?:(?:patients?|adults|people|persons|subjects|individuals|children|women|men|smokers|"
    r"veterans)\s+(?:with|who have|suffering from|having)\s+)?(?:(?:a|an|comorbid|"
    r"coexisting|concomitant|established|stable)\s+)?$",
    re.IGNORECASE,
)


def comorbidities(items: Sequence[AnnotatedSentence]) -> set[str]:
    """Disease keys the patients had besides what the paper treats.

    A disease introduced as a comorbidity anywhere in the record ("with or without",
    "comorbid", "coexisting with", "history of"), the context of another ("<A>-associated
    <B>"), and, in the title, the population a treated condition is studied in ("<drug> for
    <A> in <B>", "treatment of <A> in patients with <B>", "<A> response in patients with <B>").
    """
    comorbid: set[str] = set()
    for item in items:
        text = item.sentence.text
        diseases = [h for h in item.hits if h.kind is EntityKind.DISEASE]
        for hit in diseases:
            if _COMORBID_BEFORE.search(text[max(0, hit.start - lexicon.CUE_WINDOW) : hit.start]):
                comorbid.add(hit.key)
        comorbid |= {population for _, population in _treated_in_population(item)}
        comorbid |= {
            context.key
            for context, disease in itertools.pairwise(diseases)
            if context.key != disease.key and _CONTEXT_OF.match(text[context.end : disease.start])
        }
        first = diseases[0] if diseases else None
        if (
            item.sentence.section == "title"
            and first is not None
            and _AIM_IN_POPULATION.search(text[: first.start])
        ):
            comorbid.add(first.key)
    return comorbid


def _treated_in_population(item: AnnotatedSentence) -> list[tuple[str, str]]:
    """``(treated, population)`` keys of a title or aim that treats one condition in people
    with another ("treatment of <A> in patients with <B>"); a symptom of B is not treated apart.
    """
    text = item.sentence.text
    if item.sentence.section != "title" and not states_aim(item.sentence):
        return []
    diseases = [h for h in item.hits if h.kind is EntityKind.DISEASE]
    return [
        (treated.key, population.key)
        for treated, population in itertools.pairwise(diseases)
        if treated.key != population.key
        # "reduces pain in patients with X": a symptom of X, not another condition
        and not lexicon.SYMPTOMS.search(label_key(text[treated.start : treated.end]))
        and (
            _TREATED_BEFORE.search(text[max(0, treated.start - lexicon.CUE_WINDOW) : treated.start])
            # the title opens with what it treats ("<A> response in patients with <B>")
            or (item.sentence.section == "title" and not text[: treated.start].strip())
        )
        and _POPULATION_BEFORE.search(text[treated.end : population.start])
    ]


def _names_within(specific: Concept, broad: Concept) -> bool:
    """Whether ``specific``'s label holds ``broad``'s with more words around it."""
    words = spelling_key(label_key(specific.label)).split()
    part = spelling_key(label_key(broad.label)).split()
    return 0 < len(part) < len(words) and any(
        words[start : start + len(part)] == part for start in range(len(words) - len(part) + 1)
    )
