"""A validated build judges its record graphs a batch at a time, from the quads it writes: the
report and the validation log must be those of validating the same graphs in the store after
the build, a graph that breaks a shape in a later batch reported, a withdrawn graph left out.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import RDF, SH

import paperkg.validate
from paperkg.build import build
from paperkg.store import PaperStore, term_text, validation_graphs
from paperkg.validate import ValidationReport, load_shapes, validate_store
from paperkg.vocab import PKG

from conftest import DATA, SEEDS

SHIPPED_SHAPES = load_shapes()
PKG_DESCRIBES = ox.NamedNode(str(PKG.describes))


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Three graphs a batch, so the eight seed records are judged in three batches."""
    monkeypatch.setattr(paperkg.validate, "BATCH", 3)


def _log(store: PaperStore) -> set[tuple[str, str, str]]:
    """The validation log's statements (graph, property, value), whatever its graph name."""
    return {
        (term_text(q.subject), q.predicate.value, term_text(q.object))
        for log in validation_graphs(store)
        for q in store.graph_quads(log)
    }


def _built_then_validated(shapes: rdflib.Graph) -> tuple[PaperStore, ValidationReport]:
    """The seeds built without validation, then their graphs validated in the store at once."""
    store = PaperStore()
    built = build(store, [SEEDS], validate=False, workers=1)
    return store, validate_store(store, graphs=built.changed_graphs, shapes=shapes)


def test_a_build_validated_in_batches_gives_the_report_of_one_pass(small_batches: None) -> None:
    seen: list[str] = []
    store = PaperStore()
    report = build(store, [SEEDS], workers=1, validation_progress=seen.append)
    assert len(report.changed_graphs) == 8
    assert sorted(seen) == sorted(report.changed_graphs)  # each graph once
    expected_store, expected = _built_then_validated(SHIPPED_SHAPES)
    assert report.validation == expected
    assert report.validation.conforms
    assert report.validation.graphs_checked == 8
    assert _log(store) == _log(expected_store)
    assert len(_log(store)) == 2 * 8


def _refusing(paper: str) -> rdflib.Graph:
    """The shipped shapes and one more: the node ``paper`` may have no ``rdf:type``."""
    shapes = rdflib.Graph()
    shapes += SHIPPED_SHAPES
    shape, prop = rdflib.URIRef("urn:test:no-type"), rdflib.BNode()
    shapes.add((shape, RDF.type, SH.NodeShape))
    shapes.add((shape, SH.targetNode, rdflib.URIRef(paper)))
    shapes.add((shape, SH.property, prop))
    shapes.add((prop, SH.path, RDF.type))
    shapes.add((prop, SH.maxCount, rdflib.Literal(0)))
    return shapes


def test_a_graph_breaking_a_shape_in_the_last_batch_is_reported(
    small_batches: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    probe = PaperStore()
    last = ox.NamedNode(build(probe, [SEEDS], validate=False, workers=1).changed_graphs[-1])
    (paper,) = (term_text(q.object) for q in probe.quads_for_pattern(last, PKG_DESCRIBES, None))
    shapes = _refusing(paper)
    monkeypatch.setattr(paperkg.validate, "load_shapes", lambda: shapes)
    store = PaperStore()
    report = build(store, [SEEDS], workers=1)
    assert report.changed_graphs[-1] == last.value  # written last: in the third batch
    expected_store, expected = _built_then_validated(shapes)
    assert report.validation == expected
    assert not report.validation.conforms
    assert {r.graph for r in report.validation.results} == {last.value}
    assert {r.focus_node for r in report.validation.results} == {paper}
    assert _log(store) == _log(expected_store)
    assert (last.value, str(PKG.conforms), "false") in _log(store)


def test_a_graph_withdrawn_while_its_batch_waits_leaves_the_report_and_the_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(paperkg.validate, "BATCH", 3)  # both graphs wait in one batch
    withdrawn = tmp_path / "a-withdrawn.nbib"
    withdrawn.write_text(
        "PMID- 26432306\nTI  - A paper PubMed later withdrew.\n"
        "AB  - Patients with schizophrenia were given clozapine.\nDP  - 2015 Oct\n",
        encoding="utf-8",
    )
    shutil.copy(DATA / "pubmed" / "pubmed-article-set.xml", tmp_path / "b-set.xml")
    store, seen = PaperStore(), list[str]()
    sources = [withdrawn, tmp_path / "b-set.xml"]
    report = build(store, sources, workers=1, validation_progress=seen.append)
    assert sorted(seen) == sorted([*report.removed, *report.changed_graphs])  # both judged
    (kept,) = report.changed_graphs
    assert report.validation is not None
    assert report.validation.graphs_checked == 1
    assert {graph for graph, _, _ in _log(store)} == {kept}
    again = validate_store(store, graphs=[kept])
    assert report.validation == again
