"""A folder export that appears whole or not at all, and never deletes a file paperkg did not write.

The files are written into a temporary folder beside the target, with a ``manifest.json`` that
lists them; then the temporary folder is renamed to the target. An older export there (its
manifest says paperkg wrote it, and it holds only the files the manifest lists) is moved aside
first and deleted after; any other non-empty folder is refused. A failure leaves the target as
it was (a full disk or a read-only folder is one :class:`ExportError`). Readers never see a
half-written folder: only the instant between the two renames shows no folder at all.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from .errors import ExportError
from .files import output_error
from .version import __version__

__all__ = ["write_folder"]

MANIFEST = "manifest.json"

T = TypeVar("T")


def write_folder(
    target: str | os.PathLike[str],
    kind: str,
    write: Callable[[Path], tuple[T, dict[str, Any]]],
) -> T:
    """Have ``write`` fill a fresh folder, then put it at ``target`` with a manifest.

    ``write`` gets the (empty) folder and returns its result and what the manifest should say
    besides the generator, the version, ``kind`` and the list of files.
    """
    folder = Path(target)
    _check_replaceable(folder)
    try:
        staging = Path(
            tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".tmp", dir=folder.parent)
        )
    except OSError as error:
        converted = output_error(folder, error)
        if converted is None:
            raise
        raise converted from error
    try:
        result, facts = write(staging)
        files = sorted(path.name for path in staging.iterdir())
        manifest = {
            "generator": "paperkg",
            "version": __version__,
            "format": kind,
            **facts,
            "files": files,
        }
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        for name in [*files, MANIFEST]:
            _sync(staging / name)
        os.chmod(staging, 0o777 & ~_umask())
        _replace(staging, folder)
    except BaseException as error:
        shutil.rmtree(staging, ignore_errors=True)
        converted = output_error(folder, error)  # a full disk: one line, the target unchanged
        if converted is None:
            raise
        raise converted from error
    return result


def _check_replaceable(folder: Path) -> None:
    if not folder.parent.is_dir():
        raise ExportError(
            str(folder), "its parent folder does not exist", "create it or pick another -o"
        )
    if folder.exists() and not folder.is_dir():
        raise ExportError(str(folder), "is a file, and this export is a folder", "give -o a folder")
    if not folder.is_dir():
        return
    names = {path.name for path in folder.iterdir()}
    if names and not names <= _own_files(folder):
        raise ExportError(
            str(folder),
            f"the folder is not empty and holds no paperkg export (no paperkg {MANIFEST})",
            "pick a new or empty folder for -o",
        )


def _own_files(folder: Path) -> set[str]:
    """The files the folder's paperkg manifest lists, with the manifest; empty if none."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    if not (isinstance(manifest, dict) and manifest.get("generator") == "paperkg"):
        return set()
    files = manifest.get("files")
    if not isinstance(files, list):
        return set()
    return {str(name) for name in files} | {MANIFEST}


def _replace(staging: Path, folder: Path) -> None:
    if not folder.exists():
        os.rename(staging, folder)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".old", dir=folder.parent))
    os.rmdir(old)
    os.rename(folder, old)
    try:
        os.rename(staging, folder)
    except BaseException:
        os.rename(old, folder)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _sync(path: Path) -> None:
    with contextlib.suppress(OSError), open(path, "rb") as stream:
        os.fsync(stream.fileno())


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
