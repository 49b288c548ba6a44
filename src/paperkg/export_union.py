"""The union of the data graphs as sorted, de-duplicated N-Triples lines, in bounded memory.

Turtle writes a subject once only if its triples come together, and an export must give the
same bytes each time, so the union is written sorted. The store cannot give that order
(Oxigraph's indexes order terms by hash, and keep each graph apart), and sorting the whole
union in memory took 5.4 GB at 100,000 records. So this is an external sort: Oxigraph writes
each graph as N-Triples (no term objects cross into Python), the lines gather in a set until
``run_bytes``, each full set is sorted and spilled to a temporary file, and the runs are merged
with the repeats dropped (a concept's triples recur in every record graph that names it). A
union that fits in one run never touches the disk.

The order is that of the lines' bytes, which is the order of the terms' texts in turn: a line
joins the terms with spaces, and no subject or predicate text is a prefix of another (an IRI
ends at its only ``>``, a blank node at the space after it).
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import pyoxigraph as ox

from .store import PaperStore

__all__ = ["RUN_BYTES", "sorted_union"]

#: The memory one run may take: its lines' bytes and Python's cost of holding them
#: (:data:`_LINE_COST`). Tests make it tiny so that small stores are merged from many runs.
RUN_BYTES = 128 * 2**20
#: What Python spends on a line held in a run beyond its text: the bytes object's header, its
#: slot in the set and in the sorted list, and the allocator's rounding (measured: ~85 bytes).
_LINE_COST = 96
#: Runs merged at once; more are first merged in rounds, so open files and read buffers stay few.
FAN_IN = 64
_READ_BUFFER = 256 * 1024


@contextlib.contextmanager
def sorted_union(
    store: PaperStore,
    graphs: Iterable[ox.NamedNode],
    spill_dir: Path,
    run_bytes: int | None = None,
) -> Iterator[Iterator[bytes]]:
    """Yield the distinct N-Triples lines of ``graphs``, sorted; spilled runs go to a temporary
    folder in ``spill_dir``, removed when the block ends (also on error).
    """
    with contextlib.ExitStack() as stack:
        runs = _Runs(stack, spill_dir, RUN_BYTES if run_bytes is None else run_bytes)
        for graph in graphs:
            store.write_triples(graph, runs)
        yield runs.merged()


class _Runs:
    """The run being gathered (a file-like target for Oxigraph's writer), and the spilled ones."""

    def __init__(self, stack: contextlib.ExitStack, spill_dir: Path, run_bytes: int) -> None:
        self.lines: set[bytes] = set()
        self.cost = 0
        self.files: list[Path] = []
        self._stack = stack
        self._spill_dir = spill_dir
        self._run_bytes = max(run_bytes, 1)
        self._folder: Path | None = None
        self._written = 0
        self._tail = b""

    def write(self, data: bytes) -> int:
        """Take Oxigraph's output a buffer at a time; a line cut at the buffer's end waits."""
        text = self._tail + data if self._tail else data
        end = text.rfind(b"\n") + 1
        self._tail = text[end:]
        if end:
            lines = text[:end].splitlines(keepends=True)
            before = len(self.lines)
            self.lines.update(lines)
            added = len(self.lines) - before
            self.cost += added * (_LINE_COST + end // len(lines))
            if self.cost >= self._run_bytes:
                self._spill(sorted(self.lines))
        return len(data)

    def flush(self) -> None:
        """Nothing to flush: lines are taken as they come."""

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

    def merged(self) -> Iterator[bytes]:
        """Every distinct line in order: the last run stays in memory, merged with the files."""
        if self._tail:
            raise ValueError("the N-Triples output did not end with a line break")
        last = sorted(self.lines)
        self.lines = set()
        if not self.files:
            return iter(last)
        while len(self.files) >= FAN_IN:  # merge in rounds: FAN_IN files become one
            group, self.files = self.files[:FAN_IN], self.files[FAN_IN:]
            with contextlib.ExitStack() as reading:
                self._spill(_distinct(_open_all(reading, group)))
            for path in group:
                path.unlink()
        return _distinct([*_open_all(self._stack, self.files), last])


def _open_all(stack: contextlib.ExitStack, paths: list[Path]) -> list[Iterator[bytes]]:
    return [stack.enter_context(open(path, "rb", buffering=_READ_BUFFER)) for path in paths]


def _distinct(sources: Sequence[Iterable[bytes]]) -> Iterator[bytes]:
    """Sorted sources merged into one sorted stream, each line once."""
    return (line for line, _ in itertools.groupby(heapq.merge(*sources)))
