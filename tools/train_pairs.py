"""Fit the pair model shipped in src/paperkg/models/pairs.json.gz: which of a record's
conditions each tried drug was given for (paperkg.extraction.pair_model).

Data: the evaluation sets whose errors have been read (development data, never the unseen
blind sets): ../shared/records and tests/data/eval/{dev,dev2,dev3,blind,blind2,blind3,blind9,
blind10,blind11}, each record's ground truth written from its paper. Two steps, because the
features come from paperkg and the fit from scikit-learn:

    .venv/bin/python tools/train_pairs.py dump build/pairs.jsonl
    .venv/bin/pip install -r requirements/train.txt
    .venv/bin/python tools/train_pairs.py fit build/pairs.jsonl

``dump`` runs the rule extractor on every record and writes, per candidate (tried drug, disease
of the record), its features and whether the ground truth holds the pair. ``fit`` chooses the
regularisation and the threshold by leave-one-set-out cross-validation (pair F1 over the sets,
counting the true pairs no candidate holds as missed), prints the rules' and the model's figures
per held-out set, and writes the model fitted on every set. Deterministic (lbfgs).
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections import defaultdict
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SETS = {
    "public": ("../shared/records", "../shared/records/ground_truth.json"),
    **{
        name: (f"tests/data/eval/{name}", f"tests/data/eval/{name}/ground_truth.json")
        for name in (
            "dev", "dev2", "dev3", "blind", "blind2", "blind3", "blind9", "blind10", "blind11",
        )
    },
}  # fmt: skip
MODEL = ROOT / "src" / "paperkg" / "models" / "pairs.json.gz"
VERSION = "1"
REGULARISATION = (0.01, 0.03, 0.1, 0.3, 1.0)
THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9)
#: Features that leave a drug's conditions to the rules (as choose_targets does).
RULED = ("purpose", "harm_of_drug")


Row = dict[str, Any]


def dump(out: Path) -> None:
    """Write every candidate of every record of :data:`SETS` with its features and the true
    pairs it answers, and per set how many true pairs its ground truth holds.
    """
    import importlib

    import paperkg.extraction as extraction_package
    from paperkg.errors import RecordError
    from paperkg.evaluation import true_pairs_answered
    from paperkg.extraction import RuleExtractor
    from paperkg.readers import read_record

    pairs = importlib.import_module("paperkg.extraction.pair_model")
    extractor = RuleExtractor()
    rows: list[Row] = []
    for name, (folder, truth_path) in SETS.items():
        truth = json.loads((ROOT / truth_path).read_text(encoding="utf-8"))
        total = 0
        for expected in truth["records"]:
            interventions = expected.get("interventions") or []
            path = ROOT / folder / Path(str(expected["file"])).name
            if not path.exists() or not interventions:
                continue
            seen: list[tuple[str, str, dict[str, float]]] = []
            token = pairs.collecting.set(partial(_collect, seen))
            try:
                with _RulesOnly(extraction_package):
                    extraction = extractor.extract(read_record(path))
            except RecordError as error:  # a broken record is left out of the data
                print(error, file=sys.stderr)
                continue
            finally:
                pairs.collecting.reset(token)
            # as the scores count: the true pairs of the records that could be read
            total += sum(len(i.get("for_conditions") or []) for i in interventions)
            for drug, condition, features in seen:
                answers = true_pairs_answered(extraction, drug, condition, expected)
                rows.append(
                    {
                        "set": name,
                        "file": path.name,
                        "drug": drug,
                        "condition": condition,
                        "label": bool(answers),
                        "answers": answers,
                        "features": features,
                    }
                )
        rows.append({"set": name, "true_pairs": total})
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("".join(json.dumps(r, sort_keys=True) + "\n" for r in rows), encoding="utf-8")
    print(f"{sum(1 for r in rows if 'label' in r)} candidates written to {out}")


def _collect(into: list[tuple[str, str, dict[str, float]]], *seen: Any) -> None:
    into.append(seen)


class _RulesOnly:
    """The rules' own targets while dumping: the extractor finds no model."""

    def __init__(self, package: Any) -> None:
        self.package, self.saved = package, None

    def __enter__(self) -> None:
        self.saved = self.package.pair_model
        self.package.pair_model = lambda: None

    def __exit__(self, *exc: object) -> None:
        self.package.pair_model = self.saved


def _decide(probs: list[float], group: list[Row], threshold: float) -> list[bool]:
    """The candidates kept, as :func:`paperkg.extraction.pair_model.choose_targets` keeps them:
    over the threshold, else a drug's best if the rules gave it any; the rules' choice for a
    drug the text says was given for one of the record's conditions, or whose harm the case
    reports.
    """
    by_drug: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, row in enumerate(group):
        by_drug[(row["file"], row["drug"])].append(i)
    keep = [False] * len(group)
    for members in by_drug.values():
        if any(group[i]["features"].get(name) for i in members for name in RULED):
            # the text says what the drug was given for, or the case reports its harm: the
            # rules' choice stands
            chosen = [i for i in members if group[i]["features"].get("bias_rules")]
            for i in chosen:
                keep[i] = True
            continue
        chosen = [i for i in members if probs[i] >= threshold]
        if not chosen and any(group[i]["features"].get("bias_rules") for i in members):
            chosen = [max(members, key=lambda i: probs[i])]
        for i in chosen:
            keep[i] = True
    return keep


def _scores(keep: list[bool], group: list[Row], total: int) -> tuple[float, float, float]:
    """Pair precision, recall and F1 as the evaluation counts them: each true pair answered by
    one kept candidate at most, the true pairs no candidate holds missed.
    """
    answered: set[tuple[str, int]] = set()
    hits = 0
    for kept, row in zip(keep, group, strict=True):
        free = [a for a in row["answers"] if (row["file"], a) not in answered] if kept else []
        if free:
            answered.add((row["file"], free[0]))
            hits += 1
    found = sum(keep)
    precision = hits / found if found else 0.0
    recall = hits / total if total else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def fit(data: Path) -> None:
    """Choose C and the threshold by leave-one-set-out pair F1; fit on every set; write."""
    import numpy as np
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    rows = [json.loads(line) for line in data.read_text(encoding="utf-8").splitlines()]
    totals = {r["set"]: r["true_pairs"] for r in rows if "true_pairs" in r}
    candidates = [r for r in rows if "label" in r]
    sets = sorted(totals)
    by_set = {s: [r for r in candidates if r["set"] == s] for s in sets}
    results: dict[tuple[float, float], dict[str, float]] = defaultdict(dict)
    for held in sets:
        train = [r for r in candidates if r["set"] != held]
        vectors = DictVectorizer()
        x = vectors.fit_transform([r["features"] for r in train])
        y = np.array([r["label"] for r in train])
        test = by_set[held]
        for c in REGULARISATION:
            model = LogisticRegression(C=c, max_iter=2000, solver="lbfgs").fit(x, y)
            probs = (
                [
                    float(p)
                    for p in model.predict_proba(vectors.transform([r["features"] for r in test]))[
                        :, 1
                    ]
                ]
                if test
                else []
            )
            for threshold in THRESHOLDS:
                keep = _decide(probs, test, threshold)
                results[(c, threshold)][held] = _scores(keep, test, totals[held])[2]
    rules = {
        s: _scores([bool(r["features"].get("bias_rules")) for r in g], g, totals[s])[2]
        for s, g in by_set.items()
    }
    _show("rules", rules, sets)
    ranked = sorted(results.items(), key=lambda item: -sum(item[1].values()))
    for (c, threshold), per in ranked[:6]:
        _show(f"C {c} threshold {threshold}", per, sets)
    (c, threshold), _ = ranked[0]
    vectors = DictVectorizer()
    x = vectors.fit_transform([r["features"] for r in candidates])
    y = np.array([r["label"] for r in candidates])
    model = LogisticRegression(C=c, max_iter=2000, solver="lbfgs").fit(x, y)
    names = vectors.get_feature_names_out()
    weights = {
        str(name): round(float(w), 6)
        for name, w in zip(names, model.coef_[0], strict=True)
        if abs(w) > 1e-9
    }
    payload = {
        "intercept": round(float(model.intercept_[0]), 6),
        "weights": dict(sorted(weights.items())),
        "threshold": threshold,
        "version": VERSION,
        "C": c,
        "trained_on": sets,
        "candidates": len(candidates),
    }
    text = json.dumps(payload, indent=1, sort_keys=True).encode()
    MODEL.write_bytes(gzip.compress(text, mtime=0))
    print(f"written {MODEL} (C {c}, threshold {threshold}, {len(weights)} weights)")


def _show(name: str, per: dict[str, float], sets: list[str]) -> None:
    mean = sum(per.values()) / len(sets)
    print(f"{name:<28} held-out mean F1 {mean:.3f}  " + " ".join(f"{s} {per[s]:.3f}" for s in sets))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("step", choices=("dump", "fit"))
    parser.add_argument("data", type=Path)
    args = parser.parse_args()
    if args.step == "dump":
        dump(args.data)
    else:
        fit(args.data)


if __name__ == "__main__":
    main()
