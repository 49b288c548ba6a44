"""Worker processes for ``build``: extract and map records in parallel, one writer elsewhere.

The parent reads records, decides which need extraction and writes each result in one store
transaction; workers only turn records into quads, a few records per message. Workers start
from a forkserver (spawn where there is none): forking a process that holds an open Oxigraph
store and its threads is not safe, and the forkserver imports paperkg once per process instead
of once per worker per build, its pages shared with the workers it forks (:mod:`.build_preload`).
Quads come back as N-Quads bytes, parsed in the parent: measured cheaper on both sides than
pickling the pyoxigraph quads or tuples of term strings.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import forkserver
from multiprocessing.connection import wait
from typing import TYPE_CHECKING, Protocol

from pyoxigraph import NamedNode, RdfFormat, parse, serialize

from .errors import ConfigError, RecordError
from .extraction import Extractor
from .mapping import map_record
from .model import MappedRecord, PaperRecord

if TYPE_CHECKING:
    from .build_pieces import PieceJob, Pieces

__all__ = [
    "BATCH",
    "IN_FLIGHT_PER_WORKER",
    "START_AFTER",
    "Failed",
    "RecordPool",
    "Shipped",
    "WorkerPool",
    "extract_and_map",
    "failure",
    "pickles",
    "ship",
    "warm_worker_data",
]

#: Records sent to a worker at once: fewer, larger messages between the processes.
BATCH = 4
#: Records per worker that may be read ahead of the one being written: keeps workers busy
#: while bounding memory.
IN_FLIGHT_PER_WORKER = 4 * BATCH
#: Records a build extracts in its own process before it starts workers: a build this small is
#: done sooner than they start (0.7 s cold, 0.05 s warm on an idle 2-core machine).
START_AFTER = 16
_FORMAT = RdfFormat.N_QUADS
_MAX_MESSAGE = 200


@dataclass(frozen=True, slots=True)
class Shipped:
    """A mapped record on its way back from a worker: its quads as N-Quads bytes."""

    graph: str
    paper: str
    paper_key: str
    build_key: str
    nquads: bytes

    def received(self) -> MappedRecord:
        """The record's quads as pyoxigraph terms again, in the order the mapping wrote them."""
        return MappedRecord(
            graph=NamedNode(self.graph),
            paper=NamedNode(self.paper),
            paper_key=self.paper_key,
            build_key=self.build_key,
            quads=tuple(parse(self.nquads, format=_FORMAT)),
        )


@dataclass(frozen=True, slots=True)
class Failed:
    """A rejection on its way back from a worker (a :class:`RecordError` does not unpickle)."""

    path: str
    line: int
    field: str
    problem: str
    fix: str

    def received(self) -> RecordError:
        """The rejection again."""
        return RecordError(self.path, self.line, self.field, self.problem, self.fix)


def failure(source: str, problem: str) -> RecordError:
    """The rejection of a record whose extraction failed: one line, naming the record."""
    text = " ".join(problem.split())
    if len(text) > _MAX_MESSAGE:
        text = text[: _MAX_MESSAGE - 1] + "…"
    return RecordError(
        source,
        0,
        "extraction",
        f"failed ({text})",
        "check the record; if it looks fine, report it with this line (the others were built)",
    )


def extract_and_map(
    record: PaperRecord, extractor: Extractor, identity: str, base_iri: str
) -> MappedRecord | RecordError:
    """Extract and map one record; an exception becomes that record's rejection."""
    try:
        extraction = extractor.extract(record)
        return map_record(record, extraction, base_iri=base_iri, extractor=identity)
    except RecordError as error:
        return error
    except Exception as error:  # noqa: BLE001 - one bad record must not stop the others
        return failure(record.source, f"{type(error).__name__}: {error}")


class WorkerPool(Protocol):
    """What a build needs of its workers: :class:`RecordPool` here, a Dask cluster's
    (:class:`paperkg.build_dask.DaskPool`), or shard pieces over either (:mod:`.build_shards`).
    """

    workers: int

    def ready(self) -> bool: ...
    def submit(self, records: list[PaperRecord]) -> Future[list[Shipped | Failed]]: ...
    def restart(self) -> None: ...
    def close(self) -> None: ...


# --- the worker side ---------------------------------------------------------------------

_settings: tuple[Extractor, str, str] | None = None


def _start_worker(extractor: Extractor, identity: str, base_iri: str) -> None:
    """Set up a worker: its settings, no Ctrl-C of its own, and exit when the parent dies."""
    global _settings  # noqa: PLW0603 - one worker, one build: set once when it starts
    _settings = (extractor, identity, base_iri)
    # Ctrl-C reaches the whole process group: the parent stops the pool, workers finish cleanly.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = multiprocessing.parent_process()
    if parent is not None:  # a killed parent leaves no worker waiting for work forever
        threading.Thread(target=_exit_with, args=(parent.sentinel,), daemon=True).start()


def _exit_with(sentinel: int) -> None:
    wait([sentinel])
    os._exit(1)


def _work(records: list[PaperRecord]) -> list[Shipped | Failed]:
    assert _settings is not None, "worker started without settings"
    return ship(records, *_settings)


def _work_pieces(records: list[PaperRecord], job: PieceJob) -> Pieces:
    from .build_pieces import write_pieces

    assert _settings is not None, "worker started without settings"
    return write_pieces(records, *_settings, job)


def ship(
    records: list[PaperRecord], extractor: Extractor, identity: str, base_iri: str
) -> list[Shipped | Failed]:
    """Extract and map ``records`` for sending back: quads as N-Quads bytes, errors as fields
    (a worker of this pool or of a Dask cluster runs it).
    """
    done: list[Shipped | Failed] = []
    for record in records:
        result = extract_and_map(record, extractor, identity, base_iri)
        if isinstance(result, RecordError):
            done.append(Failed(result.path, result.line, result.field, result.problem, result.fix))
        else:
            data = serialize(result.quads, format=_FORMAT) or b""
            graph, paper = result.graph.value, result.paper.value
            done.append(Shipped(graph, paper, result.paper_key, result.build_key, data))
    return done


def warm_worker_data() -> None:
    """Load what extraction and mapping read on first use, so that a forkserver holds it once
    for every worker it forks (:mod:`.build_preload`).
    """
    from .extraction.trial_results import results_model
    from .identifiers import converter

    results_model()
    converter()


def _hold() -> int:
    """Keep a worker busy a moment, so that the next call starts another (see ``_launch``)."""
    time.sleep(0.05)
    return os.getpid()


# --- the parent side -----------------------------------------------------------------------


class RecordPool:
    """``workers`` processes that extract and map records.

    They start in a thread at the first :meth:`ready` call; until they answer, the build goes on
    extracting in its own process, so it never sits waiting for them. A worker that dies (an
    exception comes back as a rejection instead) breaks the pool: :meth:`restart` starts a
    fresh one.
    """

    def __init__(self, workers: int, extractor: Extractor, identity: str, base_iri: str) -> None:
        problem = _pickle_problem(extractor)
        if problem:
            raise ConfigError(
                "workers",
                f"extractor {identity} cannot be sent to worker processes ({problem})",
                "build with workers=1, or give an extractor that pickles",
            )
        self.workers = workers
        self._initargs = (extractor, identity, base_iri)
        self._lock = threading.Lock()
        self._starter: threading.Thread | None = None
        self._executor: ProcessPoolExecutor | None = None
        self._failed = ""

    def ready(self) -> bool:
        """Whether the workers answer; the first call starts them (in a thread: a cold start
        takes the seconds the forkserver needs to import paperkg).
        """
        if self._starter is None:
            _start_server()
            self._starter = threading.Thread(target=self._start, name="paperkg-workers")
            self._starter.start()
        with self._lock:
            if self._failed:
                raise ConfigError(
                    "workers",
                    f"worker processes did not start ({self._failed})",
                    "build with workers=1; a script that builds in parallel must run under "
                    "if __name__ == '__main__'",
                )
            return self._executor is not None

    def submit(self, records: list[PaperRecord]) -> Future[list[Shipped | Failed]]:
        """Send records to one worker (after :meth:`ready` or :meth:`restart`)."""
        assert self._executor is not None, "submit before the workers are ready"
        return self._executor.submit(_work, records)

    def submit_pieces(self, records: list[PaperRecord], job: PieceJob) -> Future[Pieces]:
        """Send records to one worker, which writes their graphs into shard pieces
        (``build --shards``, :mod:`.build_pieces`) and sends back only what the report needs.
        """
        assert self._executor is not None, "submit before the workers are ready"
        return self._executor.submit(_work_pieces, records, job)

    def restart(self) -> None:
        """Replace a broken pool by a fresh one, started here and now."""
        self._shutdown()
        self._executor = self._launch()

    def close(self) -> None:
        """Stop the workers: queued records are dropped, running ones finish (milliseconds).

        Workers still starting are waited for first, so that none outlives the build. The
        forkserver goes too: alone it holds its imports (45 MiB) while the build writes the
        concept index and tallies, the build's peak (a later build starts another).
        """
        self._shutdown()
        _stop_server()

    def _shutdown(self) -> None:
        if self._starter is not None:
            self._starter.join()
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)

    def _start(self) -> None:
        try:
            executor = self._launch()
        except Exception as error:  # noqa: BLE001 - reported to the build, in ready()
            with self._lock:
                self._failed = " ".join(f"{type(error).__name__}: {error}".split())[:_MAX_MESSAGE]
            return
        with self._lock:
            self._executor = executor

    def _launch(self) -> ProcessPoolExecutor:
        """A pool with every worker started. Python 3.11 starts workers one per submit, and one
        started while the pool breaks is never stopped (the pool then waits for it forever).
        """
        executor = ProcessPoolExecutor(
            self.workers, mp_context=_context(), initializer=_start_worker, initargs=self._initargs
        )
        try:
            pids: set[int] = set()
            while len(pids) < self.workers:
                calls = [executor.submit(_hold) for _ in range(self.workers)]
                pids.update(call.result() for call in calls)
        except BaseException:
            executor.shutdown(wait=True, cancel_futures=True)
            raise
        return executor


def pickles(extractor: Extractor) -> bool:
    """Whether ``extractor`` can be sent to a worker process."""
    return not _pickle_problem(extractor)


def _pickle_problem(extractor: Extractor) -> str:
    try:
        pickle.dumps(extractor)
    except (pickle.PicklingError, TypeError, AttributeError) as error:
        return " ".join(str(error).split()) or type(error).__name__
    return ""


def _start_server() -> None:
    """Start the forkserver with Ctrl-C ignored, which it and the workers forked from it keep:
    Ctrl-C reaches the whole process group, and only the build should answer it.
    """
    if _context().get_start_method() != "forkserver":
        return
    if threading.current_thread() is not threading.main_thread():
        return  # signal handlers can only be set there; the workers ignore Ctrl-C once started
    previous = signal.getsignal(signal.SIGINT)
    if previous is None:
        return  # a handler set outside Python: left alone
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        forkserver.ensure_running()  # a no-op when it runs already
    except OSError:
        pass  # the workers' start meets it again and reports it
    finally:
        signal.signal(signal.SIGINT, previous)


def _stop_server() -> None:
    """Stop the forkserver if it runs (``ForkServer._stop``: Python's own, for its tests)."""
    stop = getattr(forkserver._forkserver, "_stop", None)  # no public way
    if stop is not None and _context().get_start_method() == "forkserver":
        stop()


def _context() -> multiprocessing.context.BaseContext:
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        # used only when the server first starts
        context.set_forkserver_preload([f"{__package__}.build_preload"])
        return context
    return multiprocessing.get_context("spawn")
