"""Commands that ask the store: ``query``, ``queries``, and from :mod:`.reports` ``stats`` and
``evidence``.
"""

from __future__ import annotations

import click

from .support import (
    Settings,
    complete_query_name,
    complete_query_param,
    result_format,
    show_result,
)

__all__ = ["queries", "query"]


def _parse_params(values: tuple[str, ...]) -> dict[str, list[str]]:
    """NAME=VALUE pairs; a name given again adds a value (for parameters that take several)."""
    params: dict[str, list[str]] = {}
    for value in values:
        name, sep, text = value.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"{value!r} is not NAME=VALUE", param_hint="--param")
        params.setdefault(name.strip(), []).append(text)
    return params


@click.command()
@click.argument("name", shell_complete=complete_query_name)
@click.option(
    "--param",
    "-p",
    "params",
    multiple=True,
    shell_complete=complete_query_param,
    help="NAME=VALUE, repeatable.",
)
@click.option(
    "--endpoint",
    metavar="URL",
    help="Ask this SPARQL 1.1 query endpoint instead of the store, e.g. "
    "http://127.0.0.1:7878/query (Oxigraph) or http://127.0.0.1:8890/sparql (Virtuoso), "
    "holding the graphs of 'paperkg push'. A login, where asked, comes from ~/.netrc.",
)
@click.option(
    "--timeout", default=60.0, show_default=True, type=click.FloatRange(min=0.1),
    help="Seconds to wait for the endpoint, per request (with --endpoint).",
)  # fmt: skip
@result_format
@click.pass_obj
def query(
    settings: Settings,
    name: str,
    params: tuple[str, ...],
    endpoint: str | None,
    timeout: float,
    fmt: str,
) -> None:
    """Run a named query (see 'paperkg queries') or a .rq file.

    Parameters are bound as RDF terms, never pasted into the query. A drug or condition may be
    given as a label, synonym, CURIE or IRI in any common form (MONDO:0005546, mondo:5546,
    MONDO_0005546, D005356, CID:2160, https://identifiers.org/mesh:D005356). One that names
    nothing gives no rows and a line on stderr with the closest labels (exit 0).

    With --endpoint the query runs at a SPARQL endpoint instead, over the union of its graphs,
    with the same columns. A server that cuts large answers at a row cap (Virtuoso: 10,000)
    is asked again page by page, so no row is lost; where it cannot be, a line on stderr says so.

    \b
    Example:
      paperkg query drugs-tried-for --param condition=fibromyalgia
      paperkg query findings --format csv > findings.csv
      paperkg query findings --endpoint http://127.0.0.1:8890/sparql
    """
    from ..query import run_query
    from ..store import PaperStore

    console = settings.console
    if endpoint is not None:
        from ..remote_query import run_remote_query

        with console.timed("query"):
            answer = run_remote_query(endpoint, name, _parse_params(params), timeout=timeout)
        if answer.pages > 1:
            console.detail(
                f"{len(answer.result.rows)} rows in {answer.pages} pages "
                f"(the server caps answers at {answer.cap} rows)"
            )
        if answer.warning is not None:
            console.warning(answer.warning)
        show_result(console, answer.result, fmt)
        return
    with PaperStore.open_existing(settings.store) as store, console.timed("query"):
        result = run_query(store, name, _parse_params(params))
    show_result(console, result, fmt)


@click.command()
@click.pass_obj
def queries(settings: Settings) -> None:
    """List the named queries with their parameters.

    \b
    Example:
      paperkg queries
    """
    from ..query import list_queries

    for named in list_queries():
        settings.console.result(f"{named.name}: {named.title}")
        for parameter in named.parameters:
            optional = " (optional)" if parameter.optional else ""
            optional = " (repeatable, optional)" if parameter.many else optional
            settings.console.result(
                f"    --param {parameter.name}=...{optional}  {parameter.description}"
            )
        if named.example:
            settings.console.result(f"    e.g. paperkg query {named.name} {named.example}")
