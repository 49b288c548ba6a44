"""One palette for every picture: node colours by kind, edge colours by outcome.

The outcome colours follow a traffic-light reading (green improved, red worsened) with a
distinct colour for papers that disagree; all pairs stay apart for the common colour-vision
deficiencies (checked against the Okabe-Ito palette, whose colours most of these are).
"""

from __future__ import annotations

__all__ = [
    "CONFLICTING",
    "EDGE_KINDS",
    "KIND_COLOURS",
    "KIND_LABELS",
    "NODE_KINDS",
    "OUTCOME_COLOURS",
    "OUTCOME_LABELS",
    "RELATION_LABELS",
    "edge_colour",
    "node_colour",
]

#: The node kinds a view can hold, in legend order.
NODE_KINDS = ("drug", "condition", "paper", "author", "journal", "species")

KIND_COLOURS = {
    "drug": "#0072B2",  # blue
    "condition": "#CC79A7",  # reddish purple
    "paper": "#E69F00",  # orange
    "author": "#999999",  # grey
    "journal": "#56B4E9",  # sky blue
    "species": "#8C6D31",  # brown
}

KIND_LABELS = {
    "drug": "drug / chemical",
    "condition": "condition",
    "paper": "paper",
    "author": "author",
    "journal": "journal",
    "species": "species",
}

#: The edge value when the supporting papers report different outcomes, some of them good and
#: some not (the evidence summary's "conflicting").
CONFLICTING = "conflicting"

OUTCOME_COLOURS = {
    "improved": "#009E73",  # bluish green
    "no_benefit": "#7F7F7F",  # grey
    "worsened": "#D55E00",  # vermilion
    "adverse_effects": "#B8860B",  # dark goldenrod
    "mixed": "#6A3D9A",  # purple
    "not_stated": "#BDBDBD",  # light grey
    CONFLICTING: "#E7298A",  # magenta
}

OUTCOME_LABELS = {
    "improved": "improved",
    "no_benefit": "no benefit",
    "worsened": "worsened",
    "adverse_effects": "adverse effects",
    "mixed": "mixed",
    "not_stated": "not stated",
    CONFLICTING: "papers disagree",
}

#: Edges that carry no outcome (authorship, journal, a paper's drug or condition).
EDGE_KINDS = {
    "gave": "#0072B2",
    "studies": "#CC79A7",
    "authored": "#BBBBBB",
    "published_in": "#56B4E9",
    "mentions": "#D9D9D9",
}

RELATION_LABELS = {
    "gave": "paper gave drug",
    "studies": "paper studied condition",
    "authored": "author of paper",
    "published_in": "published in journal",
    "mentions": "paper mentions species",
}

_FALLBACK = "#444444"


def node_colour(kind: str) -> str:
    """The fill colour of a node of ``kind``."""
    return KIND_COLOURS.get(kind, _FALLBACK)


def edge_colour(outcome: str | None, relation: str | None = None) -> str:
    """The colour of an edge: by outcome where it has one, else by relation."""
    if outcome:
        return OUTCOME_COLOURS.get(outcome, _FALLBACK)
    return EDGE_KINDS.get(relation or "", _FALLBACK)
