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
import gzip
import hashlib
import json
import re
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

import pyoxigraph as ox

from .errors import ExportError
from .export_union import graph_texts, sorted_union, with_graph
from .files import atomic_write
from .identifiers import CANONICAL_PREFIXES
from .store import PaperStore, index_graphs, local_graphs
from .version import __version__
from .vocab import PREFIXES as VOCAB_PREFIXES

__all__ = [
    "EXPORT_FORMATS",
    "EXTENSIONS",
    "FOLDER_FORMATS",
    "MANIFEST",
    "PREFIXES",
    "STDOUT",
    "Shard",
    "claim_shard_folder",
    "export_store",
    "format_for_output",
    "graph_units",
    "shard_names",
    "write_manifest",
    "write_shards",
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

#: The file of a sharded export that lists its shards; written last.
MANIFEST = "manifest.json"
#: Present while a sharded export is being written: marks the folder as paperkg's even when an
#: interrupted export left shards but no manifest, so the next export may replace them.
_INCOMPLETE = ".paperkg-export-incomplete"
#: The files a sharded export writes (and their temporaries): the only ones it ever deletes.
#: ``build --shards`` writes the same, its workers' pieces first (renamed to shards at the end).
_OWN_FILE = re.compile(
    r"\.?(?:part-\d{5,}\.nq(?:\.gz)?|manifest\.json|\.paperkg-export-incomplete"
    r"|\.piece-\d+-\d+\.nq(?:\.gz)?)(?:\.\w+\.tmp)?"
)


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


def shard_names(compress: bool, prefix: str = "part-") -> Callable[[int], str]:
    """The name of the n-th shard: ``part-00000.nq`` (``.nq.gz`` when compressed)."""
    suffix = ".nq.gz" if compress else ".nq"
    return lambda number: f"{prefix}{number:05d}{suffix}"


def write_shards(
    folder: Path,
    units: Iterable[tuple[list[bytes], int]],
    shard_size: int,
    compress: bool,
    name: Callable[[int], str],
) -> tuple[list[dict[str, Any]], int]:
    """Pack graph units (:func:`graph_units`) into shard files of at most ``shard_size``
    statements, each written atomically; return their manifest entries and the graphs written.
    """
    shards: list[dict[str, Any]] = []
    graphs = 0
    with contextlib.ExitStack() as open_shard:
        shard: Shard | None = None
        for lines, whole in units:
            if shard is not None and shard.statements + len(lines) > shard_size:
                open_shard.close()
                shards.append(shard.entry())
                shard = None
            if shard is None:
                file_name = name(len(shards))
                stream = open_shard.enter_context(atomic_write(folder / file_name))
                shard = open_shard.enter_context(Shard(file_name, stream, compress))
            shard.add(lines)
            graphs += whole
        open_shard.close()
        if shard is not None:
            shards.append(shard.entry())
    return shards, graphs


def write_manifest(
    folder: Path, shards: list[dict[str, Any]], *, shard_size: int, compress: bool, graphs: int
) -> int:
    """Write the manifest (last: a folder with one is complete), drop the mark of a folder being
    written and return the number of statements.
    """
    manifest = {
        "generator": "paperkg",
        "version": __version__,
        "format": "application/n-quads",
        "compression": "gzip" if compress else None,
        "shard_size": shard_size,
        "statements": sum(entry["statements"] for entry in shards),
        "graphs": graphs,
        "shards": shards,
    }
    with atomic_write(folder / MANIFEST) as stream:
        stream.write(json.dumps(manifest, indent=2).encode("utf-8") + b"\n")
    (folder / _INCOMPLETE).unlink()
    return int(manifest["statements"])


def graph_units(
    store: PaperStore, graphs: Iterable[ox.NamedNode], shard_size: int
) -> Iterator[tuple[list[bytes], int]]:
    """The N-Quads lines of each of ``graphs``, sorted, with 1 for a graph's last (or only)
    piece: only the concept index is split, when it alone exceeds ``shard_size``.

    An export gives the data graphs (:func:`_data_graphs`: the tallies and logs left out).
    """
    splittable = set(index_graphs(store))
    for graph, text in graph_texts(store, graphs):
        lines = sorted(with_graph(text, graph).splitlines(keepends=True))
        if not lines:
            continue
        if len(lines) <= shard_size or graph.value not in splittable:
            yield lines, 1
            continue
        for start in range(0, len(lines), shard_size):
            yield lines[start : start + shard_size], int(start + shard_size >= len(lines))


class Shard:
    """One shard being written: counts its statements and hashes the bytes that reach the file.

    Gzip output is made reproducible: no file name or time in its header.
    """

    def __init__(self, name: str, stream: BinaryIO, compress: bool) -> None:
        self.name = name
        self.statements = 0
        self.size = 0
        self._stream = stream
        self._digest = hashlib.sha256()
        self._gzip = (
            gzip.GzipFile(fileobj=self, mode="wb", compresslevel=6, mtime=0) if compress else None
        )

    def __enter__(self) -> Shard:
        return self

    def __exit__(self, *error: object) -> None:
        if self._gzip is not None:
            self._gzip.close()

    def add(self, lines: list[bytes]) -> None:
        """Append statements (N-Quads lines), through gzip when asked."""
        self.statements += len(lines)
        joined = b"".join(lines)
        if self._gzip is not None:
            self._gzip.write(joined)
        else:
            self.write(joined)

    def write(self, data: bytes) -> int:
        """Bytes bound for the file (gzip writes its output here too)."""
        self._digest.update(data)
        self.size += len(data)
        return self._stream.write(data)

    def flush(self) -> None:
        self._stream.flush()

    def entry(self) -> dict[str, Any]:
        return {
            "file": self.name,
            "statements": self.statements,
            "bytes": self.size,
            "sha256": self._digest.hexdigest(),
        }


def claim_shard_folder(folder: Path, option: str = "-o") -> None:
    """Make ``folder`` ready for a new export without ever deleting a file paperkg did not write.

    A new or empty folder is used; a folder holding a paperkg export (its manifest, or the mark
    of an interrupted one) has that export's files removed; anything else is refused.
    """
    if folder.exists() and not folder.is_dir():
        raise ExportError(
            str(folder), "is a file, and shards go into a folder", f"give {option} a folder name"
        )
    if not folder.exists():
        if not folder.parent.is_dir():
            raise ExportError(
                str(folder),
                "its parent folder does not exist",
                f"create it or pick another {option}",
            )
        folder.mkdir()
    names = sorted(path.name for path in folder.iterdir())
    ours = _is_manifest(folder / MANIFEST) or _INCOMPLETE in names
    if names and not ours:
        raise ExportError(
            str(folder),
            f"the folder is not empty and holds no paperkg export (no paperkg {MANIFEST})",
            f"pick a new or empty folder for {option}",
        )
    with atomic_write(folder / _INCOMPLETE) as stream:
        stream.write(b"a paperkg export is being written here (or was interrupted)\n")
    (folder / MANIFEST).unlink(missing_ok=True)  # first: the old set is no longer complete
    for name in names:
        if name != _INCOMPLETE and _OWN_FILE.fullmatch(name) and (folder / name).is_file():
            (folder / name).unlink()


def _is_manifest(path: Path) -> bool:
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(manifest, dict) and manifest.get("generator") == "paperkg"
