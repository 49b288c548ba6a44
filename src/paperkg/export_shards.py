"""Sharded N-Quads, written by ``export --shard-size`` and ``build --shards``: files a bulk loader
takes one by one or in parallel (``part-00000.nq`` ..., each of at most a given number of
statements and whole named graphs), then ``manifest.json`` last, so a folder with a manifest is
complete. A folder is only ever cleared of the files these writers make.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

import pyoxigraph as ox

from .errors import ExportError
from .export_union import graph_texts, with_graph
from .files import atomic_write
from .store import PaperStore, index_graphs
from .version import __version__

__all__ = [
    "MANIFEST",
    "Shard",
    "claim_shard_folder",
    "graph_units",
    "shard_names",
    "write_manifest",
    "write_shards",
]

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
