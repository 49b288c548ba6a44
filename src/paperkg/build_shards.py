"""Build into N-Quads shards for a triple store's bulk loader (``build --shards DIR``).

Records are read, planned and reported exactly as a build into a store (:class:`.BuildRun`),
but the workers (local processes, a Dask cluster's, or this process with one worker) write the
record graphs into the shard folder themselves, in batches (:mod:`.build_pieces`); no record's
quads come back to this process. The folder then holds what ``paperkg build`` of the same
records writes into an empty store, so that loading it anywhere gives that store:

- each record's named graph, whole, in the shard its batch wrote;
- the graphs a build writes about the whole collection, in the last shards: the concept index,
  the tallies (marked current), the SSSOM mapping set of ``mappings`` and, when validated, the
  validation log. They need every record, so this process computes them with the same code as
  a build, over a temporary store that it bulk-loads from the pieces (the floor of any build)
  and deletes at the end.

The folder is claimed and finished as ``export --format nq --shard-size N`` does
(:func:`paperkg.export_shards.claim_shard_folder`): a new or empty folder, or one holding a paperkg
export whose files are replaced; anything else is refused. Pieces are hidden files until the
end, when they are renamed ``part-00000.nq`` ... in batch order and ``manifest.json`` is
written last: a folder with a manifest is complete. A failure removes the pieces. A Dask
cluster's workers must see the folder at the same path (a shared file system).
"""

from __future__ import annotations

import gzip
import itertools
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, cast

import pyoxigraph as ox

from .build import BuildReport, BuildRun, BuildStep, worker_count
from .build_pieces import PieceJob, Pieces, drop_pieces, piece_files, store_pieces
from .build_pool import Failed, RecordPool, Shipped
from .concepts import reconcile_concepts
from .errors import ConfigError, RecordError
from .export_shards import Shard, claim_shard_folder, graph_units, write_manifest, write_shards
from .extraction import Extractor, RuleExtractor
from .files import atomic_write
from .mapping import record_identity
from .model import Deletion, MappedRecord, PaperRecord
from .readers import expand_sources, read_items
from .store import PaperStore, WriteOutcome
from .tallies import refresh_tallies
from .vocab import DEFAULT_BASE_IRI

if TYPE_CHECKING:
    from .build_dask import DaskPool
    from .mappings_sssom import MappingFile

__all__ = ["DEFAULT_SHARD_SIZE", "JOB_RECORDS", "ShardBuild", "build_shards"]

#: Statements per shard at most, unless told (a record graph is never split).
DEFAULT_SHARD_SIZE = 1_000_000
#: Records a worker writes together: enough that a shard is not tiny (about 130 statements a
#: record), few enough that every worker has batches to do on a build of a few thousand.
JOB_RECORDS = 256


@dataclass(frozen=True, slots=True)
class ShardBuild:
    """What ``build --shards`` did: the build's report, and what the folder holds."""

    report: BuildReport
    folder: Path
    statements: int
    shards: int
    graphs: int


def build_shards(
    folder: str | os.PathLike[str],
    sources: Iterable[str | os.PathLike[str]] | str | os.PathLike[str],
    *,
    strict: bool = False,
    extractor: Extractor | None = None,
    base_iri: str = DEFAULT_BASE_IRI,
    progress: Callable[[BuildStep], None] | None = None,
    input_format: str | None = None,
    validate: bool = True,
    validation_progress: Callable[[str], None] | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    mappings: MappingFile | str | os.PathLike[str] | None = None,
    shard_size: int = DEFAULT_SHARD_SIZE,
    compress: bool = False,
) -> ShardBuild:
    """Build the records under ``sources`` into N-Quads shards in ``folder``, not a store.

    The arguments mean what they mean to :func:`paperkg.build.build`; ``shard_size`` caps the
    statements per shard, ``compress`` gzips the shards. Bad records are in the report
    (``strict=True`` raises the first, and nothing is left but the folder's mark); the graphs
    are validated as a build validates them (the report's ``validation``).
    """
    mapping_set = None
    if mappings is not None:  # read before anything is written: a bad file changes nothing
        from .mappings_sssom import as_mapping_file

        mapping_set = as_mapping_file(mappings, strict=strict)
    if shard_size < 1:
        raise ConfigError("--shard-size", f"{shard_size} is below 1", "use 1 or more")
    chosen = extractor or RuleExtractor()
    identity = f"{chosen.name}/{chosen.version}"
    count = 0 if scheduler is not None else worker_count(workers, chosen)
    paths = expand_sources(sources)
    reads = (
        (index, item)
        for index, path in enumerate(paths, 1)
        for item in read_items(path, input_format)
    )
    target = Path(folder)
    pool: RecordPool | DaskPool | None = None
    if scheduler is not None:  # before the folder is claimed: no cluster, nothing touched
        from .build_dask import DaskPool

        pool = DaskPool(scheduler, chosen, identity, base_iri)
    elif count > 1:
        pool = RecordPool(count, chosen, identity, base_iri)
    try:
        claim_shard_folder(target, "--shards")
    except BaseException:
        if pool is not None:
            pool.close()
        raise
    pieces = _Pieces(target, shard_size, compress)
    scratch = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    try:
        with PaperStore(scratch / "store") as store:
            report = BuildReport()
            run = _ShardRun(store, chosen, identity, base_iri, report, strict, progress, paths)
            run.pieces = pieces
            if pool is None:
                run.in_process(reads)
            else:
                run.pooled(reads, _PiecePool(pool, pieces), batch_size=JOB_RECORDS)
            pieces.flush()
            report.papers_read = set(run.seen_papers)
            kept = _collection_pass(store, run, pieces, mapping_set, validate, validation_progress)
            return _finish(store, target, kept, report, shard_size, compress, pieces.job())
    except BaseException:
        if pool is not None:  # stopped already if the build got to its records
            pool.close()
        for path in piece_files(target):
            path.unlink(missing_ok=True)
        raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _collection_pass(
    store: PaperStore,
    run: _ShardRun,
    pieces: _Pieces,
    mapping_set: MappingFile | None,
    validate: bool,
    validation_progress: Callable[[str], None] | None,
) -> list[tuple[Path, dict[str, Any]]]:
    """What a build's writer does after the records, over ``store`` (empty until now) loaded
    from the pieces: the withdrawn papers left out, the mapping set stored, the concept index
    and the tallies computed, the record graphs validated. Returns the pieces to keep.
    """
    report = run.report
    kept = pieces.finished()
    if run.withdrawn:
        kept = [_without(path, entry, run.withdrawn, pieces.compress) for path, entry in kept]
    report.changed_graphs = [g for g in report.changed_graphs if g not in run.withdrawn]
    for path, _entry in kept:
        with _reader(path, pieces.compress) as stream:
            store.bulk_load(stream)
    if mapping_set is not None:
        from .mappings_sssom import load_mappings

        run.replaced_nodes |= load_mappings(store, mapping_set, base_iri=run.base_iri)
    report.concepts = reconcile_concepts(store, base_iri=run.base_iri, nodes=run.replaced_nodes)
    refresh_tallies(store, run.base_iri)
    if validate and report.changed_graphs:
        from .validate import validate_store  # pySHACL loads only when something is checked

        graphs = sorted(set(report.changed_graphs))
        report.validation = validate_store(store, graphs=graphs, progress=validation_progress)
    return kept


def _finish(
    store: PaperStore,
    target: Path,
    kept: list[tuple[Path, dict[str, Any]]],
    report: BuildReport,
    shard_size: int,
    compress: bool,
    last: PieceJob,
) -> ShardBuild:
    """Write the collection's graphs as the last pieces, rename every piece to its shard name
    in batch order, then write the manifest.
    """
    records = set(report.changed_graphs)
    others = [graph for graph in store.named_graphs() if graph.value not in records]
    units = graph_units(store, others, shard_size)
    entries, whole = write_shards(target, units, shard_size, compress, last.name)
    ordered = [*kept, *((target / entry["file"], entry) for entry in entries)]
    suffix = ".nq.gz" if compress else ".nq"
    shards = []
    for number, (path, entry) in enumerate(ordered):
        name = f"part-{number:05d}{suffix}"
        os.replace(path, target / name)
        shards.append({**entry, "file": name})
    graphs = len(records) + whole
    statements = write_manifest(
        target, shards, shard_size=shard_size, compress=compress, graphs=graphs
    )
    return ShardBuild(report, target, statements, len(shards), graphs)


class _Pieces:
    """The pieces of one build, by batch: numbers the batches, keeps what each wrote, and
    writes the records extracted in this process (a small build, or while workers start).
    """

    def __init__(self, folder: Path, shard_size: int, compress: bool) -> None:
        self.folder = folder
        self.shard_size = shard_size
        self.compress = compress
        self._numbers = itertools.count()
        self._lock = threading.Lock()
        self._done: dict[int, list[dict[str, Any]]] = {}
        self._local: list[Shipped | Failed] = []

    def job(self) -> PieceJob:
        """The next batch."""
        with self._lock:
            number = next(self._numbers)
        return PieceJob(str(self.folder), number, self.shard_size, self.compress)

    def done(self, job: PieceJob, pieces: Pieces) -> None:
        """Note the pieces a batch wrote (called from the pool's thread)."""
        with self._lock:
            self._done[job.number] = pieces.files

    def add(self, result: MappedRecord) -> None:
        """A record extracted here: written with the next ones of this process."""
        nquads = ox.serialize(result.quads, format=ox.RdfFormat.N_QUADS) or b""
        graph, paper = result.graph.value, result.paper.value
        self._local.append(Shipped(graph, paper, result.paper_key, result.build_key, nquads))
        if len(self._local) >= JOB_RECORDS:
            self.flush()

    def flush(self) -> None:
        """Write the records extracted here so far."""
        if self._local:
            job = self.job()
            self.done(job, store_pieces(self._local, job))
            self._local = []

    def finished(self) -> list[tuple[Path, dict[str, Any]]]:
        """The pieces of every batch that succeeded, in batch order; any other piece (of a
        batch whose worker died) is removed.
        """
        with self._lock:
            kept = [
                (self.folder / entry["file"], entry)
                for number in sorted(self._done)
                for entry in self._done[number]
            ]
        listed = {path for path, _entry in kept}
        for path in piece_files(self.folder):
            if path not in listed:
                path.unlink(missing_ok=True)
        return kept


class _PiecePool:
    """A pool (local or Dask) whose workers write the pieces: the build gets back only each
    record's outcome, as from :meth:`RecordPool.submit`.
    """

    def __init__(self, pool: RecordPool | DaskPool, pieces: _Pieces) -> None:
        self._pool = pool
        self._pieces = pieces
        self.workers = pool.workers

    def ready(self) -> bool:
        return self._pool.ready()

    def submit(self, records: list[PaperRecord]) -> Future[list[Shipped | Failed]]:
        job = self._pieces.job()
        outcome: Future[list[Shipped | Failed]] = Future()

        def settle(done: Future[Pieces]) -> None:
            try:
                pieces = done.result()
            except BaseException as error:  # noqa: BLE001 - a dead worker: the build resends
                drop_pieces(job)
                outcome.set_exception(error)
                return
            self._pieces.done(job, pieces)
            outcome.set_result(pieces.results)

        self._pool.submit_pieces(records, job).add_done_callback(settle)
        return outcome

    def restart(self) -> None:
        self._pool.restart()

    def close(self) -> None:
        self._pool.close()


class _ShardRun(BuildRun):
    """A build whose writes are pieces: records extracted here go to this process's pieces,
    those from workers are written already; a withdrawn paper is left out at the end.
    """

    #: where the records extracted in this process are written (set before the build starts)
    pieces: _Pieces

    def __init__(
        self,
        store: PaperStore,
        extractor: Extractor,
        identity: str,
        base_iri: str,
        report: BuildReport,
        strict: bool,
        progress: Callable[[BuildStep], None] | None,
        paths: list[Path],
    ) -> None:
        super().__init__(store, extractor, identity, base_iri, report, strict, progress, len(paths))
        #: PMID -> the graphs of the records read with it (a DeleteCitation names PMIDs)
        self.pmids: dict[str, list[str]] = {}
        self.built: set[str] = set()
        self.withdrawn: set[str] = set()

    def plan(self, file_index: int, item: PaperRecord | RecordError | Deletion) -> Any:
        entry = super().plan(file_index, item)
        record = entry.record
        if record is not None and record.pmid:
            graph = record_identity(record, self.base_iri)[1]
            self.pmids.setdefault(record.pmid, []).append(graph.value)
        return entry

    def write(self, result: MappedRecord, *, replacing: bool) -> WriteOutcome:
        if result.quads:  # extracted here; a worker's record comes back without its quads
            self.pieces.add(result)
        self.built.add(result.graph.value)
        return WriteOutcome.ADDED

    def withdraw(self, deletion: Deletion) -> None:
        for pmid in deletion.pmids:
            for graph in sorted(set(self.pmids.get(pmid, ()))):
                if graph in self.built and graph not in self.withdrawn:
                    self.withdrawn.add(graph)
                    self.report.removed.append(graph)


def _reader(path: Path, compress: bool) -> BinaryIO:
    if compress:
        return cast(BinaryIO, gzip.open(path, "rb"))
    return path.open("rb")


def _without(
    path: Path, entry: dict[str, Any], graphs: set[str], compress: bool
) -> tuple[Path, dict[str, Any]]:
    """The piece at ``path`` without the statements of ``graphs`` (papers withdrawn after
    their batch was written), rewritten only if it held any.
    """
    ends = tuple(f" <{graph}> .\n".encode() for graph in graphs)
    with _reader(path, compress) as stream:
        lines = stream.readlines()
    kept = [line for line in lines if not line.endswith(ends)]
    if len(kept) == len(lines):
        return path, entry
    with atomic_write(path) as stream, Shard(entry["file"], stream, compress) as shard:
        shard.add(kept)
    return path, shard.entry()
