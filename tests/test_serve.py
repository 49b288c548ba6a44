"""``paperkg serve``: the SPARQL 1.1 Protocol over the store, checked with plain HTTP and with
rdflib's SPARQLStore as an independent client; named queries over HTTP; read-only; a query over
the timeout cut off while others are answered; and the command itself, started as a process and
stopped with SIGTERM or Ctrl-C, leaving none of its worker processes behind.
"""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from rdflib.query import ResultRow

import paperkg
from paperkg.serve import SparqlServer, make_server
from paperkg.store import PaperStore

from conftest import REPO, SEEDS
from conftest import run_cli as run
from serving import fetch, needs_proc, post_endless, workers_of

DRUGS = (REPO / "queries" / "drugs-tried-for.rq").read_text(encoding="utf-8")
ASK = "/query?query=" + urllib.parse.quote("ASK { ?s ?p ?o }") + "&format=json"


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("serve") / "kg"
    assert run("--store", str(path), "build", str(SEEDS))[0] == 0
    return path


@pytest.fixture(scope="module")
def server(store_path: Path) -> Iterator[SparqlServer]:
    with PaperStore.open_existing(store_path) as store:
        running = make_server(store, port=0)
        thread = threading.Thread(target=running.serve_forever, daemon=True)
        thread.start()
        try:
            yield running
        finally:
            running.shutdown()
            running.server_close()


def expected_drugs(store_path: Path) -> dict[str, tuple[str | None, str | None]]:
    with PaperStore.open_existing(store_path) as store:
        result = paperkg.run_query(store, "drugs-tried-for", {"condition": "fibromyalgia"})
    return {row["drug_label"] or "": (row["papers"], row["outcomes"]) for row in result.as_dicts()}


def test_a_named_query_file_runs_as_is_over_the_protocol(
    server: SparqlServer, store_path: Path
) -> None:
    query = DRUGS + '\nVALUES ?condition_key { "fibromyalgia" }'
    status, media, text = fetch(
        f"{server.url}/query",
        data=query.encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": "text/csv"},
    )
    assert status == 200
    assert media.startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    got = {row["drug_label"]: (row["papers"], row["outcomes"]) for row in rows}
    assert set(got) == set(expected_drugs(store_path))
    for drug, (papers, outcomes) in got.items():
        want_papers, want_outcomes = expected_drugs(store_path)[drug]
        assert papers == want_papers
        assert sorted(outcomes.split("|")) == sorted((want_outcomes or "").split("|"))


def test_rdflib_sparqlstore_reads_the_endpoint(server: SparqlServer) -> None:
    remote = rdflib.Graph(SPARQLStore(f"{server.url}/query", returnFormat="json"))
    rows = remote.query(
        "PREFIX pkg: <https://w3id.org/paperkg/vocab/> "
        "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a pkg:Paper }"
    )
    assert [_first_int(row) for row in rows] == [len(list(SEEDS.glob("*.txt")))]


def _first_int(row: object) -> int:
    """The first value of a SELECT result row, as an integer."""
    assert isinstance(row, ResultRow)
    value = row[0]
    assert isinstance(value, rdflib.Literal)
    return int(value)


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("text/html;q=0.9, text/csv;q=0.5", "text/csv"),
        ("*/*", "application/sparql-results+json"),
    ],
)
def test_results_follow_the_accept_header(server: SparqlServer, accept: str, media: str) -> None:
    query = urllib.parse.quote("ASK { ?s ?p ?o }")
    status, got, text = fetch(f"{server.url}/query?query={query}", headers={"Accept": accept})
    assert status == 200
    assert got.split(";")[0] == media
    assert "true" in text


def test_construct_gives_a_graph(server: SparqlServer) -> None:
    form = urllib.parse.urlencode(
        {
            "query": "PREFIX pkg: <https://w3id.org/paperkg/vocab/> "
            "CONSTRUCT { ?p a pkg:Paper } WHERE { ?p a pkg:Paper }"
        }
    ).encode()
    status, media, text = fetch(
        f"{server.url}/query?format=ntriples",
        data=form,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 200
    assert media.startswith("application/n-triples")
    assert len(rdflib.Graph().parse(data=text, format="nt")) == len(list(SEEDS.glob("*.txt")))


def test_the_named_queries_over_http(server: SparqlServer, store_path: Path) -> None:
    status, _, text = fetch(f"{server.url}/queries")
    assert status == 200
    names = {item["name"] for item in json.loads(text)}
    assert names == {named.name for named in paperkg.list_queries()}
    status, media, text = fetch(
        f"{server.url}/queries/drugs-tried-for?condition=FMS", headers={"Accept": "text/csv"}
    )
    assert status == 200
    assert media.startswith("text/csv")
    got = {
        row["drug_label"]: (row["papers"], row["outcomes"])
        for row in csv.DictReader(io.StringIO(text))
    }
    assert got == expected_drugs(store_path)  # a synonym, bound as a term, as on the CLI


@pytest.mark.parametrize(
    ("path", "data", "headers", "status", "message"),
    [
        ("/query?query=SELEC", None, {}, 400, "query: error at 1:"),
        ("/query", None, {}, 400, "no query"),
        ("/query", b"INSERT DATA { <a:b> <a:b> <a:b> }",
         {"Content-Type": "application/sparql-update"}, 403, "read-only"),
        ("/query", b"update=CLEAR+ALL", {"Content-Type": "application/x-www-form-urlencoded"},
         403, "read-only"),
        ("/query?query=ASK%7B%7D", None, {"Accept": "image/png"}, 406, "results come as"),
        ("/queries/drugs-tried", None, {}, 404, "did you mean 'drugs-tried-for'"),
        ("/nothing", None, {}, 404, "try /query"),
    ],
)  # fmt: skip
def test_mistakes_get_a_status_and_one_line(
    server: SparqlServer,
    path: str,
    data: bytes | None,
    headers: dict[str, str],
    status: int,
    message: str,
) -> None:
    got, media, text = fetch(f"{server.url}{path}", data=data, headers=headers)
    assert got == status
    assert media.startswith("text/plain")
    assert message in text
    assert len(text.strip().splitlines()) == 1


def test_an_update_cannot_change_the_store(server: SparqlServer) -> None:
    query = urllib.parse.quote("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    before = fetch(f"{server.url}/query?query={query}&format=csv")[2]
    fetch(
        f"{server.url}/query",
        data=b"DELETE WHERE { ?s ?p ?o }",
        headers={"Content-Type": "application/sparql-query"},
    )
    assert fetch(f"{server.url}/query?query={query}&format=csv")[2] == before


def test_the_command_serves_until_sigterm(store_path: Path) -> None:
    command = [sys.executable, "-m", "paperkg", "--store", str(store_path), "serve",
               "--bind", "127.0.0.1:0"]  # fmt: skip
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        assert line.startswith("serving SPARQL at http://127.0.0.1:"), line
        url = line.split(" at ")[1].split()[0]
        status, _, text = fetch(f"{url}?query={urllib.parse.quote('ASK { }')}&format=json")
        assert status == 200
        assert json.loads(text)["boolean"] is True
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_a_port_in_use_is_a_one_line_error(store_path: Path, server: SparqlServer) -> None:
    port = server.server_address[1]
    code, _, err = run("--store", str(store_path), "serve", "--bind", f"127.0.0.1:{port}")
    assert code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in err
    assert len(err.strip().splitlines()) == 1


@pytest.fixture(scope="module")
def quick(store_path: Path) -> Iterator[SparqlServer]:
    """A server that cuts queries off after 1.5 s."""
    with PaperStore.open_existing(store_path) as store:
        running = make_server(store, port=0, timeout=1.5)
        thread = threading.Thread(target=running.serve_forever, daemon=True)
        thread.start()
        try:
            yield running
        finally:
            running.shutdown()
            running.server_close()


def settled_workers(pid: int) -> set[int]:
    """:func:`workers_of` once it stays the same for half a second (no replacement under way)."""
    seen = workers_of(pid)
    while True:
        time.sleep(0.5)
        if (now := workers_of(pid)) == seen:
            return now
        seen = now


def is_running(pid: int) -> bool:
    """Whether process ``pid`` exists and has not ended (a zombie has ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def test_a_long_query_is_cut_off_while_small_ones_are_answered(quick: SparqlServer) -> None:
    replies: list[tuple[int, str, str]] = []
    started = time.monotonic()
    endless = threading.Thread(target=lambda: replies.append(post_endless(f"{quick.url}/query")))
    endless.start()
    time.sleep(0.5)
    status, _, text = fetch(quick.url + ASK)  # while the endless one runs
    assert endless.is_alive()
    assert status == 200
    assert json.loads(text)["boolean"] is True
    endless.join(timeout=30)
    elapsed = time.monotonic() - started
    [(status, media, text)] = replies
    assert status == 503
    assert media.startswith("text/plain")
    assert text.startswith("query: cut off after 1.5 s;")
    assert "--timeout" in text
    assert len(text.strip().splitlines()) == 1
    assert 1.5 <= elapsed < 10
    status, _, text = fetch(quick.url + ASK)  # right after
    assert status == 200
    assert json.loads(text)["boolean"] is True
    status, _, text = fetch(f"{quick.url}/queries/drugs-tried-for?condition=FMS&format=csv")
    assert status == 200
    assert text.startswith("drug,drug_label,")


@needs_proc
def test_the_worker_of_a_cut_off_query_is_replaced(quick: SparqlServer) -> None:
    before = settled_workers(os.getpid())
    assert post_endless(f"{quick.url}/query")[0] == 503
    deadline = time.monotonic() + 60
    while (now := workers_of(os.getpid())) == before or len(now) < len(before):
        assert time.monotonic() < deadline, (before, now)
        time.sleep(0.2)
    gone = before - now
    assert len(gone) == 1
    assert not any(is_running(pid) for pid in gone)


@needs_proc
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_stopping_the_command_leaves_no_worker_running(store_path: Path, stop: int) -> None:
    command = [sys.executable, "-m", "paperkg", "--store", str(store_path), "serve",
               "--bind", "127.0.0.1:0", "--timeout", "20", "--workers", "3"]  # fmt: skip
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        assert "queries cut off after 20 s" in line, line
        url = line.split(" at ")[1].split()[0]
        workers = workers_of(process.pid)
        assert len(workers) == 3
        busy = threading.Thread(target=post_endless, args=(url,), daemon=True)
        busy.start()  # one worker is busy when the server is told to stop
        time.sleep(0.5)
        process.send_signal(stop)
        assert process.wait(timeout=15) == 0
        busy.join(timeout=15)
        assert not any(is_running(pid) for pid in workers)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@needs_proc
def test_workers_end_when_the_server_is_killed(store_path: Path) -> None:
    command = [sys.executable, "-m", "paperkg", "--store", str(store_path), "serve",
               "--bind", "127.0.0.1:0"]  # fmt: skip
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stderr is not None
        url = process.stderr.readline().split(" at ")[1].split()[0]
        workers = workers_of(process.pid)
        assert len(workers) == 2
        threading.Thread(target=post_endless, args=(url,), daemon=True).start()
        time.sleep(0.5)
    finally:
        process.kill()  # no chance to stop its workers: they notice and end themselves
        process.wait()
    deadline = time.monotonic() + 15
    while any(is_running(pid) for pid in workers):
        assert time.monotonic() < deadline, "workers outlived their killed server"
        time.sleep(0.2)


def test_with_every_worker_busy_a_query_waits_then_gets_a_503(store_path: Path) -> None:
    with PaperStore.open_existing(store_path) as store:
        lone = make_server(store, port=0, timeout=1.5, workers=1)
        threading.Thread(target=lone.serve_forever, daemon=True).start()
        try:
            endless = threading.Thread(target=post_endless, args=(f"{lone.url}/query",))
            endless.start()
            time.sleep(0.3)
            status, media, text = fetch(lone.url + ASK)  # no worker frees up within 1.5 s
            endless.join(timeout=30)
        finally:
            lone.shutdown()
            lone.server_close()
    assert status == 503
    assert media.startswith("text/plain")
    assert text.startswith("query: no query worker came free within 1.5 s (1 in all);")
    assert len(text.strip().splitlines()) == 1
