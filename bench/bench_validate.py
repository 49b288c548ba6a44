"""Benchmark: validating a whole store with the default SHACL engine, against pyshacl run here.

For each size, N synthetic records (``synthetic.write_records``) are built without
validation, then the whole store (record graphs and concept index) is validated three ways in
the same run, on the same shapes graph:

- the default engine (pyshacl-turbo), one record graph at a time, as ``paperkg validate`` does;
- pyshacl one record graph at a time (what ``validate`` did before);
- pyshacl once over the union of the same graphs (a floor for any pyshacl batching; it judges
  shared concept nodes over all graphs at once, so it can disagree with the two above; the
  time to copy the union is not counted).

pyshacl-turbo over the same union is printed too: per graph it costs about what a union run
spends on each graph, so batching would gain little. The default's results are checked against
the per-graph pyshacl results.

Usage: ``python bench/bench_validate.py --records 1000 3000``.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import pyoxigraph as ox
import rdflib
from bench_build import timed
from synthetic import write_records

from paperkg import build, open_store
from paperkg.store import PaperStore, index_graphs
from paperkg.validate import DEFAULT_ENGINE, load_shapes, validate_graph, validate_store


def union_of(store: PaperStore, names: list[str]) -> rdflib.Graph:
    union = rdflib.Graph()
    for name in names:
        union += store.rdflib_graph(ox.NamedNode(name))
    return union


def measure(count: int, folder: Path, shapes: rdflib.Graph) -> list[tuple[str, float]]:
    records = folder / f"records-{count}"
    records.mkdir()
    write_records(records, count)
    rows: list[tuple[str, float]] = []
    with open_store(folder / f"kg-{count}") as store:
        built, report = timed(lambda: build(store, [str(records)], validate=False))
        assert report.ok, report.summary()
        rows.append(("build, no validation", built))
        names = [node.value for node in store.record_graphs()] + index_graphs(store)

        default, new = timed(lambda: validate_store(store, shapes=shapes))
        rows.append((f"{DEFAULT_ENGINE}, per graph (default)", default))
        per_graph, old = timed(lambda: validate_store(store, shapes=shapes, engine="pyshacl"))
        rows.append(("pyshacl, per graph (before)", per_graph))
        assert new == old, "the default engine disagrees with pyshacl"
        assert new.graphs_checked == len(names)

        union = union_of(store, names)
        whole, _ = timed(lambda: validate_graph(union, shapes, engine="pyshacl"))
        rows.append(("pyshacl, once over the union", whole))
        turbo_whole, _ = timed(lambda: validate_graph(union, shapes))
        rows.append((f"{DEFAULT_ENGINE}, once over the union", turbo_whole))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, nargs="+", default=[1000, 3000])
    args = parser.parse_args()
    shapes = load_shapes()
    print(f"paperkg validation benchmark: default engine {DEFAULT_ENGINE}")
    with tempfile.TemporaryDirectory() as tmp:
        for count in args.records:
            rows = measure(count, Path(tmp), shapes)
            named = dict(rows)
            default = named[f"{DEFAULT_ENGINE}, per graph (default)"]
            print(f"\n{count} records, {count + 1} graphs (records and concept index)")
            print(f"{'step':<40}{'seconds':>9}{'ms/graph':>10}{'x default':>11}")
            for name, seconds in rows:
                ms = 1000 * seconds / (count + 1)
                print(f"{name:<40}{seconds:>9.2f}{ms:>10.2f}{seconds / default:>11.2f}")
            print("results: default engine == pyshacl per graph (checked)")


if __name__ == "__main__":
    main()
