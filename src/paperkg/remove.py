"""Take papers out of a store: ``paperkg remove PAPER...`` and ``paperkg build --prune``.

A paper's record graph is dropped whole (one transaction), its validation log entry with it,
and the concepts it named are regrouped in the concept index, so a concept other papers still
name survives and one named only by the removed papers goes. ``push`` then deletes the graphs
at the endpoint too (its log knows they were pushed).

Pruning removes the papers whose record is gone from the sources: a record graph whose source
file lies under the given sources (folders or files) and whose paper no record there describes
any more. Records elsewhere, or whose source cannot be placed, are never pruned; a file that
now holds a record paperkg cannot read keeps its papers, so a typo does not delete data.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from .build import BuildReport
from .concepts import ConceptIndexReport, concept_nodes, reconcile_concepts
from .errors import RecordError, StoreError
from .mapping import record_identity
from .readers import expand_sources, read_records
from .readers.sources import file_identity
from .store import PaperStore, forget_validation, store_base_iri
from .tallies import begin_tally_update, refresh_tallies

__all__ = ["RemoveReport", "prune_store", "remove_papers"]

_LINE_SUFFIX = re.compile(r":\d+$")


@dataclass(slots=True)
class RemoveReport:
    """The record graphs removed, the papers asked for that the store does not hold, and the
    rebuilt concept index (``None`` when nothing was removed).
    """

    removed: list[str] = field(default_factory=list)
    not_found: list[str] = field(default_factory=list)
    concepts: ConceptIndexReport | None = None

    def summary(self) -> str:
        """One line: how many removed, how many not found."""
        text = f"{len(self.removed)} paper(s) removed"
        if self.not_found:
            text += f"; not in the store: {', '.join(self.not_found)}"
        return text


def remove_papers(store: PaperStore, papers: Iterable[str]) -> RemoveReport:
    """Remove the papers given as DOI, ``PMID:…``, PMC id, paper key or IRI."""
    report = RemoveReport()
    graphs: list[ox.NamedNode] = []
    for paper in papers:
        try:
            graph = store.find_record_graph(paper)
        except StoreError:
            report.not_found.append(paper)
            continue
        if graph not in graphs:
            graphs.append(graph)
    return _drop(store, graphs, report)


def prune_store(
    store: PaperStore,
    sources: Iterable[str | os.PathLike[str]] | str | os.PathLike[str],
    *,
    built: BuildReport | None = None,
) -> RemoveReport:
    """Remove the papers whose record is gone from ``sources`` (see the module docstring).

    ``built`` is the report of a build of the same sources just run: what it read is used
    instead of reading the sources again.
    """
    listed = [sources] if isinstance(sources, str | os.PathLike) else list(sources)
    scope = [_resolved(os.fspath(source)) for source in listed]
    if built is not None:
        present = set(built.papers_read)
        unreadable = {_resolved(error.path) for error in built.rejected}
    else:
        present, unreadable = _read(store, listed)
    gone = []
    for solution in store.select("record-sources"):
        source = _resolved(_LINE_SUFFIX.sub("", str(solution["source"].value)))
        inside = any(source == root or source.is_relative_to(root) for root in scope)
        if inside and source not in unreadable and str(solution["key"].value) not in present:
            gone.append(solution["g"])
    return _drop(store, sorted(set(gone), key=lambda node: node.value), RemoveReport())


def _read(store: PaperStore, sources: list[str | os.PathLike[str]]) -> tuple[set[str], set[Path]]:
    """The paper keys of the records under ``sources``, and the files that fail to read."""
    try:
        files = expand_sources(sources)
    except RecordError:
        files = []  # every source gone: each graph under them is checked against nothing read
    base = store_base_iri(store)
    present: set[str] = set()
    unreadable: set[Path] = set()
    for path in files:
        for item in read_records(path):
            if isinstance(item, RecordError):
                unreadable.add(_resolved(item.path))
            else:
                present.add(record_identity(item, base)[0])
    return present, unreadable


def _drop(store: PaperStore, graphs: list[ox.NamedNode], report: RemoveReport) -> RemoveReport:
    if not graphs:
        return report
    base = store_base_iri(store)
    incremental = begin_tally_update(store, base)
    touched: set[str] = set()
    for graph in graphs:
        touched |= concept_nodes(store, graph)
        store.remove_record(graph)
        report.removed.append(graph.value)
    forget_validation(store, graphs)
    report.concepts = reconcile_concepts(
        store, base_iri=base, graphs=() if incremental else None, nodes=touched
    )
    refresh_tallies(
        store, base, nodes=touched if incremental else None, regrouped=report.concepts.regrouped
    )
    return report


def _resolved(text: str) -> Path:
    return file_identity(Path(os.path.expanduser(text)))
