"""The condition a paper studies, as specifically as the paper names it.

Annotators link the broad concept (multiple sclerosis, hepatitis C, depression) while the paper
studies a subtype, stage or sequela of it (progressive multiple sclerosis, chronic hepatitis C,
treatment-resistant depression). The finding belongs to the specific condition, which keeps a
``broader`` link to the linked concept so that a question about either finds it. The specific
form is taken from the record itself: another disease concept of the record whose name is the
linked name with a qualifier before it, or, in the title, the linked name preceded by a subtype
qualifier from a closed list. Severity words ("severe", "refractory") do not make a subtype.

A manifestation is specific too: when the title treats a condition the annotators did not link
*in* the linked one ("muscle cramps in amyotrophic lateral sclerosis", "dyskinesia in Parkinson's
disease"), the paper studies the manifestation, with the linked disease as its broader concept.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import replace

from paperkg.extraction import lexicon
from paperkg.extraction.concepts import label_key
from paperkg.extraction.interventions import AnnotatedSentence
from paperkg.extraction.sentences import states_aim
from paperkg.identifiers import lookup_key
from paperkg.model import Concept, EntityKind

__all__ = ["specific_conditions"]

#: Qualifiers that name a subtype, stage or course of a disease (not how bad it is).
_SUBTYPE = (
    r"(?:treatment|therapy|drug|multi-?drug|multidrug|steroid|insulin)[\s-]resistant|"
    r"relapsing[\s-]remitting|relapsing|(?:primary|secondary)[\s-]progressive|progressive|"
    r"chronic|acute|episodic|persistent|recurrent|post[\s-]?\w+|long|non[\s-]?valvular|diabetic|"
    r"painful|metastatic|early|juvenile|late[\s-]onset|adult[\s-]onset|childhood|pediatric|"
    r"paediatric|neuropathic|erosive|non[\s-]?erosive|allergic|eosinophilic|nocturnal"
)
_SUBTYPE_BEFORE = re.compile(rf"(?<![\w-])((?:(?:{_SUBTYPE})[\s,]+(?:and\s+)?)+)$", re.IGNORECASE)
#: Words that grade a disease without making it another one.
_SEVERITY = frozenset(
    [
        "severe",
        "mild",
        "moderate",
        "refractory",
        "treatment-refractory",
        "difficult-to-treat",
        "uncontrolled",
        "active",
        "symptomatic",
        "established",
        "stable",
        "newly",
        "diagnosed",
        "primary",
        "idiopathic",
        "the",
        "a",
        "an",
        "of",
        "with",
    ]
)
#: Between a manifestation and the disease it belongs to, in a title.
_MANIFESTATION_OF = re.compile(
    r"^\s*(?:(?:symptoms?|therapy|treatment|management|relief)\s+)?"
    r"(?:in|of|associated with|after|following|due to|related to|secondary to)\s+"
    r"(?:(?:patients|people|persons|adults|children|subjects|individuals)\s+with\s+)?"
    r"(?:[\w'-]+\s+){0,2}?$",
    re.IGNORECASE,
)
#: Where a paper says what it studies.
_NAMING_SECTIONS = frozenset({"title", "tldr"})


def _is_subtype_of(specific: Concept, broad: Concept) -> bool:
    """``specific``'s name is one of ``broad``'s names with non-severity words around it: a
    subtype ("chronic hepatitis C"), or a sequela named after it ("post-COVID-19 condition",
    "cancer-related fatigue").
    """
    for name in (specific.label, *specific.synonyms):
        words = label_key(name).split()
        for other in (broad.label, *broad.synonyms):
            part = label_key(other).split()
            size = len(part)
            if not 0 < size < len(words):
                continue
            for start in range(len(words) - size + 1):
                if words[start : start + size] == part:
                    extra = words[:start] + words[start + size :]
                    if not set(extra) <= _SEVERITY:
                        return True
    return False


def specific_conditions(
    studied: Sequence[str],
    concepts: dict[str, Concept],
    items: Sequence[AnnotatedSentence],
    excluded: set[str],
    linked: set[str],
    comorbid: AbstractSet[str] = frozenset(),
) -> tuple[list[str], dict[str, Concept]]:
    """``(studied keys, concepts)`` with each studied condition replaced by the most specific
    form the title or TL;DR names; new or changed concepts carry ``broader``. ``linked``: the
    keys annotators linked (a manifestation is one they did not); ``excluded`` (harms) are
    never the specific form, ``comorbid`` ones only when they are a subtype of the studied one.
    """
    updated = dict(concepts)
    named = {
        hit.key
        for item in items
        if item.sentence.section in _NAMING_SECTIONS or states_aim(item.sentence)
        for hit in item.hits
        if hit.kind is EntityKind.DISEASE
    }
    result: list[str] = []
    for key in studied:
        broad = updated[key]
        manifestation = _manifestation(broad, updated, items, linked, set(studied) | excluded)
        if manifestation is not None:
            updated[manifestation.key] = replace(
                manifestation, broader=tuple(sorted({*manifestation.broader, key}))
            )
            result.append(manifestation.key)
            continue
        narrower = [
            c
            for c in updated.values()
            if c.kind is EntityKind.DISEASE
            and c.key != key
            and (c.key in named or _title_qualifies(c, broad, items))
            and c.key not in excluded
            and c.key not in studied
            and _is_subtype_of(c, broad)
        ]
        if narrower:
            chosen = max(narrower, key=lambda c: (len(c.label), c.key))
            updated[chosen.key] = replace(chosen, broader=tuple({*chosen.broader, key}))
            result.append(chosen.key)
            continue
        made = _from_title(broad, items)
        if made is not None and made.key not in updated:
            updated[made.key] = made
            result.append(made.key)
            continue
        result.append(key)
    # A studied condition the record already names specifically ("progressive widgetitis"
    # with its own id) is linked to the broader concepts the record names too.
    for key in result:
        concept = updated[key]
        broader = {
            other.key
            for other in updated.values()
            if other.kind is EntityKind.DISEASE
            and other.key != key
            and other.key not in excluded | comorbid
            and _is_subtype_of(concept, other)
        }
        if broader - set(concept.broader):
            updated[key] = replace(concept, broader=tuple(sorted({*concept.broader, *broader})))
    return list(dict.fromkeys(result)), updated


def _title_qualifies(specific: Concept, broad: Concept, items: Sequence[AnnotatedSentence]) -> bool:
    """The title writes the specific concept's qualifier before the broad one's name ("Knee
    Osteoarthritis" for a record's "knee OA" under "osteoarthritis").
    """
    qualifiers = set()
    for name in (specific.label, *specific.synonyms):
        words = label_key(name).split()
        for other in (broad.label, *broad.synonyms):
            tail = label_key(other).split()
            if 0 < len(tail) < len(words) and words[-len(tail) :] == tail:
                qualifiers.add(" ".join(words[: len(words) - len(tail)]))
    qualifiers -= {""}
    for item in items:
        if item.sentence.section != "title":
            continue
        for hit in item.hits:
            if hit.key != broad.key:
                continue
            before = label_key(item.sentence.text[max(0, hit.start - 40) : hit.start])
            if any(before == q or before.endswith(f" {q}") for q in qualifiers):
                return True
    return False


def _manifestation(
    broad: Concept,
    concepts: dict[str, Concept],
    items: Sequence[AnnotatedSentence],
    linked: set[str],
    skipped: set[str],
) -> Concept | None:
    """The unlinked condition the title treats in the linked one ("M in D"), if any: never one
    of ``skipped`` (studied already, or a harm) nor a word for harm ("toxicity after ... D").
    """
    if broad.key not in linked:
        return None
    for item in items:
        if item.sentence.section != "title":
            continue
        text = item.sentence.text
        anchors = [h.start for h in item.hits if h.key == broad.key]
        for hit in item.hits:
            concept = concepts.get(hit.key)
            if (
                concept is None
                or concept.kind is not EntityKind.DISEASE
                or hit.key in linked
                or hit.key in skipped
                or lexicon.NOT_A_CONDITION.search(label_key(concept.label))
                or set(concept.identifiers) & set(broad.identifiers)
            ):
                continue
            if any(a > hit.end and _MANIFESTATION_OF.match(text[hit.end : a]) for a in anchors):
                return concept
    return None


def _from_title(broad: Concept, items: Sequence[AnnotatedSentence]) -> Concept | None:
    """A label-only concept for "<subtype qualifier> <linked name>" as the title writes it."""
    for item in items:
        if item.sentence.section != "title":
            continue
        text = item.sentence.text
        for hit in item.hits:
            if hit.key != broad.key:
                continue
            match = _SUBTYPE_BEFORE.search(text[max(0, hit.start - 60) : hit.start])
            written = Concept(hit.key, EntityKind.DISEASE, hit.text)
            if match is not None:
                label = " ".join(f"{match.group(1)}{hit.text}".split())
            elif _is_subtype_of(written, broad) and not _is_subtype_of(broad, written):
                # the record files "early poststroke depression" under depression's id
                label = " ".join(hit.text.split())
            else:
                continue
            return Concept(
                key=f"label:{lookup_key(label)}",
                kind=EntityKind.DISEASE,
                label=label,
                broader=(broad.key,),
            )
    return None
