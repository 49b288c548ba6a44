"""Benchmark: build a PubMed baseline-sized file (issue 15: 30,000 citations, peak <= 300 MB).

The citations are the real MEDLINE file's (``../shared/corpora/pubmed``) repeated with fresh
PMIDs and DOIs (and no PMC ids), so each copy is a paper of its own; the file is written as
gzip, one copy at a time. The build runs in this process (``--workers``, default 1, as a
baseline file builds on a small machine), without validation unless ``--validate``; printed:
citations/s, the peak memory of this process and the largest sum over it and every process
it started (build workers).

Usage: ``python bench/bench_pubmed.py --citations 30000 [--workers 2] [--validate] [--tmp DIR]``
"""

from __future__ import annotations

import argparse
import gzip
import re
import tempfile
from pathlib import Path

from _measure import DescendantsPeak, own_peak_mib, timed

from paperkg import build
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--citations", type=int, default=30_000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--validate", action="store_true")
    parser.add_argument("--tmp", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.tmp) as folder:
        path = Path(folder) / "citations.xml.gz"
        written = write_citations(path, args.citations)
        size = path.stat().st_size
        store = PaperStore(Path(folder) / "store")
        with DescendantsPeak() as peak:
            seconds, report = timed(
                lambda: build(store, path, workers=args.workers, validate=args.validate)
            )
        store.close()
    print(f"citations      {written} ({size / 2**20:.1f} MiB gzip)")
    print(f"report         {report.summary()}")
    print(f"build          {seconds:.1f} s, {written / seconds:.1f} citations/s")
    print(f"peak memory    {own_peak_mib():.0f} MiB this process")
    print(f"               {peak.total_peak:.0f} MiB with every process it started")
    met = max(own_peak_mib(), peak.total_peak) <= 300
    print(f"target         peak <= 300 MiB: {'met' if met else 'missed'}")
    return 0 if report.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
