"""What each tried drug's findings are about: the studied conditions it was given for."""

from __future__ import annotations

from paperkg.extraction.concepts import label_key
from paperkg.model import Concept

__all__ = ["drug_targets", "related"]


def drug_targets(
    purposes: set[str], studied: list[str], known: set[str], concepts: dict[str, Concept]
) -> list[str]:
    """The studied conditions a drug's findings are about.

    A drug the text says was given for a studied condition counts for that one only; a drug given
    for another named condition ("tramadol for low back pain" in a depression case) for none;
    otherwise for every studied condition. A purpose that names a studied condition more or
    less specifically ("hepatitis C virus" for "chronic hepatitis C virus") is that condition.
    """
    named = purposes & known
    if not named:
        return list(studied)
    return [
        condition
        for condition in studied
        if condition in named or any(related(concepts[condition], concepts[n]) for n in named)
    ]


def related(first: Concept, second: Concept) -> bool:
    """One concept's name holds one of the other's names as whole words."""
    for one in (first.label, *first.synonyms):
        for other in (second.label, *second.synonyms):
            a, b = f" {label_key(one)} ", f" {label_key(other)} "
            if len(a) > 4 and len(b) > 4 and (a in b or b in a):
                return True
    return False
