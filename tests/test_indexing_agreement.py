"""NLM's MeSH indexing as a second witness of findings: each finding of an indexed citation says
whether the indexing confirms its pair, calls the condition a harm, or is silent on it; the
graph carries it (checked by the shapes: tests/data/shapes/finding.indexing.invalid.ttl),
``stats`` counts it and ``evidence`` counts it per drug-condition pair, from the tallies kept
at ingest or from the findings, the same either way.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pyoxigraph as ox
import pytest

import paperkg.stats
from paperkg import build
from paperkg.extraction import extract
from paperkg.model import (
    EntityKind,
    EntityMention,
    IndexingAgreement,
    MeshHeading,
    Outcome,
    PaperRecord,
)
from paperkg.readers.pubmed import read_pubmed
from paperkg.stats import EVIDENCE_COLUMNS, EvidenceSummary, evidence_summary, store_stats
from paperkg.store import PaperStore, tally_graph
from paperkg.validate import load_shapes, validate_graph
from paperkg.vocab import PKG, RDF

from conftest import SHARED, run_cli

ARTICLE_SET = Path(__file__).parent / "data" / "pubmed" / "pubmed-article-set.xml"
#: A real MEDLINE baseline file: 604 citations, most indexed, some not yet (no MeSH headings).
MEDLINE_FILE = SHARED / "corpora" / "pubmed" / "medline16n0902.xml.gz"
INDEXING_COLUMNS = (
    "indexing_confirmed",
    "indexing_as_harm",
    "indexing_not_indexed",
    "indexing_only",
    "indexing_absent",
)
C, D = EntityKind.CHEMICAL, EntityKind.DISEASE


def _record(*headings: MeshHeading, chemical_list: bool = True) -> PaperRecord:
    indexed = (
        (EntityMention("Velitrex", C, "MESH:C900001", "C900001", "mesh-indexing"),)
        if chemical_list
        else ()
    )
    return PaperRecord(
        source="t.xml",
        sha256="a" * 64,
        title="Velitrex for widgetitis: a randomized controlled trial",
        abstract="Adults with widgetitis were randomized to velitrex 10 mg or placebo.",
        linked_entities=(
            EntityMention("velitrex", C, "MESH:C900001", "MESH:C900001", "linked"),
            EntityMention("widgetitis", D, "MESH:D900002", "MESH:D900002", "linked"),
        ),
        fulltext_entities=indexed,
        mesh_headings=headings,
    )


@pytest.mark.parametrize(
    ("headings", "chemical_list", "expected"),
    [
        # the condition treated with drugs, the drug in the chemical list (its class heading
        # carries "therapeutic use", as indexers do)
        (
            (
                MeshHeading("Widgetitis", "MESH:D900002", ("drug therapy",)),
                MeshHeading("Velitrexoids", "MESH:D900009", ("therapeutic use",)),
            ),
            True,
            IndexingAgreement.CONFIRMED,
        ),
        (
            (MeshHeading("Widgetitis", "MESH:D900002", ("chemically induced",)),),
            True,
            IndexingAgreement.INDEXED_AS_HARM,
        ),
        ((MeshHeading("Widgetitis", "MESH:D900002", ("diagnosis",)),), True, "not_indexed"),
        # the drug is not among the indexed chemicals: the indexing does not speak of it
        (
            (MeshHeading("Widgetitis", "MESH:D900002", ("drug therapy",)),),
            False,
            IndexingAgreement.NOT_INDEXED,
        ),
        ((), True, None),
    ],
)
def test_each_finding_says_what_the_indexing_says_of_its_pair(
    headings: tuple[MeshHeading, ...], chemical_list: bool, expected: str | None
) -> None:
    result = extract(_record(*headings, chemical_list=chemical_list))
    assert [f.indexing for f in result.findings] == [expected]


def test_a_subtype_the_text_names_is_confirmed_by_its_broader_heading() -> None:
    """The title names "metastatic widgetitis"; NLM indexes the heading Widgetitis: the finding
    about the subtype is the pair the indexing confirms.
    """
    record = dataclasses.replace(
        _record(
            MeshHeading("Widgetitis", "MESH:D900002", ("drug therapy",)),
            MeshHeading("Velitrexoids", "MESH:D900009", ("therapeutic use",)),
        ),
        title="Velitrex for metastatic widgetitis: a randomized controlled trial",
    )
    result = extract(record)
    (finding,) = result.findings
    assert result.concept(finding.condition).label == "metastatic widgetitis"
    assert finding.indexing is IndexingAgreement.CONFIRMED


def _indexed_only(**changes: Any) -> PaperRecord:
    """A citation whose text gives no finding of its indexed pair: the abstract names
    velitrex and widgetitis only in passing, NLM indexed velitrex with therapeutic use and
    widgetitis with drug therapy, and a class heading with therapeutic use besides.
    """
    record = _record(
        MeshHeading("Widgetitis", "MESH:D900002", ("drug therapy",)),
        MeshHeading("Velitrex", "MESH:C900001", ("therapeutic use",)),
        MeshHeading("Widget Agents", "MESH:D900009", ("therapeutic use",)),
    )
    mentions = (
        *record.fulltext_entities,
        EntityMention("Widget Agents", C, "MESH:D900009", "D900009", "mesh-indexing"),
    )
    texts = {
        "title": "Models of widgetitis in zebrafish",
        "abstract": "Zebrafish behaviour is reviewed; velitrex is one of the compounds screened.",
    }
    return dataclasses.replace(record, fulltext_entities=mentions, **(texts | changes))


def test_a_pair_only_the_indexing_states_is_added_with_its_provenance() -> None:
    result = extract(_indexed_only())
    (finding,) = [f for f in result.findings if f.indexing is IndexingAgreement.INDEXING_ONLY]
    assert result.concept(finding.drug).label.casefold() == "velitrex"
    assert result.concept(finding.condition).label.casefold() == "widgetitis"
    assert finding.outcome is Outcome.NOT_STATED
    assert finding.extractor.name == "mesh-indexing"
    assert [(e.text, e.section) for e in finding.evidence] == [
        ("MeSH indexing: Velitrex/therapeutic use; Widgetitis/drug therapy", "mesh-indexing")
    ]
    # the class heading, which the text never names, adds nothing
    assert [result.concept(f.drug).key for f in result.findings] == [finding.drug]


def test_the_indexing_adds_nothing_the_text_found_or_does_not_name() -> None:
    # the text's own finding of the pair is confirmed, not doubled
    found = extract(_record(*_indexed_only().mesh_headings))
    assert [f.indexing for f in found.findings] == [IndexingAgreement.CONFIRMED]
    # a drug the title and abstract never name is a heading only
    silent = _indexed_only(abstract="Zebrafish behaviour is reviewed.")
    assert extract(silent).findings == ()


def test_the_real_file_gains_the_findings_only_its_indexing_states() -> None:
    """On the real MEDLINE file, a zebrafish review (PMID 21615262) that reports buspirone
    reducing stress behaviours is indexed Buspirone/therapeutic use with Anxiety/drug therapy,
    which the text's rules do not pair; the class headings of other citations (Quinazolines,
    Pyrazoles, Antineoplastic Agents) add nothing, as the abstracts do not name them.
    """
    added: dict[str, set[tuple[str, str]]] = {}
    classes = {"quinazolines", "pyrazoles", "antineoplastic agents", "glutamates"}
    for item in read_pubmed(MEDLINE_FILE):
        if not isinstance(item, PaperRecord):
            continue
        result = extract(item)
        for f in result.findings:
            if f.indexing is IndexingAgreement.INDEXING_ONLY:
                pair = (result.concept(f.drug).label, result.concept(f.condition).label)
                added.setdefault(item.pmid or "", set()).add(pair)
                assert pair[0].casefold() not in classes
    assert ("Buspirone", "Anxiety") in added["21615262"]
    assert 0 < sum(map(len, added.values())) < 10


def test_the_real_citation_is_confirmed_and_counted_in_stats(tmp_path: Path) -> None:
    """PMID 22508830 (erlotinib with and without entinostat in non-small-cell lung cancer):
    NLM indexed the cancers with drug therapy and both drugs in its chemical list. Entinostat
    is what was tried (erlotinib, given in both arms, is background) for the cancer the title
    names: its finding is confirmed.
    """
    store = PaperStore(tmp_path / "store")
    report = build(store, ARTICLE_SET, workers=1)
    assert report.ok
    stats = store_stats(store)
    assert dict(stats.indexing) == {
        "confirmed": 1,
        "indexed_as_harm": 0,
        "not_indexed": 0,
        "indexing_only": 0,
    }
    assert stats.as_dict()["indexing"]["confirmed"] == 1
    assert "findings vs MeSH indexing" in stats.text()


def test_a_record_without_indexing_counts_nothing() -> None:
    record = dataclasses.replace(_record(), mesh_headings=())
    assert all(f.indexing is None for f in extract(record).findings)


# --- evidence per drug-condition pair --------------------------------------------------------


@pytest.fixture(scope="module")
def medline_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("medline") / "store"
    code, _, err = run_cli("--store", str(path), "build", str(MEDLINE_FILE), "--workers", "1")
    assert code == 0, err
    return path


@pytest.fixture(scope="module")
def medline(medline_path: Path) -> Iterator[PaperStore]:
    with PaperStore.open_existing(medline_path, read_only=True) as store:
        yield store


def _agreements_of_the_findings(store: PaperStore) -> dict[tuple[str, str], Counter[str | None]]:
    """Per (canonical drug, canonical condition), each finding's agreement, read statement by
    statement (no query): the independent count.
    """

    def one(subject: Any, predicate: object) -> Any:
        found = {q.object for q in store.quads_for_pattern(subject, _node(predicate), None)}
        assert len(found) <= 1, (subject, predicate, found)
        return next(iter(found), None)

    counted: dict[tuple[str, str], Counter[str | None]] = {}
    for quad in store.quads_for_pattern(None, _node(RDF.type), _node(PKG.Finding)):
        finding = quad.subject
        drug = one(one(finding, PKG.drug), PKG.canonical)
        condition = one(one(finding, PKG.condition), PKG.canonical)
        agreement = one(finding, PKG.indexingAgreement)
        pair = (drug.value, condition.value)
        counted.setdefault(pair, Counter())[None if agreement is None else agreement.value] += 1
    return counted


def _node(term: object) -> ox.NamedNode:
    return ox.NamedNode(str(term))


def _cells(row: EvidenceSummary) -> tuple[int | None, ...]:
    return (
        row.indexing_confirmed,
        row.indexing_as_harm,
        row.indexing_not_indexed,
        row.indexing_only,
        row.indexing_absent,
    )


def test_evidence_counts_each_pairs_findings_by_what_the_indexing_says(
    medline: PaperStore,
) -> None:
    rows = evidence_summary(medline)
    truth = _agreements_of_the_findings(medline)
    assert {(r.drug, r.condition) for r in rows} == set(truth)
    for row in rows:
        counts = truth[row.drug, row.condition]
        indexed = any(agreement is not None for agreement in counts)
        expected = (
            *(counts[a.value] if indexed else None for a in IndexingAgreement),
            counts[None],
        )
        assert _cells(row) == expected, (row.drug_label, row.condition_label)
    # the file has both: findings of indexed citations and of citations not yet indexed
    stats = store_stats(medline)
    confirmed, harm, silent, only, absent = (
        sum(c or 0 for c in column) for column in zip(*map(_cells, rows), strict=True)
    )
    assert (confirmed, harm, silent, only) == tuple(count for _, count in stats.indexing)
    assert confirmed + harm + silent + only + absent == stats.findings
    assert confirmed > 0
    assert silent > 0
    assert only > 0
    assert absent > 0
    assert any(row.indexing_confirmed is None for row in rows)


def _confirmed(store: PaperStore) -> EvidenceSummary:
    """A pair with one finding, which the indexing confirms."""
    return next(r for r in evidence_summary(store) if _cells(r) == (1, 0, 0, 0, 0))


def test_the_tallies_and_counting_the_findings_give_the_same_agreement(
    medline: PaperStore,
) -> None:
    conditions = sorted({row.condition_label for row in evidence_summary(medline)})
    assert len(conditions) > 20
    # all pairs from the tallies alone: the findings are never queried
    with mock.patch.object(medline, "select", side_effect=AssertionError("queried")):
        fast = evidence_summary(medline)
    narrowed = {c: evidence_summary(medline, condition=c) for c in conditions}
    drugs = [row.drug for row in fast if row.indexing_confirmed]
    by_drug = {d: evidence_summary(medline, drug=d) for d in drugs}
    with mock.patch.object(paperkg.stats, "tallies_usable", return_value=False):
        assert evidence_summary(medline) == fast
        for condition, rows in narrowed.items():
            assert evidence_summary(medline, condition=condition) == rows, condition
        for drug, rows in by_drug.items():
            assert evidence_summary(medline, drug=drug) == rows, drug
    assert drugs


def test_the_tally_graph_with_agreement_conforms(medline: PaperStore) -> None:
    graph = medline.rdflib_graph(tally_graph())
    tallied = {str(value) for value in graph.objects(None, PKG.indexingAgreement)}
    stated = {a for counts in _agreements_of_the_findings(medline).values() for a in counts}
    assert tallied == stated - {None}
    assert "confirmed" in tallied
    assert validate_graph(graph, load_shapes(), engine="pyshacl").conforms


def test_tallies_counted_before_the_agreement_are_not_read_as_no_indexing(
    tmp_path: Path,
) -> None:
    """A store whose tallies lack the agreement counts (kept by an older paperkg) counts them
    from the findings instead of reporting every finding as without indexing.
    """
    store = PaperStore(tmp_path / "store")
    assert build(store, ARTICLE_SET, workers=1, validate=False).ok
    expected = evidence_summary(store)
    assert any(row.indexing_confirmed for row in expected)
    older = [
        q
        for q in store.graph_quads(tally_graph())
        if isinstance(q.subject, ox.NamedNode) and "/tally/agreement/" in q.subject.value
    ]
    assert older
    store.remove_quads(older)
    assert evidence_summary(store) == expected


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "table"])
def test_every_format_of_evidence_ends_with_the_agreement(
    medline: PaperStore, medline_path: Path, fmt: str
) -> None:
    pair = _confirmed(medline)
    ask = ("-c", pair.condition, "-d", pair.drug)
    code, out, err = run_cli("--store", str(medline_path), "evidence", *ask, "--format", fmt)
    assert code == 0, err
    if fmt == "json":
        (row,) = json.loads(out)
        assert list(row) == list(EVIDENCE_COLUMNS)
        assert [row[name] for name in INDEXING_COLUMNS] == [1, 0, 0, 0, 0]
        return
    if fmt == "table":
        header, _, line = out.splitlines()[:3]
        cells = [cell.strip() for cell in line.split("|")]
        assert [cell.strip() for cell in header.split("|")][-5:] == list(INDEXING_COLUMNS)
        assert cells[-5:] == ["1", "0", "0", "0", "0"]
        return
    (row,) = csv.DictReader(io.StringIO(out), delimiter="," if fmt == "csv" else "\t")
    assert list(row) == list(EVIDENCE_COLUMNS)
    assert [row[name] for name in INDEXING_COLUMNS] == ["1", "0", "0", "0", "0"]


def test_a_pair_without_indexing_leaves_the_agreement_empty_in_json_and_csv(
    medline: PaperStore, medline_path: Path
) -> None:
    unindexed = next(r for r in evidence_summary(medline) if r.indexing_confirmed is None)
    ask = ("-c", unindexed.condition, "-d", unindexed.drug)
    _, out, _ = run_cli("--store", str(medline_path), "evidence", *ask, "--format", "json")
    (row,) = json.loads(out)
    absent = unindexed.indexing_absent
    assert absent > 0
    assert [row[name] for name in INDEXING_COLUMNS] == [None, None, None, None, absent]
    _, out, _ = run_cli("--store", str(medline_path), "evidence", *ask, "--format", "csv")
    (line,) = csv.DictReader(io.StringIO(out))
    assert [line[name] for name in INDEXING_COLUMNS] == ["", "", "", "", str(absent)]
