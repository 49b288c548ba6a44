"""The SHACL engines (sparql, the default, and pyshacl-turbo) give what the reference (pyshacl)
gives.

Compared on every shape test graph (``tests/data/shapes``), on the W3C SHACL Core tests that use
a constraint component of ``shapes/paperkg-shapes.ttl`` (the sparql engine must refuse those
using a component it does not compile, and match pyshacl on the others), and on a store whose
record graphs share concept nodes, where each graph must be judged as if it were alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import RDF, SH

import paperkg
from paperkg.errors import ShapesError
from paperkg.store import PaperStore, validation_graph
from paperkg.validate import (
    DEFAULT_ENGINE,
    ENGINES,
    ValidationReport,
    load_shapes,
    validate_file,
    validate_graph,
    validate_store,
)
from paperkg.validate_sparql_shapes import UnsupportedShapesError
from paperkg.vocab import PKG, RDFS

from conftest import DATA, SEEDS, SHARED

REFERENCE = "pyshacl"
#: The engines held to the reference's results.
CHECKED = ["sparql", "pyshacl-turbo"]
SHAPE_FILES = sorted((DATA / "shapes").glob("*.ttl"))
W3C_CORE = SHARED / "w3c" / "shacl-test-suite" / "tests" / "core"
MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = rdflib.Namespace("http://www.w3.org/ns/shacl-test#")
#: The parameters of the SHACL Core constraint components (SHACL §4).
CORE_PARAMETERS = {
    SH[name]
    for name in [
        "class",
        "datatype",
        "nodeKind",
        "minCount",
        "maxCount",
        "minExclusive",
        "minInclusive",
        "maxExclusive",
        "maxInclusive",
        "minLength",
        "maxLength",
        "pattern",
        "languageIn",
        "uniqueLang",
        "equals",
        "disjoint",
        "lessThan",
        "lessThanOrEquals",
        "not",
        "and",
        "or",
        "xone",
        "node",
        "qualifiedValueShape",
        "closed",
        "hasValue",
        "in",
    ]
}
#: The constraint parameters the sparql engine compiles (those of the shapes file).
SPARQL_COMPILED = {
    SH[name]
    for name in [
        "class",
        "datatype",
        "nodeKind",
        "minCount",
        "maxCount",
        "minInclusive",
        "maxInclusive",
        "minLength",
        "pattern",
        "in",
        "or",
        "xone",
        "equals",
        "lessThan",
        "lessThanOrEquals",
    ]
}
#: Other SHACL parameters it does not compile: paths other than predicates, inverse and
#: sequence paths; the qualified counts' parameters.
SPARQL_REFUSED = {
    *(SH.alternativePath, SH.zeroOrMorePath, SH.oneOrMorePath, SH.zeroOrOnePath),
    *(SH.qualifiedMinCount, SH.qualifiedMaxCount, SH.qualifiedValueShapesDisjoint),
}


@cache
def shapes() -> rdflib.Graph:
    return load_shapes()


def key(report: ValidationReport) -> tuple[bool, set[tuple[str, str | None, str | None]]]:
    """Conformance and the (focus node, result path, source constraint component) set."""
    return report.conforms, {(r.focus_node, r.path, r.component) for r in report.results}


def test_the_default_engine_is_sparql() -> None:
    assert DEFAULT_ENGINE == "sparql"
    assert set(CHECKED) | {REFERENCE} == set(ENGINES)


# --- the shape test graphs -----------------------------------------------------------------------


@pytest.mark.parametrize("engine", CHECKED)
@pytest.mark.parametrize("path", SHAPE_FILES, ids=lambda p: p.name)
def test_same_results_as_pyshacl_on_a_shape_test_graph(path: Path, engine: str) -> None:
    data = rdflib.Graph(bind_namespaces="none").parse(
        path, format="turtle", publicID="https://w3id.org/paperkg/id/"
    )
    expected = validate_graph(data, shapes(), graph_name="g", engine=REFERENCE)
    actual = validate_graph(data, shapes(), graph_name="g", engine=engine)
    assert key(actual) == key(expected)
    # messages, values, severities and shapes too, so `paperkg validate` prints the same
    assert actual.results == expected.results
    assert actual.conforms == path.name.endswith(".valid.ttl")


@pytest.mark.parametrize("engine", CHECKED)
def test_blank_focus_nodes_keep_their_labels(engine: str) -> None:
    data = rdflib.Graph()
    paper = rdflib.BNode()
    data.add((paper, RDF.type, PKG.Paper))
    expected = validate_graph(data, shapes(), engine=REFERENCE)
    actual = validate_graph(data, shapes(), engine=engine)
    assert not actual.conforms
    assert actual.results == expected.results
    assert {r.focus_node for r in actual.results} == {str(paper)}


# --- the W3C SHACL Core tests of the components the shapes use -----------------------------------


def _parameters(graph: rdflib.Graph) -> set[rdflib.term.Node]:
    return {p for p in graph.predicates() if p in CORE_PARAMETERS}


def _w3c_cases() -> Iterator[tuple[str, Path, Path]]:
    """(test id, data file, shapes file) of each core validation test expecting a report."""
    for manifest in sorted(W3C_CORE.rglob("*.ttl")):
        text = manifest.read_text(encoding="utf-8")
        if "sht:Validate" not in text:
            continue
        graph = rdflib.Graph().parse(manifest, format="turtle", publicID=manifest.as_uri())
        for test in graph.subjects(RDF.type, SHT.Validate):
            if graph.value(test, MF.result) == SHT.Failure:
                continue  # a test of refusing broken shapes, not of results
            action = graph.value(test, MF.action)
            data, shape = graph.value(action, SHT.dataGraph), graph.value(action, SHT.shapesGraph)
            name = str(manifest.relative_to(W3C_CORE))
            yield name, _local(data), _local(shape)


def _local(iri: rdflib.term.Node | None) -> Path:
    assert isinstance(iri, rdflib.URIRef), iri
    return Path(str(iri).removeprefix("file://"))


def _parse(path: Path) -> rdflib.Graph:
    return rdflib.Graph().parse(path, format="turtle", publicID=path.as_uri())


def _w3c_selected() -> list[tuple[str, Path, Path]]:
    if not W3C_CORE.is_dir():
        return []
    ours = _parameters(shapes())
    return [case for case in _w3c_cases() if _parameters(_parse(case[2])) & ours]


W3C_SELECTED = _w3c_selected()


def test_the_w3c_selection_covers_the_components_the_shapes_use() -> None:
    assert W3C_CORE.is_dir(), f"{W3C_CORE} is missing: the shared folder must sit beside the repo"
    covered = set().union(*(_parameters(_parse(shape)) for _, _, shape in W3C_SELECTED))
    assert _parameters(shapes()) <= covered
    assert len(W3C_SELECTED) >= 60


def _sparql_refuses(shapes_graph: rdflib.Graph) -> bool:
    """Whether the shapes use a parameter the sparql engine does not compile."""
    others = set(shapes_graph.predicates()) & SPARQL_REFUSED
    return bool(_parameters(shapes_graph) - SPARQL_COMPILED or others)


def test_the_sparql_engine_is_compared_on_most_w3c_tests() -> None:
    compared = [case for case in W3C_SELECTED if not _sparql_refuses(_parse(case[2]))]
    assert len(compared) >= 55
    covered = set().union(*(_parameters(_parse(shape)) for _, _, shape in compared))
    assert _parameters(shapes()) <= covered


@pytest.mark.filterwarnings("ignore")  # pyshacl warns about ill-formed literals the tests hold
@pytest.mark.parametrize("engine", [None, *CHECKED])
@pytest.mark.parametrize(("name", "data", "shape"), W3C_SELECTED, ids=[c[0] for c in W3C_SELECTED])
def test_same_results_as_pyshacl_on_a_w3c_core_test(
    name: str, data: Path, shape: Path, engine: str | None
) -> None:
    data_graph, shapes_graph = _parse(data), _parse(shape)
    expected = validate_graph(data_graph, shapes_graph, engine=REFERENCE)
    refused: UnsupportedShapesError | None = None
    try:
        # no engine named: sparql, or pyshacl-turbo for shapes sparql does not compile
        actual = validate_graph(data_graph, shapes_graph, engine=engine)
    except UnsupportedShapesError as error:
        refused = error
    if refused is not None:
        assert engine == "sparql", refused
        assert _sparql_refuses(shapes_graph), refused  # only what it does not compile
        assert "the sparql engine does not support sh:" in str(refused)
        return
    assert key(actual) == key(expected), name


def test_unsupported_shapes_name_the_component_and_the_default_falls_back() -> None:
    shapes_graph = rdflib.Graph().parse(
        format="turtle",
        data="""@prefix sh: <http://www.w3.org/ns/shacl#> .
        <urn:s> a sh:NodeShape ; sh:targetClass <urn:C> ;
            sh:property [ sh:path <urn:p> ; sh:hasValue <urn:v> ] .""",
    )
    data = rdflib.Graph().parse(format="turtle", data="<urn:a> a <urn:C> ; <urn:p> <urn:w> .")
    with pytest.raises(ShapesError, match="sparql engine does not support sh:hasValue"):
        validate_graph(data, shapes_graph, engine="sparql")
    report = validate_graph(data, shapes_graph)
    assert not report.conforms
    assert key(report) == key(validate_graph(data, shapes_graph, engine=REFERENCE))


SUBCLASS_SHAPES = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<urn:s> a sh:NodeShape ; sh:targetClass <urn:C> ;
    sh:property [ sh:path <urn:n> ; sh:maxInclusive 9 ; sh:message "at most 9" ] ;
    sh:property [ sh:path <urn:link> ; sh:class <urn:C> ; sh:message "a C" ] ."""


@pytest.mark.parametrize("engine", CHECKED)
def test_subclasses_and_the_data_s_own_literals(engine: str) -> None:
    """Instances of subclasses are focus nodes and meet sh:class; a value is reported as the
    data writes it (Oxigraph keeps "010" as 10).
    """
    data = rdflib.Graph().parse(
        format="turtle",
        data="""@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        <urn:Sub> rdfs:subClassOf <urn:C> .
        <urn:a> a <urn:Sub> ; <urn:link> <urn:b>, <urn:x> .
        <urn:b> a <urn:Sub> .""",
    )
    number = rdflib.Literal("010", datatype=rdflib.XSD.integer, normalize=False)
    data.add((rdflib.URIRef("urn:a"), rdflib.URIRef("urn:n"), number))
    shapes_graph = rdflib.Graph().parse(format="turtle", data=SUBCLASS_SHAPES)
    expected = validate_graph(data, shapes_graph, engine=REFERENCE)
    actual = validate_graph(data, shapes_graph, engine=engine)
    assert actual.results == expected.results
    assert {(r.focus_node, r.value) for r in actual.results} == {
        ("urn:a", "010"),
        ("urn:a", "urn:x"),
    }


# --- a store: each record graph judged alone ---------------------------------------------------


def _shared_chemical(store: PaperStore) -> tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode]:
    """A chemical typed in two record graphs, and those graphs."""
    typed = ox.NamedNode(str(RDF.type))
    chemical = ox.NamedNode(str(PKG.Chemical))
    graphs: dict[ox.NamedNode, list[ox.NamedNode]] = {}
    for quad in store.quads_for_pattern(None, typed, chemical):
        if isinstance(quad.subject, ox.NamedNode) and isinstance(quad.graph_name, ox.NamedNode):
            graphs.setdefault(quad.subject, []).append(quad.graph_name)
    node, (first, second, *_) = next((n, g) for n, g in sorted(graphs.items()) if len(g) > 1)
    return node, first, second


@pytest.fixture
def shared_store() -> Iterator[tuple[PaperStore, ox.NamedNode, ox.NamedNode]]:
    """The seeds, with one chemical relabelled in one graph (alone, each graph conforms; pooled,
    the chemical has two labels) and untyped in another (alone, that graph breaks sh:class;
    pooled, the type from the other graph would hide it).
    """
    store = paperkg.open_store()
    assert paperkg.build(store, [str(SEEDS)], validate=False).ok
    chemical, relabelled, untyped = _shared_chemical(store)
    label = ox.NamedNode(str(RDFS.label))
    for quad in list(store.quads_for_pattern(chemical, label, None, relabelled)):
        store.remove_quads([quad])
    store.add_quads([ox.Quad(chemical, label, ox.Literal("another name"), relabelled)])
    store.remove_quads(
        [ox.Quad(chemical, ox.NamedNode(str(RDF.type)), ox.NamedNode(str(PKG.Chemical)), untyped)]
    )
    yield store, relabelled, untyped
    store.close()


def _log(store: PaperStore) -> set[ox.Quad]:
    return set(store.graph_quads(validation_graph()))


@pytest.mark.parametrize("engine", CHECKED)
def test_each_record_graph_is_judged_alone(
    shared_store: tuple[PaperStore, ox.NamedNode, ox.NamedNode], engine: str
) -> None:
    store, relabelled, untyped = shared_store
    # one shapes graph for both: a result names its shape, often a blank node of that graph
    expected = validate_store(store, shapes=shapes(), engine=REFERENCE)
    expected_log = _log(store)
    actual = validate_store(store, shapes=shapes(), engine=engine)
    assert actual == expected
    assert actual.text() == expected.text()
    assert _log(store) == expected_log
    assert {r.graph for r in actual.results} == {untyped.value}
    assert "ClassConstraintComponent" in {
        (r.component or "").rsplit("#")[-1] for r in actual.results
    }
    assert relabelled.value not in {r.graph for r in actual.results}


@pytest.mark.parametrize("engine", CHECKED)
def test_only_the_given_graphs_are_validated(
    shared_store: tuple[PaperStore, ox.NamedNode, ox.NamedNode], engine: str
) -> None:
    store, relabelled, untyped = shared_store
    report = validate_store(store, graphs=[relabelled.value], engine=engine)
    assert report.conforms
    assert report.graphs_checked == 1
    assert {quad.subject for quad in _log(store)} == {relabelled}
    report = validate_store(store, graphs=[untyped.value, relabelled.value], engine=engine)
    assert not report.conforms
    assert report.graphs_checked == 2
    assert {quad.subject for quad in _log(store)} == {relabelled, untyped}


@pytest.mark.parametrize("share", ["one", "two", "all but one"])
def test_the_sparql_engine_gives_pyshacls_results_for_some_graphs(
    shared_store: tuple[PaperStore, ox.NamedNode, ox.NamedNode], share: str
) -> None:
    """A few graphs are copied out and validated apart; most of the store, validated in place
    with the rows of the other graphs dropped: each way, what pyshacl gives for those graphs.
    """
    store, relabelled, untyped = shared_store
    others = [g.value for g in store.record_graphs() if g not in (relabelled, untyped)]
    chosen = {"one": [untyped.value], "two": [untyped.value, relabelled.value]}.get(
        share, [untyped.value, relabelled.value, *others[1:]]
    )
    expected = validate_store(store, graphs=chosen, shapes=shapes(), engine=REFERENCE)
    actual = validate_store(store, graphs=chosen, shapes=shapes(), engine="sparql")
    assert actual == expected
    assert not actual.conforms
    assert actual.graphs_checked == len(chosen)


@pytest.mark.parametrize("engine", CHECKED)
def test_a_file_with_named_graphs_gives_the_same_report(
    shared_store: tuple[PaperStore, ox.NamedNode, ox.NamedNode], tmp_path: Path, engine: str
) -> None:
    store, relabelled, untyped = shared_store
    quads = [*store.graph_quads(relabelled), *store.graph_quads(untyped)]
    path = tmp_path / "kg.nq"
    path.write_bytes(ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"")
    actual = validate_file(path, shapes=shapes(), engine=engine)
    assert actual == validate_file(path, shapes=shapes(), engine=REFERENCE)
    assert (actual.graphs_checked, {r.graph for r in actual.results}) == (2, {untyped.value})


# --- choosing an engine, broken shapes -------------------------------------------------------


def test_an_unknown_engine_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown SHACL engine"):
        validate_graph(rdflib.Graph(), shapes(), engine="nonesuch")


@pytest.mark.parametrize("engine", [*CHECKED, REFERENCE])
def test_broken_shapes_are_a_shapes_error(engine: str) -> None:
    broken = rdflib.Graph().parse(
        format="turtle",
        data="""@prefix sh: <http://www.w3.org/ns/shacl#> .
        <urn:s> a sh:NodeShape ; sh:targetClass <urn:C> ;
            sh:property [ sh:path <urn:p> ; sh:minCount "many" ] .""",
    )
    data = rdflib.Graph().parse(format="turtle", data="<urn:a> a <urn:C> .")
    with pytest.raises(ShapesError, match="validation could not run"):
        validate_graph(data, broken, engine=engine)
