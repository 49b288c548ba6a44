"""What a review of a class reviewed: the drugs its evidence is about.

A systematic review or meta-analysis whose title names a class or no drug ("antidepressants in
X", "systemic treatments for Y") tried, through the studies it read, each drug its results name:
"citalopram was studied in 12 RCTs", "two studies on X", "X (21 studies)". Its studies are its
evidence, not the background they are in a trial's abstract.
"""

from __future__ import annotations

import re

from paperkg.extraction import lexicon
from paperkg.extraction.sentences import Sentence

__all__ = ["reviews_evidence"]

#: Words by which a review reports what its studies tested.
_EVIDENCE = re.compile(
    r"\b(?:studies|trials|RCTs|series|reports)\s+(?:on|of|with|using|testing|evaluating)\b|"
    r"\b(?:was|were)\s+(?:(?:the\s+)?most\s+)?(?:studied|evaluated|assessed|investigated|tested|"
    r"examined)\b|\(\s*\d+\s+(?:studies|trials|RCTs)\s*\)|"
    r"\b(?:had|showed)\s+(?:the\s+)?most\s+evidence\b|"
    # what the review found of them: "evidence supported X", "X reached significance"
    r"\bsupport(?:ed|s)?\s+the\s+use\s+of\b|\bresults?\s+(?:revealed|showed|indicated|suggested)\b|"
    + "|".join(lexicon.FOUND_EVIDENCE_CUES),
    re.IGNORECASE,
)
#: The parts of a structured abstract that report what the review found.
_FOUND_PARTS = re.compile(r"\b(?:results?|findings|conclusions?)\b", re.IGNORECASE)


def reviews_evidence(sentence: Sentence) -> bool:
    """Whether the sentence reports what a review's studies tested or found."""
    return bool(
        _EVIDENCE.search(sentence.text)
        or _FOUND_PARTS.search(sentence.subsection)
        # a record's key findings are what the review found
        or sentence.section == "key_findings"
    )
