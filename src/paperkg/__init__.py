"""paperkg: a knowledge graph of drugs, conditions and outcomes from biomedical paper records.

The whole public API is here. A typical session::

    import paperkg

    with paperkg.open_store("kg") as store:
        report = paperkg.build(store, ["seeds/"])
        assert paperkg.validate_store(store).conforms
        rows = paperkg.run_query(store, "drugs-tried-for", {"condition": "fibromyalgia"})
"""

from __future__ import annotations

from pathlib import Path

from .build import BuildReport, RecordIssue, build, map_file
from .concepts import ConceptIndexReport, IdentifierConflict, reconcile_concepts
from .convert import ConvertReport, convert_to_jsonl
from .errors import (
    ConfigError,
    ExportError,
    PaperkgError,
    PushError,
    QueryError,
    RecordError,
    ShapesError,
    StoreError,
    UnknownQueryError,
    VizError,
)
from .eval_run import EvaluationRun, run_evaluation
from .export import EXPORT_FORMATS, export_store
from .extract import Extractor, RuleExtractor, extract
from .extract.trial_results import ComparisonAnswer, answer_comparison
from .infer import InferredAnswer, infer_prompts
from .mapping import MappedRecord, map_record
from .model import (
    Annotation,
    Concept,
    Direction,
    Dose,
    EntityKind,
    EntityMention,
    Evidence,
    Extraction,
    ExtractorInfo,
    Favours,
    Finding,
    Outcome,
    PaperRecord,
    ReaderWarning,
    Relation,
    Result,
    StudyDesign,
    is_conflicting,
)
from .push import PushedGraph, PushReport, push_store
from .query import NamedQuery, QueryParameter, QueryResult, list_queries, load_query, run_query
from .readers import (
    FORMATS,
    detect_format,
    expand_sources,
    iter_jsonl,
    read_record,
    read_records,
    write_jsonl,
)
from .results import RESULT_FORMATS, format_result
from .stats import (
    EVIDENCE_COLUMNS,
    ConceptCount,
    EvidenceSummary,
    StoreStats,
    ValidationState,
    evidence_result,
    evidence_summary,
    evidence_to_result,
    store_stats,
)
from .store import PaperStore, WriteOutcome
from .validate import (
    ValidationReport,
    ValidationResult,
    load_shapes,
    validate_file,
    validate_graph,
    validate_store,
    validation_graph,
)
from .version import __version__
from .viz import (
    FILE_TYPES,
    VIEWS,
    ViewFilter,
    WrittenView,
    drug_condition_graph,
    neighbourhood_graph,
    paper_graph,
    view_graph,
    write_view,
)

__all__ = [
    "EVIDENCE_COLUMNS",
    "EXPORT_FORMATS",
    "FILE_TYPES",
    "FORMATS",
    "RESULT_FORMATS",
    "VIEWS",
    "Annotation",
    "BuildReport",
    "ComparisonAnswer",
    "Concept",
    "ConceptCount",
    "ConceptIndexReport",
    "ConfigError",
    "ConvertReport",
    "Direction",
    "Dose",
    "EntityKind",
    "EntityMention",
    "EvaluationRun",
    "Evidence",
    "EvidenceSummary",
    "ExportError",
    "Extraction",
    "Extractor",
    "ExtractorInfo",
    "Favours",
    "Finding",
    "IdentifierConflict",
    "InferredAnswer",
    "MappedRecord",
    "NamedQuery",
    "Outcome",
    "PaperRecord",
    "PaperStore",
    "PaperkgError",
    "PushError",
    "PushReport",
    "PushedGraph",
    "QueryError",
    "QueryParameter",
    "QueryResult",
    "ReaderWarning",
    "RecordError",
    "RecordIssue",
    "Relation",
    "Result",
    "RuleExtractor",
    "ShapesError",
    "StoreError",
    "StoreStats",
    "StudyDesign",
    "UnknownQueryError",
    "ValidationReport",
    "ValidationResult",
    "ValidationState",
    "ViewFilter",
    "VizError",
    "WriteOutcome",
    "WrittenView",
    "__version__",
    "answer_comparison",
    "build",
    "convert_to_jsonl",
    "detect_format",
    "drug_condition_graph",
    "evidence_result",
    "evidence_summary",
    "evidence_to_result",
    "expand_sources",
    "export_store",
    "extract",
    "format_result",
    "infer_prompts",
    "is_conflicting",
    "iter_jsonl",
    "list_queries",
    "load_query",
    "load_shapes",
    "map_file",
    "map_record",
    "neighbourhood_graph",
    "open_store",
    "paper_graph",
    "push_store",
    "read_record",
    "read_records",
    "reconcile_concepts",
    "run_evaluation",
    "run_query",
    "store_stats",
    "validate_file",
    "validate_graph",
    "validate_store",
    "validation_graph",
    "view_graph",
    "write_jsonl",
    "write_view",
]


def open_store(path: str | Path | None = None, *, read_only: bool = False) -> PaperStore:
    """Open (or create) the store at ``path``; ``None`` gives an in-memory store."""
    return PaperStore(path, read_only=read_only)
