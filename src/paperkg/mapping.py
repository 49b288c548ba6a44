"""Map one record and its extraction to quads in the record's own named graph.

Quads are built as pyoxigraph terms directly: this is the bulk path, and routing it through rdflib
costs 10-20x in time and memory (DESIGN.md section 2). The graph layout is documented in
``docs/graph-model.md``; each record graph is self-contained, so it validates and pushes alone.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from urllib.parse import quote

from pyoxigraph import Literal, NamedNode

from .identifiers import curie_to_iri, lookup_key, paper_key, slug, web_iri
from .model import (
    Concept,
    Direction,
    Dose,
    EntityKind,
    Extraction,
    Finding,
    MappedRecord,
    PaperRecord,
    Relation,
    StudyDesign,
)
from .quads import GraphWriter, boolean_literal, decimal_literal, integer_literal, unique
from .version import __version__
from .vocab import (
    BIBO,
    BIOLINK,
    DCTERMS,
    DEFAULT_BASE_IRI,
    DESIGN,
    DIRECTION,
    FABIO,
    FAVOURS,
    FOAF,
    OUTCOME,
    PKG,
    RDF,
    RDFS,
    ROLE,
    SCHEMA,
    SKOS,
    XSD,
)

__all__ = [
    "DIRECTION_IRIS",
    "build_key",
    "concept_iri",
    "map_record",
    "paper_iri",
    "record_identity",
]

_TRIAL_DESIGNS = frozenset(
    {
        StudyDesign.RCT,
        StudyDesign.CROSSOVER_RCT,
        StudyDesign.PILOT_TRIAL,
        StudyDesign.OPEN_LABEL_STUDY,
    }
)
_KIND_CLASSES: dict[EntityKind, tuple[str, str]] = {
    EntityKind.CHEMICAL: (str(PKG.Chemical), str(BIOLINK.ChemicalEntity)),
    EntityKind.DISEASE: (str(PKG.Condition), str(BIOLINK.DiseaseOrPhenotypicFeature)),
    EntityKind.SPECIES: (str(PKG.Species), str(BIOLINK.OrganismTaxon)),
}
_DATE_TYPES = (
    (re.compile(r"^\d{4}-\d{2}-\d{2}$"), XSD.date),
    (re.compile(r"^\d{4}-\d{2}$"), XSD.gYearMonth),
    (re.compile(r"^\d{4}$"), XSD.gYear),
)
_IRI_SAFE = "/:;()._-~"
_GENERIC_HEAD = re.compile(r"\s+(?:syndrome|disease|disorder)$")


def paper_iri(key: str, base_iri: str = DEFAULT_BASE_IRI) -> str:
    """IRI of the paper with this :func:`paperkg.identifiers.paper_key`."""
    scheme, _, local = key.partition(":")
    return f"{base_iri}paper/{scheme}/{quote(local, safe=_IRI_SAFE)}"


def record_identity(record: PaperRecord, base_iri: str = DEFAULT_BASE_IRI) -> tuple[str, NamedNode]:
    """The paper key of a record and the named graph it goes to (no extraction needed)."""
    key = paper_key(
        doi=record.doi, pmcid=record.pmcid, pmid=record.pmid, title=record.title, date=record.date
    )
    return key, NamedNode(
        f"{base_iri}graph/{paper_iri(key, base_iri).removeprefix(base_iri + 'paper/')}"
    )


def concept_iri(concept: Concept, base_iri: str = DEFAULT_BASE_IRI) -> str:
    """IRI of a concept: its canonical identifier's IRI, or a minted one for label-only concepts."""
    if not concept.key.startswith("label:"):
        try:
            return curie_to_iri(concept.key)
        except KeyError:
            pass
    return f"{base_iri}concept/{concept.kind.value}/{slug(concept.key.removeprefix('label:'))}"


def build_key(record: PaperRecord, extractor: str, base_iri: str) -> str:
    """What decides whether a stored graph is up to date: input bytes, code and settings."""
    material = f"{record.sha256}|{__version__}|{extractor}|{base_iri}"
    return hashlib.sha256(material.encode()).hexdigest()


def map_record(
    record: PaperRecord,
    extraction: Extraction,
    *,
    base_iri: str = DEFAULT_BASE_IRI,
    extractor: str = "rules",
) -> MappedRecord:
    """All quads for ``record`` in its named graph ``<base>graph/<paper key>``."""
    key, graph = record_identity(record, base_iri)
    paper = NamedNode(paper_iri(key, base_iri))
    out = GraphWriter(graph)
    record_build_key = build_key(record, extractor, base_iri)

    out.link(graph, RDF.type, str(PKG.RecordGraph))
    out.add(graph, PKG.describes, paper)
    out.text(graph, PKG.sourceFile, record.source)
    out.text(graph, PKG.sourceSha256, record.sha256)
    out.text(graph, PKG.paperkgVersion, __version__)
    out.text(graph, PKG.buildKey, record_build_key)
    out.text(graph, PKG.sourceFormat, record.source_format)
    if record.incomplete is not None:  # the reader warned that the record looks cut off
        out.add(graph, PKG.incomplete, boolean_literal(True))

    _map_paper(out, paper, key, record, base_iri)
    concept_nodes = {
        concept.key: NamedNode(concept_iri(concept, base_iri)) for concept in extraction.concepts
    }
    for concept in extraction.concepts:
        _map_concept(out, concept_nodes[concept.key], concept)
        if concept.kind in _KIND_CLASSES:
            out.add(paper, PKG.mentions, concept_nodes[concept.key])
    for condition in extraction.studied_conditions:
        out.add(paper, PKG.studiesCondition, concept_nodes[condition])
    _map_roles(out, paper, extraction, concept_nodes)
    if extraction.study_design is not None:
        out.link(paper, PKG.studyDesign, str(DESIGN[extraction.study_design.value]))
    if extraction.sample_size is not None:
        out.add(paper, PKG.sampleSize, integer_literal(extraction.sample_size))

    labels_to_conditions = {
        lookup_key(name): concept_nodes[concept.key]
        for concept in extraction.concepts
        if concept.kind is EntityKind.DISEASE
        for name in (concept.label, *concept.synonyms)
    }
    drugs_done: set[str] = set()
    for finding in extraction.findings:
        drug_concept = extraction.concept(finding.drug)
        condition_concept = extraction.concept(finding.condition)
        intervention = _map_intervention(
            out, paper, drug_concept, concept_nodes[finding.drug], finding, drugs_done
        )
        _map_finding(
            out,
            paper,
            intervention,
            finding,
            (drug_concept, concept_nodes[finding.drug]),
            (condition_concept, concept_nodes[finding.condition]),
        )
        _map_results(
            out, finding_node(paper, drug_concept, condition_concept), finding, concept_nodes
        )
        predicate = (
            BIOLINK.in_clinical_trials_for
            if extraction.study_design in _TRIAL_DESIGNS
            else BIOLINK.studied_to_treat
        )
        out.add(concept_nodes[finding.drug], predicate, concept_nodes[finding.condition])
        for partner in finding.given_with:
            out.add(
                finding_node(paper, drug_concept, condition_concept),
                PKG.givenWith,
                concept_nodes[partner],
            )
        for effect in finding.adverse_effects:
            effect_node = labels_to_conditions.get(lookup_key(effect))
            if effect_node is not None:
                out.add(concept_nodes[finding.drug], BIOLINK.has_adverse_event, effect_node)
    if record.annotations or record.relations:
        _map_annotations(out, paper, record, extraction, concept_nodes, base_iri)
    return MappedRecord(graph, paper, key, record_build_key, tuple(out.quads))


def _map_roles(
    out: GraphWriter,
    paper: NamedNode,
    extraction: Extraction,
    concept_nodes: dict[str, NamedNode],
) -> None:
    """Comorbidities, drugs named with a role (mentions, never findings) and broader concepts."""
    for condition in extraction.comorbidities:
        out.add(paper, PKG.comorbidity, concept_nodes[condition])
    for drug, role in extraction.drug_roles:
        node = NamedNode(f"{paper.value}/named/{slug(drug)}")
        out.add(paper, PKG.namesDrug, node)
        out.link(node, RDF.type, str(PKG.DrugMention))
        out.add(node, PKG.drug, concept_nodes[drug])
        out.link(node, PKG.drugRole, str(ROLE[role.value]))
    for concept in extraction.concepts:
        for broader in concept.broader:
            if broader in concept_nodes:
                out.add(concept_nodes[concept.key], SKOS.broadMatch, concept_nodes[broader])


def finding_node(paper: NamedNode, drug: Concept, condition: Concept) -> NamedNode:
    """The IRI of the finding about ``drug`` for ``condition`` in ``paper``."""
    return NamedNode(f"{paper.value}/finding/{slug(drug.key)}/{slug(condition.key)}")


def _map_paper(
    out: GraphWriter, paper: NamedNode, key: str, record: PaperRecord, base_iri: str
) -> None:
    out.link(paper, RDF.type, str(PKG.Paper))
    out.text(paper, PKG.paperKey, key)
    out.text(paper, DCTERMS.title, record.title)
    out.text(paper, BIBO.doi, record.doi.lower() if record.doi else None)
    out.text(paper, FABIO.hasPubMedId, record.pmid)
    out.text(paper, FABIO.hasPubMedCentralId, record.pmcid)
    for curie in (
        f"doi:{record.doi.lower()}" if record.doi else None,
        f"pubmed:{record.pmid}" if record.pmid else None,
        f"pmc:{record.pmcid}" if record.pmcid else None,
    ):
        if curie is not None:
            out.link(paper, RDFS.seeAlso, curie_to_iri(curie))
    if record.date:
        for pattern, datatype in _DATE_TYPES:
            if pattern.match(record.date):
                out.add(
                    paper, DCTERMS.issued, Literal(record.date, datatype=NamedNode(str(datatype)))
                )
                break
    if record.journal:
        journal = NamedNode(f"{base_iri}journal/{slug(record.journal)}")
        out.add(paper, DCTERMS.isPartOf, journal)
        out.link(journal, RDF.type, str(PKG.Journal))
        out.text(journal, DCTERMS.title, record.journal)
    out.text(paper, BIBO.volume, record.volume)
    out.text(paper, BIBO.issue, record.issue)
    out.text(paper, BIBO.pages, record.pages)
    out.text(paper, PKG.origin, record.origin)
    out.text(paper, PKG.tldr, record.tldr)
    out.text(paper, PKG.contribution, record.contribution)
    for finding in record.key_findings:
        out.text(paper, PKG.keyFinding, finding)
    out.text(paper, DCTERMS.abstract, record.abstract)
    if record.figures_count is not None:
        out.add(paper, PKG.figureCount, integer_literal(record.figures_count))
    if record.references_count is not None:
        out.add(paper, PKG.referenceCount, integer_literal(record.references_count))
    source = web_iri(record.source_url)
    if source is not None:  # the readers warned about any other
        out.link(paper, DCTERMS.source, source)
    for position, name in enumerate(record.authors, start=1):
        author = NamedNode(f"{base_iri}author/{slug(name)}")
        authorship = NamedNode(f"{paper.value}/authorship/{position}")
        out.add(paper, DCTERMS.creator, author)
        out.add(paper, PKG.hasAuthorship, authorship)
        out.link(authorship, RDF.type, str(PKG.Authorship))
        out.add(authorship, PKG.author, author)
        out.add(
            authorship,
            PKG.authorPosition,
            integer_literal(position),
        )
        out.link(author, RDF.type, str(PKG.Author))
        out.text(author, FOAF.name, name)


def _map_concept(out: GraphWriter, node: NamedNode, concept: Concept) -> None:
    for cls in _KIND_CLASSES.get(concept.kind, ()):
        out.link(node, RDF.type, cls)
    out.text(node, RDFS.label, concept.label)
    keys = _label_keys(concept.label, concept.kind)
    for synonym in concept.synonyms:
        if lookup_key(synonym) != lookup_key(concept.label):
            out.text(node, SKOS.altLabel, synonym)
        keys |= _label_keys(synonym, concept.kind)
    for curie in concept.identifiers:
        out.text(node, PKG.curie, curie)
        keys.add(lookup_key(curie))
        if curie != concept.key:
            with contextlib.suppress(KeyError):
                out.link(node, SKOS.exactMatch, curie_to_iri(curie))
    for key in sorted(keys):
        out.text(node, PKG.lookupKey, key)


#: Biolink predicate of the direct edge for each relation type a corpus states.
RELATION_PREDICATES = {"CID": BIOLINK.causes}
_RELATION_KINDS = {"CID": (EntityKind.CHEMICAL, EntityKind.DISEASE)}


def _map_annotations(
    out: GraphWriter,
    paper: NamedNode,
    record: PaperRecord,
    extraction: Extraction,
    concept_nodes: dict[str, NamedNode],
    base_iri: str,
) -> None:
    """Mentions at their offsets, and the relations the source states, with direct edges."""
    by_curie: dict[str, NamedNode] = {}
    by_name: dict[str, NamedNode] = {}
    for concept in extraction.concepts:
        node = concept_nodes[concept.key]
        for curie in concept.identifiers:
            by_curie.setdefault(curie, node)
        for name in (concept.label, *concept.synonyms):
            by_name.setdefault(lookup_key(name), node)
    for annotation in record.annotations:
        mention = NamedNode(f"{paper.value}/mention/{annotation.start}-{annotation.end}")
        out.add(paper, PKG.hasMention, mention)
        out.link(mention, RDF.type, str(PKG.Mention))
        out.add(mention, PKG.start, integer_literal(annotation.start))
        out.add(mention, PKG.end, integer_literal(annotation.end))
        out.text(mention, PKG.text, annotation.text)
        targets = [by_curie[c] for c in annotation.identifiers if c in by_curie]
        if not targets and lookup_key(annotation.text) in by_name:
            targets = [by_name[lookup_key(annotation.text)]]
        for target in targets:
            out.add(mention, PKG.denotes, target)
    for number, relation in enumerate(sorted(set(record.relations), key=_relation_order), 1):
        kinds = _RELATION_KINDS.get(relation.kind, (EntityKind.OTHER, EntityKind.OTHER))
        subject = by_curie.get(relation.subject) or _bare_concept(
            out, relation.subject, kinds[0], base_iri
        )
        obj = by_curie.get(relation.object) or _bare_concept(
            out, relation.object, kinds[1], base_iri
        )
        node = NamedNode(f"{paper.value}/relation/{number}")
        predicate = RELATION_PREDICATES.get(relation.kind, BIOLINK.related_to)
        out.add(paper, PKG.statesRelation, node)
        out.link(node, RDF.type, str(PKG.StatedRelation))
        out.text(node, PKG.relationType, relation.kind)
        out.add(node, BIOLINK.subject, subject)
        out.link(node, BIOLINK.predicate, str(predicate))
        out.add(node, BIOLINK.object, obj)
        out.add(subject, predicate, obj)


def _relation_order(relation: Relation) -> tuple[str, str, str]:
    return (relation.kind, relation.subject, relation.object)


def _bare_concept(out: GraphWriter, curie: str, kind: EntityKind, base_iri: str) -> NamedNode:
    """A concept a relation names but no mention carries: typed and labelled by its CURIE."""
    concept = Concept(curie if ":" in curie else f"label:{curie}", kind, curie, (), (curie,))
    node = NamedNode(concept_iri(concept, base_iri))
    _map_concept(out, node, concept)
    return node


def _label_keys(label: str, kind: EntityKind) -> set[str]:
    """Lookup keys for a label; a condition is also found without a generic head noun
    ("fibromyalgia syndrome" by "fibromyalgia"), as users name it.
    """
    key = lookup_key(label)
    keys = {key}
    if kind is EntityKind.DISEASE:
        shorter = _GENERIC_HEAD.sub("", key)
        if shorter and shorter != key:
            keys.add(shorter)
    return keys


def _map_intervention(
    out: GraphWriter,
    paper: NamedNode,
    drug: Concept,
    drug_node: NamedNode,
    finding: Finding,
    done: set[str],
) -> NamedNode:
    drug_slug = slug(drug.key)
    intervention = NamedNode(f"{paper.value}/intervention/{drug_slug}")
    if drug.key in done:
        return intervention
    done.add(drug.key)
    out.link(intervention, RDF.type, str(PKG.Intervention))
    out.add(intervention, PKG.drug, drug_node)
    for number, dose in enumerate(finding.doses, start=1):
        node = NamedNode(f"{paper.value}/dose/{drug_slug}/{number}")
        out.add(intervention, PKG.dose, node)
        _map_dose(out, node, dose)
    return intervention


def _map_dose(out: GraphWriter, node: NamedNode, dose: Dose) -> None:
    out.link(node, RDF.type, str(PKG.Dose))
    out.text(node, PKG.doseText, dose.text)
    if dose.value is not None:
        out.add(node, SCHEMA.doseValue, decimal_literal(dose.value))
    if dose.value_max is not None:
        out.add(node, PKG.doseMax, decimal_literal(dose.value_max))
    out.text(node, SCHEMA.doseUnit, dose.unit)
    out.text(node, SCHEMA.frequency, dose.frequency)
    out.text(node, PKG.route, dose.route)
    out.text(node, PKG.duration, dose.duration)


def _map_finding(
    out: GraphWriter,
    paper: NamedNode,
    intervention: NamedNode,
    finding: Finding,
    drug: tuple[Concept, NamedNode],
    condition: tuple[Concept, NamedNode],
) -> None:
    node = finding_node(paper, drug[0], condition[0])
    out.link(node, RDF.type, str(PKG.Finding))
    out.add(node, PKG.paper, paper)
    out.add(node, PKG.intervention, intervention)
    out.add(node, PKG.drug, drug[1])
    out.add(node, PKG.condition, condition[1])
    out.link(node, PKG.outcome, str(OUTCOME[finding.outcome.value]))
    for effect in finding.adverse_effects:
        out.text(node, PKG.adverseEffect, effect)
    for number, evidence in enumerate(unique(finding.evidence), start=1):
        evidence_node = NamedNode(f"{node.value}/evidence/{number}")
        out.add(node, PKG.evidence, evidence_node)
        out.link(evidence_node, RDF.type, str(PKG.Evidence))
        out.text(evidence_node, PKG.text, evidence.text)
        out.text(evidence_node, PKG.section, evidence.section)
    out.text(node, PKG.extractor, finding.extractor.name)
    out.text(node, PKG.extractorVersion, finding.extractor.version)
    out.add(node, PKG.confidence, decimal_literal(min(1.0, max(0.0, finding.confidence))))
    if finding.indexing is not None:
        out.text(node, PKG.indexingAgreement, finding.indexing.value)


#: The direction individual of each :class:`~paperkg.model.Direction` (its value is the label).
DIRECTION_IRIS = {
    Direction.INCREASED: DIRECTION.increased,
    Direction.DECREASED: DIRECTION.decreased,
    Direction.NO_DIFFERENCE: DIRECTION.no_difference,
}


def _map_results(
    out: GraphWriter, node: NamedNode, finding: Finding, concept_nodes: dict[str, NamedNode]
) -> None:
    """Each result a node under its finding, with its own evidence and provenance."""
    for number, result in enumerate(finding.results, start=1):
        result_node = NamedNode(f"{node.value}/result/{number}")
        out.add(node, PKG.result, result_node)
        out.link(result_node, RDF.type, str(PKG.Result))
        out.text(result_node, PKG.endpoint, result.endpoint)
        out.add(result_node, PKG.primaryEndpoint, boolean_literal(result.primary))
        if result.comparator in concept_nodes:
            out.add(result_node, PKG.comparator, concept_nodes[result.comparator])
        else:
            out.text(result_node, PKG.comparatorLabel, result.comparator)
        out.link(result_node, PKG.direction, str(DIRECTION_IRIS[result.direction]))
        out.link(result_node, PKG.favours, str(FAVOURS[result.favours.value]))
        evidence_node = NamedNode(f"{result_node.value}/evidence")
        out.add(result_node, PKG.evidence, evidence_node)
        out.link(evidence_node, RDF.type, str(PKG.Evidence))
        out.text(evidence_node, PKG.text, result.evidence.text)
        out.text(evidence_node, PKG.section, result.evidence.section)
        out.text(result_node, PKG.extractor, result.extractor.name)
        out.text(result_node, PKG.extractorVersion, result.extractor.version)
        out.add(result_node, PKG.confidence, decimal_literal(min(1.0, max(0.0, result.confidence))))
