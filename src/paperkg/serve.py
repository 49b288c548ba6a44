"""A local, read-only SPARQL endpoint over the store (``paperkg serve``).

- ``/query``: the SPARQL 1.1 Protocol (GET ``?query=``, POST ``application/sparql-query`` or a
  form), over the union of the named graphs as default graph, so the files in ``queries/`` run
  as they are. Results are negotiated from ``Accept`` (or ``?format=json|xml|csv|tsv`` and
  ``turtle|ntriples|rdfxml`` for graphs).
- ``/queries`` lists the named queries; ``/queries/NAME?param=value`` runs one with its
  parameters bound as RDF terms, as ``paperkg query`` does (JSON, CSV or TSV). A drug or
  condition that names nothing gives an empty answer (200) and a ``Paperkg-Unmatched`` header:
  a JSON list (ASCII) of ``{"value", "kind", "did_you_mean", "message"}``, the closest labels
  that ``paperkg query`` prints on stderr; the body stays what clients already read.
- ``/`` in a browser is a query page (an editor, the named queries as examples, answers as a
  table; :mod:`.serve_page`); a client asking for ``text/html`` gets ``/query`` and
  ``/queries/NAME`` answers as pages too (``?format=html`` on either does the same).

Nothing can be written through it: SPARQL Update is refused. Nothing is fetched through it
either: ``SERVICE`` is refused, and the query workers have no network (:mod:`.serve_guard`).
A bad query is a 400 with one line of text, never a traceback; an answer over ``max_rows`` rows
is refused (422) rather than cut short silently; a request body over ``max_request`` bytes gets
a 413; ``/queries/NAME`` runs only the named queries shipped, never a file a name points to.

Queries run in a few worker processes, each with the store folder open read-only, because
pyoxigraph cannot stop a running query: one that outlives the timeout is stopped by killing its
process (503, one line) and a fresh process takes its place while the others go on answering.
(``oxigraph serve-read-only --timeout-s`` was tried instead: it let a cartesian product run on.)
A store in memory or open for writing is queried in the server's threads instead, with no
timeout: processes cannot share the one, and reading the other while it is written is undefined.
"""

from __future__ import annotations

import json
import os
import re
import sys
import urllib.parse
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pyoxigraph as ox

from .errors import ConfigError, PaperkgError, UnknownQueryError
from .query import list_queries, run_query
from .results import format_result
from .serve_guard import capped_graph, capped_solutions, refuse_outbound
from .serve_page import (
    ASSETS,
    HTML,
    HTML_HEADERS,
    accepts_html,
    asset,
    choose,
    home_page,
    named_page,
    results_page,
    too_many_rows,
    wants_html,
)
from .serve_workers import Answer, RefusedError, WorkerPool
from .store import PaperStore
from .version import __version__

__all__ = [
    "DEFAULT_MAX_ROWS",
    "DEFAULT_TIMEOUT",
    "MAX_QUERY_BYTES",
    "UNMATCHED_HEADER",
    "SparqlServer",
    "make_server",
]

#: The largest request body (a query text or form) accepted, in bytes.
MAX_QUERY_BYTES = 1 << 20
#: Seconds a query may run before it is cut off: long enough for the named queries on a large
#: store on disk, short enough that a runaway query holds a worker only briefly.
DEFAULT_TIMEOUT = 5.0
#: The most rows (or triples) an answer may have.
DEFAULT_MAX_ROWS = 100_000
#: What a named query's name may look like: never a path.
_QUERY_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
#: The header of a named query's answer that lists drugs or conditions that named nothing.
UNMATCHED_HEADER = "Paperkg-Unmatched"

_SOLUTIONS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
_GRAPHS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}
_NAMED = {"application/json": "json", "text/csv": "csv", "text/tab-separated-values": "tsv"}
_SHORT = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "turtle": "text/turtle",
    "ntriples": "application/n-triples",
    "rdfxml": "application/rdf+xml",
    "jsonld": "application/ld+json",
    "html": HTML,
}


class SparqlServer(ThreadingHTTPServer):
    """An HTTP server that answers from one :class:`~paperkg.store.PaperStore`."""

    daemon_threads = True
    #: Connections waiting to be accepted; the default 5 makes a ninth parallel client wait a
    #: second for its SYN to be sent again (measured: the slowest of 1,000 requests took 1 s).
    request_queue_size = 128

    def __init__(
        self,
        address: tuple[str, int],
        store: PaperStore,
        *,
        timeout: float | None = DEFAULT_TIMEOUT,
        workers: int = 2,
        max_rows: int = DEFAULT_MAX_ROWS,
        max_request: int = MAX_QUERY_BYTES,
    ) -> None:
        if timeout is not None and not timeout > 0:
            raise ConfigError("timeout", f"{timeout} is not a positive number", "e.g. 5")
        if workers < 1:
            raise ConfigError("workers", f"{workers} is below 1", "e.g. 2")
        if max_rows < 1 or max_request < 1:
            raise ConfigError("max_rows", "limits must be at least 1", "e.g. 100000")
        self.store = store
        self.max_rows = max_rows
        self.max_request = max_request
        #: Seconds a query may run, or ``None`` when queries run in this process (no limit).
        self.query_timeout: float | None = None
        self._pool: WorkerPool | None = None  # before binding: a failed bind calls server_close
        super().__init__(address, _Handler)
        shareable = store.path is not None and store.read_only and os.name == "posix"
        if timeout is not None and shareable:
            try:
                self._pool = WorkerPool(str(store.path), workers, timeout)
            except BaseException:
                super().server_close()
                raise
            self.query_timeout = timeout

    @property
    def url(self) -> str:
        """The base URL, with the port actually bound (useful with port 0)."""
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"

    def answer(self, where: str, function: Callable[..., Answer], *args: Any) -> Answer:
        """``function(store, *args)`` in a worker under the timeout (or here, without one)."""
        if self._pool is None:
            return function(self.store, *args)
        return self._pool.run((function, args), where)

    def server_close(self) -> None:
        """Stop listening and stop the worker processes, so none outlives the server."""
        super().server_close()
        if self._pool is not None:
            self._pool.close()


def make_server(
    store: PaperStore,
    host: str = "127.0.0.1",
    port: int = 7878,
    *,
    timeout: float | None = DEFAULT_TIMEOUT,
    workers: int = 2,
    max_rows: int = DEFAULT_MAX_ROWS,
    max_request: int = MAX_QUERY_BYTES,
) -> SparqlServer:
    """A server for ``store`` bound to ``host:port`` (0: any free port); call
    ``serve_forever()`` and ``shutdown()``, then ``server_close()``, which stops the workers.

    A query running over ``timeout`` seconds (``None``: no limit) is cut off with HTTP 503;
    ``workers`` queries run at once, more wait up to ``timeout`` for a free worker. That needs a
    store on disk opened read-only (as ``PaperStore.open_existing`` does); any other store is
    queried in the server's threads, with no timeout. An answer over ``max_rows`` rows or
    triples is refused with HTTP 422, a request body over ``max_request`` bytes with 413.
    """
    return SparqlServer(
        (host, port),
        store,
        timeout=timeout,
        workers=workers,
        max_rows=max_rows,
        max_request=max_request,
    )


# --- the answers (run in a worker) ---------------------------------------------------------------


def _answer_query(store: PaperStore, text: str, wanted: str, max_rows: int) -> Answer:
    """Run SPARQL ``text`` and serialise it in the media type ``wanted`` (an Accept value)."""
    refuse_outbound(text)
    try:
        result = store.query(text)
    except SyntaxError as error:
        message = str(error)
        if "expected CONSTRUCT" in message or text.lstrip().upper().startswith(
            ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE")
        ):
            raise RefusedError(HTTPStatus.FORBIDDEN, "this endpoint is read-only") from error
        raise RefusedError(HTTPStatus.BAD_REQUEST, f"query: {message}") from error
    offered = _GRAPHS if isinstance(result, ox.QueryTriples) else _SOLUTIONS
    if wanted == HTML or (choose(wanted, offered, "text/turtle") is None and accepts_html(wanted)):
        return results_page(result, text, max_rows)
    if isinstance(result, ox.QueryTriples):
        media = choose(wanted, _GRAPHS, "text/turtle")
        if media is None:
            raise RefusedError(HTTPStatus.NOT_ACCEPTABLE, "graphs come as " + ", ".join(_GRAPHS))
        return HTTPStatus.OK, media, capped_graph(result, _GRAPHS[media], max_rows, "query"), ()
    media = choose(wanted, _SOLUTIONS, "application/sparql-results+json")
    if media is None:
        raise RefusedError(HTTPStatus.NOT_ACCEPTABLE, "results come as " + ", ".join(_SOLUTIONS))
    form = _SOLUTIONS[media]
    if isinstance(result, ox.QuerySolutions):
        return HTTPStatus.OK, media, capped_solutions(result, form, max_rows, "query"), ()
    return HTTPStatus.OK, media, result.serialize(format=form) or b"", ()


def _answer_named(
    store: PaperStore,
    name: str,
    values: dict[str, str],
    short: str | None,
    accept: str,
    max_rows: int,
) -> Answer:
    """Run the named query ``name`` with ``values`` bound as terms, as JSON, CSV or TSV (or,
    ``short`` being ``html``, as a page with a form for the parameters).
    """
    if short == "html" or (
        choose(accept, _NAMED, "application/json") is None and accepts_html(accept)
    ):
        return named_page(store, name, values, max_rows)
    try:
        result = run_query(store, name, values)
    except UnknownQueryError as error:
        raise RefusedError(HTTPStatus.NOT_FOUND, str(error)) from error
    except PaperkgError as error:
        raise RefusedError(HTTPStatus.BAD_REQUEST, str(error)) from error
    if len(result.rows) > max_rows:
        raise too_many_rows(name, max_rows)
    if short in ("json", "csv", "tsv"):
        media = next(m for m, f in _NAMED.items() if f == short)
    else:
        chosen = choose(accept, _NAMED, "application/json")
        if chosen is None:
            raise RefusedError(HTTPStatus.NOT_ACCEPTABLE, "answers come as " + ", ".join(_NAMED))
        media = chosen
    headers: tuple[tuple[str, str], ...] = ()
    if result.misses:
        # A header, not a field in the body: the body stays the list of rows clients parse.
        misses = [miss.as_dict() for miss in result.misses]
        headers = ((UNMATCHED_HEADER, json.dumps(misses, ensure_ascii=True)),)
    return HTTPStatus.OK, media, format_result(result, _NAMED[media]).encode("utf-8"), headers


# --- the HTTP side -------------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    server: SparqlServer
    server_version = f"paperkg/{__version__}"
    protocol_version = "HTTP/1.1"
    #: Seconds a client may stay silent mid-request (or idle between requests) before the
    #: connection is closed: a client that sends nothing does not hold a thread forever.
    timeout = 30.0

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        sys.stderr.write(f"{self.address_string()} {format % args}\n")

    # --- routing ---------------------------------------------------------------------------

    def do_GET(self) -> None:
        self._route(lambda: None)

    def do_POST(self) -> None:
        self._route(self._body)

    def _route(self, body: Callable[[], tuple[str, bytes] | None]) -> None:
        parts = urllib.parse.urlsplit(self.path)
        params = urllib.parse.parse_qs(parts.query, keep_blank_values=True)
        try:
            if parts.path == "/query":
                self._query(params, body())
            elif parts.path in ("/queries", "/queries/"):
                self._catalogue()
            elif parts.path.startswith("/queries/"):
                self._named(urllib.parse.unquote(parts.path[len("/queries/") :]), params)
            elif parts.path == "/":
                self._home()
            elif parts.path.startswith("/assets/"):
                self._asset(parts.path[len("/assets/") :])
            else:
                self._text(HTTPStatus.NOT_FOUND, f"no {parts.path} here; try /query or /queries")
        except RefusedError as refusal:
            self._text(refusal.status, refusal.message)
        except Exception as error:  # noqa: BLE001 - a server answers, it does not crash
            self.log_error("internal error on %s: %r", self.path, error)
            self._text(HTTPStatus.INTERNAL_SERVER_ERROR, "internal error; see the server log")

    def _body(self) -> tuple[str, bytes]:
        # Refused unread, the body would be taken for the next request: close the connection.
        keep, self.close_connection = self.close_connection, True
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            raise RefusedError(HTTPStatus.LENGTH_REQUIRED, "send the body with a Content-Length")
        text = (self.headers.get("Content-Length") or "0").strip()
        if not text.isdigit():
            raise RefusedError(HTTPStatus.BAD_REQUEST, f"Content-Length {text!r} is not a size")
        length, limit = int(text), self.server.max_request
        if length > limit:
            raise RefusedError(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                f"the request body is {length} bytes, over the {limit} this server takes",
            )
        kind = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        try:
            data = self.rfile.read(length)
        except TimeoutError:
            raise RefusedError(HTTPStatus.REQUEST_TIMEOUT, "the request body never came") from None
        if len(data) < length:
            raise RefusedError(HTTPStatus.BAD_REQUEST, "the request body was cut short")
        self.close_connection = keep
        return kind, data

    # --- SPARQL protocol ---------------------------------------------------------------------

    def _query(self, params: dict[str, list[str]], body: tuple[str, bytes] | None) -> None:
        text = params.get("query", [None])[0]
        if body is not None:
            kind, data = body
            if kind == "application/sparql-query":
                text = data.decode("utf-8", "replace")
            elif kind == "application/x-www-form-urlencoded":
                form = urllib.parse.parse_qs(data.decode("utf-8", "replace"))
                if "update" in form and "query" not in form:
                    raise RefusedError(HTTPStatus.FORBIDDEN, "this endpoint is read-only")
                text = form.get("query", [None])[0]
            elif kind == "application/sparql-update":
                raise RefusedError(HTTPStatus.FORBIDDEN, "this endpoint is read-only")
            else:
                raise RefusedError(
                    HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                    "send application/sparql-query or a form with query=",
                )
        if not text:
            raise RefusedError(HTTPStatus.BAD_REQUEST, "no query: give ?query=... or POST one")
        wanted = self._accept(params)
        wanted = HTML if wants_html(wanted) else wanted
        max_rows = self.server.max_rows
        self._send(*self.server.answer("query", _answer_query, text, wanted, max_rows))

    def _accept(self, params: dict[str, list[str]]) -> str:
        short = params.get("format", [None])[0]
        if short is not None:
            if short not in _SHORT:
                raise RefusedError(HTTPStatus.BAD_REQUEST, "format is one of " + ", ".join(_SHORT))
            return _SHORT[short]
        return self.headers.get("Accept") or "*/*"

    # --- named queries -------------------------------------------------------------------------

    def _catalogue(self) -> None:
        listing = [
            {
                "name": named.name,
                "title": named.title,
                "parameters": [p.name for p in named.parameters],
                "url": f"/queries/{named.name}",
            }
            for named in list_queries()
        ]
        self._send(HTTPStatus.OK, "application/json", json.dumps(listing, indent=2).encode())

    def _named(self, name: str, params: dict[str, list[str]]) -> None:
        if not _QUERY_NAME.fullmatch(name):
            # run_query reads any .rq path it is given: only the shipped names get through.
            raise RefusedError(HTTPStatus.NOT_FOUND, f"no named query {name!r}; see /queries")
        short = params.pop("format", [None])[0]
        values = {key: items[-1] for key, items in params.items()}
        accept = self.headers.get("Accept") or "*/*"
        if short not in ("json", "csv", "tsv") and wants_html(accept):
            short = "html"
        where = f"query {name}"
        limit = self.server.max_rows
        answer = self.server.answer(where, _answer_named, name, values, short, accept, limit)
        self._send(*answer)

    def _home(self) -> None:
        limit = self.server.query_timeout
        accept = self.headers.get("Accept") or "*/*"
        if wants_html(accept) or (
            choose(accept, {"text/plain": None}, "text/plain") is None and accepts_html(accept)
        ):
            page = home_page(self.server.store.location, limit)
            self._send(HTTPStatus.OK, HTML, page, HTML_HEADERS)
            return
        text = (
            f"paperkg {__version__}: a read-only SPARQL endpoint over "
            f"{self.server.store.location}"
            + ("" if limit is None else f" (queries cut off after {limit:g} s)")
            + "\n"
            "  /query               SPARQL 1.1 Protocol (union of the named graphs as default)\n"
            "  /queries             the named queries (JSON)\n"
            "  /queries/NAME?p=v    one named query with parameters (JSON, CSV or TSV)\n"
            "  / in a browser       a query page; text/html gets the answers above as pages\n"
        )
        self._text(HTTPStatus.OK, text)

    def _asset(self, name: str) -> None:
        data = asset(name)
        if data is None:
            raise RefusedError(HTTPStatus.NOT_FOUND, f"no asset {name!r} here")
        self._send(HTTPStatus.OK, ASSETS[name], data, HTML_HEADERS)

    # --- responses -----------------------------------------------------------------------------

    def _text(self, status: int, message: str) -> None:
        self._send(status, "text/plain", (message.rstrip("\n") + "\n").encode("utf-8"))

    def _send(
        self, status: int, media: str, data: bytes, headers: tuple[tuple[str, str], ...] = ()
    ) -> None:
        self.send_response(status)
        charset = "; charset=utf-8" if media.startswith("text/") or "json" in media else ""
        self.send_header("Content-Type", media + charset)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Vary", "Accept")
        for name, value in headers:
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
