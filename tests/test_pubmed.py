"""PubMed XML: the real MEDLINE update file in ../shared (604 citations, one DeleteCitation), a
PubmedArticleSet built from one of its citations, NLM's indexing as a witness of the design,
DeleteCitation removing papers from a store, and broken input reported one line at a time.
"""

from __future__ import annotations

import gzip
import re
import shutil
import tracemalloc
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from paperkg import build
from paperkg.errors import RecordError
from paperkg.extraction import RuleExtractor
from paperkg.extraction.indexing import indexed_design
from paperkg.extraction.sentences import split_abstract
from paperkg.model import Deletion, EntityKind, PaperRecord, StudyDesign
from paperkg.readers import (
    detect_format,
    expand_sources,
    read_items,
    read_records,
    record_from_json,
    record_to_json,
)
from paperkg.readers.citation import citation_date, free_date
from paperkg.readers.pubmed import iter_pubmed_xml
from paperkg.store import PaperStore

from conftest import DATA, SHARED, run_cli

MEDLINE_FILE = SHARED / "corpora" / "pubmed" / "medline16n0902.xml.gz"
ARTICLE_SET = DATA / "pubmed" / "pubmed-article-set.xml"
DELETED_PMID = "26432306"
TRIAL_PMID = "22508830"


@pytest.fixture(scope="module")
def xml_text() -> bytes:
    return gzip.decompress(MEDLINE_FILE.read_bytes())


@pytest.fixture(scope="module")
def items() -> list[PaperRecord | RecordError | Deletion]:
    return list(read_items(MEDLINE_FILE))


@pytest.fixture(scope="module")
def records(items: list[PaperRecord | RecordError | Deletion]) -> dict[str, PaperRecord]:
    return {item.pmid or "": item for item in items if isinstance(item, PaperRecord)}


def _errors(found: list[PaperRecord | RecordError | Deletion]) -> list[RecordError]:
    return [item for item in found if isinstance(item, RecordError)]


# -- the real file -------------------------------------------------------------------------------


def test_the_real_file_is_detected_by_content_and_gives_604_papers_and_one_deletion(
    items: list[PaperRecord | RecordError | Deletion], xml_text: bytes
) -> None:
    assert detect_format(MEDLINE_FILE) == "pubmed-xml"
    papers = [item for item in items if isinstance(item, PaperRecord)]
    assert _errors(items) == []
    assert len(papers) == 604 == xml_text.count(b"<MedlineCitation ")
    assert len({paper.pmid for paper in papers}) == 604
    assert [item for item in items if isinstance(item, Deletion)] == [
        Deletion(str(MEDLINE_FILE), 89980, (DELETED_PMID,))
    ]
    assert {paper.source_format for paper in papers} == {"pubmed-xml"}
    # every DOI and PMC id the file states is read (one DOI ELocationID per citation at most)
    assert sum(1 for p in papers if p.doi) == xml_text.count(b'<ELocationID EIdType="doi"') == 579
    pmc_ids = set(re.findall(rb'<OtherID Source="NLM">(PMC\d+)', xml_text))
    assert {p.pmcid.encode() for p in papers if p.pmcid} == pmc_ids
    assert all(p.title and p.date and p.journal for p in papers)
    assert list(read_records(MEDLINE_FILE)) == papers  # read_records leaves the deletion out


def test_a_citation_gives_every_field(records: dict[str, PaperRecord]) -> None:
    paper = records[TRIAL_PMID]
    assert paper.title.startswith("Randomized phase II trial of erlotinib with and without")
    assert paper.doi == "10.1200/jco.2011.38.9411"
    assert paper.authors[0] == "Samir E Witta"
    assert paper.authors[-2:] == ("Paul A Bunn Jr", "Fred R Hirsch")
    assert (paper.journal, paper.volume, paper.issue, paper.pages) == (
        "J Clin Oncol",
        "30",
        "18",
        "2248-55",
    )
    assert paper.date == "2012-06-20"
    assert paper.source == f"{MEDLINE_FILE}:2827"
    assert paper.source_url == f"https://pubmed.ncbi.nlm.nih.gov/{TRIAL_PMID}/"
    assert "Randomized Controlled Trial" in paper.publication_types
    # structured abstract: one paragraph per section, its label kept as the markdown records do
    assert paper.abstract is not None
    heads = [part.split(":", 1)[0] for part in paper.abstract.split("\n\n")]
    assert heads == ["PURPOSE", "PATIENTS AND METHODS", "RESULTS", "CONCLUSION"]
    sections = {
        sub for sub, text in split_abstract(paper.abstract) if "132" in text or "PFS" in text
    }
    assert "results" in sections


def test_indexing_gives_mentions_kept_apart_from_the_text(records: dict[str, PaperRecord]) -> None:
    paper = records[TRIAL_PMID]
    assert {m.section for m in paper.linked_entities} == {"mesh-indexing"}
    # what the text names is recognised apart (paperkg.text_entities), never mixed in
    assert {m.section for m in paper.fulltext_entities} == {"text-recognised"}
    by_id = {(m.identifier, m.kind) for m in paper.linked_entities}
    # chemicals from the ChemicalList, with MeSH ids (C for supplementary concepts)
    assert ("MESH:C118739", EntityKind.CHEMICAL) in by_id  # entinostat
    assert ("MESH:D000069347", EntityKind.CHEMICAL) in by_id  # erlotinib hydrochloride
    # diseases: headings with a disease-only qualifier (drug therapy), in both word orders
    lung = [m for m in paper.linked_entities if m.identifier == "MESH:D002289"]
    assert {m.text for m in lung} == {
        "Carcinoma, Non-Small-Cell Lung",
        "Non-Small-Cell Lung Carcinoma",
    }
    assert all(m.kind is EntityKind.DISEASE and "drug therapy" in (m.note or "") for m in lung)
    # check tags and methods are headings only, never mentions
    texts = {m.text for m in paper.entities}
    assert not texts & {"Humans", "Female", "Aged", "Middle Aged"}
    headings = {h.descriptor: h for h in paper.mesh_headings}
    assert headings["Lung Neoplasms"].identifier == "MESH:D008175"
    assert headings["Lung Neoplasms"].qualifiers == ("drug therapy",)
    assert headings["Lung Neoplasms"].major
    assert not headings["Humans"].major


def test_every_randomized_controlled_trial_is_an_rct(
    records: dict[str, PaperRecord], xml_text: bytes
) -> None:
    trials = [p for p in records.values() if "Randomized Controlled Trial" in p.publication_types]
    assert len(trials) == xml_text.count(b">Randomized Controlled Trial<") == 5
    extractor = RuleExtractor()
    assert {p.pmid: extractor.extract(p).study_design for p in trials} == {
        p.pmid: StudyDesign.RCT for p in trials
    }
    case = [p for p in records.values() if "Case Reports" in p.publication_types]
    assert [extractor.extract(p).study_design for p in case] == [StudyDesign.CASE_REPORT]
    # the text of these trials says so too; where it says otherwise, the indexing wins
    (trial,) = [p for p in trials if p.pmid == TRIAL_PMID]
    assert extractor.extract(replace(trial, publication_types=("Case Reports",))).study_design is (
        StudyDesign.CASE_REPORT
    )
    (report,) = case
    assert extractor.extract(replace(report, publication_types=())).study_design is not (
        StudyDesign.RCT
    )
    assert extractor.extract(
        replace(report, publication_types=("Randomized Controlled Trial",))
    ).study_design is (StudyDesign.RCT)


def test_publication_types_win_over_the_text_and_are_refined_within_their_kind() -> None:
    rct, crossover = StudyDesign.RCT, StudyDesign.CROSSOVER_RCT
    assert indexed_design(["Journal Article", "Randomized Controlled Trial"], None) is rct
    assert indexed_design(["Randomized Controlled Trial"], StudyDesign.CASE_REPORT) is rct
    assert indexed_design(["Randomized Controlled Trial"], crossover) is crossover
    assert indexed_design(["Clinical Trial Protocol", "Randomized Controlled Trial"], rct) is (
        StudyDesign.PROTOCOL
    )
    assert indexed_design(["Meta-Analysis", "Systematic Review"], None) is StudyDesign.META_ANALYSIS
    assert indexed_design(["Clinical Trial, Phase II"], None) is StudyDesign.OPEN_LABEL_STUDY
    assert indexed_design(["Clinical Trial, Phase II"], StudyDesign.PILOT_TRIAL) is (
        StudyDesign.PILOT_TRIAL
    )
    assert indexed_design(["Case Reports"], StudyDesign.CASE_SERIES) is StudyDesign.CASE_SERIES
    assert indexed_design(["Observational Study"], None) is StudyDesign.COHORT_STUDY
    # types that state no design leave the text to decide
    assert indexed_design(["Journal Article", "Review"], StudyDesign.COHORT_STUDY) is (
        StudyDesign.COHORT_STUDY
    )
    assert indexed_design([], None) is None


def test_pubmed_dates() -> None:
    assert citation_date("2012", "Jun", "20") == "2012-06-20"
    assert citation_date("2012", "06") == "2012-06"
    assert citation_date("2012", "Feb", "30") == "2012-02"  # no such day: the month stands
    assert free_date("2008 Jul-Aug") == "2008-07"
    assert free_date("2007 Dec-2008 Jan") == "2007-12"
    assert free_date("2015 Winter") == "2015"
    assert free_date("Spring") is None


# -- a PubmedArticleSet --------------------------------------------------------------------------


def test_a_pubmed_article_set_gives_the_same_paper_as_the_medline_file(
    records: dict[str, PaperRecord],
) -> None:
    assert detect_format(ARTICLE_SET) == "pubmed-xml"
    found = list(read_items(ARTICLE_SET))
    assert isinstance(found[0], PaperRecord)
    assert found[1] == Deletion(str(ARTICLE_SET), 210, (DELETED_PMID,))
    paper, original = found[0], records[TRIAL_PMID]
    same = ("title", "doi", "pmid", "authors", "journal", "date", "abstract", "publication_types")
    assert {name: getattr(paper, name) for name in same} == {
        name: getattr(original, name) for name in same
    }
    assert paper.mesh_headings == original.mesh_headings
    assert [(m.text, m.identifier) for m in paper.entities] == [
        (m.text, m.identifier) for m in original.entities
    ]


def test_a_pubmed_record_round_trips_through_json_lines(records: dict[str, PaperRecord]) -> None:
    paper = records[TRIAL_PMID]
    assert record_from_json(record_to_json(paper), source="x", line=1) == paper


# -- DeleteCitation ------------------------------------------------------------------------------


def _withdrawn_paper(folder: Path) -> Path:
    """A MEDLINE text record of the paper the real file deletes (with a DOI: the deletion must
    find it by PMID whatever its key).
    """
    path = folder / "withdrawn.nbib"
    path.write_text(
        f"PMID- {DELETED_PMID}\nTI  - A paper PubMed later withdrew.\n"
        "AB  - Patients with schizophrenia were given clozapine.\n"
        "LID - 10.1000/withdrawn [doi]\nDP  - 2015 Oct\n",
        encoding="utf-8",
    )
    return path


def test_delete_citation_removes_a_built_paper_from_the_store(tmp_path: Path) -> None:
    store = PaperStore(tmp_path / "store")
    first = build(store, _withdrawn_paper(tmp_path), validate=False, workers=1)
    assert len(first.added) == 1
    graph = store.find_record_graph("10.1000/withdrawn")
    report = build(store, ARTICLE_SET, validate=False, workers=1)
    assert report.removed == [graph.value]
    assert "1 removed" in report.summary()
    assert [g.value for g in store.record_graphs()] != [graph.value]
    assert graph not in store.record_graphs()
    assert len(store.record_graphs()) == 1
    # a second build finds nothing more to remove
    assert build(store, ARTICLE_SET, validate=False, workers=1).removed == []


def test_paperkg_build_of_the_real_file(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    assert run_cli("--store", store, "build", str(_withdrawn_paper(tmp_path)))[0] == 0
    code, out, err = run_cli("--store", store, "build", str(MEDLINE_FILE))
    assert code == 0, err
    assert "604 built (604 new, 0 replaced), 0 unchanged, 0 rejected, 1 removed" in out
    code, out, _ = run_cli("--store", store, "stats")
    assert code == 0
    assert re.search(r"\b604\b", out)
    with PaperStore.open_existing(store) as opened:
        assert len(opened.record_graphs()) == 604


# -- bad input -----------------------------------------------------------------------------------


def test_a_truncated_gz_gives_one_line_and_the_citations_before_it_build(tmp_path: Path) -> None:
    data = MEDLINE_FILE.read_bytes()
    cut = tmp_path / "cut.xml.gz"
    cut.write_bytes(data[: len(data) // 2])
    found = list(read_items(cut))
    (error,) = _errors(found)
    assert "\n" not in str(error)
    assert str(error).startswith(f"{cut}:")
    assert "gzip data ends early" in str(error)
    papers = [item for item in found if isinstance(item, PaperRecord)]
    assert 200 < len(papers) < 400
    report = build(PaperStore(), cut, validate=False, workers=1)
    assert (len(report.added), len(report.rejected)) == (len(papers), 1)


def test_malformed_xml_gives_one_line_and_the_citations_before_it_build(
    tmp_path: Path, xml_text: bytes
) -> None:
    third = xml_text.index(b"</ArticleTitle>", xml_text.index(b"<MedlineCitation ", 10_000))
    broken = tmp_path / "broken.xml"
    broken.write_bytes(xml_text[:third] + b"</ArticleTitel>" + xml_text[third + 15 :])
    found = list(read_items(broken))
    (error,) = _errors(found)
    line = xml_text[:third].count(b"\n") + 1
    assert (error.path, error.line, error.field) == (str(broken), line, "xml")
    assert "not well-formed XML" in str(error)
    assert "\n" not in str(error)
    papers = [item for item in found if isinstance(item, PaperRecord)]
    assert len(papers) == xml_text[:third].count(b"</MedlineCitation>") > 0
    report = build(PaperStore(), broken, validate=False, workers=1)
    assert (len(report.added), len(report.rejected)) == (len(papers), 1)


def test_a_citation_without_pmid_or_title_is_rejected_alone(xml_text: bytes) -> None:
    text = xml_text.replace(b'<PMID Version="1">22508830</PMID>', b"", 1)
    text = text.replace(
        b"<ArticleTitle>Is serum brain-derived neurotrophic factor a biomarker for cognitive "
        b"enhancement in schizophrenia?</ArticleTitle>",
        b"<ArticleTitle/>",
    )
    found = list(iter_pubmed_xml([text], source="f.xml"))
    errors = _errors(found)
    assert [(e.field, "\n" in str(e)) for e in errors] == [("title", False), ("PMID", False)]
    assert "PMID 19368899 has no title" in str(errors[0])
    assert str(errors[1]).startswith("f.xml:2827: PMID: the citation at line 2827 has no PMID")
    assert sum(isinstance(item, PaperRecord) for item in found) == 602


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE PubmedArticleSet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>',
        '<!DOCTYPE PubmedArticleSet [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
    ],
)
def test_entities_are_refused_before_any_expansion(doctype: str) -> None:
    text = ARTICLE_SET.read_text(encoding="utf-8").split("\n", 2)[2]
    text = text.replace("<ArticleTitle>", "<ArticleTitle>&b;&x;", 1)
    found = list(iter_pubmed_xml([f"{doctype}\n{text}".encode()], source="evil.xml"))
    (error,) = found
    assert isinstance(error, RecordError)
    assert "entity declaration" in str(error)
    assert "refused" in str(error)


def test_other_xml_and_other_gzip_are_not_pubmed(tmp_path: Path) -> None:
    bioc = SHARED / "corpora" / "bc5cdr" / "CDR_TrainingSet.first50.BioC.xml"
    assert detect_format(bioc) == "bioc-xml"
    other = tmp_path / "notes.txt.gz"
    other.write_bytes(gzip.compress(b"just some notes\n"))
    (error,) = read_records(other)  # gzip is read as PubMed XML, whose reader says what is wrong
    assert isinstance(error, RecordError)
    assert str(error).startswith(f"{other}:1: file: not XML (syntax error")
    assert "decompress them first" in str(error)
    # in a folder, .xml.gz is taken when it is PubMed, other .gz files are left alone
    shutil.copy(MEDLINE_FILE, tmp_path / "update.xml.gz")
    assert [p.name for p in expand_sources(tmp_path)] == ["update.xml.gz"]


def test_memory_stays_bounded_by_one_citation(xml_text: bytes) -> None:
    """2,000 citations streamed: what the reader holds does not grow with the file."""
    start = xml_text.index(b"<MedlineCitation ")
    end = xml_text.index(b"</MedlineCitation>", start) + len(b"</MedlineCitation>")
    citation = xml_text[start:end].decode()

    def chunks() -> Iterator[bytes]:
        yield b"<MedlineCitationSet>\n"
        for number in range(2000):
            pmid = f'<PMID Version="1">{90000000 + number}'
            yield re.sub(r'<PMID Version="1">\d+', pmid, citation, count=1).encode()
        yield b"</MedlineCitationSet>\n"

    tracemalloc.start()
    count = 0
    for item in iter_pubmed_xml(chunks(), source="big.xml"):
        assert isinstance(item, PaperRecord)
        count += 1
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert count == 2000
    assert peak < 2_000_000
