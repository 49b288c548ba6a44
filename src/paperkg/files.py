"""Atomic file output: every file paperkg writes appears whole or not at all.

Bytes go to a temporary file in the target's folder, which is synced, given the permissions the
target should have and renamed over it; a failure removes the temporary file and leaves any old
target untouched. A full disk or a folder that cannot be written is one :class:`ExportError`
naming the file, not a traceback.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, NoReturn

from .errors import ExportError, PaperkgError

__all__ = ["atomic_write", "output_error"]

#: OS errors that say the output cannot be written there, with how to get past them.
_UNWRITABLE = {
    errno.ENOSPC: "free some space or write elsewhere",
    errno.EDQUOT: "free some space or write elsewhere",
    errno.EFBIG: "write elsewhere (the file is larger than this file system or limit allows)",
    errno.EROFS: "write to a folder you may write to",
    errno.EACCES: "write to a folder you may write to",
    errno.EPERM: "write to a folder you may write to",
    errno.EIO: "check the disk, or write elsewhere",
}


def output_error(target: str | os.PathLike[str], error: BaseException) -> ExportError | None:
    """The one-line error for an output ``target`` that could not be written (a full disk, a
    read-only folder), or ``None`` if ``error`` is not one of those (it is then raised as is).
    """
    if isinstance(error, PaperkgError) or not isinstance(error, OSError):
        return None
    fix = _UNWRITABLE.get(error.errno or 0)
    if fix is None:
        return None
    reason = error.strerror or str(error)
    return ExportError(str(target), f"cannot be written ({reason})", fix)


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike[str]) -> Iterator[BinaryIO]:
    """Yield a binary stream whose content replaces ``path`` when the block ends without error."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path()
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as error:
        _raise_for(target, error)
    try:
        with os.fdopen(handle, "wb") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, _mode_for(target))
        os.replace(temporary, target)
    except BaseException as error:  # noqa: BLE001 - cleaned up, then raised (one line if it can)
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        _raise_for(target, error)
    _sync_folder(folder)


def _raise_for(target: Path, error: BaseException) -> NoReturn:
    """Raise the one-line error for ``error`` if it is one (see :func:`output_error`), else it."""
    converted = output_error(target, error)
    if converted is None:
        raise error
    raise converted from error


def _mode_for(target: Path) -> int:
    """Keep the permissions of a file being replaced; a new file gets what the umask allows."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


def _sync_folder(folder: Path) -> None:
    """Make the rename durable where the platform allows syncing a folder."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
