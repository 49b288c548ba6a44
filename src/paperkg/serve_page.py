"""The browser side of ``paperkg serve``: the query page at ``/`` and the HTML answers.

The page (``serve_assets/``: its HTML, script and style, written for paperkg and served by the
server itself, so it works with no network) offers an editor, the named queries of ``queries/``
as examples with their parameters, and shows answers as a table. It runs queries against the
server's own ``/query`` and ``/queries/NAME`` (JSON) and writes every value with
``textContent``; the HTML answers below escape every value. A strict Content-Security-Policy
lets a page load only this server's own script and style and talk only to this server.

Content negotiation: a client gets HTML when it lists ``text/html`` at full quality (a browser
does), or when it accepts HTML and none of the data formats. A client that lists ``text/html``
at a lower quality beside a data format gets the data format, as before there was HTML.
"""

from __future__ import annotations

import html
import itertools
import re
import shlex
import urllib.parse
from collections.abc import Iterable, Mapping, Sequence
from http import HTTPStatus
from importlib import resources
from typing import Any

import pyoxigraph as ox

from .errors import PaperkgError, UnknownQueryError
from .identifiers import iri_to_curie
from .query import NamedQuery, QueryParameter, QueryResult, list_queries, load_query, run_query
from .serve_guard import capped_graph, capped_solutions
from .serve_workers import Answer, RefusedError
from .store import PaperStore
from .version import __version__
from .viz.html import embed_json

__all__ = [
    "ASSETS",
    "HTML",
    "HTML_HEADERS",
    "accepts_html",
    "asset",
    "choose",
    "home_page",
    "named_page",
    "results_page",
    "too_many_rows",
    "wants_html",
]

#: The media type of every HTML answer.
HTML = "text/html"
#: Only this server's own script and style; fetches only to it; nothing framed, nothing else.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
#: Headers sent with every HTML answer and asset.
HTML_HEADERS: tuple[tuple[str, str], ...] = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
)
#: The files under ``/assets/`` and their media types.
ASSETS = {"sparql.js": "text/javascript", "sparql.css": "text/css"}


# --- negotiation -------------------------------------------------------------------------------


def _qualities(accept: str) -> list[tuple[str, float]]:
    """The media ranges of an ``Accept`` header with their quality (1 when not given)."""
    ranges = []
    for part in accept.split(","):
        media, *params = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if media:
            ranges.append((media.lower(), quality))
    return ranges


def choose(accept: str, offered: Mapping[str, Any], default: str) -> str | None:
    """The offered media type the ``Accept`` header prefers; ``None`` when none is acceptable.

    ``*/*`` (or no header) gets ``default``; ``text/*`` and the like the first offered of that
    kind (``default`` when it is one).
    """
    ranked = sorted(
        (-quality, position, media)
        for position, (media, quality) in enumerate(_qualities(accept))
        if quality > 0
    )
    if not _qualities(accept):
        return default
    for _, _, media in ranked:
        if media in offered:
            return media
        if media in ("*/*", "application/*", "text/*"):
            kind = media.split("/")[0]
            if kind == "*" or default.startswith(kind):
                return default
            return next((m for m in offered if m.startswith(kind + "/")), None)
    return None


def wants_html(accept: str) -> bool:
    """Whether ``accept`` lists ``text/html`` itself at full quality (a browser does)."""
    return any(media == HTML and quality >= 1.0 for media, quality in _qualities(accept))


def accepts_html(accept: str) -> bool:
    """Whether ``accept`` takes HTML at all (asked when it takes none of the data formats)."""
    return any(
        media in (HTML, "text/*", "*/*") and quality > 0 for media, quality in _qualities(accept)
    )


# --- the query page ----------------------------------------------------------------------------


def asset(name: str) -> bytes | None:
    """The bytes of ``serve_assets/<name>`` if it is one of :data:`ASSETS`, else ``None``."""
    if name not in ASSETS:
        return None
    return (resources.files("paperkg") / "serve_assets" / name).read_bytes()


def home_page(location: str, timeout: float | None) -> bytes:
    """The query page, with the named queries (text, parameters, example values) in it."""
    catalogue = [_catalogue_entry(named) for named in list_queries()]
    template = (resources.files("paperkg") / "serve_assets" / "index.html").read_text("utf-8")
    limit = "" if timeout is None else f"; queries are cut off after {timeout:g} s"
    about = f"paperkg {__version__}, read-only, over {location}{limit}"
    filled = {"about": html.escape(about), "queries": embed_json(catalogue)}
    return re.sub(r"\{\{(about|queries)\}\}", lambda m: filled[m[1]], template).encode("utf-8")


def _catalogue_entry(named: NamedQuery) -> dict[str, Any]:
    example = _example_values(named)
    return {
        "name": named.name,
        "title": named.title,
        "description": named.description,
        "text": named.text,
        "parameters": [
            {
                "name": parameter.name,
                "kind": parameter.kind,
                "description": parameter.description,
                "optional": parameter.optional,
                "many": parameter.many,
                "variable": parameter.variable,
                "example": example.get(parameter.name, ""),
            }
            for parameter in named.parameters
        ],
    }


def _example_values(named: NamedQuery) -> dict[str, str]:
    """The values of a query's ``# example: --param name=value ...`` line."""
    try:
        words = shlex.split(named.example)
    except ValueError:
        return {}
    values = {}
    for flag, setting in itertools.pairwise(words):
        if flag == "--param" and "=" in setting:
            name, _, value = setting.partition("=")
            values[name] = value
    return values


# --- HTML answers ------------------------------------------------------------------------------


def results_page(result: Any, text: str, max_rows: int) -> Answer:
    """The answer of a ``/query`` as a page: a table of solutions or triples, or true/false."""
    if isinstance(result, ox.QueryTriples):
        data = capped_graph(result, ox.RdfFormat.N_TRIPLES, max_rows, "query")
        triples = list(ox.parse(data, format=ox.RdfFormat.N_TRIPLES))
        columns: Sequence[str] = ("subject", "predicate", "object")
        rows = [[_term(t.subject), _term(t.predicate), _term(t.object)] for t in triples]
        body = _summary(len(rows), "triple") + _table(columns, rows)
    elif isinstance(result, ox.QuerySolutions):
        data = capped_solutions(result, ox.QueryResultsFormat.JSON, max_rows, "query")
        back = ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON)
        assert isinstance(back, ox.QuerySolutions)
        columns = [variable.value for variable in back.variables]
        rows = [[_term(solution[name]) for name in columns] for solution in back]
        body = _summary(len(rows), "row") + _table(columns, rows)
    else:
        body = f'<p class="boolean">{"true" if bool(result) else "false"}</p>'
    again = "/?" + urllib.parse.urlencode({"query": text})
    head = (
        f'<h1>SPARQL results</h1><p><a href="{html.escape(again)}">Open in the query page'
        f"</a></p><details><summary>Query</summary><pre>{html.escape(text)}</pre></details>"
    )
    return HTTPStatus.OK, HTML, _document("SPARQL results", head + body), HTML_HEADERS


def named_page(store: PaperStore, name: str, values: Mapping[str, str], max_rows: int) -> Answer:
    """A named query's page: its form, and its answer when it could run.

    Opened with no values while it needs some, the form is filled with the example values and
    nothing runs; a mistake in a value is shown above the form (400).
    """
    try:
        named = load_query(name)
    except UnknownQueryError as error:
        raise RefusedError(HTTPStatus.NOT_FOUND, str(error)) from error
    needed = [p for p in named.parameters if not p.optional and not p.many]
    shown = dict(values)
    if needed and not values:
        shown = _example_values(named)
        body = '<p class="note">Fill in the parameters and run the query.</p>'
        return _named_answer(HTTPStatus.OK, named, shown, body)
    try:
        result = run_query(store, named, dict(values))
    except PaperkgError as error:
        body = f'<p class="error">{html.escape(str(error))}</p>'
        return _named_answer(HTTPStatus.BAD_REQUEST, named, shown, body)
    if len(result.rows) > max_rows:
        raise too_many_rows(name, max_rows)
    return _named_answer(HTTPStatus.OK, named, shown, _named_results(result))


def too_many_rows(name: str, max_rows: int) -> RefusedError:
    """The refusal (422) of a named query's answer over ``max_rows`` rows."""
    return RefusedError(
        HTTPStatus.UNPROCESSABLE_ENTITY,
        f"query {name}: cut off at {max_rows} rows (paperkg serve --max-rows): the answer "
        "has more; narrow it down with parameters, or raise --max-rows",
    )


def _named_answer(status: int, named: NamedQuery, values: Mapping[str, str], body: str) -> Answer:
    head = f"<h1>{html.escape(named.title or named.name)}</h1>"
    if named.description:
        head += f'<p class="description">{html.escape(named.description)}</p>'
    page = _document(named.name, head + _form(named, values) + body)
    return status, HTML, page, HTML_HEADERS


def _named_results(result: QueryResult) -> str:
    notes = "".join(f'<p class="note">{html.escape(str(miss))}</p>' for miss in result.misses)
    rows = [[_value(cell) for cell in row] for row in result.rows]
    return notes + _summary(len(rows), "row") + _table(result.columns, rows)


def _form(named: NamedQuery, values: Mapping[str, str]) -> str:
    fields = "".join(
        _field(parameter, values.get(parameter.name, "")) for parameter in named.parameters
    )
    base = f"/queries/{urllib.parse.quote(named.name)}"
    formats = " ".join(
        f'<a href="{html.escape(base + "?" + urllib.parse.urlencode({**values, "format": f}))}">'
        f"{f.upper()}</a>"
        for f in ("json", "csv", "tsv")
    )
    editor = "/?" + urllib.parse.urlencode({"named": named.name, **values})
    return (
        f'<form class="params" method="get" action="{html.escape(base)}">{fields}'
        '<p class="actions"><button type="submit">Run</button> '
        f'<a href="{html.escape(editor)}">open in the query page</a> · as {formats}</p></form>'
    )


def _field(parameter: QueryParameter, value: str) -> str:
    kind = parameter.kind + ("?" if parameter.optional else "*" if parameter.many else "")
    ident = html.escape("p-" + parameter.name)
    return (
        f'<p class="param"><label for="{ident}">{html.escape(parameter.name)} '
        f'<span class="kind">{html.escape(kind)}</span></label> '
        f'<input id="{ident}" name="{html.escape(parameter.name)}" value="{html.escape(value)}">'
        f"<small>{html.escape(parameter.description)}</small></p>"
    )


def _summary(count: int, noun: str) -> str:
    return f'<p class="summary">{count} {noun}{"" if count == 1 else "s"}</p>'


def _table(columns: Iterable[str], rows: Iterable[Sequence[str]]) -> str:
    """A table of cells already written as HTML."""
    head = "".join(f"<th>{html.escape(column)}</th>" for column in columns)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="results"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _value(cell: str | None) -> str:
    """A named query's cell: an IRI as a link (shown as a CURIE where one is known)."""
    if cell is None:
        return ""
    if cell.startswith(("http://", "https://")):
        return _link(cell)
    return html.escape(cell)


def _term(term: Any) -> str:
    """An RDF term as HTML: IRIs as links, literals as text with their datatype or language."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return (
            _link(term.value)
            if term.value.startswith(("http://", "https://"))
            else (html.escape(term.value))
        )
    if isinstance(term, ox.BlankNode):
        return html.escape(f"_:{term.value}")
    if isinstance(term, ox.Literal):
        note = f"@{term.language}" if term.language else term.datatype.value
        return f'<span title="{html.escape(note)}">{html.escape(term.value)}</span>'
    if isinstance(term, ox.Triple):
        parts = (_term(term.subject), _term(term.predicate), _term(term.object))
        return "&lt;&lt; " + " ".join(parts) + " &gt;&gt;"
    return html.escape(str(term))


def _link(iri: str) -> str:
    shown = iri_to_curie(iri) or iri
    return f'<a href="{html.escape(iri)}" title="{html.escape(iri)}">{html.escape(shown)}</a>'


def _document(title: str, body: str) -> bytes:
    page = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)} · paperkg</title>"
        '<link rel="stylesheet" href="/assets/sparql.css"></head>'
        f'<body class="answer"><nav><a href="/">paperkg SPARQL</a></nav><main>{body}</main>'
        "</body></html>\n"
    )
    return page.encode("utf-8")
