"""Score extractions against a ground-truth file (the layout of ``records/ground_truth.json``).

Rules are only as good as their measured errors, and the same numbers must come out of a test,
a notebook or a script, so scoring lives here as pure functions over already-read records:

- pairs: precision, recall and F1 of (paper, drug, condition); a drug matches by label, synonym
  or any CURIE (MeSH, PubChem), a condition by MONDO or MeSH id or label;
- outcome accuracy over the matched pairs; study design and sample size accuracy per record;
- dose recall: a ground-truth dose is found when its numbers and unit appear in a dose extracted
  for the matched pair;
- every miss, spurious pair and wrong value, each with its class (:mod:`paperkg.error_classes`),
  for error analysis; a matched finding whose evidence is the title or missing, and a concept
  holding two identifiers of one prefix, are errors too.

Records are matched on file name (ground truth ``file`` is ``public/NAME``). Records that could
not be read are simply not passed in, so they are not scored.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from paperkg import error_classes as classes  # the submodule, not the package API
from paperkg.extraction.dose import find_doses
from paperkg.identifiers import lookup_key, paper_key
from paperkg.model import Concept, Dose, Extraction, Finding, PaperRecord

__all__ = [
    "AnswerCheck",
    "AnswerRow",
    "EvaluationError",
    "EvaluationReport",
    "answer_check",
    "evaluate",
    "true_pairs_answered",
]


@dataclass(frozen=True, slots=True)
class EvaluationError:
    """One disagreement: ``kind`` is ``missed_pair``, ``spurious_pair``, ``wrong_outcome``,
    ``missed_dose``, ``wrong_design``, ``wrong_sample_size``, ``title_evidence``,
    ``no_evidence`` or ``merged_identifiers``; ``error_class`` one of
    :data:`paperkg.error_classes.ERROR_CLASSES`.
    """

    file: str
    kind: str
    drug: str = ""
    condition: str = ""
    expected: str = ""
    found: str = ""
    error_class: str = ""


@dataclass(frozen=True, slots=True)
class EvaluationReport:
    """Counts and rates; a rate with nothing to count is 1.0 (nothing was missed)."""

    records: int
    true_pairs: int
    found_pairs: int
    matched_pairs: int
    outcome_correct: int
    design_correct: int
    design_total: int
    sample_size_correct: int
    sample_size_total: int
    doses_found: int
    doses_total: int
    errors: tuple[EvaluationError, ...] = ()

    @property
    def precision(self) -> float:
        """Matched pairs over extracted pairs."""
        return _rate(self.matched_pairs, self.found_pairs)

    @property
    def recall(self) -> float:
        """Matched pairs over ground-truth pairs."""
        return _rate(self.matched_pairs, self.true_pairs)

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 0.0 if p + r == 0 else 2 * p * r / (p + r)

    @property
    def outcome_accuracy(self) -> float:
        """Correct outcomes over matched pairs."""
        return _rate(self.outcome_correct, self.matched_pairs)

    @property
    def design_accuracy(self) -> float:
        """Correct study designs over records with a known design."""
        return _rate(self.design_correct, self.design_total)

    @property
    def sample_size_accuracy(self) -> float:
        """Exact sample sizes over records with a known sample size."""
        return _rate(self.sample_size_correct, self.sample_size_total)

    @property
    def dose_recall(self) -> float:
        """Ground-truth doses found over ground-truth doses."""
        return _rate(self.doses_found, self.doses_total)

    def by_class(self) -> dict[str, dict[str, int]]:
        """Error counts per class and kind, every class listed (zero when none)."""
        table: dict[str, dict[str, int]] = {name: {} for name in classes.ERROR_CLASSES}
        for error in self.errors:
            kinds = table.setdefault(error.error_class or "other", {})
            kinds[error.kind] = kinds.get(error.kind, 0) + 1
        return table

    def summary(self) -> dict[str, float | int]:
        """The figures as a flat mapping (for printing or JSON)."""
        return {
            "records": self.records,
            "pair_precision": round(self.precision, 4),
            "pair_recall": round(self.recall, 4),
            "pair_f1": round(self.f1, 4),
            "outcome_accuracy": round(self.outcome_accuracy, 4),
            "design_accuracy": round(self.design_accuracy, 4),
            "sample_size_accuracy": round(self.sample_size_accuracy, 4),
            "dose_recall": round(self.dose_recall, 4),
        }


@dataclass(frozen=True, slots=True)
class AnswerRow:
    """One drug of an expected answer, as expected and as found."""

    drug: str
    expected_papers: int
    found_papers: int
    expected_outcomes: dict[str, int]
    found_outcomes: dict[str, int]

    @property
    def ok(self) -> bool:
        """Paper count and outcome counts both agree."""
        return (
            self.expected_papers == self.found_papers
            and self.expected_outcomes == self.found_outcomes
        )


@dataclass(frozen=True, slots=True)
class AnswerCheck:
    """An expected query answer compared row by row; ``extra`` are drugs found, not expected."""

    rows: tuple[AnswerRow, ...]
    extra: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Every row agrees and nothing unexpected was found."""
        return all(row.ok for row in self.rows) and not self.extra


def _rate(numerator: int, denominator: int) -> float:
    return 1.0 if denominator == 0 else numerator / denominator


def _file_name(name: str) -> str:
    return os.path.basename(name.replace("\\", "/"))


def _truth_by_file(ground_truth: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {_file_name(str(r["file"])): r for r in ground_truth.get("records", [])}


def _drug_matches(concept: Concept, truth: Mapping[str, Any]) -> bool:
    names = {lookup_key(str(truth.get(k))) for k in ("drug", "drug_key") if truth.get(k)}
    names |= {lookup_key(str(name)) for name in truth.get("synonyms") or []}
    if any(lookup_key(form) in names for form in (concept.label, *concept.synonyms)):
        return True
    ids = {str(truth["mesh"])} if truth.get("mesh") else set()
    if truth.get("pubchem_cid"):
        ids.add(f"pubchem.compound:{truth['pubchem_cid']}")
    return bool(ids & set(concept.identifiers))


def _condition_matches(concept: Concept, truth: Mapping[str, Any]) -> bool:
    ids = {str(truth[k]) for k in ("mondo", "mesh") if truth.get(k)}
    if ids & set(concept.identifiers) or concept.key in ids:
        return True
    labels = {
        lookup_key(str(truth.get("label", ""))),
        *map(lookup_key, truth.get("synonyms") or []),
    }
    labels.discard("")
    return any(lookup_key(form) in labels for form in (concept.label, *concept.synonyms))


def _condition_or_broader_matches(
    extraction: Extraction, key: str, truth: Mapping[str, Any]
) -> bool:
    """The finding's condition, or a condition it is a subtype of, is the true one: a finding on
    "episodic migraine" (broader: migraine) answers a question about migraine, as the graph's
    queries do; a finding on the broad concept never stands for a truth that names a subtype.
    """
    concept = extraction.concept(key)
    if _condition_matches(concept, truth):
        return True
    known = {c.key for c in extraction.concepts}
    return any(
        _condition_matches(extraction.concept(broader), truth)
        for broader in concept.broader
        if broader in known
    )


def true_pairs_answered(
    extraction: Extraction, drug: str, condition: str, expected: Mapping[str, Any]
) -> list[int]:
    """The pairs of the record's ground truth ``expected`` (indices, in the order the scores
    read them) that a finding on (``drug``, ``condition``) keys of ``extraction`` would answer.
    """
    return [
        index
        for index, (intervention, truth) in enumerate(_truth_pairs(expected))
        if _drug_matches(extraction.concept(drug), intervention)
        and _condition_or_broader_matches(extraction, condition, truth)
    ]


def _truth_pairs(
    record: Mapping[str, Any],
) -> list[tuple[Mapping[str, Any], Mapping[str, Any]]]:
    conditions = list(record.get("conditions") or [])
    pairs = []
    for intervention in record.get("interventions") or []:
        for wanted in intervention.get("for_conditions") or []:
            condition = next(
                (
                    c
                    for c in conditions
                    if wanted in (c.get("mondo"), c.get("mesh"), c.get("label"))
                ),
                {"mondo": wanted, "label": ""},
            )
            pairs.append((intervention, condition))
    return pairs


def _truth_doses(intervention: Mapping[str, Any]) -> list[str]:
    doses = intervention.get("doses") or (
        [intervention["dose"]] if intervention.get("dose") else []
    )
    return [str(d) for d in doses]


def _dose_found(text: str, finding: Finding) -> bool:
    """Every number and unit parsed from the truth text is in some extracted dose; of a dose
    written per part of a combination ("80/4.5 µg", the truth of each part), any one part.
    """
    wanted: dict[tuple[int, int, int], list[Dose]] = {}
    for index, span in enumerate(find_doses(text)):
        key = (span.start, span.end, -1) if span.part is not None else (span.start, span.end, index)
        wanted.setdefault(key, []).append(span.dose)
    return all(
        any(_dose_among(dose, finding.doses) for dose in choices) for choices in wanted.values()
    )


def _dose_among(dose: Dose, found: Sequence[Dose]) -> bool:
    numbers = {n for n in (dose.value, dose.value_max) if n is not None}
    return any(
        d.unit == dose.unit and numbers <= {n for n in (d.value, d.value_max) if n is not None}
        for d in found
    )


def evaluate(
    records: Iterable[tuple[str, Extraction, PaperRecord]],
    ground_truth: Mapping[str, Any],
) -> EvaluationReport:
    """Score ``(file name, extraction, record)`` triples against the ground truth.

    Files the ground truth does not know are ignored.
    """
    truth = _truth_by_file(ground_truth)
    errors: list[EvaluationError] = []
    counts: Counter[str] = Counter()
    for name, extraction, _record in records:
        file = _file_name(name)
        expected = truth.get(file)
        if expected is None:
            continue
        counts["records"] += 1
        _score_record(file, extraction, expected, counts, errors)
    return EvaluationReport(
        records=counts["records"],
        true_pairs=counts["true_pairs"],
        found_pairs=counts["found_pairs"],
        matched_pairs=counts["matched"],
        outcome_correct=counts["outcome_ok"],
        design_correct=counts["design_ok"],
        design_total=counts["design_total"],
        sample_size_correct=counts["size_ok"],
        sample_size_total=counts["size_total"],
        doses_found=counts["doses_found"],
        doses_total=counts["doses_total"],
        errors=tuple(errors),
    )


def _score_record(
    file: str,
    extraction: Extraction,
    expected: Mapping[str, Any],
    counts: Counter[str],
    errors: list[EvaluationError],
) -> None:
    pairs = _truth_pairs(expected)
    findings = list(extraction.findings)
    counts["true_pairs"] += len(pairs)
    counts["found_pairs"] += len(findings)
    unused = list(range(len(findings)))
    for intervention, condition in pairs:
        drug_name = str(intervention.get("drug", ""))
        condition_name = str(condition.get("label") or condition.get("mondo") or "")
        match = next(
            (
                i
                for i in unused
                if _drug_matches(extraction.concept(findings[i].drug), intervention)
                and _condition_or_broader_matches(extraction, findings[i].condition, condition)
            ),
            None,
        )
        doses = _truth_doses(intervention)
        counts["doses_total"] += len(doses)
        if match is None:
            kind = classes.missed_pair_class(intervention, extraction, expected, _drug_matches)
            errors.append(
                EvaluationError(file, "missed_pair", drug_name, condition_name, error_class=kind)
            )
            continue
        unused.remove(match)
        finding = findings[match]
        counts["matched"] += 1
        wanted = str(intervention.get("outcome"))
        if finding.outcome.value == wanted:
            counts["outcome_ok"] += 1
        else:
            errors.append(
                EvaluationError(
                    file,
                    "wrong_outcome",
                    drug_name,
                    condition_name,
                    wanted,
                    finding.outcome.value,
                    classes.OUTCOME,
                )
            )
        _check_evidence(file, finding, expected, drug_name, condition_name, errors)
        for dose in doses:
            if _dose_found(dose, finding):
                counts["doses_found"] += 1
            else:
                found = "; ".join(d.text for d in finding.doses)
                errors.append(
                    EvaluationError(
                        file, "missed_dose", drug_name, condition_name, dose, found, classes.DOSE
                    )
                )
    for i in unused:
        finding = findings[i]
        found_drug = extraction.concept(finding.drug)
        found_condition = extraction.concept(finding.condition)
        errors.append(
            EvaluationError(
                file,
                "spurious_pair",
                found_drug.label,
                found_condition.label,
                found=finding.outcome.value,
                error_class=classes.spurious_pair_class(
                    found_drug, found_condition, expected, _drug_matches, _condition_matches
                ),
            )
        )
    for concept, ids in classes.merged_identifiers(extraction.concepts):
        errors.append(
            EvaluationError(
                file,
                "merged_identifiers",
                found=f"{concept.label}: {ids}",
                error_class=classes.CONCEPTS,
            )
        )
    design = expected.get("study_design")
    if design:
        counts["design_total"] += 1
        found_design = extraction.study_design.value if extraction.study_design else ""
        if found_design == design:
            counts["design_ok"] += 1
        else:
            errors.append(
                EvaluationError(
                    file,
                    "wrong_design",
                    expected=str(design),
                    found=found_design,
                    error_class=classes.DESIGN,
                )
            )
    size = expected.get("sample_size")
    if size is not None:
        counts["size_total"] += 1
        if extraction.sample_size == size:
            counts["size_ok"] += 1
        else:
            errors.append(
                EvaluationError(
                    file,
                    "wrong_sample_size",
                    expected=str(size),
                    found=str(extraction.sample_size),
                    error_class=classes.SAMPLE_SIZE,
                )
            )


def _check_evidence(
    file: str,
    finding: Finding,
    expected: Mapping[str, Any],
    drug: str,
    condition: str,
    errors: list[EvaluationError],
) -> None:
    """A finding's evidence is a sentence of the paper with its section, never the title."""
    if not finding.evidence:
        errors.append(
            EvaluationError(file, "no_evidence", drug, condition, "", "", classes.EVIDENCE)
        )
        return
    title = lookup_key(str((expected.get("paper") or {}).get("title") or ""))
    for evidence in finding.evidence:
        if evidence.section == "title" or (title and lookup_key(evidence.text) == title):
            errors.append(
                EvaluationError(
                    file, "title_evidence", drug, condition, "", evidence.text, classes.EVIDENCE
                )
            )
            return


def _record_paper_key(record: PaperRecord) -> str:
    return paper_key(
        doi=record.doi, pmcid=record.pmcid, pmid=record.pmid, title=record.title, date=record.date
    )


def answer_check(
    records: Iterable[tuple[str, Extraction, PaperRecord]],
    ground_truth: Mapping[str, Any],
    query: str,
    condition_ids: Sequence[str],
) -> AnswerCheck:
    """Compare drug → (paper count, outcome counts) for a condition with the expected answer the
    ground truth gives under ``queries.<query>``.

    Papers are counted once per drug (keyed like paper nodes: DOI, PMCID, PMID, title hash), so
    two files of the same paper count once. Drugs are grouped by concept, matched to expected
    rows by label or CURIE.
    """
    expected_rows = list(ground_truth["queries"][query]["expected_answer"])
    wanted = set(condition_ids)
    per_row: dict[int, dict[str, str]] = {i: {} for i in range(len(expected_rows))}
    extra: dict[str, dict[str, str]] = {}
    for _name, extraction, record in records:
        paper = _record_paper_key(record)
        for finding in extraction.findings:
            condition = extraction.concept(finding.condition)
            if not (wanted & {condition.key, *condition.identifiers}):
                continue
            drug = extraction.concept(finding.drug)
            row = next((i for i, row in enumerate(expected_rows) if _drug_matches(drug, row)), None)
            papers = per_row[row] if row is not None else extra.setdefault(drug.label, {})
            papers.setdefault(paper, finding.outcome.value)
    rows = tuple(
        AnswerRow(
            drug=str(row["drug"]),
            expected_papers=int(row["paper_count"]),
            found_papers=len(per_row[i]),
            expected_outcomes=dict(row["outcome_counts"]),
            found_outcomes=dict(Counter(per_row[i].values())),
        )
        for i, row in enumerate(expected_rows)
    )
    return AnswerCheck(rows, {drug: dict(Counter(p.values())) for drug, p in extra.items()})
