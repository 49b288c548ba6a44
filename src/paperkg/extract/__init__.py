"""Extraction: from a :class:`~paperkg.model.PaperRecord` to an :class:`~paperkg.model.Extraction`.

Pure functions, no RDF and no I/O. :class:`Extractor` is the seam where a better extractor (a
trained model, an LLM) can replace :class:`RuleExtractor` without the rest of paperkg changing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from paperkg.extract import lexicon
from paperkg.extract.concepts import ConceptSet, build_concepts, label_key
from paperkg.extract.design import detect_design, sample_size
from paperkg.extract.interventions import (
    AnnotatedSentence,
    Occurrence,
    annotate,
    condition_roles,
    doses_for,
    drug_purposes,
    is_drug_like,
    occurrences,
)
from paperkg.extract.outcome import (
    ClausePolarity,
    adverse_effect_terms,
    decide_outcome,
    polarity_for,
)
from paperkg.extract.sentences import MentionIndex, Sentence, record_sentences
from paperkg.model import (
    Concept,
    EntityKind,
    Extraction,
    ExtractorInfo,
    Finding,
    Outcome,
    PaperRecord,
    StudyDesign,
)

__all__ = ["Extractor", "RuleExtractor", "extract"]

RULES_VERSION = "0.1.0"


@runtime_checkable
class Extractor(Protocol):
    """Anything that turns a record into an extraction and says who it is."""

    name: str
    version: str

    def extract(self, record: PaperRecord) -> Extraction:
        """Extract concepts, findings, design and sample size from one record."""
        ...


@dataclass(frozen=True, slots=True)
class _DrugEvidence:
    occurrences: tuple[Occurrence, ...]
    judged: tuple[tuple[Sentence, ClausePolarity], ...]


class RuleExtractor:
    """Cue-lexicon and sentence-structure rules; see the modules of :mod:`paperkg.extract`."""

    name = "rules"
    version = RULES_VERSION

    def extract(self, record: PaperRecord) -> Extraction:
        """Extract concepts, studied conditions, findings, mentioned drugs, design, sample size."""
        concept_set = build_concepts(record)
        concepts = {c.key: c for c in concept_set.concepts}
        index = MentionIndex(concept_set.surfaces)
        sentences = record_sentences(record)
        items = annotate(sentences, index)
        diseases = [c for c in concept_set.concepts if c.kind is EntityKind.DISEASE]
        studied, harms = condition_roles(diseases, items, _linked_keys(record, concept_set))
        excluded = set(studied)
        # Conditions a drug can be "given for"; symptoms ("for pain") do not redirect a finding.
        conditions = {c.key for c in diseases if not lexicon.SYMPTOMS.search(label_key(c.label))}

        per_drug = {
            key: self._drug_evidence(key, items, excluded)
            for key, concept in concepts.items()
            if is_drug_like(concept)
        }
        tried = [key for key, ev in per_drug.items() if any(o.given for o in ev.occurrences)]
        info = ExtractorInfo(self.name, self.version)
        findings: list[Finding] = []
        design = detect_design(sentences)
        for drug in tried:
            evidence = per_drug[drug]
            given = [o.sentence for o in evidence.occurrences if o.given]
            # A protocol reports no results: what it hopes for is not an outcome.
            judged = () if design is StudyDesign.PROTOCOL else evidence.judged
            decision = decide_outcome(judged, given)
            usable = {o.sentence.position for o in evidence.occurrences if not o.background}
            doses = tuple(doses_for(drug, items, usable))
            effects = _adverse_effects(
                drug, items, evidence, usable, _primary(tried, items), excluded, harms, concepts
            )
            targets = _targets(drug_purposes(drug, items), studied, conditions)
            findings.extend(
                Finding(
                    drug=drug,
                    condition=condition,
                    outcome=decision.outcome,
                    doses=doses,
                    adverse_effects=effects,
                    evidence=decision.evidence,
                    extractor=info,
                    confidence=decision.confidence,
                )
                for condition in targets
            )
        mentioned = tuple(
            key
            for key, concept in concepts.items()
            if is_drug_like(concept) and key not in tried and concept.identifiers
        )
        return Extraction(
            concepts=concept_set.concepts,
            studied_conditions=tuple(studied),
            findings=tuple(findings),
            mentioned_drugs=mentioned,
            study_design=design,
            sample_size=sample_size(sentences, design),
        )

    @staticmethod
    def _drug_evidence(
        drug: str, items: list[AnnotatedSentence], studied: set[str]
    ) -> _DrugEvidence:
        found: list[Occurrence] = []
        judged: list[tuple[Sentence, ClausePolarity]] = []
        for item in items:
            hits = [h for h in item.hits if h.key == drug]
            if not hits:
                continue
            polarity = polarity_for(item.sentence, item.hits, drug, studied)
            judged_here = [occurrences(item, hit, bool(polarity.labels)) for hit in hits]
            found.extend(judged_here)
            if any(not o.background and not o.modifier for o in judged_here):
                judged.append((item.sentence, polarity))
        return _DrugEvidence(tuple(found), tuple(judged))


def _targets(purposes: set[str], studied: list[str], known: set[str]) -> list[str]:
    """The studied conditions a drug's findings are about.

    A drug the text says was given for a studied condition counts for that one only; a drug given
    for another named condition ("tramadol for low back pain" in a depression case) for none;
    otherwise for every studied condition.
    """
    named = purposes & known
    if not named:
        return list(studied)
    return [condition for condition in studied if condition in named]


def _primary(tried: list[str], items: list[AnnotatedSentence]) -> str | None:
    """The one drug a paper is about (the only one tried, or the only tried one in the title)."""
    if len(tried) == 1:
        return tried[0]
    in_title = {
        h.key for item in items if item.sentence.section == "title" for h in item.hits
    } & set(tried)
    return next(iter(in_title)) if len(in_title) == 1 else None


def _linked_keys(record: PaperRecord, concept_set: ConceptSet) -> set[str]:
    """Keys of the concepts that hold a Linked-entities mention."""
    keys: set[str] = set()
    for mention in record.linked_entities:
        for concept in concept_set.concepts:
            if concept.kind is mention.kind and (
                (mention.identifier and mention.identifier in concept.identifiers)
                or label_key(mention.text) == label_key(concept.label)
            ):
                keys.add(concept.key)
    return keys


def _adverse_effects(
    drug: str,
    items: list[AnnotatedSentence],
    evidence: _DrugEvidence,
    usable: set[int],
    primary: str | None,
    studied: set[str],
    harms: set[str],
    concepts: dict[str, Concept],
) -> tuple[str, ...]:
    """Harms named for this drug; sentences naming no drug count when only one drug was tried."""
    terms: list[str] = []
    for _, polarity in evidence.judged:
        terms.extend(polarity.adverse_terms)
    for item in items:
        chemicals = {h.key for h in item.hits if h.kind is EntityKind.CHEMICAL}
        own = drug in chemicals and item.sentence.position in usable
        if own or (not chemicals and drug == primary):
            terms.extend(adverse_effect_terms(item.sentence, item.hits, studied))
    decided = decide_outcome(evidence.judged).outcome
    if decided in {Outcome.ADVERSE_EFFECTS, Outcome.WORSENED} or terms:
        terms.extend(concepts[key].label for key in sorted(harms) if key in concepts)
    labels = {
        label_key(form): concept.label
        for concept in concepts.values()
        if concept.kind is EntityKind.DISEASE
        for form in (concept.label, *concept.synonyms)
    }
    result: list[str] = []
    seen: set[str] = set()
    for term in terms:
        clean = labels.get(label_key(term), term)
        clean = clean if clean.isupper() else clean[:1].lower() + clean[1:]
        if label_key(clean) not in seen:
            seen.add(label_key(clean))
            result.append(clean)
    return tuple(result)


def extract(record: PaperRecord, extractor: Extractor | None = None) -> Extraction:
    """Extract one record with ``extractor`` (default: :class:`RuleExtractor`)."""
    return (extractor or RuleExtractor()).extract(record)
