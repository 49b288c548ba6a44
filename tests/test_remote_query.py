"""``paperkg query NAME --endpoint URL``: the named queries against a live Oxigraph server give
the local answer; a server that cuts answers at a row cap (with or without saying so) is paged
so no row is lost, or the answer comes with a warning; endpoint trouble is one line.
"""

from __future__ import annotations

import base64
import contextlib
import csv
import http.server
import io
import json
import re
import shlex
import shutil
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import pyoxigraph as ox
import pytest

from paperkg.errors import QueryError
from paperkg.query import list_queries
from paperkg.remote_query import CAP_HEADER, run_remote_query

from conftest import SEEDS
from conftest import run_cli as run
from triplestore import OxigraphServer, oxigraph_server


@pytest.fixture(scope="module")
def seeds_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("remote") / "kg"
    code, _, err = run("--store", str(path), "build", str(SEEDS))
    assert code == 0, err
    return path


@pytest.fixture(scope="module")
def pushed(
    seeds_store: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Path, OxigraphServer]]:
    """The seeds store pushed to a live Oxigraph server (from a copy: pushes log in the store)."""
    copy = tmp_path_factory.mktemp("pushed") / "kg"
    shutil.copytree(seeds_store, copy)
    (copy / "LOCK").unlink(missing_ok=True)
    with oxigraph_server(tmp_path_factory.mktemp("ox") / "oxigraph") as server:
        code, _, err = run("--store", str(copy), "push", "--endpoint", server.store)
        assert code == 0, err
        yield copy, server


def _examples() -> list[tuple[str, list[str]]]:
    """Every named query with the parameters of its own example."""
    return [(named.name, shlex.split(named.example)) for named in list_queries()]


@pytest.mark.parametrize(("name", "params"), _examples(), ids=[n for n, _ in _examples()])
@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_every_named_query_gives_the_local_answer_at_an_oxigraph_endpoint(
    pushed: tuple[Path, OxigraphServer], name: str, params: list[str], fmt: str
) -> None:
    store, server = pushed
    local = run("--store", str(store), "query", name, *params, "--format", fmt)
    remote = run(
        "--store", str(store), "query", name, *params, "--format", fmt,
        "--endpoint", f"{server.url}/query",
    )  # fmt: skip
    assert remote[0] == 0, remote[2]
    assert local[0] == 0, local[2]
    assert remote[1] == local[1]


def test_a_remote_answer_has_rows_and_is_typed_like_the_local_one(
    pushed: tuple[Path, OxigraphServer],
) -> None:
    store, server = pushed
    code, out, err = run(
        "--store", str(store), "query", "drugs-tried-for", "-p", "condition=FMS",
        "--format", "json", "--endpoint", f"{server.url}/query",
    )  # fmt: skip
    assert code == 0, err
    rows = json.loads(out)
    naltrexone = next(row for row in rows if row["drug_label"] == "naltrexone")
    assert naltrexone["papers"] == 3
    assert "improved:2" in naltrexone["outcomes"]
    assert "condition_key" not in naltrexone  # the parameter's variable is left out


def test_parameters_are_bound_as_terms_never_pasted(
    pushed: tuple[Path, OxigraphServer],
) -> None:
    _, server = pushed
    hostile = 'fibromyalgia" } } SELECT * WHERE { ?s ?p ?o } #'
    answer = run_remote_query(
        f"{server.url}/query", "drugs-tried-for", {"condition": hostile}, timeout=30
    )
    assert answer.result.rows == ()
    assert answer.pages == 1


# A small SPARQL server on 127.0.0.1 that answers from pyoxigraph but cuts answers at a cap,
# like Virtuoso (with its X-SPARQL-MaxRows header) or silently.

ITEMS = 2500
EX = "http://example.org/"


@dataclass
class Capping:
    """How the fake server behaves."""

    cap: int = 1000
    header: bool = True  # say X-SPARQL-MaxRows on a cut answer, as Virtuoso does
    refuse_count: bool = False  # answer COUNT queries with 400
    ignore_offset: bool = False  # answer every page with the first rows
    queries: list[str] = field(default_factory=list)


class _CappingHandler(http.server.BaseHTTPRequestHandler):
    store: ClassVar[ox.Store]
    plan: ClassVar[Capping]

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        form = urllib.parse.parse_qs(self.rfile.read(length).decode("utf-8"))
        text = form["query"][0]
        self.plan.queries.append(text)
        if self.plan.refuse_count and "COUNT(*)" in text:
            self._reply(400, b"too expensive", "text/plain")
            return
        tail = text[text.rfind("}") + 1 :]
        offset = re.search(r"OFFSET\s+(\d+)", tail)
        if offset and "ORDER BY" in tail and int(offset.group(1)) >= self.plan.cap:
            # Virtuoso will not sort past its cap for an OFFSET at the top level.
            self._reply(500, b"Error SR353: Sorted TOP clause specifies more rows", "text/plain")
            return
        if self.plan.ignore_offset:
            text = re.sub(r"LIMIT \d+ OFFSET \d+\s*$", "", text)
        union = "union-default-graph" in urllib.parse.urlsplit(self.path).query
        data = json.loads(_answer(self.store, text, union))
        headers = {}
        bindings = data.get("results", {}).get("bindings")
        if bindings is not None and len(bindings) >= self.plan.cap:
            data["results"]["bindings"] = bindings[: self.plan.cap]
            if self.plan.header:
                headers[CAP_HEADER] = str(self.plan.cap)
        self._reply(200, json.dumps(data).encode(), "application/sparql-results+json", headers)

    def _reply(
        self, status: int, body: bytes, kind: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def _answer(store: ox.Store, text: str, union: bool) -> bytes:
    """The JSON results of ``text`` (pyoxigraph's objects dropped here, on this thread)."""
    solutions = store.query(text, use_default_graph_as_union=union)
    assert isinstance(solutions, ox.QuerySolutions)
    return solutions.serialize(format=ox.QueryResultsFormat.JSON) or b"{}"


@pytest.fixture
def capping() -> Iterator[tuple[str, Capping]]:
    store = ox.Store()
    graph = ox.NamedNode(EX + "graph")
    for number in range(ITEMS):
        item = ox.NamedNode(f"{EX}item/{number:05d}")
        # Three items share each value: the query's own order has ties that paging must break.
        value = ox.Literal(str(number // 3), datatype=ox.NamedNode(XSD_INTEGER))
        store.add(ox.Quad(item, ox.NamedNode(EX + "value"), value, graph))
    plan = Capping()
    handler = type("Handler", (_CappingHandler,), {"store": store, "plan": plan})
    # One thread: pyoxigraph objects must be dropped on the thread that made them.
    server = http.server.HTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/sparql", plan
    finally:
        server.shutdown()
        server.server_close()


XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
QUERY = f"""# title: Every item and its value
# description: for the paging tests
PREFIX ex: <{EX}>
SELECT ?item ?value WHERE {{ ?item ex:value ?value }}
ORDER BY DESC(?value)
"""


@pytest.fixture
def query_file(tmp_path: Path) -> Path:
    path = tmp_path / "items.rq"
    path.write_text(QUERY, encoding="utf-8")
    return path


def _check_every_item(rows: tuple[tuple[str | None, ...], ...]) -> None:
    """All items, each once, in the query's order (values descending)."""
    assert len(rows) == ITEMS
    assert {row[0] for row in rows} == {f"{EX}item/{n:05d}" for n in range(ITEMS)}
    values = [int(row[1] or "") for row in rows]
    assert values == sorted(values, reverse=True)


def test_an_answer_cut_at_a_stated_cap_is_fetched_page_by_page(
    capping: tuple[str, Capping], query_file: Path
) -> None:
    endpoint, plan = capping
    answer = run_remote_query(endpoint, str(query_file))
    _check_every_item(answer.result.rows)
    assert (answer.pages, answer.cap, answer.warning) == (3, 1000, None)
    assert answer.result.column_types == ("string", "integer")
    # The first answer, then three pages: the order inside, LIMIT and OFFSET outside.
    assert len(plan.queries) == 4
    assert all(q.rstrip().endswith(f"LIMIT 1000 OFFSET {n * 1000}") for n, q in
               enumerate(plan.queries[1:]))  # fmt: skip
    assert "ORDER BY DESC(?value)\n  ?item ?value" in plan.queries[1]


def test_a_silent_cap_at_a_round_number_is_counted_then_paged(
    capping: tuple[str, Capping], query_file: Path
) -> None:
    endpoint, plan = capping
    plan.header = False
    answer = run_remote_query(endpoint, str(query_file))
    _check_every_item(answer.result.rows)
    assert answer.pages == 3
    assert answer.warning is None


def test_a_cut_that_cannot_be_checked_or_paged_is_said_on_stderr(
    capping: tuple[str, Capping], query_file: Path, tmp_path: Path
) -> None:
    endpoint, plan = capping
    plan.header, plan.refuse_count = False, True
    code, out, err = run("query", str(query_file), "--endpoint", endpoint, "--format", "csv")
    assert code == 0, err
    assert len(out.splitlines()) == 1 + 1000
    assert "1000 rows, a round number" in err
    assert "may have been cut at a row cap" in err
    # A query with its own LIMIT cannot be paged: the cut is said, not hidden.
    plan.header, plan.refuse_count = True, False
    limited = tmp_path / "limited.rq"
    limited.write_text(QUERY + "LIMIT 2000\n", encoding="utf-8")
    code, out, err = run("query", str(limited), "--endpoint", endpoint, "--format", "csv")
    assert code == 0, err
    assert len(out.splitlines()) == 1 + 1000
    assert "the server cut the answer at 1000 rows" in err
    assert "ResultSetMaxRows" in err


def test_a_server_that_ignores_offset_is_one_line_not_a_loop(
    capping: tuple[str, Capping], query_file: Path
) -> None:
    endpoint, plan = capping
    plan.ignore_offset = True
    code, out, err = run("query", str(query_file), "--endpoint", endpoint, "--format", "csv")
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert "the server gives the same page for every OFFSET" in err
    assert len(plan.queries) == 3  # the first answer, then two pages


def test_the_cli_says_how_many_pages_it_took(
    capping: tuple[str, Capping], query_file: Path
) -> None:
    endpoint, _ = capping
    code, out, err = run(
        "--verbose", "query", str(query_file), "--endpoint", endpoint, "--format", "csv"
    )  # fmt: skip
    assert code == 0, err
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["item", "value"]
    assert len(rows) == 1 + ITEMS
    assert "2500 rows in 3 pages (the server caps answers at 1000 rows)" in err


def test_an_answer_under_the_cap_is_one_request(
    capping: tuple[str, Capping], query_file: Path
) -> None:
    endpoint, plan = capping
    plan.cap = 5000
    answer = run_remote_query(endpoint, str(query_file))
    _check_every_item(answer.result.rows)
    assert answer.pages == 1
    assert len(plan.queries) == 1


# Endpoint trouble: one line on stderr, exit 2, never a traceback.


class _Troubled(http.server.BaseHTTPRequestHandler):
    mode: ClassVar[str]
    login: ClassVar[tuple[str, str]] = ("reader", "Sw0rdf1sh-remote")

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.mode == "slow":
            time.sleep(2)
        if self.mode == "html":
            self._reply(200, b"<!DOCTYPE html>\n<html><body>Welcome</body></html>", "text/html")
        elif self.mode == "missing":
            self._reply(404, b"Not Found", "text/plain")
        elif self.mode == "login":
            user, password = self.login
            wanted = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
            if self.headers.get("Authorization") != wanted:
                self._reply(401, b"who are you?", "text/plain", login=True)
            else:
                body = b'{"head": {"vars": ["x"]}, "results": {"bindings": []}}'
                self._reply(200, body, "application/sparql-results+json")
        else:
            self._reply(200, b"", "application/sparql-results+json")

    def _reply(self, status: int, body: bytes, kind: str, login: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        if login:
            self.send_header("WWW-Authenticate", 'Basic realm="kg"')
        self.end_headers()
        with contextlib.suppress(OSError):  # the client gave up waiting
            self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def _troubled(mode: str) -> tuple[str, http.server.ThreadingHTTPServer]:
    handler = type("Handler", (_Troubled,), {"mode": mode})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/sparql", server


@pytest.mark.parametrize(
    ("mode", "extra", "said"),
    [
        ("missing", [], "no SPARQL query endpoint here (HTTP 404: Not Found); check the URL"),
        ("login", [], "refused (HTTP 401: who are you?); the endpoint wants a login: add "),
        ("slow", ["--timeout", "0.5"], "no answer within 0.5 s; raise --timeout"),
        ("html", [], "the answer is not SPARQL JSON results (text/html: <!DOCTYPE html>)"),
        ("empty", [], "the answer is not SPARQL JSON results"),
    ],
)
def test_endpoint_trouble_is_one_line(
    mode: str, extra: list[str], said: str, tmp_path: Path
) -> None:
    endpoint, server = _troubled(mode)
    env = {"NETRC": str(tmp_path / "none")}
    try:
        code, out, err = run(
            "query", "findings", "--endpoint", endpoint, *extra, "--format", "csv", env=env
        )  # fmt: skip
    finally:
        server.shutdown()
        server.server_close()
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert err.startswith(f"Error: query findings: {endpoint}: ")
    assert said in err


def test_unreachable_and_malformed_endpoints_are_one_line() -> None:
    with pytest.raises(QueryError, match="cannot reach the server"):
        run_remote_query("http://127.0.0.1:9/sparql", "findings", timeout=5)
    with pytest.raises(QueryError, match="not an http"):
        run_remote_query("ftp://127.0.0.1/sparql", "findings")
    with pytest.raises(QueryError, match="holds credentials") as error:
        run_remote_query("http://me:Sw0rdf1sh@127.0.0.1:9/sparql", "findings")
    assert "Sw0rdf1sh" not in str(error.value)


def test_a_login_comes_from_netrc_and_only_when_asked(tmp_path: Path) -> None:
    endpoint, server = _troubled("login")
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login reader password Sw0rdf1sh-remote\n")
    netrc.chmod(0o600)
    try:
        code, out, err = run(
            "query", "findings", "--endpoint", endpoint, "--format", "csv",
            env={"NETRC": str(netrc)},
        )  # fmt: skip
    finally:
        server.shutdown()
        server.server_close()
    assert code == 0, err
    assert out.strip() == "x"
    assert "Sw0rdf1sh" not in out + err
