"""Annotated corpora end to end: the whole BC5CDR sample builds to one paper per document with
every gold chemical-induced-disease relation as an edge, and validates."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from paperkg.build import build
from paperkg.query import run_query
from paperkg.store import PaperStore
from paperkg.validate import validate_store

from conftest import SHARED

BC5CDR = SHARED / "corpora" / "bc5cdr" / "CDR_TrainingSet.first300.PubTator.txt"
PKG = "https://w3id.org/paperkg/vocab/"


@pytest.fixture(scope="module")
def cdr() -> PaperStore:
    store = PaperStore()
    report = build(store, [str(BC5CDR)])
    assert report.ok, [str(e) for e in report.rejected]
    return store


def _file_counts(path: Path) -> tuple[set[str], set[tuple[str, str, str]]]:
    documents: set[str] = set()
    relations: set[tuple[str, str, str]] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        title = re.match(r"^(\d+)\|t\|", line)
        if title:
            documents.add(title.group(1))
        fields = line.split("\t")
        if len(fields) == 4 and fields[1] == "CID":
            relations.add((fields[0], fields[2], fields[3]))
    return documents, relations


def test_one_paper_per_document_and_every_gold_relation_as_an_edge(cdr: PaperStore) -> None:
    documents, relations = _file_counts(BC5CDR)
    papers = list(cdr.query(f"SELECT DISTINCT ?p WHERE {{ ?p a <{PKG}Paper> }}"))
    assert len(papers) == len(documents) == 300
    # A relation points to the concept node of its identifiers' concept; that node lists the
    # identifier among its CURIEs (concepts can group several ids a corpus gives one name).
    stated = cdr.query(
        f"""SELECT ?pmid ?s ?o WHERE {{ GRAPH ?g {{
              ?paper <{PKG}statesRelation> ?r ; <http://purl.org/spar/fabio/hasPubMedId> ?pmid .
              ?r <https://w3id.org/biolink/vocab/subject> ?sn ;
                 <https://w3id.org/biolink/vocab/object> ?on .
              ?sn <{PKG}curie> ?s . ?on <{PKG}curie> ?o }} }}"""
    )
    found = {
        (
            row["pmid"].value,
            row["s"].value.removeprefix("MESH:"),
            row["o"].value.removeprefix("MESH:"),
        )
        for row in stated
    }
    assert relations <= found
    per_paper = list(cdr.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ ?p <{PKG}statesRelation> ?r }}"))
    assert int(per_paper[0]["n"].value) == len(relations)
    edges = list(cdr.query("SELECT ?s ?o WHERE { ?s <https://w3id.org/biolink/vocab/causes> ?o }"))
    assert edges


def test_mentions_keep_their_offsets(cdr: PaperStore) -> None:
    rows = list(
        cdr.query(
            f"""SELECT (COUNT(*) AS ?n) WHERE {{ ?m a <{PKG}Mention> ; <{PKG}start> ?s ;
                <{PKG}end> ?e . FILTER(?s < ?e) }}"""
        )
    )
    mention_lines = sum(
        1 for line in BC5CDR.read_text(encoding="utf-8").splitlines() if len(line.split("\t")) >= 5
    )
    assert int(rows[0]["n"].value) == mention_lines


def test_the_corpus_build_validates(cdr: PaperStore) -> None:
    report = validate_store(cdr)
    assert report.conforms, report.text()


def test_chemicals_inducing_a_disease(cdr: PaperStore) -> None:
    rows = run_query(cdr, "chemicals-inducing", {"condition": "MESH:D012640"}).as_dicts()
    assert rows
    labels = {row["chemical_label"] for row in rows}
    assert "cocaine" in labels
    assert all(int(row["papers"] or 0) >= 1 for row in rows)


def test_no_concept_joins_two_ids_of_one_prefix(cdr: PaperStore) -> None:
    """BC5CDR names different diseases alike ("bleeding", composite mentions such as
    D007680|D001749): a name alone never joins two MeSH ids into one concept.
    """
    rows = cdr.query(f"SELECT ?c ?ids WHERE {{ GRAPH ?g {{ ?c <{PKG}conceptIds> ?ids }} }}")
    merged = []
    for row in rows:
        ids = row["ids"].value.split("|")
        prefixes = [curie.split(":", 1)[0] for curie in ids if curie]
        if any(prefixes.count(p) > 1 for p in set(prefixes) if p != "pubchem.compound"):
            merged.append(row["ids"].value)
    assert merged == []
    concepts = list(
        cdr.query(f"SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE {{ ?c <{PKG}conceptIds> ?i }}")
    )
    assert int(concepts[0]["n"].value) > 900
