"""The OWL ontology: parses, agrees with ``paperkg.vocab`` both ways, is aligned and described."""

from __future__ import annotations

import enum
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Node

from paperkg.model import DrugRole, Outcome, StudyDesign
from paperkg.vocab import (
    DCTERMS,
    DESIGN,
    DIRECTION,
    FAVOURS,
    OUTCOME,
    OWL,
    PKG,
    RDF,
    RDFS,
    ROLE,
    SKOS,
    VOCAB_IRI,
)

if TYPE_CHECKING:
    from rdflib.namespace import DefinedNamespace

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY = ROOT / "ontology" / "paperkg.ttl"
SHAPES = ROOT / "shapes" / "paperkg-shapes.ttl"
EXAMPLE = Path(__file__).resolve().parent / "data" / "shapes" / "record-graph.valid.ttl"
ONTOLOGY_IRI = URIRef("https://w3id.org/paperkg/vocab")
XSD = "http://www.w3.org/2001/XMLSchema#"

DECLARATIONS = {
    OWL.Class,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    OWL.NamedIndividual,
}
ALIGNMENT = {
    RDFS.subClassOf,
    RDFS.subPropertyOf,
    OWL.equivalentClass,
    OWL.equivalentProperty,
    SKOS.exactMatch,
    SKOS.closeMatch,
    SKOS.broadMatch,
    SKOS.narrowMatch,
    SKOS.relatedMatch,
}
NAMESPACES: tuple[type[DefinedNamespace], ...] = (PKG, OUTCOME, DESIGN, ROLE, DIRECTION, FAVOURS)
SCHEMES = {ns: URIRef(str(ns._NS)) for ns in NAMESPACES if ns is not PKG}
#: a drug given is a finding, not a mention with a role: the one DrugRole code without an individual
MENTION_ROLES = [role for role in DrugRole if role is not DrugRole.INTERVENTION]


@cache
def onto() -> Graph:
    return Graph().parse(ONTOLOGY, format="turtle")


def vocab_terms() -> set[URIRef]:
    return {ns[name] for ns in NAMESPACES for name in ns.__annotations__}


def ids(ns: type[DefinedNamespace]) -> list[tuple[str, URIRef]]:
    return [(name, ns[name]) for name in ns.__annotations__]


def is_external(term: Node) -> bool:
    return isinstance(term, URIRef) and not str(term).startswith("https://w3id.org/paperkg/")


def pkg_classes() -> set[URIRef]:
    return {
        c
        for c in onto().subjects(RDF.type, OWL.Class)
        if isinstance(c, URIRef) and str(c).startswith(VOCAB_IRI)
    }


# -- parsing and header ---------------------------------------------------------------------------


def test_parses_with_rdflib_and_pyoxigraph_to_the_same_triples() -> None:
    quads = list(pyoxigraph.parse(path=ONTOLOGY, format=pyoxigraph.RdfFormat.TURTLE))
    assert len(onto()) > 300
    assert len(quads) == len(onto())
    store = pyoxigraph.Store()
    store.extend(quads)
    rows = store.query(
        "PREFIX owl: <http://www.w3.org/2002/07/owl#> "
        "SELECT (COUNT(?c) AS ?n) WHERE { ?c a owl:Class "
        "FILTER(STRSTARTS(STR(?c), 'https://w3id.org/paperkg/vocab/')) }"
    )
    assert isinstance(rows, pyoxigraph.QuerySolutions)
    assert int(next(iter(rows))["n"].value) == len(pkg_classes())


def test_ontology_header() -> None:
    g = onto()
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in g
    assert list(g.subjects(RDF.type, OWL.Ontology)) == [ONTOLOGY_IRI]
    assert g.value(ONTOLOGY_IRI, OWL.versionInfo) == Literal("0.1.0")
    assert g.value(ONTOLOGY_IRI, DCTERMS.title) is not None
    assert g.value(ONTOLOGY_IRI, DCTERMS.description) is not None
    assert g.value(ONTOLOGY_IRI, DCTERMS.license) == URIRef("https://spdx.org/licenses/MIT")


# -- vocab.py <-> ontology ------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "term"), [t for ns in NAMESPACES for t in ids(ns)], ids=str)
def test_vocab_term_is_declared_with_label_and_definition(name: str, term: URIRef) -> None:
    g = onto()
    types = set(g.objects(term, RDF.type))
    assert types & DECLARATIONS, f"{name} is not declared"
    labels = [o for o in g.objects(term, RDFS.label) if isinstance(o, Literal)]
    assert [label.language for label in labels] == ["en"], f"{name}: one English rdfs:label"
    definitions = [o for o in g.objects(term, SKOS.definition) if isinstance(o, Literal)]
    assert len(definitions) == 1, f"{name}: one skos:definition"
    assert len(str(definitions[0])) > 15


def test_every_project_term_in_the_ontology_is_in_vocab() -> None:
    known = vocab_terms() | set(SCHEMES.values())
    used = {
        term
        for triple in onto()
        for term in triple
        if isinstance(term, URIRef) and str(term).startswith(VOCAB_IRI)
    }
    assert used - known == set()
    assert vocab_terms() <= used


def test_terms_have_the_right_kind() -> None:
    g = onto()
    for _, term in ids(PKG):
        kinds = set(g.objects(term, RDF.type)) & DECLARATIONS
        expected = OWL.Class if term.split("/")[-1][0].isupper() else None
        if expected is not None:
            assert kinds == {OWL.Class}, term
        else:
            assert len(kinds & {OWL.ObjectProperty, OWL.DatatypeProperty}) == 1, term
    for ns, cls in (
        (OUTCOME, PKG.Outcome),
        (DESIGN, PKG.StudyDesign),
        (ROLE, PKG.DrugRole),
        (DIRECTION, PKG.Direction),
        (FAVOURS, PKG.Favours),
    ):
        for _, term in ids(ns):
            assert {OWL.NamedIndividual, cls, SKOS.Concept} <= set(g.objects(term, RDF.type))


# -- controlled vocabularies ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ns", "cls", "codes"),
    [
        (OUTCOME, PKG.Outcome, list(Outcome)),
        (DESIGN, PKG.StudyDesign, list(StudyDesign)),
        (ROLE, PKG.DrugRole, MENTION_ROLES),
    ],
    ids=["outcome", "design", "role"],
)
def test_concept_scheme(ns: type[DefinedNamespace], cls: URIRef, codes: list[enum.StrEnum]) -> None:
    g = onto()
    scheme = SCHEMES[ns]
    assert (scheme, RDF.type, SKOS.ConceptScheme) in g
    members = {term for _, term in ids(ns)}
    assert {ns[code.value] for code in codes} == members
    assert set(g.objects(scheme, SKOS.hasTopConcept)) == members
    for name, term in ids(ns):
        assert g.value(term, SKOS.notation) == Literal(name)
        assert g.value(term, SKOS.inScheme) == scheme
    # the class is closed: exactly these individuals
    (enumeration,) = list(g.objects(cls, OWL.equivalentClass))
    one_of = g.value(enumeration, OWL.oneOf)
    assert one_of is not None
    assert set(Collection(g, one_of)) == members


# -- alignment ------------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", sorted(PKG[n] for n in PKG.__annotations__ if n[0].isupper()))
def test_every_class_is_aligned_to_an_external_vocabulary(cls: URIRef) -> None:
    g = onto()
    targets = [o for p in ALIGNMENT for o in g.objects(cls, p) if is_external(o)]
    assert targets, f"{cls} has no alignment"


def test_required_alignments() -> None:
    biolink = "https://w3id.org/biolink/vocab/"
    g = onto()
    for s, p, o in [
        (PKG.Chemical, RDFS.subClassOf, biolink + "ChemicalEntity"),
        (PKG.Condition, RDFS.subClassOf, biolink + "DiseaseOrPhenotypicFeature"),
        (PKG.Species, SKOS.exactMatch, biolink + "OrganismTaxon"),
        (PKG.Intervention, RDFS.subClassOf, biolink + "Treatment"),
        (PKG.Finding, RDFS.subClassOf, biolink + "Association"),
        (PKG.text, SKOS.closeMatch, biolink + "supporting_text"),
        (PKG.mentions, RDFS.subPropertyOf, biolink + "mentions"),
        (PKG.Paper, RDFS.subClassOf, "http://purl.org/spar/fabio/ResearchPaper"),
        (PKG.Journal, RDFS.subClassOf, "http://purl.org/spar/fabio/Journal"),
        (PKG.Author, RDFS.subClassOf, "http://xmlns.com/foaf/0.1/Person"),
        (PKG.RecordGraph, RDFS.subClassOf, "http://www.w3.org/ns/prov#Entity"),
        (PKG.Dose, RDFS.subClassOf, "http://schema.org/DoseSchedule"),
    ]:
        assert (s, p, URIRef(o)) in g, (s, p, o)


def test_super_terms_are_declared_with_the_same_kind() -> None:
    g = onto()
    for sup in g.objects(None, RDFS.subClassOf):
        if isinstance(sup, URIRef):
            assert (sup, RDF.type, OWL.Class) in g, sup
    for sub, sup in g.subject_objects(RDFS.subPropertyOf):
        kind = set(g.objects(sub, RDF.type)) & {OWL.ObjectProperty, OWL.DatatypeProperty}
        assert kind
        assert kind <= set(g.objects(sup, RDF.type)), (sub, sup)


# -- agreement with the data and the shapes -------------------------------------------------------


def test_every_term_the_example_record_uses_is_declared() -> None:
    builtin = {RDF.type, RDFS.label, RDFS.seeAlso}
    data = Graph().parse(EXAMPLE, format="turtle")
    g = onto()
    for p in set(data.predicates()) - builtin:
        assert set(g.objects(p, RDF.type)) & DECLARATIONS, f"property {p} not declared"
    for c in set(data.objects(None, RDF.type)):
        assert (c, RDF.type, OWL.Class) in g, f"class {c} not declared"


def test_ranges_agree_with_the_shapes() -> None:
    shapes = Graph().parse(SHAPES, format="turtle")
    g = onto()
    checked = 0
    for prop_shape in shapes.subjects(SH.path, None):
        path = shapes.value(prop_shape, SH.path)
        if not (isinstance(path, URIRef) and str(path).startswith(VOCAB_IRI)):
            continue
        rng = g.value(path, RDFS.range)
        datatype = shapes.value(prop_shape, SH.datatype)
        cls = shapes.value(prop_shape, SH["class"])
        if datatype is not None:
            assert (path, RDF.type, OWL.DatatypeProperty) in g, path
            assert rng == datatype, path
            checked += 1
        if cls is not None:
            assert (path, RDF.type, OWL.ObjectProperty) in g, path
            union = g.value(rng, OWL.unionOf)
            assert rng == cls or (union is not None and cls in set(Collection(g, union))), path
            checked += 1
    assert checked > 30


def test_datatype_ranges_are_xsd() -> None:
    g = onto()
    for prop in g.subjects(RDF.type, OWL.DatatypeProperty):
        rng = g.value(prop, RDFS.range)
        if str(prop).startswith(VOCAB_IRI):
            assert rng is not None, prop
            assert str(rng).startswith(XSD), prop
