"""One writer or any number of readers per store, across processes.

Oxigraph's RocksDB locks a store against a second writer, but not against readers: a store
opened read-only while another process writes it may fail or answer from files being deleted
under it (its documentation calls it undefined). So a writer holds an exclusive ``flock`` on
``paperkg.lock`` in the store folder and every reader a shared one: a query during a build is
refused with one clear line, and so is a build while a query or ``serve`` reads the store. Opens
within one process share one lock (a writer there may still be read by that same process).
Where ``fcntl`` is missing, or a read-only folder has no lock file, nothing is locked.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import StoreError

try:
    import fcntl
except ImportError:  # pragma: no cover - not on POSIX
    fcntl = None  # type: ignore[assignment]

__all__ = ["LOCK_NAME", "busy", "lock_store"]

LOCK_NAME = "paperkg.lock"


@dataclass(slots=True)
class _Held:
    fd: int
    readers: int = 0
    writers: int = 0


_held: dict[str, _Held] = {}


def lock_store(path: Path, *, write: bool) -> Callable[[], None]:
    """Take the store's lock for reading or writing; return what releases it.

    Raises :class:`StoreError` when another process holds it the other way.
    """
    if fcntl is None:
        return _nothing
    key = os.path.realpath(path)
    held = _held.get(key)
    if held is None:
        fd = _open(path, write)
        if fd is None:
            return _nothing
        if not _flock(fd, write):
            os.close(fd)
            raise busy(path, write=write)
        held = _held[key] = _Held(fd)
    elif write and not held.writers and not _flock(held.fd, True):
        raise busy(path, write=write)
    if write:
        held.writers += 1
    else:
        held.readers += 1
    return lambda: _release(key, held, write)


def _release(key: str, held: _Held, write: bool) -> None:
    if write:
        held.writers -= 1
    else:
        held.readers -= 1
    if not held.writers and not held.readers:
        _held.pop(key, None)
        os.close(held.fd)  # releases the lock
    elif write and not held.writers:
        _flock(held.fd, False)  # readers of this process remain: back to a shared lock


def _open(path: Path, write: bool) -> int | None:
    lock = path / LOCK_NAME
    for flags in (os.O_RDWR | os.O_CREAT, os.O_RDONLY):
        with contextlib.suppress(OSError):
            return os.open(lock, flags | os.O_CLOEXEC, 0o666)
        if write:
            break
    return None  # the store's own open reports a folder it cannot write


def _flock(fd: int, write: bool) -> bool:
    assert fcntl is not None
    try:
        fcntl.flock(fd, (fcntl.LOCK_EX if write else fcntl.LOCK_SH) | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def busy(path: Path, *, write: bool) -> StoreError:
    """The error of a store another process holds: as a writer (``write``) or a reader."""
    if write:
        return StoreError(
            str(path),
            "the store is in use by another paperkg process (a build, remove, validate or push "
            "writing it, or a query or serve reading it)",
            "wait for it to finish, or use another --store",
        )
    return StoreError(
        str(path),
        "another paperkg process is writing the store (a build, remove, validate or push)",
        "run this again when it has finished (reading meanwhile could give wrong answers)",
    )


def _nothing() -> None:
    """No lock was taken."""
