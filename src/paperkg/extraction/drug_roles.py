"""Which of a record's drugs were tried: each candidate drug's role from the title, the aims and
the cues around its mentions (:mod:`paperkg.extraction.roles`), and the drug classes a title is
about.
"""

from __future__ import annotations

from dataclasses import dataclass

from paperkg.extraction import lexicon
from paperkg.extraction.aims import added_drugs, aim_control
from paperkg.extraction.design import REVIEWS
from paperkg.extraction.interventions import AnnotatedSentence, Occurrence, is_drug_like
from paperkg.extraction.outcome import ClausePolarity
from paperkg.extraction.reviewed import reviews_evidence
from paperkg.extraction.roles import (
    RoleCue,
    co_arms,
    compared_as_equals,
    cue_roles,
    decide_role,
    title_arms,
    title_subjects,
    versus_as_equals,
)
from paperkg.extraction.sentences import Sentence, states_aim
from paperkg.model import Concept, DrugRole, EntityKind, StudyDesign

__all__ = ["DrugEvidence", "candidate_roles", "title_classes"]


@dataclass(frozen=True, slots=True)
class DrugEvidence:
    """A drug's mentions in a record, each judged, and the sentences that judge its outcome."""

    occurrences: tuple[Occurrence, ...]
    judged: tuple[tuple[Sentence, ClausePolarity], ...]


def title_classes(concepts: dict[str, Concept], items: list[AnnotatedSentence]) -> set[str]:
    """Drug classes the title names ("bisphosphonates for ..."): a class a paper is about is
    its intervention, a concept of its own; a class named elsewhere is not a drug tried.
    """
    title = {h.key for i in items if i.sentence.section == "title" for h in i.hits}
    classes: set[str] = set()
    for key, concept in concepts.items():
        if key not in title or concept.kind is not EntityKind.CHEMICAL or is_drug_like(concept):
            continue
        head = lexicon.CLASS_WORDS.search(concept.label)
        if head is not None and not head.group(0).lower().startswith(_NOT_A_CLASS):
            classes.add(key)
    return classes


#: Class-word heads that name no drug class ("placebo", "study drug", "medications").
_NOT_A_CLASS = (
    "placebo", "sham", "vehicle", "dummy", "medication", "drug", "agent", "therap", "regimen",
)  # fmt: skip


def candidate_roles(
    per_drug: dict[str, DrugEvidence],
    items: list[AnnotatedSentence],
    design: StudyDesign | None,
    classes: set[str],
) -> dict[str, DrugRole]:
    """Each candidate drug's role (:mod:`paperkg.extraction.roles`); a drug class only counts as
    given when the title is about it.
    """
    # A subject is named as itself, not as a modifier ("alcohol-dependent smokers").
    drugs = {
        drug
        for drug, evidence in per_drug.items()
        if any(not o.modifier for o in evidence.occurrences)
    }
    title = next((item for item in items if item.sentence.section == "title"), None)
    subjects: set[str] = set()
    equals = compared_as_equals(
        title.sentence.text if title is not None else "", (item.sentence.text for item in items)
    )
    sides = None
    if title is not None:
        subjects = title_subjects(title.sentence, title.hits, as_equals=equals) & drugs
        sides = None if equals else title_arms(title.sentence, title.hits)
        if sides is not None and sides.tested & drugs:
            subjects = (subjects | (sides.tested & drugs)) - sides.control - sides.both
    aims = [i for i in items if states_aim(i.sentence)]
    if not subjects:
        for aim in aims:
            subjects |= title_subjects(aim.sentence, aim.hits, as_equals=equals) & drugs
    # "to evaluate A versus B": the aim says which of the title's drugs is the control, unless
    # the title set them as equals ("A versus B" with no control named)
    versus = title is not None and versus_as_equals(
        title.sentence.text, (item.sentence.text for item in items)
    )
    control = (
        aim_control(subjects, ((a.sentence, a.hits) for a in aims))
        if sides is None and not versus
        else set()
    )
    subjects -= control
    added = added_drugs((item.sentence, item.hits) for item in items)
    if subjects & added and subjects - added:
        # "A and B" in the title, B "as an adjunctive therapy": A is what every arm got
        subjects &= added
    arms = co_arms(subjects, ((item.sentence, item.hits) for item in items))
    # a review whose title names a class or no drug tried each drug its results name
    class_review = design in REVIEWS and not subjects - classes
    roles: dict[str, DrugRole] = {}
    for drug, evidence in per_drug.items():
        cues = [
            RoleCue(role, o.sentence)
            for o in evidence.occurrences
            if not o.background and not o.modifier
            # items are the record's sentences in order: a sentence's position is its index
            for role in cue_roles(o.sentence, o.hit, items[o.sentence.position].hits)
        ]
        if drug in classes and drug not in subjects:
            roles[drug] = DrugRole.NAMED_IN_BACKGROUND
            continue
        if drug in control:
            roles[drug] = DrugRole.COMPARATOR
            continue
        if sides is not None and drug not in subjects and drug in sides.control | sides.both:
            # the title's control arm, or the drug both arms got
            both = drug in sides.both
            roles[drug] = DrugRole.BACKGROUND_THERAPY if both else DrugRole.COMPARATOR
            continue
        roles[drug] = decide_role(
            drug,
            cues,
            given=any(o.given for o in evidence.occurrences)
            or (
                class_review
                and any(
                    not o.modifier and reviews_evidence(o.sentence) for o in evidence.occurrences
                )
            ),
            explicit=any(o.explicit for o in evidence.occurrences),
            # a review of a class is about its members too
            subjects=subjects if subjects - classes else set(),
            co_arm=drug in arms,
            design=design,
        )
    return roles
