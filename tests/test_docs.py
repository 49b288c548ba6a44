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
    code = blocks[0]
    for name in ("kg.ttl", "kg.html"):
        code = code.replace(f'"{name}"', repr(str(tmp_path / name)))
    namespace: dict[str, object] = {}
    exec(compile(code, "README.md", "exec"), namespace)
    assert (tmp_path / "kg.ttl").stat().st_size > 0
    assert (tmp_path / "kg.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


@pytest.mark.parametrize("name", sorted(main.commands))
def test_every_command_is_in_the_readme(name: str) -> None:
    assert f"paperkg {name}" in README


@pytest.mark.parametrize("name", [query.name for query in list_queries()])
def test_every_named_query_is_in_the_readme(name: str) -> None:
    assert f"| `{name}` |" in README


def test_quick_start_is_two_make_commands() -> None:
    assert "make demo" in README
    assert "make test" in README


@pytest.mark.parametrize("image", re.findall(r"!\[[^\]]*\]\(([^)]+)\)", README))
def test_the_readme_pictures_exist(image: str) -> None:
    path = REPO / image
    assert path.is_file(), image
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", image


def test_the_readme_leads_with_the_question_and_a_picture() -> None:
    head = README[: README.index("```")]
    assert "fibromyalgia" in head.split("\n")[2]
    assert "![" in head
