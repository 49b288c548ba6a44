"""Which drugs a case report of a harm is about.

A case report or series of a harm ("X-induced Y", "X toxicity") is about the drug that caused
it: that drug's finding is the harm, for what the patient took it for. The title says which
drug; where it names a class or no drug at all ("Antithyroid drug-induced Y"), the text says
which of the drugs given caused the harm it names. Decided from the title's and sentences'
structure and cue words, never from drug or disease names.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection, Sequence

from paperkg.extraction import lexicon
from paperkg.extraction.design import CASES
from paperkg.extraction.interventions import AnnotatedSentence, is_drug_like
from paperkg.extraction.purposes import diseases_first, drug_indications
from paperkg.model import Concept, EntityKind, StudyDesign

__all__ = ["harm_case_targets", "harm_report", "names_drug"]

#: A harm word right after the drug: "methotrexate toxicity", "X overdose", "X hypersensitivity".
_HARM_AFTER_DRUG = re.compile(
    r"^[\s-]*(?:(?:pulmonary|hepatic|renal|cardiac|neuro|skin|cutaneous|ocular|acute|chronic|"
    r"severe|fatal)\s+)?(?:toxicity|intoxication|overdose|poisoning|hypersensitivity|allergy|"
    r"(?:adverse|drug|allergic|paradoxical|skin) reactions?|side[\s-]effects?)\b",
    re.IGNORECASE,
)
#: A harm word right before the drug: "adverse effects of X", "reaction to X".
_HARM_BEFORE_DRUG = re.compile(
    r"\b(?:toxicity|intoxication|overdose|poisoning|hypersensitivity|allergy|reactions?|"
    r"injury|injuries|damage|adverse (?:effects?|events?|reactions?)|side[\s-]effects?)\s+"
    r"(?:of|to|from|after|due to|secondary to|caused by|induced by)\s+"
    r"(?:(?:the|a|an|long-term|chronic|high-dose|low-dose|oral|intravenous|topical)\s+)*$",
    re.IGNORECASE,
)
#: Between a harm and the drug that caused it, in a sentence of the text.
_CAUSED_BETWEEN = re.compile(
    r"\bcomplications? of\b|\b(?:associated|related) (?:with|to)\b|"
    r"\bwhile (?:on|taking|receiving)\b",
    re.IGNORECASE,
)


def harm_report(
    tried: Sequence[str],
    items: Sequence[AnnotatedSentence],
    harms: set[str],
    concepts: dict[str, Concept],
    design: StudyDesign | None,
) -> dict[str, tuple[str, ...]]:
    """In a case report or series about a harm, that harm's drugs and their harms (condition
    keys) by drug key. The title ties them ("X-induced Y", "Y after X", "X toxicity"); a title
    that names the harm but none of the drugs given leaves it to the text ("Y is a complication
    of X").
    """
    if design not in CASES:
        return {}
    title = [i for i in items if i.sentence.section == "title"]
    named = {h.key for i in title for h in i.hits}
    harmed = tuple(key for key in sorted(harms) if key in named and key in concepts)
    if harmed:
        in_title = [drug for drug in tried if drug in named]
        if any(is_drug_like(concepts[drug]) for drug in in_title):
            return dict.fromkeys(in_title, harmed)
        caused = _caused_in_text(tried, items, set(harmed))
        if in_title:
            # only a class in the title ("Y secondary to therapy with aromatase inhibitors"):
            # the text says which of its drugs the patient was given and caused it
            members = [drug for drug in tried if drug in caused and is_drug_like(concepts[drug])]
            return dict.fromkeys(members or in_title, harmed)
        return {drug: harmed for drug in tried if drug in caused}
    # a class in the title ("adverse effects of antipsychotics") does not say which drug
    worded = [
        drug for drug in tried if is_drug_like(concepts[drug]) and _title_names_harm_of(drug, title)
    ]
    return {
        drug: tuple(sorted(_caused_in_text([drug], items, harms).get(drug, set())))
        for drug in worded
    }


def harm_case_targets(
    drug: str,
    targets: list[str],
    items: Sequence[AnnotatedSentence],
    concepts: dict[str, Concept],
    *,
    linked: Collection[str],
    harms: set[str],
    comorbid: set[str],
    purposes: set[str],
    others: set[str],
) -> list[str]:
    """What a harm's drug was given for, in a case report of the harm: the finding's condition.

    What the text says the patient was given it for (``purposes``: "started on X for renal
    anaemia") is it, studied by the report or not. Else the disease the patient had when taking
    it ("a diabetic woman on X"); else, of what the annotators linked, the disease the report
    studies (``targets``, or a subtype of one of them) and failing that all of it, a disease
    before its symptoms, never the harm (``harms``, the drug's own among them), the
    circumstances the title adds ("in a patient with uncontrolled seizures"), a comorbidity, nor
    what a sentence without this drug says another drug was given for (``others``: "also
    started on prednisone for fibromyalgia").
    """
    indicated = [
        key for key in sorted(drug_indications(drug, items)) if key in concepts and key not in harms
    ]
    given_for = indicated or diseases_first(
        [
            key
            for key in linked
            if key in concepts
            and concepts[key].kind is EntityKind.DISEASE
            and key not in harms
            and key not in comorbid
            and key not in others
        ],
        concepts,
    )
    stated = sorted(purposes - harms)
    if not targets and stated:
        return stated
    if given_for and not purposes:
        # of the linked diseases, the one the report studies (or a subtype of one) when it
        # says no indication: the others are the patient's history
        studied = (
            []
            if indicated
            else [
                key
                for key in targets
                if key not in harms
                and (key in given_for or not set(concepts[key].broader).isdisjoint(given_for))
            ]
        )
        return studied or given_for
    return targets


def _title_names_harm_of(drug: str, title: Sequence[AnnotatedSentence]) -> bool:
    """Whether the title puts a harm word beside the drug ("X toxicity", "adverse effects of X")."""
    for item in title:
        text = item.sentence.text
        for hit in item.hits:
            if hit.key != drug:
                continue
            if _HARM_AFTER_DRUG.match(text[hit.end :]) or _HARM_BEFORE_DRUG.search(
                text[: hit.start]
            ):
                return True
    return False


def _caused_in_text(
    drugs: Sequence[str], items: Sequence[AnnotatedSentence], harms: set[str]
) -> dict[str, set[str]]:
    """The harms each drug is said to have caused in a sentence of the text (not the title)."""
    wanted = set(drugs)
    caused: dict[str, set[str]] = {}
    for item in items:
        if item.sentence.section == "title":
            continue
        text = item.sentence.text
        for drug_hit in item.hits:
            if drug_hit.key not in wanted:
                continue
            for harm_hit in item.hits:
                if (
                    harm_hit.key not in harms
                    or abs(harm_hit.start - drug_hit.start) > lexicon.CAUSAL_REACH
                ):
                    continue
                if harm_hit.end <= drug_hit.start:
                    between = text[harm_hit.end : drug_hit.start]
                elif drug_hit.end <= harm_hit.start:
                    between = text[drug_hit.end : harm_hit.start]
                else:
                    continue
                if lexicon.ADVERSE_CAUSAL.search(between) or _CAUSED_BETWEEN.search(between):
                    caused.setdefault(drug_hit.key, set()).add(harm_hit.key)
    return caused


#: After a drug's name in a condition's, the words that make the condition the drug's harm
#: ("lithium toxicity", "valproate-induced encephalopathy"); "iron deficiency", "nicotine
#: dependence" are what the drug is given for.
_HARM_OF_DRUG = re.compile(
    r"^(?:[\s-]+(?:induced|associated|related|toxicity|intoxication|overdose|poisoning|"
    r"hypersensitivity|allergy|reactions?)\b)"
)


def names_drug(condition: Concept, drug: Concept) -> bool:
    """Whether the condition is named as the drug's harm ("lithium toxicity", "valproate-induced
    encephalopathy"): such a condition is never what the drug was given for.
    """
    names = [n.lower() for n in (condition.label, *condition.synonyms)]
    return any(
        _HARM_OF_DRUG.match(name[found.end() :])
        for form in (drug.label, *drug.synonyms)
        if len(form) > 3
        for name in names
        for found in _whole_word(form.lower()).finditer(name)
    )


@functools.lru_cache(maxsize=8192)
def _whole_word(form: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-]){re.escape(form)}(?![\w])")
