"""See the graph: typed networkx views of the store, written as GraphML, GEXF, PNG, SVG or an
offline HTML explorer.
"""

from __future__ import annotations

from .views import (
    VIEWS,
    ViewFilter,
    drug_condition_graph,
    neighbourhood_graph,
    paper_graph,
    view_graph,
)
from .writers import FILE_TYPES, WrittenView, check_output, flatten, layout, write_view

__all__ = [
    "FILE_TYPES",
    "VIEWS",
    "ViewFilter",
    "WrittenView",
    "check_output",
    "drug_condition_graph",
    "flatten",
    "layout",
    "neighbourhood_graph",
    "paper_graph",
    "view_graph",
    "write_view",
]
