"""The concept index: one concept across records, whatever identifiers each record gave it."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
import rdflib

from paperkg.concepts import ConceptIndexReport, concept_nodes, reconcile_concepts
from paperkg.extraction import extract
from paperkg.mapping import map_record
from paperkg.model import (
    Concept,
    EntityKind,
    Evidence,
    Extraction,
    Finding,
    MappedRecord,
    Outcome,
    PaperRecord,
)
from paperkg.query import run_query
from paperkg.readers import expand_sources, read_records
from paperkg.store import PaperStore, index_graph
from paperkg.validate import load_shapes, validate_graph, validate_store
from paperkg.vocab import PKG

from conftest import DATA, SHARED

WIDGETITIS = Concept("MONDO:0900001", EntityKind.DISEASE, "widgetitis", (), ("MONDO:0900001",))


def _paper(number: int, drug: Concept, condition: Concept = WIDGETITIS) -> tuple[ox.Quad, ...]:
    record = PaperRecord(
        source=f"r{number}.txt",
        sha256=f"{number:064x}",
        title=f"Paper {number}",
        doi=f"10.1234/p{number}",
    )
    finding = Finding(
        drug=drug.key,
        condition=condition.key,
        outcome=Outcome.IMPROVED,
        evidence=(Evidence(f"{drug.label} helped.", "key_findings"),),
    )
    extraction = Extraction(
        concepts=(drug, condition),
        studied_conditions=(condition.key,),
        findings=(finding,),
    )
    return tuple(map_record(record, extraction).quads)


def _store(*papers: tuple[ox.Quad, ...]) -> PaperStore:
    store = PaperStore()
    for quads in papers:
        store.add_quads(quads)
    return store


def _drug_rows(store: PaperStore) -> list[dict[str, str | None]]:
    return run_query(store, "drugs-tried-for", {"condition": "widgetitis"}).as_dicts()


def test_a_drug_known_by_pubchem_in_one_record_and_mesh_in_another_is_one_concept() -> None:
    only_cid = Concept(
        "pubchem.compound:11", EntityKind.CHEMICAL, "velitrex", (), ("pubchem.compound:11",)
    )
    with_mesh = Concept(
        "MESH:D900001", EntityKind.CHEMICAL, "Velitrex", (), ("MESH:D900001", "pubchem.compound:11")
    )
    store = _store(_paper(1, only_cid), _paper(2, with_mesh))
    chemicals = store.query("SELECT DISTINCT ?c { ?c a <https://w3id.org/paperkg/vocab/Chemical> }")
    assert len(list(chemicals)) == 2, "each record names the drug by its own best identifier"
    report = reconcile_concepts(store)
    assert report.conflicts == ()
    assert (report.nodes, report.concepts) == (3, 2)
    (row,) = _drug_rows(store)
    assert row["drug"] == "http://id.nlm.nih.gov/mesh/D900001"
    assert row["papers"] == "2"
    assert row["drug_ids"] == "MESH:D900001|pubchem.compound:11"


def test_a_drug_without_identifier_joins_its_concept_by_label() -> None:
    bare = Concept("label:velitrex", EntityKind.CHEMICAL, "velitrex")
    known = Concept("MESH:D900001", EntityKind.CHEMICAL, "velitrex", (), ("MESH:D900001",))
    store = _store(_paper(1, bare), _paper(2, known))
    reconcile_concepts(store)
    (row,) = _drug_rows(store)
    assert row["papers"] == "2"


def test_two_identifiers_of_one_kind_are_kept_and_reported() -> None:
    first = Concept(
        "MESH:D900001", EntityKind.CHEMICAL, "velitrex", (), ("MESH:D900001", "pubchem.compound:11")
    )
    second = Concept(
        "MESH:D900001", EntityKind.CHEMICAL, "velitrex", (), ("MESH:D900001", "pubchem.compound:12")
    )
    store = _store(_paper(1, first), _paper(2, second))
    report = reconcile_concepts(store)
    (conflict,) = report.conflicts
    assert conflict.prefix == "pubchem.compound"
    assert conflict.identifiers == ("pubchem.compound:11", "pubchem.compound:12")
    (row,) = run_query(store, "identifier-conflicts").as_dicts()
    assert row["identifiers"] == "pubchem.compound:11|pubchem.compound:12"
    assert row["sources"] == "r1.txt|r2.txt"


def test_different_drugs_stay_apart_and_kinds_never_merge() -> None:
    velitrex = Concept("MESH:D900001", EntityKind.CHEMICAL, "velitrex", (), ("MESH:D900001",))
    orbazine = Concept("MESH:D900002", EntityKind.CHEMICAL, "orbazine", (), ("MESH:D900002",))
    # a condition that happens to share the drug's label is another concept
    namesake = Concept("MONDO:0900009", EntityKind.DISEASE, "velitrex", (), ("MONDO:0900009",))
    store = _store(_paper(1, velitrex), _paper(2, orbazine), _paper(3, velitrex, namesake))
    report = reconcile_concepts(store)
    assert report.concepts == 4
    assert {row["drug_label"] for row in _drug_rows(store)} == {"velitrex", "orbazine"}


def test_reconcile_is_idempotent_and_the_index_validates() -> None:
    velitrex = Concept("MESH:D900001", EntityKind.CHEMICAL, "velitrex", (), ("MESH:D900001",))
    store = _store(_paper(1, velitrex))
    reconcile_concepts(store)
    first = set(store.graph_quads(index_graph()))
    reconcile_concepts(store)
    assert set(store.graph_quads(index_graph())) == first
    report = validate_store(store)
    assert report.conforms, report.text()
    assert report.graphs_checked == 2


def test_a_node_with_two_canonical_concepts_violates_the_index_shape() -> None:
    data = rdflib.Graph().parse(
        data="""
        @prefix pkg: <https://w3id.org/paperkg/vocab/> .
        <http://x/a> pkg:canonical <http://x/b>, <http://x/c> .
        <http://x/b> pkg:canonical <http://x/b> .
        """,
        format="turtle",
    )
    report = validate_graph(data, load_shapes())
    assert not report.conforms
    (result,) = report.results
    assert result.focus_node == "http://x/a"
    assert result.path == "https://w3id.org/paperkg/vocab/canonical"


def test_the_index_is_replaced_whole() -> None:
    velitrex = Concept("MESH:D900001", EntityKind.CHEMICAL, "velitrex", (), ("MESH:D900001",))
    store = _store(_paper(1, velitrex))
    stale = ox.Quad(
        ox.NamedNode("http://x/gone"),
        ox.NamedNode("https://w3id.org/paperkg/vocab/canonical"),
        ox.NamedNode("http://x/gone"),
        index_graph(),
    )
    store.add_quads([stale])
    reconcile_concepts(store)
    assert stale not in set(store)


# --- the index kept up to date incrementally -------------------------------------------------

#: Real records whose concepts join across records by shared identifiers and labels, with
#: identifier conflicts among them.
MIXED_SOURCES = (SHARED / "records", DATA / "eval" / "dev", DATA / "eval" / "blind")


def _index(store: PaperStore) -> set[ox.Quad]:
    return set(store.graph_quads(index_graph()))


def _full_rebuild_of(store: PaperStore) -> tuple[set[ox.Quad], ConceptIndexReport]:
    """The index a full rebuild makes over the same record graphs."""
    fresh = PaperStore()
    fresh.add_quads(q for q in store if q.graph_name != index_graph())
    report = reconcile_concepts(fresh)
    return _index(fresh), report


def _mapped(records: list[PaperRecord]) -> list[MappedRecord]:
    return [map_record(record, extract(record)) for record in records]


@pytest.fixture(scope="module")
def corpus() -> list[MappedRecord]:
    records = [
        record
        for path in expand_sources([str(source) for source in MIXED_SOURCES])
        for record in read_records(path)
        if isinstance(record, PaperRecord)
    ]
    return _mapped(records)


def test_an_incremental_update_after_adding_records_equals_a_full_rebuild(
    corpus: list[MappedRecord],
) -> None:
    store = PaperStore()
    for mapped in corpus[:70]:
        store.put_record(mapped)
    reconcile_concepts(store)
    for mapped in corpus[70:]:
        store.put_record(mapped)
    report = reconcile_concepts(store, graphs=[m.graph for m in corpus[70:]])
    expected, full = _full_rebuild_of(store)
    assert _index(store) == expected
    assert report == full
    assert report.conflicts, "the records exercise conflicting identifiers"
    assert report.concepts < report.nodes, "and concepts joined across nodes"


def test_an_incremental_update_after_removing_and_replacing_equals_a_full_rebuild(
    corpus: list[MappedRecord],
) -> None:
    store = PaperStore()
    for mapped in corpus:
        store.put_record(mapped)
    reconcile_concepts(store)
    touched = set()
    for mapped in corpus[:30]:
        touched |= concept_nodes(store, mapped.graph)
        store.remove_record(mapped.graph)
    # a replaced record that now gives its first chemical another identifier
    changed = corpus[40]
    old = next(q for q in changed.quads if q.predicate.value == str(PKG.curie))
    renamed = ox.Quad(old.subject, old.predicate, ox.Literal("MESH:D999999"), old.graph_name)
    touched |= concept_nodes(store, changed.graph)
    store.replace_graph(changed.graph, [renamed if q == old else q for q in changed.quads])
    report = reconcile_concepts(store, graphs=[changed.graph], nodes=touched)
    expected, full = _full_rebuild_of(store)
    assert _index(store) == expected
    assert report == full
