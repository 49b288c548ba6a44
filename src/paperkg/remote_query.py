"""Named queries run against any SPARQL 1.1 query endpoint (``paperkg query NAME --endpoint``).

The text sent is the named query's own, with each parameter bound as a term: a ``VALUES`` block
at the head of the query's ``WHERE`` (the terms serialised by pyoxigraph, never pasted), so the
answer has the columns and cells of a local run. paperkg pushes one named graph per record and
its queries read the union of them: Virtuoso's, GraphDB's and Blazegraph's default graph is
that union already; Oxigraph's is asked for with ``union-default-graph`` (sent always, other
servers ignore it).

A server may cut a large answer short with HTTP 200 (Virtuoso at ``ResultSetMaxRows``, 10,000 by
default, saying so only in ``X-SPARQL-MaxRows``). Such an answer is never passed on as whole:
it is fetched again in pages of the cap's size, in a total order (the query's own ``ORDER BY``,
then every column), the order inside a subquery and ``LIMIT``/``OFFSET`` outside it, since
Virtuoso refuses to sort past its cap otherwise. An answer of a round number of rows from a
server that does not say is counted to tell. Where paging is impossible the answer comes with a
warning.
"""

from __future__ import annotations

import http.client
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import Message

import pyoxigraph as ox

from .errors import QueryError
from .push_http import netrc_login, redact_url
from .query import (
    NamedQuery,
    ParamValue,
    QueryResult,
    bind_parameters,
    load_query,
    solutions_result,
    terms_result,
)

__all__ = ["RemoteAnswer", "run_remote_query"]

#: The header in which Virtuoso says an answer was cut at its row cap.
CAP_HEADER = "X-SPARQL-MaxRows"
#: An answer of a multiple of this many rows, from a server that names no cap, is counted.
_ROUND = 1000
_ACCEPT = "application/sparql-results+json"
#: Protocol parameters that choose the dataset: given in the URL, paperkg adds none.
_DATASET = re.compile(r"(^|&)(default-graph-uri|named-graph-uri|union-default-graph)")
_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)
_PROLOGUE = re.compile(r"\s*(?:(?:PREFIX\s+[\w.-]*:\s*<[^>]*>|BASE\s*<[^>]*>)\s*)*", re.IGNORECASE)
_TRAILING_VALUES = re.compile(r"\}\s*VALUES\s*(?:\?\w+|\([^)]*\))\s*\{[^{}]*\}\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class RemoteAnswer:
    """A remote query's rows, with how they were fetched: ``pages`` requests (1: at once),
    the row cap the server showed (``None``: none seen), and a ``warning`` when the rows may
    be fewer than the answer's.
    """

    result: QueryResult
    endpoint: str
    pages: int = 1
    cap: int | None = None
    warning: str | None = None


def run_remote_query(
    endpoint: str,
    query: NamedQuery | str,
    params: Mapping[str, ParamValue] | None = None,
    *,
    timeout: float = 60.0,
) -> RemoteAnswer:
    """Run a named query (or ``.rq`` file) at the SPARQL query ``endpoint`` (e.g.
    ``http://127.0.0.1:7878/query``, ``http://127.0.0.1:8890/sparql``), with its parameters bound
    as terms; rows a server cut at its cap are fetched page by page. Credentials, where the
    server asks, come from ``~/.netrc``. Raises :class:`QueryError` with one line on any trouble.
    """
    named = load_query(query) if isinstance(query, str) else query
    client = _Client(named.name, _check_endpoint(named.name, endpoint), timeout)
    text, bound = bind_parameters(named, params or {})
    prologue, body = _split(_bind_values(named, _strip_comments(text), bound))
    solutions, headers = client.ask(prologue + body)
    first = client.result(named, solutions)
    if isinstance(solutions, ox.QueryBoolean):
        return RemoteAnswer(first, client.shown)
    rows = len(first.rows)
    cap = _cap(headers)
    if cap is not None and rows < cap:
        return RemoteAnswer(first, client.shown, cap=cap)
    if cap is None:
        if not rows or rows % _ROUND:
            return RemoteAnswer(first, client.shown)
        total = client.count(prologue, body)
        if total is not None and total <= rows:
            return RemoteAnswer(first, client.shown)
        if total is None:
            warning = (
                f"{rows} rows, a round number, and the server could not count the whole "
                "answer: it may have been cut at a row cap"
            )
            return RemoteAnswer(first, client.shown, warning=warning)
    size = cap or rows
    variables = [v.value for v in solutions.variables]
    del solutions  # read: nothing of pyoxigraph's kept while paging
    ordered = _total_order(body, variables)
    if ordered is None:
        warning = (
            f"the server cut the answer at {size} rows and the query's own LIMIT, OFFSET or "
            "trailing VALUES keeps paperkg from paging it: raise the server's row cap "
            "(Virtuoso: ResultSetMaxRows in virtuoso.ini)"
        )
        return RemoteAnswer(first, client.shown, 1, size, warning)
    return _paged(client, named, first.columns, f"{prologue}SELECT ", variables, ordered, size)


def _paged(
    client: _Client,
    named: NamedQuery,
    columns: tuple[str, ...],
    select: str,
    variables: list[str],
    ordered: str,
    size: int,
) -> RemoteAnswer:
    """Every row of ``ordered``, ``size`` at a time: the order inside a subquery, ``LIMIT`` and
    ``OFFSET`` outside (Virtuoso will not sort past its cap for an ``OFFSET``).
    """
    terms: list[tuple[object, ...]] = []
    pages = 0
    warning = None
    while True:
        text = f"{select}{' '.join('?' + v for v in variables)} WHERE {{\n{{\n{ordered}\n}}\n}}"
        page, headers = client.ask(f"{text}\nLIMIT {size} OFFSET {pages * size}")
        pages += 1
        if not isinstance(page, ox.QuerySolutions):
            raise QueryError(named.name, "a page is not SELECT results", "report this")
        before = len(terms)
        terms.extend(client.rows(page, columns))
        del page  # nothing of pyoxigraph's kept past here (an error's traceback would)
        if before and len(terms) > before and terms[before] == terms[before - size]:
            raise client.error(
                "the server gives the same page for every OFFSET, so the rows past its "
                f"{size}-row cap cannot be fetched",
                "raise the server's row cap (Virtuoso: ResultSetMaxRows in virtuoso.ini)",
            )
        smaller = _cap(headers)
        if smaller is not None and smaller < size:
            warning = f"the server cut a page at {smaller} rows: some rows may be missing"
        if len(terms) - before < size:
            break
    return RemoteAnswer(terms_result(columns, terms), client.shown, pages, size, warning)


class _Client:
    """Sends SPARQL queries to one endpoint; every failure is a one-line :class:`QueryError`."""

    def __init__(self, name: str, endpoint: str, timeout: float) -> None:
        self.name = name
        self.endpoint = endpoint
        self.shown = redact_url(endpoint)
        self.timeout = timeout
        joiner = "&" if "?" in endpoint else "?"
        query = urllib.parse.urlsplit(endpoint).query
        union = not re.search(_DATASET, query)
        self.url = f"{endpoint}{joiner}union-default-graph" if union else endpoint
        handlers: list[urllib.request.BaseHandler] = []
        login = netrc_login(endpoint)
        if login is not None:
            # Answered only when the server asks (Basic or Digest), never sent unasked.
            manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            manager.add_password(None, endpoint, *login)
            handlers += [
                urllib.request.HTTPBasicAuthHandler(manager),
                urllib.request.HTTPDigestAuthHandler(manager),
            ]
        self.opener = urllib.request.build_opener(*handlers)

    def ask(self, text: str) -> tuple[ox.QuerySolutions | ox.QueryBoolean, Message]:
        """The parsed answer to ``text`` and the response headers."""
        body = urllib.parse.urlencode({"query": text}).encode("utf-8")
        headers = {"Accept": _ACCEPT, "Content-Type": "application/x-www-form-urlencoded"}
        # Only http(s) URLs get here: _check_endpoint checks the scheme first.
        request = urllib.request.Request(self.url, data=body, headers=headers)  # noqa: S310
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                data = response.read()
                answer_headers: Message = response.headers
        except urllib.error.HTTPError as error:
            raise self._refused(error) from None
        except (TimeoutError, urllib.error.URLError, http.client.HTTPException, OSError) as error:
            raise self._unreachable(error) from None
        except ValueError as error:  # an auth scheme urllib cannot answer
            raise self.error(f"asks for a login paperkg cannot give ({error})", "") from None
        kind = str(answer_headers.get("Content-Type", "")).split(";")[0].strip().lower()
        try:
            parsed = ox.parse_query_results(_blank_ids(data), format=ox.QueryResultsFormat.JSON)
            return parsed, answer_headers
        except (SyntaxError, ValueError):
            said = _first_line(data) or "nothing"
            raise self.error(
                f"the answer is not SPARQL JSON results ({kind or 'no type'}: {said})",
                "give the SPARQL query endpoint (Oxigraph: http://HOST:PORT/query, "
                "Virtuoso: http://HOST:8890/sparql)",
            ) from None

    def result(self, named: NamedQuery, solutions: object) -> QueryResult:
        """The answer as a :class:`QueryResult` (its rows are read here: a bad one is an error)."""
        try:
            return solutions_result(named, solutions)
        except SyntaxError as error:
            raise self._bad_results(error) from None

    def rows(self, page: ox.QuerySolutions, columns: tuple[str, ...]) -> list[tuple[object, ...]]:
        """The terms of ``columns`` in every row of ``page``."""
        try:
            return [tuple(solution[column] for column in columns) for solution in page]
        except SyntaxError as error:
            raise self._bad_results(error) from None

    def _bad_results(self, error: SyntaxError) -> QueryError:
        return self.error(f"the answer holds bad SPARQL JSON results ({error})", "report it")

    def count(self, prologue: str, body: str) -> int | None:
        """How many rows the whole answer has (``None`` if the server cannot say)."""
        text = f"{prologue}SELECT (COUNT(*) AS ?rows) WHERE {{\n{{\n{body}\n}}\n}}"
        try:
            solutions, _ = self.ask(text)
        except QueryError:
            return None
        if not isinstance(solutions, ox.QuerySolutions):
            return None
        for solution in solutions:
            value = solution["rows"]
            return int(value.value) if isinstance(value, ox.Literal) else None
        return None

    def error(self, problem: str, fix: str) -> QueryError:
        return QueryError(self.name, f"{self.shown}: {problem}", fix)

    def _refused(self, error: urllib.error.HTTPError) -> QueryError:
        code = error.code
        said = f"HTTP {code}"
        try:
            text = _first_line(error.read(4096)) if error.fp is not None else ""
        except (OSError, http.client.HTTPException):
            text = ""
        said += f": {text}" if text else f" {error.reason}"
        if code in (401, 403):
            host = urllib.parse.urlsplit(self.endpoint).hostname or "HOST"
            fix = f"the endpoint wants a login: add 'machine {host} login USER password ...' "
            fix += "to ~/.netrc (chmod 600)"
            return self.error(f"refused ({said})", fix)
        if code in (404, 405, 406, 415):
            return self.error(
                f"no SPARQL query endpoint here ({said})",
                "check the URL: Oxigraph's is http://HOST:PORT/query, "
                "Virtuoso's http://HOST:8890/sparql",
            )
        if code == 400:
            return self.error(f"the query was refused ({said})", "check it runs on this server")
        return self.error(
            f"the server could not run the query ({said})",
            "its words say why; if it is overloaded, try again later",
        )

    def _unreachable(self, error: BaseException) -> QueryError:
        reason = error.reason if isinstance(error, urllib.error.URLError) else error
        if isinstance(reason, TimeoutError):
            return self.error(f"no answer within {self.timeout:g} s", "raise --timeout")
        return self.error(
            f"cannot reach the server ({type(reason).__name__}: {reason})",
            "is it running, and is the URL right?",
        )


def _check_endpoint(name: str, endpoint: str) -> str:
    parts = urllib.parse.urlsplit(endpoint.strip())
    if "@" in parts.netloc:
        raise QueryError(
            name,
            f"{redact_url(endpoint)}: the URL holds credentials",
            "put them in ~/.netrc (machine HOST login USER password ...) instead",
        )
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise QueryError(
            name,
            f"{endpoint}: not an http(s) URL",
            "give the SPARQL query endpoint, e.g. http://127.0.0.1:7878/query",
        )
    return urllib.parse.urlunsplit(parts)


def _cap(headers: Message) -> int | None:
    value = str(headers.get(CAP_HEADER, "")).strip()
    return int(value) if value.isdigit() and int(value) > 0 else None


def _blank_ids(data: bytes) -> bytes:
    """``data`` with every blank node label made a plain name (Virtuoso writes
    ``nodeID://b10001``, which is not a valid label): the same label gives the same name.
    """
    if b'"bnode"' not in data:
        return data
    try:
        answer = json.loads(data)
        for row in answer["results"]["bindings"]:
            for term in row.values():
                if term.get("type") == "bnode":
                    term["value"] = re.sub(r"[^A-Za-z0-9]", "", str(term["value"])) or "b"
    except (ValueError, KeyError, TypeError, AttributeError):
        return data  # not results: the parser says so
    return json.dumps(answer).encode("utf-8")


def _first_line(data: bytes) -> str:
    lines = data[:4096].decode("utf-8", "replace").strip().splitlines()
    return lines[0].strip()[:200] if lines else ""


def _strip_comments(text: str) -> str:
    """The query without its comment lines (the header, the notes), which hold no SPARQL."""
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def _split(text: str) -> tuple[str, str]:
    """The prologue (PREFIX and BASE declarations) and the query proper."""
    match = _PROLOGUE.match(text)
    end = match.end() if match else 0
    return text[:end], text[end:]


def _bind_values(named: NamedQuery, text: str, bound: Mapping[ox.Variable, ox.Literal]) -> str:
    """``text`` with a ``VALUES`` block binding each parameter at the head of its ``WHERE``:
    where a substitution would bind it, so the answer is the local one.
    """
    if not bound:
        return text
    where = _WHERE.search(text)
    if where is None:
        raise QueryError(
            named.name,
            "a query with parameters needs a WHERE clause to run remotely",
            "write SELECT ... WHERE { ... }",
        )
    block = "".join(f"\nVALUES ?{variable.value} {{ {term} }}" for variable, term in bound.items())
    return text[: where.end()] + block + "\n" + text[where.end() :]


def _total_order(body: str, variables: list[str]) -> str | None:
    """``body`` ordered by its own ``ORDER BY`` then every column, so pages never overlap or
    skip; ``None`` when its own LIMIT, OFFSET or trailing VALUES rules paging out.
    """
    last = body.rfind("}")
    tail = body[last + 1 :]
    if re.search(r"\b(LIMIT|OFFSET)\b", tail, re.IGNORECASE) or _TRAILING_VALUES.search(body):
        return None
    ties = " ".join(f"?{variable}" for variable in variables)
    if re.search(r"\bORDER\s+BY\b", tail, re.IGNORECASE):
        return f"{body.rstrip()}\n  {ties}"
    return f"{body.rstrip()}\nORDER BY {ties}"
