"""Drugs given together: a fixed-dose combination, a "+"-named arm, "A plus B".

A record may list a combination as one chemical ("sacubitril/valsartan", "ESZ+FLX") beside its
components. The combination is not a drug of its own: each component that the paper gave gets a
finding, marked as given with the others (:attr:`paperkg.model.Finding.given_with`).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import replace

from paperkg.extraction.concepts import label_key
from paperkg.extraction.interventions import AnnotatedSentence
from paperkg.extraction.sentences import Hit
from paperkg.model import Concept, EntityKind

__all__ = ["combination_parts", "given_together", "split_combinations"]

#: Between a combination's components; a hyphen or dash only when every piece is a drug's name
#: ("dihydroartemisinin–piperaquine", "artemether-lumefantrine").
_SPLIT = re.compile(r"\s*(?:/|\+|\bplus\b|\band\b|&|[\u2010\u2013\u2014-])\s*", re.IGNORECASE)
#: Words that join two drugs into one regimen in running text.
_JOINED = re.compile(
    r"^\s*(?:/|\+|\bplus\b|\bcombined with\b|\bin combination with\b)\s*$", re.IGNORECASE
)


def combination_parts(concepts: Iterable[Concept]) -> dict[str, tuple[str, ...]]:
    """Chemical concepts whose every name is made of other chemicals' names joined by ``/``,
    ``+`` or "plus", mapped to the keys of those components.
    """
    chemicals = [c for c in concepts if c.kind is EntityKind.CHEMICAL]
    by_name: dict[str, str] = {}
    for concept in chemicals:
        for name in (concept.label, *concept.synonyms):
            by_name.setdefault(label_key(name), concept.key)
    parts: dict[str, tuple[str, ...]] = {}
    for concept in chemicals:
        for name in (concept.label, *concept.synonyms):
            pieces = [p for p in _SPLIT.split(name) if p.strip()]
            if len(pieces) < 2 or not re.search(
                r"/|\+|\bplus\b|[\u2010\u2013\u2014-]", name, re.IGNORECASE
            ):
                continue
            keys = [by_name.get(label_key(piece)) for piece in pieces]
            found = [k for k in keys if k is not None and k != concept.key]
            if len(found) == len(pieces) and len(set(found)) >= 2:
                parts[concept.key] = tuple(dict.fromkeys(found))
                break
    return parts


def given_together(
    tried: Sequence[str],
    parts: dict[str, tuple[str, ...]],
    items: Sequence[AnnotatedSentence],
) -> dict[str, tuple[str, ...]]:
    """For each tried drug, the other tried drugs it was given with as one combination."""
    wanted = set(tried)
    partners: dict[str, set[str]] = {drug: set() for drug in tried}
    groups = [set(keys) & wanted for keys in parts.values()]
    for item in items:
        chemicals = [h for h in item.hits if h.kind is EntityKind.CHEMICAL]
        for first, second in itertools.pairwise(chemicals):
            gap = item.sentence.text[first.end : second.start]
            if first.key != second.key and _JOINED.match(gap):
                groups.append({first.key, second.key} & wanted)
    for group in groups:
        if len(group) < 2:
            continue
        for drug in group:
            partners[drug] |= group - {drug}
    return {drug: tuple(sorted(others)) for drug, others in partners.items() if others}


def split_combinations(
    items: list[AnnotatedSentence], parts: dict[str, tuple[str, ...]]
) -> list[AnnotatedSentence]:
    """A mention of a combination ("ESZ+FLX group") is a mention of each of its components."""
    if not parts:
        return items
    result: list[AnnotatedSentence] = []
    for item in items:
        hits: list[Hit] = []
        for hit in item.hits:
            keys = parts.get(hit.key, (hit.key,))
            hits.extend(replace(hit, key=key) for key in keys)
        result.append(replace(item, hits=tuple(hits)))
    return result
