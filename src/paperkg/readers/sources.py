"""Expand record sources (files, folders, glob patterns) into one sorted list of files.

Sorted and without duplicates, so the same sources always give the same build order and a file
named twice (or matched by two patterns) is read once.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable
from pathlib import Path

from paperkg.errors import RecordError

__all__ = ["RECORD_SUFFIXES", "file_identity", "find_files"]

#: File endings taken from folders and glob matches.
RECORD_SUFFIXES = (".txt", ".md")
_GLOB_CHARS = ("*", "?", "[")


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
        hits = sorted(glob.glob(expanded, recursive=True))
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


def _walk(root: Path, wanted: tuple[str, ...]) -> list[Path]:
    """Record files under ``root``, not entering hidden folders (``.git``, caches)."""
    files: list[Path] = []
    for folder, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(name for name in dirnames if not name.startswith("."))
        files.extend(path for name in filenames if _is_record(path := Path(folder, name), wanted))
    return files


def _is_record(path: Path, wanted: tuple[str, ...]) -> bool:
    name = path.name.lower()
    return not name.startswith(".") and name != "readme.md" and name.endswith(wanted)


def file_identity(path: Path) -> Path:
    """The file itself, so ``a/x.txt``, ``./a/x.txt`` and links to it count once."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path.absolute()
