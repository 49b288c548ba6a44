"""Benchmark: validating a whole store with the default SHACL engine (sparql), against the others
run here.

For each size, N synthetic records (``synthetic.write_records``) are built without
validation, then the whole store (record graphs and concept index) is validated in the same
run, on the same shapes graph:

- the default engine (sparql): the shapes compiled to SPARQL, run over every graph at once, as
  ``paperkg validate`` does; then again, as validating an unchanged store does (the validation
  log already holds every entry);
- pyshacl-turbo, one record graph at a time (the default before);
- pyshacl one record graph at a time (the reference; ``--skip-pyshacl`` leaves it out, with
  the next two rows, for large stores);
- pyshacl once over the union of the same graphs (a floor for any pyshacl batching; it judges
  shared concept nodes over all graphs at once, so it can disagree with the rows above; the
  time to copy the union is not counted), and pyshacl-turbo over the same union.

The default's results are checked against pyshacl-turbo's and, when it runs, pyshacl's. Each
row gives wall seconds and the CPU seconds of this process, which vary less than wall time on a
shared machine.

Usage: ``python bench/bench_validate.py --records 1000 5000 [--skip-pyshacl | --default-only]``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox
import rdflib
from synthetic import write_records

from paperkg import build, open_store
from paperkg.store import PaperStore, index_graphs
from paperkg.validate import DEFAULT_ENGINE, load_shapes, validate_graph, validate_store

DEFAULT_ROW = f"{DEFAULT_ENGINE}, whole store (default)"
T = TypeVar("T")
#: (step, wall seconds, CPU seconds of this process)
Row = tuple[str, float, float]
_cpu: list[float] = []


def timed(action: Callable[[], T]) -> tuple[float, T]:
    """Wall seconds of one call and its value; its CPU seconds are kept in ``_cpu``."""
    start, cpu = time.perf_counter(), time.process_time()
    value = action()
    _cpu.append(time.process_time() - cpu)
    return time.perf_counter() - start, value


def union_of(store: PaperStore, names: list[str]) -> rdflib.Graph:
    union = rdflib.Graph()
    for name in names:
        union += store.rdflib_graph(ox.NamedNode(name))
    return union


def measure(
    count: int, folder: Path, shapes: rdflib.Graph, *, reference: bool, others: bool = True
) -> list[Row]:
    records = folder / f"records-{count}"
    records.mkdir()
    write_records(records, count)
    rows: list[Row] = []
    with open_store(folder / f"kg-{count}") as store:
        built, report = timed(lambda: build(store, [str(records)], validate=False))
        assert report.ok, report.summary()
        rows.append(("build, no validation", built, _cpu[-1]))
        names = [node.value for node in store.record_graphs()] + index_graphs(store)

        default, new = timed(lambda: validate_store(store, shapes=shapes))
        rows.append((DEFAULT_ROW, default, _cpu[-1]))
        again, same = timed(lambda: validate_store(store, shapes=shapes))
        rows.append((f"{DEFAULT_ENGINE}, again (log as it was)", again, _cpu[-1]))
        assert same == new, "validating again gave another report"
        if not others:
            return rows
        turbo, before = timed(lambda: validate_store(store, shapes=shapes, engine="pyshacl-turbo"))
        rows.append(("pyshacl-turbo, per graph (before)", turbo, _cpu[-1]))
        assert new == before, "the default engine disagrees with pyshacl-turbo"
        assert new.graphs_checked == len(names)
        if not reference:
            return rows
        per_graph, old = timed(lambda: validate_store(store, shapes=shapes, engine="pyshacl"))
        rows.append(("pyshacl, per graph (reference)", per_graph, _cpu[-1]))
        assert new == old, "the default engine disagrees with pyshacl"

        union = union_of(store, names)
        whole, _ = timed(lambda: validate_graph(union, shapes, engine="pyshacl"))
        rows.append(("pyshacl, once over the union", whole, _cpu[-1]))
        turbo_whole, _ = timed(lambda: validate_graph(union, shapes, engine="pyshacl-turbo"))
        rows.append(("pyshacl-turbo, once over the union", turbo_whole, _cpu[-1]))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, nargs="+", default=[1000, 3000])
    parser.add_argument(
        "--skip-pyshacl", action="store_true", help="leave out the pyshacl rows (slow)"
    )
    parser.add_argument(
        "--default-only",
        action="store_true",
        help="only the default engine, twice (for stores too large for the per-graph engines)",
    )
    args = parser.parse_args()
    shapes = load_shapes()
    print(f"paperkg validation benchmark: default engine {DEFAULT_ENGINE}")
    with tempfile.TemporaryDirectory() as tmp:
        for count in args.records:
            rows = measure(
                count,
                Path(tmp),
                shapes,
                reference=not (args.skip_pyshacl or args.default_only),
                others=not args.default_only,
            )
            default = next(seconds for name, seconds, _ in rows if name == DEFAULT_ROW)
            print(f"\n{count} records, {count + 1} graphs (records and concept index)")
            heads = ("seconds", "ms/graph", "x default", "CPU s", "CPU ms/graph")
            print(f"{'step':<40}" + "".join(f"{head:>{len(head) + 3}}" for head in heads))
            for name, seconds, cpu in rows:
                ms, cpu_ms = 1000 * seconds / (count + 1), 1000 * cpu / (count + 1)
                print(
                    f"{name:<40}{seconds:>10.2f}{ms:>11.2f}{seconds / default:>12.2f}"
                    f"{cpu:>8.2f}{cpu_ms:>15.2f}"
                )
            if args.default_only:
                print("results: the second run == the first (checked); other engines not run")
                continue
            checked = "pyshacl-turbo" + ("" if args.skip_pyshacl else " and pyshacl per graph")
            print(f"results: default engine == {checked} (checked)")


if __name__ == "__main__":
    main()
