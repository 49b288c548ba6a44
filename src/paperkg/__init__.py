"""paperkg: a knowledge graph of drugs, conditions and outcomes from biomedical paper records.

The whole public API is here. A typical session::

    import paperkg

    with paperkg.open_store("kg") as store:
        report = paperkg.build(store, ["seeds/"])
        assert paperkg.validate_store(store).conforms
        rows = paperkg.run_query(store, "drugs-tried-for", {"condition": "fibromyalgia"})
"""

from __future__ import annotations

__version__ = "0.1.0"

from pathlib import Path

from .build import BuildReport, RecordIssue, build, map_file
from .errors import (
    ConfigError,
    ExportError,
    PaperkgError,
    QueryError,
    RecordError,
    ShapesError,
    StoreError,
    UnknownQueryError,
)
from .export import EXPORT_FORMATS, export_store
from .extract import Extractor, RuleExtractor, extract
from .mapping import MappedRecord, map_record
from .model import (
    Concept,
    Dose,
    EntityKind,
    EntityMention,
    Evidence,
    Extraction,
    ExtractorInfo,
    Finding,
    Outcome,
    PaperRecord,
    ReaderWarning,
    StudyDesign,
)
from .query import NamedQuery, QueryParameter, QueryResult, list_queries, load_query, run_query
from .readers import expand_sources, read_record
from .results import RESULT_FORMATS, format_result
from .store import PaperStore, WriteOutcome
from .validate import (
    ValidationReport,
    ValidationResult,
    load_shapes,
    validate_file,
    validate_graph,
    validate_store,
)

__all__ = [
    "EXPORT_FORMATS",
    "RESULT_FORMATS",
    "BuildReport",
    "Concept",
    "ConfigError",
    "Dose",
    "EntityKind",
    "EntityMention",
    "Evidence",
    "ExportError",
    "Extraction",
    "Extractor",
    "ExtractorInfo",
    "Finding",
    "MappedRecord",
    "NamedQuery",
    "Outcome",
    "PaperRecord",
    "PaperStore",
    "PaperkgError",
    "QueryError",
    "QueryParameter",
    "QueryResult",
    "ReaderWarning",
    "RecordError",
    "RecordIssue",
    "RuleExtractor",
    "ShapesError",
    "StoreError",
    "StudyDesign",
    "UnknownQueryError",
    "ValidationReport",
    "ValidationResult",
    "WriteOutcome",
    "__version__",
    "build",
    "expand_sources",
    "export_store",
    "extract",
    "format_result",
    "list_queries",
    "load_query",
    "load_shapes",
    "map_file",
    "map_record",
    "open_store",
    "read_record",
    "run_query",
    "validate_file",
    "validate_graph",
    "validate_store",
]


def open_store(path: str | Path | None = None, *, read_only: bool = False) -> PaperStore:
    """Open (or create) the store at ``path``; ``None`` gives an in-memory store."""
    return PaperStore(path, read_only=read_only)
