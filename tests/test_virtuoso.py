"""Push and remote query against a real Virtuoso (Debian ``virtuoso-opensource``, started on
127.0.0.1 by :mod:`virtuoso`): the push goes through HTTP Digest auth to the authenticated
Graph Store endpoint with the password in no message, argument or store file; the named queries
give the local rows; an answer past Virtuoso's 10,000-row cap is paged, not cut. Skips with the
reason where Virtuoso cannot run.
"""

from __future__ import annotations

import csv
import io
import re
import shlex
import shutil
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from paperkg.push_http import Sender
from paperkg.query import list_queries
from paperkg.remote_query import run_remote_query
from virtuoso import DBA_PASSWORD, VirtuosoServer, virtuoso_server

from conftest import REPO, data_graph_sizes
from conftest import run_cli as run

BIG = 12_000


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoServer]:
    with virtuoso_server(tmp_path_factory.mktemp("virtuoso") / "db") as server:
        yield server


@pytest.fixture(scope="module")
def pushed(
    seeds_store: Path, virtuoso: VirtuosoServer, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, str, str]:
    """The seeds store pushed to Virtuoso with Digest auth: the store, stdout and stderr."""
    copy = tmp_path_factory.mktemp("pushed") / "kg"
    shutil.copytree(seeds_store, copy)
    (copy / "LOCK").unlink(missing_ok=True)
    code, out, err = run(
        "--store", str(copy), "push", "--endpoint", virtuoso.graph_store, "--user", "dba",
        env={"PAPERKG_PUSH_PASSWORD": DBA_PASSWORD},
    )  # fmt: skip
    assert code == 0, err
    return copy, out, err


def _remote_sizes(virtuoso: VirtuosoServer) -> dict[str, int]:
    answer = virtuoso.select_json(
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
        'FILTER(STRSTARTS(STR(?g), "https://w3id.org/paperkg/")) } GROUP BY ?g'
    )
    bindings = answer["results"]["bindings"]
    return {row["g"]["value"]: int(row["n"]["value"]) for row in bindings}


def test_a_push_with_digest_auth_stores_every_graph_whole(
    pushed: tuple[Path, str, str], virtuoso: VirtuosoServer
) -> None:
    store, out, err = pushed
    assert _remote_sizes(virtuoso) == data_graph_sizes(store)
    assert "0 refused" in out
    # Again: nothing changed, nothing sent; with --all, replaced, never duplicated.
    env = {"PAPERKG_PUSH_PASSWORD": DBA_PASSWORD}
    args = ("--store", str(store), "push", "--endpoint", virtuoso.graph_store, "--user", "dba")
    code, again, _ = run(*args, env=env)
    assert code == 0
    assert again.startswith("0 graph(s), 0 triples pushed")
    code, _, err = run(*args, "--all", env=env)
    assert code == 0, err
    assert _remote_sizes(virtuoso) == data_graph_sizes(store)


def test_the_password_is_in_no_message_and_no_store_file(
    pushed: tuple[Path, str, str], virtuoso: VirtuosoServer
) -> None:
    store, out, err = pushed
    assert DBA_PASSWORD not in out + err
    for path in store.rglob("*"):
        if path.is_file():
            assert DBA_PASSWORD.encode() not in path.read_bytes(), path
    wrong = "not-the-password"
    code, out, err = run(
        "--store", str(store), "push", "--all", "--endpoint", virtuoso.graph_store,
        "--user", "dba", env={"PAPERKG_PUSH_PASSWORD": wrong},
    )  # fmt: skip
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert "HTTP 401" in err
    assert "the login 'dba' was refused" in err
    assert wrong not in out + err


def _examples() -> list[tuple[str, list[str]]]:
    return [(named.name, shlex.split(named.example)) for named in list_queries()]


@pytest.mark.parametrize(("name", "params"), _examples(), ids=[n for n, _ in _examples()])
def test_the_named_queries_give_the_local_rows_at_virtuoso(
    pushed: tuple[Path, str, str], virtuoso: VirtuosoServer, name: str, params: list[str]
) -> None:
    store = pushed[0]
    local = run("--store", str(store), "query", name, *params, "--format", "csv")
    code, out, err = run(
        "--store", str(store), "query", name, *params, "--format", "csv",
        "--endpoint", virtuoso.sparql,
    )  # fmt: skip
    assert code == 0, err
    lines = out.splitlines()
    # The same header and rows (drugs-tried-for and conditions-for-drug avoid an aggregate
    # inside IF, which Virtuoso 7.2 cannot compile); Virtuoso orders rows by an aggregate's
    # alias its own way.
    assert lines[0] == local[1].splitlines()[0]
    assert sorted(lines) == sorted(local[1].splitlines())


def test_a_query_virtuoso_cannot_run_is_one_line_with_its_words(
    pushed: tuple[Path, str, str], virtuoso: VirtuosoServer, tmp_path: Path
) -> None:
    # drugs-tried-for as it was written first: an aggregate inside IF, which Virtuoso 7.2
    # cannot compile (the shipped query drops empty outcomes with REPLACE instead).
    shipped = (REPO / "queries" / "drugs-tried-for.rq").read_text(encoding="utf-8")
    first = re.sub(
        r'REPLACE\(CONCAT\("(\w+):", STR\(COUNT\(DISTINCT \?p_\w+\)\), "\|"\), "[^"]*", ""\)',
        lambda m: (
            f"IF(COUNT(DISTINCT ?p_{m[1]}) > 0, "
            f'CONCAT("{m[1]}:", STR(COUNT(DISTINCT ?p_{m[1]})), "|"), "")'
        ),
        shipped,
    )
    assert first.count("IF(COUNT(DISTINCT") == 6
    query = tmp_path / "first.rq"
    query.write_text(first, encoding="utf-8")
    code, out, err = run(
        "query", str(query), "-p", "condition=fibromyalgia", "--endpoint", virtuoso.sparql
    )
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert "the server could not run the query (HTTP 500: Virtuoso 37000 Error SQ156" in err


def test_virtuoso_s_blank_node_labels_are_read(virtuoso: VirtuosoServer, tmp_path: Path) -> None:
    graph = "http://example.org/blank"
    body = b'_:a <http://example.org/p> "1" .\n_:b <http://example.org/p> "2" .\n'
    sender = Sender(user="dba", password=DBA_PASSWORD, timeout=60, retries=0, digest=True)
    url = f"{virtuoso.graph_store}?graph={urllib.parse.quote(graph, safe='')}"
    sent = sender.send(url, "PUT", body)
    assert sent.verdict == "ok", sent
    query = tmp_path / "blank.rq"
    query.write_text(
        f"SELECT ?node ?value WHERE {{ GRAPH <{graph}> {{ ?node ?p ?value }} }} ORDER BY ?value\n",
        encoding="utf-8",
    )
    rows = run_remote_query(virtuoso.sparql, str(query)).result.rows
    assert [row[1] for row in rows] == ["1", "2"]
    assert rows[0][0] != rows[1][0]


def test_an_answer_past_the_10000_row_cap_is_paged_not_cut(
    virtuoso: VirtuosoServer, tmp_path: Path
) -> None:
    graph = "http://example.org/big"
    body = "".join(
        f'<http://example.org/item/{n:05d}> <http://example.org/value> "{n // 2}"'
        "^^<http://www.w3.org/2001/XMLSchema#integer> .\n"
        for n in range(BIG)
    ).encode()
    sender = Sender(user="dba", password=DBA_PASSWORD, timeout=120, retries=0, digest=True)
    url = f"{virtuoso.graph_store}?graph={urllib.parse.quote(graph, safe='')}"
    sent = sender.send(url, "PUT", body)
    assert sent.verdict == "ok", sent
    text = (
        "# title: big\nPREFIX ex: <http://example.org/>\n"
        f"SELECT ?item ?value WHERE {{ GRAPH <{graph}> {{ ?item ex:value ?value }} }}\n"
        "ORDER BY ?value\n"
    )
    query = tmp_path / "big.rq"
    query.write_text(text, encoding="utf-8")
    # The trap: the plain answer is cut at 10,000 rows with HTTP 200.
    plain = virtuoso.select_json(text)
    assert len(plain["results"]["bindings"]) == 10_000
    answer = run_remote_query(virtuoso.sparql, str(query), timeout=120)
    assert (answer.pages, answer.cap, answer.warning) == (2, 10_000, None)
    rows = answer.result.rows
    assert len(rows) == BIG
    assert {row[0] for row in rows} == {f"http://example.org/item/{n:05d}" for n in range(BIG)}
    values = [int(row[1] or "") for row in rows]
    assert values == sorted(values)
    code, out, err = run("query", str(query), "--endpoint", virtuoso.sparql, "--format", "csv")
    assert code == 0, err
    assert len(list(csv.reader(io.StringIO(out)))) == 1 + BIG
