"""The errors paperkg raises. One root class; each error carries the data behind its message.

Messages read ``where: what is wrong; how to fix``. The CLI turns them into one line on stderr.
"""

from __future__ import annotations

import difflib

__all__ = [
    "ConfigError",
    "ConfigFileError",
    "ExportError",
    "PaperkgError",
    "PushError",
    "QueryError",
    "RecordError",
    "ShapesError",
    "StoreError",
    "UnknownQueryError",
    "VizError",
    "closest",
]


class PaperkgError(Exception):
    """Root of every error paperkg raises on purpose."""


class RecordError(PaperkgError, ValueError):
    """A record that cannot be read. Names the file, line and field, and how to fix it."""

    def __init__(self, path: str, line: int, field: str, problem: str, fix: str) -> None:
        self.path = path
        self.line = line
        self.field = field
        self.problem = problem
        self.fix = fix
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.field}: {self.problem}; {self.fix}"


class StoreError(PaperkgError, OSError):
    """The store cannot be opened, read or written."""

    def __init__(self, location: str, problem: str, fix: str) -> None:
        self.location = location
        self.problem = problem
        self.fix = fix
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.location}: {self.problem}; {self.fix}"


class QueryError(PaperkgError, ValueError):
    """A query that cannot be run: bad syntax, bad parameter."""

    def __init__(self, query: str, problem: str, fix: str) -> None:
        self.query = query
        self.problem = problem
        self.fix = fix
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"query {self.query}: {self.problem}; {self.fix}"


class UnknownQueryError(QueryError, KeyError):
    """A query name that is not in the catalogue. Carries the names that exist."""

    def __init__(self, name: str, known: tuple[str, ...]) -> None:
        self.known = known
        self.suggestion = closest(name, known)
        fix = "use one of: " + ", ".join(known)
        if self.suggestion is not None:
            fix = f"did you mean {self.suggestion!r}? {fix}"
        super().__init__(name, "no such named query", fix)

    def __str__(self) -> str:
        return QueryError.__str__(self)


class ShapesError(PaperkgError, ValueError):
    """The SHACL shapes or the data to validate cannot be loaded (not a violation: a breakage)."""

    def __init__(self, source: str, problem: str) -> None:
        self.source = source
        self.problem = problem
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.source}: {self.problem}; check the file is valid RDF (Turtle)"


class ExportError(PaperkgError, ValueError):
    """An export that cannot be written (unknown format, unwritable path)."""

    def __init__(self, target: str, problem: str, fix: str) -> None:
        self.target = target
        self.problem = problem
        self.fix = fix
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.target}: {self.problem}; {self.fix}"


class ConfigError(PaperkgError, ValueError):
    """A bad option value given to the library or the CLI."""

    def __init__(self, option: str, problem: str, fix: str) -> None:
        self.option = option
        self.problem = problem
        self.fix = fix
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.option}: {self.problem}; {self.fix}"


class ConfigFileError(ConfigError):
    """A paperkg.toml that cannot be used: names the file, the line if known, and the key."""

    def __init__(self, path: str, line: int | None, key: str, problem: str, fix: str) -> None:
        self.path = path
        self.line = line
        self.key = key
        super().__init__(key, problem, fix)

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        key = f" {self.key}:" if self.key else ""
        return f"{where}:{key} {self.problem}; {self.fix}"


class PushError(PaperkgError, OSError):
    """A push that cannot go on: bad endpoint URL, server unreachable, credentials refused."""

    def __init__(self, endpoint: str, problem: str, fix: str) -> None:
        self.endpoint = endpoint
        self.problem = problem
        self.fix = fix
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.endpoint}: {self.problem}; {self.fix}"


class VizError(PaperkgError, ValueError):
    """A picture that cannot be drawn as asked: unknown focus, view, filter or file type."""

    def __init__(self, option: str, problem: str, fix: str) -> None:
        self.option = option
        self.problem = problem
        self.fix = fix
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.option}: {self.problem}; {self.fix}"


def closest(word: str, candidates: tuple[str, ...] | list[str]) -> str | None:
    """The candidate ``word`` was most likely meant to be (a typo), if one is close enough."""
    matches = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
    return matches[0] if matches else None
