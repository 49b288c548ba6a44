"""One evaluation run as a user runs it: read a folder, extract, score, and ask the graph.

Scoring the extractions (:mod:`paperkg.evaluation`) says how good the rules are; asking the built
graph the fibromyalgia question with the shipped named query says whether what users see is
right, counting included. Both come out of one run.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .build import build, map_file
from .errors import ConfigError, RecordError
from .evaluation import AnswerCheck, AnswerRow, EvaluationReport, evaluate
from .extract import Extractor, RuleExtractor
from .identifiers import lookup_key
from .model import Extraction, PaperRecord
from .query import run_query
from .readers import expand_sources
from .store import PaperStore

__all__ = ["TARGETS", "EvaluationRun", "graph_answer_check", "load_ground_truth", "run_evaluation"]

#: the figures an extractor must reach on the public records.
TARGETS = {"pair_f1": 0.95, "outcome_accuracy": 0.9, "design_accuracy": 0.9}


@dataclass(slots=True)
class EvaluationRun:
    """Scores, the graph's answer to the expected query, and the records that could not be read."""

    report: EvaluationReport
    answer: AnswerCheck | None
    rejected: list[RecordError] = field(default_factory=list)

    @property
    def meets_targets(self) -> bool:
        """True when every figure in :data:`TARGETS` is reached."""
        figures = self.report.summary()
        return all(float(figures[name]) >= target for name, target in TARGETS.items())

    def text(self, *, errors: bool = True) -> str:
        """The figures, the targets, the answer check and (optionally) every error."""
        lines = [f"records scored: {self.report.records} ({len(self.rejected)} unreadable)"]
        for name, value in self.report.summary().items():
            if name == "records":
                continue
            target = TARGETS.get(name)
            mark = (
                ""
                if target is None
                else f"   target >= {target}: " + ("met" if float(value) >= target else "NOT MET")
            )
            lines.append(f"  {name:<22}{value:>7.3f}{mark}")
        if self.answer is not None:
            verdict = "matches" if self.answer.ok else "DIFFERS"
            lines.append(f"fibromyalgia answer from the graph: {verdict} the expected answer")
            for row in self.answer.rows:
                mark = "ok " if row.ok else "!! "
                lines.append(
                    f"  {mark}{row.drug:<16} papers {row.found_papers}/{row.expected_papers}  "
                    f"outcomes {_counts(row.found_outcomes)} (expected "
                    f"{_counts(row.expected_outcomes)})"
                )
            for drug, outcomes in sorted(self.answer.extra.items()):
                lines.append(f"  !! {drug:<16} not expected: {_counts(outcomes)}")
        for error in self.rejected:
            lines.append(f"unreadable: {error}")
        if errors and self.report.errors:
            lines.append("errors:")
            lines.extend(
                f"  {e.file}: {e.kind} {e.drug} {e.condition} expected={e.expected!r} "
                f"found={e.found!r}".rstrip()
                for e in self.report.errors
            )
        return "\n".join(lines)


def _counts(outcomes: Mapping[str, int]) -> str:
    return "|".join(f"{k}:{v}" for k, v in sorted(outcomes.items())) or "-"


def load_ground_truth(path: str | Path) -> dict[str, Any]:
    """Read a ground-truth JSON file (``records/ground_truth.json`` layout)."""
    source = Path(path)
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ConfigError(
            str(source), f"cannot read the ground truth ({error})", "check the path"
        ) from error
    if not isinstance(data, dict) or "records" not in data:
        raise ConfigError(str(source), "no 'records' list", "use the ground_truth.json layout")
    return data


def run_evaluation(
    records: str | Path,
    ground_truth: str | Path,
    *,
    extractor: Extractor | None = None,
    question: str = "fibromyalgia_drugs",
    condition: str = "MONDO:0005546",
) -> EvaluationRun:
    """Evaluate ``extractor`` on a folder of records against its ground truth."""
    truth = load_ground_truth(ground_truth)
    chosen = extractor or RuleExtractor()
    scored: list[tuple[str, Extraction, PaperRecord]] = []
    rejected: list[RecordError] = []
    for path in expand_sources([str(records)]):
        try:
            record, extraction, _ = map_file(path, extractor=chosen)
        except RecordError as error:
            rejected.append(error)
            continue
        scored.append((path.name, extraction, record))
    report = evaluate(scored, truth)
    answer = None
    if question in truth.get("queries", {}):
        with PaperStore() as store:
            build(store, [str(records)], extractor=chosen)
            answer = graph_answer_check(store, truth["queries"][question], condition)
    return EvaluationRun(report, answer, rejected)


def graph_answer_check(
    store: PaperStore, expected: Mapping[str, Any], condition: str
) -> AnswerCheck:
    """Run ``drugs-tried-for`` on the store and compare it with an expected answer."""
    result = run_query(store, "drugs-tried-for", {"condition": condition})
    found = {row["drug_label"] or "": row for row in result.as_dicts()}
    rows: list[AnswerRow] = []
    for wanted in expected["expected_answer"]:
        match = next((label for label, row in found.items() if _same_drug(row, wanted)), None)
        row = found.pop(match) if match is not None else {}
        rows.append(
            AnswerRow(
                drug=str(wanted["drug"]),
                expected_papers=int(wanted["paper_count"]),
                found_papers=int(row.get("papers") or 0),
                expected_outcomes=dict(wanted["outcome_counts"]),
                found_outcomes=_parse_counts(row.get("outcomes")),
            )
        )
    extra = {label: _parse_counts(row.get("outcomes")) for label, row in found.items()}
    return AnswerCheck(tuple(rows), extra)


def _same_drug(row: Mapping[str, str | None], wanted: Mapping[str, Any]) -> bool:
    ids = set((row.get("drug_ids") or "").split("|"))
    mesh = wanted.get("mesh")
    cid = wanted.get("pubchem_cid")
    if (mesh and mesh in ids) or (cid and f"pubchem.compound:{cid}" in ids):
        return True
    return lookup_key(row.get("drug_label") or "") == lookup_key(str(wanted["drug"]))


def _parse_counts(text: str | None) -> dict[str, int]:
    counts: dict[str, int] = {}
    for part in (text or "").split("|"):
        name, _, number = part.partition(":")
        if name and number.isdigit():
            counts[name] = int(number)
    return counts
