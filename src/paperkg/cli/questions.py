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
@result_format
@click.pass_obj
def query(settings: Settings, name: str, params: tuple[str, ...], fmt: str) -> None:
    """Run a named query (see 'paperkg queries') or a .rq file.

    Parameters are bound as RDF terms, never pasted into the query. A drug or condition may be
    given as a label, synonym, CURIE or IRI in any common form (MONDO:0005546, mondo:5546,
    MONDO_0005546, D005356, CID:2160, https://identifiers.org/mesh:D005356). One that names
    nothing gives no rows and a line on stderr with the closest labels (exit 0).

    \b
    Example:
      paperkg query drugs-tried-for --param condition=fibromyalgia
      paperkg query findings --format csv > findings.csv
    """
    from ..query import run_query
    from ..store import PaperStore

    console = settings.console
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
