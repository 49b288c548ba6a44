"""Closed vocabularies: every IRI paperkg writes comes from here, so a typo fails at import.

The project terms are defined in ``ontology/paperkg.ttl``; a test checks that both agree.
"""

from __future__ import annotations

from rdflib.namespace import DefinedNamespace, Namespace
from rdflib.term import URIRef

__all__ = [
    "BIBO",
    "BIOLINK",
    "DCTERMS",
    "DEFAULT_BASE_IRI",
    "DESIGN",
    "DIRECTION",
    "FABIO",
    "FAVOURS",
    "FOAF",
    "OUTCOME",
    "OWL",
    "PKG",
    "PREFIXES",
    "PROV",
    "RDF",
    "RDFS",
    "ROLE",
    "SCHEMA",
    "SKOS",
    "XSD",
]

VOCAB_IRI = "https://w3id.org/paperkg/vocab/"
DEFAULT_BASE_IRI = "https://w3id.org/paperkg/id/"


class PKG(DefinedNamespace):
    """The paperkg vocabulary."""

    _fail = True
    _NS = Namespace(VOCAB_IRI)

    # classes
    Paper: URIRef
    Author: URIRef
    Authorship: URIRef
    Journal: URIRef
    Chemical: URIRef
    Condition: URIRef
    Species: URIRef
    Intervention: URIRef
    Dose: URIRef
    Finding: URIRef
    Result: URIRef
    Direction: URIRef
    Favours: URIRef
    Evidence: URIRef
    Outcome: URIRef
    StudyDesign: URIRef
    RecordGraph: URIRef
    Mention: URIRef
    StatedRelation: URIRef
    DrugMention: URIRef
    DrugRole: URIRef
    # paper
    paperKey: URIRef
    origin: URIRef
    tldr: URIRef
    contribution: URIRef
    keyFinding: URIRef
    figureCount: URIRef
    referenceCount: URIRef
    hasAuthorship: URIRef
    author: URIRef
    authorPosition: URIRef
    mentions: URIRef
    studiesCondition: URIRef
    comorbidity: URIRef
    namesDrug: URIRef
    drugRole: URIRef
    givenWith: URIRef
    studyDesign: URIRef
    sampleSize: URIRef
    # concepts
    curie: URIRef
    lookupKey: URIRef
    canonical: URIRef
    conceptKey: URIRef
    conceptIds: URIRef
    conflictingPrefix: URIRef
    # interventions and doses
    drug: URIRef
    dose: URIRef
    doseText: URIRef
    doseMax: URIRef
    route: URIRef
    duration: URIRef
    # findings
    paper: URIRef
    intervention: URIRef
    condition: URIRef
    outcome: URIRef
    adverseEffect: URIRef
    evidence: URIRef
    text: URIRef
    section: URIRef
    extractor: URIRef
    extractorVersion: URIRef
    confidence: URIRef
    indexingAgreement: URIRef
    # results of a finding
    result: URIRef
    endpoint: URIRef
    primaryEndpoint: URIRef
    comparator: URIRef
    comparatorLabel: URIRef
    direction: URIRef
    favours: URIRef
    # mentions at offsets and relations stated by annotated corpora
    hasMention: URIRef
    denotes: URIRef
    start: URIRef
    end: URIRef
    statesRelation: URIRef
    relationType: URIRef
    sourceFormat: URIRef
    # provenance of a record graph
    describes: URIRef
    sourceFile: URIRef
    sourceSha256: URIRef
    paperkgVersion: URIRef
    buildKey: URIRef
    incomplete: URIRef
    # validation state (the validation log graph)
    validatedBuildKey: URIRef
    conforms: URIRef
    pushEndpoint: URIRef
    pushedBuildKey: URIRef
    # tallies kept at ingest (the tally graph)
    Tally: URIRef
    tallyDrug: URIRef
    tallyCondition: URIRef
    tallyConcept: URIRef
    tallyRole: URIRef
    tallyOutcome: URIRef
    tallyDesign: URIRef
    tallyDose: URIRef
    paperCount: URIRef
    findingCount: URIRef
    sizedPaperCount: URIRef
    participantCount: URIRef
    largestSampleSize: URIRef
    talliesStale: URIRef
    # mapping sets a build loads (SSSOM files) and the merges they make
    MappingSet: URIRef
    Mapping: URIRef
    mappingSet: URIRef
    mappingSetId: URIRef
    mappingSetVersion: URIRef
    mappingJustification: URIRef
    mappingAuthor: URIRef
    mappingConfidence: URIRef
    mergedBy: URIRef


class OUTCOME(DefinedNamespace):
    """Outcome polarity individuals; local names are the :class:`paperkg.model.Outcome` codes."""

    _fail = True
    _NS = Namespace(VOCAB_IRI + "outcome/")

    improved: URIRef
    no_benefit: URIRef
    worsened: URIRef
    adverse_effects: URIRef
    mixed: URIRef
    not_stated: URIRef


class DIRECTION(DefinedNamespace):
    """Result direction individuals, for the :class:`paperkg.model.Direction` labels."""

    _fail = True
    _NS = Namespace(VOCAB_IRI + "direction/")

    increased: URIRef
    decreased: URIRef
    no_difference: URIRef


class FAVOURS(DefinedNamespace):
    """Whom a result favours; local names are the :class:`paperkg.model.Favours` codes."""

    _fail = True
    _NS = Namespace(VOCAB_IRI + "favours/")

    intervention: URIRef
    comparator: URIRef
    neither: URIRef
    unknown: URIRef


class DESIGN(DefinedNamespace):
    """Study design individuals; local names are the :class:`paperkg.model.StudyDesign` codes."""

    _fail = True
    _NS = Namespace(VOCAB_IRI + "design/")

    rct: URIRef
    crossover_rct: URIRef
    pilot_trial: URIRef
    open_label_study: URIRef
    case_report: URIRef
    case_series: URIRef
    cohort_study: URIRef
    lab_study: URIRef
    systematic_review: URIRef
    meta_analysis: URIRef
    protocol: URIRef


class ROLE(DefinedNamespace):
    """Drug role individuals; local names are the :class:`paperkg.model.DrugRole` codes (all
    but ``intervention``, which is a finding, not a mention).
    """

    _fail = True
    _NS = Namespace(VOCAB_IRI + "role/")

    comparator: URIRef
    active_placebo: URIRef
    background_therapy: URIRef
    prior_treatment: URIRef
    rescue: URIRef
    review_comparator: URIRef
    named_in_background: URIRef


class BIOLINK(DefinedNamespace):
    """The Biolink Model terms paperkg uses."""

    _fail = True
    _NS = Namespace("https://w3id.org/biolink/vocab/")

    ChemicalEntity: URIRef
    SmallMolecule: URIRef
    Drug: URIRef
    Disease: URIRef
    DiseaseOrPhenotypicFeature: URIRef
    OrganismTaxon: URIRef
    Treatment: URIRef
    Association: URIRef
    InformationContentEntity: URIRef
    Publication: URIRef
    studied_to_treat: URIRef
    in_clinical_trials_for: URIRef
    treats: URIRef
    has_adverse_event: URIRef
    mentions: URIRef
    negated: URIRef
    knowledge_level: URIRef
    agent_type: URIRef
    supporting_text: URIRef
    publications: URIRef
    subject: URIRef
    predicate: URIRef
    object: URIRef
    has_dose: URIRef
    causes: URIRef
    related_to: URIRef


class FABIO(DefinedNamespace):
    """FaBiO terms."""

    _fail = True
    _NS = Namespace("http://purl.org/spar/fabio/")

    ResearchPaper: URIRef
    JournalArticle: URIRef
    Journal: URIRef
    hasPubMedId: URIRef
    hasPubMedCentralId: URIRef


class BIBO(DefinedNamespace):
    """BIBO terms."""

    _fail = True
    _NS = Namespace("http://purl.org/ontology/bibo/")

    doi: URIRef
    pmid: URIRef
    volume: URIRef
    issue: URIRef
    pages: URIRef
    Journal: URIRef
    AcademicArticle: URIRef
    authorList: URIRef


class SCHEMA(DefinedNamespace):
    """schema.org terms, in the ``http://schema.org/`` form."""

    _fail = True
    _NS = Namespace("http://schema.org/")

    DoseSchedule: URIRef
    doseValue: URIRef
    doseUnit: URIRef
    frequency: URIRef
    MedicalEntity: URIRef


# Well-known namespaces, re-exported so that other modules import IRIs from one place.
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, XSD

#: The one prefix table of the vocabularies paperkg writes: the PREFIX lines of every query in
#: ``queries/`` and the prefixes of Turtle and TriG exports agree with it (a test checks).
#: Identifier prefixes (MONDO, MESH, ...) come from :data:`paperkg.identifiers.CANONICAL_PREFIXES`.
PREFIXES: dict[str, str] = {
    "pkg": VOCAB_IRI,
    "outcome": str(OUTCOME._NS),
    "direction": str(DIRECTION._NS),
    "favours": str(FAVOURS._NS),
    "design": str(DESIGN._NS),
    "role": str(ROLE._NS),
    "biolink": str(BIOLINK._NS),
    "fabio": str(FABIO._NS),
    "bibo": str(BIBO._NS),
    "schema": str(SCHEMA._NS),
    "dcterms": str(DCTERMS),
    "foaf": str(FOAF),
    "owl": str(OWL),
    "prov": str(PROV),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "skos": str(SKOS),
    "xsd": str(XSD),
}
