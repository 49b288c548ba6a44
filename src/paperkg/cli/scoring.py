"""Commands that score extraction: ``eval`` on records with ground truth, ``infer`` on Evidence
Inference prompts.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import RecordError
from .support import Settings

__all__ = ["evaluate", "infer"]


@click.command(name="eval")
@click.argument("records", type=click.Path(path_type=Path, exists=True))
@click.argument("ground_truth", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--errors/--no-errors", default=True, show_default=True, help="List every error.")
@click.option(
    "--target",
    "targets",
    multiple=True,
    metavar="FIGURE=VALUE",
    help="A figure to reach, e.g. pair_f1=0.92 (repeatable; none by default).",
)
@click.option(
    "--answer",
    "answers",
    multiple=True,
    metavar="QUESTION=CONDITION",
    help="Check the built graph's drugs-tried-for answer for CONDITION against the ground "
    "truth's expected answer QUESTION, e.g. fibromyalgia_drugs=MONDO:0005546.",
)
@click.pass_obj
def evaluate(
    settings: Settings,
    records: Path,
    ground_truth: Path,
    errors: bool,
    targets: tuple[str, ...],
    answers: tuple[str, ...],
) -> None:
    """Score the extractor on RECORDS against GROUND_TRUTH (ground_truth.json layout).

    Prints pair precision/recall/F1 beside the all-linked-pairs baseline, outcome, design and
    sample-size accuracy, dose recall, the errors by class, the graph's answer to a question
    of the ground truth (--answer), and every error. Exit 1 when a --target is missed.

    \b
    Example:
      paperkg eval ../shared/records ../shared/records/ground_truth.json \\
        --target pair_f1=0.95 --answer fibromyalgia_drugs=MONDO:0005546
      paperkg eval tests/data/eval/blind4 tests/data/eval/blind4/ground_truth.json \\
        --target pair_f1=0.92 --target design_accuracy=0.9 --target dose_recall=0.9
    """
    from ..eval_run import parse_answers, parse_targets, run_evaluation

    chosen = parse_targets(targets) if targets else None
    with settings.console.timed("evaluation"):
        run = run_evaluation(records, ground_truth, targets=chosen, answers=parse_answers(answers))
    settings.console.result(run.text(errors=errors))
    if not run.meets_targets:
        sys.exit(1)


@click.command()
@click.argument("abstracts", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.argument("prompts", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "tsv", "json"]),
    default="csv",
    show_default=True,
    help="Output format: PromptID,label,evidence rows, or JSON with section and confidence.",
)
@click.option("--strict", is_flag=True, help="Stop at the first prompt that cannot be answered.")
@click.pass_obj
def infer(settings: Settings, abstracts: Path, prompts: Path, fmt: str, strict: bool) -> None:
    """Answer Evidence Inference PROMPTS (CSV: PromptID, PMCID, Outcome, Intervention,
    Comparator) from the ABSTRACTS folder's PMC<PMCID>.abst files.

    Prints one row per prompt: the label (significantly increased, significantly decreased,
    no significant difference) and the abstract sentence that says it. Prompts that cannot be
    answered (no abstract) are reported on stderr and left out (exit 1).

    \b
    Example:
      paperkg infer ../shared/corpora/evidence-inference/abstracts \\
        ../shared/corpora/evidence-inference/prompts.csv > answers.csv
    """
    from ..infer import format_answers, infer_prompts

    answers = []
    failed = 0
    for answer in infer_prompts(abstracts, prompts):
        if isinstance(answer, RecordError):
            if strict:
                raise answer
            settings.console.error(f"skipped: {answer}")
            failed += 1
        else:
            answers.append(answer)
    settings.console.result(format_answers(answers, fmt), nl=False)
    if failed:
        sys.exit(1)
