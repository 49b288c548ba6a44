"""Write a view as GraphML, GEXF, PNG, SVG or offline HTML; the file type comes from the name.

GraphML and GEXF hold every node and edge with flat attributes (lists joined with ``|``), colours
and positions, so Gephi and Cytoscape open them styled. Pictures (PNG, SVG, HTML) keep the
``max_nodes`` best-supported nodes so labels stay legible; the result says what was left out.
PNG and SVG need matplotlib, an optional extra (``pip install 'paperkg[viz]'``); the rest do not.
Every file is written to a temporary file and renamed into place; the same view gives the same
bytes.
"""

from __future__ import annotations

import importlib.util
import io
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx

from ..errors import VizError
from ..files import atomic_write
from .layout import MAX_LAYOUT_NODES, force_layout
from .style import (
    EDGE_KINDS,
    KIND_LABELS,
    NODE_KINDS,
    OUTCOME_COLOURS,
    OUTCOME_LABELS,
    RELATION_LABELS,
    edge_colour,
    node_colour,
)

__all__ = ["FILE_TYPES", "WrittenView", "check_output", "flatten", "layout", "limit", "write_view"]

#: File name endings and the format each selects.
FILE_TYPES = {
    ".graphml": "graphml",
    ".gexf": "gexf",
    ".png": "png",
    ".svg": "svg",
    ".html": "html",
    ".htm": "html",
}
_DRAWN = {"png", "svg", "html"}


@dataclass(frozen=True, slots=True)
class WrittenView:
    """What :func:`write_view` wrote: the file, its format, and what it holds and left out."""

    path: Path
    format: str
    nodes: int
    edges: int
    dropped_nodes: int


def write_view(graph: nx.DiGraph[str], path: str | Path, *, max_nodes: int = 300) -> WrittenView:
    """Write ``graph`` (a view from :mod:`paperkg.viz.views`) to ``path``; PNG, SVG and HTML
    keep at most ``max_nodes`` nodes (those with the most papers, then the most links).
    """
    target = Path(path)
    fmt = check_output(target)
    if not 1 <= max_nodes <= MAX_LAYOUT_NODES:
        raise VizError(
            "max-nodes",
            f"{max_nodes} is not between 1 and {MAX_LAYOUT_NODES}",
            "pictures of more nodes are unreadable: write .graphml or .gexf for Gephi instead",
        )
    shown = limit(graph, max_nodes) if fmt in _DRAWN else graph
    positions = layout(shown)
    if fmt == "html":
        from .html import render_html

        placed = shown.copy()
        for node, (x, y) in positions.items():
            placed.nodes[node].update(x=x, y=y)
        data = render_html(placed, title=graph.graph.get("title")).encode("utf-8")
    elif fmt in ("png", "svg"):
        data = _draw(shown, positions, fmt, target)
    else:
        data = _network_file(flatten(shown, positions), fmt)
    with atomic_write(target) as stream:
        stream.write(data)
    return WrittenView(
        target,
        fmt,
        shown.number_of_nodes(),
        shown.number_of_edges(),
        graph.number_of_nodes() - shown.number_of_nodes(),
    )


def check_output(path: str | Path) -> str:
    """The format a file name asks for; raises :class:`VizError` for an unknown type, a
    missing folder or a picture without matplotlib, so a command can check every output before
    any work.
    """
    target = Path(path)
    fmt = FILE_TYPES.get(target.suffix.lower())
    if fmt is None:
        raise VizError(
            str(target),
            f"unknown file type {target.suffix or '(none)'!r}",
            "end the name with " + ", ".join(sorted(set(FILE_TYPES) - {".htm"})),
        )
    if not target.parent.is_dir():
        raise VizError(str(target), "the folder does not exist", "create it or pick another -o")
    if fmt in ("png", "svg") and importlib.util.find_spec("matplotlib") is None:
        raise _no_matplotlib(target)
    return fmt


def _no_matplotlib(target: Path) -> VizError:
    """The error for a picture without matplotlib, an optional extra (``paperkg[viz]``)."""
    return VizError(
        str(target),
        f"{target.suffix.lower()[1:].upper()} pictures need matplotlib, which is not installed",
        "pip install 'paperkg[viz]', or write .html, .graphml or .gexf",
    )


def limit(graph: nx.DiGraph[str], max_nodes: int) -> nx.DiGraph[str]:
    """The ``max_nodes`` nodes with the most papers (then links, then IRI) and their edges."""
    if graph.number_of_nodes() <= max_nodes:
        return graph
    ranked = sorted(
        graph.nodes, key=lambda n: (-graph.nodes[n].get("papers", 0), -graph.degree(n), str(n))
    )
    kept = graph.subgraph(ranked[:max_nodes]).copy()
    kept.graph.update(graph.graph)
    return kept


def layout(graph: nx.DiGraph[str]) -> dict[str, tuple[float, float]]:
    """Deterministic positions in [-1, 1]² (edges pulled by papers), or none for a graph too
    big to lay out here (more than :data:`~paperkg.viz.layout.MAX_LAYOUT_NODES` nodes).
    """
    if graph.number_of_nodes() > MAX_LAYOUT_NODES:
        return {}
    return force_layout(graph)


def flatten(
    graph: nx.DiGraph[str], positions: Mapping[str, tuple[float, float]] | None = None
) -> nx.DiGraph[str]:
    """A copy with only strings, numbers and booleans as attributes (GraphML and GEXF hold no
    lists, dicts or None): lists joined with ``|``, outcomes as ``improved:2|no_benefit:1``,
    the supporting papers, doses and sentences as ``|``-joined columns, colours as hex.
    """
    flat: nx.DiGraph[str] = nx.DiGraph()
    flat.graph.update({k: v for k, v in graph.graph.items() if isinstance(v, str | int | float)})
    for node in sorted(graph.nodes):
        data = graph.nodes[node]
        attrs = _scalars(data)
        attrs["color"] = node_colour(data.get("kind", ""))
        if positions and node in positions:
            attrs["x"], attrs["y"] = (round(value * 1000, 3) for value in positions[node])
        flat.add_node(node, **attrs)
    for source, target, data in sorted(graph.edges(data=True), key=lambda e: (e[0], e[1])):
        attrs = _scalars({k: v for k, v in data.items() if k not in ("support", "outcomes")})
        outcomes = data.get("outcomes") or {}
        attrs["outcomes"] = "|".join(f"{name}:{count}" for name, count in sorted(outcomes.items()))
        support = data.get("support") or []
        attrs["papers"] = "|".join(entry["paper"] for entry in support)
        attrs["doses"] = "|".join(entry.get("dose") or "" for entry in support)
        attrs["evidence"] = " | ".join(s for entry in support for s in entry.get("evidence", []))
        attrs["results"] = " | ".join(r for entry in support for r in entry.get("results", []))
        attrs["color"] = edge_colour(data.get("outcome"), data.get("relation"))
        flat.add_edge(source, target, **attrs)
    return flat


def _scalars(data: Mapping[str, Any]) -> dict[str, Any]:
    attrs: dict[str, Any] = {}
    for key, value in data.items():
        if value is None or key in ("x", "y"):
            continue
        if isinstance(value, list | tuple | set | frozenset):
            attrs[key] = "|".join(str(item) for item in value)
        elif isinstance(value, dict):
            attrs[key] = json.dumps(value, sort_keys=True, ensure_ascii=False)
        else:
            attrs[key] = value
    return attrs


def _network_file(flat: nx.DiGraph[str], fmt: str) -> bytes:
    buffer = io.BytesIO()
    if fmt == "graphml":
        nx.write_graphml(flat, buffer, encoding="utf-8", prettyprint=True)
        return buffer.getvalue()
    styled = flat.copy()
    for _, data in styled.nodes(data=True):
        data["viz"] = {
            "color": _rgba(data["color"]),
            "size": round(4 + 6 * math.sqrt(data.get("papers", 1) or 1), 3),
            **({"position": {"x": data["x"], "y": data["y"], "z": 0.0}} if "x" in data else {}),
        }
    for _, _, data in styled.edges(data=True):
        data["viz"] = {"color": _rgba(data["color"]), "thickness": float(data.get("weight", 1))}
    # networkx stamps GEXF with today's date; a fixed file needs none.
    writer = nx.readwrite.gexf.GEXFWriter(encoding="utf-8", prettyprint=True, version="1.2draft")
    writer.xml.find("meta").attrib.pop("lastmodifieddate", None)
    writer.add_graph(styled)
    writer.write(buffer)
    return buffer.getvalue()


def _rgba(colour: str) -> dict[str, float]:
    return {
        "r": int(colour[1:3], 16),
        "g": int(colour[3:5], 16),
        "b": int(colour[5:7], 16),
        "a": 1.0,
    }


# --- pictures ----------------------------------------------------------------------------------


# A light box behind labels keeps them legible over edges and stays text in SVG (a stroked halo
# would turn every label into a path).
_HALO = {"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.75}


def _draw(
    graph: nx.DiGraph[str], positions: Mapping[str, tuple[float, float]], fmt: str, path: Path
) -> bytes:
    try:
        import matplotlib as mpl
    except ImportError:
        raise _no_matplotlib(path) from None

    mpl.use("Agg", force=True)
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    count = graph.number_of_nodes()
    side = min(8 + 1.2 * math.sqrt(count), 30)
    with mpl.rc_context(
        {"svg.fonttype": "none", "svg.hashsalt": "paperkg", "font.family": "DejaVu Sans"}
    ):
        figure, axes = plt.subplots(figsize=(side * 1.35, side), dpi=110)
        try:
            axes.set_axis_off()
            axes.set_title(graph.graph.get("title") or "paperkg", fontsize=15, loc="left")
            if count == 0:
                axes.text(0.5, 0.5, "nothing to show", ha="center", va="center", fontsize=14)
            edges = sorted(
                graph.edges(data=True), key=lambda e: (e[2].get("weight", 1), e[0], e[1])
            )
            for source, target, data in edges:
                (x1, y1), (x2, y2) = positions[source], positions[target]
                axes.plot(
                    [x1, x2],
                    [y1, y2],
                    color=edge_colour(data.get("outcome"), data.get("relation")),
                    linewidth=1.2 + 1.8 * math.sqrt(data.get("weight", 1) or 1),
                    alpha=0.85,
                    zorder=1,
                    solid_capstyle="round",
                )
            if graph.number_of_edges() <= 60:
                for source, target, data in edges:
                    if data.get("relation") != "tested_for":
                        continue
                    (x1, y1), (x2, y2) = positions[source], positions[target]
                    papers = data.get("weight", 1)
                    axes.text(
                        (x1 + x2) / 2,
                        (y1 + y2) / 2,
                        f"{papers} paper{'s' if papers != 1 else ''}",
                        fontsize=9,
                        ha="center",
                        va="center",
                        color="#333333",
                        zorder=3,
                        bbox=_HALO,
                    )
            for kind in NODE_KINDS:
                nodes = sorted(n for n, d in graph.nodes(data=True) if d.get("kind") == kind)
                if not nodes:
                    continue
                axes.scatter(
                    [positions[n][0] for n in nodes],
                    [positions[n][1] for n in nodes],
                    s=[90 + 140 * math.sqrt(graph.nodes[n].get("papers", 1) or 1) for n in nodes],
                    color=node_colour(kind),
                    edgecolors="white",
                    linewidths=1.2,
                    zorder=2,
                )
            font = 11 if count <= 40 else 9 if count <= 120 else 7
            for node in sorted(graph.nodes):
                data = graph.nodes[node]
                x, y = positions[node]
                axes.text(
                    x,
                    y + 0.035,
                    data.get("label", node),
                    fontsize=font,
                    ha="center",
                    va="bottom",
                    zorder=3,
                    bbox=_HALO,
                )
            handles = [
                Line2D(
                    [],
                    [],
                    marker="o",
                    linestyle="",
                    markersize=9,
                    color=node_colour(kind),
                    label=KIND_LABELS[kind],
                )
                for kind in NODE_KINDS
                if any(d.get("kind") == kind for _, d in graph.nodes(data=True))
            ]
            present = {d.get("outcome") for _, _, d in graph.edges(data=True)}
            handles += [
                Line2D([], [], color=colour, linewidth=3, label=OUTCOME_LABELS[name])
                for name, colour in OUTCOME_COLOURS.items()
                if name in present
            ]
            relations = {
                d.get("relation") for _, _, d in graph.edges(data=True) if not d.get("outcome")
            }
            handles += [
                Line2D([], [], color=colour, linewidth=2, label=RELATION_LABELS[name])
                for name, colour in EDGE_KINDS.items()
                if name in relations
            ]
            if handles:
                axes.legend(
                    handles=handles,
                    loc="upper left",
                    bbox_to_anchor=(1.0, 1.0),
                    frameon=False,
                    fontsize=11,
                    title="colour: outcome; width: papers",
                )
            axes.margins(0.08)
            buffer = io.BytesIO()
            metadata = {"Date": None} if fmt == "svg" else {"Software": None}
            figure.savefig(buffer, format=fmt, bbox_inches="tight", metadata=metadata)
        finally:
            plt.close(figure)
    return buffer.getvalue()
