"""The paper-record markdown reader: shared records against ground truth, fixtures, bad input."""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paperkg.errors import RecordError
from paperkg.model import EntityKind, PaperRecord
from paperkg.readers import (
    MAX_ENTITIES,
    MAX_LINE_CHARS,
    MAX_RECORD_BYTES,
    parse_record,
    read_record,
)

SHARED_RECORDS = Path(__file__).resolve().parents[2] / "shared" / "records"
FIXTURES = Path(__file__).resolve().parent / "data" / "records"
MIB = 1024 * 1024


def _ground_truth() -> list[dict[str, Any]]:
    data = json.loads((SHARED_RECORDS / "ground_truth.json").read_text(encoding="utf-8"))
    records: list[dict[str, Any]] = data["records"]
    return records


def _shared(entry: dict[str, Any]) -> Path:
    return SHARED_RECORDS / Path(entry["file"]).name


def _parse(text: str) -> PaperRecord:
    return parse_record(text, source="rec.txt", sha256="0" * 64)


def _error(text: str) -> RecordError:
    with pytest.raises(RecordError) as caught:
        _parse(text)
    return caught.value


def _record(meta: str = "PMC · DOI: 10.1000/xyz · Some Journal · 2020", extra: str = "") -> str:
    return (
        "# A title\n\n**Authors:** Ann One, Bo Two\n\n"
        f"{meta}\n\n## TL;DR\n\nShort.\n{extra}\n---\nSource: https://example.org/x\n"
    )


VALID = [entry for entry in _ground_truth() if entry["record_kind"] == "valid"]


# --- shared records against the ground truth -------------------------------------------------


def test_shared_records_are_all_covered() -> None:
    names = {path.name for path in SHARED_RECORDS.glob("*.txt")}
    assert names == {_shared(entry).name for entry in _ground_truth()}
    assert len(VALID) >= 10


@pytest.mark.parametrize("entry", VALID, ids=[_shared(entry).name for entry in VALID])
def test_shared_record_matches_ground_truth(entry: dict[str, Any]) -> None:
    record = read_record(_shared(entry))
    paper, in_meta = entry["paper"], entry["ids_in_record_meta_line"]
    assert record.sha256 == entry["sha256"]
    assert record.warnings == ()
    assert record.title == paper["title"]
    assert list(record.authors) == paper["authors"]
    # the ground truth knows ids the record does not carry; it lists those the meta line has
    assert record.doi == (in_meta["doi"].lower() if "doi" in in_meta else None)
    assert record.pmid == in_meta.get("pmid")
    assert record.pmcid == paper["pmcid"]
    assert record.date == paper["date"]
    assert record.journal is not None
    assert paper["journal"].startswith(record.journal)
    citation = paper["journal"][len(record.journal) :].strip()
    rebuilt = (record.volume or "") + (f"({record.issue})" if record.issue else "")
    rebuilt += f":{record.pages}" if record.pages else ""
    assert rebuilt == citation
    assert record.tldr
    assert record.contribution
    assert record.abstract
    assert len(record.key_findings) >= 2
    assert record.source_url == entry["source_urls"][0]


@pytest.mark.parametrize("entry", VALID, ids=[_shared(entry).name for entry in VALID])
def test_shared_record_entities_as_written(entry: dict[str, Any]) -> None:
    record = read_record(_shared(entry))
    for section, mentions in (
        ("linked_entities_as_written", record.linked_entities),
        ("fulltext_entities_as_written", record.fulltext_entities),
    ):
        expected = entry[section]
        for kind, key in ((EntityKind.CHEMICAL, "chemicals"), (EntityKind.DISEASE, "diseases")):
            got = [[m.text, m.raw_identifier] for m in mentions if m.kind is kind]
            assert got == expected.get(key, [])
        species = [[m.text, m.identifier] for m in mentions if m.kind is EntityKind.SPECIES]
        assert species == expected.get("species", [])
        assert all(m.section == section.split("_")[0] for m in mentions)
        assert all(m.identifier is None for m in mentions if m.raw_identifier == "-")


def test_original_record_in_detail() -> None:
    record = read_record(SHARED_RECORDS / "000_47468af30908e69c.txt")
    assert record.origin == "PMC"
    assert record.figures_count == 3
    assert record.references_count == 19
    assert record.key_findings[0].startswith("Low-dose naltrexone (4.5 mg/day)")
    assert record.full_text is not None
    assert record.full_text.startswith("_Full body text")
    naltrexone = record.linked_entities[0]
    assert (naltrexone.text, naltrexone.identifier) == ("naltrexone", "pubchem.compound:5360515")
    assert naltrexone.line == 27
    ldn = next(m for m in record.fulltext_entities if m.text == "LDN")
    assert (ldn.identifier, ldn.raw_identifier, ldn.line) == (None, "-", 33)
    human = record.fulltext_entities[-1]
    assert (human.identifier, human.note) == ("NCBITaxon:9606", "human, species")


def test_structured_abstract_keeps_labels_and_paragraphs() -> None:
    record = read_record(SHARED_RECORDS / "026_7fca61e21e0e0b0c.txt")
    assert record.abstract is not None
    paragraphs = record.abstract.split("\n\n")
    assert [p.split(":")[0] for p in paragraphs] == [
        "OBJECTIVE",
        "METHODS",
        "RESULTS",
        "CONCLUSION",
    ]


def test_empty_shared_record_is_rejected() -> None:
    path = SHARED_RECORDS / "006_eaedb9eeedb5cc15.txt"
    with pytest.raises(RecordError) as caught:
        read_record(path)
    assert (caught.value.line, caught.value.field, caught.value.problem) == (
        1,
        "file",
        "empty file",
    )
    assert str(caught.value).startswith(f"{path}:1: file: empty file; ")


def test_record_without_title_is_rejected_at_line_1() -> None:
    with pytest.raises(RecordError) as caught:
        read_record(SHARED_RECORDS / "007_1d81c7a84e89befd.txt")
    assert (caught.value.line, caught.value.field) == (1, "title")
    assert "missing '# Title' heading" in str(caught.value)
    assert "starting with '# '" in caught.value.fix


def test_repeated_sections_are_read_once_with_warnings() -> None:
    record = read_record(SHARED_RECORDS / "034_3c755220f5cfe4e4.txt")
    assert [w.line for w in record.warnings] == [11, 25, 41, 56]
    assert all("repeated" in w.message for w in record.warnings)
    assert record.key_findings[0].startswith("Patients had moderate to severe pain")
    assert len(record.key_findings) == 3
    assert record.abstract is not None
    assert record.abstract.count("Context:") == 1
    assert [m.text for m in record.linked_entities] == ["pregabalin", "gabapentin", "fibromyalgia"]
    assert record.tldr is not None
    assert record.tldr.count("Patients") == 1


# --- fixtures written for these tests --------------------------------------------------------


def _fixture(name: str) -> PaperRecord:
    return read_record(FIXTURES / "valid" / name)


def test_crlf_bom_nbsp_tabs_and_curly_quotes() -> None:
    raw = (FIXTURES / "valid" / "crlf_bom.txt").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in raw
    record = _fixture("crlf_bom.txt")
    assert record.sha256 == hashlib.sha256(raw).hexdigest()
    assert record.title == "A “quoted” title with non-breaking spaces"
    assert record.authors == ("Zoë Example", "José Martínez")
    assert (record.origin, record.doi, record.date) == ("PMC", "10.5555/test.crlf", "2021-02-28")
    assert (record.journal, record.volume, record.issue, record.pages) == (
        "Test Journal",
        "3",
        "2",
        "10-19",
    )
    assert record.linked_entities[0].line == 24
    assert record.warnings == ()


def test_lone_cr_line_endings() -> None:
    record = _fixture("lone_cr.txt")
    assert (record.title, record.pmid, record.date) == ("Old Mac line endings", "1234567", "1999")
    assert record.key_findings == (
        "Testamine 10 mg/day was given to 12 volunteers.",
        "Nobody reported harm.",
    )


def test_windows_1252_bytes_are_read_with_a_warning() -> None:
    raw = (FIXTURES / "valid" / "cp1252.txt").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    record = _fixture("cp1252.txt")
    assert record.sha256 == hashlib.sha256(raw).hexdigest()
    assert record.title == "Café “test” title"
    assert record.authors == ("Renée Dupré", "François Léger")
    assert (record.journal, record.volume, record.pages) == ("Revue d’Essai", "7", "1-9")
    assert record.date == "2018-06"
    assert len(record.warnings) == 1
    assert "Windows-1252" in record.warnings[0].message


def test_unknown_section_is_kept() -> None:
    record = _fixture("unknown_section.txt")
    assert record.extra_sections == (("Trial registration", "Registered as TEST-0001 (invented)."),)
    assert (record.figures_count, record.references_count) == (2, 31)
    assert record.warnings == ()


def test_unknown_identifier_prefix_keeps_the_mention() -> None:
    record = _fixture("unknown_prefix.txt")
    testamine = record.fulltext_entities[0]
    assert (testamine.text, testamine.identifier, testamine.raw_identifier) == (
        "testamine",
        None,
        "FOOBASE:99",
    )
    (warning,) = record.warnings
    assert warning.line == testamine.line == 29
    assert "FOOBASE:99" in warning.message
    assert "MESH:" in warning.message
    mouse = record.fulltext_entities[-1]
    assert (mouse.text, mouse.identifier, mouse.note) == (
        "Mus musculus",
        "NCBITaxon:10090",
        "mouse, species",
    )


def test_middle_dot_inside_a_number_is_not_a_separator() -> None:
    record = _fixture("middle_dot.txt")
    assert record.title == "Testamine 4·5 mg: a dose with a middle dot"
    assert (record.doi, record.journal, record.date) == (
        "10.5555/test.dot",
        "Dose Letters 4·5",
        "2012-12-12",
    )
    assert record.key_findings[0] == "Testamine 4·5 mg/day was given to 12 volunteers."


def test_partial_dates() -> None:
    assert _fixture("date_year.txt").date == "2003"
    month = _fixture("date_month.txt")
    assert month.date == "2004-07"
    assert (month.journal, month.volume, month.issue, month.pages) == (
        "Month Journal",
        "12",
        "3",
        "4-5",
    )


def test_pmid_only_meta_line_without_authors() -> None:
    record = _fixture("pmid_only.txt")
    assert (record.authors, record.origin, record.pmid) == ((), "PubMed", "33333333")
    assert (record.doi, record.journal, record.date) == (None, None, None)
    assert record.pmcid == "PMC7654321"  # from the Source URL


def test_entity_lists_with_commas_and_brackets() -> None:
    record = _fixture("entities_tricky.txt")
    got = [(m.text, m.identifier) for m in record.fulltext_entities]
    assert got == [
        ("2,4-dinitrophenol", "MESH:D019305"),
        ("sodium, potassium and chloride", None),
        ("interleukin-6 (IL-6)", "MESH:D015850"),
        ("vitamin D", "CHEBI:27300"),
        ("caffeine", "pubchem.compound:2519"),
        ("alcohol and opioid dependence", "MESH:D009293"),
        ("pain", "MESH:D010146"),
        ("Homo sapiens", "NCBITaxon:9606"),
    ]
    assert record.pmcid == "PMC1234567"
    assert record.title == "Entity lists with commas, and, brackets"


def test_author_names() -> None:
    assert _fixture("authors_variety.txt").authors == (
        "James Q. Example Jr.",
        "Bjørn Åström",
        "Paul E. Keck, Jr.",
        "Łukasz Żółw",
        "Test Study Group et al.",
    )


@pytest.mark.parametrize(
    ("name", "line", "field", "words"),
    [
        ("bad_doi.txt", 5, "DOI", "malformed DOI '11.abc/x'"),
        ("bad_date.txt", 5, "date", "no such date '2019-02-30'"),
        ("binary_junk.txt", 2, "file", "NUL byte"),
        ("control_junk.txt", 2, "file", "control characters"),
    ],
)
def test_invalid_fixtures_are_rejected(name: str, line: int, field: str, words: str) -> None:
    path = FIXTURES / "invalid" / name
    with pytest.raises(RecordError) as caught:
        read_record(path)
    assert (caught.value.path, caught.value.line, caught.value.field) == (str(path), line, field)
    assert words in caught.value.problem
    assert caught.value.fix


# --- parse_record on inline text -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "field"),
    [
        ("", 1, "file"),
        (" \n\t\n", 1, "file"),
        ("\ufeff", 1, "file"),
        ("\n\n## TL;DR\n\nx\n", 3, "title"),
        ("#\n\ntext\n", 1, "title"),
        ("# T\n\nPubMed · PMID: 12a\n", 3, "PMID"),
        ("# T\n\nPMC · PMCID: PMCX1\n", 3, "PMCID"),
        ("# T\n\nPMC · 2020-13\n", 3, "date"),
        ("# T\n\nPMC · DOI:\n", 3, "DOI"),
        ("# T\n\x00\n", 2, "file"),
    ],
)
def test_bad_text_names_line_and_field(text: str, line: int, field: str) -> None:
    error = _error(text)
    assert (error.path, error.line, error.field) == ("rec.txt", line, field)
    assert error.fix


def test_minimal_record_and_defaults() -> None:
    record = _parse("# Just a title")
    assert record.title == "Just a title"
    assert (record.authors, record.doi, record.abstract, record.entities) == ((), None, None, ())
    assert record.extra_sections == ()
    # a title alone is what a record cut after its first line leaves: read, and flagged
    assert record.incomplete is not None
    assert record.warnings == (record.incomplete,)
    assert _parse("# Just a title\n\n## Abstract\n\nText.\n").warnings == ()


def test_meta_line_variants() -> None:
    record = _parse(
        _record("PubMed · doi: https://doi.org/10.1000/ABC · PMID: 12 · PMCID: 34 · 2020-1-5")
    )
    assert (record.doi, record.pmid, record.pmcid, record.date) == (
        "10.1000/abc",
        "12",
        "PMC34",
        "2020-01-05",
    )
    record = _parse(_record("DOI: 10.1000/x · N Engl J Med 377:2123-2132"))
    assert (record.origin, record.journal, record.volume, record.pages) == (
        None,
        "N Engl J Med",
        "377",
        "2123-2132",
    )
    record = _parse(_record("Preprint · Journal 2 · extra bit"))
    assert (record.journal, record.volume) == ("Journal 2", None)
    assert [w.line for w in record.warnings] == [5]


def test_header_and_trailer_oddities_are_warnings() -> None:
    text = (
        "# T ##\n\nstray line\n**Authors:** A\n**Authors:** B\n\n"
        "## TL;DR\nx\n---\nSource: u\nNote: y\n"
    )
    record = _parse(text)
    assert (record.title, record.authors, record.source_url) == ("T", ("A",), "u")
    # 3 stray line, 5 second Authors, 10 a Source that is no web address, 11 Note
    assert [w.line for w in record.warnings] == [3, 5, 10, 11]
    assert _parse("# C#\n").title == "C#"


def test_section_headings_are_matched_loosely() -> None:
    text = (
        "# T\n##Abstract:\n\nOne\nline.\n\nTwo.\n### sub\n"
        "## KEY FINDINGS\n* a\n  wrapped\n1. b\n## \n x\n"
    )
    record = _parse(text)
    assert record.abstract == "One line.\n\nTwo. ### sub"
    assert record.key_findings == ("a wrapped", "b")
    assert record.extra_sections == (("", "x"),)


def test_entity_oddities_warn_and_keep_going() -> None:
    text = (
        "# T\n## Linked entities\n- **Chemicals:** a (MESH:D000001) and b (PubChem CID 7).\n"
        "- **Mutations:** V600E (-)\n\nnot a bullet\n- **Diseases:** c (MESH:D000002, d (x)\n"
        "- **Diseases:** (MONDO:0000001), e (unknown 12)\n"
    )
    record = _parse(text)
    got = [(m.text, m.kind, m.identifier, m.line) for m in record.linked_entities]
    assert got[:3] == [
        ("a", EntityKind.CHEMICAL, "MESH:D000001", 3),
        ("b", EntityKind.CHEMICAL, "pubchem.compound:7", 3),
        ("V600E", EntityKind.OTHER, None, 4),
    ]
    assert got[-1] == ("e", EntityKind.DISEASE, None, 8)
    # unknown kind, not a bullet, unbalanced brackets, identifier without name, unknown identifier
    assert [w.line for w in record.warnings] == [4, 6, 7, 8, 8]
    assert "unbalanced" in record.warnings[2].message


def test_a_few_control_characters_become_spaces() -> None:
    record = _parse("# Ti\x07tle\n" + "word " * 100)
    assert record.title == "Ti tle"
    assert record.warnings[0].line == 1


def test_read_record_errors() -> None:
    with tempfile.TemporaryDirectory() as folder:
        with pytest.raises(RecordError) as caught:
            read_record(Path(folder) / "missing.txt")
        assert (caught.value.line, caught.value.field) == (0, "file")
        with pytest.raises(RecordError):
            read_record(folder)
        big = Path(folder) / "big.txt"
        big.write_bytes(b"# T\n" + b"x" * MAX_RECORD_BYTES)
        with pytest.raises(RecordError) as caught:
            read_record(big)
        assert caught.value.field == "file"
        assert "16 MiB" in caught.value.problem


def test_utf16_with_byte_order_mark() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "u16.txt"
        path.write_bytes("\ufeff# Zoë\n".encode("utf-16-le"))
        record = read_record(path)
    assert record.title == "Zoë"
    assert "UTF-16" in record.warnings[0].message


# --- bounded time on hostile input -----------------------------------------------------------


def _big_record() -> str:
    line = "word " * (MIB // 5)
    return (
        "# " + "Long title " * (MIB // 11) + "\n\n**Authors:** " + "A Name, " * (MIB // 8) + "\n\n"
        "PMC · DOI: 10.1000/big · "
        + "J" * MIB
        + " · 2020\n\n## Abstract\n\n"
        + (line + "\n") * 3
        + "\n## Full text\n\n"
        + (line + "\n\n") * 6
        + "## Linked entities\n\n- **Chemicals:** "
        + "x (MESH:D000001), " * 10000
        + "\n---\nSource: https://example.org/PMC1\n"
    )


HOSTILE = {
    "spaces": "# T\n\nPMC" + " " * (8 * MIB) + "x\n",
    "dashes": "# T\n" + "-" * (6 * MIB) + "x\n",
    "hashes": "# T\n" + "#" * (6 * MIB) + "\n##" + " \t" * (3 * MIB),
    "stars": "# T\n" + "*" * (6 * MIB) + "\n**Authors:**" + " " * (5 * MIB),
    "blank lines": "# T\n" + "\n" * (12 * MIB),
    "short lines": "# T\n" + "a\n" * (6 * MIB),
    "bullets": "# T\n## Key findings\n" + "- a\n" * (3 * MIB),
    "dots": "# T\n\nPMC" + " · 4·5" * (2 * MIB),
    "sections": "# T\n" + "## a\n" * (2 * MIB),
    "brackets": "# T\n## Linked entities\n- **Chemicals:** " + "(" * MIB + ")" * MIB,
    "digits": "# T\n\nPMC · J " + "1" * (6 * MIB) + ":" + "2" * MIB + "x",
}


def test_twelve_mebibyte_record_parses_quickly() -> None:
    text = _big_record()
    assert len(text) > 12 * MIB
    started = time.perf_counter()
    record = _parse(text)
    assert time.perf_counter() - started < 3.0
    assert len(record.authors) == MIB // 8
    assert len(record.linked_entities) == 10000
    assert record.journal == "J" * MIB
    assert record.pmcid == "PMC1"


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_input_is_handled_in_bounded_time(name: str) -> None:
    started = time.perf_counter()
    _check_outcome(_outcome(HOSTILE[name]))
    assert time.perf_counter() - started < 2.0


# --- properties: never another exception ---------------------------------------------------

FRAGMENTS = [
    "# Title",
    "## Abstract",
    "## Linked entities",
    "## Full-text entities",
    "## Key findings",
    "## Figures",
    "**Authors:** A, B, Jr.",
    "PMC · DOI: 10.1000/x · J 1(2):3-4 · 2020-02-29",
    "PubMed · PMID: 1",
    "- **Chemicals:** a (MESH:D000001), b (-), c [taxon 1]",
    "- **Diseases:** (x), ((y], z (FOO:1) and",
    "---",
    "Source: https://example.org/PMC9",
    "3 figures",
    "\r",
    "\ufeff",
]


def _outcome(text: str) -> PaperRecord | RecordError:
    try:
        return _parse(text)
    except RecordError as error:
        return error


def _check_outcome(result: PaperRecord | RecordError) -> None:
    """Either a record with a real title, or an error that says where and how to fix."""
    if isinstance(result, RecordError):
        assert result.field
        assert result.fix
        assert result.line >= 0
    else:
        assert result.title
        assert not re.match(r"\s", result.title)
        assert all(m.section in ("linked", "fulltext") for m in result.entities)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_text_gives_a_record_or_a_record_error(text: str) -> None:
    _check_outcome(_outcome(text))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=30), max_size=25))
def test_record_like_text_gives_a_record_or_a_record_error(lines: list[str]) -> None:
    _check_outcome(_outcome("\n".join(lines)))


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=2000))
def test_any_bytes_give_a_record_or_a_record_error(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "record.txt"
    path.write_bytes(data)
    try:
        result: PaperRecord | RecordError = read_record(path)
    except RecordError as error:
        result = error
    _check_outcome(result)
    if isinstance(result, RecordError):
        assert result.path == str(path)
    else:
        assert result.sha256 == hashlib.sha256(data).hexdigest()


def test_a_composite_identifier_gives_one_mention_per_concept() -> None:
    """``name (MESH:D006526|D015658)`` as PubTator writes it: two concepts, both with the name;
    the prefix of the first identifier carries over to the bare ones.
    """
    text = _record(
        extra="## Full-text entities\n\n"
        "- **Diseases:** HCV/HIV co-infected (MESH:D006526|D015658), HIV (MESH:D015658)\n"
    )
    mentions = [(m.text, m.identifier) for m in _parse(text).fulltext_entities]
    assert mentions == [
        ("HCV/HIV co-infected", "MESH:D006526"),
        ("HCV/HIV co-infected", "MESH:D015658"),
        ("HIV", "MESH:D015658"),
    ]


# --- limits: exact, wherever the long line falls ------------------------------------------------


@pytest.mark.parametrize("before", [0, 1, 7, MAX_LINE_CHARS // 2 - 3, MAX_LINE_CHARS // 2 + 5])
def test_the_line_length_limit_is_exact(before: int) -> None:
    head = "# T\n\n## Abstract\n\n" + "w" * before + "\n"
    line = head.count("\n") + 1
    for end in ("\n---\nSource: https://example.org/x\n", ""):
        assert _parse(head + "y" * MAX_LINE_CHARS + end).abstract
        error = _error(head + "y" * (MAX_LINE_CHARS + 1) + end)
        assert (error.line, error.field) == (line, "file")
        assert f"line longer than {MAX_LINE_CHARS:,} characters" in str(error)


def test_the_entity_limit_counts_both_sections() -> None:
    half = MAX_ENTITIES // 2
    names = ", ".join(f"c{i} (-)" for i in range(half))
    text = f"# T\n\n## Linked entities\n\n- **Chemicals:** {names}\n"
    text += f"\n## Full-text entities\n\n- **Chemicals:** {names}\n"
    assert len(_parse(text).entities) == MAX_ENTITIES
    error = _error(text + ", extra (-)\n")
    assert (error.line, error.field) == (text.count("\n"), "Full-text entities")
    assert f"more than {MAX_ENTITIES:,} entity mentions" in error.problem
