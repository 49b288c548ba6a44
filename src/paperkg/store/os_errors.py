"""A store's OS errors in words a user can act on: a full disk, a read-only folder."""

from __future__ import annotations

import errno
from pathlib import Path

from ..errors import StoreError

__all__ = ["make_folder", "os_cause", "write_error"]


#: Why a store cannot be written, told by the OS error: (errno or message part, problem, fix).
_CAUSES = (
    (
        (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, "no space left", "file too large"),
        "the disk is full",
        "free some space and run the command again (what was written before is whole)",
    ),
    (
        (errno.EROFS, errno.EACCES, errno.EPERM, "read-only file system", "permission denied"),
        "the store cannot be written here (read-only or no permission)",
        "use a --store you may write to; query, export and stats read it as it is",
    ),
)


def os_cause(error: OSError, message: str) -> tuple[str, str] | None:
    text = message.lower()
    for signs, problem, fix in _CAUSES:
        if any(sign == error.errno if isinstance(sign, int) else sign in text for sign in signs):
            return problem, fix
    return None


def write_error(location: str, error: OSError) -> StoreError:
    """The one-line error of a failed write: what the OS said, in words the user can act on."""
    message = " ".join(str(error).split())
    cause = os_cause(error, message)
    if cause is None:
        return StoreError(location, f"write failed ({message})", "check the disk and the folder")
    problem, fix = cause
    return StoreError(location, f"{problem} ({message})", fix)


def make_folder(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        message = " ".join(str(error).split())
        if os_cause(error, message) is not None:
            raise write_error(str(path), error) from error
        raise StoreError(
            str(path), f"cannot create the store ({message})", "check the path"
        ) from error
