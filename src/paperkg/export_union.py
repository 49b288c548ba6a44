"""The data graphs' text as Oxigraph writes it, and their union as sorted, de-duplicated
N-Triples lines in bounded memory.

Reading dominates an export of an on-disk store: Oxigraph decodes every term from the store's
string table, which costs nearly as much when its own writer asks as when Python does. So the
graphs are written as N-Triples by Oxigraph (no term objects cross into Python), a few at a time
by reader threads (:func:`graph_texts`; Oxigraph lets go of the GIL while it reads, so they gain
where a core is idle), and Python works on whole texts and lines with C-level calls only:
``bytes.replace``, ``splitlines``, sets, sorts, joins.

Turtle writes a subject once only if its triples come together, and an export must give the
same bytes each time, so the union is written sorted. The store cannot give that order
(Oxigraph's indexes order terms by hash, and keep each graph apart), and sorting the whole
union in memory took 5.4 GB at 100,000 records. So this is an external sort: each graph's lines
gather in a set until ``run_bytes``, each full set is sorted and spilled to a temporary file, and
the runs are merged with the repeats dropped (a concept's triples recur in every record graph
that names it). A union that fits in one run never touches the disk.

The order is that of the lines' bytes, which is the order of the terms' texts in turn: a line
joins the terms with spaces, and no subject or predicate text is a prefix of another (an IRI
ends at its only ``>``, a blank node at the space after it).
"""

from __future__ import annotations

import bisect
import collections
import contextlib
import io
import itertools
import os
import tempfile
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from .store import PaperStore

__all__ = ["BATCH", "FAN_IN", "RUN_BYTES", "graph_texts", "sorted_union", "with_graph"]

#: The memory one run may take: its lines' bytes and Python's cost of holding them
#: (:data:`_LINE_COST`). Tests make it tiny so that small stores are merged from many runs.
RUN_BYTES = 128 * 2**20
#: What Python spends on a line held in a run beyond its text: the bytes object's header, its
#: slot in the set and in the sorted list, and the allocator's rounding (measured: ~85 bytes).
_LINE_COST = 96
#: Runs merged at once; more are first merged in rounds, so open files and read buffers stay few.
FAN_IN = 64
#: Lines handed on at a time: enough that Python's cost per call is nothing beside the lines'.
BATCH = 65_536
_READ_BUFFER = 256 * 1024
#: Reader threads, and graphs read ahead of the one being written (bounds the memory they take).
_READERS = max(1, min(4, os.cpu_count() or 1))
_READ_AHEAD = 4 * _READERS


def graph_texts(
    store: PaperStore, graphs: Iterable[ox.NamedNode]
) -> Iterator[tuple[ox.NamedNode, bytes]]:
    """Each of ``graphs`` with its N-Triples text (a line a statement, in the store's order),
    in the order given, read by :data:`_READERS` threads at most :data:`_READ_AHEAD` ahead.

    An error while reading a graph is raised here, when that graph's turn comes.
    """
    with ThreadPoolExecutor(_READERS, thread_name_prefix="paperkg-export") as pool:
        pending: collections.deque[tuple[ox.NamedNode, Future[bytes]]] = collections.deque()
        try:
            for graph in graphs:
                pending.append((graph, pool.submit(_text, store, graph)))
                if len(pending) >= _READ_AHEAD:
                    done, text = pending.popleft()
                    yield done, text.result()
            while pending:
                done, text = pending.popleft()
                yield done, text.result()
        finally:
            for _, waiting in pending:  # an error or an early stop: read no further
                waiting.cancel()


def _text(store: PaperStore, graph: ox.NamedNode) -> bytes:
    buffer = io.BytesIO()
    store.write_triples(graph, buffer)
    return buffer.getvalue()


def with_graph(text: bytes, graph: ox.NamedNode) -> bytes:
    """N-Triples ``text`` as the N-Quads of ``graph``: the graph's name before each line's end.

    Oxigraph escapes line breaks in literals, so a line break is only ever a statement's end,
    and every statement ends with a space, a full stop and the line break.
    """
    return text.replace(b" .\n", b" " + str(graph).encode("utf-8") + b" .\n")


@contextlib.contextmanager
def sorted_union(
    store: PaperStore,
    graphs: Iterable[ox.NamedNode],
    spill_dir: Path,
    run_bytes: int | None = None,
) -> Iterator[Iterator[list[bytes]]]:
    """Yield the distinct N-Triples lines of ``graphs``, sorted, in lists of at most
    :data:`BATCH`; spilled runs go to a temporary folder in ``spill_dir``, removed when the block
    ends (also on error).
    """
    with contextlib.ExitStack() as stack:
        runs = _Runs(stack, spill_dir, RUN_BYTES if run_bytes is None else run_bytes)
        for _, text in graph_texts(store, graphs):
            runs.add(text)
        yield runs.merged()


class _Runs:
    """The run being gathered, and the spilled ones."""

    def __init__(self, stack: contextlib.ExitStack, spill_dir: Path, run_bytes: int) -> None:
        self.lines: set[bytes] = set()
        self.cost = 0
        self.files: list[Path] = []
        self._stack = stack
        self._spill_dir = spill_dir
        self._run_bytes = max(run_bytes, 1)
        self._folder: Path | None = None
        self._written = 0

    def add(self, text: bytes) -> None:
        """Take one graph's N-Triples text; spill the run once it holds ``run_bytes``."""
        if not text:
            return
        if not text.endswith(b"\n"):
            raise ValueError("the N-Triples output did not end with a line break")
        lines = text.splitlines(keepends=True)
        before = len(self.lines)
        self.lines.update(lines)
        self.cost += (len(self.lines) - before) * (_LINE_COST + len(text) // len(lines))
        if self.cost >= self._run_bytes:
            self._spill(sorted(self.lines))

    def _spill(self, lines: Iterable[bytes]) -> None:
        """Write sorted lines to a new run file, and start the next run empty."""
        self.lines = set()
        self.cost = 0
        if self._folder is None:
            self._folder = Path(
                self._stack.enter_context(
                    tempfile.TemporaryDirectory(prefix=".paperkg-runs-", dir=self._spill_dir)
                )
            )
        path = self._folder / f"run-{self._written:06d}"
        self._written += 1
        with open(path, "wb", buffering=_READ_BUFFER) as stream:
            stream.writelines(lines)
        self.files.append(path)

    def merged(self) -> Iterator[list[bytes]]:
        """Every distinct line in order: the last run stays in memory, merged with the files."""
        last = sorted(self.lines)
        self.lines = set()
        if not self.files:
            return _slices(last)
        while len(self.files) >= FAN_IN:  # merge in rounds: FAN_IN files become one
            group, self.files = self.files[:FAN_IN], self.files[FAN_IN:]
            with contextlib.ExitStack() as reading:
                merged = _merge([_blocks(stream) for stream in _open_all(reading, group)])
                self._spill(itertools.chain.from_iterable(merged))
            for path in group:
                path.unlink()
        sources = [_blocks(stream) for stream in _open_all(self._stack, self.files)]
        return _merge([*sources, _slices(last)])


def _open_all(stack: contextlib.ExitStack, paths: list[Path]) -> list[BinaryIO]:
    return [stack.enter_context(open(path, "rb", buffering=_READ_BUFFER)) for path in paths]


def _slices(lines: list[bytes]) -> Iterator[list[bytes]]:
    return (lines[start : start + BATCH] for start in range(0, len(lines), BATCH))


def _blocks(stream: BinaryIO) -> Iterator[list[bytes]]:
    """A run file's lines, a read buffer's worth at a time."""
    return iter(lambda: stream.readlines(_READ_BUFFER), [])


class _Source:
    """A sorted source taken from a block at a time: the block, and where in it the next line is."""

    def __init__(self, blocks: Iterator[list[bytes]]) -> None:
        self._blocks = blocks
        self.block: list[bytes] = []
        self.start = 0

    def ready(self) -> bool:
        """Read the next block once this one is used up; ``False`` when the source is done."""
        if self.start < len(self.block):
            return True
        self.block = next(self._blocks, [])
        self.start = 0
        return bool(self.block)


def _merge(blocks: Iterable[Iterator[list[bytes]]]) -> Iterator[list[bytes]]:
    """Sorted sources merged into sorted batches, each line once.

    Each round takes from every source the lines up to the least of their blocks' last lines:
    no line left behind is smaller than one taken, and every copy of a line goes in the same
    round, where a sort (Python's, which merges the sorted pieces) and a dict drop the repeats.
    """
    active = [source for source in map(_Source, blocks) if source.ready()]
    while active:
        bound = min(source.block[-1] for source in active)
        taken: list[bytes] = []
        for source in active:
            end = bisect.bisect_right(source.block, bound, source.start)
            taken.extend(source.block[source.start : end])
            source.start = end
        taken.sort()
        yield from _slices(list(dict.fromkeys(taken)))
        active = [source for source in active if source.ready()]
