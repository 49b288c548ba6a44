"""Group a record's entity mentions into concepts.

A record names one drug several ways (``naltrexone`` with a PubChem CID, ``Naltrexone`` with a
MeSH id, ``LDN`` with none). Mentions join when they share an identifier, a normalised label, or
an abbreviation written in the text ("low-dose naltrexone (LDN)", "Low Dose Naltrexone or LDN").
Only a shared identifier joins unconditionally: a label, a dose qualifier or an abbreviation never
joins two different identifiers of one prefix (a composite mention ``D007680|D001749`` names two
concepts, and two diseases a corpus writes the same way stay two).
The concept key follows DESIGN.md section 3 so the same drug gets the same node in every record.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from paperkg.abbreviations import abbreviation_pairs, covers_letters, looks_like_short_form
from paperkg.extraction.spelling import spelling_key
from paperkg.identifiers import IDENTIFIER_PRIORITY, lookup_key
from paperkg.model import Concept, EntityKind, EntityMention, PaperRecord

__all__ = [
    "NAME_JOINS_PREFIXES",
    "ConceptSet",
    "build_concepts",
    "concept_key",
    "conflicting_prefixes",
    "label_key",
]

#: The form a chemical is given in, written after its name ("cranberry extract", "CBD oil").
_PREPARATIONS = frozenset(
    [
        "extract",
        "extracts",
        "oil",
        "juice",
        "powder",
        "tablet",
        "tablets",
        "capsule",
        "capsules",
        "granules",
        "tincture",
        "supplement",
        "supplements",
        "supplementation",
    ]
)
#: The salt or ester part of a drug's name: "tiotropium bromide" is written "tiotropium" too.
_SALTS = frozenset([
    "acetate", "besilate", "besylate", "bitartrate", "bromide", "butyrate", "calcium", "caproate",
    "chloride", "citrate", "decanoate", "dihydrate", "dipropionate", "disodium", "embonate",
    "enanthate", "fumarate", "furoate", "gluconate", "hemihydrate", "hyclate", "hydrobromide",
    "hydrochloride", "lactate", "magnesium", "maleate", "mesilate", "mesylate", "monohydrate",
    "nitrate", "oxalate", "palmitate", "pamoate", "phosphate", "potassium", "propionate",
    "sodium", "succinate", "sulfate", "sulphate", "tartrate", "tosylate", "trihydrate",
    "valerate", "xinafoate",
])  # fmt: skip
#: Words that qualify how a drug is given, not which drug it is ("low-dose naltrexone").
_DOSE_QUALIFIERS = frozenset(
    [
        "low",
        "high",
        "dose",
        "doses",
        "dosed",
        "ultra",
        "very",
        "standard",
        "extended",
        "sustained",
        "immediate",
        "controlled",
        "modified",
        "release",
        "oral",
        "intravenous",
        "iv",
        "subcutaneous",
        "topical",
        "intranasal",
        "transdermal",
        "liposomal",
        "depot",
        "single",
        "daily",
        "nightly",
        "weekly",
        "monthly",
    ]
)


_SPACES_AND_HYPHENS = re.compile(r"[\s\-‐–]+")


@functools.lru_cache(maxsize=65536)
def label_key(text: str) -> str:
    """Label normalisation for grouping: case, space and hyphen insensitive."""
    return " ".join(_SPACES_AND_HYPHENS.split(lookup_key(text))).strip()


#: Suffixes disease ontologies add to a common name ("migraine disorder", "obesity disorder",
#: "type 2 diabetes mellitus"): the same condition as the plain name in running text.
_FORMAL_SUFFIX = re.compile(r"\s+(?:disorder|mellitus)$")


def _grouping_label(mention: EntityMention) -> str:
    key = spelling_key(label_key(mention.text))
    if mention.kind is EntityKind.DISEASE:
        key = _FORMAL_SUFFIX.sub("", key) or key
    elif mention.kind is EntityKind.CHEMICAL:
        # a class named in the plural and the singular ("dopamine agonists", "triptan")
        key = _PLURAL_END.sub("", key)
    return key


#: The plural "s" of a chemical name's last word (not "-ss", "-us", "-is": "glucagon-like
#: peptide", "mucus", "cannabis").
_PLURAL_END = re.compile(r"(?<=[a-z]{3}[a-hj-rt-z])s$")


def concept_key(kind: EntityKind, identifiers: Iterable[str], label: str) -> str:
    """The canonical key: the first identifier by the kind's prefix priority, else the label."""
    ids = sorted(set(identifiers))
    for prefix in IDENTIFIER_PRIORITY.get(kind, ()):
        for curie in ids:
            if curie.split(":", 1)[0] == prefix:
                return curie
    if ids and kind not in IDENTIFIER_PRIORITY:
        return ids[0]
    return f"label:{lookup_key(label)}"


def _record_text(record: PaperRecord) -> str:
    parts = [record.title, record.tldr or "", record.contribution or ""]
    parts += list(record.key_findings)
    parts.append(record.abstract or "")
    return "\n".join(parts)


@dataclass(frozen=True, slots=True)
class ConceptSet:
    """Concepts of a record and every surface form that names each (for finding them in text)."""

    concepts: tuple[Concept, ...]
    surfaces: tuple[tuple[str, str, EntityKind], ...]

    def by_key(self) -> dict[str, Concept]:
        """Concepts by key."""
        return {concept.key: concept for concept in self.concepts}


class _Groups:
    """Union-find over mention indices that knows each group's identifiers by prefix."""

    def __init__(self, identifiers: Sequence[str | None]) -> None:
        self.parent = list(range(len(identifiers)))
        self.ids: list[dict[str, set[str]]] = [
            {curie.split(":", 1)[0]: {curie}} if curie else {} for curie in identifiers
        ]

    def find(self, item: int) -> int:
        while self.parent[item] != item:
            self.parent[item] = self.parent[self.parent[item]]
            item = self.parent[item]
        return item

    def compatible(self, first: int, second: int) -> bool:
        """No prefix would hold two different identifier sets after joining."""
        a, b = self.ids[self.find(first)], self.ids[self.find(second)]
        return not conflicting_prefixes(a, b)

    def union(self, first: int, second: int, *, shared_id: bool = False) -> None:
        """Join two groups; without a shared identifier only when :meth:`compatible`."""
        a, b = self.find(first), self.find(second)
        if a == b or not (shared_id or self.compatible(a, b)):
            return
        keep, drop = min(a, b), max(a, b)
        self.parent[drop] = keep
        for prefix, curies in self.ids[drop].items():
            self.ids[keep].setdefault(prefix, set()).update(curies)


#: PubChem gives one drug several compound ids (salts, stereoisomers, mixtures) and records mix
#: them, so one name with two CIDs is one drug with a reported conflict; for every other prefix
#: two ids are two concepts unless something other than a name joins them.
NAME_JOINS_PREFIXES = frozenset({"pubchem.compound"})


def conflicting_prefixes(
    first: Mapping[str, Collection[str]], second: Mapping[str, Collection[str]]
) -> set[str]:
    """Prefixes whose identifiers differ between two groups (PubChem excepted): a name, an
    abbreviation or a dose qualifier must not join such groups.
    """
    return {
        prefix
        for prefix in first.keys() & second.keys()
        if prefix not in NAME_JOINS_PREFIXES and set(first[prefix]) != set(second[prefix])
    }


def _choose_label(mentions: Sequence[EntityMention], text: str) -> str:
    linked = [m.text.strip() for m in mentions if m.section == "linked"]
    if linked:
        return linked[0]
    # A composite mention ("HCV/HIV co-infected") names two concepts: it labels neither.
    own = [m for m in mentions if "|" not in m.raw_identifier] or list(mentions)
    forms = [m.text.strip() for m in own]
    sensible = [f for f in forms if not looks_like_short_form(f)] or forms
    lowered = text.lower()
    counts = Counter({f: lowered.count(f.lower()) for f in sensible})
    return min(sensible, key=lambda f: (-counts[f], len(f), f))


def _join_qualified(mentions: Sequence[EntityMention], groups: _Groups) -> None:
    """Join "Low-Dose Naltrexone" to "naltrexone" and "cranberry extract" to "cranberry": the
    same chemical with a dose qualifier before it or the form it is given in after it.
    """
    for index, mention in enumerate(mentions):
        if mention.kind is not EntityKind.CHEMICAL:
            continue
        words = label_key(mention.text).split()
        for other_index, other in enumerate(mentions):
            head = label_key(other.text).split()
            if other.kind is not EntityKind.CHEMICAL or not 0 < len(head) < len(words):
                continue
            prefix = words[: len(words) - len(head)]
            suffix = words[len(head) :]
            if (words[-len(head) :] == head and set(prefix) <= _DOSE_QUALIFIERS) or (
                words[: len(head)] == head and set(suffix) <= _PREPARATIONS
            ):
                groups.union(other_index, index)


def _join_salt_forms(mentions: Sequence[EntityMention], groups: _Groups) -> None:
    """A drug named with and without its salt ("cevimeline hydrochloride", "cevimeline") is
    one drug, unless the plain name is shared by two salts ("fluticasone" of a propionate and
    a furoate) or their identifiers differ.
    """
    salted: dict[str, set[str]] = {}
    where: dict[str, list[int]] = {}
    for index, mention in enumerate(mentions):
        if mention.kind is not EntityKind.CHEMICAL:
            continue
        key = label_key(mention.text)
        where.setdefault(key, []).append(index)
        base = _without_salt(key.split())
        if base is not None:
            salted.setdefault(" ".join(base), set()).add(key)
    for plain, forms in salted.items():
        if len(forms) != 1 or plain not in where:
            continue
        (form,) = forms
        for index in where[plain]:
            groups.union(where[form][0], index)


def _join_drug_abbreviations(mentions: Sequence[EntityMention], groups: _Groups) -> None:
    """Join a drug abbreviation without an identifier ("ESZ") to the one chemical of the record
    whose name it abbreviates (its letters in order, the first starting the name): records
    write arms as "ESZ+FLX" without ever spelling "eszopiclone (ESZ)".
    """
    for index, mention in enumerate(mentions):
        short = mention.text.strip()
        if mention.kind is not EntityKind.CHEMICAL or mention.identifier:
            continue
        if not looks_like_short_form(short) or not short.isalpha():
            continue
        letters = [c.lower() for c in short]
        matches = {
            groups.find(other_index)
            for other_index, other in enumerate(mentions)
            if other.kind is EntityKind.CHEMICAL
            and other_index != index
            and not looks_like_short_form(other.text.strip())
            and " " not in other.text.strip()
            and other.text.strip()[:1].lower() == letters[0]
            and covers_letters(letters, other.text.strip().lower())
        }
        if len(matches) == 1:
            groups.union(matches.pop(), index)


def _join_misspelt_drugs(mentions: Sequence[EntityMention], groups: _Groups) -> None:
    """Join a one-word chemical without an identifier that no vocabulary knows ("resperidone",
    "epleronone") to the one chemical of the record it is a slip of the pen from (one edit in
    a name of under ten letters, two in a longer one): abstracts misspell the drugs they test,
    and the misspelling must not become a drug of its own. A real name ("esketamine" beside
    "ketamine") is known, and stays apart.
    """
    words = [_one_word(m) if m.kind is EntityKind.CHEMICAL else None for m in mentions]
    for index, (mention, word) in enumerate(zip(mentions, words, strict=True)):
        if word is None or mention.identifier or len(word) < _MISSPELT_SHORTEST:
            continue
        most = 1 if len(word) < 10 else 2
        matches = {
            groups.find(other)
            for other, other_word in enumerate(words)
            if other_word is not None
            and other_word != word
            and groups.find(other) != groups.find(index)
            and groups.ids[groups.find(other)]
            and edit_distance(word, other_word, most) <= most
        }
        if len(matches) == 1:
            # imported here: the vocabularies' module stays out of the CLI's start-up
            from paperkg.text_entities import is_known_name

            if not is_known_name(word):
                groups.union(matches.pop(), index)


#: Shorter names are too often two real drugs one letter apart.
_MISSPELT_SHORTEST = 7


def _one_word(mention: EntityMention) -> str | None:
    """The mention in lower case if it is one word of letters, else ``None``."""
    text = mention.text.strip()
    return text.lower() if text.isalpha() else None


def edit_distance(first: str, second: str, most: int) -> int:
    """Optimal-string-alignment distance (insertions, deletions, substitutions, swaps of two
    neighbours), or ``most + 1`` as soon as it must exceed ``most``.
    """
    if abs(len(first) - len(second)) > most:
        return most + 1
    before: list[int] = []
    row = list(range(len(second) + 1))
    for i, a in enumerate(first, 1):
        current = [i] + [0] * len(second)
        for j, b in enumerate(second, 1):
            current[j] = min(row[j] + 1, current[j - 1] + 1, row[j - 1] + (a != b))
            if i > 1 and j > 1 and a == second[j - 2] and first[i - 2] == b:
                current[j] = min(current[j], before[j - 2] + 1)
        if min(current) > most:
            return most + 1
        before, row = row, current
    return row[-1]


#: "<drug> (<other name>)": a brand name, a development code, an INN written beside another.
_ALIAS = re.compile(
    r"(?:\(|\[)\s*(?:(?:also )?(?:known|marketed|sold) as |formerly |previously |"
    r"brand(?: name)?:? |i\.e\.,? )?([^()\[\];,]{2,40}?)\s*[®™]?\s*(?:\)|\])|"
    r",? (?:also|formerly|previously) (?:known|called|marketed) as ([^,.;()]{2,40})",
    re.IGNORECASE,
)


def _join_drug_aliases(mentions: Sequence[EntityMention], groups: _Groups, text: str) -> None:
    """Join two chemicals the text gives as one: "erenumab (AMG 334)", "Lyrica® (pregabalin)",
    "X, also known as Y". Only chemicals the record lists, and never two ids of one prefix.
    """
    by_name: dict[str, list[int]] = {}
    for index, mention in enumerate(mentions):
        if mention.kind is EntityKind.CHEMICAL:
            by_name.setdefault(label_key(mention.text.strip(" ®™")), []).append(index)
    if len(by_name) < 2:
        return
    for match in _ALIAS.finditer(text):
        inside = label_key((match.group(1) or match.group(2) or "").strip(" ®™"))
        alias = by_name.get(inside)
        if not alias:
            continue
        before = label_key(text[max(0, match.start() - 60) : match.start()].rstrip(" ®™,"))
        named = [
            indices
            for name, indices in by_name.items()
            if name != inside and (before == name or before.endswith(" " + name))
        ]
        for indices in named[:1]:
            groups.union(indices[0], alias[0])


def build_concepts(record: PaperRecord) -> ConceptSet:
    """Group the record's chemical, disease and species mentions into concepts."""
    mentions = [m for m in record.entities if m.text.strip()]
    groups = _Groups([m.identifier for m in mentions])
    first_by_id: dict[tuple[EntityKind, str], int] = {}
    for index, mention in enumerate(mentions):
        if mention.identifier:
            table_key = (mention.kind, mention.identifier)
            groups.union(first_by_id.setdefault(table_key, index), index, shared_id=True)
    by_label: dict[tuple[EntityKind, str], list[int]] = {}
    for index, mention in enumerate(mentions):
        by_label.setdefault((mention.kind, _grouping_label(mention)), []).append(index)
    for same_label in by_label.values():
        for index in same_label[1:]:
            groups.union(same_label[0], index)

    _join_qualified(mentions, groups)
    _join_salt_forms(mentions, groups)
    _join_drug_abbreviations(mentions, groups)
    _join_misspelt_drugs(mentions, groups)
    text = _record_text(record)
    _join_drug_aliases(mentions, groups, text)
    extra_forms: dict[int, list[str]] = {}
    for long, short in abbreviation_pairs(text):
        long_key, short_key = label_key(long), label_key(short)
        long_idx = [i for i, m in enumerate(mentions) if label_key(m.text) == long_key]
        if not long_idx:
            long_idx = [
                i
                for i, m in enumerate(mentions)
                if re.search(rf"(?:^| ){re.escape(label_key(m.text))}$", long_key)
            ]
        short_idx = [i for i, m in enumerate(mentions) if label_key(m.text) == short_key]
        if long_idx and short_idx:
            kinds = {mentions[i].kind for i in long_idx}
            for i in short_idx:
                if mentions[i].kind in kinds:
                    groups.union(long_idx[0], i)
        anchors = long_idx or short_idx
        if anchors:
            extra_forms.setdefault(anchors[0], []).extend([long, short])
        # "sodium-glucose co-transporter-2 (SGLT2) inhibitors": the class named with the
        # abbreviation and the same head word is the same class ("SGLT2 inhibitors")
        for i, mention in enumerate(mentions):
            key = label_key(mention.text)
            head = key[len(long_key) :].split()
            if key.startswith(long_key + " ") and 0 < len(head) <= 2:
                extra_forms.setdefault(i, []).append(" ".join([short, *head]))

    members: dict[int, list[int]] = {}
    for index in range(len(mentions)):
        members.setdefault(groups.find(index), []).append(index)
    forms_by_root: dict[int, list[str]] = {}
    for anchor, forms in extra_forms.items():
        forms_by_root.setdefault(groups.find(anchor), []).extend(forms)

    concepts: list[Concept] = []
    surfaces: list[tuple[str, str, EntityKind]] = []
    for root, indices in members.items():
        group = [mentions[i] for i in indices]
        kind = group[0].kind
        label = _choose_label(group, text)
        identifiers = tuple(sorted({m.identifier for m in group if m.identifier}))
        key = concept_key(kind, identifiers, label)
        forms = [m.text.strip() for m in group] + forms_by_root.get(root, [])
        synonyms: list[str] = []
        seen = {label_key(label)}
        for form in forms:
            if label_key(form) not in seen:
                seen.add(label_key(form))
                synonyms.append(form)
        concepts.append(Concept(key, kind, label, tuple(synonyms), identifiers))
        surfaces.extend((form, key, kind) for form in (label, *synonyms))
    return ConceptSet(tuple(concepts), tuple(surfaces + _salt_bases(surfaces)))


def _salt_bases(
    surfaces: Sequence[tuple[str, str, EntityKind]],
) -> list[tuple[str, str, EntityKind]]:
    """The name without its salt ("tiotropium" for "tiotropium bromide", "valproate" for
    "sodium valproate"), as a form to find the drug by, unless it names anything else of the
    record or two of its drugs ("fluticasone" of a propionate and a furoate).
    """
    taken = {label_key(form) for form, _, _ in surfaces}
    bases: dict[str, set[str]] = {}
    written: dict[str, str] = {}
    for form, key, kind in surfaces:
        base = _without_salt(form.split()) if kind is EntityKind.CHEMICAL else None
        if base is None:
            continue
        name = " ".join(base)
        bases.setdefault(label_key(name), set()).add(key)
        written.setdefault(label_key(name), name)
    return [
        (written[base], next(iter(keys)), EntityKind.CHEMICAL)
        for base, keys in bases.items()
        if len(keys) == 1 and base not in taken
    ]


def _without_salt(words: Sequence[str]) -> Sequence[str] | None:
    """A drug name's words without the salt word at its end or start ("tiotropium bromide",
    "sodium valproate"), or ``None`` when it names no salt or too little is left.
    """
    if len(words) < 2:
        return None
    if words[-1].lower() in _SALTS:
        base = words[:-1]
    elif words[0].lower() in _SALTS:
        base = words[1:]
    else:
        return None
    if len(" ".join(base)) < 4 or any(w.lower() in _SALTS for w in base):
        return None
    return base
