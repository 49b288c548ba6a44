"""Faults during work, for real: ``paperkg`` started as a process and SIGKILLed at several points
of build, push and export; a full disk (a small tmpfs) and a read-only store; two processes on
one store.

A kill point is a hook: the CLI runs with one function wrapped so that its N-th call (before or
after it runs) writes a mark file and sleeps; the test waits for the mark, then sends SIGKILL.
The point is therefore exact, however loaded the machine. After each kill the store must open,
answer a query, validate, hold only whole record graphs, and converge on a rebuild to what a
clean build gives; an output file must be the old one, the whole new one, or absent.
"""

from __future__ import annotations

import http.server
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from faults import RECORDS, Hooked, _contents, build_corpus, hooked_runs
from paperkg.store import PaperStore, local_graphs, push_log_graph, read_push_log

from conftest import run_cli


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, Any]]:
    return build_corpus(tmp_path_factory.mktemp("faults"))


@pytest.fixture
def started(tmp_path: Path) -> Iterator[Callable[..., Hooked]]:
    yield from hooked_runs(tmp_path)


def _store_answers(path: Path) -> None:
    """The store opens, answers a query and validates."""
    code, out, err = run_cli("--store", str(path), "query", "findings", "--format", "csv")
    assert code == 0, err
    assert out.startswith("paper,")
    code, out, err = run_cli("--store", str(path), "validate")
    assert code == 0, out + err


# --- kill -9 during build -------------------------------------------------------------------

BUILD_POINTS = {
    "after-first-write": "paperkg.store.paper_store:PaperStore.put_record:1:after",
    "mid-build": "paperkg.store.paper_store:PaperStore.put_record:21:before",
    "before-concept-index": "paperkg.build:reconcile_concepts:1:before",
    "before-final-flush": "paperkg.store.paper_store:PaperStore.close:1:before",
}


@pytest.mark.slow
@pytest.mark.parametrize("point", list(BUILD_POINTS))
def test_a_build_killed_anywhere_leaves_a_store_that_works_and_converges(
    point: str, corpus: tuple[Path, Path, dict[str, Any]], started: Any, tmp_path: Path
) -> None:
    folder, _, clean = corpus
    store = tmp_path / "kg"
    run = started(
        ["--store", str(store), "build", "--workers", "1", str(folder)], BUILD_POINTS[point]
    )
    run.paused()
    run.kill()
    with PaperStore.open_existing(store) as opened:
        records = [graph.value for graph in opened.record_graphs()]
    now = _contents(store)
    for graph in records:  # every record graph is whole: as the clean build wrote it
        assert now[graph] == clean[graph]
    written = {"after-first-write": 1, "mid-build": 20}
    assert len(records) == written.get(point, RECORDS)
    _store_answers(store)
    code, out, err = run_cli(
        "--store", str(store), "build", "--workers", "1", "--no-validate", str(folder)
    )
    assert code == 0, err
    left = RECORDS - len(records)
    assert f"{left} built ({left} new, 0 replaced), {len(records)} unchanged, 0 rejected" in out
    assert _contents(store) == clean


# --- kill -9 during push --------------------------------------------------------------------


class GraphStore(http.server.BaseHTTPRequestHandler):
    """A Graph Store endpoint that keeps what it is sent, and can hold its N-th PUT."""

    protocol_version = "HTTP/1.1"
    graphs: dict[str, bytes]
    puts: list[str]
    hold_at = 0
    held = threading.Event()
    release = threading.Event()

    def do_PUT(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        graph = self.path.split("graph=", 1)[1]
        self.puts.append(graph)
        if len(self.puts) == self.hold_at:
            self.held.set()
            self.release.wait(60)
            return  # never acknowledged
        self.graphs[graph] = body
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def endpoint() -> Iterator[type[GraphStore]]:
    handler: type[GraphStore] = type(
        "Handler",
        (GraphStore,),
        {"graphs": {}, "puts": [], "held": threading.Event(), "release": threading.Event()},
    )
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    handler.url = f"http://127.0.0.1:{server.server_address[1]}/store"  # type: ignore[attr-defined]
    try:
        yield handler
    finally:
        handler.release.set()
        server.shutdown()
        server.server_close()


def _pushed_graphs(handler: type[GraphStore]) -> dict[str, frozenset[ox.Triple]]:
    from urllib.parse import unquote

    return {
        unquote(graph): frozenset(q.triple for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES))
        for graph, body in handler.graphs.items()
    }


def _data_graphs(path: Path) -> dict[str, frozenset[ox.Triple]]:
    with PaperStore.open_existing(path) as store:
        logs = set(local_graphs(store))
        return {
            graph.value: frozenset(quad.triple for quad in store.graph_quads(graph))
            for graph in store.named_graphs()
            if graph not in logs
        }


PUSH_POINTS = {
    "mid-push-unanswered": (20, None),
    "all-sent-none-logged": (0, "paperkg.push:log_pushes:1:before"),
    "logged-not-closed": (0, "paperkg.push:log_pushes:1:after"),
}


@pytest.mark.slow
@pytest.mark.parametrize("point", list(PUSH_POINTS))
def test_a_push_killed_anywhere_logs_only_what_arrived_and_the_next_completes(
    point: str,
    corpus: tuple[Path, Path, dict[str, Any]],
    started: Any,
    endpoint: type[GraphStore],
    tmp_path: Path,
) -> None:
    _, clean_path, clean = corpus
    store = tmp_path / "kg"
    shutil.copytree(clean_path, store)
    url = endpoint.url  # type: ignore[attr-defined]
    endpoint.hold_at, at = PUSH_POINTS[point]
    run = started(["--store", str(store), "push", "--endpoint", url], at)
    if at is None:
        run.wait_until(endpoint.held.is_set, "the held PUT")
    else:
        run.paused()
    run.kill()
    endpoint.hold_at = 0
    endpoint.release.set()
    now = _contents(store)  # the data is untouched: only a push log may have been added
    assert {name: quads for name, quads in now.items() if "graph/push/" not in name} == clean
    arrived, data = _pushed_graphs(endpoint), _data_graphs(store)
    with PaperStore.open_existing(store) as opened:
        logged = set(read_push_log(opened, push_log_graph(opened, url)))
    assert all(arrived.get(graph) == data[graph] for graph in logged), "logged, not there"
    assert len(logged) == (len(data) if point == "logged-not-closed" else 0)
    code, out, err = run_cli("--store", str(store), "push", "--endpoint", url)
    assert code == 0, out + err
    assert _pushed_graphs(endpoint) == data
    with PaperStore.open_existing(store) as opened:
        assert set(read_push_log(opened, push_log_graph(opened, url))) == set(data)


# --- kill -9 during export ------------------------------------------------------------------

EXPORT_POINTS = {
    "written-not-synced": "os:fsync:1:before",
    "synced-not-renamed": "os:replace:1:before",
    "renamed": "os:replace:1:after",
}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("point", "fmt"), [*((point, "turtle") for point in EXPORT_POINTS), ("while-writing", "nq")]
)
def test_an_export_killed_anywhere_leaves_the_old_file_or_the_whole_new_one(
    point: str,
    fmt: str,
    corpus: tuple[Path, Path, dict[str, Any]],
    started: Any,
    tmp_path: Path,
) -> None:
    _, store, _ = corpus
    whole = tmp_path / "whole.out"
    code, _, err = run_cli("--store", str(store), "export", "--format", fmt, "-o", str(whole))
    assert code == 0, err
    out = tmp_path / "out" / "kg.out"
    out.parent.mkdir()
    out.write_bytes(b"the export of last week\n")
    args = ["--store", str(store), "export", "--format", fmt, "-o", str(out)]
    run = started(args, EXPORT_POINTS.get(point))
    if point == "while-writing":

        def writing() -> bool:
            return any(p.stat().st_size for p in out.parent.glob(".kg.out.*.tmp"))

        run.wait_until(writing, "the first bytes", within=60)
    else:
        run.paused()
    run.kill()
    assert out.read_bytes() in (b"the export of last week\n", whole.read_bytes())
    if point == "renamed":
        assert out.read_bytes() == whole.read_bytes()
    elif point != "while-writing":
        assert out.read_bytes() == b"the export of last week\n"
    # the leftover temporary file is hidden, and the next export replaces the file whole
    code, _, err = run_cli("--store", str(store), "export", "--format", fmt, "-o", str(out))
    assert code == 0, err
    assert out.read_bytes() == whole.read_bytes()


@pytest.mark.slow
def test_a_folder_export_killed_between_its_renames_leaves_none(
    corpus: tuple[Path, Path, dict[str, Any]], started: Any, tmp_path: Path
) -> None:
    _, store, _ = corpus
    out = tmp_path / "kgx"
    code, _, err = run_cli("--store", str(store), "export", "--format", "kgx", "-o", str(out))
    assert code == 0, err
    before = {path.name: path.read_bytes() for path in out.iterdir()}
    run = started(
        ["--store", str(store), "export", "--format", "kgx", "-o", str(out)], "os:rename:2:before"
    )
    run.paused()
    run.kill()
    # the old folder moved aside, the new one not yet in: none (never half of one)
    assert not out.exists()
    code, _, err = run_cli("--store", str(store), "export", "--format", "kgx", "-o", str(out))
    assert code == 0, err
    assert {path.name: path.read_bytes() for path in out.iterdir()} == before
