"""The machinery behind the ``paperkg`` commands, kept apart so the command modules read as
commands.

- :class:`Settings`: what every command gets through ``@click.pass_obj`` (store, base IRI, the
  :class:`~paperkg.console.Console`);
- :class:`PaperkgGroup`: paperkg's errors as one line on stderr, for every command at once (exit
  2; rejected records 1);
- :func:`read_config`: ``paperkg.toml`` defaults for every option, through click's default_map;
- shell completion of query names and query parameters.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import click
from click.shell_completion import CompletionItem

from ..config import OptionSpec, find_config, load_config
from ..console import Console
from ..errors import PaperkgError, RecordError

if TYPE_CHECKING:
    from ..query import QueryResult

_Command = TypeVar("_Command", bound=Callable[..., Any])

__all__ = [
    "Failure",
    "PaperkgGroup",
    "Rejected",
    "Settings",
    "complete_query_name",
    "complete_query_param",
    "config_schema",
    "read_config",
    "result_format",
    "show_result",
]


class Failure(click.ClickException):
    """A one-line usage or runtime error (exit 2)."""

    exit_code = 2


class Rejected(Failure):
    """A rejected record under --strict (exit 1)."""

    exit_code = 1


class PaperkgGroup(click.Group):
    """A group that turns paperkg's own errors, raised by any of its commands, into one line on
    stderr instead of a traceback: one place, so no command can forget it.
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except RecordError as error:
            raise Rejected(str(error)) from error
        except PaperkgError as error:
            raise Failure(str(error)) from error


#: Where ``--iris`` leaves its value for :func:`show_result` (``click.Context.meta``).
_IRIS_KEY = "paperkg.iris"


def _remember_iris(context: click.Context, _param: click.Parameter, value: bool) -> None:
    context.meta[_IRIS_KEY] = value


_format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["auto", "table", "csv", "tsv", "json"]),
    default="auto",
    show_default=True,
    help="Output format; auto: a table on a terminal, CSV when piped. JSON gives numbers, "
    "booleans and lists (for |-joined cells) typed.",
)
_iris_option = click.option(
    "--iris",
    is_flag=True,
    expose_value=False,
    callback=_remember_iris,
    help="Print identifiers as full IRIs, not as CURIEs (MESH:D009271), in every format.",
)


def result_format(command: _Command) -> _Command:
    """The result-format options, shared by query and evidence: ``--format`` (the command's
    ``fmt`` argument) and ``--iris`` (read by :func:`show_result`, so commands need not pass
    it along).
    """
    return _format_option(_iris_option(command))


def show_result(console: Console, result: QueryResult, fmt: str) -> None:
    """Print ``result`` in ``fmt`` (``auto`` by terminal), after one line on stderr for each
    drug or condition that names nothing in the store, with the closest labels (a likely typo:
    the answer is empty, not wrong, and the exit code stays 0). Identifiers are CURIEs unless
    the command was given ``--iris``.
    """
    from ..results import format_result, resolve_format

    for miss in result.misses:
        console.warning(str(miss))
    context = click.get_current_context(silent=True)
    iris = bool(context is not None and context.meta.get(_IRIS_KEY))
    chosen = resolve_format(fmt, terminal=console.stdout_is_terminal)
    console.result(format_result(result, chosen, color=console.color, iris=iris), nl=False)


class Settings:
    """What every command gets through ``@click.pass_obj``: the global options and the output."""

    def __init__(self, store: Path, base_iri: str, console: Console) -> None:
        self.store = store
        self.base_iri = base_iri
        self.console = console


# --- paperkg.toml: option defaults through click's default_map ------------------------------

#: Options that make no sense in a config file.
_NOT_IN_CONFIG = frozenset({"config", "help", "version"})


def _option_spec(option: click.Option) -> OptionSpec:
    """How an option is written in paperkg.toml: its long name, with ``_`` for ``-``."""
    longs = [name for name in option.opts if name.startswith("--")] or option.opts
    key = longs[0].lstrip("-").replace("-", "_")
    kind: type = str
    if option.multiple:
        kind = list
    elif option.is_flag or isinstance(option.type, click.types.BoolParamType):
        kind = bool
    elif isinstance(option.type, click.types.IntParamType):
        kind = int
    elif isinstance(option.type, click.types.FloatParamType):
        kind = float
    elif isinstance(option.type, click.Path):
        kind = Path
    choices = tuple(map(str, option.type.choices)) if isinstance(option.type, click.Choice) else ()
    return OptionSpec(key, str(option.name), kind, choices)


def config_schema(group: click.Group) -> dict[str, list[OptionSpec]]:
    """What paperkg.toml may hold: the group's options on top, each command's in its table."""

    def specs(command: click.Command) -> list[OptionSpec]:
        return [
            _option_spec(param)
            for param in command.params
            if isinstance(param, click.Option)
            and param.expose_value
            and not param.hidden
            and param.name not in _NOT_IN_CONFIG
        ]

    schema = {"": specs(group)}
    schema.update({name: specs(command) for name, command in group.commands.items()})
    return schema


def read_config(context: click.Context, _param: click.Parameter, value: Path | None) -> None:
    """Eager: load the config file first, so every other option can take its default from it."""
    try:
        path = find_config(value)
        if path is None:
            return
        config = load_config(path, config_schema(cast(click.Group, context.command)))
    except PaperkgError as error:
        raise Failure(str(error)) from error
    context.default_map = {**config.default_map(), **(context.default_map or {})}


def complete_query_name(
    _context: click.Context, _param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """Named queries for ``query <TAB>``; a path-like word completes as a .rq file."""
    from ..query import list_queries

    if "/" in incomplete or incomplete.endswith((".rq", ".sparql")):
        return [CompletionItem(incomplete, type="file")]
    return [
        CompletionItem(named.name, help=named.title)
        for named in list_queries()
        if named.name.startswith(incomplete)
    ]


def complete_query_param(
    context: click.Context, _param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """``NAME=`` for each parameter the query already on the command line declares."""
    from ..query import load_query

    # While the option's value is being typed, click has not bound NAME yet: it is in args.
    name = context.params.get("name") or next(iter(context.args), "")
    try:
        named = load_query(str(name))
    except PaperkgError:
        return []
    return [
        CompletionItem(f"{parameter.name}=", help=parameter.description)
        for parameter in named.parameters
        if f"{parameter.name}=".startswith(incomplete)
    ]
