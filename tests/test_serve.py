"""``paperkg serve``: the SPARQL 1.1 Protocol over the store, checked with plain HTTP and with
rdflib's SPARQLStore as an independent client; named queries over HTTP; read-only; and the
command itself, started as a process and stopped with SIGTERM.
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

DRUGS = (REPO / "queries" / "drugs-tried-for.rq").read_text(encoding="utf-8")


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


def fetch(
    url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, str, str]:
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers["Content-Type"], response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read().decode()


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
