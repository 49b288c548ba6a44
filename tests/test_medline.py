"""MEDLINE text (PubMed's "Save as PubMed format"): a real citation of the shared MEDLINE file
converted to the text layout (tests/data/pubmed/README.md) reads as the XML reader reads it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from paperkg import build
from paperkg.errors import RecordError
from paperkg.extraction import RuleExtractor, extract
from paperkg.model import EntityKind, PaperRecord, StudyDesign
from paperkg.readers import detect_format, expand_sources, read_items, read_records
from paperkg.readers.medline import iter_medline
from paperkg.store import PaperStore

from conftest import DATA, SEEDS, SHARED, run_cli

NBIB = DATA / "pubmed" / "22508830.nbib"
MEDLINE_FILE = SHARED / "corpora" / "pubmed" / "medline16n0902.xml.gz"


@pytest.fixture(scope="module")
def paper() -> PaperRecord:
    (record,) = read_records(NBIB)
    assert isinstance(record, PaperRecord)
    return record


@pytest.fixture(scope="module")
def from_xml() -> PaperRecord:
    return next(
        item
        for item in read_records(MEDLINE_FILE)
        if isinstance(item, PaperRecord) and item.pmid == "22508830"
    )


def test_medline_text_is_detected_by_content(tmp_path: Path) -> None:
    assert detect_format(NBIB) == "medline"
    as_txt = tmp_path / "export.txt"
    shutil.copy(NBIB, as_txt)
    record_txt = tmp_path / "record.txt"
    shutil.copy(SEEDS / "026_pregabalin_fibromyalgia_rct.txt", record_txt)
    assert (detect_format(as_txt), detect_format(record_txt)) == ("medline", "markdown")
    shutil.copy(NBIB, tmp_path / "export.nbib")
    (tmp_path / "notes.nbib").write_text("not a citation\n", encoding="utf-8")
    assert [p.name for p in expand_sources(tmp_path)] == ["export.nbib", "export.txt", "record.txt"]
    formats = {
        p.name: {getattr(r, "source_format", "error") for r in read_records(p)}
        for p in expand_sources(tmp_path)
    }
    assert formats == {
        "export.nbib": {"medline"},
        "export.txt": {"medline"},
        "record.txt": {"markdown"},
    }


def test_medline_text_gives_the_fields_of_the_xml(
    paper: PaperRecord, from_xml: PaperRecord
) -> None:
    assert paper.source == f"{NBIB}:2"
    assert paper.source_format == "medline"
    for name in (
        "title", "pmid", "doi", "authors", "journal", "volume", "issue", "pages", "date",
        "abstract", "publication_types", "origin", "source_url",
    ):  # fmt: skip
        assert getattr(paper, name) == getattr(from_xml, name), name
    assert paper.title.endswith("who progressed on prior chemotherapy.")
    assert paper.authors[-2] == "Paul A Bunn Jr"
    assert paper.date == "2012-06-20"
    assert paper.doi == "10.1200/jco.2011.38.9411"
    assert paper.abstract is not None
    assert paper.abstract.split("\n\n")[1].startswith("PATIENTS AND METHODS: Previously treated")
    # MeSH headings as in the XML; the text layout has no ids, so a heading has the id the
    # shipped vocabulary knows its name by (always the XML's), or none
    assert [(h.descriptor, h.qualifiers, h.major) for h in paper.mesh_headings] == [
        (h.descriptor, h.qualifiers, h.major) for h in from_xml.mesh_headings
    ]
    for text, xml in zip(paper.mesh_headings, from_xml.mesh_headings, strict=True):
        assert text.identifier in (None, xml.identifier), text.descriptor
    named = {h.descriptor: h.identifier for h in paper.mesh_headings}
    assert named["Carcinoma, Non-Small-Cell Lung"] == "MESH:D002289"
    assert named["Lung Neoplasms"] == "MESH:D008175"


def test_indexing_mentions_match_the_xml_with_the_ids_the_vocabulary_knows(
    paper: PaperRecord, from_xml: PaperRecord
) -> None:
    assert [(m.text, m.kind, m.section) for m in paper.entities] == [
        (m.text, m.kind, m.section) for m in from_xml.entities
    ]
    for text, xml in zip(paper.entities, from_xml.entities, strict=True):
        assert text.identifier in (None, xml.identifier), text.text
    entinostat = next(m for m in paper.linked_entities if m.text == "entinostat")
    assert entinostat.raw_identifier == "1ZNY4FKK9H"
    diseases = {m.text for m in paper.linked_entities if m.kind is EntityKind.DISEASE}
    assert diseases == {
        "Carcinoma, Non-Small-Cell Lung",
        "Non-Small-Cell Lung Carcinoma",
        "Lung Neoplasms",
    }


def test_the_publication_type_gives_the_design(paper: PaperRecord) -> None:
    assert RuleExtractor().extract(paper).study_design is StudyDesign.RCT


def test_several_citations_and_bad_ones(tmp_path: Path) -> None:
    text = NBIB.read_text(encoding="utf-8")
    no_title = "PMID- 1234567\nAB  - An abstract without a title.\n"
    no_pmid = "TI  - A title without a PMID.\nDP  - 2001\n"
    second = text.replace("PMID- 22508830", "PMID- 22508831")
    path = tmp_path / "search.txt"
    path.write_text(f"{text}\n{no_title}\n{no_pmid}{second}", encoding="utf-8")
    found = list(read_items(path))
    assert [type(item).__name__ for item in found] == [
        "PaperRecord", "RecordError", "RecordError", "PaperRecord",
    ]  # fmt: skip
    errors = [item for item in found if isinstance(item, RecordError)]
    lines = text.count("\n") + 2
    assert [str(e) for e in errors] == [
        f"{path}:{lines}: title: PMID 1234567 has no title; give the citation its title "
        "(ArticleTitle, or TI in MEDLINE text)",
        f"{path}:{lines + 3}: PMID: the citation at line {lines + 3} has no PMID; give each "
        "citation its PubMed id (digits)",
    ]
    papers = [item for item in found if isinstance(item, PaperRecord)]
    assert [p.pmid for p in papers] == ["22508830", "22508831"]
    assert papers[0].title == papers[1].title
    report = build(PaperStore(), path, validate=False, workers=1)
    # the copy under another PMID has the same DOI: one paper, the copy skipped with a warning
    assert (len(report.added), len(report.rejected)) == (1, 2)
    assert ["same paper (doi:10.1200/jco.2011.38.9411)" in w.message for w in report.warnings] == [
        True
    ]


def test_a_line_that_is_no_field_is_a_warning() -> None:
    lines = ["PMID- 42", "TI  - A title", "       wrapped on.", "garbage here", "DP  - 1999 Dec"]
    (record,) = iter_medline(lines, source="x.nbib")
    assert isinstance(record, PaperRecord)
    assert (record.title, record.date) == ("A title wrapped on.", "1999-12")
    assert [w.message for w in record.warnings] == [
        "line 4: not a MEDLINE field line ('TAG - value'); skipped"
    ]


def test_paperkg_build_of_a_medline_export(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    code, out, err = run_cli("--store", store, "build", str(NBIB))
    assert code == 0, err
    assert "1 built (1 new, 0 replaced), 0 unchanged, 0 rejected" in out
    code, out, _ = run_cli("--store", store, "--quiet", "build", str(NBIB))
    assert (code, "0 built (0 new, 0 replaced), 1 unchanged" in out) == (0, True)


def test_medline_text_gives_the_findings_of_the_xml(
    paper: PaperRecord, from_xml: PaperRecord
) -> None:
    """The same citation in both layouts: the same drugs for the same conditions, the same
    outcome and the same agreement with NLM's indexing (which needs the headings' ids).
    """

    def findings(record: PaperRecord) -> set[tuple[str, str, str, str | None]]:
        result = extract(record)
        return {
            (f.drug, f.condition, f.outcome.value, f.indexing.value if f.indexing else None)
            for f in result.findings
        }

    assert findings(paper) == findings(from_xml)
    assert ("MESH:C118739", "MESH:D002289", "no_benefit", "confirmed") in findings(paper)
