"""``paperkg serve`` against hostile clients: nothing reaches out (SERVICE, LOAD, FROM, updates;
a listener checks), no file outside queries/ is read, a runaway query is cut off while small ones
are answered at once, answers and requests are capped with a clear status, the server binds
127.0.0.1 unless told otherwise, and it answers many parallel clients with no error and flat
memory.
"""

from __future__ import annotations

import http.client
import importlib.util
import json
import os
import socket
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pyoxigraph as ox
import pytest

from paperkg import serve
from paperkg.cli import main
from paperkg.serve import DEFAULT_TIMEOUT, SparqlServer, make_server
from paperkg.serve_guard import refuse_outbound
from paperkg.serve_workers import RefusedError
from paperkg.store import PaperStore

from conftest import REPO, SEEDS
from conftest import run_cli as run
from serving import fetch, needs_proc, post_endless, workers_of


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "kg"
    assert run("--store", str(path), "build", str(SEEDS))[0] == 0
    return path


def _serving(store_path: Path, **options: object) -> Iterator[SparqlServer]:
    with PaperStore.open_existing(store_path) as store:
        running = make_server(store, port=0, **options)  # type: ignore[arg-type]
        threading.Thread(target=running.serve_forever, daemon=True).start()
        try:
            yield running
        finally:
            running.shutdown()
            running.server_close()


@pytest.fixture(scope="module")
def server(store_path: Path) -> Iterator[SparqlServer]:
    """Cuts queries off after 3 s, takes bodies up to 2,000 bytes."""
    yield from _serving(store_path, timeout=3.0, max_request=2000)


@pytest.fixture(scope="module")
def capped(store_path: Path) -> Iterator[SparqlServer]:
    """Answers at most 5 rows."""
    yield from _serving(store_path, max_rows=5)


@pytest.fixture
def listener() -> Iterator[tuple[int, list[bytes]]]:
    """A local port that records whatever connects to it."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    sock.settimeout(0.2)
    heard: list[bytes] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _ = sock.accept()
            except TimeoutError:
                continue
            with connection:
                connection.settimeout(1)
                try:
                    heard.append(connection.recv(4096) or b"(connected)")
                except OSError:
                    heard.append(b"(connected)")

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield int(sock.getsockname()[1]), heard
    finally:
        stop.set()
        thread.join()
        sock.close()


def post(url: str, query: str, kind: str = "application/sparql-query") -> tuple[int, str, str]:
    return fetch(url, data=query.encode(), headers={"Content-Type": kind, "Accept": "text/csv"})


def outbound_attempts(port: int) -> list[tuple[str, str, str]]:
    """Requests that would make the server contact ``port``: (path, body, content type)."""
    target = f"<http://127.0.0.1:{port}/>"
    form = "application/x-www-form-urlencoded"
    update = "application/sparql-update"
    in_string = f"SELECT * {{ FILTER(?a<'''>\n''')\nSERVICE {target} {{ ?s ?p ?o }}\n# '''\n}}"
    in_comment = f"SELECT * {{ BIND(1 AS ?a) FILTER(?a<?b#>)\nSERVICE {target} {{ ?s ?p ?o }} }}"
    glued = f"PREFIX e: <http://x/> SELECT * {{ ?a e:p ?b SERVICE{target}{{?s ?p ?o}}}}"
    return [
        ("/query", f"SELECT * {{ SERVICE {target} {{ ?s ?p ?o }} }}", ""),
        ("/query", f"select * {{ service silent {target} {{ ?s ?p ?o }} }}", ""),
        ("/query", glued, ""),
        # Readings that hide the keyword from a simple scan: a '<' taken for an IRI opens a
        # string or a comment where the parser sees less-than.
        ("/query", in_string, ""),
        ("/query", in_comment, ""),
        ("/query", f"SELECT * FROM {target} {{ ?s ?p ?o }}", ""),
        ("/query", f"LOAD {target}", ""),
        ("/query", f"LOAD {target}", update),
        ("/query", urllib.parse.urlencode({"update": f"LOAD {target}"}), form),
        ("/query", f"INSERT DATA {{ GRAPH {target} {{ {target} {target} {target} }} }}", update),
        ("/update", f"LOAD {target}", update),
        ("/store", "<a:b> <a:b> <a:b> .", "application/n-triples"),
    ]  # fmt: skip


def test_no_query_makes_the_server_reach_out(
    server: SparqlServer, listener: tuple[int, list[bytes]]
) -> None:
    port, heard = listener
    for path, body, kind in outbound_attempts(port):
        status, _, text = post(f"{server.url}{path}", body, kind or "application/sparql-query")
        assert status in (200, 400, 403, 404), (body, status, text)
        if "SERVICE" in body.upper():
            assert status == 403, body
            assert text.startswith("query: SERVICE is refused"), text
    time.sleep(0.5)
    assert heard == []


def test_service_is_found_in_every_reading_and_nowhere_else() -> None:
    for hidden in ("SELECT * { FILTER(?a<'''>\n''')\nSERVICE <http://h/> {}\n# '''\n}",
                   "SELECT * { FILTER(?a<?b#>\"\"\"\nSERVICE <http://h/> {}\n# \"\"\"\n}",
                   "SELECT * { ?s a.SERVICE <http://h/> {} }",
                   "SELECT * { ?s ex:a\\'''b SERVICE <http://h/> {} # '''\n}"):  # fmt: skip
        with pytest.raises(RefusedError, match="SERVICE is refused"):
            refuse_outbound(hidden)
    for harmless in ('SELECT * { ?s ?p "customer service" }', "SELECT ?service { ?service ?p ?o }",
                     "SELECT * { ?s <http://schema.org/Service> ?o } # SERVICE",
                     "PREFIX ex: <http://x/> SELECT * { ?s ex:SERVICE ?o }"):  # fmt: skip
        refuse_outbound(harmless)


@needs_proc
def test_the_query_workers_have_no_network(server: SparqlServer) -> None:
    own = os.readlink("/proc/self/ns/net")
    workers = workers_of(os.getpid())
    assert workers
    for pid in workers:
        assert os.readlink(f"/proc/{pid}/ns/net") != own  # a network of their own, empty


def test_a_file_outside_queries_is_never_read(server: SparqlServer, tmp_path: Path) -> None:
    secret = tmp_path / "secret.rq"
    secret.write_text('SELECT ("LEAKED" AS ?x) WHERE {}\n', encoding="utf-8")
    relative = os.path.relpath(secret, Path.cwd())
    for name in (str(secret), relative, "../" * 12 + str(secret).lstrip("/"), "secret.rq"):
        for path in (urllib.parse.quote(name, safe=""), urllib.parse.quote(name)):
            status, _, text = fetch(f"{server.url}/queries/{path}")
            assert status in (400, 404), (path, status)
            assert "LEAKED" not in text
    assert fetch(f"{server.url}/queries/findings")[0] == 200  # the shipped ones still run


def test_a_runaway_query_is_cut_off_and_small_ones_are_answered_at_once(
    server: SparqlServer,
) -> None:
    replies: list[tuple[int, str, str]] = []
    started = time.monotonic()
    endless = threading.Thread(target=lambda: replies.append(post_endless(f"{server.url}/query")))
    endless.start()
    time.sleep(0.3)
    for _ in range(5):
        asked = time.monotonic()
        status, _, text = fetch(f"{server.url}/queries/drugs-tried-for?condition=FMS&format=csv")
        assert status == 200
        assert time.monotonic() - asked < 1.0  # answered while the runaway one runs
        assert endless.is_alive()
    endless.join(timeout=30)
    [(status, _, text)] = replies
    assert status == 503
    assert text.startswith("query: cut off after 3 s;")
    assert 3 <= time.monotonic() - started < 10


def test_long_answers_are_refused_not_cut_short(capped: SparqlServer) -> None:
    server = capped
    status, media, text = post(f"{server.url}/query", "SELECT * { ?s ?p ?o }")
    assert status == 422
    assert media.startswith("text/plain")
    assert text.startswith("query: cut off at 5 rows (paperkg serve --max-rows)")
    assert "LIMIT" in text
    status, _, text = fetch(
        f"{server.url}/query?format=turtle",
        data=b"CONSTRUCT WHERE { ?s ?p ?o }",
        headers={"Content-Type": "application/sparql-query"},
    )
    assert (status, text.split(":")[0]) == (422, "query")
    status, _, text = fetch(f"{server.url}/queries/findings?format=csv")
    assert status == 422
    assert text.startswith("query findings: cut off at 5 rows")


@pytest.mark.parametrize("form", ["json", "xml", "csv", "tsv"])
def test_answers_within_the_cap_are_what_oxigraph_writes(
    capped: SparqlServer, store_path: Path, form: str
) -> None:
    server = capped
    query = (
        "SELECT ?s ?label ?n ?none WHERE { ?s ?p ?label . OPTIONAL { ?s <urn:none> ?none } "
        "BIND(STRLEN(STR(?label)) AS ?n) FILTER(isLiteral(?label)) } ORDER BY ?s ?label LIMIT 5"
    )
    status, _, text = fetch(f"{server.url}/query?format={form}&query={urllib.parse.quote(query)}")
    assert status == 200
    formats = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML,
               "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV}  # fmt: skip
    with PaperStore.open_existing(store_path) as store:
        direct = store.query(query)
        assert isinstance(direct, ox.QuerySolutions)
        expected = (direct.serialize(format=formats[form]) or b"").decode()
    if form == "json":
        assert json.loads(text) == json.loads(expected)
    else:
        assert text == expected


def test_big_or_broken_request_bodies_are_refused_and_the_connection_closed(
    server: SparqlServer,
) -> None:
    host, port = server.server_address[:2]
    connection = http.client.HTTPConnection(str(host), int(port), timeout=10)
    big = b"SELECT * { ?s ?p ?o } #" + b"x" * 3000
    connection.request("POST", "/query", big, {"Content-Type": "application/sparql-query"})
    response = connection.getresponse()
    assert response.status == 413
    assert b"3023 bytes, over the 2000" in response.read()
    # The unread body is not taken for the next request on the connection.
    connection.request("GET", "/query?format=json&query=" + urllib.parse.quote("ASK {}"))
    response = connection.getresponse()
    assert response.status == 200
    assert json.loads(response.read())["boolean"] is True
    for headers, status in (({"Content-Length": "-5"}, 400),
                            ({"Transfer-Encoding": "chunked"}, 411)):  # fmt: skip
        with socket.create_connection((str(host), int(port)), timeout=10) as raw:
            lines = [f"{k}: {v}" for k, v in headers.items()]
            raw.sendall("\r\n".join(["POST /query HTTP/1.1", "Host: x", *lines, "", ""]).encode())
            raw.sendall(b"5\r\nASK {}\r\n0\r\n\r\n" if status == 411 else b"")
            answer = raw.recv(4096).decode()
            assert answer.startswith(f"HTTP/1.1 {status} "), answer
            assert "Connection: close" in answer


def test_it_binds_loopback_and_cuts_off_within_seconds_by_default(store_path: Path) -> None:
    options = {param.name: param for param in main.commands["serve"].params}
    assert str(options["bind"].default).startswith("127.0.0.1:")
    assert options["timeout"].default == DEFAULT_TIMEOUT <= 10
    with PaperStore.open_existing(store_path) as store:
        running = make_server(store, port=0, workers=1)
        try:
            assert running.server_address[0] == "127.0.0.1"
            assert running.query_timeout == DEFAULT_TIMEOUT
        finally:
            running.server_close()


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_serve", REPO / "bench" / "bench_serve.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_serve"] = module
    spec.loader.exec_module(module)
    return module


@needs_proc
def test_many_parallel_clients_get_no_error_and_memory_stays_flat(store_path: Path) -> None:
    bench = _bench()
    process, url = bench.start_server(store_path)
    try:
        warm = bench.hammer(url, 100, 8)
        before, threads = bench.rss_mib(process.pid), bench.threads_of(process.pid)
        run_ = bench.hammer(url, 300, 8)
        time.sleep(0.5)
        after = bench.rss_mib(process.pid)
        assert warm.errors == run_.errors == []
        assert after - before < 20, (before, after)
        assert bench.threads_of(process.pid) <= threads + 1  # no handler thread left behind
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert process.returncode == 0


def test_a_client_that_stalls_mid_request_is_dropped(
    server: SparqlServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert 0 < (serve._Handler.timeout or 0) <= 60  # a client never holds a thread for long
    monkeypatch.setattr(serve._Handler, "timeout", 1.0)  # as here, only sooner
    host, port = server.server_address[:2]
    with socket.create_connection((str(host), int(port)), timeout=10) as raw:
        raw.sendall(
            b"POST /query HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
            b"Content-Length: 100\r\n\r\nASK"  # and then nothing more
        )
        started = time.monotonic()
        data = b""
        while chunk := raw.recv(4096):  # to the end: the server closes the connection
            data += chunk
        answer = data.decode()
        assert answer.startswith("HTTP/1.1 408 "), answer
        assert "the request body never came" in answer
        assert time.monotonic() - started < 5
    assert fetch(f"{server.url}/queries")[0] == 200
