"""The browser side of ``paperkg serve``: the query page at ``/`` (driven in a real headless
Chromium: a named query and an editor query run from the page, their tables read back), HTML
answers for ``text/html`` clients on ``/query`` and ``/queries/NAME``, every value escaped, and
a page that needs nothing but the server itself.

The server is the ``paperkg serve`` command, started as a process on a built seeds store.
"""

from __future__ import annotations

import html
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image

import paperkg
from paperkg.serve import make_server
from paperkg.serve_page import ASSETS, CONTENT_SECURITY_POLICY
from paperkg.store import PaperStore

from browser import PageRun, dump_dom_at
from conftest import REPO, SEEDS
from conftest import run_cli as run
from serving import fetch

#: What Chromium sends when it opens a page.
BROWSER_ACCEPT = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
    "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"
)
HOSTILE = (
    "<script>document.body.setAttribute('data-pwned','1')</script><img src=x onerror=alert(1)>"
)
HOSTILE_QUERY = f'SELECT ?text WHERE {{ BIND("{HOSTILE}" AS ?text) }}'


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("page") / "kg"
    assert run("--store", str(path), "build", str(SEEDS))[0] == 0
    return path


@pytest.fixture(scope="module")
def base(store_path: Path) -> Iterator[str]:
    """The address of a ``paperkg serve`` process over the seeds store (its log in a file, so
    that the requests it logs never fill a pipe).
    """
    # A long timeout: a busy test machine can take seconds over a named query.
    command = [sys.executable, "-m", "paperkg", "--store", str(store_path), "serve",
               "--bind", "127.0.0.1:0", "--timeout", "60"]  # fmt: skip
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    log = store_path.parent / "serve.log"
    with log.open("w") as sink:
        process = subprocess.Popen(command, stderr=sink, stdout=subprocess.DEVNULL, env=env)
    try:
        deadline = time.monotonic() + 120
        while not (line := log.read_text().partition("\n")[0]) or "\n" not in log.read_text():
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "paperkg serve did not start"
            time.sleep(0.1)
        assert line.startswith("serving SPARQL at http://127.0.0.1:"), line
        yield line.split(" at ")[1].split()[0].removesuffix("/query")
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class _Tables(HTMLParser):
    """The tables of a page as header and rows of cell text, plus elements of interest."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[tuple[list[str], list[list[str]]]] = []
        self.scripts: list[dict[str, str]] = []
        self.inputs: dict[str, str] = {}
        self.classes: dict[str, list[str]] = {}
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._head = False
        self._class: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "table":
            self.tables.append(([], []))
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []
            self._head = tag == "th"
        elif tag == "script":
            self.scripts.append(found)
        elif tag == "input":
            self.inputs[found.get("name", "")] = found.get("value", "")
        if found.get("class") in ("note", "error", "summary", "boolean") and self._class is None:
            self._class, self._text = found["class"], []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell))
            self._cell = None
        elif tag == "tr" and self._row is not None and self.tables:
            header, rows = self.tables[-1]
            if self._head:
                header.extend(self._row)
            else:
                rows.append(self._row)
            self._row = None
        elif tag == "p" and self._class is not None:
            self.classes.setdefault(self._class, []).append("".join(self._text))
            self._class = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self._class is not None:
            self._text.append(data)


def parse(page: str) -> _Tables:
    parser = _Tables()
    parser.feed(page)
    parser.close()
    return parser


def shown(value: object) -> str:
    """A JSON value as the page shows it in a cell (lists joined, nothing for null)."""
    if value is None:
        return ""
    if isinstance(value, list):
        return " | ".join(shown(item) for item in value)
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def compact(value: str, prefixes: list[tuple[str, str]]) -> str:
    """``value`` with the longest of the ``(prefix, IRI)`` pairs it starts with made a CURIE."""
    for prefix, iri in sorted(prefixes, key=lambda pair: -len(pair[1])):
        if value.startswith(iri) and re.fullmatch(r"[\w.-]*", value[len(iri) :]):
            return f"{prefix}:{value[len(iri) :]}"
    return value


def named_json(base: str, name: str, **values: str) -> list[dict[str, object]]:
    query = urllib.parse.urlencode(values)
    status, _, text = fetch(
        f"{base}/queries/{name}?{query}", headers={"Accept": "application/json"}
    )
    assert status == 200, text
    rows: list[dict[str, object]] = json.loads(text)
    return rows


# --- the page and its assets ---------------------------------------------------------------------


def test_a_browser_at_the_root_gets_the_query_page_with_every_named_query(base: str) -> None:
    status, media, page = fetch(base + "/", headers={"Accept": BROWSER_ACCEPT})
    assert status == 200
    assert media.startswith("text/html")
    found = re.search(r'<script type="application/json" id="paperkg-queries">(.*?)</script>', page)
    assert found is not None
    catalogue = {entry["name"]: entry for entry in json.loads(found[1])}
    shipped = {named.name: named for named in paperkg.list_queries()}
    assert set(catalogue) == set(shipped)
    for name, named in shipped.items():
        assert catalogue[name]["text"] == named.text
        assert [p["name"] for p in catalogue[name]["parameters"]] == [
            p.name for p in named.parameters
        ]
    condition = catalogue["drugs-tried-for"]["parameters"][0]
    assert condition["example"] == "fibromyalgia"  # from its "# example:" line
    assert condition["variable"] == "condition_key"


def test_the_page_needs_nothing_but_this_server(base: str) -> None:
    _, _, page = fetch(base + "/", headers={"Accept": "text/html"})
    addresses = re.findall(r'(?:src|href)="([^"]*)"', page)
    assert addresses
    assert all(a.startswith("/") and not a.startswith("//") for a in addresses)
    for name, media in ASSETS.items():
        status, got, text = fetch(f"{base}/assets/{name}")
        assert status == 200
        assert got.startswith(media)
        assert text == (REPO / "src" / "paperkg" / "serve_assets" / name).read_text("utf-8")
        assert not re.search(r"https?://|url\(|@import", text), name
        assert "innerHTML" not in text
        assert "document.write" not in text


def test_html_answers_carry_a_strict_content_security_policy(base: str) -> None:
    for path in ("/", "/queries/findings", "/query?query=ASK%7B%7D"):
        request = urllib.request.Request(base + path, headers={"Accept": "text/html"})
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "script-src 'self';" in CONTENT_SECURITY_POLICY
    assert "connect-src 'self';" in CONTENT_SECURITY_POLICY


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/assets/missing.js", "no asset 'missing.js'"),
        ("/assets/../serve.py", "no asset"),
        ("/assets/index.html", "no asset"),
    ],
)
def test_only_the_page_assets_are_served(base: str, path: str, message: str) -> None:
    status, media, text = fetch(base + path)
    assert status == 404
    assert media.startswith("text/plain")
    assert message in text


def test_a_plain_client_at_the_root_still_gets_the_text_listing(base: str) -> None:
    for headers in ({}, {"Accept": "*/*"}, {"Accept": "text/plain, text/html;q=0.5"}):
        status, media, text = fetch(base + "/", headers=headers)
        assert status == 200
        assert media.startswith("text/plain"), headers
        assert "/queries/NAME?p=v" in text


# --- HTML answers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "accept", [BROWSER_ACCEPT, "text/html", "text/html;q=0.3"], ids=["browser", "html", "low-q"]
)
def test_text_html_on_the_query_endpoint_gets_a_table(base: str, accept: str) -> None:
    query = (
        "PREFIX pkg: <https://w3id.org/paperkg/vocab/> PREFIX dcterms: <http://purl.org/dc/terms/> "
        "SELECT ?paper ?title WHERE { ?paper a pkg:Paper ; dcterms:title ?title } ORDER BY ?title"
    )
    url = f"{base}/query?query={urllib.parse.quote(query)}"
    status, media, page = fetch(url, headers={"Accept": accept})
    assert status == 200
    assert media.startswith("text/html")
    [(header, rows)] = parse(page).tables
    status, _, text = fetch(url + "&format=json")
    data = json.loads(text)
    assert header == data["head"]["vars"] == ["paper", "title"]
    assert [row[1] for row in rows] == [b["title"]["value"] for b in data["results"]["bindings"]]
    assert len(rows) == len(list(SEEDS.glob("*.txt")))


def test_format_html_and_other_answers_as_pages(base: str) -> None:
    ask = urllib.parse.quote("ASK { ?s ?p ?o }")
    status, media, page = fetch(f"{base}/query?query={ask}&format=html")
    assert status == 200
    assert media.startswith("text/html")
    assert parse(page).classes["boolean"] == ["true"]
    status, media, page = fetch(f"{base}/queries/findings?format=html")
    assert status == 200
    assert media.startswith("text/html")
    assert len(parse(page).tables[0][1]) > 0
    construct = urllib.parse.quote(
        "PREFIX pkg: <https://w3id.org/paperkg/vocab/> CONSTRUCT { ?p a pkg:Paper } "
        "WHERE { ?p a pkg:Paper }"
    )
    status, media, page = fetch(f"{base}/query?query={construct}", headers={"Accept": "text/html"})
    assert status == 200
    [(header, rows)] = parse(page).tables
    assert header == ["subject", "predicate", "object"]
    assert len(rows) == len(list(SEEDS.glob("*.txt")))


def test_data_clients_still_get_data(base: str) -> None:
    ask = urllib.parse.quote("ASK { ?s ?p ?o }")
    for accept, media in [
        ("text/html;q=0.9, text/csv;q=0.5", "text/csv"),
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("*/*", "application/sparql-results+json"),
    ]:
        status, got, _ = fetch(f"{base}/query?query={ask}", headers={"Accept": accept})
        assert status == 200
        assert got.split(";")[0] == media, accept
    status, got, _ = fetch(f"{base}/query?query={ask}", headers={"Accept": "image/png"})
    assert status == 406
    status, got, text = fetch(
        f"{base}/queries/drugs-tried-for?condition=FMS",
        headers={"Accept": "text/html;q=0.9, text/csv"},
    )
    assert got.startswith("text/csv")
    assert text.startswith("drug,")


def test_a_named_query_as_a_page_has_its_form_and_its_rows(base: str) -> None:
    status, media, page = fetch(
        f"{base}/queries/drugs-tried-for?condition=FMS", headers={"Accept": BROWSER_ACCEPT}
    )
    assert status == 200
    assert media.startswith("text/html")
    found = parse(page)
    assert found.inputs == {"condition": "FMS"}
    assert 'action="/queries/drugs-tried-for"' in page
    [(header, rows)] = found.tables
    want = named_json(base, "drugs-tried-for", condition="FMS")
    assert header == list(want[0])
    labels = [row[header.index("drug_label")] for row in rows]
    assert labels == [shown(row["drug_label"]) for row in want]
    assert found.classes["summary"] == [f"{len(want)} rows"]


def test_a_named_query_page_without_its_values_offers_the_example(base: str) -> None:
    status, _, page = fetch(f"{base}/queries/drugs-tried-for", headers={"Accept": "text/html"})
    assert status == 200
    found = parse(page)
    assert found.inputs == {"condition": "fibromyalgia"}
    assert found.tables == []
    status, _, page = fetch(f"{base}/queries/findings", headers={"Accept": "text/html"})
    assert status == 200
    assert len(parse(page).tables[0][1]) > 0  # no parameters: it runs


def test_a_named_query_page_shows_mistakes_and_misses(base: str) -> None:
    status, media, page = fetch(
        f"{base}/queries/drugs-tried-for?colour=red", headers={"Accept": "text/html"}
    )
    assert status == 400
    assert media.startswith("text/html")
    assert "unknown parameter 'colour'" in parse(page).classes["error"][0]
    status, _, page = fetch(
        f"{base}/queries/drugs-tried-for?condition=fibromyalga", headers={"Accept": "text/html"}
    )
    assert status == 200
    assert "did you mean" in parse(page).classes["note"][0]
    status, media, _text = fetch(f"{base}/queries/nope", headers={"Accept": "text/html"})
    assert status == 404
    assert media.startswith("text/plain")


def test_html_answers_escape_every_value(base: str) -> None:
    url = f"{base}/query?query={urllib.parse.quote(HOSTILE_QUERY)}"
    status, _, page = fetch(url, headers={"Accept": "text/html"})
    assert status == 200
    found = parse(page)
    assert found.tables[0][1] == [[HOSTILE]]
    assert found.scripts == []  # neither the value nor the query text became markup
    assert "<script" not in page
    assert "<img" not in page
    quoted = urllib.parse.quote(HOSTILE)
    status, _, page = fetch(
        f"{base}/queries/papers-mentioning?entity={quoted}", headers={"Accept": "text/html"}
    )
    assert status == 200
    found = parse(page)
    assert found.inputs == {"entity": HOSTILE}
    assert HOSTILE in found.classes["note"][0]
    assert found.scripts == []
    assert "<script" not in page
    assert "<img" not in page


def test_html_answers_keep_the_row_cap(store_path: Path) -> None:
    with PaperStore.open_existing(store_path) as store:
        capped = make_server(store, port=0, max_rows=2)
        threading.Thread(target=capped.serve_forever, daemon=True).start()
        try:
            papers = urllib.parse.quote("SELECT ?s WHERE { ?s ?p ?o }")
            answers = [
                fetch(f"{capped.url}{path}", headers={"Accept": "text/html"})
                for path in (f"/query?query={papers}", "/queries/drugs-tried-for?condition=FMS")
            ]
        finally:
            capped.shutdown()
            capped.server_close()
    for status, media, text in answers:
        assert status == 422
        assert media.startswith("text/plain")
        assert "cut off at 2 rows" in text


# --- in a real browser -------------------------------------------------------------------------


def open_page(base: str, tmp_path: Path, **given: str) -> PageRun:
    run_ = dump_dom_at(f"{base}/?{urllib.parse.urlencode(given)}", tmp_path / "profile")
    assert run_.console() == []
    return run_


def test_a_named_query_runs_from_the_page(base: str, tmp_path: Path) -> None:
    run_ = open_page(base, tmp_path, named="drugs-tried-for", condition="FMS", run="1")
    assert run_.body["data-state"] == "done", run_.dom[-2000:]
    assert run_.body["data-source"] == "named:drugs-tried-for"
    want = named_json(base, "drugs-tried-for", condition="FMS")
    assert run_.body["data-rows"] == str(len(want))
    [(header, rows)] = parse(run_.dom).tables
    assert header == list(want[0])
    text = next(q.text for q in paperkg.list_queries() if q.name == "drugs-tried-for")
    prefixes = re.findall(r"PREFIX\s+(\w*):\s*<([^>]*)>", text)
    for got, expected in zip(rows, want, strict=True):
        # IRIs show as CURIEs of the query's own prefixes; the rest as the JSON has it.
        assert got == [compact(shown(expected[column]), prefixes) for column in header]
    labels = {row[header.index("drug_label")] for row in rows}
    assert {"naltrexone", "pregabalin"} <= labels


def test_choosing_a_named_query_loads_its_text_and_explains_its_parameters(
    base: str, tmp_path: Path
) -> None:
    run_ = open_page(base, tmp_path, named="results")
    assert run_.body["data-state"] == "ready"
    named = next(q for q in paperkg.list_queries() if q.name == "results")
    editor = re.search(r'<textarea id="editor"[^>]*>(.*?)</textarea>', run_.dom, re.S)
    assert editor is not None
    assert html.unescape(editor[1]) == named.text
    for parameter in named.parameters:
        assert f'id="param-{parameter.name}"' in run_.dom
        assert f"?{parameter.variable}" in run_.dom
    assert 'value="pregabalin"' in run_.dom  # the example's values fill the form


def test_the_editor_runs_a_query_and_shows_markup_in_values_as_text(
    base: str, tmp_path: Path
) -> None:
    run_ = open_page(base, tmp_path, query=HOSTILE_QUERY, run="1")
    assert run_.body["data-state"] == "done", run_.dom[-2000:]
    assert run_.body["data-source"] == "query"
    assert "data-pwned" not in run_.body
    found = parse(run_.dom)
    assert found.tables == [(["text"], [[HOSTILE]])]
    assert [s.get("src") for s in found.scripts] == [None, "/assets/sparql.js"]  # the page's own


def test_a_bad_query_shows_the_servers_one_line_error(base: str, tmp_path: Path) -> None:
    run_ = open_page(base, tmp_path, query="SELECT ?x WHERE { ?x }", run="1")
    assert run_.body["data-state"] == "error"
    [message] = parse(run_.dom).classes["error"]
    assert message.startswith("query: error at 1:")


def test_the_screenshot_command_shows_the_answer(store_path: Path, tmp_path: Path) -> None:
    from browser import chromium

    png = tmp_path / "page.png"
    done = subprocess.run(
        [sys.executable, str(REPO / "tools" / "sparql_page_screenshot.py"), "--store",
         str(store_path), "--chromium", chromium(), "-o", str(png), "--size", "900,700"],
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    with Image.open(png) as image:
        assert image.size == (900, 700)
        assert len(image.convert("L").getcolors(maxcolors=100_000) or []) > 20  # not blank
