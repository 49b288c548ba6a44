"""Coordinated disease mentions that share their head: "breast and ovarian cancer" names two
diseases, breast cancer and ovarian cancer, though only the last is written out in full.

Annotated corpora mark such a composite as one span with one id per conjunct (PubTator writes
``D001943|D010051``); :mod:`paperkg.text_entities` gives it one mention per conjunct, each with
its own id, over the whole span, so a composite never joins two concepts into one. A
coordination is read as a composite only when every conjunct, given the shared head, is a
disease of the vocabulary: "pain and fatigue" or "diabetes and renal failure" stay apart.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from paperkg.model import EntityKind
from paperkg.text_variants import other_numbers

__all__ = ["Conjunct", "composite"]

#: A conjunct: its name (a vocabulary key), kind and MeSH CURIE or ``None``.
Conjunct = tuple[str, EntityKind, str | None]
#: The vocabulary: a name's key -> (kind, MeSH CURIE or ``None``), or ``None``.
Lookup = Callable[[str], tuple[EntityKind, str | None] | None]
#: Words a modifier of a shared head is never made of (they join or introduce, not qualify).
_FUNCTION = "a an the of in on at to by for from with without as and or nor but than is are was"
_FUNCTION_WORDS = frozenset(f"{_FUNCTION} were be been this that these those its their".split())
#: Most words a modifier before an elided head has ("type 1", "non-small-cell", "acute").
_MAX_MODIFIER_WORDS = 3


def composite(
    keys: Sequence[str], taken: Sequence[bool], first: int, last: int, lookup: Lookup
) -> tuple[int, list[Conjunct]] | None:
    """The composite that ends with the disease named by tokens ``keys[first:last]``: the
    token it starts at and its conjuncts in text order (the last one is the name itself), or
    ``None``. "colorectal, endometrial, and ovarian cancers": each conjunct before the
    conjunction is as many words as the last name's modifier ("ovarian") and, with the last
    name's head ("cancers"), names a disease; the longest shared head that works is taken
    ("small-cell and non-small-cell lung cancer"). Modifiers of another width are not
    parallel: in "kidney and chronic renal insufficiency" the kidney is not a disease.
    """
    own = lookup(" ".join(keys[first:last]))
    joint = _conjunction(keys, first)
    if own is None or own[0] is not EntityKind.DISEASE or joint is None:
        return None
    for head in range(last - first - 1, 0, -1):
        width = last - first - head
        if width > _MAX_MODIFIER_WORDS:
            continue
        conjuncts, start = _modifiers(keys, taken, joint, width, keys[last - head : last], lookup)
        if not conjuncts:
            continue
        if _disease(" ".join(keys[start:last]), lookup) is not None:
            return None  # the conjunction is a name's own ("head and neck cancers")
        return start, [*conjuncts, (" ".join(keys[first:last]), *own)]
    return None


def _disease(name: str, lookup: Lookup) -> tuple[EntityKind, str | None] | None:
    """The vocabulary's disease ``name``, written in either number (the head is written once,
    in the last conjunct's number: "pleural and pericardial effusions").
    """
    for form in (name, *sorted(other_numbers(name))):
        found = lookup(form)
        if found is not None and found[0] is EntityKind.DISEASE:
            return found
    return None


def _conjunction(keys: Sequence[str], first: int) -> int | None:
    """The token the conjunction before ``first`` starts at ("and", "or", "and/or", ", and")."""
    at = first - 1
    if at < 1 or keys[at] not in ("and", "or"):
        return None
    if keys[at] == "or" and at >= 2 and keys[at - 1] == "/" and keys[at - 2] == "and":
        at -= 2
    return at - 1 if at >= 1 and keys[at - 1] == "," else at


def _modifiers(
    keys: Sequence[str],
    taken: Sequence[bool],
    end: int,
    width: int,
    head: Sequence[str],
    lookup: Lookup,
) -> tuple[list[Conjunct], int]:
    """The conjuncts before token ``end`` that name a disease with ``head``, in text order,
    and the token the first starts at: they go back comma by comma while they do.
    """

    def conjunct_before(edge: int) -> Conjunct | None:
        """The conjunct the ``width`` words before token ``edge`` make with ``head``."""
        words = keys[edge - width : edge]
        if edge < width or any(taken[edge - width : edge]) or not all(map(_is_modifier, words)):
            return None
        name = " ".join([*words, *head])
        found = _disease(name, lookup)
        return None if found is None else (name, *found)

    found: list[Conjunct] = []
    start = edge = end
    while (conjunct := conjunct_before(edge)) is not None:
        found.insert(0, conjunct)
        start = edge - width
        if start < 2 or keys[start - 1] != ",":
            break
        edge = start - 1
    return found, start


def _is_modifier(word: str) -> bool:
    return word[0].isalnum() and word not in _FUNCTION_WORDS
