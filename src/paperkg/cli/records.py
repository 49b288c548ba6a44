"""Commands that put records into the store and take graphs out of it: ``build``, ``remove``,
``validate``, ``export`` and ``convert``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..readers import FORMATS
from .support import Settings

if TYPE_CHECKING:
    from ..build import BuildReport, BuildStep
    from ..console import Console, Progress

__all__ = ["build", "convert", "export", "remove", "validate"]


#: One definition of the input-format option, shared by build and convert.
_input_format = click.option(
    "--format",
    "input_format",
    type=click.Choice(list(FORMATS)),
    help="Input format of every source (default: detected from each file's content).",
)


@click.command()
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
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    help="Processes that extract records [default: one per CPU; 1: all in this process].",
)
@click.option(
    "--scheduler",
    metavar="tcp://HOST:PORT",
    help="Extract on this Dask cluster's workers (the paperkg[dask] extra); this process writes.",
)
@click.option(
    "--prune",
    is_flag=True,
    help="Also remove the papers whose records are gone from SOURCES (folders and files).",
)
@click.option(
    "--mappings",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    metavar="FILE.sssom.tsv",
    help="SSSOM mapping set: its skos:exactMatch rows merge concepts, broad/narrow matches "
    "link them as broader/narrower; kept in the store with their provenance.",
)
@click.option(
    "--shards",
    type=click.Path(path_type=Path, file_okay=False),
    metavar="DIR",
    help="Write N-Quads shards into DIR for a triple store's bulk loader instead of the store "
    "(workers write them; the layout of export --shard-size).",
)
@click.option(
    "--shard-size",
    type=click.IntRange(min=1),
    default=1_000_000,
    show_default=True,
    metavar="N",
    help="With --shards: statements per shard at most (a record graph is never split).",
)
@click.option("--gzip", "compress", is_flag=True, help="With --shards: gzip the shards.")
@click.pass_obj
def build(
    settings: Settings,
    sources: tuple[str, ...],
    strict: bool,
    input_format: str | None,
    check: bool,
    workers: int | None,
    scheduler: str | None,
    prune: bool,
    mappings: Path | None,
    shards: Path | None,
    shard_size: int,
    compress: bool,
) -> None:
    """Load records (files, folders, globs) into the store.

    Paper records (markdown), PubTator, BioC XML/JSON, JSON Lines, PubMed XML (.xml, .xml.gz)
    and MEDLINE text (.nbib, .txt) files, detected by content. A changed record replaces its
    graph; an unchanged one is skipped; a PubMed DeleteCitation removes its papers. Bad records
    are reported one per line and skipped (exit 1); --strict stops at the first. --verbose
    lists each record.
    --prune removes the papers built from under SOURCES whose records are gone (a file deleted,
    a record taken out of a file); a file that now fails to read keeps its papers.
    --mappings loads an SSSOM mapping set (replacing an earlier load of the same set): a bad
    row is reported and skipped (exit 1); the store keeps the set for later builds.

    --shards DIR leaves the store alone: the workers (--workers, or a Dask cluster's with
    --scheduler, which must see DIR at the same path) write each record's graph into
    part-NNNNN.nq files, and this process adds the graphs a build writes about the whole
    collection (concept index, tallies, mapping set, validation log), so that loading DIR into
    an empty triple store gives the store this build would write. DIR is new, empty or an
    earlier export or shard build (its files are replaced); manifest.json is written last.
    Validation runs as in a build, on a temporary store loaded from the shards.
    docs/scale.md: a Slurm or Kubernetes cluster, and the bulk loaders' commands.

    \b
    Example:
      paperkg --store kg build seeds/ 'more/*.txt'
      paperkg --store kg build --prune seeds/
      paperkg --store cdr build --format pubtator CDR_TrainingSet.PubTator.txt
      paperkg --store pm build pubmed24n0001.xml.gz
      paperkg --store kg build --mappings my-conditions.sssom.tsv seeds/
      paperkg build --shards kg-shards/ --scheduler tcp://10.0.0.5:8786 corpus/
    """
    from ..build import build as build_records
    from ..store import PaperStore

    console = settings.console
    if shards is not None and prune:
        raise click.UsageError("--prune removes papers from a store; --shards writes DIR whole")
    mapping_set = None
    if mappings is not None:  # read first: a bad file stops before the store is touched
        from ..mappings_sssom import read_mapping_file

        mapping_set = read_mapping_file(mappings, strict=strict)
        for problem in mapping_set.problems:
            console.error(f"rejected: {problem}")
        console.result(mapping_set.summary())
    options: dict[str, Any] = {
        "strict": strict,
        "base_iri": settings.base_iri,
        "input_format": input_format,
        "workers": workers,
        "scheduler": scheduler,
        "mappings": mapping_set,
    }
    if shards is not None:
        from ..build_shards import build_shards

        with console.progress("building", unit="files") as bar, console.timed("build"):
            written = build_shards(
                shards,
                sources,
                progress=_build_step(console, bar),
                validate=check,
                shard_size=shard_size,
                compress=compress,
                **options,
            )
        report = written.report
        _report_build(
            console,
            report,
            f"{written.statements} statements in {written.shards} shards -> {shards}",
        )
        if report.validation is not None and not report.validation.conforms:
            console.error(report.validation.text())
            sys.exit(1)
        if not report.ok or (mapping_set is not None and mapping_set.problems):
            sys.exit(1)
        return
    with PaperStore(settings.store) as store:
        with console.progress("building", unit="files") as bar, console.timed("build"):
            # each graph validated as it is written, a batch at a time (bounded memory)
            report = build_records(
                store, sources, progress=_build_step(console, bar), validate=check, **options
            )
        if report.validation is not None:
            console.took("validation", report.validation_seconds)
        _report_build(console, report, str(settings.store), conflicts=not prune)
        if prune:
            from ..remove import prune_store

            pruned = prune_store(store, sources, built=report)
            for graph in pruned.removed:
                console.detail(f"{'removed':<10} {graph}")
            console.result(f"pruned: {pruned.summary()}")
            _report_conflicts(console, report)
        if report.validation is not None and not report.validation.conforms:
            console.error(report.validation.text())
            sys.exit(1)
    if not report.ok or (mapping_set is not None and mapping_set.problems):
        sys.exit(1)


def _build_step(console: Console, bar: Progress) -> Callable[[BuildStep], None]:
    """The progress of a build: records and the file being read on the bar, each under -v."""
    records = 0

    def step(done: BuildStep) -> None:
        nonlocal records
        records += 1
        count = f"{records} record{'s' if records != 1 else ''}"
        bar.update(done.file_index, done.file_count, f"{count}  {done.source}")
        console.detail(f"{done.outcome:<10} {done.source}")

    return step


def _report_build(
    console: Console, report: BuildReport, where: str, *, conflicts: bool = True
) -> None:
    """A build's rejections, warnings and summary line (and, unless a prune follows, the
    concepts with conflicting identifiers).
    """
    for error in report.rejected:
        console.error(f"rejected: {error}")
    for warning in report.warnings:
        console.warning(f"warning: {warning}")
    for graph in report.removed:
        console.detail(f"{'removed':<10} {graph}")
    console.result(f"{report.summary()} -> {where}")
    if conflicts:
        _report_conflicts(console, report)


def _report_conflicts(console: Console, report: BuildReport) -> None:
    if report.concepts is not None and report.concepts.conflicts:
        console.note(
            f"note: {len(report.concepts.conflicts)} concept(s) carry conflicting "
            "identifiers (see: paperkg query identifier-conflicts):"
        )
        for conflict in report.concepts.conflicts:
            console.note(f"  {conflict}")


@click.command()
@click.argument("papers", nargs=-1, required=True)
@click.pass_obj
def remove(settings: Settings, papers: tuple[str, ...]) -> None:
    """Remove PAPERS (DOI, PMID:..., PMC id or paper IRI) from the store.

    Each paper's record graph, findings and validation log entry go; concepts that other papers
    still name stay. A later push deletes the graphs at the endpoint too. A paper the store does
    not hold is reported (exit 1); the others are removed.

    \b
    Example:
      paperkg --store kg remove 10.7759/cureus.83824 PMID:19644019
    """
    from ..remove import remove_papers
    from ..store import PaperStore

    console = settings.console
    with PaperStore.open_existing(settings.store, read_only=False) as store:
        report = remove_papers(store, papers)
    for graph in report.removed:
        console.detail(f"{'removed':<10} {graph}")
    for paper in report.not_found:
        console.error(f"{paper}: no such paper in {settings.store}; see: paperkg query findings")
    console.result(f"{len(report.removed)} paper(s) removed from {settings.store}")
    if report.not_found:
        sys.exit(1)


@click.command()
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
    from ..store import PaperStore
    from ..validate import load_shapes, validate_file, validate_store

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


@click.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["turtle", "nt", "nq", "trig", "jsonld", "rdfxml", "kgx", "neo4j"]),
    help="RDF format; or kgx (KGX TSV and JSON Lines) or neo4j (neo4j-admin CSV): a folder. "
    "Default: from the -o name (.ttl .nt .nq .trig .jsonld .rdf .xml); Turtle for -.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    required=True,
    help="File to write (replaced atomically), - for standard output; with --shard-size, kgx "
    "or neo4j, a folder.",
)
@click.option(
    "--shard-size",
    type=click.IntRange(1),
    help="Split N-Quads into files of at most this many statements, whole graphs each, "
    "in the folder -o with a manifest.json written last.",
)
@click.option("--gzip", "compress", is_flag=True, help="Gzip the shards (part-00000.nq.gz ...).")
@click.pass_obj
def export(
    settings: Settings, fmt: str | None, output: Path, shard_size: int | None, compress: bool
) -> None:
    """Write the whole store as RDF, KGX or neo4j-admin import files.

    Without --format the name says the format: kg.nt is N-Triples, kg.rdf RDF/XML; -o -
    writes Turtle (or --format) to standard output.

    Turtle and N-Triples hold the union of all record graphs; N-Quads, TriG and JSON-LD keep one
    named graph per record. --shard-size writes N-Quads as a folder of shards for bulk loaders;
    an older sharded export in that folder is replaced, any other non-empty folder refused.
    kgx and neo4j write a folder of Biolink nodes and edges (docs/kgx-neo4j.md).

    \b
    Example:
      paperkg export -o kg.ttl
      paperkg export --format nt -o - | gzip > kg.nt.gz
      paperkg export --format nq --shard-size 1000000 --gzip -o kg-shards/
      paperkg export --format kgx -o kg-kgx/
      paperkg export --format neo4j -o kg-neo4j/
    """
    from ..export import STDOUT, export_store, format_for_output
    from ..store import PaperStore

    chosen = fmt or format_for_output(output, shard_size=shard_size)
    with PaperStore.open_existing(settings.store) as store, settings.console.timed("export"):
        count = export_store(store, output, chosen, shard_size=shard_size, compress=compress)
    unit = "nodes and edges" if chosen in ("kgx", "neo4j") else "statements"
    if str(output) == STDOUT:  # the data went to stdout: the summary goes to stderr
        settings.console.note(f"wrote {count} {unit} to standard output")
    else:
        settings.console.result(f"wrote {count} {unit} to {output}")


@click.command()
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
    from ..convert import convert_to_jsonl

    report = convert_to_jsonl(sources, output, input_format=input_format, strict=strict)
    for error in report.rejected:
        settings.console.error(f"rejected: {error}")
    settings.console.result(
        f"wrote {report.written} records to {output}, {len(report.rejected)} rejected"
    )
    if report.rejected:
        sys.exit(1)
