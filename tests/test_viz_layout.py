"""The force layout: deterministic, bounded, edges pull; big views still write (no SciPy)."""

from __future__ import annotations

import math
from pathlib import Path

import networkx as nx
import pytest

from paperkg.errors import VizError
from paperkg.viz import write_view
from paperkg.viz.layout import MAX_LAYOUT_NODES, force_layout


def _view(nodes: int, seed: int = 3) -> nx.DiGraph[str]:
    """A view-shaped graph: drugs linked to conditions, one paper each."""
    random = nx.gnm_random_graph(nodes, nodes * 2, seed=seed, directed=True)
    graph: nx.DiGraph[str] = nx.DiGraph(title="synthetic")
    for node in random.nodes:
        kind = "drug" if node % 2 else "condition"
        graph.add_node(f"n{node}", kind=kind, label=f"{kind} {node}", iri=f"n{node}", ids=(),
                       url=None, papers=1)  # fmt: skip
    for source, target in random.edges:
        graph.add_edge(f"n{source}", f"n{target}", relation="tested_for", predicate="p",
                       label="tried for", weight=1, outcome="improved",
                       outcomes={"improved": 1}, support=[])  # fmt: skip
    return graph


def test_the_layout_is_deterministic_and_bounded() -> None:
    graph = _view(120)
    first, second = force_layout(graph), force_layout(graph.copy())
    assert first == second
    assert set(first) == set(graph.nodes)
    assert max(abs(c) for xy in first.values() for c in xy) == pytest.approx(1.0)


def test_linked_nodes_end_up_closer_than_others() -> None:
    graph = _view(80)
    place = force_layout(graph)

    def distance(a: str, b: str) -> float:
        return math.dist(place[a], place[b])

    linked = [distance(a, b) for a, b in graph.edges]
    nodes = sorted(graph.nodes)
    unlinked = [
        distance(a, b)
        for i, a in enumerate(nodes)
        for b in nodes[i + 1 :]
        if not graph.has_edge(a, b) and not graph.has_edge(b, a)
    ]
    assert sum(linked) / len(linked) < 0.8 * sum(unlinked) / len(unlinked)


def test_a_view_of_600_nodes_writes_graphml_with_positions(tmp_path: Path) -> None:
    # Regression: networkx's spring layout needs SciPy from 500 nodes on, which paperkg does
    # not install, so a big view crashed instead of writing.
    graph = _view(600)
    written = write_view(graph, tmp_path / "big.graphml")
    read = nx.read_graphml(tmp_path / "big.graphml")
    assert written.nodes == read.number_of_nodes() == 600
    assert all("x" in data and "y" in data for _, data in read.nodes(data=True))


def test_a_view_too_big_to_lay_out_is_written_without_positions(tmp_path: Path) -> None:
    graph = _view(MAX_LAYOUT_NODES + 10)
    write_view(graph, tmp_path / "huge.gexf")
    read = nx.read_gexf(tmp_path / "huge.gexf")
    assert read.number_of_nodes() == MAX_LAYOUT_NODES + 10
    assert not any("position" in data.get("viz", {}) for _, data in read.nodes(data=True))


def test_pictures_are_capped(tmp_path: Path) -> None:
    with pytest.raises(VizError, match=r"write \.graphml or \.gexf"):
        write_view(_view(10), tmp_path / "kg.png", max_nodes=MAX_LAYOUT_NODES + 1)
