"""The built wheel works on its own: data folders inside, CLI entry point, a real query.

The wheel is installed without dependencies into a fresh virtualenv whose only other path is the
dependencies' site-packages, and run from a folder outside the checkout, so nothing can come
from the source tree.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

from conftest import REPO, SEEDS


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out)],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("paperkg-*.whl")
    return built


def test_wheel_carries_the_data_folders(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "paperkg/_data/shapes/paperkg-shapes.ttl",
        "paperkg/_data/ontology/paperkg.ttl",
        "paperkg/_data/queries/drugs-tried-for.rq",
        "paperkg/_data/queries/findings.rq",
        "paperkg/py.typed",
        "paperkg/viz/assets/explorer.js",
        "paperkg/viz/assets/explorer.css",
        "paperkg/models/results.json.gz",
        "paperkg/models/pairs.json.gz",
        "paperkg/identifier_prefixes.json",
        "paperkg/_data/queries/internal/concept-labels.rq",
    ):
        assert required in names


@pytest.mark.slow
def test_installed_wheel_runs_the_cli_and_a_query(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", str(wheel)],
        check=True,
        capture_output=True,
    )
    # Dependencies come from this interpreter's site-packages, added as a plain path.
    site_packages = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    Path(site_packages, "paperkg-test-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PAPERKG_STORE"}}
    work = tmp_path / "elsewhere"
    work.mkdir()

    def paperkg(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(env_dir / "bin" / "paperkg"), *args],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )

    located = subprocess.run(
        [str(python), "-c", "import paperkg; print(paperkg.__file__)"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert located.startswith(str(env_dir)), located
    assert paperkg("--help").returncode == 0
    assert paperkg("build", str(SEEDS)).returncode == 0
    validated = paperkg("validate")
    assert validated.returncode == 0, validated.stdout + validated.stderr
    answer = paperkg("query", "drugs-tried-for", "-p", "condition=fibromyalgia", "--format", "csv")
    assert answer.returncode == 0, answer.stderr
    assert answer.stdout.splitlines()[0] == "drug,drug_label,drug_ids,papers,outcomes,doses"
    assert "naltrexone" in answer.stdout
