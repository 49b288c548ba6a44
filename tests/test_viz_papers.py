"""The whole-store papers view past its cap: the most recent papers, read without the rest, each
drawn as the uncapped view (read whole) draws it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import networkx as nx
import pyoxigraph as ox
import pytest

import paperkg
from paperkg.store import PaperStore
from paperkg.viz import ViewFilter, latest, paper_graph, views
from paperkg.viz.snapshot import read_snapshot
from paperkg.vocab import DCTERMS

from conftest import SEEDS
from conftest import run_cli as run


@pytest.fixture(scope="module")
def undated() -> PaperStore:
    """The seeds with the dates of their two most recent papers taken out."""
    store = paperkg.open_store()
    assert paperkg.build(store, [str(SEEDS)]).ok
    issued = ox.NamedNode(str(DCTERMS.issued))
    dates = sorted(store.quads_for_pattern(None, issued, None), key=lambda q: str(q.object))
    store.remove_quads(dates[-2:])
    return store


def _recent(view: nx.DiGraph[str], count: int) -> list[str]:
    """The ``count`` most recent papers of ``view``: latest year first, undated last, by IRI."""
    years = {n: d["year"] for n, d in view.nodes(data=True) if d["kind"] == "paper"}
    return sorted(years, key=lambda p: (-(years[p] or -1), p))[:count]


def _check_cut(capped: nx.DiGraph[str], whole: nx.DiGraph[str], count: int) -> None:
    """``capped`` holds the ``count`` most recent papers of ``whole`` and everything linked to
    them, as ``whole`` draws it; its nodes count the papers shown.
    """
    papers = _recent(whole, count)
    shown = [n for n, data in capped.nodes(data=True) if data["kind"] == "paper"]
    assert sorted(shown) == sorted(papers)
    total = sum(1 for _, data in whole.nodes(data=True) if data["kind"] == "paper")
    assert capped.graph["more_papers"] == total - count
    assert capped.graph["title"].startswith(f"The {count:,} most recent of {total:,} papers")
    linked = {other for p in papers for other in nx.all_neighbors(whole, p)}
    assert set(capped.nodes) == set(papers) | linked
    for paper in papers:
        got = {k: v for k, v in capped.nodes[paper].items() if k != "label"}
        assert got == {k: v for k, v in whole.nodes[paper].items() if k != "label"}
    assert {(u, v) for u, v in capped.edges} == {
        (u, v) for u, v in whole.edges if u in papers or v in papers
    }
    for u, v, data in capped.edges(data=True):
        assert data == whole.edges[u, v], (u, v)
    for node in linked:
        assert capped.nodes[node]["papers"] == capped.degree(node), node


@pytest.mark.parametrize("count", [1, 3, 7])
def test_past_the_cap_the_view_holds_the_most_recent_papers_read_alone(
    seeds: PaperStore, count: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = views._papers(read_snapshot(seeds), ViewFilter())
    read: list[int] = []

    def only_small(store: PaperStore, **options: Any) -> Any:
        read.append(len(store.record_graphs()))
        return read_snapshot(store, **options)

    monkeypatch.setattr(latest, "SHOWN_PAPERS", count)
    monkeypatch.setattr(latest, "read_snapshot", only_small)
    monkeypatch.setattr(views, "read_snapshot", None)  # the whole store is not read
    _check_cut(paper_graph(seeds), whole, count)
    assert read == [count]


def test_undated_papers_come_last_by_iri(
    undated: PaperStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = views._papers(read_snapshot(undated), ViewFilter())
    years = [whole.nodes[p]["year"] for p in _recent(whole, 8)]
    assert years[-2:] == [None, None]
    monkeypatch.setattr(latest, "SHOWN_PAPERS", 7)
    _check_cut(paper_graph(undated), whole, 7)


def test_up_to_the_cap_the_view_is_the_whole_one(
    seeds: PaperStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = views._papers(read_snapshot(seeds), ViewFilter())
    monkeypatch.setattr(latest, "SHOWN_PAPERS", 8)  # the seeds' papers
    view = paper_graph(seeds)
    assert "more_papers" not in view.graph
    assert view.graph["title"] == whole.graph["title"]
    assert {n: view.nodes[n] for n in view} == {n: whole.nodes[n] for n in whole}
    assert {(u, v): d for u, v, d in view.edges(data=True)} == {
        (u, v): d for u, v, d in whole.edges(data=True)
    }


@pytest.mark.parametrize(
    "filters",
    [ViewFilter(outcomes=frozenset({"improved"})), ViewFilter.parse(years="-2009")],
    ids=["improved", "-2009"],
)
def test_a_filtered_view_past_the_cap_holds_its_most_recent_papers(
    seeds: PaperStore, filters: ViewFilter, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = views._papers(read_snapshot(seeds), filters)
    monkeypatch.setattr(latest, "SHOWN_PAPERS", 2)
    _check_cut(paper_graph(seeds, filters), whole, 2)


def test_the_command_says_what_the_view_leaves_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = tmp_path / "kg"
    assert run("--store", str(store), "build", str(SEEDS))[0] == 0
    monkeypatch.setattr(latest, "SHOWN_PAPERS", 3)
    output = tmp_path / "papers.graphml"
    code, _, err = run("--store", str(store), "viz", "--view", "papers", "-o", str(output))
    assert code == 0, err
    assert "leaves out 5 older ones; narrow with --year" in err
    written = nx.read_graphml(output)
    assert written.graph["more_papers"] == 5
    assert sum(1 for _, data in written.nodes(data=True) if data["kind"] == "paper") == 3


def test_a_removed_paper_leaves_the_view_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # The view reads the record graphs themselves, nothing kept beside them that could lag.
    from paperkg.remove import remove_papers

    store = paperkg.open_store()
    assert paperkg.build(store, [str(SEEDS)]).ok
    monkeypatch.setattr(latest, "SHOWN_PAPERS", 3)
    before = paper_graph(store)
    newest = _recent(before, 1)[0]
    assert remove_papers(store, [newest]).removed
    whole = views._papers(read_snapshot(store), ViewFilter())
    assert newest not in whole
    _check_cut(paper_graph(store), whole, 3)


def test_the_help_gives_the_cap() -> None:
    code, out, _ = run("viz", "--help")
    assert code == 0
    assert f"the {latest.SHOWN_PAPERS} most recent, past {latest.SHOWN_PAPERS}" in " ".join(
        out.split()
    )
