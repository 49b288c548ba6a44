"""The README stays true: its Python example runs, and it names every command and query."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from paperkg.cli import main
from paperkg.query import list_queries

from conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_the_python_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = re.findall(r"```python\n(.*?)```", README, flags=re.DOTALL)
    assert blocks, "README has a Python example"
    monkeypatch.chdir(REPO)
    code = blocks[0].replace('"kg.ttl"', repr(str(tmp_path / "kg.ttl")))
    namespace: dict[str, object] = {}
    exec(compile(code, "README.md", "exec"), namespace)
    assert (tmp_path / "kg.ttl").stat().st_size > 0


@pytest.mark.parametrize("name", sorted(main.commands))
def test_every_command_is_in_the_readme(name: str) -> None:
    assert f"paperkg {name}" in README


@pytest.mark.parametrize("name", [query.name for query in list_queries()])
def test_every_named_query_is_in_the_readme(name: str) -> None:
    assert f"| `{name}` |" in README


def test_quick_start_is_two_make_commands() -> None:
    assert "make demo" in README
    assert "make test" in README
