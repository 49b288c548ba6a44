"""The store: the only module that holds the Oxigraph store and writes to it.

:class:`PaperStore` keeps one named graph per record and runs queries; :mod:`.bookkeeping`
names and writes the graphs the store keeps about its own work (concept index, tallies,
validation log, push logs).
"""

from __future__ import annotations

from .bookkeeping import (
    forget_validation,
    index_graph,
    index_graphs,
    local_graphs,
    log_pushes,
    log_validation,
    mark_tallies,
    push_log_graph,
    read_push_log,
    store_base_iri,
    tallies_current,
    tally_graph,
    tally_graphs,
    validation_graph,
    validation_graphs,
    validation_log,
    write_concept_index,
    write_tallies,
)
from .paper_store import PaperStore, Term, WriteOutcome, fill_values, term_text, to_rdflib_term

__all__ = [
    "PaperStore",
    "Term",
    "WriteOutcome",
    "fill_values",
    "forget_validation",
    "index_graph",
    "index_graphs",
    "local_graphs",
    "log_pushes",
    "log_validation",
    "mark_tallies",
    "push_log_graph",
    "read_push_log",
    "store_base_iri",
    "tallies_current",
    "tally_graph",
    "tally_graphs",
    "term_text",
    "to_rdflib_term",
    "validation_graph",
    "validation_graphs",
    "validation_log",
    "write_concept_index",
    "write_tallies",
]
