"""``paperkg push`` into a real Oxigraph server (the pinned ``oxigraph`` command): every graph
arrives whole, pushing again replaces instead of duplicating, the same question gets the same
answer there, and refusals and unreachable servers are reported on one line.
"""

from __future__ import annotations

import csv
import http.server
import io
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

import paperkg
from paperkg.errors import PushError
from paperkg.push import push_store
from paperkg.store import PaperStore

from conftest import REPO, SEEDS
from conftest import run_cli as run
from triplestore import OxigraphServer, oxigraph_server


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("push") / "kg"
    code, _, err = run("--store", str(path), "build", str(SEEDS))
    assert code == 0, err
    return path


@pytest.fixture
def server(tmp_path: Path) -> Iterator[OxigraphServer]:
    with oxigraph_server(tmp_path / "oxigraph") as running:
        yield running


def _graph_sizes(server: OxigraphServer) -> dict[str, int]:
    text = server.select(
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", union=False
    )
    return {row["g"]: int(row["n"]) for row in csv.DictReader(io.StringIO(text))}


def _local_sizes(store_path: Path) -> dict[str, int]:
    with PaperStore.open_existing(store_path) as store:
        sizes: dict[str, int] = {}
        for quad in store.oxigraph:
            name = getattr(quad.graph_name, "value", "")
            sizes[name] = sizes.get(name, 0) + 1
        return sizes


def test_push_sends_every_graph_whole_and_again_replaces(
    store_path: Path, server: OxigraphServer
) -> None:
    code, out, err = run("--store", str(store_path), "push", "--endpoint", server.store)
    assert code == 0, err
    local = _local_sizes(store_path)
    log = [name for name in local if name.endswith("graph/validation")]
    assert log, "the build logged its validation"
    expected = {name: size for name, size in local.items() if name not in log}
    assert _graph_sizes(server) == expected  # every graph, whole; the validation log stays home
    assert f"{len(expected)} graph(s), {sum(expected.values())} triples pushed" in out
    code, _, _ = run("--store", str(store_path), "push", "--endpoint", server.store)
    assert code == 0
    assert _graph_sizes(server) == expected  # PUT replaces: no duplicates


def test_the_same_question_gets_the_same_answer_in_the_server(
    store_path: Path, server: OxigraphServer
) -> None:
    assert run("--store", str(store_path), "push", "--endpoint", server.store)[0] == 0
    query = (REPO / "queries" / "drugs-tried-for.rq").read_text(encoding="utf-8")
    remote = server.select(query + '\nVALUES ?condition_key { "fibromyalgia" }')
    there = {
        row["drug_label"]: (row["papers"], row["outcomes"])
        for row in csv.DictReader(io.StringIO(remote))
    }
    with PaperStore.open_existing(store_path) as store:
        here = paperkg.run_query(store, "drugs-tried-for", {"condition": "fibromyalgia"})
    expected = {row["drug_label"]: row for row in here.as_dicts()}
    assert set(there) == set(expected)
    for drug, (papers, outcomes) in there.items():
        assert papers == expected[drug]["papers"]
        assert sorted(outcomes.split("|")) == sorted((expected[drug]["outcomes"] or "").split("|"))


def test_one_paper_can_be_pushed_alone(store_path: Path, server: OxigraphServer) -> None:
    code, out, err = run(
        "--store", str(store_path), "push", "--endpoint", server.store,
        "--graph", "10.7759/cureus.83824",
    )  # fmt: skip
    assert code == 0, err
    assert list(_graph_sizes(server)) == [
        "https://w3id.org/paperkg/id/graph/doi/10.7759/cureus.83824"
    ]
    assert "1 graph(s)" in out


class _Refusing(http.server.BaseHTTPRequestHandler):
    """A Graph Store endpoint that refuses one graph, for the error path."""

    accepted: ClassVar[list[str]] = []

    def do_PUT(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if "cureus" in self.path:
            self.send_response(400)
            self.end_headers()
            self.wfile.write(b"Parser error at line 1: bad literal\n")
            return
        assert body
        type(self).accepted.append(self.path)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def refusing() -> Iterator[str]:
    _Refusing.accepted = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Refusing)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/store"
    finally:
        server.shutdown()


def test_a_refused_graph_is_reported_and_the_others_still_go(
    store_path: Path, refusing: str
) -> None:
    code, out, err = run("--store", str(store_path), "push", "--endpoint", refusing)
    assert code == 1
    assert "cureus.83824: refused: HTTP 400: Parser error at line 1: bad literal" in err
    assert "1 refused" in out
    assert len(_Refusing.accepted) == len(_local_sizes(store_path)) - 2  # minus refused, log
    _Refusing.accepted = []
    code, _, _ = run("--store", str(store_path), "push", "--endpoint", refusing, "--strict")
    assert code == 1
    assert len(_Refusing.accepted) < len(_local_sizes(store_path)) - 2


@pytest.mark.parametrize(
    ("endpoint", "message"),
    [
        ("ftp://example.org/store", "not an http(s) URL"),
        ("http://127.0.0.1:9/store", "cannot reach the server"),
        ("http://127.0.0.1:7878/store?graph=x", "the URL names a graph"),
    ],
)
def test_endpoint_problems_are_one_line_errors(
    store_path: Path, endpoint: str, message: str
) -> None:
    code, _, err = run("--store", str(store_path), "push", "--endpoint", endpoint)
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_a_wrong_path_on_a_real_server_says_where_the_endpoint_is(
    store_path: Path, server: OxigraphServer
) -> None:
    with PaperStore.open_existing(store_path) as store, pytest.raises(PushError, match="/store"):
        push_store(store, f"{server.url}/nothing-here")
