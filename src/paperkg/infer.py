"""``paperkg infer``: answer Evidence Inference prompts from the abstracts they point to.

Each prompt asks how an intervention compared with a comparator on an outcome in one article;
the answer is one of the doctors' three labels and the abstract sentence that says it. This is
the public benchmark of the results reader that also decides findings' results in the graph.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from paperkg.errors import RecordError
from paperkg.extraction.trial_results import answer_comparison
from paperkg.readers.evidence_inference import abstract_body, read_abst, read_prompts

__all__ = ["INFER_FORMATS", "InferredAnswer", "format_answers", "infer_prompts"]

INFER_FORMATS = ("csv", "tsv", "json")
_COLUMNS = ("PromptID", "label", "evidence")


@dataclass(frozen=True, slots=True)
class InferredAnswer:
    """One prompt's answer: the label, its evidence sentence and section, and confidence."""

    prompt_id: str
    label: str
    evidence: str
    section: str
    confidence: float


def infer_prompts(
    abstracts: str | os.PathLike[str], prompts: str | os.PathLike[str]
) -> Iterator[InferredAnswer | RecordError]:
    """Answer every prompt of ``prompts`` from ``abstracts/PMC<id>.abst``; a prompt whose
    abstract is missing or unreadable is yielded as an error and the others are answered.
    """
    folder = Path(abstracts)
    read: dict[str, list[tuple[str, str]] | RecordError | None] = {}  # None: no such file
    for prompt in read_prompts(prompts):
        if isinstance(prompt, RecordError):
            yield prompt
            continue
        path = folder / f"PMC{prompt.pmcid}.abst"
        if prompt.pmcid not in read:
            read[prompt.pmcid] = _read_or_error(path)
        sentences = read[prompt.pmcid]
        if sentences is None:
            yield RecordError(
                str(prompts),
                prompt.line,
                "PMCID",
                f"no abstract {path.name} in {folder}",
                "give the folder that holds PMC<PMCID>.abst files",
            )
            continue
        if isinstance(sentences, RecordError):
            yield sentences
            continue
        body = abstract_body(sentences)
        answer = answer_comparison(body, prompt.intervention, prompt.comparator, prompt.outcome)
        if answer is None:
            yield RecordError(
                str(prompts), prompt.line, "PMCID", "the abstract has no sentences", "check it"
            )
            continue
        yield InferredAnswer(
            prompt.prompt_id,
            answer.direction.value,
            answer.evidence,
            answer.section,
            answer.confidence,
        )


def _read_or_error(path: Path) -> list[tuple[str, str]] | RecordError | None:
    if not path.is_file():
        return None
    try:
        return read_abst(path)
    except RecordError as error:
        return error


def format_answers(answers: list[InferredAnswer], fmt: str) -> str:
    """The answers as CSV or TSV (``PromptID,label,evidence``) or a JSON list."""
    if fmt == "json":
        rows = [
            {
                "PromptID": a.prompt_id,
                "label": a.label,
                "evidence": a.evidence,
                "section": a.section,
                "confidence": a.confidence,
            }
            for a in answers
        ]
        return json.dumps(rows, indent=1, ensure_ascii=False) + "\n"
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t" if fmt == "tsv" else ",", lineterminator="\n")
    writer.writerow(_COLUMNS)
    for a in answers:
        evidence = a.evidence.replace("\t", " ") if fmt == "tsv" else a.evidence
        writer.writerow((a.prompt_id, a.label, evidence))
    return buffer.getvalue()
