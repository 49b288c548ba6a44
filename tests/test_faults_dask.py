"""A Dask worker SIGKILLed in the middle of a build (``build --scheduler``): the records it held
are extracted again on the other worker or reported, never silently lost.

The cluster is real (a scheduler and two workers on 127.0.0.1, without nannies, so a killed
worker stays dead and its tasks must go elsewhere); the extraction is slowed a little so the
kill lands while both workers hold records.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from faults import _write_records
from paperkg.build import BuildReport, build
from paperkg.extraction import RuleExtractor
from paperkg.model import Extraction, PaperRecord
from paperkg.store import PaperStore

from conftest import DASK, free_port, wait_for_workers

RECORDS = 80


class Slowed(RuleExtractor):
    """The rule extractor (same name and version: the same graphs), a little slower, leaving
    a file named after its process in ``marks`` while it extracts.
    """

    def __init__(self, marks: Path) -> None:
        self.marks = str(marks)

    def extract(self, record: PaperRecord) -> Extraction:
        Path(self.marks, str(os.getpid())).touch()
        time.sleep(0.05)
        return super().extract(record)


@pytest.fixture
def cluster() -> Iterator[tuple[str, list[subprocess.Popen[bytes]]]]:
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    quiet: dict[str, Any] = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    # the scheduler and the workers import this module to unpickle the extractor
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    scheduler = subprocess.Popen(
        [str(DASK), "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
        env=env,
        **quiet,
    )
    workers = [
        subprocess.Popen(
            [str(DASK), "worker", address, "--no-nanny", "--nthreads", "1", "--no-dashboard"],
            env=env,
            **quiet,
        )
        for _ in range(2)
    ]
    try:
        wait_for_workers(address, 2)
        yield address, workers
    finally:
        for process in (*workers, scheduler):
            if process.poll() is None:
                process.kill()
        for process in (*workers, scheduler):
            process.wait(timeout=30)


@pytest.mark.slow
def test_a_worker_killed_mid_build_loses_no_record(
    cluster: tuple[str, list[subprocess.Popen[bytes]]], tmp_path: Path
) -> None:
    from distributed import Client

    address, _ = cluster
    folder = tmp_path / "records"
    _write_records(folder, RECORDS)
    local = PaperStore()
    assert build(local, [str(folder)], workers=1, validate=False).ok
    store = PaperStore()
    outcome: list[BuildReport | BaseException] = []

    marks = tmp_path / "marks"
    marks.mkdir()

    def run() -> None:
        try:
            outcome.append(
                build(
                    store, [str(folder)], extractor=Slowed(marks), scheduler=address, validate=False
                )
            )
        except BaseException as error:  # noqa: BLE001 - handed to the test thread
            outcome.append(error)

    builder = threading.Thread(target=run)
    # the worker processes, as Dask runs them
    with Client(address, timeout="30s") as watcher:  # type: ignore[no-untyped-call]
        victim, _ = sorted(watcher.run(os.getpid).values())
    builder.start()
    deadline = time.monotonic() + 120
    while not (marks / str(victim)).exists():  # the victim is extracting records
        assert builder.is_alive(), "the build ended before the victim took a record"
        assert time.monotonic() < deadline, "the build sent the victim nothing"
        time.sleep(0.01)
    os.kill(victim, signal.SIGKILL)
    builder.join(timeout=300)
    assert not builder.is_alive(), "the build hung after the worker died"
    (report,) = outcome
    assert isinstance(report, BuildReport), report
    built = {graph.value for graph in store.record_graphs()}
    reported = {error.path for error in report.rejected}
    # every record is in the store, or reported (by file) as not built
    assert len(report.added) + len(report.rejected) == RECORDS
    assert len(built) == len(report.added)
    assert not reported & set(report.added)
    # what was built is what a local build writes; here the other worker took every record
    assert report.ok, [str(error) for error in report.rejected]
    assert set(store) == set(local)
