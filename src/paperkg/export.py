"""Export the store as Turtle, N-Triples, N-Quads, TriG, JSON-LD or RDF/XML, written atomically
(or streamed to standard output: ``-``).

Serialisation goes through Oxigraph, not rdflib (DESIGN.md section 2: rdflib's Turtle writer is
superlinear on large graphs). Oxigraph writes each data graph as N-Triples itself (no term
objects cross into Python, :func:`.export_union.graph_texts`); N-Quads are those lines with the
graph's name added, N-Triples the sorted union of the lines. Triple formats (Turtle, N-Triples)
get the union of all record graphs with duplicates removed; quad formats keep one named graph
per record. The tallies and the logs (what this store counted, validated and pushed) are left
out: they are about this store, not the data (:func:`.store.local_graphs`).

The format may come from the output's name (:func:`format_for_output`: ``kg.nt`` is N-Triples).
A sharded export (N-Quads, ``shard_size``) writes a folder of files a bulk loader can take one by
one or in parallel: ``part-00000.nq`` ... each of at most ``shard_size`` statements and whole
named graphs, then ``manifest.json`` last, so a folder with a manifest is a complete export.
"""

from __future__ import annotations

import contextlib
import re
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO, TypeVar

import pyoxigraph as ox

from .errors import ExportError
from .export_shards import (
    claim_shard_folder,
    graph_units,
    shard_names,
    write_manifest,
    write_shards,
)
from .export_union import graph_texts, sorted_union, with_graph
from .files import atomic_write
from .identifiers import CANONICAL_PREFIXES
from .store import PaperStore, local_graphs
from .vocab import PREFIXES as VOCAB_PREFIXES

__all__ = [
    "EXPORT_FORMATS",
    "EXTENSIONS",
    "FOLDER_FORMATS",
    "PREFIXES",
    "STDOUT",
    "export_store",
    "format_for_output",
]

T = TypeVar("T")

#: format name -> (Oxigraph format, carries named graphs)
EXPORT_FORMATS: dict[str, tuple[ox.RdfFormat, bool]] = {
    "turtle": (ox.RdfFormat.TURTLE, False),
    "nt": (ox.RdfFormat.N_TRIPLES, False),
    "nq": (ox.RdfFormat.N_QUADS, True),
    "trig": (ox.RdfFormat.TRIG, True),
    "jsonld": (ox.RdfFormat.JSON_LD, True),
    "rdfxml": (ox.RdfFormat.RDF_XML, False),
}

#: File name endings and the format each means when no format is given.
EXTENSIONS = {
    ".ttl": "turtle",
    ".nt": "nt",
    ".nq": "nq",
    ".trig": "trig",
    ".jsonld": "jsonld",
    ".rdf": "rdfxml",
    ".xml": "rdfxml",
}

#: The output name that means standard output.
STDOUT = "-"

#: Formats that are a folder of their own files, written by their own module (not RDF).
FOLDER_FORMATS = ("kgx", "neo4j")

#: Turtle and TriG prefixes: the vocabularies' one table, and the identifier prefixes (lower case).
PREFIXES = {
    **VOCAB_PREFIXES,
    **{prefix.lower(): iri for prefix, (iri, _) in CANONICAL_PREFIXES.items()},
}


def format_for_output(output: str | Path, *, shard_size: int | None = None) -> str:
    """The export format the name ``output`` asks for: its extension (:data:`EXTENSIONS`);
    N-Quads for shards; Turtle for standard output (``-``). A name that tells none is an error.
    """
    if shard_size is not None:
        return "nq"
    if str(output) == STDOUT:
        return "turtle"
    suffix = Path(output).suffix.lower()
    if suffix in EXTENSIONS:
        return EXTENSIONS[suffix]
    told = (
        f"its extension {suffix!r} is not one paperkg writes" if suffix else "it has no extension"
    )
    endings = " ".join(EXTENSIONS)
    raise ExportError(
        str(output),
        f"cannot tell the format from the name: {told}",
        f"name it {endings}, or give --format ({', '.join((*EXPORT_FORMATS, *FOLDER_FORMATS))})",
    )


def export_store(
    store: PaperStore,
    output: str | Path,
    fmt: str = "turtle",
    *,
    shard_size: int | None = None,
    compress: bool = False,
    spill_dir: str | Path | None = None,
) -> int:
    """Write the whole store to ``output`` in ``fmt``; return the number of statements written.

    The file is written to a temporary file beside ``output`` and renamed into place, so a
    failed export never leaves a partial file; ``-`` streams it to standard output. With
    ``shard_size`` (N-Quads only) ``output`` is a folder of shards and a manifest; ``compress``
    gzips the shards. Turtle, N-Triples and RDF/XML sort the union on disk when it does not
    fit in memory: in ``spill_dir``, else beside ``output`` (the temporary folder for ``-``).
    """
    to_stdout = str(output) == STDOUT
    if to_stdout and (fmt in FOLDER_FORMATS or shard_size is not None or compress):
        what = f"a {fmt} export" if fmt in FOLDER_FORMATS else "a sharded export"
        raise ExportError(
            STDOUT, f"{what} is a folder of files, not one stream", "give -o a folder"
        )
    if fmt in FOLDER_FORMATS:
        return _export_folder_format(store, Path(output), fmt, shard_size, compress)
    if fmt not in EXPORT_FORMATS:
        known = (*EXPORT_FORMATS, *FOLDER_FORMATS)
        raise ExportError(str(output), f"unknown export format {fmt!r}", f"use {', '.join(known)}")
    if shard_size is not None or compress:
        return _export_shards(store, Path(output), fmt, shard_size, compress)
    rdf_format, with_graphs = EXPORT_FORMATS[fmt]
    target = None if to_stdout else Path(output)
    if target is not None and not target.parent.is_dir():
        raise ExportError(str(target), "the folder does not exist", "create it or pick another -o")
    if target is not None and target.is_dir():
        raise ExportError(
            str(target), "is a folder", "give -o a file name, or --shard-size N for shards"
        )
    if not with_graphs:
        spill = spill_dir or (tempfile.gettempdir() if target is None else target.parent)
        return _export_union(store, target, rdf_format, Path(spill))
    total = 0
    with _output(target) as stream:
        if rdf_format is ox.RdfFormat.N_QUADS:
            for graph, text in graph_texts(store, _data_graphs(store)):
                stream.write(with_graph(text, graph))
                total += text.count(b"\n")
        else:
            # Grouped by graph and subject so TriG and JSON-LD write each node once.
            counter = _Counter()
            quads = counter.count(_sorted_quads(store))
            prefixes = dict(PREFIXES) if rdf_format is ox.RdfFormat.TRIG else None
            ox.serialize(quads, stream, rdf_format, prefixes=prefixes)
            total = counter.total
    return total


@contextlib.contextmanager
def _output(target: Path | None) -> Iterator[BinaryIO]:
    """``target`` written atomically, or standard output (``None``) as it streams."""
    if target is not None:
        with atomic_write(target) as stream:
            yield stream
        return
    stream = sys.stdout.buffer
    yield stream
    stream.flush()


def _export_folder_format(
    store: PaperStore, folder: Path, fmt: str, shard_size: int | None, compress: bool
) -> int:
    """KGX or neo4j-admin files (:mod:`.export_kgx`, :mod:`.export_neo4j`): nodes plus edges."""
    if shard_size is not None or compress:
        raise ExportError(str(folder), f"{fmt} writes its own files", "drop --shard-size, --gzip")
    if fmt == "kgx":
        from .export_kgx import export_kgx

        kgx = export_kgx(store, folder)
        return kgx.nodes + kgx.edges
    from .export_neo4j import export_neo4j

    neo4j = export_neo4j(store, folder)
    return sum(neo4j.nodes.values()) + sum(neo4j.relationships.values())


def _data_graphs(store: PaperStore) -> list[ox.NamedNode]:
    """The named graphs but the tallies and logs, sorted by IRI (paperkg writes no default
    graph, and names every graph with an IRI).
    """
    skipped = set(local_graphs(store))
    return [graph for graph in store.named_graphs() if graph not in skipped]


def _sorted_quads(store: PaperStore) -> Iterator[ox.Quad]:
    """The data quads a graph at a time, each graph's sorted by subject, predicate and object
    (the order of its N-Quads lines), so that only one graph is held in memory.
    """
    for graph, text in graph_texts(store, _data_graphs(store)):
        lines = sorted(with_graph(text, graph).splitlines(keepends=True))
        yield from ox.parse(b"".join(lines), format=ox.RdfFormat.N_QUADS, lenient=True)


def _export_union(
    store: PaperStore, target: Path | None, rdf_format: ox.RdfFormat, spill_dir: Path
) -> int:
    """Write the union of the data graphs, each triple once, sorted by subject, predicate and
    object (Turtle then writes each subject once), in bounded memory (:mod:`.export_union`).

    Runs that do not fit in memory go to a temporary folder in ``spill_dir``.
    """
    skipped = set(local_graphs(store))
    graphs = (graph for graph in store.iter_named_graphs() if graph not in skipped)
    total = 0
    with (
        sorted_union(store, graphs, spill_dir) as batches,
        _output(target) as stream,
    ):
        if rdf_format is ox.RdfFormat.N_TRIPLES:
            for batch in batches:
                stream.write(b"".join(batch))
                total += len(batch)
            return total
        counter = _Counter()
        quads = _parse_batches(counter.count_lines(batches))
        if rdf_format is ox.RdfFormat.RDF_XML:
            quads = _xml_writable(quads, target)
        ox.serialize(quads, stream, rdf_format, prefixes=dict(PREFIXES))
    return counter.total


#: Characters XML 1.0 cannot hold, and the carriage return, which an XML reader turns into a
#: line feed: Oxigraph's RDF/XML writer writes them as they are (found by the fuzz run).
_NOT_XML_TEXT = re.compile("[^\t\n\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_XML_NAME = re.compile(r"[A-Za-z_][\w.-]*\Z")


def _xml_writable(quads: Iterator[ox.Quad], target: Path | None) -> Iterator[ox.Quad]:
    """The quads, refused in one line (nothing written) at the first one RDF/XML cannot carry
    as it is: a literal with a control character, a blank node or predicate with no XML name.
    """
    where = "-" if target is None else str(target)
    fix = "export as Turtle or N-Triples (-o kg.ttl), which can carry any text"
    for quad in quads:
        subject, predicate, obj = quad.triple
        found = _NOT_XML_TEXT.search(obj.value) if isinstance(obj, ox.Literal) else None
        if found is not None:
            raise ExportError(
                where, f"a literal holds {found.group()!r}, which RDF/XML cannot carry", fix
            )
        for node in (subject, obj):
            if isinstance(node, ox.BlankNode) and not _XML_NAME.match(node.value):
                raise ExportError(where, f"blank node _:{node.value} has no XML name", fix)
        if not _XML_NAME.search(predicate.value):  # an XML name must end it (ex:3.p: "p")
            raise ExportError(where, f"predicate <{predicate.value}> has no XML name", fix)
        yield quad


def _parse_batches(batches: Iterable[list[bytes]]) -> Iterator[ox.Quad]:
    """The statements of N-Triples lines (default-graph quads), in order, a batch at a time.

    Lenient: the lines are Oxigraph's own output, so checking them again would only cost time.
    """
    for batch in batches:
        yield from ox.parse(b"".join(batch), format=ox.RdfFormat.N_TRIPLES, lenient=True)


class _Counter:
    """Counts statements while they stream to the serialiser (nothing is held in memory)."""

    def __init__(self) -> None:
        self.total = 0

    def count(self, items: Iterable[T]) -> Iterator[T]:
        for item in items:
            self.total += 1
            yield item

    def count_lines(self, batches: Iterable[list[bytes]]) -> Iterator[list[bytes]]:
        for batch in batches:
            self.total += len(batch)
            yield batch


# --- sharded N-Quads ------------------------------------------------------------------------


def _export_shards(
    store: PaperStore, folder: Path, fmt: str, shard_size: int | None, compress: bool
) -> int:
    """Write the data graphs as N-Quads shards in ``folder``, then the manifest.

    Graphs go in IRI order, each graph's lines sorted, so the same store gives the same bytes.
    A graph is never split, except the concept index when it alone exceeds ``shard_size``: it
    grows with the whole collection, and its pieces are whole statements a loader takes in any
    order. A record graph larger than ``shard_size`` (only with a tiny size) is a shard alone.
    """
    if fmt != "nq":
        raise ExportError(
            str(folder), f"shards are N-Quads, not {fmt}", "use --format nq with --shard-size"
        )
    if shard_size is None:
        raise ExportError(str(folder), "gzip is for shards", "add --shard-size N (e.g. 1000000)")
    if shard_size < 1:
        raise ExportError(str(folder), f"shard size {shard_size} is below 1", "use 1 or more")
    claim_shard_folder(folder)
    units = graph_units(store, _data_graphs(store), shard_size)
    shards, graphs = write_shards(folder, units, shard_size, compress, shard_names(compress))
    return write_manifest(folder, shards, shard_size=shard_size, compress=compress, graphs=graphs)
