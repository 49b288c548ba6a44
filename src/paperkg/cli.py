"""The ``paperkg`` command line: a thin layer, each command one call into the library.

Library errors become one line on stderr here, in one place; exit codes are 0 ok, 1 violations
or rejected records, 2 usage or runtime error. Output goes through :class:`~paperkg.console.Console`
(``settings.console``) so --quiet, --verbose, colour and progress bars work alike everywhere.

Adding a command: decorate with ``@main.command()``, take ``settings: Settings`` via
``@click.pass_obj``, wrap with ``@reports_errors``, write the answer with
``settings.console.result`` and messages with ``.error/.warning/.note/.detail``, and give the
help text an ``Example:`` section. Its options get ``paperkg.toml`` defaults from a ``[name]``
table automatically.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from click.shell_completion import get_completion_class

from .cli_reports import evidence, push, serve, stats, viz
from .cli_support import (
    Failure,
    Settings,
    complete_query_name,
    complete_query_param,
    read_config,
    reports_errors,
    result_format,
    show_result,
)
from .config import CONFIG_ENV
from .console import Console
from .errors import RecordError
from .readers import FORMATS
from .version import __version__
from .vocab import DEFAULT_BASE_IRI

__all__ = ["main"]


#: One definition of the input-format option, shared by build and convert.
_input_format = click.option(
    "--format",
    "input_format",
    type=click.Choice(list(FORMATS)),
    help="Input format of every source (default: detected from each file's content).",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    type=click.Path(path_type=Path, dir_okay=False),
    envvar=CONFIG_ENV,
    is_eager=True,
    expose_value=False,
    callback=read_config,
    help=f"Config file of option defaults [default: ./paperkg.toml; env: {CONFIG_ENV}].",
)
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
@click.option(
    "-q", "--quiet", is_flag=True, help="Only results and errors: no notes, warnings, progress."
)
@click.option("-v", "--verbose", is_flag=True, help="Also per-record lines and timings.")
@click.version_option(__version__, prog_name="paperkg")
@click.pass_context
def main(context: click.Context, store: Path, base_iri: str, quiet: bool, verbose: bool) -> None:
    """Build, validate, query and export a knowledge graph of biomedical paper records.

    Option defaults can be kept in paperkg.toml (top level: store, base_iri; one table per
    command, e.g. [query] format = "csv"). The command line and environment variables win.

    \b
    Example:
      paperkg build seeds/
      paperkg validate
      paperkg query drugs-tried-for --param condition=fibromyalgia
    """
    if not base_iri.endswith(("/", "#")):
        raise click.BadParameter("must end with '/' or '#'", param_hint="--base-iri")
    if quiet and verbose:
        raise click.UsageError("--quiet and --verbose exclude each other")
    context.obj = Settings(store, base_iri, Console(quiet=quiet, verbose=verbose))


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
@reports_errors
def build(
    settings: Settings,
    sources: tuple[str, ...],
    strict: bool,
    input_format: str | None,
    check: bool,
) -> None:
    """Load records (files, folders, globs) into the store.

    Paper records (markdown), PubTator, BioC XML/JSON and JSON Lines files, detected by content.
    A changed record replaces its graph; an unchanged one is skipped. Bad records are reported
    one per line and skipped (exit 1); --strict stops at the first. --verbose lists each record.

    \b
    Example:
      paperkg --store kg build seeds/ 'more/*.txt'
      paperkg --store cdr build --format pubtator CDR_TrainingSet.PubTator.txt
    """
    from .build import BuildStep
    from .build import build as build_records
    from .store import PaperStore
    from .validate import validate_store

    console = settings.console
    with PaperStore(settings.store) as store:
        with console.progress("building", unit="files") as bar, console.timed("build"):
            records = 0

            def step(done: BuildStep) -> None:
                nonlocal records
                records += 1
                count = f"{records} record{'s' if records != 1 else ''}"
                bar.update(done.file_index, done.file_count, f"{count}  {done.source}")
                console.detail(f"{done.outcome:<10} {done.source}")

            report = build_records(
                store,
                sources,
                strict=strict,
                base_iri=settings.base_iri,
                input_format=input_format,
                progress=step,
            )
        for error in report.rejected:
            console.error(f"rejected: {error}")
        for warning in report.warnings:
            console.warning(f"warning: {warning}")
        console.result(f"{report.summary()} -> {settings.store}")
        if report.concepts is not None and report.concepts.conflicts:
            console.note(
                f"note: {len(report.concepts.conflicts)} concept(s) carry conflicting "
                "identifiers (see: paperkg query identifier-conflicts):"
            )
            for conflict in report.concepts.conflicts:
                console.note(f"  {conflict}")
        if check and report.changed_graphs:
            graphs = sorted(set(report.changed_graphs))
            with (
                console.progress("validating", len(graphs), unit="graphs") as bar,
                console.timed("validation"),
            ):
                validation = validate_store(store, graphs=graphs, progress=bar.advance)
            if not validation.conforms:
                console.error(validation.text())
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
@reports_errors
def validate(
    settings: Settings, data: Path | None, rdf_format: str | None, shapes: Path | None
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

    console = settings.console
    shapes_graph = load_shapes(shapes)
    with console.timed("validation"):
        if data is not None:
            report = validate_file(data, rdf_format=rdf_format, shapes=shapes_graph)
        else:
            # Writable, so the results are logged for 'paperkg stats'.
            with PaperStore.open_existing(settings.store, read_only=False) as store:
                # The record graphs, plus the concept index graph(s): the total is an estimate.
                total = len(store.record_graphs()) + 1
                with console.progress("validating", total, unit="graphs") as bar:
                    report = validate_store(store, shapes=shapes_graph, progress=bar.advance)
    console.result(report.text())
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
@reports_errors
def query(settings: Settings, name: str, params: tuple[str, ...], fmt: str) -> None:
    """Run a named query (see 'paperkg queries') or a .rq file.

    Parameters are bound as RDF terms, never pasted into the query. A drug or condition may be
    given as a label, synonym or CURIE.

    \b
    Example:
      paperkg query drugs-tried-for --param condition=fibromyalgia
      paperkg query findings --format csv > findings.csv
    """
    from .query import run_query
    from .store import PaperStore

    console = settings.console
    with PaperStore.open_existing(settings.store) as store, console.timed("query"):
        result = run_query(store, name, _parse_params(params))
    show_result(console, result, fmt)


@main.command()
@click.pass_obj
@reports_errors
def queries(settings: Settings) -> None:
    """List the named queries with their parameters.

    \b
    Example:
      paperkg queries
    """
    from .query import list_queries

    for named in list_queries():
        settings.console.result(f"{named.name}: {named.title}")
        for parameter in named.parameters:
            settings.console.result(f"    --param {parameter.name}=...  {parameter.description}")
        if named.example:
            settings.console.result(f"    e.g. paperkg query {named.name} {named.example}")


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
@reports_errors
def export(settings: Settings, fmt: str, output: Path) -> None:
    """Write the whole store as RDF.

    Turtle and N-Triples hold the union of all record graphs; N-Quads, TriG and JSON-LD keep one
    named graph per record.

    \b
    Example:
      paperkg export --format turtle -o kg.ttl
    """
    from .export import export_store
    from .store import PaperStore

    with PaperStore.open_existing(settings.store) as store, settings.console.timed("export"):
        count = export_store(store, output, fmt)
    settings.console.result(f"wrote {count} statements to {output}")


@main.command(name="eval")
@click.argument("records", type=click.Path(path_type=Path, exists=True))
@click.argument("ground_truth", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--errors/--no-errors", default=True, show_default=True, help="List every error.")
@click.option(
    "--target",
    "targets",
    multiple=True,
    metavar="FIGURE=VALUE",
    help="A figure to reach, e.g. pair_f1=0.92 (repeatable; none by default).",
)
@click.option(
    "--answer",
    "answers",
    multiple=True,
    metavar="QUESTION=CONDITION",
    help="Check the built graph's drugs-tried-for answer for CONDITION against the ground "
    "truth's expected answer QUESTION, e.g. fibromyalgia_drugs=MONDO:0005546.",
)
@click.pass_obj
@reports_errors
def evaluate(
    settings: Settings,
    records: Path,
    ground_truth: Path,
    errors: bool,
    targets: tuple[str, ...],
    answers: tuple[str, ...],
) -> None:
    """Score the extractor on RECORDS against GROUND_TRUTH (ground_truth.json layout).

    Prints pair precision/recall/F1 beside the all-linked-pairs baseline, outcome, design and
    sample-size accuracy, dose recall, the errors by class, the graph's answer to a question
    of the ground truth (--answer), and every error. Exit 1 when a --target is missed.

    \b
    Example:
      paperkg eval ../shared/records ../shared/records/ground_truth.json \\
        --target pair_f1=0.95 --answer fibromyalgia_drugs=MONDO:0005546
      paperkg eval tests/data/eval/blind4 tests/data/eval/blind4/ground_truth.json \\
        --target pair_f1=0.92 --target design_accuracy=0.9 --target dose_recall=0.9
    """
    from .eval_run import parse_answers, parse_targets, run_evaluation

    chosen = parse_targets(targets) if targets else None
    with settings.console.timed("evaluation"):
        run = run_evaluation(records, ground_truth, targets=chosen, answers=parse_answers(answers))
    settings.console.result(run.text(errors=errors))
    if not run.meets_targets:
        sys.exit(1)


@main.command()
@click.argument("abstracts", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.argument("prompts", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "tsv", "json"]),
    default="csv",
    show_default=True,
    help="Output format: PromptID,label,evidence rows, or JSON with section and confidence.",
)
@click.option("--strict", is_flag=True, help="Stop at the first prompt that cannot be answered.")
@click.pass_obj
@reports_errors
def infer(settings: Settings, abstracts: Path, prompts: Path, fmt: str, strict: bool) -> None:
    """Answer Evidence Inference PROMPTS (CSV: PromptID, PMCID, Outcome, Intervention,
    Comparator) from the ABSTRACTS folder's PMC<PMCID>.abst files.

    Prints one row per prompt: the label (significantly increased, significantly decreased,
    no significant difference) and the abstract sentence that says it. Prompts that cannot be
    answered (no abstract) are reported on stderr and left out (exit 1).

    \b
    Example:
      paperkg infer ../shared/corpora/evidence-inference/abstracts \\
        ../shared/corpora/evidence-inference/prompts.csv > answers.csv
    """
    from .infer import format_answers, infer_prompts

    answers = []
    failed = 0
    for answer in infer_prompts(abstracts, prompts):
        if isinstance(answer, RecordError):
            if strict:
                raise answer
            settings.console.error(f"skipped: {answer}")
            failed += 1
        else:
            answers.append(answer)
    settings.console.result(format_answers(answers, fmt), nl=False)
    if failed:
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
@click.pass_obj
@reports_errors
def convert(
    settings: Settings,
    sources: tuple[str, ...],
    output: Path,
    input_format: str | None,
    strict: bool,
) -> None:
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
        settings.console.error(f"rejected: {error}")
    settings.console.result(
        f"wrote {report.written} records to {output}, {len(report.rejected)} rejected"
    )
    if report.rejected:
        sys.exit(1)


_SHELLS = ("bash", "zsh", "fish")


@main.command()
@click.argument("shell", required=False, type=click.Choice(_SHELLS))
@click.pass_context
def completion(context: click.Context, shell: str | None) -> None:
    """Print the shell completion script (commands, options, query names and parameters).

    SHELL defaults to the one in $SHELL. Load the script in your shell's start-up file.

    \b
    Example:
      eval "$(paperkg completion bash)"          # in ~/.bashrc
      paperkg completion zsh > ~/.zfunc/_paperkg
      paperkg completion fish > ~/.config/fish/completions/paperkg.fish
    """
    chosen = shell or Path(os.environ.get("SHELL", "bash")).name
    if chosen not in _SHELLS:
        raise Failure(f"cannot tell the shell from $SHELL ({chosen!r}); name one: bash|zsh|fish")
    script_class = get_completion_class(chosen)
    assert script_class is not None  # every name in _SHELLS is built into click
    # The installed command's name, whatever this process was started as.
    script = script_class(context.find_root().command, {}, "paperkg", "_PAPERKG_COMPLETE")
    click.echo(script.source())


for _command in (stats, evidence, viz, push, serve):
    main.add_command(_command)
