"""Atomic writes: whole files with the umask's permissions, old content kept on failure."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from paperkg.files import atomic_write


def test_new_file_gets_the_umask_permissions(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        with atomic_write(tmp_path / "out.txt") as stream:
            stream.write(b"hello")
    finally:
        os.umask(previous)
    target = tmp_path / "out.txt"
    assert target.read_bytes() == b"hello"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_replaced_file_keeps_its_permissions(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_bytes(b"old")
    target.chmod(0o600)
    with atomic_write(target) as stream:
        stream.write(b"new")
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_failure_keeps_the_old_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_bytes(b"old")

    def write_half() -> None:
        with atomic_write(target) as stream:
            stream.write(b"half")
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_half()
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]
