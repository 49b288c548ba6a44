"""The evaluation sets stay as they were written: every record the ground truth names is there,
byte for byte (a blind set edited after its commit is a defect, and this is where it shows).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from conftest import SHARED

EVAL = Path(__file__).resolve().parent / "data" / "eval"
SETS = sorted(p.parent.name for p in EVAL.glob("*/ground_truth.json"))
#: Sets whose records are read where they are (real articles of the shared corpora).
RECORDS_ELSEWHERE = {"jats": SHARED / "corpora" / "pmc-jats"}


def test_the_sets_are_found() -> None:
    expected = {f"blind{n}" for n in range(2, 18)} | {"dev", "dev2", "dev3", "blind", "jats"}
    assert expected <= set(SETS)


@pytest.mark.parametrize("name", SETS)
def test_each_record_is_the_one_the_ground_truth_was_written_for(name: str) -> None:
    truth = json.loads((EVAL / name / "ground_truth.json").read_text(encoding="utf-8"))
    assert truth["counts"]["records"] == len(truth["records"])
    folder = RECORDS_ELSEWHERE.get(name, EVAL / name)
    for entry in truth["records"]:
        data = (folder / entry["file"]).read_bytes()
        if "sha256" in entry:
            assert hashlib.sha256(data).hexdigest() == entry["sha256"], entry["file"]
            assert len(data) == entry["bytes"], entry["file"]


@pytest.mark.parametrize("name", [s for s in SETS if s.startswith("blind") or s == "jats"])
def test_a_blind_set_has_a_hash_for_every_record(name: str) -> None:
    truth = json.loads((EVAL / name / "ground_truth.json").read_text(encoding="utf-8"))
    assert all("sha256" in entry for entry in truth["records"])
