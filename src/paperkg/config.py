"""``paperkg.toml``: a project's defaults (store, base IRI, formats) kept in a file.

A project runs with the same store and preferences every time; a file beside the data saves
retyping them and the mistakes that come with it. The file only supplies defaults: the command
line and environment variables still win. Relative paths in it are relative to the file, so it
works from any directory.

Layout: top-level ``store`` and ``base_iri``; one table per command holding that command's
options by long name (``[query] format = "csv"``, ``[build] strict = true``).
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from .errors import ConfigFileError, closest

__all__ = [
    "CONFIG_ENV",
    "CONFIG_NAME",
    "TOP_LEVEL",
    "Config",
    "OptionSpec",
    "find_config",
    "load_config",
]

#: The file looked up in the current directory.
CONFIG_NAME = "paperkg.toml"
#: The environment variable naming a config file elsewhere.
CONFIG_ENV = "PAPERKG_CONFIG"

_KINDS: dict[type, str] = {
    bool: "true or false",
    int: "a whole number",
    float: "a number",
    str: "a string in quotes",
    Path: "a path in quotes",
    list: 'a list of strings, e.g. ["a", "b"]',
}


@dataclass(frozen=True, slots=True)
class OptionSpec:
    """One setting the file may hold: its key, the name it is stored under, and its type.

    ``kind`` is one of bool, int, float, str, Path (resolved against the file's folder) or
    list (of strings, for repeatable options).
    """

    key: str
    target: str
    kind: type
    choices: tuple[str, ...] = ()


#: The settings known without a command line: where the store is and which base IRI to mint.
TOP_LEVEL = (OptionSpec("store", "store", Path), OptionSpec("base_iri", "base_iri", str))


@dataclass(frozen=True, slots=True)
class Config:
    """A loaded config file: top-level values and one table of option defaults per command.

    Values are keyed by their ``target`` name (for the CLI, click's parameter name).
    """

    path: Path | None = None
    values: Mapping[str, Any] = field(default_factory=dict)
    sections: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @property
    def store(self) -> Path | None:
        """The store folder the file names, if any."""
        value = self.values.get("store")
        return None if value is None else Path(value)

    @property
    def base_iri(self) -> str | None:
        """The base IRI the file names, if any."""
        value = self.values.get("base_iri")
        return None if value is None else str(value)

    def default_map(self) -> dict[str, Any]:
        """The file as a click ``default_map``: top-level values plus one dict per command."""
        mapping: dict[str, Any] = dict(self.values)
        for command, values in self.sections.items():
            mapping[command] = dict(values)
        return mapping


def find_config(
    explicit: str | os.PathLike[str] | None = None, cwd: Path | None = None
) -> Path | None:
    """The config file to use: ``explicit`` (which must exist), else ``paperkg.toml`` in ``cwd``."""
    if explicit is not None and os.fspath(explicit) != "":
        path = Path(explicit).expanduser()
        if not path.is_file():
            raise ConfigFileError(
                str(path),
                None,
                "",
                "no such config file",
                f"check --config or {CONFIG_ENV}, or drop it to use ./{CONFIG_NAME}",
            )
        return path
    candidate = (cwd or Path.cwd()) / CONFIG_NAME
    return candidate if candidate.is_file() else None


def load_config(
    path: str | os.PathLike[str], schema: Mapping[str, Sequence[OptionSpec]] | None = None
) -> Config:
    """Read and check a config file.

    ``schema`` maps ``""`` (the top level) and each command name to the options it takes; the
    CLI derives it from its commands, so every option of every command can be set. Without it,
    the top level is checked against :data:`TOP_LEVEL` and command tables are taken as they are.
    Raises :class:`ConfigFileError` naming the file, line, key and fix.
    """
    location = Path(path)
    try:
        text = location.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        problem = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
        raise ConfigFileError(
            str(location), None, "", f"cannot read the file ({problem})", "check the path"
        ) from error
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        found = re.search(r"\(at line (\d+), column \d+\)", message)
        line = int(found.group(1)) if found else None
        problem = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", message)
        raise ConfigFileError(
            str(location), line, "", f"TOML syntax error: {problem}", "fix the syntax (toml.io)"
        ) from error
    return _Checker(location, text, schema).config(data)


class _Checker:
    """Checks parsed TOML against the schema; errors point at the line of the key."""

    def __init__(
        self, path: Path, text: str, schema: Mapping[str, Sequence[OptionSpec]] | None
    ) -> None:
        self.path = path
        self.text = text
        self.schema = schema

    def config(self, data: dict[str, Any]) -> Config:
        top_specs = {spec.key: spec for spec in (self.schema or {}).get("", TOP_LEVEL)}
        values: dict[str, Any] = {}
        sections: dict[str, dict[str, Any]] = {}
        for raw_key, value in data.items():
            key = raw_key.replace("-", "_")
            if isinstance(value, dict) and key not in top_specs:
                sections[raw_key] = self.section(raw_key, value)
            elif key in top_specs:
                spec = top_specs[key]
                values[spec.target] = self.value("", raw_key, value, spec)
            else:
                known = ", ".join(top_specs)
                commands = sorted(name for name in (self.schema or {}) if name)
                fix = f"top-level settings are: {known}"
                if commands:
                    fix += f"; command defaults go in a table: [{commands[0]}] ..."
                self.fail("", raw_key, "unknown setting", _with_suggestion(key, top_specs, fix))
        return Config(self.path, values, sections)

    def section(self, name: str, table: dict[str, Any]) -> dict[str, Any]:
        if self.schema is None:
            return {key.replace("-", "_"): value for key, value in table.items()}
        commands = sorted(command for command in self.schema if command)
        if name not in self.schema or not name:
            fix = "tables are named after commands: " + ", ".join(commands)
            self.fail(name, "", f"unknown table [{name}]", _with_suggestion(name, commands, fix))
        specs = {spec.key: spec for spec in self.schema[name]}
        values: dict[str, Any] = {}
        for raw_key, value in table.items():
            key = raw_key.replace("-", "_")
            spec = specs.get(key)
            if spec is None:
                fix = f"[{name}] takes: " + (", ".join(specs) or "no settings")
                self.fail(name, raw_key, "unknown setting", _with_suggestion(key, specs, fix))
            values[spec.target] = self.value(name, raw_key, value, spec)
        return values

    def value(self, table: str, key: str, value: object, spec: OptionSpec) -> object:
        kind = spec.kind
        ok = {
            bool: isinstance(value, bool),
            int: isinstance(value, int) and not isinstance(value, bool),
            float: isinstance(value, int | float) and not isinstance(value, bool),
            list: isinstance(value, list) and all(isinstance(item, str) for item in value),
        }.get(kind, isinstance(value, str))
        if not ok:
            example = {bool: "true", int: "3", float: "0.5", list: '["..."]'}.get(kind, '"..."')
            self.fail(
                table,
                key,
                f"expected {_KINDS.get(kind, 'a string')}, got {_describe(value)}",
                f"write {key} = {_example(spec, example)}",
            )
        if spec.choices and value not in spec.choices:
            self.fail(
                table, key, f"{value!r} is not allowed", "use one of: " + ", ".join(spec.choices)
            )
        if kind is Path:
            path = Path(str(value)).expanduser()
            return path if path.is_absolute() else self.path.parent / path
        return value

    def fail(self, table: str, key: str, problem: str, fix: str) -> NoReturn:
        name = f"[{table}] {key}" if table and key else key
        raise ConfigFileError(str(self.path), _line_of(self.text, table, key), name, problem, fix)


def _with_suggestion(word: str, known: Mapping[str, object] | Sequence[str], fix: str) -> str:
    guess = closest(word, list(known))
    return f"did you mean {guess!r}? {fix}" if guess else fix


def _example(spec: OptionSpec, fallback: str) -> str:
    return f'"{spec.choices[0]}"' if spec.choices else fallback


def _describe(value: object) -> str:
    kinds = {bool: "a boolean", int: "a number", float: "a number", str: "a string"}
    kind = kinds.get(type(value), "a table" if isinstance(value, dict) else "a list")
    return f"{kind} ({value!r})" if not isinstance(value, dict | list) else kind


_HEADER = re.compile(r"^\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$")


def _line_of(text: str, table: str, key: str) -> int | None:
    """The line where ``key`` is set in ``table`` (or the table's header, when key is empty)."""
    current = ""
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        header = _HEADER.match(stripped)
        if header:
            current = header.group(1).strip().strip("\"'")
            if not key and current == table:
                return number
            continue
        if key and current == table and re.match(rf"[\"']?{re.escape(key)}[\"']?\s*=", stripped):
            return number
    return None
