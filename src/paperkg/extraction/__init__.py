"""Extraction: from a :class:`~paperkg.model.PaperRecord` to an :class:`~paperkg.model.Extraction`.

Pure functions, no RDF and no I/O. :class:`Extractor` is the seam where a better extractor (a
trained model, an LLM) can replace :class:`RuleExtractor` without the rest of paperkg changing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol, runtime_checkable

from paperkg.extraction import lexicon
from paperkg.extraction.combinations import (
    combination_parts,
    given_together,
    split_combinations,
)
from paperkg.extraction.concepts import ConceptSet, build_concepts, label_key
from paperkg.extraction.conditions import condition_roles
from paperkg.extraction.design import (
    CASES,
    detect_design,
    fallback_design,
)
from paperkg.extraction.drug_roles import DrugEvidence, candidate_roles, title_classes
from paperkg.extraction.finding_results import (
    choose_comparator,
    derive_outcome,
    results_for,
    trial_text,
)
from paperkg.extraction.harms import harm_case_targets, harm_report, names_drug
from paperkg.extraction.indexing import indexed_design, with_indexing
from paperkg.extraction.interventions import (
    AnnotatedSentence,
    Occurrence,
    annotate,
    doses_for,
    is_drug_like,
    occurrences,
)
from paperkg.extraction.outcome import (
    ClausePolarity,
    adverse_effect_terms,
    decide_outcome,
    polarity_for,
)
from paperkg.extraction.pair_model import PairContext, choose_targets, pair_model
from paperkg.extraction.purposes import drug_purposes
from paperkg.extraction.sample_size import sample_size
from paperkg.extraction.sentences import (
    MAX_PROSE_CHARS,
    MentionIndex,
    Sentence,
    methods_sentences,
    record_sentences,
)
from paperkg.extraction.specificity import specific_conditions
from paperkg.extraction.targets import drug_targets
from paperkg.model import (
    Concept,
    DrugRole,
    EntityKind,
    Extraction,
    ExtractorInfo,
    Finding,
    Outcome,
    PaperRecord,
    Result,
    StudyDesign,
)

__all__ = ["MAX_PROSE_CHARS", "Extractor", "RuleExtractor", "extract"]

RULES_VERSION = "0.1.0"


@runtime_checkable
class Extractor(Protocol):
    """Anything that turns a record into an extraction and says who it is."""

    name: str
    version: str

    def extract(self, record: PaperRecord) -> Extraction:
        """Extract concepts, findings, design and sample size from one record."""
        ...


class RuleExtractor:
    """Cue-lexicon and sentence-structure rules; see the modules of :mod:`paperkg.extraction`."""

    name = "rules"
    version = RULES_VERSION

    def extract(self, record: PaperRecord) -> Extraction:
        """Extract concepts, studied conditions, findings, mentioned drugs, design, sample size."""
        concept_set = build_concepts(record)
        concepts = {c.key: c for c in concept_set.concepts}
        index = MentionIndex(concept_set.surfaces)
        sentences = record_sentences(record)
        parts = combination_parts(concepts.values())
        items = split_combinations(annotate(sentences, index), parts)
        diseases = [c for c in concept_set.concepts if c.kind is EntityKind.DISEASE]
        linked = _linked_keys(record, concept_set)
        # NLM's publication types, where a citation has them, state the design (indexing.py)
        design = indexed_design(record.publication_types, detect_design(sentences))
        # A case the text does not call one is still a case (the design's fallback decides).
        case_design = design or fallback_design(sentences)
        studied, harms, comorbid = condition_roles(
            diseases, items, linked, case=case_design in CASES
        )
        broad = set(studied)
        # A "comorbidity" that is a subtype or sequela of a studied condition is what the paper
        # studies, named specifically ("fatigue in post-COVID-19 condition"): it may replace it.
        studied, concepts = specific_conditions(studied, concepts, items, harms, linked, comorbid)
        comorbid -= set(studied)
        excluded = set(studied) | broad
        # Conditions a drug can be "given for"; symptoms ("for pain") do not redirect a finding.
        conditions = {
            c.key
            for c in concepts.values()
            if c.kind is EntityKind.DISEASE and not lexicon.SYMPTOMS.search(label_key(c.label))
        }

        classes = title_classes(concepts, items)
        per_drug = {
            key: self._drug_evidence(key, items, excluded)
            for key, concept in concepts.items()
            if (is_drug_like(concept) or key in classes) and key not in parts
        }
        roles = candidate_roles(per_drug, items, design, classes)
        tried = [key for key in per_drug if roles[key] is DrugRole.INTERVENTION]
        together = given_together(tried, parts, items)
        harm_drugs = harm_report(tried, items, harms, concepts, case_design)
        # what the text says each drug was given for, read once per drug, where it is not only
        # named ("X was once used for Y" in the background is not what the patients got X for)
        # A drug is never given for the harm it caused ("developed myocarditis after starting
        # X and was treated for myocarditis").
        purposes = {
            drug: drug_purposes(drug, _where_given(per_drug[drug], items))
            - set(harm_drugs.get(drug, ()))
            for drug in tried
        }
        if harm_drugs:
            # A case report of a harm is about the drug that caused it: what the patient was
            # given to manage the harm, or besides, is part of the story, not a finding,
            # unless the text says what else it was given for.
            title_keys = {h.key for i in items if i.sentence.section == "title" for h in i.hits}
            tried = [
                drug
                for drug in tried
                if drug in harm_drugs or drug in title_keys or purposes[drug] & conditions
            ]
        info = ExtractorInfo(self.name, self.version)
        findings: list[Finding] = []
        trial = trial_text(sentences, design) if tried else None
        pairs = PairContext(
            items, concepts, linked, studied, broad, harms, comorbid, design or case_design, tried
        )
        # The model was fitted on records whose annotators linked their entities; a text with
        # none (a PubMed or PMC file, read by text recognition alone) is left to the rules.
        model = pair_model() if linked else None
        # a full text's Methods, read (once) for doses when a drug has none elsewhere; every
        # Methods sentence is usable (none of them is background)
        methods: list[AnnotatedSentence] | None = None
        in_methods: set[int] = set()
        for drug in tried:
            evidence = per_drug[drug]
            given = [o.sentence for o in evidence.occurrences if o.given]
            # A protocol reports no results: what it hopes for is not an outcome.
            judged = () if design is StudyDesign.PROTOCOL else evidence.judged
            decision = decide_outcome(judged, given + _fallback_evidence(drug, items))
            usable = {o.sentence.position for o in evidence.occurrences if not o.background}
            doses = tuple(doses_for(drug, items, usable))
            if not doses and record.source_format == "jats":
                if methods is None:
                    read = methods_sentences(record, len(sentences))
                    methods = split_combinations(annotate(read, index), parts)
                    in_methods = {s.position for s in read}
                doses = tuple(doses_for(drug, methods, in_methods))
            effects = _adverse_effects(
                drug, items, evidence, usable, _primary(tried, items), excluded, harms, concepts
            )
            targets = drug_targets(purposes[drug], studied, conditions, concepts)
            if not targets and design not in CASES:
                # In a case a patient takes drugs for several conditions ("tramadol for back
                # pain"); in a study every drug tried is for what the study studies.
                targets = list(studied)
            outcome = decision.outcome
            if drug in harm_drugs:
                # A case report of a harm the drug caused: the finding is the drug for what it
                # was given for, its outcome the harm.
                outcome = Outcome.ADVERSE_EFFECTS
                labels = tuple(concepts[k].label for k in harm_drugs[drug])
                effects = tuple(dict.fromkeys((*labels, *effects)))
                targets = harm_case_targets(
                    drug,
                    targets,
                    items,
                    concepts,
                    linked=linked,
                    harms=harms | set(harm_drugs[drug]),
                    comorbid=comorbid,
                    purposes=purposes[drug] & conditions,
                    others=_purposes_apart(drug, tried, per_drug, items),
                )
            targets = choose_targets(
                drug,
                targets,
                pairs,
                purposes=purposes[drug],
                harmed=harm_drugs.get(drug, ()),
                model=model,
            )
            # "lithium toxicity", "X-induced Y": a condition named after the drug is its harm,
            # never what it was given for; nor is a word for harm ("toxicity", "side effects")
            targets = [
                t
                for t in targets
                if not names_drug(concepts[t], concepts[drug])
                and not lexicon.NOT_A_CONDITION.search(label_key(concepts[t].label))
            ]
            comparator = (
                choose_comparator(
                    drug, tried, roles, concepts, together.get(drug, ()), trial, design
                )
                if trial is not None
                else None
            )
            # Results do not depend on the condition: read once per drug.
            results: tuple[Result, ...] = ()
            derived: Outcome | None = None
            if trial is not None and comparator is not None:
                results = results_for(concepts[drug], comparator, trial, several=len(tried) > 1)
                derived = derive_outcome(results, comparator)
            # The rule of finding_results decides where the results do, the cue rules elsewhere;
            # a harm report stays a harm report.
            chosen = outcome if derived is None or drug in harm_drugs else derived
            for condition in targets:
                findings.append(
                    Finding(
                        drug=drug,
                        condition=condition,
                        outcome=chosen,
                        results=results,
                        doses=doses,
                        adverse_effects=effects,
                        evidence=decision.evidence,
                        extractor=info,
                        confidence=decision.confidence,
                        given_with=together.get(drug, ()),
                    )
                )
        findings = with_indexing(findings, concepts, record)
        if design is None and (findings or case_design in CASES):
            # Every paper with findings has a design, and a case is a case with none (a harm
            # whose drug's indication it does not say); the text named none.
            design = case_design if case_design in CASES else fallback_design(sentences)
        mentioned = tuple(
            key
            for key, concept in concepts.items()
            if is_drug_like(concept) and key not in tried and concept.identifiers
        )
        drug_roles = tuple(
            (key, role)
            for key, role in roles.items()
            if role is not DrugRole.INTERVENTION and per_drug[key].occurrences
        )
        return Extraction(
            concepts=tuple(concepts.values()),
            studied_conditions=tuple(studied),
            findings=tuple(findings),
            mentioned_drugs=mentioned,
            drug_roles=drug_roles,
            comorbidities=tuple(sorted(comorbid)),
            study_design=design,
            sample_size=sample_size(sentences, design),
        )

    @staticmethod
    def _drug_evidence(
        drug: str, items: list[AnnotatedSentence], studied: set[str]
    ) -> DrugEvidence:
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
        return DrugEvidence(tuple(found), tuple(judged))


def _purposes_apart(
    drug: str,
    tried: Sequence[str],
    per_drug: Mapping[str, DrugEvidence],
    items: list[AnnotatedSentence],
) -> set[str]:
    """What the sentences that do not name ``drug`` say the other tried drugs were given for."""
    apart = [item for item in items if all(hit.key != drug for hit in item.hits)]
    found: set[str] = set()
    for other in tried:
        if other != drug:
            found |= drug_purposes(other, _where_given(per_drug[other], apart))
    return found


def _where_given(evidence: DrugEvidence, items: list[AnnotatedSentence]) -> list[AnnotatedSentence]:
    """The sentences that name the drug other than as background."""
    own = {o.sentence.position for o in evidence.occurrences if not o.background}
    return [item for item in items if item.sentence.position in own]


def _fallback_evidence(drug: str, items: list[AnnotatedSentence]) -> list[Sentence]:
    """Evidence of last resort: the first sentence naming the drug, else the abstract's first;
    the title only for a citation with nothing else (a finding shows what it stands on).
    """
    prose = [item for item in items if item.sentence.section != "title"]
    naming = [item.sentence for item in prose if any(h.key == drug for h in item.hits)]
    return naming[:1] or [item.sentence for item in prose][:1] or [i.sentence for i in items][:1]


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
    evidence: DrugEvidence,
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
        # a capital that only opened the sentence goes; an acronym's stays ("QTc", "SAEs")
        clean = clean if clean[1:2].isupper() or clean.isupper() else clean[:1].lower() + clean[1:]
        if label_key(clean) not in seen:
            seen.add(label_key(clean))
            result.append(clean)
    return tuple(result)


def extract(record: PaperRecord, extractor: Extractor | None = None) -> Extraction:
    """Extract one record with ``extractor`` (default: :class:`RuleExtractor`)."""
    return (extractor or RuleExtractor()).extract(record)
