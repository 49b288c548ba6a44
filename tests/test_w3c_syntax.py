"""The W3C RDF 1.1 syntax suites (Turtle, N-Triples, N-Quads) against every path of paperkg that
writes or reads RDF syntax, judged by independent parsers (Oxigraph, strictly, and rdflib).

Writers: each positive test's graph is written into a store the way a build writes a record
graph (``put_record``; again through ``replace_graph``, whose ``INSERT DATA`` is N-Triples text),
then goes out through every writer: ``export`` in each format and as shards, the push body,
``serve``'s CONSTRUCT and SELECT answers, the build workers' N-Quads and the rdflib copy. Every
output must parse back isomorphic to the suite's graph (the expected N-Triples of an evaluation
test, else the input as Oxigraph reads it). paperkg keeps only named graphs, so a test's default
graph, and an N-Quads graph named by a blank node, sit in a named graph of the test's own.

Readers: ``validate --data`` (rdflib) and ``validate --shapes`` (rdflib, Turtle) read every
positive test and reject every negative one with a one-line error (no traceback); they store
nothing. ``export``'s reader of its own N-Triples lines and the build workers' N-Quads reader
only ever read Oxigraph's output, so they are covered by the writers' round trips.

Where a parser departs from the suite, the departure is listed below with its reason; a listed
departure that no longer happens fails too, so the lists stay true.
"""

from __future__ import annotations

import gzip
import io
import json
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from unittest import mock

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.query import Result

from paperkg import build_pool, export_union, push
from paperkg.build import build
from paperkg.errors import ExportError, ShapesError
from paperkg.export import EXPORT_FORMATS, export_store
from paperkg.model import MappedRecord
from paperkg.push import push_store
from paperkg.serve import _answer_query
from paperkg.store import PaperStore, local_graphs, to_rdflib_term
from paperkg.validate import load_shapes, validate_file
from w3c_departures import (
    RDFLIB_ACCEPTS,
    RDFLIB_REJECTS,
    STORE_NORMALISES,
    Departure,
    departures,
)
from w3c_suites import (
    HOME,
    SUITES,
    Case,
    RdflibQuad,
    cases,
    expected,
    from_oxigraph,
    from_rdflib,
    negative,
    positive,
    same,
    want,
)

from conftest import SEEDS, run_cli
from triplestore import OxigraphServer, oxigraph_server

# --- the writers ----------------------------------------------------------------------------------


def stored(case: Case, *, replaced: bool = False) -> PaperStore:
    """The test's graphs in a store as a build writes them: one record graph each, added (or
    added empty, then replaced: the ``INSERT DATA`` path)."""
    store = PaperStore()
    by_graph: dict[ox.NamedNode, list[ox.Quad]] = {}
    for quad in expected(case):
        assert isinstance(quad.graph_name, ox.NamedNode)
        by_graph.setdefault(quad.graph_name, []).append(quad)
    for graph, quads in by_graph.items():
        if replaced:
            store.put_record(MappedRecord(graph, graph, graph.value, "old", ()))
        store.put_record(MappedRecord(graph, graph, graph.value, "new", tuple(quads)))
    return store


#: What a writer wrote, as each parser read it back: (parser, statements or the parse error,
#: whether graph names count).
Readings = list[tuple[str, list[RdflibQuad] | str, bool]]


def reading(parser: str, read: Callable[[], list[RdflibQuad]], graphs: bool) -> Readings:
    try:
        return [(parser, read(), graphs)]
    except Exception as error:  # noqa: BLE001 - parsers raise assorted errors; each is kept
        return [(parser, f"{type(error).__name__}: {str(error)[:160]}", graphs)]


#: rdflib's name of each export format (a format paperkg adds must be named here).
_RDFLIB_NAMES = {
    ox.RdfFormat.TURTLE: "turtle",
    ox.RdfFormat.N_TRIPLES: "nt",
    ox.RdfFormat.N_QUADS: "nquads",
    ox.RdfFormat.TRIG: "trig",
    ox.RdfFormat.JSON_LD: "json-ld",
    ox.RdfFormat.RDF_XML: "xml",
}
_RDF_EXPORTS = {
    fmt: (rdf_format, _RDFLIB_NAMES[rdf_format], graphs)
    for fmt, (rdf_format, graphs) in EXPORT_FORMATS.items()
}


def read_both(data: bytes, ox_format: ox.RdfFormat, rdflib_format: str, graphs: bool) -> Readings:
    """``data`` read by Oxigraph (strictly) and by rdflib."""

    def by_rdflib() -> list[RdflibQuad]:
        dataset = rdflib.Dataset()
        dataset.parse(data=data, format=rdflib_format)
        return from_rdflib(dataset, graphs)

    by_ox = reading(
        "oxigraph", lambda: from_oxigraph(ox.parse(data, format=ox_format), graphs), graphs
    )
    return by_ox + reading("rdflib", by_rdflib, graphs)


def write_export(fmt: str) -> Callable[[Case, Path], Readings]:
    def write(case: Case, folder: Path) -> Readings:
        target = folder / f"out.{fmt}"
        try:
            export_store(stored(case), target, fmt)
        except ExportError as error:
            refused: str | None = str(error)
        else:
            refused = None
        if refused is not None:
            # what the format cannot carry is refused in one line, nothing written: a reading
            # of its own ("refused"), listed in w3c_departures.py like the tools' departures
            assert "\n" not in refused
            assert not target.exists()
            return [("refused", refused, False)]
        return read_both(target.read_bytes(), *_RDF_EXPORTS[fmt])

    return write


def write_spilled(fmt: str) -> Callable[[Case, Path], Readings]:
    """Turtle or N-Triples through the external sort's every path: a run a line, merged in
    rounds of two (:mod:`paperkg.export_union`)."""

    def write(case: Case, folder: Path) -> Readings:
        target = folder / f"out.{fmt}"
        with (
            mock.patch.object(export_union, "RUN_BYTES", 1),
            mock.patch.object(export_union, "FAN_IN", 2),
        ):
            export_store(stored(case), target, fmt, spill_dir=folder)
        assert [p.name for p in folder.iterdir()] == [target.name]  # the runs are gone
        return read_both(target.read_bytes(), *_RDF_EXPORTS[fmt])

    return write


def read_shards(folder: Path, compress: bool) -> Readings:
    """The shards the manifest lists, read as one N-Quads document."""
    manifest = json.loads((folder / "manifest.json").read_text())
    parts = [(folder / shard["file"]).read_bytes() for shard in manifest["shards"]]
    data = b"".join(gzip.decompress(part) if compress else part for part in parts)
    return read_both(data, ox.RdfFormat.N_QUADS, "nquads", True)


def write_shards(compress: bool) -> Callable[[Case, Path], Readings]:
    def write(case: Case, folder: Path) -> Readings:
        export_store(stored(case), folder / "shards", "nq", shard_size=2, compress=compress)
        return read_shards(folder / "shards", compress)

    return write


def write_replaced(case: Case, folder: Path) -> Readings:
    """The store after ``INSERT DATA`` (N-Triples text in SPARQL), and its rdflib copy."""
    store = stored(case, replaced=True)
    return reading("oxigraph", lambda: from_oxigraph(store, True), True) + reading(
        "rdflib", lambda: from_rdflib(store.rdflib_dataset(), True), True
    )


def write_push_bodies(case: Case, folder: Path) -> Readings:
    """The N-Triples body ``push`` PUTs for each graph, read back into that graph."""
    store = stored(case)
    bodies = {graph.value: push._ntriples(store, graph)[0] for graph in store.named_graphs()}

    def read(parser: int) -> list[RdflibQuad]:
        out: list[RdflibQuad] = []
        for name, body in bodies.items():
            _, got, _ = read_both(body, ox.RdfFormat.N_TRIPLES, "nt", False)[parser]
            assert not isinstance(got, str), got
            out += [(s, p, o, name) for s, p, o, _ in got]
        return out

    return reading("oxigraph", lambda: read(0), True) + reading("rdflib", lambda: read(1), True)


_CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
_SELECT = "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
_SERVE_GRAPHS = {
    "text/turtle": (ox.RdfFormat.TURTLE, "turtle"),
    "application/n-triples": (ox.RdfFormat.N_TRIPLES, "nt"),
    "application/rdf+xml": (ox.RdfFormat.RDF_XML, "xml"),
    "application/ld+json": (ox.RdfFormat.JSON_LD, "json-ld"),
}
_SERVE_RESULTS = {
    "application/sparql-results+json": (ox.QueryResultsFormat.JSON, "json"),
    "application/sparql-results+xml": (ox.QueryResultsFormat.XML, "xml"),
    "text/tab-separated-values": (ox.QueryResultsFormat.TSV, "tsv"),
}


def write_served_graph(media: str) -> Callable[[Case, Path], Readings]:
    def write(case: Case, folder: Path) -> Readings:
        _, answered, data, _ = _answer_query(stored(case), _CONSTRUCT, media, 10**6)
        assert answered == media
        return read_both(data, *_SERVE_GRAPHS[media], False)

    return write


def write_served_rows(media: str) -> Callable[[Case, Path], Readings]:
    def write(case: Case, folder: Path) -> Readings:
        _, answered, data, _ = _answer_query(stored(case), _SELECT, media, 10**6)
        assert answered == media
        ox_format, rdflib_format = _SERVE_RESULTS[media]

        def by_ox() -> list[RdflibQuad]:
            solutions = ox.parse_query_results(data, format=ox_format)
            assert isinstance(solutions, ox.QuerySolutions)
            rows = [[row[v] for v in "spog"] for row in solutions]
            return [
                (*(to_rdflib_term(t) for t in row[:3]), getattr(row[3], "value", ""))
                for row in rows
            ]

        def by_rdflib() -> list[RdflibQuad]:
            rows = Result.parse(io.BytesIO(data), format=rdflib_format)
            columns: list[RdflibQuad] = [(r.s, r.p, r.o, str(r.g)) for r in rows]  # type: ignore[union-attr]
            return columns

        return reading("oxigraph", by_ox, True) + reading("rdflib", by_rdflib, True)

    return write


def write_shipped(case: Case, folder: Path, monkeypatch: pytest.MonkeyPatch) -> Readings:
    """A build worker's N-Quads (``build_pool.ship``), as the parent reads them back."""
    quads = expected(case)
    graph = quads[0].graph_name if quads else ox.NamedNode(HOME)
    assert isinstance(graph, ox.NamedNode)
    mapped = MappedRecord(graph, graph, "key", "build", quads)
    monkeypatch.setattr(build_pool, "extract_and_map", lambda *_: mapped)
    (shipped,) = build_pool.ship([None], None, "rules", HOME)  # type: ignore[list-item,arg-type]
    assert isinstance(shipped, build_pool.Shipped)
    return reading("oxigraph", lambda: from_oxigraph(shipped.received().quads, True), True)


WRITERS: dict[str, Callable[..., Readings]] = {
    **{f"export {fmt}": write_export(fmt) for fmt in _RDF_EXPORTS},
    "export turtle spilled": write_spilled("turtle"),
    "export nt spilled": write_spilled("nt"),
    "export nq shards": write_shards(False),
    "export nq shards gzip": write_shards(True),
    "store INSERT DATA": write_replaced,
    "push body": write_push_bodies,
    **{f"serve CONSTRUCT {m}": write_served_graph(m) for m in _SERVE_GRAPHS},
    **{f"serve SELECT {m}": write_served_rows(m) for m in _SERVE_RESULTS},
    "build worker N-Quads": write_shipped,
}


#: The writers that do not read the graph back from a store (so see it as written).
_STORELESS = {"build worker N-Quads"}


def departures_of(suite: str, writer: str, folder: Path, mp: pytest.MonkeyPatch) -> set[Departure]:
    """Where what ``writer`` wrote of a positive test is not the test's graph, by parser."""
    write = WRITERS[writer]
    found: set[Departure] = set()
    for number, case in enumerate(positive(suite)):
        scratch = folder / str(number)
        scratch.mkdir()
        readings = write(case, scratch, mp) if write is write_shipped else write(case, scratch)
        for parser, got, graphs in readings:
            wanted = want(case, graphs, through_store=writer not in _STORELESS)
            if isinstance(got, str) or not same(got, wanted):
                found.add((writer, case.key, parser))
    return found


@pytest.mark.parametrize("writer", list(WRITERS))
@pytest.mark.parametrize("suite", list(SUITES))
def test_every_positive_graph_written_by_paperkg_parses_back_isomorphic(
    suite: str, writer: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    found = departures_of(suite, writer, tmp_path, monkeypatch)
    listed = {d for d in departures() if d[0] == writer and d[1].startswith(suite + "/")}
    assert found - listed == set(), "not listed"
    assert listed - found == set(), "listed, but no longer happens"


def test_the_store_keeps_typed_literals_by_value_only_where_listed() -> None:
    changed = {
        case.key
        for suite in SUITES
        for case in positive(suite)
        if not same(want(case, True), want(case, True, through_store=False))
    }
    assert changed == set(STORE_NORMALISES)


@pytest.fixture(autouse=True)
def exact_literals(monkeypatch: pytest.MonkeyPatch) -> None:
    """rdflib reads typed literals in its own canonical form unless told not to ("1"^^xsd:double
    becomes "1.0E0"); the round trips compare the lexical forms written."""
    monkeypatch.setattr(rdflib, "NORMALIZE_LITERALS", False)


# --- the readers ----------------------------------------------------------------------------------


def refusal(read: Callable[[], object]) -> str | None:
    """The message of the ShapesError ``read`` raises, or ``None`` if it reads the file."""
    try:
        read()
    except ShapesError as error:
        return str(error)
    return None


@pytest.fixture(scope="module")
def shapes() -> rdflib.Graph:
    """No shapes: these tests are about reading the data (every graph conforms)."""
    return rdflib.Graph()


@pytest.mark.parametrize("suite", list(SUITES))
def test_validate_data_reads_every_positive_test(suite: str, shapes: rdflib.Graph) -> None:
    rejected = set()
    for case in positive(suite):
        read = partial(validate_file, case.action, rdf_format=SUITES[suite][2], shapes=shapes)
        if refusal(read) is not None:
            rejected.add(case.key)
    assert rejected == set()


@pytest.mark.parametrize("suite", list(SUITES))
def test_validate_data_rejects_every_negative_test_on_one_line(
    suite: str, shapes: rdflib.Graph
) -> None:
    accepted = set()
    for case in negative(suite):
        message = refusal(
            partial(validate_file, case.action, rdf_format=SUITES[suite][2], shapes=shapes)
        )
        if message is None:
            accepted.add(case.key)
        else:
            assert message.startswith(f"{case.action}: cannot parse the data: "), case.key
            assert "\n" not in message, f"{case.key}: {message}"
    assert accepted == set()


def test_validate_shapes_reads_positive_and_rejects_negative_turtle() -> None:
    for case in positive("turtle"):
        graph = load_shapes(case.action)
        assert len(graph) == len(expected(case)), case.key
    accepted = set()
    for case in negative("turtle"):
        message = refusal(partial(load_shapes, case.action))
        if message is None:
            accepted.add(case.key)
        else:
            assert message.startswith(f"{case.action}: cannot parse the shapes: "), case.key
            assert "\n" not in message, f"{case.key}: {message}"
    assert accepted == set()


@pytest.mark.parametrize("suite", list(SUITES))
def test_the_command_line_refuses_each_negative_test_in_one_line(
    suite: str, tmp_path: Path
) -> None:
    suffix = SUITES[suite][3]
    for case in negative(suite):
        data = tmp_path / f"data{suffix}"
        data.write_bytes(case.action.read_bytes())
        code, out, err = run_cli("validate", "--data", str(data))
        assert code == 2, case.key
        assert out == ""
        assert len(err.splitlines()) == 1, f"{case.key}: {err}"
        assert "cannot parse the data" in err
        if suite == "turtle":
            code, _, err = run_cli("validate", "--data", str(data), "--shapes", str(data))
            assert code == 2, case.key
            assert len(err.splitlines()) == 1, f"{case.key}: {err}"


def test_rdflib_departs_from_the_suites_where_listed() -> None:
    """Why ``validate`` reads with Oxigraph: rdflib takes these invalid files, refuses these
    valid ones (when rdflib mends them, the lists shrink and this fails until they do).
    """
    accepts, rejects = set(), set()
    for suite, (_, _, rdflib_format, _) in SUITES.items():
        for case in cases(suite):
            try:
                rdflib.Dataset().parse(case.action, format=rdflib_format, publicID=case.base)
            except Exception:  # noqa: BLE001 - rdflib's parsers raise assorted errors
                if case.positive:
                    rejects.add(case.key)
            else:
                if not case.positive:
                    accepts.add(case.key)
    assert accepts == set(RDFLIB_ACCEPTS)
    assert rejects == set(RDFLIB_REJECTS)


# --- a real push ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph") / "data") as running:
        yield running


def _fetch_graph(server: OxigraphServer, graph: str) -> bytes:
    url = f"{server.store}?graph={urllib.parse.quote(graph, safe='')}"
    request = urllib.request.Request(url, headers={"Accept": "application/n-triples"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return bytes(response.read())


@pytest.mark.parametrize("suite", list(SUITES))
def test_every_positive_graph_pushed_to_oxigraph_comes_back_isomorphic(
    suite: str, server: OxigraphServer
) -> None:
    differ = []
    for case in positive(suite):
        store = stored(case)
        report = push_store(store, server.store)
        assert report.ok, case.key
        got: list[RdflibQuad] = []
        logs = set(local_graphs(store))  # the push log, kept here
        for graph in store.named_graphs():
            if graph in logs:
                continue
            body = _fetch_graph(server, graph.value)
            (_, by_ox, _), _ = read_both(body, ox.RdfFormat.N_TRIPLES, "nt", False)
            assert not isinstance(by_ox, str), f"{case.key}: {by_ox}"
            got += [(s, p, o, graph.value) for s, p, o, _ in by_ox]
        if not same(got, want(case, True)):
            differ.append(case.key)
    assert differ == []


# --- the seeds ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seeds_store() -> PaperStore:
    store = PaperStore()
    build(store, [str(SEEDS)])
    return store


@pytest.mark.parametrize("fmt", [*EXPORT_FORMATS, "nq shards", "nq shards gzip"])
def test_every_export_format_round_trips_the_seeds(
    fmt: str, seeds_store: PaperStore, tmp_path: Path
) -> None:
    logs = set(local_graphs(seeds_store))
    data = [q for q in seeds_store if q.graph_name not in logs]
    assert len({q.graph_name for q in data}) >= 9
    if fmt.startswith("nq shards"):
        compress = fmt.endswith("gzip")
        export_store(seeds_store, tmp_path / "out", "nq", shard_size=500, compress=compress)
        readings = read_shards(tmp_path / "out", compress)
        graphs = True
    else:
        export_store(seeds_store, tmp_path / "out", fmt)
        readings = read_both((tmp_path / "out").read_bytes(), *_RDF_EXPORTS[fmt])
        graphs = _RDF_EXPORTS[fmt][2]
    wanted = from_oxigraph(data, graphs)
    for parser, got, _ in readings:
        assert not isinstance(got, str), f"{parser}: {got}"
        assert same(got, wanted), parser
