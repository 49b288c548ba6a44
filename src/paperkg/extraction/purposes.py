"""What the text says a drug was given for: "X for Y", "X to treat Y", "a diabetic woman on X".

A purpose stated beside the drug decides a finding's condition before anything else the record
says (:mod:`paperkg.extraction.targets`, :mod:`paperkg.extraction.harms`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from paperkg.extraction import lexicon
from paperkg.extraction.concepts import label_key
from paperkg.extraction.interventions import AnnotatedSentence
from paperkg.extraction.sentences import Hit
from paperkg.model import Concept, EntityKind

__all__ = ["diseases_first", "drug_indications", "drug_purposes"]


#: "X for (the treatment of) (her) Y": Y is what X was given for.
_PURPOSE = re.compile(
    r"^[^;.]{0,60}?(?:\bfor\s+(?:the\s+)?(?:(?:treatment|management|prevention|relief)\s+of\s+)?|"
    r"\bto\s+(?:treat|manage|control|relieve|prevent)\s+(?:both\s+)?(?:the\s+)?)"
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
                    or disease.start - hit.end > lexicon.CAUSAL_REACH
                ):
                    continue
                others = sorted(
                    (
                        h
                        for h in item.hits
                        if h.kind is EntityKind.CHEMICAL and hit.end <= h.start < disease.start
                    ),
                    key=lambda h: h.start,
                )
                if not _listed_with(text, hit.end, others):
                    continue
                start = max([hit.end, *(h.end for h in others)])
                if _PURPOSE.search(text[start : disease.start]):
                    purposes.add(disease.key)
    return purposes


#: "A and B for Y", "A, B or C for Y": drugs listed together share the purpose that follows.
_LIST_JOIN = re.compile(r"^\s*(?:,|/|\+|and|or|plus|,\s*(?:and|or))\s*$", re.IGNORECASE)


def _listed_with(text: str, end: int, others: Sequence[Hit]) -> bool:
    """Whether the chemicals after a drug (``others``, in order) are only listed beside it."""
    for other in others:
        if not _LIST_JOIN.match(text[end : other.start]):
            return False
        end = max(end, other.end)
    return True


#: "<patient> with <Y> taking <X>", "a <Y-adjective> woman treated with <X>": the patient's
#: disease before the drug they were on is what the drug was given for.
_INDICATION_BETWEEN = re.compile(
    r"^\s*(?:(?:patients?|wom[ae]n|m[ae]n|females?|males?|girls?|boys?|child(?:ren)?|adults?|"
    r"subjects?|individuals?|persons?|people)\s+)?"
    r"(?:(?:who|that)\s+)?(?:(?:was|were|is|are|had been|has been|had|has)\s+)?"
    r"(?:treated with|taking|taken|on|receiving|given|prescribed|maintained on|started on)\s+"
    r"(?:(?:long-term|chronic|regular|daily|oral|high-dose|low-dose|maintenance)\s+)*$",
    re.IGNORECASE,
)


def drug_indications(drug: str, items: Sequence[AnnotatedSentence]) -> set[str]:
    """Disease keys the patients had when they took a drug ("a diabetic woman on X", "a man
    with Y taking X"): in a case report of a harm, what the drug was given for.
    """
    found: set[str] = set()
    for item in items:
        text = item.sentence.text
        for hit in item.hits:
            if hit.key != drug:
                continue
            before = [
                h
                for h in item.hits
                if h.kind is EntityKind.DISEASE and h.end <= hit.start and hit.start - h.end < 80
            ]
            if before:
                disease = max(before, key=lambda h: h.end)
                if _INDICATION_BETWEEN.match(text[disease.end : hit.start]):
                    found.add(disease.key)
    return found


def diseases_first(keys: list[str], concepts: dict[str, Concept]) -> list[str]:
    """The keys that name no symptom, when there are any ("epilepsy" before "seizures")."""
    diseases = [k for k in keys if not lexicon.SYMPTOMS.search(label_key(concepts[k].label))]
    return diseases or keys
