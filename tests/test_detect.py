"""Format detection by content, read_records dispatch, and expand_sources over data files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperkg.errors import RecordError
from paperkg.model import PaperRecord
from paperkg.readers import (
    DATA_SUFFIXES,
    FORMATS,
    SCHEMA_ID,
    UnknownFormatError,
    detect_format,
    expand_sources,
    iter_jsonl,
    read_record,
    read_records,
)
from paperkg.readers.bioc import read_bioc
from paperkg.readers.detect import SNIFF_BYTES, detect_text
from paperkg.readers.pubtator import read_pubtator

from conftest import DATA, SHARED

CORPORA = SHARED / "corpora"
PUBTATOR = CORPORA / "bc5cdr" / "CDR_TrainingSet.first300.PubTator.txt"
NCBI = CORPORA / "ncbi_disease" / "NCBItestset_corpus.txt"
BIOC_XML = CORPORA / "bc5cdr" / "CDR_TrainingSet.first50.BioC.xml"
BIOC_JSON = DATA / "corpora" / "sample.BioC.json"
EXAMPLE = DATA / "jsonl" / "example.jsonl"
MIXED = DATA / "jsonl" / "mixed.jsonl"
RECORD = SHARED / "records" / "000_47468af30908e69c.txt"
LONG_TITLE = "x" * (2 * SNIFF_BYTES)


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ("# Title\n\n**Authors:** A\n", "markdown"),
        ("", "markdown"),
        ("   \n\t\n", "markdown"),
        ("Plain words only", "markdown"),
        ("123|t|Title\n123|a|Abstract\n", "pubtator"),
        ("\n\n  42|a|Abstract first\n", "pubtator"),
        ("123|x|not a PubTator line\n", "markdown"),
        ("# 123|t|a heading\n", "markdown"),
        (
            "<?xml version='1.0' encoding='UTF-8'?><!DOCTYPE collection SYSTEM 'BioC.dtd'>",
            "bioc-xml",
        ),
        ('<!DOCTYPE collection SYSTEM "BioC.dtd">\n<collection>', "bioc-xml"),
        ("\n<collection>\n<source>PubTator</source>", "bioc-xml"),
        ("<html><body>not BioC</body></html>", "markdown"),
        ('{"source": "PubTator", "date": "", "documents": [{"id": "1"}]}', "bioc-json"),
        ('{\n  "source": "PMC",\n  "infons": {},\n  "documents": [\n', "bioc-json"),
        ('{"PubTator3": [{"id": "1", "passages": []}]}', "bioc-json"),
        ('{"title": "A paper"}\n{"title": "Another"}\n', "jsonl"),
        (f'{{"schema": "{SCHEMA_ID}", "source": "a", "abstract": "{LONG_TITLE}', "jsonl"),
        (f'{{"abstract": "{LONG_TITLE}", "title": "late"}}', "markdown"),  # title beyond the head
        ('{"pmid": "1", "title": "A \\"quoted\\" title"}', "jsonl"),
        ('{"title": "x", "nested": {"documents": []}}\n', "jsonl"),
        ('{"nested": {"title": "x"}}\n', "markdown"),
        ('{"tags": ["title", "documents"]}\n', "markdown"),
        ('{\n  "title": "pretty-printed, so not JSON Lines"\n}\n', "markdown"),
        ('{"schema": "https://example.org/other", "pmid": "1"}\n', "markdown"),
        ('[{"title": "an array"}]', "markdown"),
        ("\ufeff# Title with BOM\n", "markdown"),
        ('\ufeff{"title": "BOM"}\n', "jsonl"),
        ("# T\x00binary", "markdown"),
    ],
)
def test_detect_text(head: str, expected: str) -> None:
    assert detect_text(head[:SNIFF_BYTES]) == expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (PUBTATOR, "pubtator"),
        (NCBI, "pubtator"),
        (BIOC_XML, "bioc-xml"),
        (BIOC_JSON, "bioc-json"),
        (EXAMPLE, "jsonl"),
        (MIXED, "jsonl"),
        (RECORD, "markdown"),
        (SHARED / "records" / "ground_truth.json", "markdown"),
    ],
)
def test_detect_format_on_real_files(path: Path, expected: str) -> None:
    assert detect_format(path) == expected


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\xff\xfe" + "123|t|UTF-16 title\n".encode("utf-16-le"), "pubtator"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "markdown"),
        (b"PK\x03\x04\x14\x00\x00\x00", "markdown"),
        (b'{"title": "caf\xe9"}\n', "jsonl"),  # not UTF-8: the JSONL reader says so
        (b"", "markdown"),
    ],
)
def test_detect_format_on_bytes(tmp_path: Path, data: bytes, expected: str) -> None:
    path = tmp_path / "file.bin"
    path.write_bytes(data)
    assert detect_format(path) == expected


def test_detect_reads_only_the_head(tmp_path: Path) -> None:
    path = tmp_path / "long.jsonl"
    path.write_text(
        f'{{"schema": "{SCHEMA_ID}", "title": "T", "full_text": "{"y" * 10**6}"}}\n',
        encoding="utf-8",
    )
    assert detect_format(path) == "jsonl"


def test_detect_format_of_a_missing_file_is_a_record_error(tmp_path: Path) -> None:
    with pytest.raises(RecordError) as caught:
        detect_format(tmp_path / "missing")
    assert (caught.value.line, caught.value.field) == (0, "file")


@given(st.text(max_size=300))
def test_detect_text_always_names_a_format(head: str) -> None:
    assert detect_text(head) in FORMATS


@given(st.binary(max_size=300))
@settings(max_examples=200)
def test_detect_format_never_fails_on_bytes(data: bytes) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "f")
        path.write_bytes(data)
        assert detect_format(path) in FORMATS


# -- read_records ----------------------------------------------------------------------------------


def test_formats() -> None:
    assert FORMATS == (
        "markdown",
        "pubtator",
        "bioc-xml",
        "bioc-json",
        "jsonl",
        "pubmed-xml",
        "medline",
        "jats",
    )


def test_markdown_gives_one_record() -> None:
    assert list(read_records(RECORD)) == [read_record(RECORD)]
    assert list(read_records(RECORD, "markdown")) == [read_record(RECORD)]


def test_read_record_reads_the_one_record_of_any_format(tmp_path: Path) -> None:
    one = tmp_path / "one.jsonl"
    one.write_text(MIXED.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    (expected,) = read_records(one)
    assert read_record(one) == expected
    assert read_record(one, "jsonl") == expected
    with pytest.raises(RecordError) as caught:
        read_record(PUBTATOR)  # many records: read_records is the reader for those
    assert (caught.value.field, caught.value.problem) == ("file", "holds more than one record")
    with pytest.raises(RecordError) as caught:
        read_record(MIXED, "jsonl")  # the first line is fine, the second is not read
    assert caught.value.problem == "holds more than one record"
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n", encoding="utf-8")
    with pytest.raises(RecordError):
        read_record(empty, "jsonl")


def test_a_markdown_error_is_yielded_not_raised() -> None:
    (error,) = read_records(SHARED / "records" / "006_eaedb9eeedb5cc15.txt")
    assert isinstance(error, RecordError)
    assert error.problem == "empty file"


def test_a_missing_file_is_yielded(tmp_path: Path) -> None:
    (error,) = read_records(tmp_path / "missing.txt")
    assert isinstance(error, RecordError)
    assert error.field == "file"


def test_jsonl_gives_every_line() -> None:
    items = list(read_records(MIXED))
    assert list(map(str, items)) == list(map(str, iter_jsonl(MIXED)))
    assert [type(item).__name__ for item in items] == [
        "PaperRecord",
        "RecordError",
        "PaperRecord",
        "RecordError",
        "PaperRecord",
    ]
    assert [item.line for item in items if isinstance(item, RecordError)] == [3, 5]
    sources = [item.source for item in items if isinstance(item, PaperRecord)]
    assert sources == [f"{MIXED}:1", f"{MIXED}:4", "elsewhere.txt"]


def test_pubtator_and_bioc_are_dispatched_to_their_readers() -> None:
    assert list(read_records(PUBTATOR)) == read_pubtator(PUBTATOR)
    assert list(read_records(BIOC_XML)) == read_bioc(BIOC_XML)
    assert list(read_records(BIOC_JSON)) == read_bioc(BIOC_JSON)
    records = [item for item in read_records(BIOC_XML) if isinstance(item, PaperRecord)]
    assert len(records) == 50
    assert {record.source_format for record in records} == {"bioc-xml"}


def test_a_given_format_overrides_detection(tmp_path: Path) -> None:
    path = tmp_path / "odd.txt"
    path.write_text('{"title": "JSON but read as markdown"}\n', encoding="utf-8")
    (error,) = read_records(path, "markdown")
    assert isinstance(error, RecordError)
    assert error.field == "title"
    (record,) = read_records(path, "jsonl")
    assert isinstance(record, PaperRecord)


@pytest.mark.parametrize("fmt", ["md", "BioC", "json", ""])
def test_an_unknown_format_raises_at_once_naming_the_choices(fmt: str) -> None:
    with pytest.raises(UnknownFormatError) as caught:
        read_records("does-not-matter.txt", fmt)  # raised before iteration
    assert isinstance(caught.value, RecordError)
    assert isinstance(caught.value, ValueError)
    assert caught.value.field == "format"
    assert all(name in caught.value.fix for name in FORMATS)


# -- expand_sources --------------------------------------------------------------------------------


def _folder(root: Path) -> Path:
    files = {
        "a.md": "# A\n",
        "b.txt": "1|t|PubTator in a .txt\n",
        "c.jsonl": '{"title": "C"}\n',
        "d.pubtator": "4|t|D\n4|a|abstract\n",
        "e.BioC.xml": "<?xml version='1.0'?><collection><source>x</source></collection>",
        "f.BioC.json": '{"source": "x", "documents": []}',
        "g.json": '{"title": "a JSON Lines file named .json"}\n',
        "settings.json": '{\n  "colour": "blue"\n}\n',
        "ground_truth.json": json.dumps({"records": [{"title": "not a record"}]}, indent=1),
        "layout.xml": "<layout><page/></layout>",
        "article.xml": (
            '<?xml version="1.0"?>\n<!DOCTYPE article>\n<article><front><article-meta>'
            "<title-group><article-title>J</article-title></title-group>"
            "</article-meta></front></article>"
        ),
        "bioc-late.xml": "<?xml version='1.0'?>\n<!-- BioC -->\n<collection><source/></collection>",
        "notes.csv": "a,b\n",
        "README.md": "# readme\n",
        "sub/h.jsonl": '{"title": "H"}\n',
        ".hidden/i.jsonl": '{"title": "I"}\n',
    }
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def _names(paths: list[Path], root: Path) -> list[str]:
    return [path.relative_to(root).as_posix() for path in paths]


def test_folders_give_data_files_but_only_bioc_or_jsonl_json_and_xml(tmp_path: Path) -> None:
    root = _folder(tmp_path)
    expected = [
        "a.md",
        "article.xml",
        "b.txt",
        "bioc-late.xml",
        "c.jsonl",
        "d.pubtator",
        "e.BioC.xml",
        "f.BioC.json",
        "g.json",
        "sub/h.jsonl",
    ]
    assert _names(expand_sources(root), root) == expected
    assert _names(expand_sources([f"{root}/*"]), root) == expected
    assert set(DATA_SUFFIXES) == {".jsonl", ".pubtator", ".json", ".xml", ".nxml", ".gz", ".nbib"}


def test_data_files_named_directly_are_always_taken(tmp_path: Path) -> None:
    root = _folder(tmp_path)
    named = [root / "settings.json", root / "layout.xml", root / "c.jsonl", root / "c.jsonl"]
    assert _names(expand_sources(named), root) == ["c.jsonl", "layout.xml", "settings.json"]


def test_explicit_suffixes_are_used_as_given(tmp_path: Path) -> None:
    root = _folder(tmp_path)
    assert _names(expand_sources([root], suffixes=[".json"]), root) == [
        "f.BioC.json",
        "g.json",
        "ground_truth.json",
        "settings.json",
    ]


def test_a_folder_with_only_other_json_is_still_an_error(tmp_path: Path) -> None:
    (tmp_path / "settings.json").write_text('{"a": 1}', encoding="utf-8")
    with pytest.raises(RecordError) as caught:
        expand_sources([tmp_path])
    assert caught.value.problem.startswith("folder holds no record files")


def test_the_shared_records_folder_does_not_give_its_ground_truth(shared_records: Path) -> None:
    found = expand_sources([shared_records])
    assert [path.suffix for path in found] == [".txt"] * len(found)
    assert len(found) == len(list(shared_records.glob("*.txt")))


def test_every_file_of_a_mixed_folder_reads(tmp_path: Path) -> None:
    root = _folder(tmp_path)
    titles = []
    for path in expand_sources(root):
        for item in read_records(path):
            assert isinstance(item, PaperRecord), item
            titles.append(item.title)
    assert "C" in titles
    assert "H" in titles
    assert "PubTator in a .txt" in titles
    assert "J" in titles  # a JATS article (PMC full text)
