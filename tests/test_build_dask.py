"""A build on a real Dask cluster (a scheduler and two workers on 127.0.0.1) writes the store a
local build writes.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from paperkg import build
from paperkg.errors import ConfigError
from paperkg.store import PaperStore

from conftest import DATA, run_cli

DASK = Path(sys.executable).parent / "dask"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    scheduler = subprocess.Popen(
        [str(DASK), "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    workers = [
        subprocess.Popen(
            [str(DASK), "worker", address, "--nworkers", "1", "--nthreads", "1", "--no-dashboard"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(2)
    ]
    try:
        from distributed import Client

        deadline = time.monotonic() + 90
        with Client(address, timeout="60s") as client:
            while len(client.scheduler_info()["workers"]) < 2:
                assert time.monotonic() < deadline, "the Dask workers did not start"
                time.sleep(0.5)
        yield address
    finally:
        for process in (*workers, scheduler):
            process.terminate()
        for process in (*workers, scheduler):
            process.wait(timeout=30)


@pytest.mark.slow
def test_a_dask_build_writes_the_store_a_local_build_writes(cluster: str) -> None:
    folder = DATA / "eval" / "dev"
    local = PaperStore()
    expected = build(local, [str(folder)], workers=1, validate=False)
    on_dask = PaperStore()
    report = build(on_dask, [str(folder)], scheduler=cluster, validate=False)
    assert set(on_dask) == set(local)
    assert report.summary() == expected.summary()
    assert len(report.added) > 16  # more than the records extracted before sending any


@pytest.mark.slow
def test_the_cli_builds_on_the_cluster(cluster: str, tmp_path: Path) -> None:
    store = str(tmp_path / "kg")
    code, out, err = run_cli(
        "--store",
        store,
        "build",
        str(DATA / "eval" / "dev"),
        "--scheduler",
        cluster,
        "--no-validate",
    )
    assert code == 0, err
    assert "built" in out + err


def test_a_scheduler_that_is_not_there_is_one_clear_error() -> None:
    with pytest.raises(ConfigError, match="no Dask scheduler answers"):
        build(
            PaperStore(), [str(DATA / "eval" / "dev")], scheduler=f"tcp://127.0.0.1:{_free_port()}"
        )
