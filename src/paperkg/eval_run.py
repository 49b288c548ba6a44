"""One evaluation run as a user runs it: read a folder, extract, score, and ask the graph.

Scoring the extractions (:mod:`paperkg.evaluation`) says how good the rules are; asking the built
graph a question the ground truth answers (``drugs-tried-for`` for a condition) says whether what
users see is right, counting included. Both come out of one run, beside the all-linked-pairs
baseline (:class:`~paperkg.extraction.baseline.LinkedPairsBaseline`) scored on the same records, and
the errors counted by class. Which question, and which targets, are the caller's: nothing here
knows a dataset.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .build import build
from .errors import ConfigError, RecordError
from .evaluation import AnswerCheck, AnswerRow, EvaluationReport, evaluate
from .extraction import Extractor, RuleExtractor
from .extraction.baseline import LinkedPairsBaseline
from .identifiers import lookup_key
from .model import Extraction, PaperRecord
from .query import run_query
from .readers import expand_sources, read_record
from .store import PaperStore

__all__ = [
    "FIGURES",
    "EvaluationRun",
    "graph_answer_check",
    "load_ground_truth",
    "parse_answers",
    "parse_targets",
    "run_evaluation",
]

#: the figures a report gives, and that a target can name.
FIGURES = frozenset(
    {
        "pair_precision",
        "pair_recall",
        "pair_f1",
        "outcome_accuracy",
        "design_accuracy",
        "sample_size_accuracy",
        "dose_recall",
    }
)


@dataclass(slots=True)
class EvaluationRun:
    """Scores, the baseline's scores, the graph's answer to the expected query, and the records
    that could not be read.
    """

    report: EvaluationReport
    answer: AnswerCheck | None
    rejected: list[RecordError] = field(default_factory=list)
    baseline: EvaluationReport | None = None
    targets: Mapping[str, float] = field(default_factory=dict)
    #: the ground-truth question :attr:`answer` checks
    question: str = ""

    @property
    def meets_targets(self) -> bool:
        """True when every figure in :attr:`targets` is reached."""
        figures = self.report.summary()
        return all(float(figures[name]) >= target for name, target in self.targets.items())

    def text(self, *, errors: bool = True) -> str:
        """The figures beside the baseline's, the targets, the errors by class, the answer check
        and (optionally) every error.
        """
        lines = [f"records scored: {self.report.records} ({len(self.rejected)} unreadable)"]
        base = self.baseline.summary() if self.baseline is not None else {}
        lines.append(f"  {'':<22}{'paperkg':>8}{'linked-pairs baseline':>24}")
        for name, value in self.report.summary().items():
            if name == "records":
                continue
            target = self.targets.get(name)
            mark = (
                ""
                if target is None
                else f"   target >= {target}: " + ("met" if float(value) >= target else "NOT MET")
            )
            shown = (
                f"{float(base[name]):>24.3f}" if name in base and name.startswith("pair") else ""
            )
            lines.append(f"  {name:<22}{value:>8.3f}{shown:<24}{mark}".rstrip())
        table = self.report.by_class()
        lines.append("errors by class:")
        for name, kinds in table.items():
            detail = ", ".join(f"{kind} {count}" for kind, count in sorted(kinds.items()))
            lines.append(f"  {name:<22}{sum(kinds.values()):>4}  {detail}".rstrip())
        if self.answer is not None:
            verdict = "matches" if self.answer.ok else "DIFFERS"
            lines.append(f"{self.question} answer from the graph: {verdict} the expected answer")
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
                f"  {e.file}: [{e.error_class}] {e.kind} {e.drug} {e.condition} "
                f"expected={e.expected!r} found={e.found!r}".rstrip()
                for e in self.report.errors
            )
        return "\n".join(lines)


def _counts(outcomes: Mapping[str, int]) -> str:
    return "|".join(f"{k}:{v}" for k, v in sorted(outcomes.items())) or "-"


def parse_targets(texts: Sequence[str]) -> dict[str, float]:
    """``["pair_f1=0.92", ...]`` as a mapping; a figure the report lacks is a usage error."""
    known = FIGURES
    targets: dict[str, float] = {}
    for text in texts:
        name, _, value = text.partition("=")
        try:
            number = float(value)
        except ValueError:
            number = -1.0
        if name not in known or not 0.0 <= number <= 1.0:
            raise ConfigError(
                "--target",
                f"{text!r} is not FIGURE=VALUE",
                "use e.g. pair_f1=0.92 (figures: pair_precision, pair_recall, pair_f1, "
                "outcome_accuracy, design_accuracy, sample_size_accuracy, dose_recall)",
            )
        targets[name] = number
    return targets


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


def parse_answers(texts: Sequence[str]) -> dict[str, str]:
    """``["fibromyalgia_drugs=MONDO:0005546"]`` as a mapping of question to condition."""
    answers: dict[str, str] = {}
    for text in texts:
        question, _, condition = text.partition("=")
        if not question.strip() or not condition.strip():
            raise ConfigError(
                "--answer",
                f"{text!r} is not QUESTION=CONDITION",
                "use e.g. fibromyalgia_drugs=MONDO:0005546 (a key of the ground truth's "
                "'queries' and the condition to ask drugs-tried-for about)",
            )
        answers[question.strip()] = condition.strip()
    return answers


class _ExtractOnce:
    """The chosen extractor, remembered per record, so scoring and building extract once."""

    def __init__(self, extractor: Extractor) -> None:
        self.name = extractor.name
        self.version = extractor.version
        self._extractor = extractor
        self._done: dict[str, Extraction] = {}

    def extract(self, record: PaperRecord) -> Extraction:
        key = f"{record.source}:{record.sha256}"
        if key not in self._done:
            self._done[key] = self._extractor.extract(record)
        return self._done[key]


def run_evaluation(
    records: str | Path,
    ground_truth: str | Path,
    *,
    extractor: Extractor | None = None,
    answers: Mapping[str, str] | None = None,
    targets: Mapping[str, float] | None = None,
) -> EvaluationRun:
    """Evaluate ``extractor`` (and the linked-pairs baseline) on a folder of records against its
    ground truth. ``answers`` maps a question of the ground truth's ``queries`` to the condition
    ``drugs-tried-for`` is asked about on the built graph (the first one the truth holds is
    checked); ``targets`` are the figures to reach (none by default).
    """
    truth = load_ground_truth(ground_truth)
    chosen = _ExtractOnce(extractor or RuleExtractor())
    baseline = LinkedPairsBaseline()
    scored: list[tuple[str, Extraction, PaperRecord]] = []
    scored_baseline: list[tuple[str, Extraction, PaperRecord]] = []
    rejected: list[RecordError] = []
    for path in expand_sources([str(records)]):
        try:
            record = read_record(path)
        except RecordError as error:
            rejected.append(error)
            continue
        scored.append((path.name, chosen.extract(record), record))
        scored_baseline.append((path.name, baseline.extract(record), record))
    report = evaluate(scored, truth)
    answer, asked = None, ""
    for question, condition in (answers or {}).items():
        if question in truth.get("queries", {}):
            with PaperStore() as store:
                # one process: the extractor caches what was scored above
                build(store, [str(records)], extractor=chosen, validate=False, workers=1)
                answer = graph_answer_check(store, truth["queries"][question], condition)
            asked = question
            break
    return EvaluationRun(
        report,
        answer,
        rejected,
        baseline=evaluate(scored_baseline, truth),
        targets=dict(targets or {}),
        question=asked,
    )


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
