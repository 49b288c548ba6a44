"""What a record's aim says about its drugs: which is the add-on, which the control.

A title names the drugs a paper is about; its aim (the objective sentence or part) often says
more: "X as an adjunctive therapy" makes X the tested drug and what it was added to the drug every
arm got, "to evaluate A versus B" makes B the control. Read from general cue words only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from paperkg.extraction.roles import title_arms
from paperkg.extraction.sentences import Hit, Sentence
from paperkg.model import EntityKind

__all__ = ["added_drugs", "aim_control"]


#: "X as an adjunctive therapy", "add-on X", "adding X to": X is what the study adds.
_ADJUNCT_AFTER = re.compile(
    r"^[\s,)]*(?:\([^)]*\)\s*)?(?:(?:was|is|were|are|given|used)\s+)*as\s+(?:an?\s+)?"
    r"(?:adjunct(?:ive)?|add-on|adjuvant|additional)\b|"
    r"^(?:\s+\d[\d.]*\s*\w+)?\s+(?:was|were)\s+added\b",
    re.IGNORECASE,
)
_ADJUNCT_BEFORE = re.compile(
    r"\b(?:add-on|adjunct(?:ive)?|adjuvant)\s+(?:(?:therapy|treatment)\s+)?(?:with\s+)?$|"
    r"\badding\s+$",
    re.IGNORECASE,
)


def added_drugs(sentences: Iterable[tuple[Sentence, Sequence[Hit]]]) -> set[str]:
    """Drugs a title or aim calls the add-on ("cholestyramine as an adjunctive therapy"): in a
    title that names them beside what every arm got, they are what the study tests.
    """
    found: set[str] = set()
    for sentence, hits in sentences:
        text = sentence.text
        for hit in hits:
            if hit.kind is not EntityKind.CHEMICAL:
                continue
            if _ADJUNCT_AFTER.match(text[hit.end : hit.end + 60]) or _ADJUNCT_BEFORE.search(
                text[max(0, hit.start - 40) : hit.start]
            ):
                found.add(hit.key)
    return found


def aim_control(subjects: set[str], aims: Iterable[tuple[Sentence, Sequence[Hit]]]) -> set[str]:
    """The title's drugs an aim sets up as the control ("to evaluate the efficacy of A versus
    B", "to compare A with B"): B, when the title named A and B side by side. "To compare A and
    B" sets no control.
    """
    if len(subjects) < 2:
        return set()
    aims = list(aims)
    for sentence, hits in aims:
        arms = title_arms(sentence, hits, aim=True)
        if arms is None or arms.both:
            continue
        control = arms.control & subjects
        if control and arms.tested and control != subjects:
            return set(control)
    for sentence, hits in aims:
        # "To compare a biologic agent with B": what is tested has no name of its own
        match = _COMPARE_UNNAMED_WITH.search(sentence.text)
        chemicals = sorted(
            (h for h in hits if h.kind is EntityKind.CHEMICAL), key=lambda h: h.start
        )
        if match is None or any(match.start() <= h.start < match.end() for h in chemicals):
            continue
        first = next((h for h in chemicals if h.start >= match.end()), None)
        if first is not None and first.key in subjects:
            return {first.key}
    for sentence, hits in aims:
        # "To study the effects of A in a comparative trial": the aim names one of the
        # title's drugs; the others are what it is compared with
        named = {h.key for h in hits if h.kind is EntityKind.CHEMICAL}
        if named & subjects and not subjects <= named and _STUDY_OF.search(sentence.text):
            return subjects - named
    return set()


_COMPARE_UNNAMED_WITH = re.compile(
    r"\bcompar(?:e|es|ing)\b[^.;:]{1,60}?\s(?:with|to|against|versus|vs\.?)\s", re.IGNORECASE
)
#: An aim that names the drug it studies: "to study the effects of", "to evaluate".
_STUDY_OF = re.compile(
    r"\bto (?:study|evaluate|assess|investigate|examine|determine|test)\b[^.;]{0,40}?"
    r"\b(?:effects?|efficacy|effectiveness|safety|benefits?) of\b",
    re.IGNORECASE,
)
