"""``paperkg viz`` on the seeds: the five formats, filters and focus, and one-line errors."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from browser import dump_dom
from conftest import SEEDS
from conftest import run_cli as run


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("viz") / "kg"
    code, _, err = run("--store", str(path), "build", str(SEEDS))
    assert code == 0, err
    return str(path)


def test_viz_writes_the_five_formats_for_the_seeds(store: str, tmp_path: Path) -> None:
    names = [tmp_path / f"kg.{ext}" for ext in ("graphml", "gexf", "png", "svg", "html")]
    arguments = [item for name in names for item in ("-o", str(name))]
    code, _, err = run("--store", store, "viz", *arguments)
    assert code == 0, err
    for name in names:
        assert name.stat().st_size > 1000, name
        assert f"to {name}" in err
    graph = nx.read_graphml(names[0])
    assert graph.number_of_edges() > 0
    assert "fibromyalgia" in {data["label"] for _, data in graph.nodes(data=True)}
    # the whole-store view's support is read when written, after the command closed the store
    for _, _, data in graph.edges(data=True):
        assert data["papers"].startswith("https://w3id.org/paperkg/id/paper/"), data
        assert data["evidence"].startswith("["), data
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(n.name for n in names)


def test_focus_and_filters_narrow_the_view(store: str, tmp_path: Path) -> None:
    everything, focused = tmp_path / "all.graphml", tmp_path / "focus.graphml"
    assert run("--store", store, "viz", "--view", "papers", "-o", str(everything))[0] == 0
    code, _, err = run(
        "--store", store, "viz", "--focus", "naltrexone", "--outcome", "improved",
        "--year", "2009-", "-o", str(focused),
    )  # fmt: skip
    assert code == 0, err
    small, large = nx.read_graphml(focused), nx.read_graphml(everything)
    assert 1 < small.number_of_nodes() < large.number_of_nodes()
    for _, _, data in small.edges(data=True):
        if data.get("outcomes"):
            assert {part.split(":")[0] for part in data["outcomes"].split("|")} == {"improved"}


def test_too_many_nodes_for_a_picture_is_a_warning(store: str, tmp_path: Path) -> None:
    code, _, err = run(
        "--store", store, "viz", "--view", "papers", "--max-nodes", "10",
        "-o", str(tmp_path / "kg.svg"),
    )  # fmt: skip
    assert code == 0
    assert "kept the 10 best-supported nodes" in err


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--focus", "fibromyalgai"], "did you mean 'fibromyalgia'"),
        (["--outcome", "better"], "unknown outcome 'better'"),
        (["--year", "2020-2000"], "2020 is after 2000"),
    ],
)
def test_mistakes_are_one_line_errors_and_write_nothing(
    store: str, tmp_path: Path, arguments: list[str], message: str
) -> None:
    code, _out, err = run("--store", store, "viz", *arguments, "-o", str(tmp_path / "kg.png"))
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_file_type_is_caught_before_any_file_is_written(
    store: str, tmp_path: Path
) -> None:
    good, bad = tmp_path / "kg.png", tmp_path / "kg.pdf"
    code, _, err = run("--store", store, "viz", "-o", str(good), "-o", str(bad))
    assert code == 2
    assert "unknown file type '.pdf'" in err
    assert list(tmp_path.iterdir()) == []


def test_viz_without_a_store_says_how_to_build_one(tmp_path: Path) -> None:
    code, _, err = run("--store", str(tmp_path / "none"), "viz", "-o", str(tmp_path / "a.png"))
    assert code == 2
    assert "paperkg --store" in err
    assert "build" in err


# --- the seeds' explorer in a real browser -----------------------------------------------------


@pytest.mark.parametrize(
    "arguments",
    [[], ["--view", "papers"], ["--focus", "fibromyalgia", "--depth", "2"]],
    ids=["drug-condition", "papers", "focus"],
)
def test_the_seeds_explorer_works_in_headless_chromium(
    store: str, tmp_path: Path, arguments: list[str]
) -> None:
    page, graphml = tmp_path / "kg.html", tmp_path / "kg.graphml"
    code, _, err = run("--store", store, "viz", *arguments, "-o", str(page), "-o", str(graphml))
    assert code == 0, err
    expected = nx.read_graphml(graphml)
    result = dump_dom(page, tmp_path / "profile", "#selftest")
    assert result.body.get("data-status") == "ready", result.body
    assert int(result.body["data-node-count"]) == expected.number_of_nodes()
    assert int(result.body["data-edge-count"]) == expected.number_of_edges()
    assert result.body.get("data-selftest") == "pass", result.body
    assert "data-errors" not in result.body
    assert result.console() == []
    # The labels people look for are drawn as text.
    for _, data in expected.nodes(data=True):
        if data["kind"] in ("drug", "condition"):
            assert f">{data['label']}<" in result.dom


def test_a_deep_link_opens_an_edges_supporting_papers(store: str, tmp_path: Path) -> None:
    page = tmp_path / "kg.html"
    assert run("--store", store, "viz", "-o", str(page))[0] == 0
    result = dump_dom(page, tmp_path / "profile", "#select=naltrexone--Fibromyalgia")
    assert result.body.get("data-status") == "ready"
    assert result.console() == []
    panel = result.dom.split('id="panel"', 1)[1]
    assert "Supporting papers (3)" in panel
    # The lab study's no-benefit sentence, as written in the seed record.
    assert "Naltrexone did not change sensitivity to heat, cold or mechanical pain" in panel
    assert 'href="https://doi.org/10.7759/cureus.83824"' in panel
    broken = dump_dom(page, tmp_path / "profile", "#select=%E0%A4%A")
    assert broken.body.get("data-status") == "ready"
    assert broken.console() == []
