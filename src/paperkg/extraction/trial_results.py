"""What a trial found for one endpoint, intervention against comparator: a learned reader.

Two small linear models, fitted by ``tools/train_results.py`` on the doctors' annotations of the
Evidence Inference corpus (train split; chosen on validation) and shipped as one JSON file:
a ranker picks the sentences that report the comparison, a labeller reads each of them
(features in :mod:`paperkg.extraction.comparison`), and the top sentences vote, weighed by rank.
Pure Python at run time: no numerical library, deterministic, loaded once in milliseconds.
"""

from __future__ import annotations

import gzip
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from paperkg.extraction.comparison import Features, arm_names, label_features, ranking_features
from paperkg.model import Direction

__all__ = [
    "MODEL_PATH",
    "ComparisonAnswer",
    "LinearModel",
    "ResultsModel",
    "answer_comparison",
    "results_model",
]

#: The fitted models, written by ``tools/train_results.py``.
MODEL_PATH = Path(__file__).resolve().parent.parent / "models" / "results.json.gz"
#: How many of the best-ranked sentences vote on the label.
VOTERS = 2


@dataclass(frozen=True, slots=True)
class LinearModel:
    """A multinomial (or binary) logistic regression over named features."""

    classes: tuple[str, ...]
    intercepts: tuple[float, ...]
    weights: Mapping[str, tuple[float, ...]]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LinearModel:
        return cls(
            tuple(data["classes"]),
            tuple(float(x) for x in data["intercepts"]),
            {name: tuple(float(x) for x in row) for name, row in data["weights"].items()},
        )

    def probabilities(self, features: Features) -> dict[str, float]:
        scores = list(self.intercepts)
        for name, value in features.items():
            row = self.weights.get(name)
            if row is not None and value:
                for index, weight in enumerate(row):
                    scores[index] += weight * value
        if len(self.classes) == 2 and len(scores) == 1:
            positive = 1.0 / (1.0 + math.exp(-scores[0]))
            return {self.classes[0]: 1.0 - positive, self.classes[1]: positive}
        top = max(scores)
        exps = [math.exp(s - top) for s in scores]
        total = sum(exps)
        return {label: e / total for label, e in zip(self.classes, exps, strict=True)}


@dataclass(frozen=True, slots=True)
class ResultsModel:
    """The evidence ranker and the comparison labeller, with the data they were fitted on."""

    ranker: LinearModel
    labeller: LinearModel
    version: str
    trained_on: str


@lru_cache(maxsize=1)
def results_model(path: Path = MODEL_PATH) -> ResultsModel:
    """The shipped model (read once per process)."""
    data = json.loads(gzip.decompress(path.read_bytes()))
    return ResultsModel(
        LinearModel.from_json(data["ranker"]),
        LinearModel.from_json(data["labeller"]),
        str(data["version"]),
        str(data["trained_on"]),
    )


@dataclass(frozen=True, slots=True)
class ComparisonAnswer:
    """The label for one (intervention, comparator, endpoint), the sentence that says it and
    its section, and the model's probability for the label.
    """

    direction: Direction
    evidence: str
    section: str
    confidence: float


def answer_comparison(
    sentences: Sequence[tuple[str, str]],
    intervention: str,
    comparator: str,
    endpoint: str,
    *,
    model: ResultsModel | None = None,
) -> ComparisonAnswer | None:
    """Read ``sentences`` (``(section, text)`` pairs of one abstract) for how ``intervention``
    compared with ``comparator`` on ``endpoint``; ``None`` when there is no sentence.
    """
    if not sentences:
        return None
    chosen = model or results_model()
    prompt = (intervention, comparator, endpoint)
    count = len(sentences)
    relevance = [
        chosen.ranker.probabilities(ranking_features(section, text, i, count, prompt))[
            chosen.ranker.classes[-1]
        ]
        for i, (section, text) in enumerate(sentences)
    ]
    voters = sorted(range(count), key=lambda i: (-relevance[i], i))[:VOTERS]
    arms = arm_names(" ".join(text for _, text in sentences), intervention, comparator)
    total = sum(relevance[i] for i in voters) or 1.0
    votes: dict[str, float] = {}
    for index in voters:
        features = label_features(sentences[index][1], prompt, arms)
        for label, p in chosen.labeller.probabilities(features).items():
            votes[label] = votes.get(label, 0.0) + p * relevance[index] / total
    label = max(chosen.labeller.classes, key=lambda name: (votes.get(name, 0.0), name))
    section, text = sentences[voters[0]]
    return ComparisonAnswer(Direction(label), text, section, round(votes[label], 3))
