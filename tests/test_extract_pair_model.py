"""The learned choice of the conditions a tried drug was given for (pair_model.py).

Invented names on purpose; the models here are made by hand so that each test knows what they
prefer. The shipped model is checked for what it is: small, quick to load, fitted only on the
evaluation sets whose errors were read.
"""

from __future__ import annotations

import gzip
import json
import time
from pathlib import Path

import pytest

import paperkg.extraction as extraction_package
from paperkg.extraction import extract
from paperkg.extraction.pair_model import MODEL_PATH, PairModel, pair_model
from paperkg.model import EntityKind, EntityMention, Extraction, PaperRecord

C, D = EntityKind.CHEMICAL, EntityKind.DISEASE
REPO = Path(__file__).resolve().parent.parent
#: The sets the model may learn from: those whose errors have been read (never an unseen one).
READ_SETS = {
    "public",
    "dev",
    "dev2",
    "dev3",
    "blind",
    "blind2",
    "blind3",
    "blind9",
    "blind10",
    "blind11",
}

TITLE = "Widgetitis and gloomosis: a randomised controlled trial of velitrex"
ABSTRACT = (
    "METHODS: 80 patients were randomised to velitrex or placebo. "
    "RESULTS: Velitrex reduced widgetitis more than placebo (P < 0.01)."
)


def make(*, linked: bool, title: str = TITLE) -> PaperRecord:
    mentions = (
        EntityMention("widgetitis", D, "MONDO:0900001", "MONDO:0900001", "linked"),
        EntityMention("gloomosis", D, "MONDO:0900002", "MONDO:0900002", "linked"),
        EntityMention("velitrex", C, "MESH:D900001", "MESH:D900001", "linked"),
    )
    return PaperRecord(
        source="t.txt",
        sha256="0",
        title=title,
        abstract=ABSTRACT,
        linked_entities=mentions if linked else (),
        fulltext_entities=()
        if linked
        else tuple(
            EntityMention(m.text, m.kind, m.identifier, m.identifier or "-", "fulltext")
            for m in mentions
        ),
    )


def conditions_of(extraction: Extraction) -> list[str]:
    return sorted(extraction.concept(f.condition).label for f in extraction.findings)


def use(monkeypatch: pytest.MonkeyPatch, model: PairModel | None) -> None:
    monkeypatch.setattr(extraction_package, "pair_model", lambda: model)


#: A model that believes in the conditions the abstract names (widgetitis, not gloomosis).
ABSTRACT_ONLY = PairModel(-5.0, {"in_abstract": 10.0}, 0.5, "test")


def test_without_a_model_the_rules_choose(monkeypatch: pytest.MonkeyPatch) -> None:
    use(monkeypatch, None)
    assert conditions_of(extract(make(linked=True))) == ["gloomosis", "widgetitis"]


def test_the_model_keeps_what_it_scores_over_its_threshold(monkeypatch: pytest.MonkeyPatch) -> None:
    use(monkeypatch, ABSTRACT_ONLY)
    assert conditions_of(extract(make(linked=True))) == ["widgetitis"]
    use(monkeypatch, PairModel(5.0, {}, 0.5, "test"))  # believes in every condition
    assert conditions_of(extract(make(linked=True))) == ["gloomosis", "widgetitis"]


def test_a_drug_the_rules_gave_a_condition_keeps_its_best_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # nothing reaches the threshold: the best-scored candidate stays
    use(monkeypatch, PairModel(-9.0, {"in_abstract": 3.0}, 0.9, "test"))
    assert conditions_of(extract(make(linked=True))) == ["widgetitis"]


def test_what_the_text_says_a_drug_was_given_for_is_not_re_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    title = "Velitrex for gloomosis: a randomised controlled trial"
    use(monkeypatch, ABSTRACT_ONLY)
    assert conditions_of(extract(make(linked=True, title=title))) == ["gloomosis"]


def test_a_record_without_linked_entities_is_left_to_the_rules(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    use(monkeypatch, None)
    by_rules = conditions_of(extract(make(linked=False)))
    use(monkeypatch, ABSTRACT_ONLY)
    assert conditions_of(extract(make(linked=False))) == by_rules
    assert by_rules != ["widgetitis"]  # the model would have chosen otherwise


def test_the_shipped_model_is_small_loads_fast_and_learned_only_from_read_sets() -> None:
    assert MODEL_PATH.stat().st_size < 20_000
    pair_model.cache_clear()
    started = time.perf_counter()
    model = pair_model()
    assert time.perf_counter() - started < 1.0
    assert model is not None
    assert 0.0 < model.threshold < 1.0
    data = json.loads(gzip.decompress(MODEL_PATH.read_bytes()))
    assert set(data["trained_on"]) <= READ_SETS
    assert model.score({"bias_rules": 1.0}) > model.score({"comorbid": 1.0})


def test_the_training_tool_reads_only_read_sets() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("train_pairs", REPO / "tools" / "train_pairs.py")
    assert spec is not None
    assert spec.loader is not None
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    assert set(tool.SETS) == READ_SETS
