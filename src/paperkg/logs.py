"""The graphs in which a store records its own work, not data: the validation log and one push
log per endpoint. Export and push leave them out.
"""

from __future__ import annotations

import pyoxigraph as ox

from .store import PaperStore
from .validate import validation_graphs
from .vocab import PKG

__all__ = ["local_graphs"]


def local_graphs(store: PaperStore) -> list[ox.NamedNode]:
    """The validation and push log graphs of ``store``, sorted by IRI."""
    query = f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?g <{PKG.pushEndpoint}> ?endpoint }} }}"
    logs = {s["g"] for s in store.query(query)} | set(validation_graphs(store))
    return sorted(logs, key=lambda node: node.value)
