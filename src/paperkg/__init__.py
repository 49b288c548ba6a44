"""paperkg: a knowledge graph of drugs, conditions and outcomes from biomedical paper records.

The calls a user makes are here, on one screen; the types they return and take live in
:mod:`paperkg.model` (records, extractions), :mod:`paperkg.errors` and the module of each call.
A typical session::

    import paperkg

    with paperkg.open_store("kg") as store:
        report = paperkg.build(store, ["seeds/"])
        assert report.conforms
        rows = paperkg.run_query(store, "drugs-tried-for", {"condition": "fibromyalgia"})
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING

# What a build needs is imported with the package (``paperkg.build`` is also a module: the
# function must be bound before anything imports the module by name); the rest on first use,
# so a build and each of its workers do not carry the views' networkx and numpy (~25 MiB).
from .build import BuildReport, build, map_file
from .errors import PaperkgError
from .extraction import Extractor, RuleExtractor, extract
from .mapping import map_record
from .readers import read_record, read_records
from .store import PaperStore
from .validate import ValidationReport, validate_file, validate_graph, validate_store
from .version import __version__

if TYPE_CHECKING:
    from .convert import convert_to_jsonl
    from .eval_run import run_evaluation
    from .export import EXPORT_FORMATS, export_store
    from .extraction.trial_results import answer_comparison
    from .infer import infer_prompts
    from .push import push_store
    from .query import QueryResult, list_queries, load_query, run_query
    from .results import format_result
    from .stats import evidence_summary, store_stats
    from .viz import (
        ViewFilter,
        drug_condition_graph,
        neighbourhood_graph,
        view_graph,
        write_view,
    )

#: The module each name imported on first use lives in.
_LAZY = {
    "convert_to_jsonl": "convert",
    "run_evaluation": "eval_run",
    "EXPORT_FORMATS": "export",
    "export_store": "export",
    "answer_comparison": "extraction.trial_results",
    "infer_prompts": "infer",
    "push_store": "push",
    "QueryResult": "query",
    "list_queries": "query",
    "load_query": "query",
    "run_query": "query",
    "format_result": "results",
    "evidence_summary": "stats",
    "store_stats": "stats",
    "ViewFilter": "viz",
    "drug_condition_graph": "viz",
    "neighbourhood_graph": "viz",
    "view_graph": "viz",
    "write_view": "viz",
}

__all__ = [
    "EXPORT_FORMATS",
    "BuildReport",
    "Extractor",
    "PaperStore",
    "PaperkgError",
    "QueryResult",
    "RuleExtractor",
    "ValidationReport",
    "ViewFilter",
    "__version__",
    "answer_comparison",
    "build",
    "convert_to_jsonl",
    "drug_condition_graph",
    "evidence_summary",
    "export_store",
    "extract",
    "format_result",
    "infer_prompts",
    "list_queries",
    "load_query",
    "map_file",
    "map_record",
    "neighbourhood_graph",
    "open_store",
    "push_store",
    "read_record",
    "read_records",
    "run_evaluation",
    "run_query",
    "store_stats",
    "validate_file",
    "validate_graph",
    "validate_store",
    "view_graph",
    "write_view",
]


def open_store(path: str | Path | None = None, *, read_only: bool = False) -> PaperStore:
    """Open (or create) the store at ``path``; ``None`` gives an in-memory store."""
    return PaperStore(path, read_only=read_only)


def __getattr__(name: str) -> object:
    home = _LAZY.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
