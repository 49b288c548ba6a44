"""Benchmark: build a PubMed baseline-sized file (issue 15: 30,000 citations, peak <= 300 MB).

The citations are the real MEDLINE file's (``../shared/corpora/pubmed``) repeated with fresh
PMIDs and DOIs (and no PMC ids), so each copy is a paper of its own; the file is written as
gzip, one copy at a time. The build runs in this process (``--workers``, default 1, as a
baseline file builds on a small machine), without validation unless ``--validate``; printed:
citations/s, the peak memory of this process and the largest sum over it and every process
it started (build workers, their forkserver), resident and proportional (shared pages counted
once: the target's measure), each process's own, and per phase (records read, written and,
with ``--validate``, validated a batch at a time as written; then concept index and tallies).
The baseline,
measured in the same run after it with the same settings: synthetic seed-layout records
(``synthetic.py``, ``--baseline`` of them) built from a folder, records/s; the target asks
the citations to build no slower.

Usage: ``python bench/bench_pubmed.py --citations 30000 [--workers 2] [--validate]
[--baseline 2000] [--tmp DIR]``
"""

from __future__ import annotations

import argparse
import gzip
import re
import shutil
import tempfile
from pathlib import Path

from _measure import DescendantsPeak, own_peak_mib, timed
from synthetic import write_records

from paperkg import build
from paperkg.build import BuildReport, BuildStep
from paperkg.store import PaperStore

SOURCE = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "pubmed"
SOURCE_FILE = SOURCE / "medline16n0902.xml.gz"
_PMID = re.compile(r'(<MedlineCitation [^>]*>\s*<PMID Version="\d+">)(\d+)')
_DOI = re.compile(r'(<ELocationID EIdType="doi"[^>]*>)([^<]+)')
_PMC = re.compile(r'<OtherID Source="NLM">PMC[^<]*</OtherID>')


def write_citations(target: Path, count: int) -> int:
    """Write ``count`` citations (whole copies of the real file's, the last copy cut short) and
    say how many were written.
    """
    text = gzip.decompress(SOURCE_FILE.read_bytes()).decode("utf-8")
    head, rest = text.split("<MedlineCitationSet>", 1)
    body = rest.rsplit("<DeleteCitation>", 1)[0]
    citations = re.findall(r"<MedlineCitation .*?</MedlineCitation>\s*", body, re.DOTALL)
    written = 0
    with gzip.open(target, "wt", encoding="utf-8") as out:
        out.write(head + "<MedlineCitationSet>\n")
        copy = 0
        while written < count:
            for citation in citations[: count - written]:
                out.write(_fresh(citation, copy) if copy else citation)
                written += 1
            copy += 1
        out.write("</MedlineCitationSet>\n")
    return written


def _fresh(citation: str, copy: int) -> str:
    """The citation as another paper: PMID and DOI changed, PMC id dropped."""
    shift = copy * 100_000_000
    text = _PMID.sub(lambda match: match[1] + str(int(match[2]) + shift), citation)
    text = _DOI.sub(lambda match: f"{match[1]}{match[2]}.copy{copy}", text)
    return _PMC.sub("", text)


def _build(
    sources: Path, store_path: Path, count: int, args: argparse.Namespace, peak: DescendantsPeak
) -> tuple[float, BuildReport]:
    """Build ``sources`` (``count`` records) into a fresh store, naming the phases for ``peak``:
    records (read, extracted, written; validated in batches as written), then index (the last
    batch validated, concept index and tallies).
    """
    done = 0

    def step(_: BuildStep) -> None:
        nonlocal done
        done += 1
        peak.phase = "index" if done == count else "records"

    store = PaperStore(store_path)
    try:
        peak.phase = "records"
        return timed(
            lambda: build(
                store,
                sources,
                workers=args.workers,
                validate=args.validate,
                progress=step,
            )
        )
    finally:
        store.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--citations", type=int, default=30_000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--validate", action="store_true")
    parser.add_argument("--baseline", type=int, default=2_000, help="seed-layout records")
    parser.add_argument("--tmp", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.tmp) as name:
        folder = Path(name)
        path = folder / "citations.xml.gz"
        written = write_citations(path, args.citations)
        size = path.stat().st_size
        with DescendantsPeak() as peak:
            seconds, report = _build(path, folder / "store", written, args, peak)
        own = own_peak_mib()  # before the baseline, which runs in this process too
        shutil.rmtree(folder / "store")
        path.unlink()
        write_records(folder / "records", args.baseline)
        with DescendantsPeak() as base_peak:  # its memory is not the baseline's: same process
            base_seconds, base_report = _build(
                folder / "records", folder / "base-store", args.baseline, args, base_peak
            )
    rate, base_rate = written / seconds, args.baseline / base_seconds
    print(f"citations      {written} ({size / 2**20:.1f} MiB gzip), workers {args.workers}")
    print(f"report         {report.summary()}")
    print(f"build          {seconds:.1f} s, {rate:.1f} citations/s")
    print(f"peak memory    {own:.0f} MiB this process")
    print(f"               {peak.total_peak:.0f} MiB with every process it started")
    print(f"               {peak.pss_peak:.0f} MiB proportional (shared pages counted once)")
    print(f"               per process, resident/proportional: {peak.roles()}")
    for phase, value in peak.phase_peaks.items():
        if phase:
            share = peak.phase_pss_peaks[phase]
            print(f"               {value:.0f} MiB ({share:.0f} proportional) while {phase}")
    print(f"baseline       {args.baseline} seed-layout records: {base_report.summary()}")
    print(f"               {base_seconds:.1f} s, {base_rate:.1f} records/s")
    print(f"ratio          citations/s vs. records/s: {rate / base_rate:.2f}")
    # 300 MB is 286 MiB; the processes' memory with shared pages counted once, as they use it
    met = max(own, peak.pss_peak) <= 300e6 / 2**20
    fast = rate >= base_rate
    print(f"target         peak <= 300 MB (286 MiB): {'met' if met else 'missed'}")
    print(f"               no slower than seed-layout records: {'met' if fast else 'missed'}")
    return 0 if report.ok and base_report.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
