"""Build: records in, record graphs in the store. A bad record is reported and skipped.

Each record goes read -> extract -> map -> one store transaction, so a failure in one record
never leaves another half-written, and ``strict=True`` stops at the first bad one.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .concepts import ConceptIndexReport, reconcile_concepts
from .errors import RecordError
from .extraction import MAX_PROSE_CHARS, Extractor, RuleExtractor
from .mapping import build_key, map_record, record_identity
from .model import Extraction, MappedRecord, PaperRecord
from .readers import expand_sources, read_record, read_records
from .store import PaperStore, WriteOutcome
from .vocab import DEFAULT_BASE_IRI

if TYPE_CHECKING:
    from .validate import ValidationReport

__all__ = ["BuildReport", "BuildStep", "RecordIssue", "build", "map_file"]


@dataclass(frozen=True, slots=True)
class RecordIssue:
    """A message about one source file (a rejection or a warning)."""

    source: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.message}"


@dataclass(frozen=True, slots=True)
class BuildStep:
    """One record done, for a progress display or a verbose log.

    ``outcome`` is ``added``, ``replaced``, ``unchanged``, ``duplicate`` (same paper as an
    earlier record, skipped) or ``rejected``; ``file_index`` counts files from 1 up to
    ``file_count`` (a PubTator or JSON Lines file holds many records).
    """

    source: str
    outcome: str
    file_index: int
    file_count: int


@dataclass(slots=True)
class BuildReport:
    """What a build did, record by record."""

    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: list[RecordError] = field(default_factory=list)
    warnings: list[RecordIssue] = field(default_factory=list)
    changed_graphs: list[str] = field(default_factory=list)
    concepts: ConceptIndexReport | None = None
    #: the SHACL report on the graphs this build changed (``None``: not validated)
    validation: ValidationReport | None = None

    @property
    def ok(self) -> bool:
        """True when no record was rejected."""
        return not self.rejected

    @property
    def conforms(self) -> bool:
        """True unless the graphs this build changed were validated and some did not conform."""
        return self.validation is None or self.validation.conforms

    def summary(self) -> str:
        """One line: how many records were built, unchanged and rejected."""
        built = len(self.added) + len(self.replaced)
        text = (
            f"{built} built ({len(self.added)} new, {len(self.replaced)} replaced), "
            f"{len(self.unchanged)} unchanged, {len(self.rejected)} rejected"
        )
        if self.warnings:
            text += f", {len(self.warnings)} warnings"
        return text


def _prose_length(record: PaperRecord) -> int:
    parts = [record.title, record.tldr or "", record.abstract or "", *record.key_findings]
    return sum(len(part) for part in parts)


def map_file(
    path: str | Path,
    *,
    extractor: Extractor | None = None,
    base_iri: str = DEFAULT_BASE_IRI,
) -> tuple[PaperRecord, Extraction, MappedRecord]:
    """Read, extract and map one record file (no store involved)."""
    chosen = extractor or RuleExtractor()
    record = read_record(path)
    extraction = chosen.extract(record)
    mapped = map_record(
        record, extraction, base_iri=base_iri, extractor=f"{chosen.name}/{chosen.version}"
    )
    return record, extraction, mapped


def build(
    store: PaperStore,
    sources: Iterable[str | os.PathLike[str]] | str | os.PathLike[str],
    *,
    strict: bool = False,
    extractor: Extractor | None = None,
    base_iri: str = DEFAULT_BASE_IRI,
    progress: Callable[[BuildStep], None] | None = None,
    input_format: str | None = None,
    validate: bool = True,
    validation_progress: Callable[[str], None] | None = None,
) -> BuildReport:
    """Load every record under ``sources`` (files, folders, globs) into ``store``.

    Bad records are collected in the report (``strict=True`` raises the first one instead).
    Two files describing the same paper give one paper: the first in sorted order is built,
    the other is skipped with a warning. A record whose graph is up to date (same bytes, paperkg
    version, extractor and base IRI) is not extracted again. ``input_format`` names the input
    format (markdown, pubtator, bioc-xml, bioc-json, jsonl); by default it is detected per file.
    ``progress`` is called once per record read (rejected ones included) with a :class:`BuildStep`.
    ``validate`` checks the record graphs the build changed against the shapes (the report's
    ``validation``; ``validation_progress`` is called per graph), as ``paperkg build`` does.
    """
    report = BuildReport()
    chosen = extractor or RuleExtractor()
    identity = f"{chosen.name}/{chosen.version}"
    seen_papers: dict[str, str] = {}
    paths = expand_sources(sources)
    for index, path in enumerate(paths, 1):
        for item in read_records(path, input_format):
            if isinstance(item, RecordError):
                if strict:
                    raise item
                report.rejected.append(item)
                source, outcome = item.path, "rejected"
            else:
                source = item.source
                outcome = _build_record(
                    store, item, chosen, identity, base_iri, report, seen_papers
                )
            if progress is not None:
                progress(BuildStep(source, outcome, index, len(paths)))
    report.concepts = reconcile_concepts(store, base_iri=base_iri)
    if validate and report.changed_graphs:
        from .validate import validate_store  # pySHACL loads only when something is checked

        report.validation = validate_store(
            store, graphs=sorted(set(report.changed_graphs)), progress=validation_progress
        )
    return report


def _build_record(
    store: PaperStore,
    record: PaperRecord,
    extractor: Extractor,
    identity: str,
    base_iri: str,
    report: BuildReport,
    seen_papers: dict[str, str],
) -> str:
    """Extract, map and write one record, unless its graph is already up to date.

    Returns what happened to it (a :class:`WriteOutcome` value, or ``duplicate``).
    """
    report.warnings.extend(
        RecordIssue(record.source, warning.line, warning.message) for warning in record.warnings
    )
    key, graph = record_identity(record, base_iri)
    earlier = seen_papers.get(key)
    if earlier is not None:
        report.warnings.append(
            RecordIssue(
                record.source,
                1,
                f"same paper ({key}) as {earlier}; skipped, the paper is counted once",
            )
        )
        return "duplicate"
    seen_papers[key] = record.source
    if store.build_key(graph) == build_key(record, identity, base_iri):
        report.unchanged.append(record.source)
        return WriteOutcome.UNCHANGED.value
    if _prose_length(record) > MAX_PROSE_CHARS:
        report.warnings.append(
            RecordIssue(
                record.source,
                0,
                f"prose longer than {MAX_PROSE_CHARS:,} characters; extraction read the first "
                f"{MAX_PROSE_CHARS:,} (the whole record is stored)",
            )
        )
    mapped = map_record(record, extractor.extract(record), base_iri=base_iri, extractor=identity)
    outcome = store.put_record(mapped)
    {
        WriteOutcome.ADDED: report.added,
        WriteOutcome.REPLACED: report.replaced,
        WriteOutcome.UNCHANGED: report.unchanged,
    }[outcome].append(record.source)
    if outcome is not WriteOutcome.UNCHANGED:
        report.changed_graphs.append(mapped.graph.value)
    return outcome.value
