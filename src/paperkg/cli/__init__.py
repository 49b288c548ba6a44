"""The ``paperkg`` command line: a thin layer, each command one call into the library.

Library errors become one line on stderr here, in one place; exit codes are 0 ok, 1 violations
or rejected records, 2 usage or runtime error. Output goes through :class:`~paperkg.console.Console`
(``settings.console``) so --quiet, --verbose, colour and progress bars work alike everywhere.

One module per group of commands (``records``, ``questions``, ``reports``, ``scoring``); this
module holds the group and registers them. Adding a command: ``@click.command()`` in the module
of its kind, take ``settings: Settings`` via ``@click.pass_obj``, write the answer with
``settings.console.result`` and messages with ``.error/.warning/.note/.detail``, give the help
text an ``Example:`` section, and add it to ``COMMANDS`` below. The group turns paperkg's errors
into one line; options get ``paperkg.toml`` defaults from a ``[name]`` table automatically.
"""

from __future__ import annotations

import os
from pathlib import Path

import click
from click.shell_completion import get_completion_class

from ..config import CONFIG_ENV
from ..console import Console
from ..version import __version__
from ..vocab import DEFAULT_BASE_IRI
from .questions import queries, query
from .records import build, convert, export, remove, validate
from .reports import evidence, push, serve, stats, viz
from .scoring import evaluate, infer
from .support import Failure, PaperkgGroup, Settings, read_config

__all__ = ["main"]


@click.group(cls=PaperkgGroup, context_settings={"help_option_names": ["-h", "--help"]})
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


_SHELLS = ("bash", "zsh", "fish")


@click.command()
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


#: The commands, in the order ``paperkg --help`` lists them.
COMMANDS = (build, remove, validate, query, queries, export, evaluate, infer, convert, completion)
for _command in (*COMMANDS, stats, evidence, viz, push, serve):
    main.add_command(_command)
