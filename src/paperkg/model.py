"""Typed, RDF-free model of a paper record and of what extraction finds in it.

Readers produce :class:`PaperRecord`; extraction produces :class:`Extraction`; the mapping turns
both into RDF. Nothing here knows about RDF, so every step can be tested on plain values.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from pyoxigraph import NamedNode, Quad

__all__ = [
    "INCOMPLETE",
    "Annotation",
    "Concept",
    "Deletion",
    "Direction",
    "Dose",
    "DrugRole",
    "EntityKind",
    "EntityMention",
    "Evidence",
    "Extraction",
    "ExtractorInfo",
    "Favours",
    "Finding",
    "IndexingAgreement",
    "MappedRecord",
    "MeshHeading",
    "Outcome",
    "PaperRecord",
    "ReaderWarning",
    "Relation",
    "Result",
    "StudyDesign",
    "is_conflicting",
]


class EntityKind(enum.StrEnum):
    """The kinds of entity a record lists."""

    CHEMICAL = "chemical"
    DISEASE = "disease"
    SPECIES = "species"
    GENE = "gene"
    OTHER = "other"


class IndexingAgreement(enum.StrEnum):
    """What NLM's MeSH indexing of a citation says of a finding's drug-condition pair."""

    CONFIRMED = "confirmed"
    INDEXED_AS_HARM = "indexed_as_harm"
    NOT_INDEXED = "not_indexed"
    #: the indexing alone states the pair (the text gave no finding of it): an added finding
    INDEXING_ONLY = "indexing_only"


class Outcome(enum.StrEnum):
    """Polarity of a finding for one (drug, condition) pair (DESIGN.md section 4)."""

    IMPROVED = "improved"
    NO_BENEFIT = "no_benefit"
    WORSENED = "worsened"
    ADVERSE_EFFECTS = "adverse_effects"
    MIXED = "mixed"
    NOT_STATED = "not_stated"


class Direction(enum.StrEnum):
    """How the intervention arm compared with its comparator on one endpoint; the values are
    the Evidence Inference labels doctors gave ("significantly increased" ...).
    """

    INCREASED = "significantly increased"
    DECREASED = "significantly decreased"
    NO_DIFFERENCE = "no significant difference"


class Favours(enum.StrEnum):
    """Whom a result favours: known where the endpoint's polarity is (lower pain is better,
    higher survival is); ``neither`` when there was no significant difference.
    """

    INTERVENTION = "intervention"
    COMPARATOR = "comparator"
    NEITHER = "neither"
    UNKNOWN = "unknown"


def is_conflicting(outcomes: Mapping[str, int]) -> bool:
    """Papers disagree: some found the drug improved the condition, others no benefit or worse."""
    return outcomes.get("improved", 0) > 0 and (
        outcomes.get("no_benefit", 0) + outcomes.get("worsened", 0) > 0
    )


class DrugRole(enum.StrEnum):
    """Why a drug named in a paper is, or is not, one of its interventions (a comparator, a
    background therapy or a prior treatment is a mention with a role, not a finding).
    """

    INTERVENTION = "intervention"
    COMPARATOR = "comparator"
    ACTIVE_PLACEBO = "active_placebo"
    BACKGROUND_THERAPY = "background_therapy"
    PRIOR_TREATMENT = "prior_treatment"
    RESCUE = "rescue"
    REVIEW_COMPARATOR = "review_comparator"
    NAMED_IN_BACKGROUND = "named_in_background"


class StudyDesign(enum.StrEnum):
    """Study design vocabulary (DESIGN.md section 4)."""

    RCT = "rct"
    CROSSOVER_RCT = "crossover_rct"
    PILOT_TRIAL = "pilot_trial"
    OPEN_LABEL_STUDY = "open_label_study"
    CASE_REPORT = "case_report"
    CASE_SERIES = "case_series"
    COHORT_STUDY = "cohort_study"
    LAB_STUDY = "lab_study"
    SYSTEMATIC_REVIEW = "systematic_review"
    META_ANALYSIS = "meta_analysis"
    PROTOCOL = "protocol"


#: How a reader's warning begins when a record looks cut off (the rest says what it lacks). A
#: warning, not a field, so that the flag travels with the record through JSON Lines unchanged.
INCOMPLETE = "incomplete record: "


@dataclass(frozen=True, slots=True)
class ReaderWarning:
    """Something a reader accepted but a user should know about (e.g. a repeated section)."""

    line: int
    message: str


@dataclass(frozen=True, slots=True)
class EntityMention:
    """One entity as a record lists it.

    ``identifier`` is a normalised CURIE (``MESH:D009271``, ``pubchem.compound:5360515``,
    ``MONDO:0005546``, ``NCBITaxon:9606``) or ``None`` when the record gives ``(-)``.
    ``raw_identifier`` keeps the text as written; ``section`` is ``"linked"`` or ``"fulltext"``,
    or ``"mesh-indexing"`` for a concept NLM's indexers gave the citation (its chemical list or
    MeSH headings): a second witness beside the text, kept apart so the two can be compared.
    """

    text: str
    kind: EntityKind
    identifier: str | None
    raw_identifier: str
    section: str
    line: int = 0
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Annotation:
    """A mention at character offsets, as annotated corpora (PubTator, BioC) give them.

    Offsets count characters of ``title + " " + abstract`` (the PubTator convention), end
    exclusive. ``identifiers`` are normalised CURIEs: several for a composite mention
    (``D007674|D056486``), none when the corpus could not normalise it (``-1``).
    """

    start: int
    end: int
    text: str
    kind: EntityKind
    identifiers: tuple[str, ...] = ()
    raw_identifier: str = ""


@dataclass(frozen=True, slots=True)
class Relation:
    """A relation the source states between two concepts (e.g. BC5CDR ``CID``: the chemical
    induces the disease), with its concepts as normalised CURIEs.
    """

    kind: str
    subject: str
    object: str


@dataclass(frozen=True, slots=True)
class MeshHeading:
    """One MeSH heading NLM's indexers gave a citation, as they wrote it: the descriptor, its
    MeSH id (``MESH:D005356``; ``None`` where the source gives none, as MEDLINE text does), its
    qualifiers (``drug therapy``) and whether it is a major topic (starred, on the descriptor or
    a qualifier). Kept whole so a later step can read descriptor/qualifier pairs.
    """

    descriptor: str
    identifier: str | None = None
    qualifiers: tuple[str, ...] = ()
    major: bool = False


@dataclass(frozen=True, slots=True)
class Deletion:
    """Papers a source withdraws (a PubMed ``DeleteCitation``): a build removes them from the
    store, in read order, as it writes records.
    """

    source: str
    line: int
    pmids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PaperRecord:
    """One paper record, as read from a file. Optional parts are ``None`` or empty."""

    source: str
    sha256: str
    title: str
    authors: tuple[str, ...] = ()
    origin: str | None = None
    doi: str | None = None
    pmid: str | None = None
    pmcid: str | None = None
    journal: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    date: str | None = None
    tldr: str | None = None
    contribution: str | None = None
    key_findings: tuple[str, ...] = ()
    abstract: str | None = None
    linked_entities: tuple[EntityMention, ...] = ()
    fulltext_entities: tuple[EntityMention, ...] = ()
    full_text: str | None = None
    figures_count: int | None = None
    references_count: int | None = None
    source_url: str | None = None
    extra_sections: tuple[tuple[str, str], ...] = ()
    warnings: tuple[ReaderWarning, ...] = ()
    annotations: tuple[Annotation, ...] = ()
    relations: tuple[Relation, ...] = ()
    #: NLM's publication types as written (``Randomized Controlled Trial``, ``Case Reports``)
    publication_types: tuple[str, ...] = ()
    mesh_headings: tuple[MeshHeading, ...] = ()
    source_format: str = "markdown"

    @property
    def entities(self) -> tuple[EntityMention, ...]:
        """Linked entities first, then full-text entities."""
        return self.linked_entities + self.fulltext_entities

    @property
    def incomplete(self) -> ReaderWarning | None:
        """The reader's warning that the record looks cut off (see :data:`INCOMPLETE`), if any."""
        return next((w for w in self.warnings if w.message.startswith(INCOMPLETE)), None)


@dataclass(frozen=True, slots=True)
class Concept:
    """One entity concept in one record: the mentions that name the same thing, grouped.

    ``key`` is the canonical CURIE chosen by identifier priority (conditions: MONDO, MeSH;
    chemicals: MeSH, ChEBI, PubChem; species: NCBITaxon), or ``label:<normalised label>`` when
    no mention carries an identifier. ``identifiers`` lists every CURIE seen for it, sorted.
    ``broader``: keys of concepts of the record this one is a subtype, stage or sequela of
    ("treatment-resistant depression" of "depression").
    """

    key: str
    kind: EntityKind
    label: str
    synonyms: tuple[str, ...] = ()
    identifiers: tuple[str, ...] = ()
    broader: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Dose:
    """A dose as written, with what could be parsed from it."""

    text: str
    value: float | None = None
    value_max: float | None = None
    unit: str | None = None
    frequency: str | None = None
    route: str | None = None
    duration: str | None = None


@dataclass(frozen=True, slots=True)
class Evidence:
    """A sentence that supports a finding and the record section it came from."""

    text: str
    section: str


@dataclass(frozen=True, slots=True)
class ExtractorInfo:
    """Which extractor produced a finding, so users can filter and extractors can be swapped."""

    name: str
    version: str


@dataclass(frozen=True, slots=True)
class Result:
    """How the intervention compared with its comparator on one endpoint of one finding.

    ``comparator`` is a drug's concept key, or a control as written (``placebo``, ``usual
    care``), or ``baseline`` for a single-arm study; ``endpoint`` is as the paper writes it.
    """

    endpoint: str
    comparator: str
    direction: Direction
    favours: Favours
    evidence: Evidence
    primary: bool = False
    extractor: ExtractorInfo = field(default_factory=lambda: ExtractorInfo("unknown", "0"))
    confidence: float = 0.5


@dataclass(frozen=True, slots=True)
class Finding:
    """A drug given for a condition in one paper, and what happened (DESIGN.md section 4)."""

    drug: str
    condition: str
    outcome: Outcome
    doses: tuple[Dose, ...] = ()
    adverse_effects: tuple[str, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    extractor: ExtractorInfo = field(default_factory=lambda: ExtractorInfo("unknown", "0"))
    confidence: float = 0.5
    #: the other drugs (concept keys) this one was given with as one combination
    given_with: tuple[str, ...] = ()
    #: per endpoint, how the drug compared with its comparator; the outcome is derived from these
    results: tuple[Result, ...] = ()
    #: what the citation's MeSH indexing says of the pair; ``None`` for a record without it
    indexing: IndexingAgreement | None = None


@dataclass(frozen=True, slots=True)
class Extraction:
    """Everything extraction derives from one record.

    ``drug`` and ``condition`` in findings, and the keys in ``studied_conditions`` and
    ``mentioned_drugs``, are :attr:`Concept.key` values of ``concepts``.
    """

    concepts: tuple[Concept, ...] = ()
    studied_conditions: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = ()
    mentioned_drugs: tuple[str, ...] = ()
    study_design: StudyDesign | None = None
    sample_size: int | None = None
    #: ``(drug key, role)`` for every drug named but not given (comparators, background, ...)
    drug_roles: tuple[tuple[str, DrugRole], ...] = ()
    #: keys of conditions the patients had but the paper did not treat (comorbidities, subgroups)
    comorbidities: tuple[str, ...] = ()

    def concept(self, key: str) -> Concept:
        """The concept with this key (raises ``KeyError`` if none)."""
        for concept in self.concepts:
            if concept.key == key:
                return concept
        raise KeyError(key)


@dataclass(frozen=True, slots=True)
class MappedRecord:
    """The quads of one record graph, with the identities a store needs to replace it."""

    graph: NamedNode
    paper: NamedNode
    paper_key: str
    build_key: str
    quads: tuple[Quad, ...]
