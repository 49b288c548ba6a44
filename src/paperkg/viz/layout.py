"""Node positions for pictures: a force-directed layout (Fruchterman and Reingold, 1991) in
plain numpy, deterministic for a given graph.

networkx's own spring layout needs SciPy from 500 nodes on and then runs a Python loop per node
and iteration (36 s for 2,000 nodes here); this one keeps the whole n × n computation in numpy
arrays, so pictures of up to :data:`MAX_LAYOUT_NODES` nodes are laid out in seconds without
another dependency. Bigger graphs are data files for Gephi or Cytoscape, which lay them out.
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np

__all__ = ["MAX_LAYOUT_NODES", "force_layout"]

#: The largest graph laid out here (the arrays take about 100 bytes × nodes²).
MAX_LAYOUT_NODES = 2000


def force_layout(
    graph: nx.Graph[str] | nx.DiGraph[str], *, iterations: int = 150, seed: int = 7
) -> dict[str, tuple[float, float]]:
    """Positions in [-1, 1]² for every node; edges pull with ``1 + log(weight)``.

    Nodes are ordered by id first, so the same graph always gets the same picture.
    """
    nodes = sorted(str(node) for node in graph.nodes)
    count = len(nodes)
    if count == 0:
        return {}
    if count == 1:
        return {nodes[0]: (0.0, 0.0)}
    if count > MAX_LAYOUT_NODES:
        raise ValueError(f"{count} nodes is more than the {MAX_LAYOUT_NODES} laid out here")
    index = {node: i for i, node in enumerate(nodes)}
    attraction = np.zeros((count, count))
    for source, target, data in graph.edges(data=True):
        i, j = index[str(source)], index[str(target)]
        if i != j:
            pull = 1.0 + math.log(max(float(data.get("weight", 1) or 1), 1.0))
            attraction[i, j] = attraction[j, i] = max(attraction[i, j], pull)
    position = np.random.default_rng(seed).random((count, 2))
    ideal = math.sqrt(1.0 / count)  # the ideal distance between nodes in a unit square
    step = 0.1
    cooling = step / (iterations + 1)
    for _ in range(iterations):
        delta = position[:, np.newaxis, :] - position[np.newaxis, :, :]
        distance = np.maximum(np.hypot(delta[..., 0], delta[..., 1]), 0.01)
        # Repulsion k²/d between every pair, attraction d²/k along edges (per unit of delta).
        force = ideal * ideal / distance**2 - attraction * distance / ideal
        displacement = np.einsum("ijk,ij->ik", delta, force)
        length = np.maximum(np.hypot(displacement[:, 0], displacement[:, 1]), 0.01)
        position += displacement * (step / length)[:, np.newaxis]
        step -= cooling
    position -= position.mean(axis=0)
    extent = float(np.abs(position).max()) or 1.0
    position /= extent
    return {
        node: (round(float(x), 6), round(float(y), 6))
        for node, (x, y) in zip(nodes, position, strict=True)
    }
