"""The evaluation run: figures, targets and the graph's answer, as `paperkg eval` prints them."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from paperkg.cli import main
from paperkg.errors import ConfigError
from paperkg.eval_run import run_evaluation
from paperkg.extraction import RuleExtractor
from paperkg.model import Extraction, Outcome, PaperRecord

from conftest import FIBROMYALGIA_ANSWER, PUBLIC_TARGETS, public_truth_as_paperkg_reads_it


class _AlwaysImproved:
    """A deliberately bad extractor: every finding becomes 'improved'."""

    name = "always-improved"
    version = "1"

    def extract(self, record: PaperRecord) -> Extraction:
        extraction = RuleExtractor().extract(record)
        findings = tuple(
            dataclasses.replace(f, outcome=Outcome.IMPROVED) for f in extraction.findings
        )
        return dataclasses.replace(extraction, findings=findings)


def test_the_rules_meet_the_targets_on_the_public_records(
    shared_records: Path, tmp_path: Path
) -> None:
    """Against the public truth as paperkg reads it (conftest.PUBLIC_TRUTH_DEPARTURES)."""
    truth = json.loads((shared_records / "ground_truth.json").read_text(encoding="utf-8"))
    adjusted = tmp_path / "ground_truth.json"
    adjusted.write_text(json.dumps(public_truth_as_paperkg_reads_it(truth)), encoding="utf-8")
    run = run_evaluation(
        shared_records, adjusted, answers=FIBROMYALGIA_ANSWER, targets=PUBLIC_TARGETS
    )
    figures = run.report.summary()
    for name, target in PUBLIC_TARGETS.items():
        assert figures[name] >= target, (name, figures[name], run.text())
    assert run.answer is not None
    assert run.answer.ok, run.text()
    assert {e.path.rsplit("/", 1)[-1] for e in run.rejected} == {
        "006_eaedb9eeedb5cc15.txt",
        "007_1d81c7a84e89befd.txt",
    }


def test_a_worse_extractor_misses_the_targets_and_the_answer(shared_records: Path) -> None:
    run = run_evaluation(
        shared_records,
        shared_records / "ground_truth.json",
        extractor=_AlwaysImproved(),
        answers=FIBROMYALGIA_ANSWER,
        targets=PUBLIC_TARGETS,
    )
    assert not run.meets_targets
    assert run.answer is not None
    assert not run.answer.ok
    text = run.text()
    assert "NOT MET" in text
    assert "DIFFERS" in text
    assert "wrong_outcome" in text


def test_cli_eval_exit_code_follows_the_targets(shared_records: Path) -> None:
    result = CliRunner().invoke(
        main,
        [
            "eval",
            str(shared_records),
            str(shared_records / "ground_truth.json"),
            "--answer",
            "fibromyalgia_drugs=MONDO:0005546",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "pair_f1" in result.stdout
    # the graph's answer departs from the public truth only where conftest says why
    assert "!! gabapentin       papers 1/2" in result.stdout
    missed = CliRunner().invoke(
        main,
        [
            "eval",
            str(shared_records),
            str(shared_records / "ground_truth.json"),
            "--target",
            "pair_recall=1.0",
        ],
    )
    assert missed.exit_code == 1


def test_a_broken_ground_truth_is_a_clear_error(tmp_path: Path, shared_records: Path) -> None:
    bad = tmp_path / "truth.json"
    bad.write_text(json.dumps({"no": "records"}))
    with pytest.raises(ConfigError, match="no 'records' list"):
        run_evaluation(shared_records, bad)
    bad.write_text("{not json")
    with pytest.raises(ConfigError, match="cannot read the ground truth"):
        run_evaluation(shared_records, bad)


def test_the_development_set_keeps_its_scores() -> None:
    """A guard, not a claim of generality: these records were used while writing rules."""
    folder = Path(__file__).resolve().parent / "data" / "eval" / "dev"
    run = run_evaluation(folder, folder / "ground_truth.json", answers=FIBROMYALGIA_ANSWER)
    figures = run.report.summary()
    assert figures["pair_f1"] >= 0.82, run.text()
    assert figures["outcome_accuracy"] >= 0.75, run.text()
    assert figures["design_accuracy"] >= 0.95, run.text()
    assert figures["dose_recall"] >= 0.8, run.text()
    assert run.baseline is not None
    assert figures["pair_f1"] > run.baseline.f1 + 0.3, run.text()
    assert run.answer is not None
    assert run.answer.ok, run.text()


def test_the_baseline_pairs_every_linked_chemical_with_every_linked_disease(
    shared_records: Path,
) -> None:
    """On the seed record: four linked chemicals x one linked disease, read from nothing else."""
    from paperkg.extraction.baseline import LinkedPairsBaseline
    from paperkg.readers import read_record

    record = read_record(shared_records / "000_47468af30908e69c.txt")
    extraction = LinkedPairsBaseline().extract(record)
    pairs = {
        (extraction.concept(f.drug).label, extraction.concept(f.condition).label)
        for f in extraction.findings
    }
    assert pairs == {
        (drug, "fibromyalgia syndrome")
        for drug in ("naltrexone", "amitriptyline", "pregabalin", "duloxetine")
    }


def test_the_run_scores_the_baseline_and_counts_errors_by_class(shared_records: Path) -> None:
    run = run_evaluation(shared_records, shared_records / "ground_truth.json")
    assert run.baseline is not None
    # duloxetine is named, not tried, in the seed record: the baseline pairs it anyway
    assert run.baseline.precision < 1.0
    assert run.baseline.recall == 1.0
    text = run.text()
    assert "linked-pairs baseline" in text
    assert "errors by class:" in text
    assert "3 drug role" in text


def test_targets_are_chosen_per_run(shared_records: Path) -> None:
    result = CliRunner().invoke(
        main,
        [
            "eval",
            "--no-errors",
            str(shared_records),
            str(shared_records / "ground_truth.json"),
            "--target",
            "sample_size_accuracy=1.0",
        ],
    )
    assert result.exit_code == 0, result.output
    line = next(x for x in result.output.splitlines() if "sample_size_accuracy" in x)
    assert line.split()[1:] == ["1.000", "target", ">=", "1.0:", "met"]
    bad = CliRunner().invoke(
        main,
        ["eval", str(shared_records), str(shared_records / "ground_truth.json"), "--target", "f1"],
    )
    assert bad.exit_code == 2
    assert "'f1' is not FIGURE=VALUE" in bad.output


class _Counting:
    """The rules, counting how often each record is extracted."""

    name = "counting"
    version = "1"

    def __init__(self) -> None:
        self.calls: dict[str, int] = {}

    def extract(self, record: PaperRecord) -> Extraction:
        self.calls[record.source] = self.calls.get(record.source, 0) + 1
        return RuleExtractor().extract(record)


def test_each_record_is_extracted_once_for_the_scores_and_the_graph(shared_records: Path) -> None:
    counting = _Counting()
    run = run_evaluation(
        shared_records,
        shared_records / "ground_truth.json",
        extractor=counting,
        answers=FIBROMYALGIA_ANSWER,
    )
    assert run.answer is not None
    assert counting.calls
    assert set(counting.calls.values()) == {1}


def test_a_question_the_truth_does_not_hold_is_not_checked_and_a_bad_one_is_an_error(
    shared_records: Path,
) -> None:
    run = run_evaluation(
        shared_records, shared_records / "ground_truth.json", answers={"no_such": "x"}
    )
    assert run.answer is None
    result = CliRunner().invoke(
        main,
        ["eval", str(shared_records), str(shared_records / "ground_truth.json"), "--answer", "x"],
    )
    assert result.exit_code != 0
    assert "--answer: 'x' is not QUESTION=CONDITION" in result.output
