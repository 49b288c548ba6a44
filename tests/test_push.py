"""``paperkg push`` into a real Oxigraph server (the pinned ``oxigraph`` command): every graph
arrives whole, pushing again replaces instead of duplicating, the same question gets the same
answer there, and refusals and unreachable servers are reported on one line.
"""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pyoxigraph
import pytest

import paperkg
from paperkg.errors import PushError
from paperkg.push import push_store
from paperkg.store import PaperStore, local_graphs

from conftest import REPO, data_graph_sizes
from conftest import run_cli as run
from http_fakes import GraphStoreHandler, serve
from triplestore import OxigraphServer, oxigraph_server


@pytest.fixture
def server(tmp_path: Path) -> Iterator[OxigraphServer]:
    with oxigraph_server(tmp_path / "oxigraph") as running:
        yield running


def _graph_sizes(server: OxigraphServer) -> dict[str, int]:
    text = server.select(
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", union=False
    )
    return {row["g"]: int(row["n"]) for row in csv.DictReader(io.StringIO(text))}


def _push(store_path: Path, endpoint: str, *extra: str) -> tuple[int, str, str]:
    return run("--store", str(store_path), "push", "--endpoint", endpoint, *extra)


def test_push_sends_every_graph_whole_then_only_changes(
    store_path: Path, server: OxigraphServer, tmp_path: Path
) -> None:
    code, out, err = _push(store_path, server.store)
    assert code == 0, err
    expected = data_graph_sizes(store_path)
    assert _graph_sizes(server) == expected  # every graph, whole; the logs stay home
    assert f"{len(expected)} graph(s), {sum(expected.values())} triples pushed" in out
    # Nothing changed: nothing goes (the concept index, without a build key, by its content).
    code, out, _ = _push(store_path, server.store)
    assert code == 0
    assert out.startswith("0 graph(s), 0 triples")
    assert f"{len(expected)} unchanged, 0 deleted, 0 refused" in out
    assert _graph_sizes(server) == expected  # PUT replaces: no duplicates
    # A new record: it and the concept index go.
    extra = tmp_path / "extra"
    extra.mkdir()
    shutil.copy(REPO.parent / "shared" / "records" / "034_3c755220f5cfe4e4.txt", extra)
    assert run("--store", str(store_path), "build", str(extra))[0] == 0
    code, out, _ = _push(store_path, server.store)
    assert out.startswith("2 graph(s)")  # the new record's graph and the concept index
    assert f"{len(expected) - 1} unchanged" in out
    assert _graph_sizes(server) == data_graph_sizes(store_path)


def test_a_graph_removed_here_is_deleted_there(store_path: Path, server: OxigraphServer) -> None:
    assert _push(store_path, server.store)[0] == 0
    gone = "https://w3id.org/paperkg/id/graph/doi/10.7759/cureus.83824"
    with PaperStore.open_existing(store_path, read_only=False) as store:
        store.remove_record(pyoxigraph.NamedNode(gone))
    code, out, _ = _push(store_path, server.store)
    assert code == 0
    assert "1 deleted" in out
    assert gone not in _graph_sizes(server)
    assert _graph_sizes(server) == data_graph_sizes(store_path)
    assert "0 deleted" in _push(store_path, server.store)[1]  # and it is forgotten


def test_all_pushes_everything_again(store_path: Path, server: OxigraphServer) -> None:
    assert _push(store_path, server.store)[0] == 0
    code, out, _ = _push(store_path, server.store, "--all")
    assert code == 0
    assert out.startswith(f"{len(data_graph_sizes(store_path))} graph(s)")
    assert "0 unchanged" in out


def test_the_push_log_is_per_endpoint_and_never_exported(
    store_path: Path, server: OxigraphServer, tmp_path: Path
) -> None:
    assert _push(store_path, server.store)[0] == 0
    with oxigraph_server(tmp_path / "second") as other:
        code, out, _ = _push(store_path, other.store)
        assert code == 0
        assert " 0 unchanged" in out  # a new endpoint gets everything
    exported = tmp_path / "kg.nq"
    with PaperStore.open_existing(store_path) as store:
        assert len(local_graphs(store)) == 4  # tallies, validation log, two push logs
        paperkg.export_store(store, exported, "nq")
    assert "graph/push/" not in exported.read_text(encoding="utf-8")
    assert "pushEndpoint" not in exported.read_text(encoding="utf-8")


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


class _Refusing(GraphStoreHandler):
    """A Graph Store endpoint that refuses one graph, for the error path."""

    accepted: ClassVar[list[str]] = []

    def answer(self, body: bytes | None) -> None:
        if "cureus" in self.path:
            self.reply(400, b"Parser error at line 1: bad literal\n")
            return
        assert body
        type(self).accepted.append(self.path)
        self.reply(204)


@pytest.fixture
def refusing() -> Iterator[str]:
    _Refusing.accepted = []
    with serve(_Refusing) as base:
        yield f"{base}/store"


def test_a_refused_graph_is_reported_and_the_others_still_go(
    store_path: Path, refusing: str
) -> None:
    code, out, err = _push(store_path, refusing)
    assert code == 1
    assert "cureus.83824: refused: HTTP 400: Parser error at line 1: bad literal" in err
    assert "1 refused" in out
    graphs = len(data_graph_sizes(store_path))
    assert len(_Refusing.accepted) == graphs - 1
    # Next time only the refused graph is tried again.
    _Refusing.accepted = []
    code, out, _ = _push(store_path, refusing)
    assert code == 1
    assert _Refusing.accepted == []
    assert f"{graphs - 1} unchanged, 0 deleted, 1 refused" in out
    # --strict stops at the refusal.
    _Refusing.accepted = []
    code, _, _ = _push(store_path, refusing, "--all", "--strict")
    assert code == 1
    assert len(_Refusing.accepted) < graphs - 1


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


def test_a_read_only_store_keeps_no_log_and_pushes_everything(
    store_path: Path, server: OxigraphServer
) -> None:
    with PaperStore.open_existing(store_path) as store:  # read-only
        first = push_store(store, server.store)
        second = push_store(store, server.store)
    assert first.count("put") == second.count("put") == len(data_graph_sizes(store_path))
    assert second.count("unchanged") == 0
