"""Export: every format parses back to the same statements, files are replaced atomically."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from paperkg.concepts import reconcile_concepts
from paperkg.errors import ExportError
from paperkg.export import EXPORT_FORMATS, export_store
from paperkg.mapping import map_record
from paperkg.store import PaperStore, to_rdflib_term

from conftest import EXTRACTION, RECORD, assert_isomorphic


@pytest.fixture
def store() -> PaperStore:
    kg = PaperStore()
    kg.put_record(map_record(RECORD, EXTRACTION))
    reconcile_concepts(kg)
    return kg


def _union_as_rdflib(store: PaperStore) -> rdflib.Graph:
    graph = rdflib.Graph()
    for quad in store:
        graph.add(tuple(to_rdflib_term(t) for t in (quad.subject, quad.predicate, quad.object)))
    return graph


def test_turtle_parses_to_the_same_triples_in_rdflib_and_oxigraph(
    store: PaperStore, tmp_path: Path
) -> None:
    target = tmp_path / "kg.ttl"
    count = export_store(store, target, "turtle")
    expected = _union_as_rdflib(store)
    assert count == len(expected)
    with_rdflib = rdflib.Graph().parse(target, format="turtle")
    assert_isomorphic(with_rdflib, expected)
    with_oxigraph = rdflib.Graph()
    for triple in ox.parse(path=str(target), format=ox.RdfFormat.TURTLE):
        with_oxigraph.add(
            tuple(to_rdflib_term(t) for t in (triple.subject, triple.predicate, triple.object))
        )
    assert_isomorphic(with_oxigraph, expected)


@pytest.mark.parametrize("fmt", ["nq", "trig"])
def test_quad_formats_keep_the_record_graph(store: PaperStore, tmp_path: Path, fmt: str) -> None:
    target = tmp_path / f"kg.{fmt}"
    export_store(store, target, fmt)
    rdf_format = EXPORT_FORMATS[fmt][0]
    quads = set(ox.parse(path=str(target), format=rdf_format))
    assert quads == set(store)


def test_jsonld_and_ntriples_round_trip(store: PaperStore, tmp_path: Path) -> None:
    nt = tmp_path / "kg.nt"
    export_store(store, nt, "nt")
    assert len(rdflib.Graph().parse(nt, format="nt")) == len(_union_as_rdflib(store))
    jsonld = tmp_path / "kg.jsonld"
    export_store(store, jsonld, "jsonld")
    assert set(ox.parse(path=str(jsonld), format=ox.RdfFormat.JSON_LD)) == set(store)


def test_the_same_store_exports_the_same_bytes(store: PaperStore, tmp_path: Path) -> None:
    other = PaperStore()
    other.put_record(map_record(RECORD, EXTRACTION))
    reconcile_concepts(other)
    export_store(store, tmp_path / "a.ttl")
    export_store(other, tmp_path / "b.ttl")
    assert (tmp_path / "a.ttl").read_bytes() == (tmp_path / "b.ttl").read_bytes()


def test_a_failed_export_leaves_the_old_file_and_no_temporary(
    store: PaperStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "kg.ttl"
    target.write_text("previous export\n")

    def broken(statements: object, stream: object, *args: object, **kwargs: object) -> None:
        stream.write(b"@prefix half")  # type: ignore[attr-defined]
        raise OSError("disk full")

    monkeypatch.setattr(ox, "serialize", broken)
    with pytest.raises(OSError, match="disk full"):
        export_store(store, target, "turtle")
    assert target.read_text() == "previous export\n"
    assert [p.name for p in tmp_path.iterdir()] == ["kg.ttl"]


def test_unknown_format_and_missing_folder_are_clear_errors(
    store: PaperStore, tmp_path: Path
) -> None:
    with pytest.raises(ExportError, match="unknown export format 'rdfxml'"):
        export_store(store, tmp_path / "kg.rdf", "rdfxml")
    with pytest.raises(ExportError, match="folder does not exist"):
        export_store(store, tmp_path / "no" / "kg.ttl")


def test_an_export_is_readable_as_the_umask_allows(store: PaperStore, tmp_path: Path) -> None:
    # Regression: exports were created mode 0600 (the temporary file's), unreadable by a
    # triple store running as another user.
    previous = os.umask(0o022)
    try:
        export_store(store, tmp_path / "out.ttl", "turtle")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "out.ttl").stat().st_mode) == 0o644
