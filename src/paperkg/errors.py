"""The errors paperkg raises. One root class; each error carries the data behind its message.

Messages read ``where: what is wrong; how to fix``. The CLI turns them into one line on stderr.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

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
    "close_matches",
    "closest",
]


class PaperkgError(Exception):
    """Root of every error paperkg raises on purpose."""


class _ProblemError(PaperkgError):
    """An error that says where, what is wrong and how to fix it: ``where: problem; fix``."""

    def __init__(self, where: str, problem: str, fix: str) -> None:
        self.where = where
        self.problem = problem
        self.fix = fix
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.where}: {self.problem}; {self.fix}"


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


class StoreError(_ProblemError, OSError):
    """The store cannot be opened, read or written."""

    @property
    def location(self) -> str:
        """The store folder (``where``)."""
        return self.where


class QueryError(_ProblemError, ValueError):
    """A query that cannot be run: bad syntax, bad parameter."""

    @property
    def query(self) -> str:
        """The query's name or file (``where``)."""
        return self.where

    def __str__(self) -> str:
        return f"query {self.where}: {self.problem}; {self.fix}"


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


class ExportError(_ProblemError, ValueError):
    """An export that cannot be written (unknown format, unwritable path)."""

    @property
    def target(self) -> str:
        """The file that was to be written (``where``)."""
        return self.where


class ConfigError(_ProblemError, ValueError):
    """A bad option value given to the library or the CLI."""

    @property
    def option(self) -> str:
        """The option or value at fault (``where``)."""
        return self.where


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


class PushError(_ProblemError, OSError):
    """A push that cannot go on: bad endpoint URL, server unreachable, credentials refused."""

    @property
    def endpoint(self) -> str:
        """The endpoint URL (``where``)."""
        return self.where


class VizError(_ProblemError, ValueError):
    """A picture that cannot be drawn as asked: unknown focus, view, filter or file type."""

    @property
    def option(self) -> str:
        """The option or value at fault (``where``)."""
        return self.where


def close_matches(word: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    """The candidates ``word`` was most likely meant to be (a typo), closest first, ignoring
    case; of candidates that differ only in case the first is given.
    """
    folded: dict[str, str] = {}
    for candidate in candidates:
        folded.setdefault(candidate.casefold(), candidate)
    matches = difflib.get_close_matches(word.casefold(), list(folded), n=n, cutoff=0.6)
    return [folded[match] for match in matches]


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate ``word`` was most likely meant to be (a typo), if one is close enough."""
    matches = close_matches(word, candidates, n=1)
    return matches[0] if matches else None
