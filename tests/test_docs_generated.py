"""The generated docs stay true: docs/queries.md and docs/ontology.md are what
tools/gen_docs.py makes now from queries/, ontology/ and shapes/ (and the real query output)."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from types import ModuleType

import pytest

from conftest import REPO


def _generator() -> ModuleType:
    path = REPO / "tools" / "gen_docs.py"
    spec = importlib.util.spec_from_file_location("gen_docs", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GEN = _generator()


@pytest.mark.parametrize("name", sorted(GEN.TARGETS))
def test_generated_doc_is_up_to_date(name: str) -> None:
    render: Callable[[], str] = GEN.TARGETS[name]
    path = REPO / "docs" / name
    change = GEN.diff(path, render())
    if change:
        pytest.fail(
            f"docs/{name} is out of date; run: .venv/bin/python tools/gen_docs.py\n{change}",
            pytrace=False,
        )


def test_every_named_query_has_a_section() -> None:
    text = (REPO / "docs" / "queries.md").read_text(encoding="utf-8")
    for query in GEN.paperkg.list_queries(GEN.QUERIES_DIR):
        assert f"\n## {query.name}\n" in text
        assert f"paperkg query {query.name}" in text


def test_check_mode_reports_a_stale_file(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(GEN, "TARGETS", {"ontology.md": lambda: "new text\n"})
    assert GEN.main(["--check"]) == 1
    out = capsys.readouterr().out
    assert "+new text" in out
    assert "out of date" in out
