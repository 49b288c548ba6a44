"""Expand record sources (files, folders, glob patterns) into one sorted list of files.

Sorted and without duplicates, so the same sources always give the same build order and a file
named twice (or matched by two patterns) is read once.

Symbolic links: a source named on the command line is followed, whatever it is. Inside a source
folder, a link to a file in the same folder tree is read (once, with its target); a link to a
folder is never entered (its files, if inside, are read under their own path). A link that loops
(back to a folder being read, or to itself) and a link to anything outside the source folder are
not followed but reported, as a :class:`SkippedLink` whose reading gives its error: the sources
given are the whole of what a build reads, and a loop never hangs it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from paperkg.errors import RecordError

__all__ = ["RECORD_SUFFIXES", "SkippedLink", "file_identity", "find_files", "unreadable"]

if TYPE_CHECKING:
    _ConcretePath = Path
else:
    _ConcretePath = type(Path())  # PosixPath or WindowsPath: Path itself cannot be subclassed


class SkippedLink(_ConcretePath):
    """A symbolic link in a source folder that is not followed; ``error`` says why."""

    error: RecordError

    @classmethod
    def of(cls, path: Path, problem: str, fix: str) -> SkippedLink:
        link = cls(path)
        link.error = RecordError(str(path), 0, "source", problem, fix)
        return link


#: File endings taken from folders and glob matches.
RECORD_SUFFIXES = (".txt", ".md")
_GLOB_CHARS = ("*", "?", "[")


def unreadable(name: str, error: OSError) -> RecordError:
    """The one-line error of a source file that cannot be opened or read."""
    problem = f"cannot read the file ({error.strerror or error})"
    return RecordError(name, 0, "file", problem, "check the path and permissions")


def find_files(
    sources: Iterable[str | os.PathLike[str]] | str | os.PathLike[str],
    *,
    suffixes: Iterable[str] = RECORD_SUFFIXES,
) -> list[Path]:
    """Files for ``sources``: files as given, folders walked, glob patterns expanded.

    Folders and glob matches give files ending in ``suffixes`` (case-insensitive), without
    ``README.md`` and hidden files or folders; a file named directly is always taken. A source
    that gives no file raises :class:`RecordError`.
    """
    wanted = tuple(suffix.lower() for suffix in suffixes)
    if isinstance(sources, str | os.PathLike):
        sources = [sources]
    found: dict[Path, Path] = {}
    for source in sources:
        text = os.fspath(source)
        for path in _expand_one(text, wanted):
            found.setdefault(file_identity(path), path)
    return sorted(found.values(), key=str)


def _expand_one(source: str, wanted: tuple[str, ...]) -> list[Path]:
    expanded = os.path.expanduser(source)
    path = Path(expanded)
    kinds = ", ".join(wanted)
    if path.is_dir():
        found = _walk(path, wanted)
        problem = f"folder holds no record files ({kinds})"
    elif path.exists():
        return [path]
    elif any(char in source for char in _GLOB_CHARS):
        hits = _glob(expanded)
        found = []
        for hit in map(Path, hits):
            if hit.is_dir():
                found.extend(_walk(hit, wanted))
            elif _is_record(hit, wanted):
                found.append(hit)
        problem = f"pattern matches no record files ({kinds})" if hits else "no such file or folder"
    else:
        found, problem = [], "no such file or folder"
    if not found:
        raise RecordError(source, 0, "source", problem, "check the path or glob")
    return found


def _glob(pattern: str) -> list[Path]:
    """What ``glob.glob(pattern, recursive=True)`` gives, except that ``**`` never enters a link
    to a folder (two links back to their folder make ``glob`` run for ever): pathlib's glob.
    """
    parts = Path(pattern).parts
    first = next(i for i, part in enumerate(parts) if any(c in part for c in _GLOB_CHARS))
    base = Path(*parts[:first]) if first else Path()
    try:
        hits = list(base.glob(str(Path(*parts[first:]))))
    except (OSError, ValueError):  # an unreadable folder, a pattern pathlib refuses
        return []
    return sorted(hit for hit in hits if not _hidden(hit.relative_to(base)))


def _hidden(path: Path) -> bool:
    return any(part.startswith(".") for part in path.parts)


def _walk(root: Path, wanted: tuple[str, ...]) -> list[Path]:
    """Record files under ``root``, not entering hidden folders (``.git``, caches) nor links to
    folders; links that loop or lead outside ``root`` come as :class:`SkippedLink`.
    """
    files: list[Path] = []
    inside = file_identity(root)
    for folder, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(name for name in dirnames if not name.startswith("."))
        for name in dirnames:
            if os.path.islink(link := Path(folder, name)):
                files.extend(_folder_link(link, inside))
        for name in filenames:
            path = Path(folder, name)
            if _is_record(path, wanted):
                files.append(_file_link(path, inside) if os.path.islink(path) else path)
    return files


def _folder_link(link: Path, inside: Path) -> list[Path]:
    target = file_identity(link)
    if target == inside or file_identity(link.parent).is_relative_to(target):
        problem = f"symbolic link loop (it leads back to {target}, already being read)"
        return [SkippedLink.of(link, problem + "; not followed", "remove the link")]
    if not target.is_relative_to(inside):
        problem = f"symbolic link to a folder outside {inside} ({target}); not followed"
        return [SkippedLink.of(link, problem, "name the folder as a source to read it")]
    return []  # a folder of the same tree: its files are read where they are


def _file_link(link: Path, inside: Path) -> Path:
    try:
        target = link.resolve(strict=True)
    except (OSError, RuntimeError) as error:
        if isinstance(error, FileNotFoundError):
            return link  # a broken link: reading it reports "no such file"
        problem = "symbolic link loop (the link leads back to itself); not followed"
        return SkippedLink.of(link, problem, "remove the link or point it at a record file")
    if not target.is_relative_to(inside):
        problem = f"symbolic link to a file outside {inside} ({target}); not read"
        return SkippedLink.of(link, problem, "name the file as a source to read it")
    return link


def _is_record(path: Path, wanted: tuple[str, ...]) -> bool:
    name = path.name.lower()
    return not name.startswith(".") and name != "readme.md" and name.endswith(wanted)


def file_identity(path: Path) -> Path:
    """The file itself, so ``a/x.txt``, ``./a/x.txt`` and links to it count once."""
    if isinstance(path, SkippedLink):  # reported, not read: it stands for itself
        return Path(path.absolute())
    try:
        return path.resolve()
    except (OSError, RuntimeError, ValueError):  # a loop; a NUL in a path stored by a record
        return path.absolute()
