"""NLM's MeSH indexing as a second witness of findings: each finding of an indexed citation says
whether the indexing confirms its pair, calls the condition a harm, or is silent on it; the
graph carries it (checked by the shapes: tests/data/shapes/finding.indexing.invalid.ttl) and
``stats`` counts it.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from paperkg import build
from paperkg.extraction import extract
from paperkg.model import (
    EntityKind,
    EntityMention,
    IndexingAgreement,
    MeshHeading,
    PaperRecord,
)
from paperkg.stats import store_stats
from paperkg.store import PaperStore

ARTICLE_SET = Path(__file__).parent / "data" / "pubmed" / "pubmed-article-set.xml"
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


def test_the_real_citation_is_confirmed_and_counted_in_stats(tmp_path: Path) -> None:
    """PMID 22508830 (erlotinib with entinostat in non-small-cell lung cancer): NLM indexed
    the cancers with drug therapy and both drugs in its chemical list.
    """
    store = PaperStore(tmp_path / "store")
    report = build(store, ARTICLE_SET, workers=1)
    assert report.ok
    stats = store_stats(store)
    assert dict(stats.indexing) == {"confirmed": 4, "indexed_as_harm": 0, "not_indexed": 0}
    assert stats.as_dict()["indexing"]["confirmed"] == 4
    assert "findings vs MeSH indexing" in stats.text()


def test_a_record_without_indexing_counts_nothing() -> None:
    record = dataclasses.replace(_record(), mesh_headings=())
    assert all(f.indexing is None for f in extract(record).findings)
