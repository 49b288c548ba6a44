"""BioC reader: the BC5CDR BioC XML sample against its PubTator twin, JSON, hostile XML."""

from __future__ import annotations

import hashlib
import json
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperkg.errors import RecordError
from paperkg.model import EntityKind, EntityMention, PaperRecord, Relation
from paperkg.readers.bioc import iter_bioc_json, iter_bioc_xml, read_bioc
from paperkg.readers.pubtator import read_pubtator

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"
BIOC_XML = CORPORA / "bc5cdr" / "CDR_TrainingSet.first50.BioC.xml"
PUBTATOR = CORPORA / "bc5cdr" / "CDR_TrainingSet.first300.PubTator.txt"
FIXTURES = Path(__file__).resolve().parent / "data" / "corpora"


def records_only(results: list[PaperRecord | RecordError]) -> list[PaperRecord]:
    assert [r for r in results if isinstance(r, RecordError)] == []
    return [r for r in results if isinstance(r, PaperRecord)]


def mention_key(mention: EntityMention) -> tuple[str, str, str | None, str, str]:
    return (mention.text, mention.kind, mention.identifier, mention.raw_identifier, mention.section)


@pytest.fixture(scope="module")
def xml_records() -> list[PaperRecord]:
    return records_only(read_bioc(BIOC_XML))


@pytest.fixture(scope="module")
def pubtator_records() -> dict[str, PaperRecord]:
    records = records_only(read_pubtator(PUBTATOR))
    return {record.pmid or "": record for record in records}


def test_bioc_xml_sample_matches_its_pubtator_twin(
    xml_records: list[PaperRecord], pubtator_records: dict[str, PaperRecord]
) -> None:
    assert len(xml_records) == 50
    first_50 = list(pubtator_records)[:50]
    assert [record.pmid for record in xml_records] == first_50
    for record in xml_records:
        twin = pubtator_records[record.pmid or ""]
        assert len(record.annotations) == len(twin.annotations), record.pmid
        assert len(record.relations) == len(twin.relations), record.pmid
        assert (record.title, record.abstract) == (twin.title, twin.abstract)
        assert record.annotations == twin.annotations
        assert record.relations == twin.relations
        assert [mention_key(m) for m in record.fulltext_entities] == [
            mention_key(m) for m in twin.fulltext_entities
        ]
    assert sum(len(r.annotations) for r in xml_records) == 751
    assert sum(len(r.relations) for r in xml_records) == 98


def test_bioc_xml_fields_offsets_and_lines(xml_records: list[PaperRecord]) -> None:
    digest = hashlib.sha256(BIOC_XML.read_bytes()).hexdigest()
    assert {(r.source, r.sha256, r.source_format) for r in xml_records} == {
        (str(BIOC_XML), digest, "bioc-xml")
    }
    for record in xml_records:
        text = record.title + " " + (record.abstract or "")
        assert all(text[a.start : a.end] == a.text for a in record.annotations)
        assert record.warnings == ()
    first = xml_records[0]
    assert first.relations == (Relation("CID", "MESH:D008750", "MESH:D007022"),)
    lines = BIOC_XML.read_text(encoding="utf-8").split("\n")
    assert lines[first.fulltext_entities[0].line - 1].startswith("<annotation id='0'>")


def test_individual_mentions_of_composites_are_not_repeated(
    xml_records: list[PaperRecord],
) -> None:
    record = next(r for r in xml_records if r.pmid == "2234245")
    composite = [a for a in record.annotations if a.start == 0]
    assert [(a.text, a.identifiers) for a in composite] == [
        ("Ocular and auditory toxicity", ("MESH:D014786", "MESH:D006311"))
    ]


def bioc_json(element: ET.Element) -> dict[str, Any]:
    """The BioC JSON form of a BioC XML collection, as the bioc library writes it."""

    def infons(node: ET.Element) -> dict[str, str]:
        return {i.get("key", ""): i.text or "" for i in node.findall("infon")}

    def annotation(node: ET.Element) -> dict[str, Any]:
        return {
            "id": node.get("id"),
            "infons": infons(node),
            "text": node.findtext("text"),
            "locations": [
                {"offset": int(loc.get("offset", "")), "length": int(loc.get("length", ""))}
                for loc in node.findall("location")
            ],
        }

    return {
        "source": element.findtext("source"),
        "documents": [
            {
                "id": doc.findtext("id"),
                "infons": {},
                "passages": [
                    {
                        "offset": int(passage.findtext("offset") or 0),
                        "infons": infons(passage),
                        "text": passage.findtext("text"),
                        "annotations": [annotation(a) for a in passage.findall("annotation")],
                        "relations": [],
                    }
                    for passage in doc.findall("passage")
                ],
                "relations": [
                    {"id": rel.get("id"), "infons": infons(rel), "nodes": []}
                    for rel in doc.findall("relation")
                ],
            }
            for doc in element.findall("document")
        ],
    }


def test_bioc_json_of_the_sample_gives_the_same_records(
    xml_records: list[PaperRecord], tmp_path: Path
) -> None:
    collection = bioc_json(ET.fromstring(BIOC_XML.read_bytes()))
    path = tmp_path / "sample.json"
    path.write_text(json.dumps(collection, indent=1), encoding="utf-8")
    records = records_only(read_bioc(path))
    assert [r.source_format for r in records] == ["bioc-json"] * 50
    for got, want in zip(records, xml_records, strict=True):
        assert (got.pmid, got.title, got.abstract) == (want.pmid, want.title, want.abstract)
        assert (got.annotations, got.relations) == (want.annotations, want.relations)


def test_bioc_json_fixture() -> None:
    path = FIXTURES / "sample.BioC.json"
    first, second = records_only(read_bioc(path))
    lines = path.read_text(encoding="utf-8").split("\n")
    opening = [n for n, line in enumerate(lines) if '"id": "354896"' in line]
    assert first.fulltext_entities[0].line == opening[0]  # the line of the document's '{'
    assert first.pmid == "354896"
    assert [(a.text, a.identifiers) for a in first.annotations][3:] == [
        ("ocular and auditory toxicity", ("MESH:D014786", "MESH:D006311")),
        ("bradyarrhythmias", ()),
    ]
    assert first.relations == (Relation("CID", "MESH:D008012", "MESH:D006323"),)
    assert (second.pmid, second.pmcid) == (None, "PMC1234567")
    assert second.abstract == "Gabapentin binds CACNA2D1 protein. No adverse events in humans."
    text = second.title + " " + (second.abstract or "")
    assert [text[a.start : a.end] for a in second.annotations] == [
        "Gabapentin",
        "migraine",
        "humans",
        "CACNA2D1",
        "humans",
    ]
    assert [(a.kind, a.identifiers) for a in second.annotations][2:4] == [
        (EntityKind.SPECIES, ("NCBITaxon:9606",)),
        (EntityKind.GENE, ("NCBIGene:781",)),
    ]
    assert second.relations == (
        Relation("Association", "MESH:C040029", "MESH:D008881"),
        Relation("Treat", "MESH:C040029", "MESH:D008881"),
    )
    assert [w.message for w in second.warnings] == [
        "1 annotation(s) outside the title and abstract skipped"
    ]


def json_run(data: bytes) -> list[PaperRecord | RecordError]:
    return list(iter_bioc_json(data, source="mem.json", sha256="0" * 64))


def xml_run(data: bytes) -> list[PaperRecord | RecordError]:
    return list(iter_bioc_xml(data, source="mem.xml", sha256="0" * 64))


def test_bioc_json_shapes_and_bad_documents() -> None:
    doc = {"id": "7", "passages": [{"offset": 0, "infons": {"type": "title"}, "text": "T"}]}
    bad = {"id": "8", "passages": "not a list"}
    lines = "\n".join(
        json.dumps(x) for x in ({"documents": [doc, bad]}, doc, [doc], {"PubTator3": [doc]})
    )
    results = json_run(lines.encode())
    assert [type(r).__name__ for r in results] == [
        "PaperRecord",
        "RecordError",
        *["PaperRecord"] * 3,
    ]
    error = results[1]
    assert isinstance(error, RecordError)
    assert (error.field, error.line) == ("passages", 1)
    assert [r.line for r in results if isinstance(r, RecordError)] == [1]
    untitled = json_run(json.dumps({"documents": [{"id": "9", "passages": []}]}).encode())
    assert [(r.field, r.line) for r in untitled if isinstance(r, RecordError)] == [("title", 1)]
    assert json_run(b'{"documents": []}') == []
    for not_bioc in (b"", b"not json", b'{"a": 1}', b"[1, 2", b"\xff\xfe{", b"[" * 100_000):
        with pytest.raises(RecordError) as raised:
            json_run(not_bioc)
        assert raised.value.field == "file"


def test_billion_laughs_is_refused_quickly() -> None:
    started = time.perf_counter()
    with pytest.raises(RecordError) as raised:
        read_bioc(FIXTURES / "billion_laughs.BioC.xml")
    assert time.perf_counter() - started < 1.0
    assert raised.value.field == "file"
    assert "entity declaration" in raised.value.problem


def test_external_entities_are_refused_and_the_dtd_is_not_loaded() -> None:
    xxe = b'<?xml version="1.0"?><!DOCTYPE collection [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    with pytest.raises(RecordError, match="entity declaration"):
        xml_run(xxe + b"<collection><document><id>1</id></document></collection>")
    dtd = b"<!DOCTYPE collection SYSTEM 'http://127.0.0.1:9/BioC.dtd'>"
    body = b"<collection><document><id>1</id><passage><infon key='type'>title</infon>"
    body += b"<offset>0</offset><text>T &amp; U</text></passage></document></collection>"
    (record,) = xml_run(dtd + body)
    assert isinstance(record, PaperRecord)
    assert record.title == "T & U"


def test_truncated_xml_keeps_the_documents_before() -> None:
    path = FIXTURES / "truncated.BioC.xml"
    lines = path.read_text(encoding="utf-8").split("\n")
    starts = [number for number, line in enumerate(lines, 1) if line == "<document>"]
    results = read_bioc(path)
    assert [type(r).__name__ for r in results] == ["PaperRecord", "RecordError", "RecordError"]
    record, untitled, broken = results
    assert isinstance(record, PaperRecord)
    assert record.annotations[0].identifiers == ("MESH:D008012",)
    assert isinstance(untitled, RecordError)
    assert (untitled.field, untitled.line) == ("title", starts[1])
    assert isinstance(broken, RecordError)
    assert broken.field == "xml"


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"plain text",
        b"<html><body/></html>",
        b"<collection><document>",
        "<a>é</a>".encode("latin-1"),
    ],
)
def test_files_that_are_not_bioc_xml_raise(data: bytes) -> None:
    with pytest.raises(RecordError) as raised:
        xml_run(data)
    assert raised.value.field == "file"


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_give_records_or_record_errors(data: bytes) -> None:
    for run in (xml_run, json_run):
        try:
            results = run(data)
        except RecordError:
            continue
        assert all(isinstance(r, PaperRecord | RecordError) for r in results)


SAMPLE_HEAD = BIOC_XML.read_bytes()[:6000]
SAMPLE_JSON = (FIXTURES / "sample.BioC.json").read_bytes()


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_damaged_samples_give_records_or_record_errors(data: st.DataObject) -> None:
    for sample, run in ((SAMPLE_HEAD, xml_run), (SAMPLE_JSON, json_run)):
        start = data.draw(st.integers(0, len(sample)))
        end = data.draw(st.integers(start, min(len(sample), start + 40)))
        insert = data.draw(
            st.sampled_from([b"", b"<", b'"', b"-1", b"{}", b"[]", b"9" * 20, b"\xff"])
        )
        try:
            results = run(sample[:start] + insert + sample[end:])
        except RecordError:
            continue
        assert all(isinstance(r, PaperRecord | RecordError) for r in results)


def test_an_unknown_xml_encoding_is_a_record_error() -> None:
    # found by the damaged-samples property test: expat raised LookupError
    data = b'<?xml version="1.0" encoding="TF-8"?><collection></collection>'
    with pytest.raises(RecordError, match="unknown encoding"):
        list(iter_bioc_xml(data, source="x.xml", sha256="0" * 64))
