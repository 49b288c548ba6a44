"""The papers behind an edge (its ``support``): each finding's paper, outcome, dose, results and
sentences, read from the store only when something uses them.

The whole-store drug–condition view comes from the counts kept at ingest; reading every
finding's sentences, doses and results for it cost 150 s at 100,000 records. Its edges carry a
:class:`PairSupport` instead of a list: a sequence that reads the pair's findings on first use
(one edge after another, then the whole store at once when many are asked for, as writing a
GraphML file of everything does). The offline explorer embeds at most
:data:`EMBEDDED_PAPERS` papers per edge, the most recent, and reads only those
(:func:`embedded_support`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, overload

import networkx as nx
import pyoxigraph as ox

from ..errors import VizError
from ..model import Outcome, is_conflicting
from ..store import PaperStore, term_text
from .snapshot import WHOLE_READ_FACTOR, Finding, Snapshot, canonical_concepts, read_snapshot
from .style import CONFLICTING

__all__ = [
    "EMBEDDED_PAPERS",
    "PAGE_PAPERS",
    "PairSupport",
    "SupportReader",
    "combined_outcome",
    "embedded_support",
    "support_entry",
]

#: Papers per edge an explorer page embeds (the most recent): a whole-store page of 100,000
#: records cannot hold every sentence of every paper behind its busiest edges.
EMBEDDED_PAPERS = 20

#: Papers a whole page embeds across its edges: a page of thousands of edges embeds fewer
#: papers per edge (at least one), so that drawing it reads a share of the store, not all of it
#: (150 s at 100,000 records when every edge embedded 20).
PAGE_PAPERS = 4_000

#: Edges whose support is read one by one before the reader reads every finding at once.
_SINGLE_READS = 5

Pair = tuple[str, str]
Entry = dict[str, Any]


def support_entry(snapshot: Snapshot, finding: Finding) -> Entry:
    """One finding as an edge's support: its paper, outcome, dose, results and sentences."""
    paper = snapshot.papers[finding.paper]
    doses = snapshot.doses.get(finding.iri, [])
    return {
        "paper": paper.iri,
        "title": paper.title,
        "url": paper.url,
        "year": paper.year,
        "design": paper.design,
        "sample_size": paper.sample_size,
        "outcome": finding.outcome,
        "dose": "; ".join(doses) or None,
        "evidence": list(snapshot.evidence.get(finding.iri, [])),
        "results": list(snapshot.results.get(finding.iri, [])),
    }


def combined_outcome(outcomes: Mapping[str, int]) -> str:
    """One colour for several papers: their outcome if they agree, else conflicting or mixed."""
    if is_conflicting(outcomes):
        return CONFLICTING
    present = [name for name, count in outcomes.items() if count]
    if len(present) == 1:
        return present[0]
    return Outcome.MIXED.value


class SupportReader:
    """Reads, for (canonical drug, canonical condition) pairs, the support of their findings."""

    def __init__(self, store: PaperStore) -> None:
        self._source = store
        self._read: dict[Pair, list[Entry]] = {}
        self._singles = 0
        self._everything = False
        self._canonical: dict[str, str] | None = None
        self._records: int | None = None

    def entries(self, pair: Pair) -> list[Entry]:
        """Every entry of ``pair``, ordered by paper and finding (read once, then kept)."""
        if pair not in self._read and not self._everything:
            self._singles += 1
            if self._singles > _SINGLE_READS:
                self._read_everything()
            else:
                entries, _ = self._pairs([pair], None)
                self._read.update(entries)
        return self._read.get(pair, [])

    def latest(self, pairs: Iterable[Pair], papers: int) -> dict[Pair, tuple[list[Entry], int]]:
        """For each pair, the entries of its ``papers`` most recent papers and how many papers
        were left out; the pairs not read yet are read together, and only those papers.
        """
        wanted = sorted(set(pairs))
        missing = [pair for pair in wanted if pair not in self._read and not self._everything]
        fresh, left_out = self._pairs(missing, papers) if missing else ({}, {})
        return {
            pair: (fresh[pair], left_out[pair])
            if pair in fresh
            else _latest_entries(self._read.get(pair, []), papers)
            for pair in wanted
        }

    @contextmanager
    def _opened(self) -> Iterator[PaperStore]:
        """The view's store; one closed since the view was drawn (``paperkg viz`` draws, then
        writes its files) is opened again, read-only, from its folder.
        """
        if _is_open(self._source):
            yield self._source
        elif self._source.path is None:
            raise VizError(
                "support",
                "the view's store was closed, and it was in memory",
                "write the view's files before closing the store",
            )
        else:
            with PaperStore.open_existing(self._source.path) as store:
                yield store

    def _read_everything(self) -> None:
        with self._opened() as store:
            snapshot = read_snapshot(store, context=False, concepts=False)
        found: dict[Pair, list[Entry]] = defaultdict(list)
        for finding in sorted(snapshot.findings, key=lambda f: (f.paper, f.iri)):
            if finding.paper in snapshot.papers:
                found[(finding.drug, finding.condition)].append(support_entry(snapshot, finding))
        self._read = dict(found)
        self._everything = True

    def _pairs(
        self, pairs: Sequence[Pair], papers: int | None
    ) -> tuple[dict[Pair, list[Entry]], dict[Pair, int]]:
        """The entries of ``pairs`` from their ``papers`` most recent papers (``None``: all),
        and how many papers each left out.
        """
        with self._opened() as store:
            return self._read_pairs(store, set(pairs), papers)

    def _read_pairs(
        self, store: PaperStore, wanted: set[Pair], papers: int | None
    ) -> tuple[dict[Pair, list[Entry]], dict[Pair, int]]:
        values: dict[str, Sequence[ox.NamedNode] | None] = {
            "drug": [ox.NamedNode(d) for d in sorted({d for d, _ in wanted})],
            "condition": [ox.NamedNode(c) for c in sorted({c for _, c in wanted})],
        }
        years: dict[Pair, dict[str, int | None]] = {pair: {} for pair in wanted}
        for s in store.select("view-pair-papers", values=values):
            pair = (term_text(s["drug"]), term_text(s["condition"]))
            if pair in wanted:
                issued = term_text(s["issued"])
                year = int(issued[:4]) if issued[:4].isdigit() else None
                years[pair][term_text(s["paper"])] = year
        chosen = {pair: _latest_papers(found, papers) for pair, found in years.items()}
        reading: set[str] = set().union(*chosen.values())
        if self._records is None:
            self._records = len(store.record_graphs())
        if len(reading) * WHOLE_READ_FACTOR > self._records:
            snapshot = read_snapshot(store, context=False, concepts=False)
        else:
            self._canonical = self._canonical or canonical_concepts(store)
            snapshot = read_snapshot(
                store,
                context=False,
                only_papers=reading,
                canonical=self._canonical,
                concepts=False,
            )
        entries: dict[Pair, list[Entry]] = {pair: [] for pair in wanted}
        for finding in sorted(snapshot.findings, key=lambda f: (f.paper, f.iri)):
            pair = (finding.drug, finding.condition)
            if finding.paper in chosen.get(pair, ()) and finding.paper in snapshot.papers:
                entries[pair].append(support_entry(snapshot, finding))
        return entries, {pair: len(years[pair]) - len(chosen[pair]) for pair in wanted}


def _is_open(store: PaperStore) -> bool:
    """Whether ``store`` is still open (a closed one fails as soon as it is asked anything;
    asking for its quads builds an iterator and reads nothing).
    """
    try:
        store.quads_for_pattern(None, None, None)
    except AttributeError:
        return False
    return True


class PairSupport(Sequence[Entry]):
    """The support of one whole-store edge: its entries are read from the store on first use;
    its length is known from the counts (one entry per finding).
    """

    __slots__ = ("_pair", "_reader", "_size")
    #: equal to the list of its entries, so not hashable (as a list)
    __hash__ = None  # type: ignore[assignment]

    def __init__(self, reader: SupportReader, pair: Pair, size: int) -> None:
        self._reader, self._pair, self._size = reader, pair, size

    @property
    def pair(self) -> Pair:
        return self._pair

    @property
    def reader(self) -> SupportReader:
        return self._reader

    def __len__(self) -> int:
        return self._size

    @overload
    def __getitem__(self, index: int) -> Entry: ...

    @overload
    def __getitem__(self, index: slice) -> list[Entry]: ...

    def __getitem__(self, index: int | slice) -> Entry | list[Entry]:
        return self._reader.entries(self._pair)[index]

    def __iter__(self) -> Iterator[Entry]:
        return iter(self._reader.entries(self._pair))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return list(self) == list(other)

    def __repr__(self) -> str:
        return f"PairSupport({self._pair[0]!r}, {self._pair[1]!r}, {self._size} findings)"


def papers_per_edge(edges: int, most: int = EMBEDDED_PAPERS, page: int = PAGE_PAPERS) -> int:
    """How many papers each of ``edges`` edges embeds: ``most``, fewer when the page's
    ``page`` papers would not hold that many for every edge, and never none.
    """
    return max(1, min(most, page // max(edges, 1)))


def embedded_support(
    graph: nx.DiGraph[Any], papers: int
) -> dict[tuple[Any, Any], tuple[list[Any], int]]:
    """Per edge, the support entries of its ``papers`` most recent papers (the page's share,
    :func:`papers_per_edge`) and how many papers were left out; whole-store edges are read
    together, only those papers.
    """
    shown: dict[tuple[Any, Any], tuple[list[Any], int]] = {}
    lazy: dict[SupportReader, list[tuple[tuple[Any, Any], Pair]]] = defaultdict(list)
    for source, target, attrs in graph.edges(data=True):
        support = attrs.get("support") or ()
        if isinstance(support, PairSupport):
            lazy[support.reader].append(((source, target), support.pair))
        else:
            shown[(source, target)] = _latest_entries(list(support), papers)
    for reader, edges in lazy.items():
        read = reader.latest([pair for _, pair in edges], papers)
        for edge, pair in edges:
            shown[edge] = read[pair]
    return shown


def _latest_entries(entries: list[Any], papers: int) -> tuple[list[Any], int]:
    """The entries of the ``papers`` most recent papers among ``entries`` (in their order) and
    how many papers were left out.
    """
    years: dict[str, int | None] = {}
    for entry in entries:
        if isinstance(entry, Mapping) and "paper" in entry:
            year = entry.get("year")
            years[str(entry["paper"])] = year if isinstance(year, int) else None
    if len(years) <= papers:
        return entries, 0
    kept = _latest_papers(years, papers)
    chosen = [e for e in entries if not isinstance(e, Mapping) or str(e.get("paper")) in kept]
    return chosen, len(years) - len(kept)


def _latest_papers(years: Mapping[str, int | None], papers: int | None) -> set[str]:
    """The ``papers`` most recent of ``years`` (paper -> year; ``None``: all), latest first,
    undated last, then by IRI.
    """
    if papers is None or len(years) <= papers:
        return set(years)
    ranked = sorted(years, key=lambda p: (-(years[p] or -1), p))
    return set(ranked[:papers])
