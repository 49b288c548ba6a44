"""A full disk (a small tmpfs, else a file size limit) and a read-only store give one clear line
and leave a store that opens; two processes on one store: a second writer, and a reader while a
build writes, are refused in one clear line (readers share a store).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from faults import RECORDS, Hooked, _contents, build_corpus, hooked_runs
from paperkg.errors import StoreError
from paperkg.store import PaperStore

from conftest import run_cli


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, Any]]:
    return build_corpus(tmp_path_factory.mktemp("faults-disk"))


@pytest.fixture
def started(tmp_path: Path) -> Iterator[Callable[..., Hooked]]:
    yield from hooked_runs(tmp_path)


# --- a full disk, a read-only store ---------------------------------------------------------


class SmallDisk:
    """A folder on a tmpfs of ``size`` bytes (root: ``mount``), else where no file may grow past
    ``size`` (``RLIMIT_FSIZE`` in the command's process: EFBIG instead of ENOSPC).
    """

    def __init__(self, folder: Path, size: int) -> None:
        self.folder = folder
        self.size = size
        folder.mkdir()
        mounted = (
            os.geteuid() == 0
            and not subprocess.run(
                ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                capture_output=True,
                check=False,
            ).returncode
        )
        self.mounted = mounted

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        """``paperkg ARGS`` in a process that meets the full disk."""

        def limit() -> None:
            import resource

            resource.setrlimit(resource.RLIMIT_FSIZE, (self.size, self.size))

        return subprocess.run(
            [sys.executable, "-m", "paperkg", *args],
            capture_output=True,
            text=True,
            check=False,
            preexec_fn=None if self.mounted else limit,
        )

    def read_only(self) -> None:
        """Make the folder read-only: remounted so (root ignores file modes), else chmod."""
        if self.mounted:
            subprocess.run(["mount", "-o", "remount,ro", str(self.folder)], check=True)
        else:
            for path in [self.folder, *self.folder.rglob("*")]:
                path.chmod(path.stat().st_mode & ~0o222)

    def release(self) -> None:
        if self.mounted:
            subprocess.run(["umount", "-l", str(self.folder)], check=False)
        else:
            for path in [self.folder, *self.folder.rglob("*")]:
                path.chmod(path.stat().st_mode | 0o200)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Callable[[int], SmallDisk]]:
    disks: list[SmallDisk] = []

    def make(size: int) -> SmallDisk:
        disks.append(SmallDisk(tmp_path / f"disk{len(disks)}", size))
        return disks[-1]

    yield make
    for disk in disks:
        disk.release()


def _one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.slow
def test_a_full_disk_stops_a_build_with_one_line_and_the_store_still_opens(
    corpus: tuple[Path, Path, dict[str, Any]], small_disk: Any
) -> None:
    folder, _, clean = corpus
    disk = small_disk(2 * 2**20)
    store = disk.folder / "kg"
    done = disk.run("--store", str(store), "build", "--workers", "1", str(folder))
    assert done.returncode == 2, done.stderr
    line = _one_line(done.stderr)
    assert line.startswith(f"Error: {store}: the disk is full (")
    assert line.endswith(
        "free some space and run the command again (what was written before is whole)"
    )
    with PaperStore.open_existing(store) as opened:
        records = [graph.value for graph in opened.record_graphs()]
    assert 0 < len(records) < RECORDS
    now = _contents(store)
    assert all(now[graph] == clean[graph] for graph in records)
    code, _, err = run_cli("--store", str(store), "query", "findings", "--format", "csv")
    assert code == 0, err


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["turtle", "nq", "kgx"])
def test_a_full_disk_stops_an_export_with_one_line_and_keeps_the_old_file(
    fmt: str, corpus: tuple[Path, Path, dict[str, Any]], small_disk: Any
) -> None:
    _, store, _ = corpus
    disk = small_disk(64 * 2**10)
    out = disk.folder / "kg.out"
    if fmt != "kgx":
        out.write_bytes(b"the export of last week\n")
    done = disk.run("--store", str(store), "export", "--format", fmt, "-o", str(out))
    assert done.returncode == 2, done.stderr
    line = _one_line(done.stderr)
    assert line.startswith("Error: ")
    assert "cannot be written (" in line
    assert line.endswith("free some space or write elsewhere") or "too large" in line
    left = sorted(path.name for path in disk.folder.iterdir())
    if fmt == "kgx":
        assert left == []
    else:
        assert left == ["kg.out"]
        assert out.read_bytes() == b"the export of last week\n"


@pytest.mark.slow
def test_a_read_only_store_refuses_writes_in_one_line_and_still_answers(
    corpus: tuple[Path, Path, dict[str, Any]], small_disk: Any
) -> None:
    folder, clean_path, _ = corpus
    disk = small_disk(64 * 2**20)
    store = disk.folder / "kg"
    shutil.copytree(clean_path, store)
    disk.read_only()
    for command in (["build", "--workers", "1", str(folder)], ["validate"]):
        code, _, err = run_cli("--store", str(store), *command)
        assert code == 2
        line = _one_line(err)
        assert "the store cannot be written here (read-only or no permission)" in line
        assert line.endswith(
            "use a --store you may write to; query, export and stats read it as it is"
        )
    code, out, err = run_cli("--store", str(store), "query", "findings", "--format", "csv")
    assert code == 0, err
    assert len(out.splitlines()) > RECORDS


# --- two processes on one store -------------------------------------------------------------


@pytest.mark.slow
def test_a_second_build_and_a_query_during_a_build_are_refused_clearly(
    corpus: tuple[Path, Path, dict[str, Any]], started: Any, tmp_path: Path
) -> None:
    folder, _, clean = corpus
    store = tmp_path / "kg"
    first = started(
        ["--store", str(store), "build", "--workers", "1", str(folder)],
        "paperkg.store.paper_store:PaperStore.put_record:5:after",
    )
    first.paused()
    code, _, err = run_cli("--store", str(store), "build", "--workers", "1", str(folder))
    assert code == 2
    assert _one_line(err) == (
        f"Error: {store}: the store is in use by another paperkg process (a build, remove, "
        "validate or push writing it, or a query or serve reading it); wait for it to finish, "
        "or use another --store"
    )
    code, _, err = run_cli("--store", str(store), "query", "findings")
    assert code == 2
    assert _one_line(err) == (
        f"Error: {store}: another paperkg process is writing the store (a build, remove, "
        "validate or push); run this again when it has finished (reading meanwhile could give "
        "wrong answers)"
    )
    first.kill()
    code, _, err = run_cli("--store", str(store), "query", "findings", "--format", "csv")
    assert code == 0, err
    code, _, err = run_cli(
        "--store", str(store), "build", "--workers", "1", "--no-validate", str(folder)
    )
    assert code == 0, err
    assert _contents(store) == clean


def test_readers_share_a_store_and_a_writer_waits_for_them(tmp_path: Path) -> None:
    """Across processes: two readers at once are fine; a writer meanwhile is refused."""
    store = tmp_path / "kg"
    with PaperStore(store):
        pass
    hold = (
        "import sys, time\n"
        "from paperkg.store import PaperStore\n"
        "with PaperStore.open_existing(sys.argv[1]):\n"
        "    print('open', flush=True)\n"
        "    time.sleep(120)\n"
    )
    reader = subprocess.Popen(
        [sys.executable, "-c", hold, str(store)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert reader.stdout is not None
        assert reader.stdout.readline() == "open\n"
        with PaperStore.open_existing(store) as also_reading:
            assert len(also_reading) == 0
        with pytest.raises(StoreError, match="in use by another paperkg process"):
            PaperStore(store)
    finally:
        reader.kill()
        reader.wait()
    with PaperStore(store) as writing:  # the reader gone, the writer gets in
        assert not writing.read_only
