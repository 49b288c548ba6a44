"""A build on a real Dask cluster (a scheduler and two workers on 127.0.0.1) writes the store a
local build writes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from paperkg import build
from paperkg.errors import ConfigError
from paperkg.store import PaperStore

from conftest import DATA, free_port, run_cli


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
            PaperStore(), [str(DATA / "eval" / "dev")], scheduler=f"tcp://127.0.0.1:{free_port()}"
        )
