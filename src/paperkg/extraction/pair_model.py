"""Which of a record's conditions a tried drug was given for: the rules' choice, re-read by a
learned model over features of every (drug, disease) candidate of the record.

The condition rules (:mod:`paperkg.extraction.conditions`, :mod:`~paperkg.extraction.targets`)
pick per drug the conditions it was tried for; on unseen papers the wrong condition (the
population instead of the target, a comorbidity, a harm) was the most common error. Each
candidate gets features (where the record names it, what the rules said of it, how it stands to
the drug in the text) and a logistic regression fitted by ``tools/train_pairs.py`` on the read
evaluation sets scores it; a drug keeps the candidates scored above the model's threshold, and
at least its best one when the rules gave it any. Without the model file the rules decide.
"""

from __future__ import annotations

import gzip
import json
import math
from collections.abc import Callable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from paperkg.extraction import lexicon
from paperkg.extraction.concepts import label_key
from paperkg.extraction.design import CASES, REVIEWS
from paperkg.extraction.interventions import AnnotatedSentence
from paperkg.model import Concept, EntityKind, StudyDesign

__all__ = ["MODEL_PATH", "PairContext", "PairModel", "choose_targets", "collecting", "pair_model"]

#: The fitted model, written by ``tools/train_pairs.py``.
MODEL_PATH = Path(__file__).resolve().parent.parent / "models" / "pairs.json.gz"

Features = dict[str, float]

#: Set by the training tool: receives (drug, condition, features) of every candidate.
collecting: ContextVar[Callable[[str, str, Features], None] | None] = ContextVar(
    "collecting", default=None
)

_TRIALS = frozenset({StudyDesign.RCT, StudyDesign.CROSSOVER_RCT, StudyDesign.PILOT_TRIAL})


@dataclass(frozen=True, slots=True)
class PairModel:
    """A binary logistic regression over named features, and the score a candidate needs."""

    intercept: float
    weights: Mapping[str, float]
    threshold: float
    version: str

    def score(self, features: Features) -> float:
        total = self.intercept + sum(
            self.weights.get(name, 0.0) * value for name, value in features.items()
        )
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, total))))


@lru_cache(maxsize=1)
def pair_model(path: Path = MODEL_PATH) -> PairModel | None:
    """The shipped model (read once per process), or ``None`` when there is none."""
    if not path.exists():
        return None
    data = json.loads(gzip.decompress(path.read_bytes()))
    return PairModel(
        float(data["intercept"]),
        {name: float(value) for name, value in data["weights"].items()},
        float(data["threshold"]),
        str(data["version"]),
    )


@dataclass(frozen=True, slots=True)
class PairContext:
    """What the features read of a record, computed once per record."""

    items: Sequence[AnnotatedSentence]
    concepts: Mapping[str, Concept]
    linked: set[str]
    studied: Sequence[str]
    broad: set[str]
    harms: set[str]
    comorbid: set[str]
    design: StudyDesign | None
    tried: Sequence[str]
    #: the record's disease keys, in the concepts' order (the candidates)
    diseases: tuple[str, ...] = field(init=False)
    #: where the record names each concept
    seen: _Seen = field(init=False)

    def __post_init__(self) -> None:
        diseases = tuple(k for k, c in self.concepts.items() if c.kind is EntityKind.DISEASE)
        object.__setattr__(self, "diseases", diseases)
        object.__setattr__(self, "seen", _Seen.of(self.items))


def choose_targets(
    drug: str,
    rule_targets: Sequence[str],
    context: PairContext,
    *,
    purposes: set[str],
    harmed: Sequence[str] = (),
    model: PairModel | None = None,
) -> list[str]:
    """The conditions ``drug`` was tried for: the candidates the model scores at or above its
    threshold (and the best one, if the rules gave the drug any); the rules' own choice where
    there is no model, the text says what the drug was given for ("X for Y"), or the record is
    a case of the drug's harm (the drug is for what it was given for, the harm its effect).
    """
    # what the text says the drug was given for is not re-read, nor the indication of a drug
    # whose harm the case reports: the rules follow the text there
    ruled = model is None or bool(harmed) or not purposes.isdisjoint(context.diseases)
    collect = collecting.get()
    if ruled and collect is None:
        return list(rule_targets)
    scored: list[tuple[float, str]] = []
    for condition in context.diseases:
        features = _features(drug, condition, context, rule_targets, purposes, harmed)
        if collect is not None:
            collect(drug, condition, features)
        if model is not None:
            scored.append((model.score(features), condition))
    if ruled or model is None:
        return list(rule_targets)
    chosen = [c for p, c in scored if p >= model.threshold]
    if not chosen and rule_targets and scored:
        chosen = [max(scored)[1]]
    order = {c: i for i, c in enumerate(context.diseases)}
    return sorted(chosen, key=order.__getitem__)


@dataclass(frozen=True, slots=True)
class _Seen:
    """Per concept: the sections and sentence positions that name it."""

    sections: dict[str, set[str]]
    positions: dict[str, list[int]]
    sentences: int

    @classmethod
    def of(cls, items: Sequence[AnnotatedSentence]) -> _Seen:
        sections: dict[str, set[str]] = {}
        positions: dict[str, list[int]] = {}
        for index, item in enumerate(items):
            for hit in item.hits:
                sections.setdefault(hit.key, set()).add(item.sentence.section)
                places = positions.setdefault(hit.key, [])
                if not places or places[-1] != index:
                    places.append(index)
        return cls(sections, positions, max(len(items), 1))


def _features(
    drug: str,
    condition: str,
    context: PairContext,
    rule_targets: Sequence[str],
    purposes: set[str],
    harmed: Sequence[str],
) -> Features:
    seen = context.seen
    concept = context.concepts[condition]
    where = seen.sections.get(condition, set())
    drug_where = seen.sections.get(drug, set())
    places = seen.positions.get(condition, [])
    together = set(places) & set(seen.positions.get(drug, []))
    title_together = any(context.items[i].sentence.section == "title" for i in together)
    design = context.design.value if context.design is not None else "none"
    kind = (
        "case"
        if context.design in CASES
        else "review"
        if context.design in REVIEWS
        else "trial"
        if context.design in _TRIALS
        else "other"
    )
    features: Features = {
        "bias_rules": 1.0 if condition in rule_targets else 0.0,
        "studied": 1.0 if condition in context.studied else 0.0,
        "broad_studied": 1.0 if condition in context.broad else 0.0,
        "linked": 1.0 if condition in context.linked else 0.0,
        "harm": 1.0 if condition in context.harms else 0.0,
        "harm_of_drug": 1.0 if condition in harmed else 0.0,
        "comorbid": 1.0 if condition in context.comorbid else 0.0,
        "purpose": 1.0 if condition in purposes else 0.0,
        "other_purpose": 1.0 if purposes and condition not in purposes else 0.0,
        "symptom": 1.0 if lexicon.SYMPTOMS.search(label_key(concept.label)) else 0.0,
        "has_id": 1.0 if concept.identifiers else 0.0,
        "in_title": 1.0 if "title" in where else 0.0,
        "in_tldr": 1.0 if "tldr" in where else 0.0,
        "in_key_findings": 1.0 if "key_findings" in where else 0.0,
        "in_abstract": 1.0 if "abstract" in where else 0.0,
        "drug_in_title": 1.0 if "title" in drug_where else 0.0,
        "title_together": 1.0 if title_together else 0.0,
        "together": math.log1p(len(together)),
        "mentions": math.log1p(len(places)),
        "first": (places[0] / seen.sentences) if places else 1.0,
        "words": float(min(len(label_key(concept.label).split()), 6)),
        "candidates": math.log1p(len(context.diseases)),
        "tried": math.log1p(len(context.tried)),
        "rules_gave": 1.0 if rule_targets else 0.0,
        f"design={design}": 1.0,
    }
    # what the rules said, read differently in each kind of paper
    for name in ("bias_rules", "studied", "harm", "comorbid", "in_title", "linked"):
        features[f"{name}*{kind}"] = features[name]
    return features
