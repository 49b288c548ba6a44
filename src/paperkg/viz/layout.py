"""Node positions for pictures: every connected component laid out on its own with networkx's
ForceAtlas2, then the components packed into the frame, deterministic for a given graph.

Laid out together, small components and lone nodes drift to the edges of the picture and squeeze
the main cluster into a small part of it; packed, each component gets a share of the frame in
proportion to its nodes (largest first), and none overlaps another. ForceAtlas2 needs only numpy
(networkx's spring layout needs SciPy from 500 nodes on); its cost grows with nodes², so layouts
stop at :data:`MAX_LAYOUT_NODES` nodes (tens of seconds). Bigger graphs are data files for Gephi or
Cytoscape, which lay them out.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import networkx as nx
import numpy as np
import numpy.typing as npt

__all__ = ["MAX_LAYOUT_NODES", "force_layout"]

#: The largest graph laid out here (ForceAtlas2 holds a few nodes × nodes arrays).
MAX_LAYOUT_NODES = 2000

# Enough to spread the nodes evenly, little enough that linked nodes stay close (measured on
# views of the seeds and of 300 PubTator abstracts).
_GRAVITY = 0.2

#: The share of each component's cell (per side) kept empty, so neighbours never touch.
_GAP = 0.08

# How much more one axis of a component may be scaled than the other to fill its cell: a little
# distortion costs less legibility than empty space.
_STRETCH = 1.5

# Small components are not blown up to fill their cells, so edges look alike everywhere; but
# ForceAtlas2 draws their edges shorter (fewer nodes push apart), hence up to twice the scale.
_ZOOM = 2.0

_Array = npt.NDArray[np.float64]
_Cell = tuple[float, float, float, float]  # x, y of the lower left corner, width, height
_FRAME: _Cell = (-1.0, -1.0, 2.0, 2.0)


def force_layout(
    graph: nx.Graph[str] | nx.DiGraph[str], *, iterations: int = 100, seed: int = 7
) -> dict[str, tuple[float, float]]:
    """Positions in [-1, 1]² for every node; edges pull with ``1 + log(weight)``.

    Nodes are ordered by id first, so the same graph always gets the same picture.
    """
    nodes = sorted(str(node) for node in graph.nodes)
    count = len(nodes)
    if count > MAX_LAYOUT_NODES:
        raise ValueError(f"{count} nodes is more than the {MAX_LAYOUT_NODES} laid out here")
    if count == 0:
        return {}
    pulls = _undirected(graph, nodes)
    components = sorted(
        (sorted(component) for component in nx.connected_components(pulls)),
        key=lambda members: (-len(members), members[0]),
    )
    shapes = [_component_shape(pulls, members, iterations, seed) for members in components]
    cells = _pack([len(members) for members in components], _aspect(shapes[0]), _FRAME)
    placed: dict[str, tuple[float, float]] = {}
    zoom = math.inf  # the largest fills its cell; the others are drawn at most _ZOOM × its scale
    for members, shape, cell in zip(components, shapes, cells, strict=True):
        fitted, used = _fit(shape, cell, zoom)
        if math.isinf(zoom) and used > 0:
            zoom = _ZOOM * used
        for node, (x, y) in zip(members, fitted, strict=True):
            placed[node] = (float(x), float(y))
    # Centre the packed frame and scale it so the outermost node sits on its edge.
    xs, ys = [x for x, _ in placed.values()], [y for _, y in placed.values()]
    middle_x, middle_y = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    extent = max(max(xs) - min(xs), max(ys) - min(ys)) / 2 or 1.0
    return {
        node: (round((x - middle_x) / extent, 6), round((y - middle_y) / extent, 6))
        for node, (x, y) in sorted(placed.items())
    }


def _undirected(graph: nx.Graph[str] | nx.DiGraph[str], nodes: list[str]) -> nx.Graph[str]:
    """The graph without directions or self-loops, nodes in id order, each pair's pull kept."""
    pulls: nx.Graph[str] = nx.Graph()
    pulls.add_nodes_from(nodes)
    for source, target, data in graph.edges(data=True):
        a, b = str(source), str(target)
        if a == b:
            continue
        pull = 1.0 + math.log(max(float(data.get("weight", 1) or 1), 1.0))
        if pull > pulls.get_edge_data(a, b, {}).get("pull", 0.0):
            pulls.add_edge(a, b, pull=pull)
    return pulls


def _component_shape(
    pulls: nx.Graph[str], members: list[str], iterations: int, seed: int
) -> _Array:
    """One component's positions (rows in ``members`` order), long axis along x."""
    count = len(members)
    if count == 1:
        return np.zeros((1, 2))
    component: nx.Graph[str] = nx.Graph()
    component.add_nodes_from(members)  # node order fixes the random start
    component.add_edges_from(
        sorted((min(a, b), max(a, b), d) for a, b, d in pulls.subgraph(members).edges(data=True))
    )
    # Strong gravity (a pull growing with the distance from the centre) keeps hubs' leaves and
    # loosely linked nodes near the rest; weak gravity let them fly out and crowd the middle.
    found = nx.forceatlas2_layout(
        component,
        max_iter=iterations,
        seed=seed,
        weight="pull",
        gravity=_GRAVITY,
        strong_gravity=True,
    )
    shape = np.array([found[node] for node in members], dtype=np.float64)
    shape -= shape.mean(axis=0)
    # Turn the long axis to x, so a stretched component fills a wide cell.
    _, _, axes = np.linalg.svd(shape, full_matrices=False)
    rotated: _Array = shape @ axes.T
    return rotated


def _fit(shape: _Array, cell: _Cell, zoom: float) -> tuple[_Array, float]:
    """``shape`` scaled (by ``zoom`` at most) and centred into ``cell`` less its margin, with
    the scale used. A component that fills its cell lies along the cell's long side and may be
    stretched along one axis (up to :data:`_STRETCH`); one held back by ``zoom`` stands upright
    if it fits, since labels run across and collide side by side.
    """
    x, y, width, height = cell
    margin = _GAP * min(width, height)
    room = (width - 2 * margin, height - 2 * margin)
    upright = shape[:, ::-1]
    if _fits(upright, room)[0] >= zoom:
        shape, scale = upright, np.array([zoom, zoom])
    else:
        if height > width:
            shape = upright
        least, fits = _fits(shape, room)
        if least > zoom:
            scale = np.array([zoom, zoom])
        else:
            scale = np.array([min(fit, _STRETCH * least) for fit in fits])
    low, high = shape.min(axis=0), shape.max(axis=0)
    centre = (low + high) / 2
    result: _Array = (shape - centre) * scale + np.array([x + width / 2, y + height / 2])
    return result, float(scale.min())


def _fits(shape: _Array, room: tuple[float, float]) -> tuple[float, list[float]]:
    """The largest scale that fits ``shape`` into ``room`` (0 for one node), and per axis."""
    spans = shape.max(axis=0) - shape.min(axis=0)
    fits = [
        side / float(span) if span > 1e-12 else math.inf
        for side, span in zip(room, spans, strict=True)
    ]
    least = min(fits)
    return (0.0 if math.isinf(least) else least), fits


def _aspect(shape: _Array) -> float:
    """Long side over short side of ``shape``'s bounding box (at least 1)."""
    spans = sorted(float(span) for span in shape.max(axis=0) - shape.min(axis=0))
    return spans[1] / spans[0] if spans[0] > 1e-12 else 1.0


def _pack(sizes: Sequence[int], aspect: float, frame: _Cell) -> list[_Cell]:
    """Cells for components sorted largest first, areas in proportion to ``sizes``: the largest
    at the top left in a cell shaped like it (``aspect``), the smallest under it, the others in
    a strip to its right.

    A plain squarified treemap stacks the two largest in one column and gives the largest a
    long cell that it fills badly; here the split is chosen for the largest's cell alone.
    """
    x, y, width, height = frame
    total = sum(sizes)
    best: tuple[float, int] = (math.inf, 0)
    below = 0  # nodes of the `under` smallest components
    for under in range(len(sizes) - 1):
        if under:
            below += sizes[-under]
        column = width * (sizes[0] + below) / total
        tall = height * sizes[0] / (sizes[0] + below)
        shape = max(column / tall, tall / column)
        best = min(best, (max(shape / aspect, aspect / shape), under))
    under = best[1]
    right, bottom = sizes[1 : len(sizes) - under], sizes[len(sizes) - under :]
    column = width * (sizes[0] + sum(bottom)) / total
    tall = height * sizes[0] / (sizes[0] + sum(bottom))
    cells = [(x, y + height - tall, column, tall)]
    cells += _squarify(right, (x + column, y, width - column, height))
    if bottom:
        cells += _squarify(bottom, (x, y, column, height - tall))
    return cells


def _squarify(sizes: Sequence[int], frame: _Cell) -> list[_Cell]:
    """Cells tiling ``frame`` with areas in proportion to ``sizes`` (sorted, largest first),
    as square as the areas allow (the squarified treemap of Bruls, Huizing and van Wijk, 2000).
    """
    x, y, width, height = frame
    total = float(sum(sizes))
    areas = [size * width * height / total for size in sizes]
    cells: list[_Cell] = []
    start = 0
    while start < len(areas):
        side = min(width, height)
        end = start + 1
        while end < len(areas) and _worst(areas[start : end + 1], side) <= _worst(
            areas[start:end], side
        ):
            end += 1
        row = areas[start:end]
        thickness = sum(row) / side
        if width >= height:  # a column at the left, filled from the top
            top = y + height
            for area in row:
                cells.append((x, top - area / thickness, thickness, area / thickness))
                top -= area / thickness
            x, width = x + thickness, max(width - thickness, 0.0)
        else:  # a row at the top, filled from the left
            left = x
            for area in row:
                cells.append((left, y + height - thickness, area / thickness, thickness))
                left += area / thickness
            height = max(height - thickness, 0.0)
        start = end
    return cells


def _worst(row: Sequence[float], side: float) -> float:
    """The most elongated cell's aspect ratio when ``row`` is laid along a side of ``side``."""
    total = sum(row)
    return max(side * side * max(row) / (total * total), total * total / (side * side * min(row)))
