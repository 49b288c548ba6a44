"""Benchmark of the tallies on a built store: the whole recount's memory, and the whole-store
readers (drug–condition view, evidence summary) against reading the tally graph once.

Each figure is a ratio to a baseline measured in the same run:

- a whole recount of the tallies (an earlier tally graph dropped, every count written), its
  peak memory and time in a process of its own, vs. the counting queries alone in another
  (their solutions read and dropped: the floor of counting);
- the pairs the drug–condition view draws and those the evidence summary reports, vs. every
  statement of the tally graph read once into Python (what they read before the store grouped
  them), and the view and the summary themselves.

The store is copied first (the recount writes). Usage: ``python bench/bench_tallies.py STORE``
(a store built by ``paperkg build``, e.g. of ``bench/synthetic.py`` records).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from _measure import own_peak_mib, run_peak, timed

from paperkg import drug_condition_graph, evidence_summary, open_store
from paperkg.store import PaperStore, tally_graphs
from paperkg.tallies import pair_outcome_tallies, pair_tallies, refresh_tallies

#: The counting queries of a whole recount (paperkg.tallies), run alone as its floor.
COUNTING = (
    "tally-pairs",
    "tally-pair-outcomes",
    "tally-pair-designs",
    "tally-pair-indexing",
    "tally-pair-doses",
)


def step(store: Path, name: str) -> None:
    """One measured step, in the process ``run_peak`` started."""
    opened = open_store(store)
    if name == "recount":
        refresh_tallies(opened)
    else:
        for query in COUNTING:
            for _ in opened.solutions(query, values={"drug": None, "condition": None}):
                pass
        for _ in opened.solutions("tally-concepts", values={"concept": None}):
            pass
    print(f"{own_peak_mib():.0f}")


def every_statement(store: PaperStore) -> int:
    """The tally graph read once, a statement at a time, its terms' values taken."""
    read = 0
    for graph in tally_graphs(store):
        for quad in store.quads_for_pattern(None, None, None, graph):
            read += bool(str(quad.subject)) + bool(str(quad.object))
    return read


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--step", choices=("recount", "counting"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        step(args.store, args.step)
        return
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "store"
        shutil.copytree(args.store, copy, ignore=shutil.ignore_patterns(".lock"))
        this = [sys.executable, str(Path(__file__).resolve()), str(copy), "--step"]
        count_s, count_mib = run_peak([*this, "counting"])
        recount_s, recount_mib = run_peak([*this, "recount"])
        print(f"whole recount: {recount_s:.1f} s, peak {recount_mib:.0f} MiB")
        print(f"  counting queries alone: {count_s:.1f} s, peak {count_mib:.0f} MiB")
        print(f"  ratio: {recount_s / count_s:.2f}x time, {recount_mib / count_mib:.2f}x memory")
        store = open_store(copy)
        read_s, _ = timed(lambda: every_statement(store))
        print(f"every tally statement read once: {read_s:.2f} s (baseline)")
        for name, action in (
            ("view's pairs (pair_outcome_tallies)", lambda: len(pair_outcome_tallies(store))),
            ("every pair (pair_tallies)", lambda: len(pair_tallies(store))),
            ("drug-condition view", lambda: drug_condition_graph(store).number_of_edges()),
            ("evidence summary", lambda: len(evidence_summary(store))),
        ):
            seconds, size = timed(action)
            print(f"{name} ({size}): {seconds:.2f} s, {seconds / read_s:.2f}x the baseline")
        store.close()


if __name__ == "__main__":
    main()
