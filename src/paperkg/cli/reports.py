"""The commands that read a whole store for people or other programs: ``stats``, ``evidence``,
``viz``, ``push`` and ``serve``.

They join the ``paperkg`` group in :mod:`paperkg.cli`; the conventions are the same (one call
into the library each, errors turned into one line by the group, output via
``settings.console``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .support import Settings, result_format, show_result

__all__ = ["evidence", "push", "serve", "stats", "viz"]


@click.command()
@click.option(
    "--top",
    default=10,
    show_default=True,
    type=click.IntRange(0),
    help="How many top drugs and conditions to list.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people; json for scripts (numbers as numbers).",
)
@click.option("--json", "as_json", is_flag=True, hidden=True, help="Deprecated: --format json.")
@click.pass_obj
def stats(settings: Settings, top: int, fmt: str, as_json: bool) -> None:
    """Summarise the store: papers, findings by outcome, designs, top drugs and conditions,
    identifier conflicts and the validation state (from the last 'paperkg validate').

    \b
    Example:
      paperkg stats
      paperkg stats --top 5 --format json
    """
    import json

    from ..stats import store_stats
    from ..store import PaperStore

    if as_json:
        settings.console.warning("note: --json is deprecated; use --format json")
        fmt = "json"
    with PaperStore.open_existing(settings.store) as store, settings.console.timed("stats"):
        figures = store_stats(store, top=top)
    text = json.dumps(figures.as_dict(), indent=2) if fmt == "json" else figures.text()
    settings.console.result(text)


@click.command()
@click.option(
    "--condition", "-c", help="Only this condition (label, synonym, CURIE or IRI in any form)."
)
@click.option("--drug", "-d", help="Only this drug (label, synonym, CURIE or IRI in any form).")
@result_format
@click.pass_obj
def evidence(settings: Settings, condition: str | None, drug: str | None, fmt: str) -> None:
    """Evidence per (drug, condition): papers by outcome, by design, participants, and whether
    the papers disagree (conflicting = some improved, some found no benefit or worse). A drug
    or condition that names nothing gives no rows and a line on stderr with the closest labels.

    The last columns count the pair's findings by what NLM's MeSH indexing of their PubMed or
    MEDLINE citation says, a second witness beside the text: indexing_confirmed (it states the
    pair too), indexing_as_harm (it calls the condition chemically induced), indexing_not_indexed
    (it does not state the pair), indexing_only (findings the indexing alone states, extractor
    mesh-indexing: the text gave none); these four are empty where no finding comes from an
    indexed citation. indexing_absent: findings of citations without indexing.

    \b
    Example:
      paperkg evidence --condition fibromyalgia
      paperkg evidence --drug naltrexone --format json
    """
    from ..stats import evidence_result
    from ..store import PaperStore

    console = settings.console
    with PaperStore.open_existing(settings.store) as store, console.timed("evidence"):
        result = evidence_result(store, condition=condition, drug=drug)
    show_result(console, result, fmt)


@click.command()
@click.option(
    "--output",
    "-o",
    "outputs",
    multiple=True,
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="File to write, repeatable; the type comes from the name: .graphml .gexf .png .svg .html.",
)
@click.option(
    "--view",
    type=click.Choice(["drug-condition", "papers"]),
    default="drug-condition",
    show_default=True,
    help="drug-condition: drugs and the conditions they were tried for; papers: papers with "
    "their drugs, conditions, authors and journals (the 500 most recent, past 500).",
)
@click.option("--focus", help="Only the neighbourhood of this drug, condition, paper or author.")
@click.option(
    "--depth", default=1, show_default=True, type=click.IntRange(0), help="Steps from --focus."
)
@click.option(
    "--outcome",
    "outcomes",
    multiple=True,
    help="Keep findings with this outcome (repeatable): improved, no_benefit, worsened, "
    "adverse_effects, mixed, not_stated.",
)
@click.option(
    "--design", "designs", multiple=True, help="Keep papers of this design (repeatable), e.g. rct."
)
@click.option("--year", "years", help="Keep papers published in these years: 2005-2020, 2009-.")
@click.option(
    "--max-nodes",
    default=300,
    show_default=True,
    type=click.IntRange(1, 2000),
    help="Pictures (PNG, SVG, HTML) keep the nodes with the most papers.",
)
@click.pass_obj
def viz(
    settings: Settings,
    outputs: tuple[Path, ...],
    view: str,
    focus: str | None,
    depth: int,
    outcomes: tuple[str, ...],
    designs: tuple[str, ...],
    years: str | None,
    max_nodes: int,
) -> None:
    """Draw the graph: GraphML and GEXF for Gephi or Cytoscape, PNG and SVG pictures, and an
    offline HTML explorer (pan, zoom, hover for the supporting sentence, links to the papers).

    Edges between drugs and conditions are coloured by outcome (magenta: the papers disagree)
    and as wide as the number of papers.

    \b
    Example:
      paperkg viz -o kg.html -o kg.png -o kg.graphml
      paperkg viz --focus fibromyalgia --depth 2 -o fibromyalgia.svg
      paperkg viz --view papers --design rct --year 2005- -o trials.gexf
    """
    from ..store import PaperStore
    from ..viz import ViewFilter, check_output, view_graph, write_view

    console = settings.console
    filters = ViewFilter.parse(outcomes, designs, years)
    for output in outputs:
        check_output(output)
    with PaperStore.open_existing(settings.store) as store:
        # the whole-store view reads its edges' support while its files are written
        with console.timed("view"):
            graph = view_graph(store, view, focus=focus, depth=depth, filters=filters)
        if graph.graph.get("more_papers"):
            console.warning(
                f"warning: the view holds the most recent papers and leaves out "
                f"{graph.graph['more_papers']:,} older ones; narrow with --year, --design, "
                "--outcome or --focus"
            )
        for output in outputs:
            with console.timed(f"writing {output}"):
                written = write_view(graph, output, max_nodes=max_nodes)
            if written.dropped_nodes:
                console.warning(
                    f"warning: {output}: kept the {written.nodes} best-supported nodes, left "
                    f"out {written.dropped_nodes}; narrow with --focus or filters, or raise "
                    "--max-nodes"
                )
            console.note(f"wrote {written.nodes} nodes, {written.edges} edges to {output}")


@click.command()
@click.option(
    "--endpoint",
    required=True,
    envvar="PAPERKG_PUSH_ENDPOINT",
    help="SPARQL 1.1 Graph Store Protocol endpoint, e.g. http://127.0.0.1:7878/store.",
)
@click.option(
    "--graph",
    "graphs",
    multiple=True,
    help="Push only this graph or paper (IRI, DOI, PMID:…, PMC id); repeatable.",
)
@click.option(
    "--user",
    help="User name for HTTP auth (Basic, or Digest where the server asks). The password comes "
    "from PAPERKG_PUSH_PASSWORD, else "
    "~/.netrc (which can also give the user), else a prompt on a terminal; never an option.",
)
@click.option(
    "--timeout", default=60.0, show_default=True, type=click.FloatRange(min=0.1),
    help="Seconds to wait for the server, per request.",
)  # fmt: skip
@click.option(
    "--retries", default=4, show_default=True, type=click.IntRange(min=0),
    help="Times a request is sent again after a 5xx, a timeout or a dropped connection "
    "(waiting 0.5 s, then twice as long each time, with jitter, at most 30 s).",
)  # fmt: skip
@click.option("--strict", is_flag=True, help="Stop at the first graph that does not get through.")
@click.option(
    "--all",
    "everything",
    is_flag=True,
    help="Push every graph, changed since the last push or not.",
)
@click.pass_obj
def push(
    settings: Settings,
    endpoint: str,
    graphs: tuple[str, ...],
    user: str | None,
    timeout: float,
    retries: int,
    strict: bool,
    everything: bool,
) -> None:
    """Send the store to a triple store, one PUT per named graph (a record's graph replaces
    itself there, so pushing again never duplicates). Only graphs changed since the last push
    to that endpoint go; graphs removed here are deleted there. Passing server trouble is
    retried; a graph that still does not get through is named on one line with what the server
    said, and only acknowledged graphs count as pushed, so the next push sends what is missing.
    Exit 1 if a graph did not get through, 2 if the push had to stop (server unreachable,
    credentials refused, no Graph Store endpoint at the URL).

    \b
    Example:
      paperkg push --endpoint http://127.0.0.1:7878/store
      paperkg push --endpoint http://127.0.0.1:7878/store --graph 10.7759/cureus.83824
      PAPERKG_PUSH_PASSWORD=... paperkg push --endpoint https://kg.example.org/store --user me
    """
    from ..push import PushStoppedError, push_store
    from ..push_http import find_credentials
    from ..store import PaperStore

    console = settings.console
    user, password = find_credentials(endpoint, user)
    if user is not None and password is None:
        password = _ask_password(user)
    # Writable: the push log remembers what went where, so the next push sends only changes.
    with PaperStore.open_existing(settings.store, read_only=False) as store, console.timed("push"):
        total = len(graphs) or len(store.record_graphs()) + 1
        with console.progress("pushing", total, unit="graphs") as bar:
            try:
                report = push_store(
                    store,
                    endpoint,
                    graphs=graphs or None,
                    everything=everything,
                    user=user,
                    password=password,
                    timeout=timeout,
                    retries=retries,
                    strict=strict,
                    progress=bar.advance,
                )
            except PushStoppedError as stopped:
                for failed in stopped.report.failed:
                    console.error(failed.line())
                raise
    for failed in report.failed:
        console.error(failed.line())
    for done in report.graphs:
        if done.ok and done.action == "put":
            console.detail(f"pushed {done.graph} ({done.triples} triples, HTTP {done.status})")
        elif done.ok:
            console.detail(f"{done.action}: {done.graph}")
    console.result(report.summary())
    if not report.ok:
        sys.exit(1)


def _ask_password(user: str) -> str:
    """The password of ``user``, asked on the terminal (never echoed), or a one-line error."""
    from ..errors import ConfigError
    from ..push_http import PASSWORD_VARIABLE

    if not sys.stdin.isatty():
        raise ConfigError(
            "--user",
            f"no password for {user!r}",
            f"set {PASSWORD_VARIABLE}, add the host to ~/.netrc, or run on a terminal to be asked",
        )
    return str(click.prompt(f"password for {user}", hide_input=True, err=True))


@click.command()
@click.option(
    "--bind",
    default="127.0.0.1:7878",
    show_default=True,
    help="HOST:PORT to listen on (port 0: any free port). Keep 127.0.0.1 unless others may read.",
)
@click.option(
    "--timeout",
    default=5.0,
    show_default=True,
    type=click.FloatRange(min=0, min_open=True),
    help="Seconds a query may run; a longer one is cut off with HTTP 503 and one line of text "
    "while the others go on.",
)
@click.option(
    "--max-rows",
    default=100_000,
    show_default=True,
    type=click.IntRange(min=1),
    help="Rows (or triples) an answer may have; a longer one is refused with HTTP 422 and one "
    "line of text, never cut short silently.",
)
@click.option(
    "--workers",
    default=2,
    show_default=True,
    type=click.IntRange(min=1),
    help="Queries that run at once, each in its own process; more wait for a free one.",
)
@click.pass_obj
def serve(settings: Settings, bind: str, timeout: float, max_rows: int, workers: int) -> None:
    """Answer SPARQL over the store until Ctrl-C: /query (SPARQL 1.1 Protocol, the named graphs'
    union as default graph, read-only) and /queries/NAME?param=value (the named queries). A query
    running over --timeout seconds is stopped and answered with HTTP 503. Updates, LOAD and
    SERVICE are refused (the query workers have no network); request bodies over 1 MiB get 413.

    \b
    Example:
      paperkg serve --bind 127.0.0.1:7878 --timeout 10
      curl -H 'Content-Type: application/sparql-query' -H 'Accept: text/csv' \\
           --data-binary @my-query.rq http://127.0.0.1:7878/query
      curl 'http://127.0.0.1:7878/queries/drugs-tried-for?condition=fibromyalgia&format=csv'
    """
    import signal

    from ..errors import ConfigError, PaperkgError
    from ..serve import SparqlServer, make_server
    from ..store import PaperStore

    host, _, port_text = bind.rpartition(":")
    if not host or not port_text.isdigit() or int(port_text) > 65535:
        raise ConfigError("--bind", f"{bind!r} is not HOST:PORT", "e.g. 127.0.0.1:7878")

    def stop(*_: object) -> None:
        raise KeyboardInterrupt  # SIGTERM stops the server as Ctrl-C does, even while starting

    with PaperStore.open_existing(settings.store) as store:
        previous = signal.signal(signal.SIGTERM, stop)
        server: SparqlServer | None = None
        try:
            try:
                server = make_server(
                    store,
                    host.strip("[]"),
                    int(port_text),
                    timeout=timeout,
                    workers=workers,
                    max_rows=max_rows,
                )
            except OSError as error:
                if isinstance(error, PaperkgError):  # a store error, not the address
                    raise
                raise ConfigError(
                    "--bind", f"cannot listen on {bind}: {error.strerror or error}", "pick another"
                ) from error
            limit = server.query_timeout  # None where worker processes cannot be used
            cut = "" if limit is None else f"queries cut off after {limit:g} s; "
            settings.console.note(f"serving SPARQL at {server.url}/query ({cut}Ctrl-C to stop)")
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, signal.SIG_IGN)  # let the workers be stopped
            if server is not None:
                server.server_close()
            signal.signal(signal.SIGTERM, previous)
