"""Mapping: a record and its extraction become the documented graph (docs/graph-model.md)."""

from __future__ import annotations

import dataclasses

import rdflib

from paperkg.mapping import concept_iri, map_record, paper_iri
from paperkg.model import (
    Extraction,
    PaperRecord,
)
from paperkg.store import to_rdflib_term

from conftest import DATA, DRUG, EXTRACTION, HEADACHE, RECORD, assert_isomorphic


def _as_rdflib(quads: tuple[object, ...]) -> rdflib.Graph:
    graph = rdflib.Graph()
    for quad in quads:
        graph.add(
            (
                to_rdflib_term(quad.subject),  # type: ignore[attr-defined]
                to_rdflib_term(quad.predicate),  # type: ignore[attr-defined]
                to_rdflib_term(quad.object),  # type: ignore[attr-defined]
            )
        )
    return graph


def test_tiny_record_maps_to_the_expected_graph() -> None:
    mapped = map_record(RECORD, EXTRACTION, extractor="rules/9.9.9")
    expected = rdflib.Graph().parse(DATA / "mapping" / "tiny.expected.ttl")
    actual = _as_rdflib(mapped.quads)
    # The build key hashes the package version: compare it separately.
    build_key = rdflib.URIRef("https://w3id.org/paperkg/vocab/buildKey")
    version = rdflib.URIRef("https://w3id.org/paperkg/vocab/paperkgVersion")
    for predicate in (build_key, version):
        actual.remove((None, predicate, None))
        expected.remove((None, predicate, None))
    assert_isomorphic(actual, expected)


def test_all_quads_are_in_the_record_graph() -> None:
    mapped = map_record(RECORD, EXTRACTION)
    assert mapped.graph.value == "https://w3id.org/paperkg/id/graph/doi/10.1234/tiny.1"
    assert {quad.graph_name for quad in mapped.quads} == {mapped.graph}


def test_paper_identity_prefers_doi_then_pmcid_then_pmid_then_title() -> None:
    assert paper_iri("doi:10.1/x") == "https://w3id.org/paperkg/id/paper/doi/10.1/x"
    assert paper_iri("pmc:PMC9") == "https://w3id.org/paperkg/id/paper/pmc/PMC9"
    no_doi = map_record(
        PaperRecord(source="a", sha256="1" * 64, title="T", pmid="5", pmcid="PMC7"), Extraction()
    )
    assert no_doi.paper_key == "pmc:PMC7"
    only_title = map_record(PaperRecord(source="a", sha256="1" * 64, title="T"), Extraction())
    assert only_title.paper_key.startswith("title:")


def test_doi_case_does_not_split_a_paper() -> None:
    upper = map_record(RECORD, EXTRACTION)
    lower = map_record(
        PaperRecord(source="b", sha256="2" * 64, title="other copy", doi="10.1234/tiny.1"),
        Extraction(),
    )
    assert upper.paper == lower.paper


def test_label_only_concepts_get_minted_iris_under_the_base() -> None:
    assert (
        concept_iri(HEADACHE, "http://kg.example/") == "http://kg.example/concept/disease/headache"
    )
    assert concept_iri(DRUG) == "http://id.nlm.nih.gov/mesh/D000001"


def test_build_key_changes_with_the_input_bytes_and_base_iri() -> None:
    first = map_record(RECORD, EXTRACTION).build_key
    assert map_record(RECORD, EXTRACTION).build_key == first
    changed = dataclasses.replace(RECORD, sha256="f" * 64)
    assert map_record(changed, EXTRACTION).build_key != first
    assert map_record(RECORD, EXTRACTION, base_iri="http://kg.example/").build_key != first
