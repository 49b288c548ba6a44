"""The SHACL shapes: well-formed, Core only, one per emitted class, and each constraint exercised.

Every node shape has ``tests/data/shapes/<name>.valid.ttl`` (conforms) and
``<name>.invalid.ttl`` (breaks one constraint); further ``<name>.<case>.invalid.ttl`` files cover
more constraints. An invalid file states the single result it must produce in a comment::

    # expect: focus=<iri> path=<path> component=sh:XConstraintComponent

``focus`` and ``path`` use the file's prefixes and base; ``path`` is ``pkg:p``, ``^pkg:p``
(inverse), ``pkg:a/pkg:b`` (sequence) or ``none`` (a node-level constraint).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyshacl
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, SH
from rdflib.term import Node

from paperkg.vocab import PKG, VOCAB_IRI

ROOT = Path(__file__).resolve().parents[1]
SHAPES = ROOT / "shapes" / "paperkg-shapes.ttl"
ONTOLOGY = ROOT / "ontology" / "paperkg.ttl"
DATA = Path(__file__).resolve().parent / "data" / "shapes"
BASE = "https://w3id.org/paperkg/id/"

EXPECT = re.compile(r"^#\s*expect:\s*focus=(\S+)\s+path=(\S+)\s+component=(\S+)\s*$", re.MULTILINE)

#: the classes the mapping emits instances of (docs/graph-model.md)
EMITTED = {
    PKG.Paper,
    PKG.Author,
    PKG.Authorship,
    PKG.Journal,
    PKG.Chemical,
    PKG.Condition,
    PKG.Species,
    PKG.Intervention,
    PKG.Dose,
    PKG.Finding,
    PKG.Result,
    PKG.Evidence,
    PKG.RecordGraph,
    PKG.Mention,
    PKG.StatedRelation,
    PKG.DrugMention,
    PKG.Tally,  # in the tally graph, counts kept at ingest
    PKG.MappingSet,  # a mapping set graph (build --mappings)
    PKG.Mapping,
}


@cache
def shapes() -> Graph:
    return Graph().parse(SHAPES, format="turtle")


@cache
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY, format="turtle")


def stem(cls: URIRef) -> str:
    """File stem for a class's shape: ``RecordGraph`` -> ``record-graph``."""
    local = str(cls).removeprefix(VOCAB_IRI)
    return re.sub(r"(?<!^)(?=[A-Z])", "-", local).lower()


def node_shapes() -> dict[URIRef, Node]:
    """targetClass -> node shape."""
    result: dict[URIRef, Node] = {}
    for shape in shapes().subjects(RDF.type, SH.NodeShape):
        for target in shapes().objects(shape, SH.targetClass):
            assert isinstance(target, URIRef)
            assert target not in result, f"two shapes target {target}"
            result[target] = shape
    return result


def property_shapes() -> set[Node]:
    return set(shapes().subjects(SH.path, None))


def validate(data: Graph) -> tuple[bool, Graph]:
    conforms, report, _ = pyshacl.validate(
        data, shacl_graph=shapes(), inference="none", advanced=False
    )
    return conforms, report


def path_text(report: Graph, path: Node | None) -> str:
    """A result path in the ``expect`` syntax, with full IRIs."""
    if path is None:
        return "none"
    if isinstance(path, URIRef):
        return str(path)
    inverse = report.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + path_text(report, inverse)
    if report.value(path, RDF.first) is not None:
        return "/".join(path_text(report, step) for step in Collection(report, path))
    raise AssertionError(f"unexpected path form in report: {path!r}")


@dataclass(frozen=True)
class Expected:
    focus: str
    path: str
    component: str


def expected(file: Path, data: Graph) -> Expected:
    match = EXPECT.search(file.read_text(encoding="utf-8"))
    assert match is not None, f"{file.name}: no '# expect:' line"
    ns = data.namespace_manager

    def term(text: str) -> str:
        if text.startswith("<") and text.endswith(">"):
            return BASE + text[1:-1] if "://" not in text else text[1:-1]
        if text.startswith("sh:"):
            return str(SH[text.removeprefix("sh:")])
        return str(ns.expand_curie(text))

    def path(text: str) -> str:
        if text == "none":
            return text
        steps = []
        for step in text.split("/"):
            steps.append("^" + term(step[1:]) if step.startswith("^") else term(step))
        return "/".join(steps)

    focus, result_path, component = match.groups()
    return Expected(term(focus), path(result_path), term(component))


def load(file: Path) -> Graph:
    # the file's own prefixes only (rdflib otherwise binds schema: to https://schema.org/)
    return Graph(bind_namespaces="none").parse(file, format="turtle", publicID=BASE)


VALID = sorted(DATA.glob("*.valid.ttl"))
INVALID = sorted(DATA.glob("*.invalid.ttl"))


# -- the shapes graph itself ----------------------------------------------------------------------


def test_shapes_graph_is_well_formed_shacl() -> None:
    conforms, _, text = pyshacl.validate(
        Graph(), shacl_graph=shapes(), inference="none", meta_shacl=True
    )
    assert conforms, text


def test_one_node_shape_per_emitted_class() -> None:
    assert set(node_shapes()) == EMITTED


def test_every_target_class_is_declared_in_the_ontology() -> None:
    for cls in node_shapes():
        assert (cls, RDF.type, OWL.Class) in ontology(), cls


def test_every_instantiable_pkg_class_has_a_shape() -> None:
    # classes defined by enumerating their members (outcomes, designs, roles) are vocabularies
    enumerated = {
        cls
        for cls, eq in ontology().subject_objects(OWL.equivalentClass)
        if ontology().value(eq, OWL.oneOf) is not None
    }
    pkg_classes = {
        cls
        for cls in ontology().subjects(RDF.type, OWL.Class)
        if isinstance(cls, URIRef) and str(cls).startswith(VOCAB_IRI)
    }
    assert enumerated == {PKG.Outcome, PKG.StudyDesign, PKG.DrugRole, PKG.Direction, PKG.Favours}
    assert pkg_classes - enumerated == set(node_shapes())


def test_every_property_shape_has_a_name_and_a_message() -> None:
    assert property_shapes()
    for prop in property_shapes():
        name = shapes().value(prop, SH.name)
        message = shapes().value(prop, SH.message)
        assert isinstance(name, Literal), f"property shape on {shapes().value(prop, SH.path)}"
        assert isinstance(message, Literal), f"property shape on {shapes().value(prop, SH.path)}"
        assert len(str(message)) > 20


def test_core_constraints_only() -> None:
    sparql = {SH.sparql, SH.select, SH.ask, SH.construct, SH.SPARQLConstraint, SH.SPARQLTarget}
    used = set(shapes().predicates()) | set(shapes().objects(None, RDF.type))
    assert not used & sparql
    assert not [t for t in shapes().objects(None, SH.target) if isinstance(t, BNode | URIRef)]


def test_shapes_only_use_vocabulary_terms() -> None:
    pkg_terms = {
        term
        for triple in shapes()
        for term in triple
        if isinstance(term, URIRef) and str(term).startswith(VOCAB_IRI)
    }
    declared = set(ontology().subjects(RDF.type, None))
    assert pkg_terms
    assert pkg_terms <= declared, pkg_terms - declared


# -- example data ---------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", sorted(EMITTED), ids=stem)
def test_every_shape_has_a_valid_and_an_invalid_example(cls: URIRef) -> None:
    assert (DATA / f"{stem(cls)}.valid.ttl").is_file()
    assert (DATA / f"{stem(cls)}.invalid.ttl").is_file()


def test_every_example_belongs_to_a_shape() -> None:
    stems = {stem(cls) for cls in EMITTED}
    for file in VALID + INVALID:
        assert file.name.split(".")[0] in stems, file.name


@pytest.mark.parametrize("file", VALID, ids=lambda f: f.name)
def test_valid_example_conforms(file: Path) -> None:
    data = load(file)
    shape_class = next(cls for cls in EMITTED if stem(cls) == file.name.split(".")[0])
    assert any(data.subjects(RDF.type, shape_class)), f"{file.name} has no {shape_class}"
    conforms, report = validate(data)
    assert conforms, report.serialize(format="turtle")


@pytest.mark.parametrize("file", INVALID, ids=lambda f: f.name)
def test_invalid_example_breaks_exactly_the_expected_constraint(file: Path) -> None:
    data = load(file)
    expect = expected(file, data)
    conforms, report = validate(data)
    assert not conforms
    results = list(report.subjects(RDF.type, SH.ValidationResult))
    assert len(results) == 1, report.serialize(format="turtle")
    result = results[0]
    actual = Expected(
        str(report.value(result, SH.focusNode)),
        path_text(report, report.value(result, SH.resultPath)),
        str(report.value(result, SH.sourceConstraintComponent)),
    )
    assert actual == expect
    assert report.value(result, SH.resultSeverity) == SH.Violation
    message = report.value(result, SH.resultMessage)
    assert message is not None
    assert len(str(message)) > 20
