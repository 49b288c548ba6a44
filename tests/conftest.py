"""Shared test helpers: where the shared corpora are, and graph comparison with a diff."""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from rdflib.compare import graph_diff, to_isomorphic

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEEDS = REPO / "seeds"
DATA = Path(__file__).resolve().parent / "data"


def run_cli(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """Run ``paperkg ARGS`` in-process: exit code, stdout, stderr. Unexpected exceptions
    (anything but a clean exit) are raised, so a traceback never passes for an error message.
    """
    from click.testing import CliRunner

    from paperkg.cli import main

    result = CliRunner(env=env).invoke(main, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def assert_isomorphic(actual: rdflib.Graph, expected: rdflib.Graph) -> None:
    """Fail with the triples only in one graph or the other, in Turtle."""
    iso_actual, iso_expected = to_isomorphic(actual), to_isomorphic(expected)
    if iso_actual == iso_expected:
        return
    _, only_actual, only_expected = graph_diff(iso_actual, iso_expected)
    lines = ["graphs differ"]
    for title, part in (("only in actual:", only_actual), ("only in expected:", only_expected)):
        lines.append(title)
        lines.extend(sorted(f"  {s.n3()} {p.n3()} {o.n3()} ." for s, p, o in part))
    pytest.fail("\n".join(lines))


@pytest.fixture(scope="session")
def shared_records() -> Path:
    path = SHARED / "records"
    assert path.is_dir(), f"{path} is missing: the shared folder must sit beside the repository"
    return path
