"""The worker's side of ``build --shards``: a batch of records written as N-Quads pieces.

A worker (of the local pool, of a Dask cluster, or the build's own process) extracts and maps a
batch of records and writes their graphs into the shard folder itself, packed as the export
packs them (:func:`paperkg.export.write_shards`: whole graphs, each graph's lines sorted, at
most ``shard_size`` statements a file). Each file is written under a temporary name and renamed,
as a hidden piece ``.piece-JOB-N.nq``; the build renames the pieces of every batch that
succeeded to ``part-NNNNN.nq`` at the end, so a folder never shows a shard that is not final.
Only the record's names, keys and errors travel back: the quads stay on the worker's side.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .build_pool import Failed, Shipped, ship
from .export_shards import write_shards
from .extraction import Extractor
from .model import PaperRecord

__all__ = ["PieceJob", "Pieces", "drop_pieces", "piece_files", "store_pieces", "write_pieces"]


@dataclass(frozen=True, slots=True)
class PieceJob:
    """Where and how one batch's pieces are written: its number orders them in the folder."""

    folder: str
    number: int
    shard_size: int
    compress: bool

    def name(self, index: int) -> str:
        """The hidden name of the batch's ``index``-th piece."""
        suffix = ".nq.gz" if self.compress else ".nq"
        return f".piece-{self.number:08d}-{index:05d}{suffix}"


@dataclass(frozen=True, slots=True)
class Pieces:
    """A batch done: each record's outcome (a :class:`Shipped` without its quads, or a
    :class:`Failed`), in the batch's order, and the pieces written (manifest entries).
    """

    results: list[Shipped | Failed]
    files: list[dict[str, Any]]
    graphs: int


def write_pieces(
    records: list[PaperRecord], extractor: Extractor, identity: str, base_iri: str, job: PieceJob
) -> Pieces:
    """Extract and map ``records`` and write their graphs as pieces of ``job``."""
    return store_pieces(ship(records, extractor, identity, base_iri), job)


def store_pieces(shipped: list[Shipped | Failed], job: PieceJob) -> Pieces:
    """Write the graphs of ``shipped`` as pieces of ``job``; their quads are left out of the
    result (the build only reports them).
    """
    units = (
        (sorted(item.nquads.splitlines(keepends=True)), 1)
        for item in shipped
        if isinstance(item, Shipped) and item.nquads
    )
    files, graphs = write_shards(Path(job.folder), units, job.shard_size, job.compress, job.name)
    results: list[Shipped | Failed] = [
        replace(item, nquads=b"") if isinstance(item, Shipped) else item for item in shipped
    ]
    return Pieces(results, files, graphs)


def piece_files(folder: Path) -> list[Path]:
    """Every piece in ``folder``, finished or not (their temporaries are hidden files too)."""
    return sorted([*folder.glob(".piece-*"), *folder.glob("..piece-*")])


def drop_pieces(job: PieceJob) -> None:
    """Remove what a failed batch may have written: a finished piece of a batch whose worker
    died on a later one would otherwise hold graphs the batch's retry writes again.
    """
    for pattern in (f".piece-{job.number:08d}-*", f"..piece-{job.number:08d}-*"):
        for path in Path(job.folder).glob(pattern):
            with contextlib.suppress(OSError):
                path.unlink()
