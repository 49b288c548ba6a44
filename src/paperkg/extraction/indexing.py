"""NLM's indexing as a second witness: of study design, a PubMed citation's publication types;
of findings, its MeSH headings' qualifiers and chemical list (:func:`with_indexing`).

Indexers read the whole paper and state the design in a controlled vocabulary, so where a
publication type names one it wins over cues in the text. The text may still refine it within
the same kind: an indexed randomised trial the text calls a crossover stays a crossover RCT, an
indexed case report the text calls a series stays a case series; an indexed clinical trial
(``Clinical Trial, Phase II``, not stated randomised) takes the text's trial design, else the
least claim, an open-label study. Types that state no design (``Journal Article``, ``Review``,
``Comparative Study``) leave the text to decide.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

from paperkg.extraction.finding_results import name_pattern
from paperkg.model import (
    Concept,
    Evidence,
    ExtractorInfo,
    Finding,
    IndexingAgreement,
    MeshHeading,
    Outcome,
    PaperRecord,
    StudyDesign,
)

__all__ = ["INDEXING_EXTRACTOR", "PUBLICATION_TYPE_DESIGNS", "indexed_design", "with_indexing"]

#: The extractor of findings NLM's indexing states and the text does not (their provenance).
INDEXING_EXTRACTOR = ExtractorInfo("mesh-indexing", "1.0.0")

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


#: Qualifiers on a disease heading that say the citation treats it with drugs, or that a
#: chemical caused it.
_TREATED = frozenset({"drug therapy"})
_CAUSED = frozenset({"chemically induced"})
_THERAPEUTIC = frozenset({"therapeutic use"})
#: The section of mentions NLM's indexing gave (:data:`paperkg.readers.citation.INDEXING`).
_INDEXING = "mesh-indexing"


def with_indexing(
    findings: Sequence[Finding], concepts: Mapping[str, Concept], record: PaperRecord
) -> list[Finding]:
    """The text's findings, each with what NLM's indexing of the citation says of its pair,
    then the pairs the indexing alone states (:func:`_indexed_pairs`), added as findings of
    their own (``indexing_only``, extractor ``mesh-indexing``, outcome ``not_stated``).

    Indexers put the qualifier ``therapeutic use`` on a drug's class heading (``Quinazolines``)
    more often than on the drug, which the chemical list names (``erlotinib``); so a pair is
    ``confirmed`` when the condition's heading (or, for a subtype the text names, its broader
    concept's) has ``drug therapy`` and the drug is among the citation's indexed chemicals,
    ``indexed_as_harm`` when the condition's heading has ``chemically induced`` instead, else
    ``not_indexed``. Unchanged without MeSH headings.
    """
    headings = record.mesh_headings
    if not headings:
        return list(findings)
    treated = {h.identifier for h in headings if h.identifier and _TREATED & set(h.qualifiers)}
    caused = {h.identifier for h in headings if h.identifier and _CAUSED & set(h.qualifiers)}
    indexed = {m.identifier for m in record.entities if m.section == _INDEXING and m.identifier}
    indexed |= {h.identifier for h in headings if h.identifier}

    def agreement(finding: Finding) -> IndexingAgreement:
        drug, condition = concepts[finding.drug], concepts[finding.condition]
        if not indexed & set(drug.identifiers):
            return IndexingAgreement.NOT_INDEXED
        # a subtype the text names ("lung adenocarcinoma") is indexed under its broader heading
        ids = set(condition.identifiers).union(
            *(concepts[key].identifiers for key in condition.broader if key in concepts)
        )
        if ids & caused and not ids & treated:
            return IndexingAgreement.INDEXED_AS_HARM
        if ids & treated:
            return IndexingAgreement.CONFIRMED
        return IndexingAgreement.NOT_INDEXED

    found = [dataclasses.replace(f, indexing=agreement(f)) for f in findings]
    known = {(f.drug, f.condition) for f in found}
    added = _indexed_pairs(concepts, record)
    return found + [f for f in added if (f.drug, f.condition) not in known]


def _indexed_pairs(concepts: Mapping[str, Concept], record: PaperRecord) -> list[Finding]:
    """The pairs the indexing states: a drug heading with ``therapeutic use`` and a condition
    heading with ``drug therapy``, when the drug is one the title or abstract names.

    The named-in-the-text test keeps the drug and drops the class headings indexers give the
    same qualifier (``Antineoplastic Agents``, ``Pyrazoles``, ``Quinazolines``), which no
    abstract names as what it gave. Harm headings (``adverse effects`` with ``chemically
    induced``) add nothing: the indexing does not say what the drug was given for.
    """
    by_id = {curie: key for key, c in concepts.items() for curie in c.identifiers}
    text = " ".join(part for part in (record.title, record.abstract) if part)

    def keys(qualifier: frozenset[str]) -> list[tuple[str, MeshHeading]]:
        return [
            (by_id[h.identifier], h)
            for h in record.mesh_headings
            if h.identifier in by_id and qualifier & set(h.qualifiers)
        ]

    drugs = [(key, h) for key, h in keys(_THERAPEUTIC) if name_pattern(concepts[key]).search(text)]
    conditions = keys(_TREATED)
    return [
        Finding(
            drug=drug,
            condition=condition,
            outcome=Outcome.NOT_STATED,
            evidence=(Evidence(_statement(given, treated), _INDEXING),),
            extractor=INDEXING_EXTRACTOR,
            indexing=IndexingAgreement.INDEXING_ONLY,
        )
        for drug, given in drugs
        for condition, treated in conditions
        if drug != condition
    ]


def _statement(drug: MeshHeading, condition: MeshHeading) -> str:
    """What the indexing says, as the finding's evidence (``MeSH indexing: Buspirone/therapeutic
    use; Anxiety/drug therapy``).
    """
    treated = f"{condition.descriptor}/drug therapy"
    return f"MeSH indexing: {drug.descriptor}/therapeutic use; {treated}"
