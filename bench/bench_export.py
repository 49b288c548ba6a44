"""Benchmark: how fast ``paperkg export`` writes each format, against baselines run here.

Rates are statements written per second. Each comes with three baselines from the same run on
the same machine, so the ratios mean something on a shared 2-core box whose speed varies:

- reading every quad of the store once into Python (what the first exports did);
- Oxigraph writing every data graph as N-Triples on one thread, into nothing (what an export
  reads now: the store's own writer, no term objects in Python; on disk, decoding the terms
  from the store's string table is nearly all of it); a row beside it reads the same with the
  export's reader threads (``export_union.graph_texts``), which gain only on idle cores;
- Oxigraph serialising the same statements from memory, unsorted (the serialiser alone).

The Turtle and N-Triples exports sort the union of the record graphs by subject, predicate and
object; that step is timed on its own too, on term objects (the first version) and on lines (now),
and both exports are also run from an in-memory copy of the store, where reading costs little.

Peak memory (``export_peaks``, also a step of ``bench_scale.py``): ``paperkg export`` to Turtle and
to N-Quads, each in a process of its own. N-Quads streams graph by graph, so it is the baseline;
Turtle sorts the union in bounded runs on disk, so the ratio should stay flat as the store grows.

Usage: ``python bench/bench_export.py --records 2000`` (generates and builds the records with
``synthetic.write_records`` and ``paperkg build --no-validate``), or ``--store DIR`` to export a
store built before; ``--peaks`` runs the peak-memory comparison only (large stores).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox
from _measure import run_peak
from synthetic import write_records

from paperkg import export_store, open_store
from paperkg.export import EXPORT_FORMATS, PREFIXES
from paperkg.export_union import graph_texts
from paperkg.store import PaperStore, local_graphs

T = TypeVar("T")


def timed(action: Callable[[], T], repeat: int = 1) -> tuple[float, T]:
    """The best time of ``repeat`` runs, and the last run's value."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        value = action()
        best = min(best, time.perf_counter() - start)
    return best, value


def build_store(records: int, folder: Path) -> Path:
    """Generate ``records`` synthetic records and build them with the command line."""
    sources = folder / "records"
    sources.mkdir()
    write_records(sources, records)
    store = folder / "store"
    command = [sys.executable, "-m", "paperkg", "-q", "--store", str(store), "build"]
    seconds, _ = timed(
        lambda: subprocess.run([*command, str(sources), "--no-validate"], check=True)
    )
    print(f"built {records} records in {seconds:.1f} s")
    return store


class _Nothing:
    """A file that keeps nothing: what Oxigraph's writer costs, without the disk."""

    def write(self, data: bytes) -> int:
        return len(data)

    def flush(self) -> None:
        """Nothing to flush."""


def _data_graphs(store: PaperStore) -> list[ox.NamedNode]:
    skipped = set(local_graphs(store))
    return [graph for graph in store.named_graphs() if graph not in skipped]


def dump_graphs(store: PaperStore) -> None:
    """Oxigraph writes every data graph as N-Triples, one after the other, into nothing."""
    for graph in _data_graphs(store):
        store.write_triples(graph, _Nothing())


def read_graphs(store: PaperStore) -> None:
    """The same, as the export reads them: by its reader threads, into memory."""
    for _ in graph_texts(store, _data_graphs(store)):
        pass


def export_peaks(location: Path, folder: Path) -> dict[str, tuple[float, float]]:
    """Seconds and peak MiB of ``paperkg export`` to N-Quads and to Turtle, in own processes."""
    peaks = {}
    for fmt in ("nq", "turtle"):
        target = folder / f"peak.{fmt}"
        command = [sys.executable, "-m", "paperkg", "-q", "--store", str(location), "export"]
        peaks[fmt] = run_peak([*command, "--format", fmt, "-o", str(target)])
        target.unlink()
    return peaks


def print_peaks(peaks: dict[str, tuple[float, float]]) -> None:
    (nq_time, nq_peak), (ttl_time, ttl_peak) = peaks["nq"], peaks["turtle"]
    print(
        f"export peak memory, own process: turtle {ttl_peak:.0f} MiB ({ttl_time:.1f} s), "
        f"nq {nq_peak:.0f} MiB ({nq_time:.1f} s): turtle/nq {ttl_peak / nq_peak:.2f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--store", type=Path, help="Export this store instead of building one.")
    parser.add_argument("--shard-size", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=1, help="Keep the best of this many runs.")
    parser.add_argument("--peaks", action="store_true", help="Only the peak-memory comparison.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        location = args.store or build_store(args.records, out)
        print_peaks(export_peaks(location, out))
        if args.peaks:
            return
        with open_store(location, read_only=True) as store, open_store() as in_memory:
            every = list(store)  # also fills the page cache: every export below reads warm
            in_memory.add_quads(every)
            skipped = set(local_graphs(store))
            quads = [quad for quad in every if quad.graph_name not in skipped]  # the data
            triples = list(dict.fromkeys(quad.triple for quad in quads))
            print(
                f"store {location}: {len(every)} quads, {len(quads)} in the data graphs, "
                f"{len(triples)} distinct triples"
            )
            read_time, _ = timed(lambda: sum(1 for _ in store), args.repeat)
            memory_read, _ = timed(lambda: sum(1 for _ in in_memory), args.repeat)
            dump_time, _ = timed(lambda: dump_graphs(store), args.repeat)
            memory_dump, _ = timed(lambda: dump_graphs(in_memory), args.repeat)
            threads, _ = timed(lambda: read_graphs(store), args.repeat)
            memory_threads, _ = timed(lambda: read_graphs(in_memory), args.repeat)
            rows = [
                ("read every quad into Python", len(every), read_time, memory_read),
                ("Oxigraph writes the data graphs", len(quads), dump_time, memory_dump),
                ("the same, by reader threads", len(quads), threads, memory_threads),
            ]

            def from_memory(statements: list[ox.Quad] | list[ox.Triple], fmt: str) -> float:
                prefixes = dict(PREFIXES) if fmt == "turtle" else None
                path = str(out / f"memory.{fmt}")
                write = partial(
                    ox.serialize, statements, path, EXPORT_FORMATS[fmt][0], prefixes=prefixes
                )
                return timed(write, args.repeat)[0]

            for name, source, fmt, shard_size, compress, statements in (
                ("Turtle", store, "turtle", None, False, triples),
                ("N-Triples", store, "nt", None, False, triples),
                ("N-Quads", store, "nq", None, False, quads),
                (
                    f"N-Quads, shards of {args.shard_size}",
                    store,
                    "nq",
                    args.shard_size,
                    False,
                    quads,
                ),
                ("N-Quads, shards, gzip", store, "nq", args.shard_size, True, quads),
                ("Turtle, store in memory", in_memory, "turtle", None, False, triples),
                ("N-Triples, store in memory", in_memory, "nt", None, False, triples),
            ):
                target = out / ("shards" if shard_size else f"kg.{fmt}")
                write = partial(
                    export_store, source, target, fmt, shard_size=shard_size, compress=compress
                )
                seconds, count = timed(write, args.repeat)
                rows.append((f"export {name}", count, seconds, from_memory(statements, fmt)))

        # The union's repeats removed and sorted by subject, predicate and object: on term
        # objects with a tuple of three texts (the first version) and on N-Triples lines (now).
        text = ox.serialize((quad.triple for quad in quads), format=ox.RdfFormat.N_TRIPLES)
        lines = (text or b"").splitlines(keepends=True)
        by_terms, _ = timed(
            lambda: sorted(
                {quad.triple for quad in quads},
                key=lambda t: (str(t.subject), str(t.predicate), str(t.object)),
            ),
            args.repeat,
        )
        by_lines, _ = timed(lambda: sorted(set(lines)), args.repeat)

    print(
        f"{'step':<36}{'statements':>11}{'seconds':>9}{'stmt/s':>10}{'x memory':>10}"
        f"{'x read':>8}{'x dump':>8}"
    )
    for name, count, seconds, memory in rows:
        print(
            f"{name:<36}{count:>11}{seconds:>9.2f}{count / seconds:>10.0f}"
            f"{seconds / memory:>10.1f}{seconds / read_time:>8.2f}{seconds / dump_time:>8.2f}"
        )
    print("x memory: time / Oxigraph serialising the same statements from memory, unsorted")
    print("  (for the two baselines: time / the same from an in-memory store)")
    print("x read: time / reading every quad of the store into Python once")
    print("x dump: time / Oxigraph writing the data graphs as N-Triples on one thread")
    print(f"repeats out and sorted: by term texts {by_terms:.2f} s, by lines {by_lines:.2f} s")


if __name__ == "__main__":
    main()
