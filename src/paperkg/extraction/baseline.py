"""The all-linked-pairs baseline: every linked chemical paired with every linked disease.

It reads nothing but the record's *Linked entities* section, so it says how much a reading
extractor adds: an extractor that scores below it on a set of records has learned the wrong
things. ``make eval`` prints it beside every figure.
"""

from __future__ import annotations

from paperkg.extraction.concepts import build_concepts, label_key
from paperkg.model import EntityKind, Extraction, ExtractorInfo, Finding, Outcome, PaperRecord

__all__ = ["LinkedPairsBaseline"]


class LinkedPairsBaseline:
    """Pairs every linked chemical with every linked disease, outcome ``improved``."""

    name = "linked-pairs-baseline"
    version = "1"

    def extract(self, record: PaperRecord) -> Extraction:
        """One finding per (linked chemical, linked disease) concept pair."""
        concept_set = build_concepts(record)
        linked: dict[EntityKind, list[str]] = {EntityKind.CHEMICAL: [], EntityKind.DISEASE: []}
        for mention in record.linked_entities:
            for concept in concept_set.concepts:
                same = (mention.identifier and mention.identifier in concept.identifiers) or (
                    label_key(mention.text) == label_key(concept.label)
                )
                wanted = linked.get(concept.kind)
                if concept.kind is mention.kind and same and wanted is not None:
                    wanted.extend([] if concept.key in wanted else [concept.key])
        info = ExtractorInfo(self.name, self.version)
        findings = tuple(
            Finding(drug, disease, Outcome.IMPROVED, extractor=info)
            for drug in linked[EntityKind.CHEMICAL]
            for disease in linked[EntityKind.DISEASE]
        )
        return Extraction(
            concepts=concept_set.concepts,
            studied_conditions=tuple(linked[EntityKind.DISEASE]),
            findings=findings,
        )
