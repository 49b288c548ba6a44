"""The layout: deterministic, bounded, edges pull, components packed apart with the largest
given room; big views still write (no SciPy); pictures without matplotlib fail in one line.
"""

from __future__ import annotations

import math
import random
import sys
from pathlib import Path

import networkx as nx
import pytest

from paperkg.errors import VizError
from paperkg.viz import write_view
from paperkg.viz.layout import MAX_LAYOUT_NODES, force_layout

from conftest import run_cli

_Box = tuple[float, float, float, float]


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


def _islands() -> nx.DiGraph[str]:
    """One 40-node cluster, a 12-node one, ten linked pairs and five lone nodes."""
    graph: nx.DiGraph[str] = nx.DiGraph()
    for prefix, size in (("a", 40), ("b", 12)):
        tree = nx.random_labeled_tree(size, seed=size)
        graph.add_nodes_from(f"{prefix}{node}" for node in tree.nodes)
        graph.add_edges_from((f"{prefix}{u}", f"{prefix}{v}", {"weight": 1}) for u, v in tree.edges)
    for pair in range(10):
        graph.add_edge(f"p{pair}x", f"p{pair}y", weight=2)
    graph.add_nodes_from(f"z{lone}" for lone in range(5))
    return graph


def _components(graph: nx.DiGraph[str]) -> list[set[str]]:
    return sorted(nx.weakly_connected_components(graph), key=len, reverse=True)


def _box(place: dict[str, tuple[float, float]], nodes: set[str]) -> _Box:
    xs, ys = [place[n][0] for n in nodes], [place[n][1] for n in nodes]
    return min(xs), min(ys), max(xs), max(ys)


def _area(box: _Box) -> float:
    return (box[2] - box[0]) * (box[3] - box[1])


def test_components_are_packed_apart_within_the_frame() -> None:
    graph = _islands()
    place = force_layout(graph)
    assert set(place) == set(graph.nodes)
    assert all(-1.0 <= c <= 1.0 for xy in place.values() for c in xy)
    boxes = [_box(place, nodes) for nodes in _components(graph)]
    for i, first in enumerate(boxes):
        for second in boxes[i + 1 :]:
            apart_x = first[2] < second[0] or second[2] < first[0]
            apart_y = first[3] < second[1] or second[3] < first[1]
            assert apart_x or apart_y, (first, second)


def test_the_largest_component_gets_a_sizeable_share_of_the_frame() -> None:
    # Laid out together, the lone nodes and pairs drifted to the edges and the main cluster
    # shrank to a few per cent of the picture.
    graph = _islands()
    place = force_layout(graph)
    areas = [_area(_box(place, nodes)) for nodes in _components(graph)]
    assert areas[0] / 4.0 > 0.3  # the frame is [-1, 1]²
    assert areas[0] > 2 * max(areas[1:])


def test_a_single_component_fills_the_frame() -> None:
    cluster = _islands().subgraph(_components(_islands())[0])
    assert nx.is_weakly_connected(cluster)
    place = force_layout(cluster)
    xs, ys = [x for x, _ in place.values()], [y for _, y in place.values()]
    assert max(max(xs) - min(xs), max(ys) - min(ys)) == pytest.approx(2.0)
    assert min(max(xs) - min(xs), max(ys) - min(ys)) > 1.0


def test_the_layout_does_not_depend_on_insertion_order() -> None:
    graph = _islands()
    nodes, edges = list(graph.nodes), list(graph.edges(data=True))
    random.Random(1).shuffle(nodes)
    random.Random(2).shuffle(edges)
    shuffled: nx.DiGraph[str] = nx.DiGraph()
    shuffled.add_nodes_from(nodes)
    shuffled.add_edges_from(edges)
    assert force_layout(shuffled) == force_layout(graph)


def test_tiny_graphs() -> None:
    assert force_layout(nx.DiGraph()) == {}
    single: nx.DiGraph[str] = nx.DiGraph()
    single.add_node("a")
    assert force_layout(single) == {"a": (0.0, 0.0)}
    pair: nx.DiGraph[str] = nx.DiGraph()
    pair.add_edge("a", "b")
    place = force_layout(pair)
    assert math.dist(place["a"], place["b"]) == pytest.approx(2.0)


@pytest.fixture
def no_matplotlib(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``import matplotlib`` fail as it does where the [viz] extra is not installed."""
    for name in [name for name in sys.modules if name.split(".")[0] == "matplotlib"]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)


@pytest.mark.usefixtures("no_matplotlib")
@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_a_picture_without_matplotlib_names_the_extra(tmp_path: Path, suffix: str) -> None:
    with pytest.raises(VizError) as caught:
        write_view(_view(10), tmp_path / f"kg{suffix}")
    message = str(caught.value)
    assert message == (
        f"{tmp_path / f'kg{suffix}'}: {suffix[1:].upper()} pictures need matplotlib, which is "
        "not installed; pip install 'paperkg[viz]', or write .html, .graphml or .gexf"
    )
    assert not (tmp_path / f"kg{suffix}").exists()


@pytest.mark.usefixtures("no_matplotlib")
def test_a_matplotlib_that_is_found_but_fails_to_import_gives_the_same_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    monkeypatch.setattr(importlib.util, "find_spec", lambda name, package=None: object())
    with pytest.raises(VizError, match=r"need matplotlib, which is not installed; pip install"):
        write_view(_view(10), tmp_path / "kg.png")


@pytest.mark.usefixtures("no_matplotlib")
def test_other_formats_need_no_matplotlib(tmp_path: Path) -> None:
    for name in ("kg.html", "kg.graphml", "kg.gexf"):
        assert write_view(_view(10), tmp_path / name).nodes == 10


@pytest.mark.usefixtures("no_matplotlib")
def test_the_cli_says_so_in_one_line_before_any_work(tmp_path: Path) -> None:
    # The outputs are checked before the store is opened: no store here, yet this error.
    code, _, err = run_cli("--store", str(tmp_path / "none"), "viz", "-o", str(tmp_path / "kg.png"))
    assert code != 0
    assert len(err.strip().splitlines()) == 1
    assert "pip install 'paperkg[viz]'" in err
