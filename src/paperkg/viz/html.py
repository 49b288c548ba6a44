"""An offline HTML explorer: one self-contained page that draws a view and lets you explore it.

The page carries its own script and style (``assets/explorer.js`` and ``assets/explorer.css``,
inlined) and the graph as JSON in a ``<script type="application/json">`` element. A strict
Content-Security-Policy forbids every fetch, so opening the file never touches the network; the
only addresses in it are the papers' links, which live in the JSON and become ``<a href>`` only
when they are http(s). Positions are computed here, not in the browser, so the same graph always
gives the same bytes. An edge embeds the support of its
:data:`~paperkg.viz.support.EMBEDDED_PAPERS` most recent papers, fewer on a page of thousands of
edges (:data:`~paperkg.viz.support.PAGE_PAPERS` across the page, at least one per edge);
``more_papers`` says how many it leaves out (the edge's ``weight`` still counts them all).

Open the page with the fragment ``#selftest`` and, once drawn, it exercises itself (zoom, pan,
a click on an edge, a search) and reports ``data-selftest="pass"`` (or ``"fail: why"``) on
``<body>``; ``tests/test_viz_browser.py`` reads that from a headless Chromium.
"""

from __future__ import annotations

import html
import json
import math
import os
from collections.abc import Iterable, Mapping
from importlib import resources
from typing import Any, TypeGuard

import networkx as nx

from ..files import atomic_write
from .layout import force_layout
from .style import (
    EDGE_KINDS,
    KIND_LABELS,
    NODE_KINDS,
    OUTCOME_COLOURS,
    OUTCOME_LABELS,
    edge_colour,
    node_colour,
)
from .support import EMBEDDED_PAPERS, PAGE_PAPERS, embedded_support, papers_per_edge

__all__ = ["CONTENT_SECURITY_POLICY", "embed_json", "render_html", "write_html"]

#: Nothing may be fetched: scripts and styles are inline, images only data: URLs.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:"
)

DEFAULT_TITLE = "paperkg explorer"

#: Positions are scaled into a square of this side (world units of the page's drawing).
_EXTENT = 1000.0

#: What the JSON must never contain raw inside a <script> element (or as JavaScript source).
_JSON_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="paperkg">
<title>{title}</title>
<style>
{css}</style>
</head>
<body data-status="loading">
<header id="bar">
<h1 id="title">{title}</h1>
<span id="counts"></span>
<input id="search" type="search" placeholder="Search labels or ids" \
autocomplete="off" spellcheck="false" aria-label="Search nodes (Enter centres the matches)">
<span id="matches" aria-live="polite"></span>
<span class="zoom"><button id="zoom-in" type="button" title="Zoom in">+</button>\
<button id="zoom-out" type="button" title="Zoom out">\u2212</button>\
<button id="zoom-reset" type="button" title="Fit everything">fit</button></span>
</header>
<main id="stage">
<div id="empty" hidden>nothing to show</div>
<div id="legend" aria-label="Legend"></div>
<aside id="panel" hidden></aside>
<div id="tooltip" role="tooltip" hidden></div>
</main>
<noscript><p>This explorer needs JavaScript; the data is in the page as JSON.</p></noscript>
<script type="application/json" id="paperkg-data">{data}</script>
<script>
{js}</script>
</body>
</html>
"""


def render_html(graph: nx.DiGraph[Any], *, title: str | None = None) -> str:
    """The explorer page for ``graph`` (a view in the shape ``paperkg.viz.views`` builds).

    ``title`` defaults to the graph's ``title`` attribute. Nodes without ``x``/``y`` attributes
    are placed with :func:`~paperkg.viz.layout.force_layout`, so the output depends only on the
    graph.
    """
    heading = title or str(graph.graph.get("title") or "") or DEFAULT_TITLE
    data = _page_data(graph, heading)
    js, css = _asset("explorer.js"), _asset("explorer.css")
    for name, text in (("explorer.js", js), ("explorer.css", css)):
        if any(bad in text.lower() for bad in ("</script", "</style", "<!--")):
            raise ValueError(f"asset {name} cannot be inlined: it would end its element early")
    return _PAGE.format(
        csp=CONTENT_SECURITY_POLICY,
        title=_escape_text(heading),
        css=css,
        js=js,
        data=embed_json(data),
    )


def write_html(
    graph: nx.DiGraph[Any], path: str | os.PathLike[str], *, title: str | None = None
) -> None:
    """Write the explorer page for ``graph`` to ``path`` atomically (whole file or nothing)."""
    page = render_html(graph, title=title).encode("utf-8")
    with atomic_write(path) as stream:
        stream.write(page)


def _escape_text(text: str) -> str:
    """``text`` for HTML markup, with the line and paragraph separators as references too."""
    escaped = html.escape(text, quote=True)
    return escaped.replace("\u2028", "&#x2028;").replace("\u2029", "&#x2029;")


def embed_json(value: Any) -> str:
    """``value`` as JSON that is safe inside a ``<script>`` element and as JavaScript source."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    for raw, escaped in _JSON_ESCAPES.items():
        text = text.replace(raw, escaped)
    return text


def _page_data(graph: nx.DiGraph[Any], title: str) -> dict[str, Any]:
    """Everything the script draws: nodes with positions and colours, edges, the legend."""
    positions = _positions(graph)
    nodes = [_node(node, attrs, positions[node]) for node, attrs in graph.nodes(data=True)]
    each = papers_per_edge(graph.number_of_edges(), EMBEDDED_PAPERS, PAGE_PAPERS)
    shown = embedded_support(graph, each)
    edges = [
        _edge(source, target, attrs, *shown[(source, target)])
        for source, target, attrs in graph.edges(data=True)
    ]
    kinds = {node["kind"] for node in nodes}
    outcomes = {edge["outcome"] for edge in edges if edge["outcome"]}
    relations: dict[str, str] = {}
    for edge in edges:
        if not edge["outcome"] and edge["relation"] not in relations:
            relations[edge["relation"]] = edge["label"] or edge["relation"].replace("_", " ")
    known_kinds = [kind for kind in NODE_KINDS if kind in kinds] + sorted(kinds - set(NODE_KINDS))
    known_outcomes = [name for name in OUTCOME_COLOURS if name in outcomes]
    known_outcomes += sorted(outcomes - set(OUTCOME_COLOURS))
    return {
        "title": title,
        "view": _text(graph.graph.get("view")),
        "nodes": nodes,
        "edges": edges,
        "legend": {
            "kinds": [
                {"kind": k, "label": KIND_LABELS.get(k, k), "colour": node_colour(k)}
                for k in known_kinds
            ],
            "outcomes": [
                {"outcome": o, "label": OUTCOME_LABELS.get(o, o), "colour": edge_colour(o)}
                for o in known_outcomes
            ],
            "relations": [
                {"relation": r, "label": label, "colour": edge_colour(None, r)}
                for r, label in sorted(relations.items(), key=lambda item: _order(item[0]))
            ],
        },
        "outcomeLabels": dict(OUTCOME_LABELS),
        "outcomeColours": dict(OUTCOME_COLOURS),
    }


def _order(relation: str) -> tuple[int, str]:
    """Legend order of relations: the palette's order, unknown ones last."""
    names = list(EDGE_KINDS)
    return (names.index(relation) if relation in names else len(names), relation)


def _node(node: Any, attrs: Mapping[str, Any], position: tuple[float, float]) -> dict[str, Any]:
    kind = _text(attrs.get("kind")) or "unknown"
    return {
        "id": str(node),
        "kind": kind,
        "label": _text(attrs.get("label")) or str(node),
        "title": _text(attrs.get("title")),
        "iri": _text(attrs.get("iri")) or str(node),
        "ids": [str(curie) for curie in attrs.get("ids") or ()],
        "url": _text(attrs.get("url")),
        "papers": _count(attrs.get("papers")),
        "year": _count(attrs.get("year"), None),
        "design": _text(attrs.get("design")),
        "sample_size": _count(attrs.get("sample_size"), None),
        "journal": _text(attrs.get("journal")),
        "x": position[0],
        "y": position[1],
        "colour": node_colour(kind),
    }


def _edge(
    source: Any, target: Any, attrs: Mapping[str, Any], support: list[Any], more: int
) -> dict[str, Any]:
    relation = _text(attrs.get("relation")) or ""
    outcome = _text(attrs.get("outcome"))
    outcomes = attrs.get("outcomes") or {}
    return {
        "source": str(source),
        "target": str(target),
        "relation": relation,
        "predicate": _text(attrs.get("predicate")),
        "label": _text(attrs.get("label")) or relation.replace("_", " "),
        "weight": _count(attrs.get("weight"), 1),
        "outcome": outcome,
        "outcomes": {str(k): _count(v) for k, v in outcomes.items()},
        "support": [_plain(entry) for entry in support],
        "more_papers": more,
        "colour": edge_colour(outcome, relation),
    }


def _positions(graph: nx.DiGraph[Any]) -> dict[Any, tuple[float, float]]:
    """Given positions if every node has them, else a force layout; scaled and y-down."""
    raw: dict[Any, tuple[float, float]] = {}
    for node, attrs in graph.nodes(data=True):
        x, y = attrs.get("x"), attrs.get("y")
        if not (_finite(x) and _finite(y)):
            placed = force_layout(graph)
            raw = {node: placed[str(node)] for node in graph.nodes}
            break
        raw[node] = (float(x), float(y))
    if not raw:
        return {}
    xs, ys = [xy[0] for xy in raw.values()], [xy[1] for xy in raw.values()]
    low_x, top_y = min(xs), max(ys)
    span = max(max(xs) - low_x, top_y - min(ys))
    scale = _EXTENT / span if span > 0 else 0.0
    return {
        node: (round((x - low_x) * scale, 2), round((top_y - y) * scale, 2))
        for node, (x, y) in raw.items()
    }


def _finite(value: object) -> TypeGuard[float]:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _count(value: Any, default: int | None = 0) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return default
    return int(value)


def _plain(value: Any) -> Any:
    """``value`` as plain JSON data: tuples and sets become lists, odd objects strings."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, set | frozenset):
        return [_plain(item) for item in sorted(value, key=str)]
    if isinstance(value, Iterable) and not isinstance(value, bytes):
        return [_plain(item) for item in value]
    return str(value)


def _asset(name: str) -> str:
    """The text of ``assets/<name>`` beside this module (works from a wheel too)."""
    return (resources.files("paperkg.viz") / "assets" / name).read_text(encoding="utf-8")
