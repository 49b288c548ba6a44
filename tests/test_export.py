"""Export: every format parses back to the same statements, files are replaced atomically."""

from __future__ import annotations

import gzip
import hashlib
import itertools
import json
import os
import random
import stat
import subprocess
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import rdflib

from fuzzing import RDFLIB_FORMATS
from paperkg import export_union
from paperkg.build import build
from paperkg.concepts import reconcile_concepts
from paperkg.errors import ExportError
from paperkg.export import EXPORT_FORMATS, PREFIXES, export_store
from paperkg.mapping import map_record
from paperkg.store import (
    PaperStore,
    index_graph,
    local_graphs,
    log_pushes,
    push_log_graph,
    to_rdflib_term,
)

from conftest import EXTRACTION, RECORD, SEEDS, assert_isomorphic, run_cli
from triplestore import oxigraph_command


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
    with pytest.raises(ExportError, match="unknown export format 'n3'"):
        export_store(store, tmp_path / "kg.n3", "n3")
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


# --- the sorted union (Turtle, N-Triples) -----------------------------------------------------


def _reference_union(store: PaperStore, fmt: str) -> bytes:
    """The export as the first version wrote it: a set of triples, sorted by the three terms."""
    skipped = set(local_graphs(store))
    seen: set[ox.Triple] = set()
    triples = []
    for quad in store:
        if quad.graph_name not in skipped and quad.triple not in seen:
            seen.add(quad.triple)
            triples.append(quad.triple)
    triples.sort(key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    rdf_format = EXPORT_FORMATS[fmt][0]
    prefixes = dict(PREFIXES) if fmt == "turtle" else None
    return ox.serialize(triples, format=rdf_format, prefixes=prefixes) or b""


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PaperStore]:
    """The seeds on disk, validated (a validation log), with tallies and pushed once (a push
    log)."""
    with PaperStore(tmp_path_factory.mktemp("seeds") / "store", read_only=False) as kg:
        build(kg, [str(SEEDS)])
        graph = kg.record_graphs()[0]
        endpoint = "http://localhost:1/store"
        log_pushes(kg, push_log_graph(kg, endpoint), endpoint, {graph.value: "k"})
        assert len(local_graphs(kg)) == 3
        yield kg


def _tricky_store() -> PaperStore:
    """Terms whose texts are prefixes of each other, escapes, language tags and non-ASCII."""
    kg = PaperStore()
    g1, g2 = ox.NamedNode("http://example.org/g1"), ox.NamedNode("http://example.org/g2")
    subjects: list[ox.NamedNode | ox.BlankNode] = [
        ox.NamedNode("http://example.org/a"),
        ox.NamedNode("http://example.org/a/b"),
        ox.NamedNode("http://example.org/a-"),
        ox.NamedNode("http://example.org/é"),
        ox.BlankNode("b1"),
        ox.BlankNode("b10"),
    ]
    predicates = [ox.NamedNode("http://example.org/p"), ox.NamedNode("http://example.org/p2")]
    objects: list[ox.NamedNode | ox.BlankNode | ox.Literal] = [
        ox.Literal("x"),
        ox.Literal("x", language="en"),
        ox.Literal("x y"),
        ox.Literal('line\nbreak "quoted" \\ tab\t'),
        ox.Literal("ends .\n<http://example.org/g1> .\r\n"),  # a line's end, escaped
        ox.Literal("01", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
        ox.Literal("ünïcode ☃ 𝄞"),
        ox.NamedNode("http://example.org/a"),
        ox.BlankNode("b1"),
    ]
    kg.add_quads(  # every triple in g1, two in three again in g2 (the union removes them)
        ox.Quad(s, p, o, g)
        for i, s in enumerate(subjects)
        for j, p in enumerate(predicates)
        for k, o in enumerate(objects)
        for g in (g1, g2)
        if g == g1 or (i + j + k) % 3
    )
    return kg


@pytest.mark.parametrize("fmt", ["turtle", "nt"])
def test_the_union_is_written_as_the_first_version_wrote_it(
    seeds: PaperStore, tmp_path: Path, fmt: str
) -> None:
    for kg in (seeds, _tricky_store()):
        export_store(kg, tmp_path / "out", fmt)
        assert (tmp_path / "out").read_bytes() == _reference_union(kg, fmt)


@pytest.fixture
def tiny_runs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Runs of a few lines and merges of three at a time, so a small store takes the external
    sort's every path (spills, merge rounds, the last run merged from memory); the list
    records each spill's line count."""
    spills: list[int] = []
    spill = export_union._Runs._spill

    def counted(runs: export_union._Runs, lines: Iterable[bytes]) -> None:
        lines = list(lines)
        spills.append(len(lines))
        spill(runs, lines)

    monkeypatch.setattr(export_union, "RUN_BYTES", 4_000)
    monkeypatch.setattr(export_union, "FAN_IN", 3)
    monkeypatch.setattr(export_union._Runs, "_spill", counted)
    return spills


@pytest.mark.parametrize("fmt", ["turtle", "nt"])
def test_a_union_merged_from_many_runs_is_the_same_bytes(
    seeds: PaperStore, tmp_path: Path, fmt: str, tiny_runs: list[int]
) -> None:
    # A run spills at a graph's end: the tricky store's two graphs make two runs.
    for kg, rounds in ((_tricky_store(), False), (seeds, True)):
        tiny_runs.clear()
        target = tmp_path / "out"
        count = export_store(kg, target, fmt)
        assert len(tiny_runs) >= (4 if rounds else 2)  # merged (with FAN_IN 3, in rounds)
        assert target.read_bytes() == _reference_union(kg, fmt)
        assert [p.name for p in tmp_path.iterdir()] == ["out"]  # the runs are gone
    skipped = set(local_graphs(seeds))
    expected = rdflib.Graph()
    for quad in seeds:
        if quad.graph_name not in skipped:
            expected.add(tuple(to_rdflib_term(t) for t in quad.triple))
    exported = rdflib.Graph().parse(target, format="turtle" if fmt == "turtle" else "nt")
    assert count == len(exported) == len(expected)
    assert_isomorphic(exported, expected)


def test_runs_go_to_the_folder_asked_for_and_are_removed(
    seeds: PaperStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tiny_runs: list[int]
) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "runs").mkdir()
    folders: list[Path] = []
    spill = export_union._Runs._spill

    def seen(runs: export_union._Runs, lines: Iterable[bytes]) -> None:
        spill(runs, lines)
        folders.append(runs.files[-1].parent.parent)

    monkeypatch.setattr(export_union._Runs, "_spill", seen)
    export_store(seeds, tmp_path / "out" / "kg.ttl", spill_dir=tmp_path / "runs")
    assert set(folders) == {tmp_path / "runs"}
    assert list((tmp_path / "runs").iterdir()) == []


@pytest.mark.parametrize("spilled", [False, True])
def test_a_turtle_export_failing_halfway_leaves_the_old_file(
    seeds: PaperStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spilled: bool
) -> None:
    if spilled:  # the runs on disk are removed too
        monkeypatch.setattr(export_union, "RUN_BYTES", 4_000)
    target = tmp_path / "kg.ttl"
    target.write_text("previous export\n")
    parse = ox.parse

    def fails_after_a_while(*args: Any, **kwargs: Any) -> Iterator[ox.Quad]:
        quads = parse(*args, **kwargs)
        yield from itertools.islice(quads, 100)
        raise OSError("disk full")

    monkeypatch.setattr(ox, "parse", fails_after_a_while)
    with pytest.raises(OSError, match="disk full"):
        export_store(seeds, target, "turtle")
    assert target.read_text() == "previous export\n"
    assert [p.name for p in tmp_path.iterdir()] == ["kg.ttl"]


# --- sharded N-Quads --------------------------------------------------------------------------


def _data_quads(store: PaperStore) -> set[ox.Quad]:
    skipped = set(local_graphs(store))
    return {quad for quad in store if quad.graph_name not in skipped}


def _manifest(folder: Path) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads((folder / "manifest.json").read_text())
    return manifest


def _shard_quads(path: Path) -> list[ox.Quad]:
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    return list(ox.parse(data, format=ox.RdfFormat.N_QUADS))


@pytest.mark.parametrize("compress", [False, True])
def test_shards_hold_the_data_quads_in_whole_graphs(
    seeds: PaperStore, tmp_path: Path, compress: bool
) -> None:
    folder = tmp_path / "shards"
    count = export_store(seeds, folder, "nq", shard_size=500, compress=compress)
    manifest = _manifest(folder)
    suffix = ".nq.gz" if compress else ".nq"
    names = [f"part-{n:05d}{suffix}" for n in range(len(manifest["shards"]))]
    assert sorted(p.name for p in folder.iterdir()) == sorted([*names, "manifest.json"])
    assert [entry["file"] for entry in manifest["shards"]] == names
    assert len(names) > 1
    union: list[ox.Quad] = []
    shard_of: dict[ox.NamedNode | ox.BlankNode | ox.DefaultGraph, set[str]] = {}
    for entry in manifest["shards"]:
        path = folder / entry["file"]
        quads = _shard_quads(path)
        assert entry["statements"] == len(quads) <= 500
        assert entry["bytes"] == path.stat().st_size
        assert entry["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        for quad in quads:
            shard_of.setdefault(quad.graph_name, set()).add(entry["file"])
        union.extend(quads)
    assert len(union) == len(set(union)) == count == manifest["statements"]
    assert set(union) == _data_quads(seeds)
    assert all(len(files) == 1 for files in shard_of.values())
    assert manifest["graphs"] == len(shard_of)
    assert manifest["compression"] == ("gzip" if compress else None)


def test_only_the_concept_index_is_split_and_only_when_it_alone_is_too_big(
    seeds: PaperStore, tmp_path: Path
) -> None:
    index = index_graph()
    size = sum(1 for _ in seeds.graph_quads(index))
    records: dict[ox.NamedNode | ox.BlankNode | ox.DefaultGraph, int] = {
        g: sum(1 for _ in seeds.graph_quads(g)) for g in seeds.record_graphs()
    }
    limit = size - 1  # the index is split; records larger than it are shards of their own
    assert any(n > limit for n in records.values())
    export_store(seeds, tmp_path / "s", "nq", shard_size=limit)
    index_shards = 0
    for entry in _manifest(tmp_path / "s")["shards"]:
        graphs = {q.graph_name for q in _shard_quads(tmp_path / "s" / entry["file"])}
        if entry["statements"] > limit:
            assert len(graphs) == 1
            assert records[graphs.pop()] == entry["statements"]
        index_shards += index in graphs
    assert index_shards == 2


def test_shards_load_into_oxigraph_with_its_command_line(seeds: PaperStore, tmp_path: Path) -> None:
    oxigraph = oxigraph_command()
    expected = _data_quads(seeds)
    for compress in (False, True):
        folder = tmp_path / f"shards-{compress}"
        export_store(seeds, folder, "nq", shard_size=400, compress=compress)
        location = tmp_path / f"loaded-{compress}"
        for entry in _manifest(folder)["shards"]:
            command = [oxigraph, "load", "--location", str(location)]
            done = subprocess.run(
                [*command, "--file", str(folder / entry["file"])],
                capture_output=True,
                text=True,
                check=False,
            )
            assert done.returncode == 0, done.stderr
        with PaperStore.open_existing(location) as loaded:
            assert set(loaded) == expected


def test_the_same_store_gives_the_same_shards(store: PaperStore, tmp_path: Path) -> None:
    # an in-memory store lists quads in the order they were added: the export must not
    other = PaperStore()
    other.add_quads(reversed(list(store)))
    for name, kg in (("a", store), ("b", other)):
        export_store(kg, tmp_path / name, "nq", shard_size=60, compress=True)
    files = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert files == sorted(p.name for p in (tmp_path / "b").iterdir())
    assert len(files) > 2
    for name in files:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_a_folder_that_is_not_a_paperkg_export_is_refused_untouched(
    store: PaperStore, tmp_path: Path
) -> None:
    (tmp_path / "notes.txt").write_text("mine\n")
    (tmp_path / "part-00000.nq").write_text("mine too\n")
    with pytest.raises(ExportError, match="not empty and holds no paperkg export"):
        export_store(store, tmp_path, "nq", shard_size=100)
    (tmp_path / "manifest.json").write_text('{"generator": "someone else"}\n')
    with pytest.raises(ExportError, match="not empty and holds no paperkg export"):
        export_store(store, tmp_path, "nq", shard_size=100)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "manifest.json",
        "notes.txt",
        "part-00000.nq",
    ]
    assert (tmp_path / "part-00000.nq").read_text() == "mine too\n"


def test_an_older_export_is_replaced_whole_and_other_files_are_kept(
    store: PaperStore, tmp_path: Path
) -> None:
    folder = tmp_path / "shards"
    export_store(store, folder, "nq", shard_size=20, compress=True)  # the index split in two
    assert len(_manifest(folder)["shards"]) == 3
    (folder / "README.txt").write_text("how we load these\n")
    export_store(store, folder, "nq", shard_size=100_000)
    assert sorted(p.name for p in folder.iterdir()) == [
        "README.txt",
        "manifest.json",
        "part-00000.nq",
    ]
    assert set(_shard_quads(folder / "part-00000.nq")) == set(store)


def test_an_interrupted_export_leaves_no_manifest_and_the_next_replaces_it(
    store: PaperStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "shards"
    export_store(store, folder, "nq", shard_size=30)
    monkeypatch.setattr(PaperStore, "write_triples", _failing_on_graph(2))
    with pytest.raises(OSError, match="disk full"):
        export_store(store, folder, "nq", shard_size=30)
    left = sorted(p.name for p in folder.iterdir())
    assert "manifest.json" not in left
    assert not [name for name in left if name.endswith(".tmp")]
    monkeypatch.undo()
    export_store(store, folder, "nq", shard_size=30)
    assert not (folder / ".paperkg-export-incomplete").exists()
    shards = [folder / entry["file"] for entry in _manifest(folder)["shards"]]
    assert sorted(folder.iterdir()) == sorted([*shards, folder / "manifest.json"])
    assert {q for path in shards for q in _shard_quads(path)} == set(store)


def test_shard_options_are_checked(store: PaperStore, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="shards are N-Quads, not turtle"):
        export_store(store, tmp_path / "s", "turtle", shard_size=10)
    with pytest.raises(ExportError, match="gzip is for shards"):
        export_store(store, tmp_path / "kg.nq", "nq", compress=True)
    (tmp_path / "kg.nq").write_text("")
    with pytest.raises(ExportError, match="is a file, and shards go into a folder"):
        export_store(store, tmp_path / "kg.nq", "nq", shard_size=10)
    with pytest.raises(ExportError, match="is a folder"):
        export_store(store, tmp_path, "nq")


def test_the_command_line_writes_shards_and_refuses_a_foreign_folder(
    seeds: PaperStore, tmp_path: Path
) -> None:
    # the CLI opens the store itself: export from a copy of the seeds' quads on disk
    location = tmp_path / "store"
    with PaperStore(location) as copy:
        copy.add_quads(iter(seeds))
    folder = tmp_path / "shards"
    args = ["--store", str(location), "export", "--format", "nq", "--shard-size", "500"]
    code, out, err = run_cli(*args, "--gzip", "-o", str(folder))
    assert code == 0, err
    assert out.strip() == f"wrote {len(_data_quads(seeds))} statements to {folder}"
    assert _manifest(folder)["shards"][0]["file"] == "part-00000.nq.gz"
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "data.csv").write_text("a,b\n")
    code, out, err = run_cli(*args, "-o", str(tmp_path / "mine"))
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert "not empty and holds no paperkg export" in err


# --- Oxigraph writes the bytes: the same statements as the first version ----------------------


def _failing_on_graph(n: int) -> Any:
    """A ``PaperStore.write_triples`` that fails on the ``n``-th graph read (reader threads may
    read in any order, so the count is kept under a lock)."""
    write_triples = PaperStore.write_triples
    calls = itertools.count(1)
    lock = threading.Lock()

    def failing(store: PaperStore, graph: ox.NamedNode, output: Any) -> None:
        with lock:
            call = next(calls)
        if call == n:
            raise OSError("disk full")
        write_triples(store, graph, output)

    return failing


def _first_version(store: PaperStore, fmt: str) -> bytes:
    """The export as the first version wrote it, every quad read into Python: N-Quads in the
    store's order, TriG and JSON-LD sorted by graph, subject, predicate and object, the union
    formats as :func:`_reference_union` (RDF/XML with the prefixes too)."""
    if fmt in ("turtle", "nt"):
        return _reference_union(store, fmt)
    rdf_format = EXPORT_FORMATS[fmt][0]
    if fmt == "rdfxml":
        triples = ox.parse(_reference_union(store, "nt"), format=ox.RdfFormat.N_TRIPLES)
        return ox.serialize(triples, format=rdf_format, prefixes=dict(PREFIXES)) or b""
    skipped = set(local_graphs(store))
    quads = [quad for quad in store if quad.graph_name not in skipped]
    if fmt != "nq":
        quads.sort(key=lambda q: tuple(str(t) for t in (q.graph_name, *q.triple)))
    prefixes = dict(PREFIXES) if fmt == "trig" else None
    return ox.serialize(quads, format=rdf_format, prefixes=prefixes) or b""


def _first_version_shards(store: PaperStore) -> bytes:
    """The shards' lines as the first version wrote them: each data graph's quads serialised
    from Python objects, its lines sorted, the graphs in IRI order."""
    skipped = set(local_graphs(store))
    text = b""
    for graph in store.named_graphs():
        if graph not in skipped:
            lines = ox.serialize(store.graph_quads(graph), format=ox.RdfFormat.N_QUADS) or b""
            text += b"".join(sorted(lines.splitlines(keepends=True)))
    return text


def _rdflib_quads(data: bytes, fmt: str) -> set[tuple[str, ...]]:
    """The statements rdflib reads in ``data`` (the stores hold no blank nodes to rename)."""
    dataset = rdflib.Dataset()
    dataset.parse(data=data, format=RDFLIB_FORMATS[fmt])
    quads = dataset.quads((None, None, None, None))
    return {tuple("" if term is None else term.n3() for term in quad) for quad in quads}


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory, shared_records: Path) -> Iterator[PaperStore]:
    """The public records on disk, with their tallies."""
    with PaperStore(tmp_path_factory.mktemp("records") / "store", read_only=False) as kg:
        build(kg, [str(shared_records)])
        assert local_graphs(kg)
        yield kg


@pytest.mark.parametrize("fmt", list(EXPORT_FORMATS))
@pytest.mark.parametrize("name", ["seeds", "records"])
def test_every_format_holds_the_statements_the_first_version_wrote(
    request: pytest.FixtureRequest, tmp_path: Path, name: str, fmt: str
) -> None:
    kg: PaperStore = request.getfixturevalue(name)
    assert not any(quad.graph_name == ox.DefaultGraph() for quad in kg)  # all in named graphs
    target = tmp_path / "out"
    count = export_store(kg, target, fmt)
    new, old = target.read_bytes(), _first_version(kg, fmt)
    rdf_format = EXPORT_FORMATS[fmt][0]
    by_oxigraph = set(ox.parse(new, format=rdf_format))
    assert by_oxigraph == set(ox.parse(old, format=rdf_format))
    assert count == len(by_oxigraph) > 1000
    assert _rdflib_quads(new, fmt) == _rdflib_quads(old, fmt)
    if fmt in ("turtle", "nt", "rdfxml"):  # the sorted union: the very same bytes
        assert new == old
    if fmt == "nq":  # the very same lines, graph by graph instead of in the store's order
        assert sorted(new.splitlines()) == sorted(old.splitlines())


@pytest.mark.parametrize("name", ["seeds", "records"])
def test_shards_are_the_first_versions_bytes(
    request: pytest.FixtureRequest, tmp_path: Path, name: str
) -> None:
    kg: PaperStore = request.getfixturevalue(name)
    export_store(kg, tmp_path / "s", "nq", shard_size=10**9)
    assert (tmp_path / "s" / "part-00000.nq").read_bytes() == _first_version_shards(kg)
    export_store(kg, tmp_path / "z", "nq", shard_size=10**9, compress=True)
    shard = (tmp_path / "z" / "part-00000.nq.gz").read_bytes()
    assert gzip.decompress(shard) == _first_version_shards(kg)


def test_quads_keep_literals_whose_text_looks_like_a_line_end(tmp_path: Path) -> None:
    kg = _tricky_store()
    for fmt in ("nq", "trig", "jsonld"):
        export_store(kg, tmp_path / fmt, fmt)
        assert set(ox.parse(path=str(tmp_path / fmt), format=EXPORT_FORMATS[fmt][0])) == set(kg)
    export_store(kg, tmp_path / "shards", "nq", shard_size=7)
    shards = sorted((tmp_path / "shards").glob("part-*.nq"))
    assert {quad for path in shards for quad in _shard_quads(path)} == set(kg)
    assert b"".join(path.read_bytes() for path in shards) == _first_version_shards(kg)


@pytest.mark.parametrize("fmt", ["nq", "nt", "turtle", "trig", "jsonld"])
def test_an_export_failing_while_reading_a_graph_leaves_the_old_file_and_no_thread(
    seeds: PaperStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    target = tmp_path / f"kg.{fmt}"
    target.write_text("previous export\n")
    threads = threading.active_count()
    monkeypatch.setattr(PaperStore, "write_triples", _failing_on_graph(5))
    with pytest.raises(OSError, match="disk full"):
        export_store(seeds, target, fmt)
    assert target.read_text() == "previous export\n"
    assert [p.name for p in tmp_path.iterdir()] == [target.name]
    assert threading.active_count() == threads  # the readers are gone


def test_the_merge_gives_every_line_once_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    # Runs that share lines, read in blocks of a few lines, merged into batches of at most 7.
    monkeypatch.setattr(export_union, "BATCH", 7)
    rng = random.Random(14)
    lines = [f"<http://example.org/{n}> <http://example.org/p> {n % 7} .\n" for n in range(400)]
    runs = [sorted({line.encode() for line in rng.sample(lines, rng.randrange(0, 120))})]
    runs += [sorted({line.encode() for line in rng.sample(lines, 90)}) for _ in range(5)]
    blocks = [iter([run[i : i + 4] for i in range(0, len(run), 4)]) for run in runs]
    batches = list(export_union._merge(blocks))
    assert all(0 < len(batch) <= 7 for batch in batches)
    assert [line for batch in batches for line in batch] == sorted(set().union(*runs))
