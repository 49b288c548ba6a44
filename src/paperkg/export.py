"""Export the store as Turtle, N-Triples, N-Quads, TriG or JSON-LD, written atomically.

Serialisation goes through Oxigraph, not rdflib (DESIGN.md section 2: rdflib's Turtle writer is
superlinear on large graphs). Triple formats (Turtle, N-Triples) get the union of all record
graphs with duplicates removed; quad formats keep one named graph per record. The validation log
(which build of each graph this store validated) is left out: it is about this store, not the data.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox

from .errors import ExportError
from .files import atomic_write
from .identifiers import CANONICAL_PREFIXES
from .store import PaperStore, local_graphs
from .vocab import PREFIXES as VOCAB_PREFIXES

__all__ = ["EXPORT_FORMATS", "PREFIXES", "export_store"]

_S = TypeVar("_S", ox.Quad, ox.Triple)

#: format name -> (Oxigraph format, carries named graphs)
EXPORT_FORMATS: dict[str, tuple[ox.RdfFormat, bool]] = {
    "turtle": (ox.RdfFormat.TURTLE, False),
    "nt": (ox.RdfFormat.N_TRIPLES, False),
    "nq": (ox.RdfFormat.N_QUADS, True),
    "trig": (ox.RdfFormat.TRIG, True),
    "jsonld": (ox.RdfFormat.JSON_LD, True),
}

#: Turtle and TriG prefixes: the vocabularies' one table, and the identifier prefixes (lower case).
PREFIXES = {
    **VOCAB_PREFIXES,
    **{prefix.lower(): iri for prefix, (iri, _) in CANONICAL_PREFIXES.items()},
}


def export_store(store: PaperStore, output: str | Path, fmt: str = "turtle") -> int:
    """Write the whole store to ``output`` in ``fmt``; return the number of statements written.

    The file is written to a temporary file beside ``output`` and renamed into place, so a
    failed export never leaves a partial file.
    """
    if fmt not in EXPORT_FORMATS:
        raise ExportError(
            str(output), f"unknown export format {fmt!r}", f"use {', '.join(EXPORT_FORMATS)}"
        )
    rdf_format, with_graphs = EXPORT_FORMATS[fmt]
    target = Path(output)
    if not target.parent.is_dir():
        raise ExportError(str(target), "the folder does not exist", "create it or pick another -o")
    counter = _Counter()
    if rdf_format is ox.RdfFormat.N_QUADS:
        statements: Iterator[ox.Quad] | Iterator[ox.Triple] = counter.count(_data_quads(store))
    elif with_graphs:
        # Grouped by graph and subject so TriG and JSON-LD write each node once.
        statements = counter.count(iter(sorted(_data_quads(store), key=_quad_order)))
    else:
        statements = counter.count(iter(sorted(_union_triples(store), key=_triple_order)))
    prefixes = dict(PREFIXES) if rdf_format is not ox.RdfFormat.N_TRIPLES else None
    if rdf_format in (ox.RdfFormat.N_QUADS, ox.RdfFormat.JSON_LD):
        prefixes = None
    with atomic_write(target) as stream:
        ox.serialize(statements, stream, rdf_format, prefixes=prefixes)
    return counter.total


def _data_quads(store: PaperStore) -> Iterator[ox.Quad]:
    """Every quad but the logs': they describe this store's checks and pushes, not the data."""
    skipped = set(local_graphs(store))
    if not skipped:
        return iter(store)
    return (quad for quad in store if quad.graph_name not in skipped)


def _union_triples(store: PaperStore) -> Iterator[ox.Triple]:
    # Concept triples repeat in every record graph that mentions the concept: keep one.
    seen: set[ox.Triple] = set()
    for quad in _data_quads(store):
        triple = quad.triple
        if triple not in seen:
            seen.add(triple)
            yield triple


def _triple_order(triple: ox.Triple) -> tuple[str, str, str]:
    return (str(triple.subject), str(triple.predicate), str(triple.object))


def _quad_order(quad: ox.Quad) -> tuple[str, str, str, str]:
    return (str(quad.graph_name), *_triple_order(quad.triple))


class _Counter:
    """Counts statements while they stream to the serialiser (nothing is held in memory)."""

    def __init__(self) -> None:
        self.total = 0

    def count(self, items: Iterator[_S]) -> Iterator[_S]:
        for item in items:
            self.total += 1
            yield item
