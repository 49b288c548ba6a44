"""PMC JATS full texts: the 68 real articles of ../shared/corpora/pmc-jats (ids, front matter,
body sections), extraction reading the Results of the body, a build of the folder, and bad or
hostile files (broken XML, an external entity, a DTD that must never be fetched) reported on
one line each.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from paperkg.errors import RecordError
from paperkg.extraction import RuleExtractor
from paperkg.extraction.sentences import record_sentences
from paperkg.model import PaperRecord
from paperkg.readers import detect_format, expand_sources, read_records
from paperkg.readers.jats import MAX_ELEMENTS, MAX_TEXT_CHARS, read_jats

from conftest import SHARED, run_cli
from http_fakes import CountingHandler, serve

JATS = SHARED / "corpora" / "pmc-jats"
ONE = JATS / "PMC3532083.nxml"


@pytest.fixture(scope="module")
def records() -> dict[str, PaperRecord]:
    found: dict[str, PaperRecord] = {}
    for path in expand_sources(JATS):
        for item in read_records(path):
            assert isinstance(item, PaperRecord), item
            found[path.name] = item
    return found


def _read_one(path: Path) -> PaperRecord | RecordError:
    (item,) = list(read_records(path))
    return item


def test_the_68_articles_give_68_papers_with_their_ids(records: dict[str, PaperRecord]) -> None:
    assert len(records) == 68
    pmcids = {record.pmcid for record in records.values()}
    assert len(pmcids) == 68
    assert all(re.fullmatch(r"PMC[0-9]+", p or "") for p in pmcids)
    for name, record in records.items():
        if name.startswith("PMC"):
            assert record.pmcid == name.removesuffix(".nxml")
        assert record.title.strip()
        assert record.source_format == "jats"
    # the files that carry a DOI (59) or a PMID (66) give it
    assert sum(record.doi is not None for record in records.values()) == 59
    assert sum(record.pmid is not None for record in records.values()) == 66
    assert records["pone.0000217.nxml"].doi == "10.1371/journal.pone.0000217"


def test_front_matter_and_body_of_one_article(records: dict[str, PaperRecord]) -> None:
    paper = records[ONE.name]
    assert paper.title.startswith("Cost-effectiveness of compression technologies")
    assert (paper.pmid, paper.pmcid, paper.doi) == (
        "23031428",
        "PMC3532083",
        "10.1186/1472-6963-12-346",
    )
    assert paper.authors[:2] == ("Ba' Pham", "Margaret B Harrison")
    assert (paper.journal, paper.volume, paper.pages, paper.date) == (
        "BMC Health Serv Res",
        "12",
        "346",
        "2012-10-02",
    )
    assert (paper.figures_count, paper.references_count) == (2, 43)
    assert paper.source_url == "https://pmc.ncbi.nlm.nih.gov/articles/PMC3532083/"
    # the abstract keeps its sections as the PubMed readers write them
    labels = [part.split(":", 1)[0] for part in (paper.abstract or "").split("\n\n")]
    assert labels == ["Background", "Methods", "Results", "Conclusions", "Trial registration"]
    headings = [heading for heading, _ in paper.extra_sections]
    assert headings[:5] == ["Background", "Methods", "Results", "Discussion", "Conclusions"]
    results = dict(paper.extra_sections)["Results"]
    assert "Costs." in results.split("\n\n")  # a nested section's title, on its own line


def test_extraction_reads_the_abstract_and_the_results_of_the_body(
    records: dict[str, PaperRecord],
) -> None:
    sentences = record_sentences(records[ONE.name])
    sections = {(s.section, s.subsection) for s in sentences}
    assert ("abstract", "results") in sections
    assert ("results", "results") in sections
    # methods and discussion of the body are not read
    body = [s for s in sentences if s.section == "results"]
    discussion = dict(records[ONE.name].extra_sections)["Discussion"]
    assert not any(s.text in discussion for s in body if len(s.text) > 80)


def test_trial_articles_give_findings_with_evidence_from_their_sections(
    records: dict[str, PaperRecord],
) -> None:
    extractor = RuleExtractor()
    telmisartan = extractor.extract(records["PMC1174877.nxml"])
    labels = {telmisartan.concept(f.drug).label.lower() for f in telmisartan.findings}
    assert "telmisartan" in labels
    sections = {
        evidence.section
        for name in ("PMC1797029.nxml", "PMC3611074.nxml", "PMC1174877.nxml")
        for finding in extractor.extract(records[name]).findings
        for evidence in finding.evidence
    }
    assert "results" in sections  # the body's Results, told apart from the abstract's
    assert "abstract/results" in sections


def test_paperkg_build_of_the_folder(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    code, out, err = run_cli("--store", store, "build", str(JATS))
    assert code == 0, err
    assert "68 built (68 new, 0 replaced), 0 unchanged, 0 rejected" in out
    code, out, _ = run_cli("--store", store, "stats")
    assert code == 0
    found = re.search(r"^findings\s+([0-9]+)", out, re.MULTILINE)
    assert found is not None
    assert int(found.group(1)) >= 10


def test_detected_by_content_whatever_the_name(tmp_path: Path) -> None:
    assert detect_format(ONE) == "jats"
    renamed = tmp_path / "article.xml"
    shutil.copy(ONE, renamed)
    assert detect_format(renamed) == "jats"
    assert [path.name for path in expand_sources(tmp_path)] == ["article.xml"]


# -- bad and hostile files ---------------------------------------------------------------------


def test_malformed_xml_is_one_line_and_the_others_build(tmp_path: Path) -> None:
    text = ONE.read_bytes()
    cut = text.index(b"</article-title>")
    broken = tmp_path / "broken.nxml"
    broken.write_bytes(text[:cut] + b"</article-titel>" + text[cut + 16 :])
    shutil.copy(JATS / "PMC1174877.nxml", tmp_path / "good.nxml")
    error = _read_one(broken)
    assert isinstance(error, RecordError)
    line = text[:cut].count(b"\n") + 1
    assert (error.path, error.line, error.field) == (str(broken), line, "xml")
    assert "not well-formed" in error.problem
    assert "\n" not in str(error)
    code, out, err = run_cli("--store", str(tmp_path / "store"), "build", str(tmp_path))
    assert code == 1
    assert "1 built" in out
    assert "1 rejected" in out
    assert str(broken) in err


def test_an_external_entity_is_refused_before_anything_is_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET", encoding="utf-8")
    text = ONE.read_text(encoding="utf-8")
    doctype = f'<!DOCTYPE article [<!ENTITY ext SYSTEM "{secret.as_uri()}">]>'
    hostile = re.sub(r"<!DOCTYPE[^>]*>", doctype, text, count=1).replace(
        "<article-title>", "<article-title>&ext;", 1
    )
    path = tmp_path / "hostile.nxml"
    path.write_text(hostile, encoding="utf-8")
    error = _read_one(path)
    assert isinstance(error, RecordError)
    assert "entity declaration 'ext' refused" in str(error)
    assert "TOP SECRET" not in str(error)
    assert "\n" not in str(error)


@pytest.fixture
def dtd_server() -> Iterator[tuple[str, list[str]]]:
    hits: list[str] = []
    with serve(CountingHandler, hits=hits, body=b'<!ENTITY leak "LEAKED FROM THE DTD">') as base:
        yield f"{base}/article.dtd", hits


def test_the_dtd_a_doctype_names_is_never_fetched(
    tmp_path: Path, dtd_server: tuple[str, list[str]]
) -> None:
    url, hits = dtd_server
    text = ONE.read_text(encoding="utf-8")
    doctype = f'<!DOCTYPE article PUBLIC "-//NLM//DTD JATS (Z39.96)//EN" "{url}">'
    local = re.sub(r"<!DOCTYPE[^>]*>", doctype, text, count=1).replace(
        "<article-title>", "<article-title>&leak;", 1
    )
    path = tmp_path / "remote-dtd.nxml"
    path.write_text(local, encoding="utf-8")
    paper = _read_one(path)
    assert isinstance(paper, PaperRecord)
    assert hits == []
    assert "LEAKED" not in paper.title
    assert paper.title.startswith("Cost-effectiveness")  # the unknown entity is skipped


def test_an_article_without_a_title_is_one_line(tmp_path: Path) -> None:
    text = ONE.read_text(encoding="utf-8")
    path = tmp_path / "untitled.nxml"
    path.write_text(re.sub(r"<article-title>.*?</article-title>", "", text, count=1), "utf-8")
    error = _read_one(path)
    assert isinstance(error, RecordError)
    assert (error.field, error.problem) == ("article-title", "the article has no title")


def test_other_xml_named_nxml_is_not_read_as_an_article(tmp_path: Path) -> None:
    path = tmp_path / "other.nxml"
    path.write_text("<?xml version='1.0'?><layout/>", encoding="utf-8")
    (error,) = list(read_jats(path))
    assert isinstance(error, RecordError)
    assert "root element <layout> is not a JATS <article>" in str(error)


def test_a_huge_article_is_cut_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "huge.nxml"
    front = "<front><article-meta><title-group><article-title>T</article-title></title-group>"
    with path.open("w", encoding="utf-8") as handle:
        handle.write(f"<article>{front}</article-meta></front><body><sec><title>Results</title>")
        handle.write("<p>x</p>" * (MAX_ELEMENTS + 10))
        handle.write("</sec></body></article>")
    paper = _read_one(path)
    assert isinstance(paper, PaperRecord)
    assert [w.message for w in paper.warnings] == [
        f"article cut at {MAX_TEXT_CHARS:,} characters or {MAX_ELEMENTS:,} elements"
    ]
    (results,) = (text for heading, text in paper.extra_sections if heading == "Results")
    assert results.count("x") < MAX_ELEMENTS
