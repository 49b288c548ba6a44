"""Benchmark: build, validate, query and export N synthetic records, against baselines run here.

Every figure is reported with a baseline measured in the same run on the same machine, so the
ratios mean something on a shared 2-core box whose absolute speed varies:

- build vs. loading the very same quads straight into Oxigraph (the engine's floor);
- build with 2 worker processes vs. the same build in one process;
- query on disk vs. the same query on an in-memory copy;
- Turtle export vs. Oxigraph serialising the same quads from memory;
- SHACL per record graph vs. one pyshacl run over the union of the same graphs;
- networkx views vs. the findings query they read; drawn files vs. GraphML.

Usage: ``python bench/bench_build.py --records 2000`` (``make bench-detail``).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from functools import partial
from pathlib import Path
from unittest import mock

import networkx as nx
import pyoxigraph as ox
import rdflib

from paperkg import (
    build,
    evidence_summary,
    export_store,
    map_file,
    open_store,
    run_query,
    store_stats,
    validate_store,
)
from paperkg.validate import load_shapes, validate_graph
from paperkg.viz import (
    drug_condition_graph,
    flatten,
    neighbourhood_graph,
    paper_graph,
    write_view,
)

# The tests load this file by its path, without bench/ on the import path.
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _measure import DescendantsPeak, own_peak_mib, timed
from synthetic import write_records

__all__ = ["timed", "write_records"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=2000)
    args = parser.parse_args()
    rows: list[tuple[str, float, float, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "records"
        folder.mkdir()
        corpus = write_records(folder, args.records)

        # Baseline: the same quads, already mapped, loaded straight into Oxigraph on disk.
        quads = [q for path in sorted(folder.rglob("*.txt")) for q in map_file(path)[2].quads]
        nquads = Path(tmp) / "all.nq"
        ox.serialize(quads, str(nquads), ox.RdfFormat.N_QUADS)
        raw = ox.Store(str(Path(tmp) / "raw"))
        base_load, _ = timed(lambda: raw.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS))
        raw.flush()

        # One process (workers=1) unless said otherwise, so the rows compare with earlier runs.
        one = partial(build, sources=[str(folder)], validate=False, workers=1)
        with open_store(Path(tmp) / "kg") as store:
            build_time, report = timed(lambda: one(store))
            assert report.ok, report.summary()
            rows.append(
                ("build (read+extract+map+store)", build_time, base_load, "bulk load same quads")
            )
            again, _ = timed(lambda: one(store))
            rows.append(("rebuild, nothing changed", again, build_time, "first build"))
            # The results reader (one learned comparison per stated endpoint) against the same
            # build without it, both warm (the first build pays the imports and caches): the
            # issue's budget is 1.5x. In one process: the mock does not reach worker processes.
            with (
                open_store(Path(tmp) / "kg-no-results") as plain,
                mock.patch("paperkg.extraction.results_for", return_value=()),
            ):
                without, _ = timed(lambda: one(plain))
            with open_store(Path(tmp) / "kg-with-results") as again_store:
                with_reader, _ = timed(lambda: one(again_store))
            rows.append(
                ("build, with the results reader", with_reader, without, "build without it")
            )
            # Two worker processes against one, both from scratch, one after the other; the
            # workers start cold (a forkserver importing paperkg), as for 'paperkg build'.
            with open_store(Path(tmp) / "kg-one") as one_store:
                one_time, _ = timed(lambda: one(one_store))
            with open_store(Path(tmp) / "kg-two") as two_store, DescendantsPeak() as workers:
                two_time, two = timed(
                    lambda: build(two_store, [str(folder)], validate=False, workers=2)
                )
            assert two.ok, two.summary()
            rows.append(("build --workers 2", two_time, one_time, "build --workers 1"))

            in_memory = open_store()
            in_memory.add_quads(store)
            query, params = "drugs-tried-for", {"condition": corpus.top_condition}
            disk_q, result = timed(lambda: run_query(store, query, params))
            mem_q, _ = timed(lambda: run_query(in_memory, query, params))
            rows.append(
                (
                    f"{query} on disk ({len(result.rows)} rows)",
                    disk_q,
                    mem_q,
                    "same query in memory",
                )
            )
            findings_q, findings = timed(lambda: run_query(store, "findings"))
            rows.append(
                (
                    f"findings, all ({len(findings.rows)} rows)",
                    findings_q,
                    disk_q,
                    "drugs-tried-for",
                )
            )

            for other, other_params in (
                ("papers-mentioning", {"entity": corpus.top_condition}),
                ("negative-results", {}),
                ("identifier-conflicts", {}),
            ):
                other_q, other_result = timed(partial(run_query, store, other, other_params))
                rows.append(
                    (
                        f"{other} ({len(other_result.rows)} rows)",
                        other_q,
                        disk_q,
                        "drugs-tried-for",
                    )
                )

            stats_time, _ = timed(lambda: store_stats(store))
            rows.append(("stats", stats_time, findings_q, "findings query"))
            evidence_time, pairs = timed(lambda: evidence_summary(store))
            rows.append(
                (f"evidence ({len(pairs)} pairs)", evidence_time, findings_q, "findings query")
            )

            # networkx views: every finding read and grouped, against the findings query alone.
            view_time, view = timed(lambda: drug_condition_graph(store))
            rows.append(
                (
                    f"drug-condition view ({view.number_of_edges()} edges)",
                    view_time,
                    findings_q,
                    "findings query",
                )
            )
            papers_time, papers = timed(lambda: paper_graph(store))
            rows.append(
                (
                    f"paper view ({papers.number_of_nodes()} nodes)",
                    papers_time,
                    findings_q,
                    "findings query",
                )
            )
            # An author of the first record: a small neighbourhood.
            near_time, near = timed(lambda: neighbourhood_graph(store, corpus.an_author, depth=1))
            rows.append(
                (
                    f"neighbourhood of an author ({near.number_of_nodes()} nodes)",
                    near_time,
                    papers_time,
                    "paper view",
                )
            )
            graphml_time, _ = timed(lambda: write_view(papers, Path(tmp) / "kg.graphml"))
            flat = flatten(papers)
            plain_time, _ = timed(lambda: nx.write_graphml(flat, Path(tmp) / "plain.graphml"))
            rows.append(("GraphML, paper view", graphml_time, plain_time, "networkx write_graphml"))
            for suffix in ("html", "png"):
                target = Path(tmp) / f"kg.{suffix}"
                drawn, _ = timed(partial(write_view, papers, target))
                rows.append(
                    (f"{suffix.upper()}, paper view (300 nodes)", drawn, graphml_time, "GraphML")
                )

            out = Path(tmp) / "kg.ttl"
            export_time, count = timed(lambda: export_store(store, out, "turtle"))
            ser_time, _ = timed(
                lambda: ox.serialize(
                    [q.triple for q in store], str(Path(tmp) / "raw.ttl"), ox.RdfFormat.TURTLE
                )
            )
            rows.append(
                (
                    f"export turtle ({count} triples)",
                    export_time,
                    ser_time,
                    "serialise same quads from memory",
                )
            )

            sample = store.record_graphs()[: min(200, args.records)]
            shapes = load_shapes()
            per_graph, _ = timed(
                lambda: validate_store(store, graphs=[g.value for g in sample], shapes=shapes)
            )
            union = rdflib.Graph()
            for graph in sample:
                union += store.rdflib_graph(graph)
            whole, _ = timed(lambda: validate_graph(union, shapes, engine="pyshacl"))
            rows.append(
                (
                    f"SHACL {len(sample)} record graphs",
                    per_graph,
                    whole,
                    "one pyshacl run on their union",
                )
            )

    peak = own_peak_mib()
    print(f"paperkg benchmark: {args.records} synthetic records, {len(quads)} quads")
    print(f"{'step':<44}{'seconds':>9}{'baseline s':>12}{'ratio':>8}  baseline")
    for name, value, baseline, what in rows:
        ratio = value / baseline if baseline else float("inf")
        print(f"{name:<44}{value:>9.2f}{baseline:>12.2f}{ratio:>8.1f}  {what}")
    print(
        f"records per second (build): {args.records / rows[0][1]:.0f}; "
        f"--workers 1: {args.records / one_time:.0f}, --workers 2: {args.records / two_time:.0f}"
    )
    print(f"peak resident memory: {peak:.0f} MiB; of a build worker: {workers.peak:.0f} MiB")


if __name__ == "__main__":
    main()
