"""NLM's indexing as a second witness of study design: a PubMed citation's publication types.

Indexers read the whole paper and state the design in a controlled vocabulary, so where a
publication type names one it wins over cues in the text. The text may still refine it within
the same kind: an indexed randomised trial the text calls a crossover stays a crossover RCT, an
indexed case report the text calls a series stays a case series; an indexed clinical trial
(``Clinical Trial, Phase II``, not stated randomised) takes the text's trial design, else the
least claim, an open-label study. Types that state no design (``Journal Article``, ``Review``,
``Comparative Study``) leave the text to decide.
"""

from __future__ import annotations

from collections.abc import Sequence

from paperkg.model import StudyDesign

__all__ = ["PUBLICATION_TYPE_DESIGNS", "indexed_design"]

_TRIALS = frozenset(
    {
        StudyDesign.RCT,
        StudyDesign.CROSSOVER_RCT,
        StudyDesign.PILOT_TRIAL,
        StudyDesign.OPEN_LABEL_STUDY,
    }
)
#: Publication types that state a design, the strongest statement first (a protocol of a
#: randomised trial is a protocol; a meta-analysis within a systematic review, a meta-analysis),
#: and the designs of the text each may be refined to.
PUBLICATION_TYPE_DESIGNS: tuple[tuple[str, StudyDesign, frozenset[StudyDesign]], ...] = (
    ("clinical trial protocol", StudyDesign.PROTOCOL, frozenset()),
    ("meta-analysis", StudyDesign.META_ANALYSIS, frozenset()),
    ("network meta-analysis", StudyDesign.META_ANALYSIS, frozenset()),
    ("systematic review", StudyDesign.SYSTEMATIC_REVIEW, frozenset()),
    ("randomized controlled trial", StudyDesign.RCT, frozenset({StudyDesign.CROSSOVER_RCT})),
    ("randomized controlled trial, veterinary", StudyDesign.RCT, frozenset()),
    ("equivalence trial", StudyDesign.RCT, frozenset({StudyDesign.CROSSOVER_RCT})),
    ("case reports", StudyDesign.CASE_REPORT, frozenset({StudyDesign.CASE_SERIES})),
    ("clinical trial", StudyDesign.OPEN_LABEL_STUDY, _TRIALS),
    ("clinical trial, phase i", StudyDesign.OPEN_LABEL_STUDY, _TRIALS),
    ("clinical trial, phase ii", StudyDesign.OPEN_LABEL_STUDY, _TRIALS),
    ("clinical trial, phase iii", StudyDesign.OPEN_LABEL_STUDY, _TRIALS),
    ("clinical trial, phase iv", StudyDesign.OPEN_LABEL_STUDY, _TRIALS),
    ("controlled clinical trial", StudyDesign.OPEN_LABEL_STUDY, _TRIALS),
    ("pragmatic clinical trial", StudyDesign.OPEN_LABEL_STUDY, _TRIALS),
    ("observational study", StudyDesign.COHORT_STUDY, frozenset()),
)


def indexed_design(
    publication_types: Sequence[str], text_design: StudyDesign | None
) -> StudyDesign | None:
    """The design the publication types state (refined by ``text_design`` within its kind),
    else ``text_design``.
    """
    stated = {name.strip().casefold() for name in publication_types}
    for name, design, refinements in PUBLICATION_TYPE_DESIGNS:
        if name in stated:
            return text_design if text_design in refinements else design
    return text_design
