"""Score ``paperkg infer`` on the Evidence Inference corpus (make eval prints this).

    .venv/bin/python tools/eval_inference.py ../shared/corpora/evidence-inference \\
        [--split validation] [--target 0.75]

Scores the prompts whose evidence is in the abstract (the target: macro-F1 >= 0.75 on
validation) and all prompts, with per-label precision and recall and the confusion matrix,
against the annotators' majority label. Reads only train and validation (the test split is
withheld). Exit 1 when a --target is missed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from evidence_inference_data import load

from paperkg.extraction.trial_results import answer_comparison
from paperkg.model import Direction
from paperkg.readers.evidence_inference import abstract_body

LABELS = [d.value for d in (Direction.INCREASED, Direction.DECREASED, Direction.NO_DIFFERENCE)]
SHORT = {
    "significantly increased": "incr",
    "significantly decreased": "decr",
    "no significant difference": "no-diff",
}


def score(pairs: list[tuple[str, str]]) -> tuple[float, list[str], dict[str, dict[str, int]]]:
    confusion = {t: dict.fromkeys(LABELS, 0) for t in LABELS}
    for truth, guess in pairs:
        confusion[truth][guess] += 1
    lines, f1s = [], []
    for label in LABELS:
        tp = confusion[label][label]
        predicted = sum(confusion[t][label] for t in LABELS)
        actual = sum(confusion[label].values())
        p = tp / predicted if predicted else 0.0
        r = tp / actual if actual else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        f1s.append(f1)
        lines.append(f"  {label:<27} P {p:.3f}  R {r:.3f}  F1 {f1:.3f}  (n={actual})")
    return sum(f1s) / len(f1s), lines, confusion


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--split", choices=("train", "validation"), default="validation")
    parser.add_argument("--target", type=float, default=None, help="macro-F1 to reach")
    args = parser.parse_args()
    items = [i for i in load(args.corpus) if i.split == args.split]
    pairs_in, pairs_all = [], []
    for item in items:
        answer = answer_comparison(
            abstract_body(item.sentences), item.intervention, item.comparator, item.outcome
        )
        guess = answer.direction.value if answer else Direction.NO_DIFFERENCE.value
        pairs_all.append((item.label, guess))
        if item.in_abstract:
            pairs_in.append((item.label, guess))
    majority = max(LABELS, key=lambda label: sum(t == label for t, _ in pairs_in))
    baseline, _, _ = score([(t, majority) for t, _ in pairs_in])
    macro_in, lines_in, confusion = score(pairs_in)
    macro_all, _, _ = score(pairs_all)
    print(f"Evidence Inference, {args.split} split (annotators' majority label)")
    print(
        f"  prompts with evidence in the abstract: {len(pairs_in)}: macro-F1 {macro_in:.3f} "
        f"(majority class {baseline:.3f})"
    )
    print("\n".join(lines_in))
    print(
        "  confusion (rows truth, columns answer): "
        + ", ".join(
            f"{SHORT[t]} -> " + " ".join(f"{SHORT[p]} {confusion[t][p]}" for p in LABELS)
            for t in LABELS
        )
    )
    print(
        f"  all prompts (evidence often only in the full text): {len(pairs_all)}: "
        f"macro-F1 {macro_all:.3f}"
    )
    if args.target is not None and macro_in < args.target:
        print(f"  target macro-F1 {args.target} missed")
        sys.exit(1)


if __name__ == "__main__":
    main()
