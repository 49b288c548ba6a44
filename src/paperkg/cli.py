"""The ``paperkg`` command line: a thin layer, each command one call into the library.

Library errors become one line on stderr here, in one place; exit codes are 0 ok, 1 violations
or rejected records, 2 usage or runtime error.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

import click

from . import __version__
from .errors import PaperkgError, RecordError
from .readers import FORMATS
from .vocab import DEFAULT_BASE_IRI

__all__ = ["main"]

_F = TypeVar("_F", bound=Callable[..., Any])


class _Failure(click.ClickException):
    """A one-line usage or runtime error (exit 2)."""

    exit_code = 2


class _Rejected(_Failure):
    """A rejected record under --strict (exit 1)."""

    exit_code = 1


def _reports_errors(command: _F) -> _F:
    """Turn paperkg's own errors into one line on stderr instead of a traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except RecordError as error:
            raise _Rejected(str(error)) from error
        except PaperkgError as error:
            raise _Failure(str(error)) from error

    return cast(_F, wrapper)


#: One definition of the input-format option, shared by build and convert.
_input_format = click.option(
    "--format",
    "input_format",
    type=click.Choice(list(FORMATS)),
    help="Input format of every source (default: detected from each file's content).",
)


class _Settings:
    def __init__(self, store: Path, base_iri: str) -> None:
        self.store = store
        self.base_iri = base_iri


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--store",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("paperkg-store"),
    show_default=True,
    envvar="PAPERKG_STORE",
    help="Folder of the embedded Oxigraph store.",
)
@click.option(
    "--base-iri",
    default=DEFAULT_BASE_IRI,
    show_default=True,
    envvar="PAPERKG_BASE_IRI",
    help="Base IRI for papers, findings and other minted nodes.",
)
@click.version_option(__version__, prog_name="paperkg")
@click.pass_context
def main(context: click.Context, store: Path, base_iri: str) -> None:
    """Build, validate, query and export a knowledge graph of biomedical paper records.

    \b
    Example:
      paperkg build seeds/
      paperkg validate
      paperkg query drugs-tried-for --param condition=fibromyalgia
    """
    if not base_iri.endswith(("/", "#")):
        raise click.BadParameter("must end with '/' or '#'", param_hint="--base-iri")
    context.obj = _Settings(store, base_iri)


@main.command()
@click.argument("sources", nargs=-1, required=True)
@click.option("--strict", is_flag=True, help="Stop at the first bad record (exit 1).")
@_input_format
@click.option(
    "--validate/--no-validate",
    "check",
    default=True,
    show_default=True,
    help="Validate the record graphs this build changed.",
)
@click.pass_obj
@_reports_errors
def build(
    settings: _Settings,
    sources: tuple[str, ...],
    strict: bool,
    input_format: str | None,
    check: bool,
) -> None:
    """Load records (files, folders, globs) into the store.

    Paper records (markdown), PubTator, BioC XML/JSON and JSON Lines files, detected by content.
    A changed record replaces its graph; an unchanged one is skipped. Bad records are reported
    one per line and skipped (exit 1); --strict stops at the first.

    \b
    Example:
      paperkg --store kg build seeds/ 'more/*.txt'
      paperkg --store cdr build --format pubtator CDR_TrainingSet.PubTator.txt
    """
    from .build import build as build_records
    from .store import PaperStore
    from .validate import validate_store

    with PaperStore(settings.store) as store:
        report = build_records(
            store, sources, strict=strict, base_iri=settings.base_iri, input_format=input_format
        )
        for error in report.rejected:
            click.echo(f"rejected: {error}", err=True)
        for warning in report.warnings:
            click.echo(f"warning: {warning}", err=True)
        click.echo(f"{report.summary()} -> {settings.store}")
        if report.concepts is not None and report.concepts.conflicts:
            click.echo(
                f"note: {len(report.concepts.conflicts)} concept(s) carry conflicting "
                "identifiers (see: paperkg query identifier-conflicts):",
                err=True,
            )
            for conflict in report.concepts.conflicts:
                click.echo(f"  {conflict}", err=True)
        if check and report.changed_graphs:
            validation = validate_store(store, graphs=report.changed_graphs)
            if not validation.conforms:
                click.echo(validation.text(), err=True)
                sys.exit(1)
    if not report.ok:
        sys.exit(1)


@main.command()
@click.option(
    "--data",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Validate this RDF file instead of the store.",
)
@click.option("--format", "rdf_format", help="RDF format of --data (default: from the extension).")
@click.option(
    "--shapes",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="SHACL shapes file (default: the shipped shapes).",
)
@click.pass_obj
@_reports_errors
def validate(
    settings: _Settings, data: Path | None, rdf_format: str | None, shapes: Path | None
) -> None:
    """Check the store (or --data FILE) against the SHACL shapes.

    Exit 0 conforms, 1 violations, 2 error.

    \b
    Example:
      paperkg validate
      paperkg validate --data pulled.nq
    """
    from .store import PaperStore
    from .validate import load_shapes, validate_file, validate_store

    shapes_graph = load_shapes(shapes)
    if data is not None:
        report = validate_file(data, rdf_format=rdf_format, shapes=shapes_graph)
    else:
        with PaperStore.open_existing(settings.store) as store:
            report = validate_store(store, shapes=shapes_graph)
    click.echo(report.text())
    if not report.conforms:
        sys.exit(1)


def _parse_params(values: tuple[str, ...]) -> dict[str, str]:
    params: dict[str, str] = {}
    for value in values:
        name, sep, text = value.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"{value!r} is not NAME=VALUE", param_hint="--param")
        params[name.strip()] = text
    return params


@main.command()
@click.argument("name")
@click.option("--param", "-p", "params", multiple=True, help="NAME=VALUE, repeatable.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "tsv", "json"]),
    default="table",
    show_default=True,
    help="Output format.",
)
@click.pass_obj
@_reports_errors
def query(settings: _Settings, name: str, params: tuple[str, ...], fmt: str) -> None:
    """Run a named query (see 'paperkg queries') or a .rq file.

    Parameters are bound as RDF terms, never pasted into the query. A drug or condition may be
    given as a label, synonym or CURIE.

    \b
    Example:
      paperkg query drugs-tried-for --param condition=fibromyalgia
      paperkg query findings --format csv > findings.csv
    """
    from .query import run_query
    from .results import format_result
    from .store import PaperStore

    with PaperStore.open_existing(settings.store) as store:
        result = run_query(store, name, _parse_params(params))
    for value in result.unmatched:
        click.echo(
            f"note: no drug, condition or species in the store is called {value!r}; "
            "try another label, a synonym or a CURIE (e.g. MONDO:0005546)",
            err=True,
        )
    click.echo(format_result(result, fmt), nl=False)


@main.command()
@_reports_errors
def queries() -> None:
    """List the named queries with their parameters.

    \b
    Example:
      paperkg queries
    """
    from .query import list_queries

    for named in list_queries():
        click.echo(f"{named.name}: {named.title}")
        for parameter in named.parameters:
            click.echo(f"    --param {parameter.name}=...  {parameter.description}")
        if named.example:
            click.echo(f"    e.g. paperkg query {named.name} {named.example}")


@main.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["turtle", "nt", "nq", "trig", "jsonld"]),
    default="turtle",
    show_default=True,
    help="RDF format.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="File to write (replaced atomically).",
)
@click.pass_obj
@_reports_errors
def export(settings: _Settings, fmt: str, output: Path) -> None:
    """Write the whole store as RDF.

    Turtle and N-Triples hold the union of all record graphs; N-Quads, TriG and JSON-LD keep one
    named graph per record.

    \b
    Example:
      paperkg export --format turtle -o kg.ttl
    """
    from .export import export_store
    from .store import PaperStore

    with PaperStore.open_existing(settings.store) as store:
        count = export_store(store, output, fmt)
    click.echo(f"wrote {count} statements to {output}")


@main.command(name="eval")
@click.argument("records", type=click.Path(path_type=Path, exists=True))
@click.argument("ground_truth", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--errors/--no-errors", default=True, show_default=True, help="List every error.")
@_reports_errors
def evaluate(records: Path, ground_truth: Path, errors: bool) -> None:
    """Score the extractor on RECORDS against GROUND_TRUTH (ground_truth.json layout).

    Prints pair precision/recall/F1, outcome, design and sample-size accuracy, dose recall, the
    fibromyalgia answer as the graph gives it, and every error. Exit 1 when a target is missed.

    \b
    Example:
      paperkg eval ../shared/records ../shared/records/ground_truth.json
    """
    from .eval_run import run_evaluation

    run = run_evaluation(records, ground_truth)
    click.echo(run.text(errors=errors))
    if not run.meets_targets:
        sys.exit(1)


@main.command()
@click.argument("sources", nargs=-1, required=True)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="JSON Lines file to write (replaced atomically).",
)
@_input_format
@click.option("--strict", is_flag=True, help="Stop at the first bad record (exit 1).")
@_reports_errors
def convert(sources: tuple[str, ...], output: Path, input_format: str | None, strict: bool) -> None:
    """Write the records of SOURCES as JSON Lines of PaperRecord (no RDF), for other tools.

    The layout is shapes/paper-record.schema.json; `paperkg build` reads such files back.
    Bad records are reported and left out (exit 1).

    \b
    Example:
      paperkg convert seeds/ -o records.jsonl
    """
    from .convert import convert_to_jsonl

    report = convert_to_jsonl(sources, output, input_format=input_format, strict=strict)
    for error in report.rejected:
        click.echo(f"rejected: {error}", err=True)
    click.echo(f"wrote {report.written} records to {output}, {len(report.rejected)} rejected")
    if report.rejected:
        sys.exit(1)
