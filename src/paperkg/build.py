"""Build: records in, record graphs in the store. A bad record is reported and skipped.

Each record goes read -> extract -> map -> one store transaction, so a failure in one record
never leaves another half-written, and ``strict=True`` stops at the first bad one. Extraction
and mapping may run in worker processes (:mod:`.build_pool`); reading, the decision what to
extract and every write stay in this process, in read order, so the result is the same. Papers a
source withdraws (a PubMed ``DeleteCitation``) are removed in their turn by the same writer.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pyoxigraph import Literal, NamedNode

from .build_pool import (
    BATCH,
    IN_FLIGHT_PER_WORKER,
    START_AFTER,
    Failed,
    RecordPool,
    Shipped,
    WorkerPool,
    extract_and_map,
    failure,
    pickles,
)
from .concepts import ConceptIndexReport, concept_nodes, reconcile_concepts
from .cpus import usable_cpus
from .errors import ConfigError, RecordError
from .extraction import MAX_PROSE_CHARS, Extractor, RuleExtractor
from .mapping import build_key, map_record, record_identity
from .model import Deletion, Extraction, MappedRecord, PaperRecord
from .readers import expand_sources, incomplete_error, read_items, read_record
from .store import PaperStore, WriteOutcome, forget_validation
from .tallies import begin_tally_update, refresh_tallies
from .vocab import DEFAULT_BASE_IRI, FABIO

if TYPE_CHECKING:
    from .mappings_sssom import MappingFile
    from .validate import BuildValidator, ValidationReport

__all__ = ["BuildReport", "BuildStep", "RecordIssue", "build", "map_file"]


@dataclass(frozen=True, slots=True)
class RecordIssue:
    """A message about one source file (a rejection or a warning)."""

    source: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.message}"


@dataclass(frozen=True, slots=True)
class BuildStep:
    """One record done, for a progress display or a verbose log.

    ``outcome`` is ``added``, ``replaced``, ``unchanged``, ``duplicate`` (same paper as an
    earlier record, skipped) or ``rejected``; ``file_index`` counts files from 1 up to
    ``file_count`` (a PubTator or JSON Lines file holds many records).
    """

    source: str
    outcome: str
    file_index: int
    file_count: int


@dataclass(slots=True)
class BuildReport:
    """What a build did, record by record."""

    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: list[RecordError] = field(default_factory=list)
    warnings: list[RecordIssue] = field(default_factory=list)
    changed_graphs: list[str] = field(default_factory=list)
    #: record graphs removed because their source withdrew the paper (PubMed DeleteCitation)
    removed: list[str] = field(default_factory=list)
    #: the paper keys of every record read (built, unchanged or a duplicate): what prune keeps
    papers_read: set[str] = field(default_factory=set)
    concepts: ConceptIndexReport | None = None
    #: the SHACL report on the graphs this build changed (``None``: not validated)
    validation: ValidationReport | None = None
    #: seconds of the build spent validating (graphs are validated as they are written)
    validation_seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when no record was rejected."""
        return not self.rejected

    @property
    def conforms(self) -> bool:
        """True unless the graphs this build changed were validated and some did not conform."""
        return self.validation is None or self.validation.conforms

    def summary(self) -> str:
        """One line: how many records were built, unchanged and rejected."""
        built = len(self.added) + len(self.replaced)
        text = (
            f"{built} built ({len(self.added)} new, {len(self.replaced)} replaced), "
            f"{len(self.unchanged)} unchanged, {len(self.rejected)} rejected"
        )
        if self.removed:
            text += f", {len(self.removed)} removed (withdrawn by their source)"
        if self.warnings:
            text += f", {len(self.warnings)} warnings"
        return text


def _prose_length(record: PaperRecord) -> int:
    parts = [record.title, record.tldr or "", record.abstract or "", *record.key_findings]
    return sum(len(part) for part in parts)


def map_file(
    path: str | Path,
    *,
    extractor: Extractor | None = None,
    base_iri: str = DEFAULT_BASE_IRI,
) -> tuple[PaperRecord, Extraction, MappedRecord]:
    """Read, extract and map one record file (no store involved)."""
    chosen = extractor or RuleExtractor()
    record = read_record(path)
    extraction = chosen.extract(record)
    mapped = map_record(
        record, extraction, base_iri=base_iri, extractor=f"{chosen.name}/{chosen.version}"
    )
    return record, extraction, mapped


def build(
    store: PaperStore,
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
) -> BuildReport:
    """Load every record under ``sources`` (files, folders, globs) into ``store``.

    Bad records are collected in the report (``strict=True`` raises the first one instead).
    Two files describing the same paper give one paper: the first in sorted order is built,
    the other is skipped with a warning. A record whose graph is up to date (same bytes, paperkg
    version, extractor and base IRI) is not extracted again. ``input_format`` names the input
    format (markdown, pubtator, bioc-xml, bioc-json, jsonl, pubmed-xml, medline, jats); by
    default it is detected per file. A PubMed ``DeleteCitation`` removes its papers (the report's
    ``removed``). ``progress`` is called once per record read (rejected ones included) with a
    :class:`BuildStep`.
    ``validate`` checks the record graphs the build changed against the shapes, a batch at a
    time as they are written (the report's ``validation``; ``validation_progress`` is called
    per graph), as ``paperkg build`` does.
    ``workers`` processes extract and map (default: the CPUs this process may use; 1: all in
    this process). This process alone writes, record by record in read order, so the store,
    the report and the progress calls are the same whatever the number of workers. Workers are
    fresh interpreters: a script that builds with them runs under ``if __name__ == "__main__"``.
    ``scheduler`` (``tcp://HOST:PORT``) sends the extraction to a Dask cluster's workers
    instead, this process still the one writer (the ``paperkg[dask]`` extra).
    ``mappings`` (an SSSOM TSV file, :mod:`.mappings_sssom`) is stored before the records, and
    its exact matches merge concepts in the index.
    """
    mapping_set = None
    if mappings is not None:  # read before anything is written: a bad file changes nothing
        from .mappings_sssom import as_mapping_file, load_mappings

        mapping_set = as_mapping_file(mappings, strict=strict)
    report = BuildReport()
    chosen = extractor or RuleExtractor()
    identity = f"{chosen.name}/{chosen.version}"
    count = 0 if scheduler is not None else worker_count(workers, chosen)
    paths = expand_sources(sources)
    reads = (
        (index, item)
        for index, path in enumerate(paths, 1)
        for item in read_items(path, input_format)
    )
    run = BuildRun(store, chosen, identity, base_iri, report, strict, progress, len(paths))
    if validate:  # each graph validated as it is written, with its batch (pySHACL loads only now)
        from .validate import BuildValidator

        run.validator = BuildValidator(store, progress=validation_progress)
    # Marked stale before the first write: a build killed from here on leaves them so, and the
    # next build recounts everything (and regroups every concept) instead of what it touched.
    incremental = begin_tally_update(store, base_iri)
    if mapping_set is not None:  # the concepts it names are regrouped with the build's
        run.replaced_nodes |= load_mappings(store, mapping_set, base_iri=base_iri)
    if scheduler is not None:
        from .build_dask import DaskPool  # distributed loads only when a cluster is asked for

        run.pooled(reads, DaskPool(scheduler, chosen, identity, base_iri))
    elif count == 1:
        run.in_process(reads)
    else:
        run.pooled(reads, RecordPool(count, chosen, identity, base_iri))
    report.papers_read = set(run.seen_papers)
    if report.removed:  # a graph built and then withdrawn in this build is gone
        removed = set(report.removed)
        report.changed_graphs = [g for g in report.changed_graphs if g not in removed]
    if run.validator is not None and report.changed_graphs:
        report.validation = run.validator.report(report.changed_graphs)
        report.validation_seconds = run.validator.seconds
    # Only the concepts this build touched are regrouped (a full rebuild gives the same index),
    # and only the tallies of what it touched or regrouped are recounted.
    changed = [NamedNode(graph) for graph in dict.fromkeys(report.changed_graphs)]
    report.concepts = reconcile_concepts(
        store,
        base_iri=base_iri,
        graphs=changed if incremental else None,
        nodes=run.replaced_nodes,
    )
    touched = None
    if incremental:
        touched = set(run.replaced_nodes).union(*(concept_nodes(store, g) for g in changed))
    refresh_tallies(store, base_iri, nodes=touched, regrouped=report.concepts.regrouped)
    return report


def worker_count(workers: int | None, extractor: Extractor) -> int:
    """The processes that extract: ``workers``, or by default one per CPU if the extractor can
    go to another process.
    """
    if workers is None:
        # an extractor that cannot go to another process is run here, unless workers were asked
        return usable_cpus() if pickles(extractor) else 1
    if workers < 1:
        raise ConfigError(
            "workers", f"{workers} is below 1", "give 1 (build in this process) or more"
        )
    return workers


@dataclass(slots=True)
class _Entry:
    """A record read and waiting its turn: records are written and reported in read order."""

    source: str
    file_index: int
    warnings: list[RecordIssue] = field(default_factory=list)
    #: decided when read: ``duplicate``, ``unchanged`` or ``rejected`` (``error``)
    outcome: str = ""
    error: RecordError | None = None
    #: to extract and map, here (``result``) or in a worker (``future``)
    record: PaperRecord | None = None
    result: MappedRecord | RecordError | None = None
    #: the records sent with it to one worker, and its place among them
    future: Future[list[Shipped | Failed]] | None = None
    slot: int = 0
    #: its paper's graph is in the store already (read once, when planned)
    replacing: bool = False
    #: papers the source withdraws, removed when this entry's turn comes
    deletion: Deletion | None = None

    def ready(self) -> bool:
        if self.future is not None:
            return self.future.done()
        return self.record is None or self.result is not None  # else waiting to be sent


class BuildRun:
    """One build: decides per record what to do, then writes and reports it, in read order.

    :meth:`write` and :meth:`withdraw` are the only steps that touch the store (a build into
    shards, :mod:`.build_shards`, replaces them).
    """

    def __init__(
        self,
        store: PaperStore,
        extractor: Extractor,
        identity: str,
        base_iri: str,
        report: BuildReport,
        strict: bool,
        progress: Callable[[BuildStep], None] | None,
        file_count: int,
    ) -> None:
        self.store = store
        self.extractor = extractor
        self.identity = identity
        self.base_iri = base_iri
        self.report = report
        self.strict = strict
        self.progress = progress
        self.file_count = file_count
        self.seen_papers: dict[str, str] = {}
        #: concept nodes of graphs this build replaced, read before: the index regroups them
        self.replaced_nodes: set[str] = set()
        #: validates each graph written (``None``: the build does not validate)
        self.validator: BuildValidator | None = None

    def in_process(self, reads: Iterable[tuple[int, PaperRecord | RecordError | Deletion]]) -> None:
        """Each record read, extracted, mapped and written before the next is read."""
        for index, item in reads:
            entry = self.plan(index, item)
            if entry.record is not None:
                entry.result = self.extract(entry.record)
            self.finish(entry, entry.result)

    def extract(self, record: PaperRecord) -> MappedRecord | RecordError:
        """Extract and map one record in this process."""
        return extract_and_map(record, self.extractor, self.identity, self.base_iri)

    def pooled(
        self,
        reads: Iterable[tuple[int, PaperRecord | RecordError | Deletion]],
        pool: WorkerPool,
        batch_size: int = BATCH,
    ) -> None:
        """Records extracted and mapped by ``pool`` while this process reads ahead and writes.

        The first ``START_AFTER`` records to extract, and any until the workers answer, are
        extracted here; the others go to a worker ``batch_size`` at a time. At most
        ``IN_FLIGHT_PER_WORKER`` records per worker (four batches if they are larger) wait;
        each is written as soon as it and every record read before it are done.
        """
        pending: deque[_Entry] = deque()
        batch: list[_Entry] = []
        limit = max(IN_FLIGHT_PER_WORKER, 4 * batch_size) * pool.workers
        extracted_here = 0
        try:
            for index, item in reads:
                entry = self.plan(index, item)
                if entry.record is not None:
                    if extracted_here >= START_AFTER and pool.ready():
                        batch.append(entry)
                        if len(batch) == batch_size:
                            _send(batch, pool)
                    else:  # a small build, or workers still starting: extract here meanwhile
                        entry.result = self.extract(entry.record)
                        extracted_here += 1
                pending.append(entry)
                # strict: the records before a bad one are written, as in one process
                stop = self.strict and entry.error is not None
                while pending and (stop or len(pending) >= limit or pending[0].ready()):
                    if batch and batch[0] is pending[0]:  # the next to write is not sent yet
                        _send(batch, pool)
                    self._finish_next(pending, pool)
            _send(batch, pool)
            while pending:
                self._finish_next(pending, pool)
        finally:  # also on Ctrl-C and strict: queued records dropped, the workers stopped
            pool.close()

    def _finish_next(self, pending: deque[_Entry], pool: WorkerPool) -> None:
        entry = pending.popleft()
        if entry.future is not None:
            try:
                entry.result = entry.future.result()[entry.slot].received()
            except BrokenProcessPool:
                self._after_a_crash(entry, pending, pool)
        self.finish(entry, entry.result)

    def _after_a_crash(self, entry: _Entry, pending: deque[_Entry], pool: WorkerPool) -> None:
        """A worker died, and every record in flight failed with it: they are sent again one
        at a time to a fresh pool, so the one that kills its worker again is rejected alone.
        """
        pool.restart()
        for waiting in (entry, *pending):
            if waiting.future is None or waiting.record is None or not _failed(waiting.future):
                continue
            waiting.future = None
            try:
                waiting.result = pool.submit([waiting.record]).result()[0].received()
            except BrokenProcessPool:
                pool.restart()
                waiting.result = failure(waiting.source, "the worker process extracting it died")

    def plan(self, file_index: int, item: PaperRecord | RecordError | Deletion) -> _Entry:
        """What to do with a record just read: decided here, before any extraction, so records
        that are duplicates or up to date never reach a worker.
        """
        if isinstance(item, PaperRecord) and self.strict:  # a record cut off is rejected
            item = incomplete_error(item) or item
        if isinstance(item, RecordError):
            return _Entry(item.path, file_index, outcome="rejected", error=item)
        if isinstance(item, Deletion):
            return _Entry(item.source, file_index, outcome="removed", deletion=item)
        record = item
        entry = _Entry(record.source, file_index)
        entry.warnings.extend(
            RecordIssue(record.source, warning.line, warning.message) for warning in record.warnings
        )
        key, graph = record_identity(record, self.base_iri)
        earlier = self.seen_papers.get(key)
        if earlier is not None:
            entry.warnings.append(
                RecordIssue(
                    record.source,
                    1,
                    f"same paper ({key}) as {earlier}; skipped, the paper is counted once",
                )
            )
            entry.outcome = "duplicate"
            return entry
        self.seen_papers[key] = record.source
        stored = self.store.build_key(graph)
        if stored == build_key(record, self.identity, self.base_iri):
            entry.outcome = WriteOutcome.UNCHANGED.value
            return entry
        entry.replacing = stored is not None
        if _prose_length(record) > MAX_PROSE_CHARS:
            entry.warnings.append(
                RecordIssue(
                    record.source,
                    0,
                    f"prose longer than {MAX_PROSE_CHARS:,} characters; extraction read the "
                    f"first {MAX_PROSE_CHARS:,} (the whole record is stored)",
                )
            )
        entry.record = record
        return entry

    def finish(self, entry: _Entry, result: MappedRecord | RecordError | None) -> None:
        """Write an entry's graph (one transaction), report it and call ``progress``."""
        report = self.report
        if entry.deletion is not None:
            self.withdraw(entry.deletion)
            return
        error = result if isinstance(result, RecordError) else entry.error
        if error is not None and self.strict:
            raise error
        report.warnings.extend(entry.warnings)
        outcome = entry.outcome
        if error is not None:
            report.rejected.append(error)
            outcome = "rejected"
        elif isinstance(result, MappedRecord):
            written = self.write(result, replacing=entry.replacing)
            {
                WriteOutcome.ADDED: report.added,
                WriteOutcome.REPLACED: report.replaced,
                WriteOutcome.UNCHANGED: report.unchanged,
            }[written].append(entry.source)
            if written is not WriteOutcome.UNCHANGED:
                report.changed_graphs.append(result.graph.value)
                if self.validator is not None:
                    self.validator.add(result.graph.value, result.build_key, result.quads)
            outcome = written.value
        elif outcome == WriteOutcome.UNCHANGED.value:
            report.unchanged.append(entry.source)
        if self.progress is not None:
            self.progress(BuildStep(entry.source, outcome, entry.file_index, self.file_count))

    def write(self, result: MappedRecord, *, replacing: bool) -> WriteOutcome:
        """Write one record graph in one transaction (``replacing``: its graph is stored)."""
        if replacing:  # what the old graph named may be gone: the index regroups it
            self.replaced_nodes |= concept_nodes(self.store, result.graph)
        return self.store.put_record(result)

    def withdraw(self, deletion: Deletion) -> None:
        """Remove the record graphs of the papers ``deletion`` names (by PMID, whatever their
        key); the concepts they named are regrouped with the build's others.
        """
        for pmid in deletion.pmids:
            has_pmid = NamedNode(str(FABIO.hasPubMedId))
            quads = self.store.quads_for_pattern(None, has_pmid, Literal(pmid), None)
            graphs = {q.graph_name for q in quads if isinstance(q.graph_name, NamedNode)}
            for graph in sorted(graphs, key=lambda node: node.value):
                self.replaced_nodes |= concept_nodes(self.store, graph)
                self.store.remove_record(graph)
                if self.validator is not None:
                    self.validator.forget(graph.value)
                forget_validation(self.store, [graph])
                self.report.removed.append(graph.value)


def _send(batch: list[_Entry], pool: WorkerPool) -> None:
    """Send the records of ``batch`` to one worker together (fewer, larger messages)."""
    if batch:
        try:
            future = pool.submit([entry.record for entry in batch if entry.record is not None])
        except BrokenProcessPool as error:  # a worker died since the last batch went: this one
            future = Future()  # fails as those in flight did, and goes again after the restart
            future.set_exception(error)
        for slot, entry in enumerate(batch):
            entry.future, entry.slot = future, slot
        batch.clear()


def _failed(future: Future[list[Shipped | Failed]]) -> bool:
    return future.cancelled() or (future.done() and future.exception() is not None)
