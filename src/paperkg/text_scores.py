"""How well :func:`paperkg.text_entities.find_entities` finds the mentions an annotated corpus
marks: exact-span precision and recall, and how often a found id is gold's
(``tools/build_text_vocabulary.py --measure``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from paperkg.model import EntityKind, PaperRecord
from paperkg.text_entities import find_entities

__all__ = ["Scores", "score"]


@dataclass(frozen=True, slots=True)
class Scores:
    """Exact-span precision and recall of one kind, and how often a found id is right."""

    kind: EntityKind
    gold: int
    found: int
    correct: int
    with_id: int
    right_id: int

    @property
    def precision(self) -> float:
        return self.correct / self.found if self.found else 0.0

    @property
    def recall(self) -> float:
        return self.correct / self.gold if self.gold else 0.0

    @property
    def id_accuracy(self) -> float:
        """Of the correctly found mentions that got an id, the share whose id is gold's."""
        return self.right_id / self.with_id if self.with_id else 0.0


def score(records: Iterable[PaperRecord], kinds: Sequence[EntityKind]) -> dict[EntityKind, Scores]:
    """Score :func:`find_entities` on annotated records (offsets into ``title + " " +
    abstract``, as PubTator gives them), kind by kind. The mentions of one span (a composite's
    conjuncts) are one mention found, as gold marks a composite once; its ids are right when
    all of them are gold's.
    """
    tally = {kind: [0, 0, 0, 0, 0] for kind in kinds}
    drugs = EntityKind.CHEMICAL in kinds
    for record in records:
        text = record.title + " " + (record.abstract or "")
        gold = {(a.start, a.end, a.kind): a.identifiers for a in record.annotations}
        for kind in kinds:
            tally[kind][0] += sum(1 for _, _, gold_kind in gold if gold_kind is kind)
        spans: dict[tuple[int, int, EntityKind], set[str]] = {}
        for hit in find_entities(text, drugs=drugs):
            if hit.kind in tally:
                spans.setdefault((hit.start, hit.end, hit.kind), set()).update(
                    [hit.identifier] if hit.identifier else []
                )
        for span, found in spans.items():
            counts = tally[span[2]]
            counts[1] += 1
            ids = gold.get(span)
            if ids is None:
                continue
            counts[2] += 1
            if found:
                counts[3] += 1
                counts[4] += found <= set(ids)
    return {kind: Scores(kind, *counts) for kind, counts in tally.items()}
