"""The store: one transaction per record, idempotent writes, rdflib views."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from paperkg.errors import StoreError
from paperkg.mapping import map_record
from paperkg.model import PaperRecord
from paperkg.store import PaperStore, WriteOutcome, paper_store

from conftest import EXTRACTION, RECORD


def _changed_record() -> PaperRecord:
    return dataclasses.replace(
        RECORD, sha256="e" * 64, title="Drug A for condition B: the corrected title"
    )


def test_put_record_adds_then_skips_an_unchanged_record() -> None:
    store = PaperStore()
    mapped = map_record(RECORD, EXTRACTION)
    assert store.put_record(mapped) is WriteOutcome.ADDED
    size = len(store)
    assert size == len(mapped.quads)
    assert store.put_record(mapped) is WriteOutcome.UNCHANGED
    assert len(store) == size


def test_a_changed_record_replaces_its_graph_whole() -> None:
    store = PaperStore()
    store.put_record(map_record(RECORD, EXTRACTION))
    changed = map_record(_changed_record(), EXTRACTION)
    assert store.put_record(changed) is WriteOutcome.REPLACED
    titles = {
        _value(q.object)
        for q in store.quads_for_pattern(
            None, ox.NamedNode("http://purl.org/dc/terms/title"), None, None
        )
        if q.subject == changed.paper
    }
    assert titles == {"Drug A for condition B: the corrected title"}
    assert set(store) == set(changed.quads)


def _value(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    assert not isinstance(term, ox.Triple)
    return term.value


def test_record_graphs_lists_each_record_graph_once() -> None:
    store = PaperStore()
    mapped = map_record(RECORD, EXTRACTION)
    store.put_record(mapped)
    assert store.record_graphs() == [mapped.graph]


def test_rdflib_graph_is_an_equal_copy_of_the_record_graph() -> None:
    store = PaperStore()
    mapped = map_record(RECORD, EXTRACTION)
    store.put_record(mapped)
    graph = store.rdflib_graph(mapped.graph)
    assert len(graph) == len(mapped.quads)
    dataset = store.rdflib_dataset()
    assert sum(len(context) for context in dataset.graphs()) == len(mapped.quads)


def test_on_disk_store_persists_and_reopens_read_only(tmp_path: Path) -> None:
    location = tmp_path / "kg"
    mapped = map_record(RECORD, EXTRACTION)
    with PaperStore(location) as store:
        store.put_record(mapped)
    with PaperStore.open_existing(location) as reopened:
        assert reopened.build_key(mapped.graph) == mapped.build_key
        with pytest.raises(StoreError, match="read-only"):
            reopened.put_record(mapped)


def test_missing_store_says_how_to_build_one(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match=r"build one with: paperkg --store .* build RECORDS"):
        PaperStore.open_existing(tmp_path / "nothing-here")


def test_a_second_writer_gets_a_clear_error(tmp_path: Path) -> None:
    location = tmp_path / "kg"
    with PaperStore(location), pytest.raises(StoreError, match="in use by another"):
        PaperStore(location)


@pytest.mark.parametrize(
    "paper",
    [
        "10.1234/TINY.1",
        "doi:10.1234/tiny.1",
        "https://doi.org/10.1234/tiny.1",
        "https://w3id.org/paperkg/id/paper/doi/10.1234/tiny.1",
        "https://w3id.org/paperkg/id/graph/doi/10.1234/tiny.1",
    ],
)
def test_a_record_graph_is_found_by_any_paper_identifier(paper: str) -> None:
    store = PaperStore()
    mapped = map_record(RECORD, EXTRACTION)
    store.put_record(mapped)
    assert store.find_record_graph(paper) == mapped.graph
    assert len(store.rdflib_graph(paper)) == len(mapped.quads)


def test_an_unknown_paper_is_a_clear_error() -> None:
    store = PaperStore()
    with pytest.raises(StoreError, match=r"no record of paper '10\.9/none'"):
        store.find_record_graph("10.9/none")


def test_a_long_write_is_flushed_to_disk_as_it_goes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """RocksDB holds unflushed writes in memory: a build's memory grew with the store until
    the store flushed every FLUSH_EVERY statements (flushed data is in table files)."""
    mapped = map_record(RECORD, EXTRACTION)
    never = tmp_path / "never"
    monkeypatch.setattr(paper_store, "FLUSH_EVERY", 10**9)
    with PaperStore(never) as store:
        opened = len(list(never.glob("*.sst")))
        store.put_record(mapped)
        assert len(list(never.glob("*.sst"))) == opened
    often = tmp_path / "often"
    monkeypatch.setattr(paper_store, "FLUSH_EVERY", len(mapped.quads))
    with PaperStore(often) as store:
        opened = len(list(often.glob("*.sst")))
        store.put_record(mapped)
        assert len(list(often.glob("*.sst"))) > opened, "in table files before the store closed"


def _statements(graph: ox.NamedNode, count: int, fail_at: int | None = None) -> Iterator[ox.Quad]:
    """``count`` statements of ``graph``, made one at a time; the source breaks at ``fail_at``."""
    for number in range(count):
        if number == fail_at:
            raise RuntimeError("the source broke")
        subject = ox.NamedNode(f"https://example.org/concept/{number}")
        yield ox.Quad(subject, ox.NamedNode("https://example.org/p"), ox.Literal("v"), graph)


@pytest.mark.parametrize("exists", [False, True], ids=["new graph", "existing graph"])
def test_replacing_a_graph_from_a_source_that_breaks_writes_nothing(exists: bool) -> None:
    """A new graph takes its statements as they are made (the concept index of a baseline
    file), still in one transaction: a source that breaks half-way leaves the store as it was.
    """
    store = PaperStore()
    graph = ox.NamedNode("https://example.org/graph/index")
    if exists:
        store.replace_graph(graph, _statements(graph, 3))
    before = set(store)
    with pytest.raises(RuntimeError, match="the source broke"):
        store.replace_graph(graph, _statements(graph, 10, fail_at=5))
    assert set(store) == before
    store.replace_graph(graph, _statements(graph, 10))
    assert set(store) == set(_statements(graph, 10))


def test_a_new_graph_written_as_it_is_made_counts_towards_the_flush(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(paper_store, "FLUSH_EVERY", 50)
    graph = ox.NamedNode("https://example.org/graph/index")
    with PaperStore(tmp_path / "store") as store:
        opened = len(list((tmp_path / "store").glob("*.sst")))
        store.replace_graph(graph, _statements(graph, 60))
        assert len(list((tmp_path / "store").glob("*.sst"))) > opened


@pytest.mark.parametrize("logged", [False, True], ids=["first entries", "replacing entries"])
def test_replacing_statements_keeps_the_rest_and_is_one_transaction(logged: bool) -> None:
    """What the given subjects state in the graph is replaced; other subjects' statements and
    other predicates stay; a source that breaks half-way leaves the store as it was.
    """
    store = PaperStore()
    graph = ox.NamedNode("https://example.org/graph/log")
    other = ox.Quad(
        ox.NamedNode("https://example.org/concept/other"),
        ox.NamedNode("https://example.org/p"),
        ox.Literal("kept"),
        graph,
    )
    store.add_quads([other])
    if logged:
        store.replace_statements(graph, [], _statements(graph, 4))
    subjects = [q.subject for q in _statements(graph, 4)]
    assert all(isinstance(s, ox.NamedNode) for s in subjects)
    before = set(store)
    with pytest.raises(RuntimeError, match="the source broke"):
        store.replace_statements(graph, subjects, _statements(graph, 4, fail_at=2))  # type: ignore[arg-type]
    assert set(store) == before
    fresh = [
        ox.Quad(q.subject, q.predicate, ox.Literal("new"), graph) for q in _statements(graph, 4)
    ]
    store.replace_statements(graph, subjects, fresh)  # type: ignore[arg-type]
    assert set(store) == {other, *fresh}
