"""The sparql engine's shortcuts give pyshacl's results: each way a screen can decide.

A count plan is first screened by counting (no node has two values of the path in any graph:
then only the focus nodes without a value are looked for); a node-level ``sh:or`` / ``sh:xone``
is first screened with sets of nodes; a shape whose target class has no instance is not run.
The screens look at the whole store at once, so each case holds the graphs of one way (validated
together, in one store) and is compared with pyshacl; the expected results are listed so no
case is vacuous.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from paperkg.store import PaperStore
from paperkg.validate import ValidationReport, validate_file
from paperkg.validate_sparql import SparqlEngine

PREFIXES = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix : <urn:x:> .
"""

COUNTS = """
:S a sh:NodeShape ; sh:targetClass :C ;
    sh:property [ sh:path :p ; sh:minCount 1 ; sh:maxCount 1 ] ;
    sh:property [ sh:path [ sh:inversePath :q ] ; sh:minCount 1 ; sh:maxCount 1 ] ;
    sh:property [ sh:path :r ; sh:maxCount 1 ] .
:Absent a sh:NodeShape ; sh:targetClass :D ; sh:property [ sh:path :p ; sh:minCount 1 ] .
"""

SHARED = """
:A a sh:NodeShape ; sh:targetClass :C ; sh:property :Label , :Key .
:B a sh:NodeShape ; sh:targetClass :D, :E ; sh:property :Label , :Key .
:Label a sh:PropertyShape ; sh:path :label ;
    sh:minCount 1 ; sh:maxCount 1 ; sh:datatype xsd:string .
:Key a sh:PropertyShape ; sh:path :key ; sh:minCount 1 .
"""

STRINGS = """
:S a sh:NodeShape ; sh:targetClass :C ;
    sh:property [ sh:path :p ; sh:datatype xsd:string ; sh:minLength 1 ] .
"""
FINE = ":a a :C ; :p 'a', 'b' ."

NODE_SETS = """
:Or a sh:NodeShape ; sh:targetClass :F ;
    sh:or ( [ sh:path :i ; sh:maxCount 0 ] [ sh:path ( :i :d ) ; sh:equals :d ] ) .
:Xone a sh:NodeShape ; sh:targetClass :R ;
    sh:xone ( [ sh:path :c ; sh:minCount 1 ] [ sh:path :l ; sh:minCount 1 ] ) .
:Other a sh:NodeShape ; sh:targetClass :T ;
    sh:or ( [ sh:path :n ; sh:datatype xsd:integer ]
            [ sh:path :n ; sh:maxCount 1 ; sh:minCount 1 ] ) .
"""

#: (shapes, graphs by name, the expected (graph, focus node, path, component) of each result;
#: no path is "", an inverse path, a blank node, is "(blank)")
Found = tuple[str, str, str, str]
CASES: dict[str, tuple[str, dict[str, str], set[Found] | list[Found]]] = {
    "counts, no node with two values": (
        COUNTS,
        {
            "urn:g:missing": ":a a :C . :b :q :a .",
            "urn:g:inverse-missing": ":a a :C ; :p 1 .",
            "urn:g:fine": ":a a :C ; :p 1 . :b :q :a .",
        },
        {
            ("urn:g:missing", "urn:x:a", "urn:x:p", "MinCount"),
            ("urn:g:inverse-missing", "urn:x:a", "(blank)", "MinCount"),
        },
    ),
    "counts, two values in some graphs": (
        COUNTS,
        {
            "urn:g:missing": ":a a :C . :b :q :a .",
            "urn:g:two": ":a a :C ; :p 1, 2 ; :r 1, 2 . :b :q :a . :c :q :a .",
            "urn:g:two-not-focus": ":a a :C ; :p 1 . :b :q :a . :x :p 1, 2 ; :r 3, 4 .",
        },
        {
            ("urn:g:missing", "urn:x:a", "urn:x:p", "MinCount"),
            ("urn:g:two", "urn:x:a", "urn:x:p", "MaxCount"),
            ("urn:g:two", "urn:x:a", "urn:x:r", "MaxCount"),
            ("urn:g:two", "urn:x:a", "(blank)", "MaxCount"),
        },
    ),
    "a property shape of two node shapes": (
        SHARED,
        {
            "urn:g:both": ":a a :C, :D ; :key 'a' .",
            "urn:g:two-targets": ":a a :D, :E ; :label 'a' .",
            "urn:g:two-labels": ":a a :C ; :label 'a', 'b' ; :key 'a' . :b a :D ; :label 1 .",
            "urn:g:fine": ":a a :C ; :label 'a' ; :key 'a' . :b a :E ; :label 'b' ; :key 'b' .",
        },
        [
            ("urn:g:both", "urn:x:a", "urn:x:label", "MinCount"),
            ("urn:g:both", "urn:x:a", "urn:x:label", "MinCount"),
            ("urn:g:two-targets", "urn:x:a", "urn:x:key", "MinCount"),
            ("urn:g:two-labels", "urn:x:a", "urn:x:label", "MaxCount"),
            ("urn:g:two-labels", "urn:x:b", "urn:x:key", "MinCount"),
            ("urn:g:two-labels", "urn:x:b", "urn:x:label", "Datatype"),
        ],
    ),
    "a non-empty string, only an empty one": (
        STRINGS,
        {"urn:g:fine": FINE, "urn:g:empty": ":a a :C ; :p '' ."},
        {("urn:g:empty", "urn:x:a", "urn:x:p", "MinLength")},
    ),
    "a non-empty string, only a language-tagged one": (
        STRINGS,
        {"urn:g:fine": FINE, "urn:g:tagged": ":a a :C ; :p 'a'@en ."},
        {("urn:g:tagged", "urn:x:a", "urn:x:p", "Datatype")},
    ),
    "a non-empty string, only an IRI and a blank node": (
        STRINGS,
        {"urn:g:fine": FINE, "urn:g:nodes": ":a a :C ; :p :b, [] ."},
        [
            ("urn:g:nodes", "urn:x:a", "urn:x:p", "Datatype"),
            ("urn:g:nodes", "urn:x:a", "urn:x:p", "Datatype"),
            ("urn:g:nodes", "urn:x:a", "urn:x:p", "MinLength"),
        ],
    ),
    "node-level or and xone, all conform": (
        NODE_SETS,
        {
            "urn:g:none": ":f a :F ; :d :x . :r a :R ; :c :x .",
            "urn:g:same": ":f a :F ; :d :x ; :i :j . :j :d :x . :r a :R ; :l 'placebo' .",
        },
        set(),
    ),
    "node-level or, broken only by a drug the intervention lacks": (
        NODE_SETS,
        {
            "urn:g:extra-drug": ":f a :F ; :d :x, :y ; :i :j . :j :d :x . :r a :R ; :c :x .",
            "urn:g:fine": ":f a :F ; :d :x ; :i :j . :j :d :x . :r a :R ; :c :x .",
        },
        {("urn:g:extra-drug", "urn:x:f", "", "Or")},
    ),
    "node-level or and xone, broken": (
        NODE_SETS,
        {
            "urn:g:other-drug": ":f a :F ; :d :x ; :i :j . :j :d :y . :r a :R ; :c :x .",
            "urn:g:extra-drug": ":f a :F ; :d :x, :y ; :i :j . :j :d :x . :r a :R .",
            "urn:g:both": ":f a :F ; :d :x . :r a :R ; :c :x ; :l 'placebo' .",
            "urn:g:fine": ":f a :F ; :d :x ; :i :j . :j :d :x . :r a :R ; :c :x .",
            "urn:g:not-compiled": ":t a :T ; :n 'one', 'two' .",
        },
        {
            ("urn:g:other-drug", "urn:x:f", "", "Or"),
            ("urn:g:extra-drug", "urn:x:f", "", "Or"),
            ("urn:g:extra-drug", "urn:x:r", "", "Xone"),
            ("urn:g:both", "urn:x:r", "", "Xone"),
            ("urn:g:not-compiled", "urn:x:t", "", "Or"),
        },
    ),
}


def _write(graphs: dict[str, str], path: Path) -> Path:
    quads = [
        ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(name))
        for name, text in graphs.items()
        for t in ox.parse((PREFIXES + text).encode(), format=ox.RdfFormat.TURTLE)
    ]
    path.write_bytes(ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"")
    return path


def _without_messages(report: ValidationReport) -> list[tuple[str | None, ...]]:
    return sorted(
        (r.graph, r.focus_node, r.path, r.component, r.value, r.severity, r.shape)
        for r in report.results
    )


def _found(report: ValidationReport) -> list[tuple[str | None, str, str, str]]:
    """(graph, focus node, path, component) of each result: no path is "", a blank node
    "(blank)"."""
    return sorted(
        (
            r.graph,
            r.focus_node,
            "" if r.path is None else r.path if r.path.startswith("urn:") else "(blank)",
            (r.component or "").rsplit("#")[-1].removesuffix("ConstraintComponent"),
        )
        for r in report.results
    )


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("case", sorted(CASES))
def test_the_shortcuts_give_pyshacls_results(case: str, tmp_path: Path) -> None:
    shapes_text, graphs, expected = CASES[case]
    shapes = rdflib.Graph().parse(data=PREFIXES + shapes_text, format="turtle")
    path = _write(graphs, tmp_path / "data.nq")
    reference = validate_file(path, shapes=shapes, engine="pyshacl")
    actual = validate_file(path, shapes=shapes, engine="sparql")
    # all but the messages: without sh:message, each engine writes its own
    assert actual.conforms == reference.conforms
    assert _without_messages(actual) == _without_messages(reference)
    assert _found(actual) == sorted(expected)
    assert actual.conforms == (not expected)


@pytest.mark.parametrize("case", sorted(CASES))
def test_queries_on_two_threads_give_the_same_results_in_the_same_order(case: str) -> None:
    """A whole store is validated with queries running at once; what each graph gets, and in
    which order, is what one query at a time gives.
    """
    shapes_text, graphs, expected = CASES[case]
    shapes = rdflib.Graph().parse(data=PREFIXES + shapes_text, format="turtle")
    store = PaperStore()
    store.add_quads(
        ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(name))
        for name, text in graphs.items()
        for t in ox.parse((PREFIXES + text).encode(), format=ox.RdfFormat.TURTLE)
    )
    names = sorted(graphs)
    one = SparqlEngine(shapes)._run(store, names, threads=1)
    two = SparqlEngine(shapes)._run(store, names, threads=2)
    assert two == one
    assert sum(len(found) for found in one.values()) == len(expected)
