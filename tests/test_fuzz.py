"""Fuzzing the readers that had no fuzzer (PubMed XML, MEDLINE text, JATS) and every reader on
damaged real files, then the mapping and the export of whatever was read; the inputs and checks
are in ``fuzzing.py``, shared with the long run (``fuzz/run.py``). Also the faults the long run
found, each with the input that found it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fuzzing
from paperkg.errors import ExportError
from paperkg.export import EXPORT_FORMATS, export_store
from paperkg.mapping import map_record
from paperkg.model import PaperRecord
from paperkg.readers import SCHEMA_ID, read_items
from paperkg.store import PaperStore

FORMATS = tuple(EXPORT_FORMATS)

_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,  # the same examples on every run: CI stays reproducible
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.parametrize("fmt", ["pubmed-xml", "medline", "jats"])
def test_any_bytes_give_records_or_one_line_errors(fmt: str, tmp_path: Path) -> None:
    @settings(_SETTINGS, max_examples=150)
    @given(st.binary(max_size=600))
    def check(data: bytes) -> None:
        fuzzing.reader_target(fmt, export=False)(data, tmp_path)

    check()


@pytest.mark.parametrize("fmt", list(fuzzing.SUFFIX))
def test_damaged_files_read_map_and_export_to_parseable_rdf(fmt: str, tmp_path: Path) -> None:
    @_SETTINGS
    @given(fuzzing.damaged(fmt))
    def check(data: bytes) -> None:
        fuzzing.reader_target(fmt, export=True, formats=FORMATS)(data, tmp_path)

    check()


def test_hostile_text_in_records_always_gives_parseable_rdf(tmp_path: Path) -> None:
    @_SETTINGS
    @given(fuzzing.hostile_jsonl())
    def check(data: bytes) -> None:
        fuzzing.reader_target("jsonl", export=True, formats=FORMATS)(data, tmp_path)

    check()


def test_the_seeds_are_read_whole(tmp_path: Path) -> None:
    """Undamaged, every seed gives records: the fuzzers start from files the readers take."""
    for fmt, files in fuzzing.seeds().items():
        assert files, fmt
        taken = [fuzzing.reader_target(fmt, export=False)(data, tmp_path) for data in files]
        assert sum(taken) >= len(files) - 2, (fmt, taken)


# --- what the long run found (fuzz/README.md) -------------------------------------------------


def _record(tmp_path: Path, **fields: str) -> Path:
    path = tmp_path / "record.jsonl"
    obj = {"schema": SCHEMA_ID, "title": "Velitrex in widgetitis", **fields}
    path.write_text(json.dumps(obj) + "\n", encoding="utf-8")
    return path


def test_rdfxml_export_of_a_record_with_control_characters_is_xml_or_refused(
    tmp_path: Path,
) -> None:
    path = _record(tmp_path, title="Velitrex\x08 in widgetitis\x0c", abstract="a\x01b")
    (record,) = read_items(path, "jsonl")
    assert isinstance(record, PaperRecord)
    store = PaperStore()
    store.put_record(map_record(record, fuzzing.extractor().extract(record)))
    target = tmp_path / "kg.rdf"
    refused = None
    try:
        export_store(store, target, "rdfxml")
    except ExportError as error:
        refused = str(error)
    if refused is not None:
        assert "\n" not in refused
        assert not target.exists()
    else:
        assert len(rdflib.Graph().parse(target, format="xml")) == len(
            list(ox.parse(path=str(target), format=ox.RdfFormat.RDF_XML))
        )


@pytest.mark.parametrize("fmt", ["markdown", "jsonl"])
def test_a_record_whose_source_is_not_an_iri_is_built_without_it(fmt: str, tmp_path: Path) -> None:
    if fmt == "markdown":
        seed = (fuzzing.DATA / "records" / "valid" / "pmid_only.txt").read_text(encoding="utf-8")
        path = tmp_path / "record.txt"
        path.write_text(seed.replace("https://example.org/records/", "https://host:b0/"))
    else:
        path = _record(tmp_path, source_url="https://example.org/\n")
    (record,) = read_items(path, fmt)
    assert isinstance(record, PaperRecord)
    if fmt == "markdown":  # JSON Lines carries a record as it was: the mapping leaves it out
        assert any("not a web address" in warning.message for warning in record.warnings)
    mapped = map_record(record, fuzzing.extractor().extract(record))
    assert mapped.quads
    assert not [q for q in mapped.quads if q.predicate.value.endswith("/terms/source")]
