"""JSON Lines of PaperRecord: the schema, the round trip, bad lines, streaming and atomic writes."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paperkg.errors import RecordError
from paperkg.identifiers import CANONICAL_PREFIXES, normalize_curie
from paperkg.model import (
    Annotation,
    EntityKind,
    EntityMention,
    PaperRecord,
    ReaderWarning,
    Relation,
)
from paperkg.readers import (
    SCHEMA_ID,
    iter_jsonl,
    read_record,
    read_records,
    record_from_json,
    record_to_json,
    write_jsonl,
)
from paperkg.readers import jsonl as jsonl_module

from conftest import REPO

SCHEMA_PATH = REPO / "shapes" / "paper-record.schema.json"
SCHEMA: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
FIELDS = [field.name for field in dataclasses.fields(PaperRecord)]
SHA = "ab" * 32

# -- a validator for the subset of JSON Schema the schema uses -------------------------------------

SUBSET = {"type", "required", "properties", "items", "enum", "pattern", "additionalProperties"}
SUBSET |= {"minimum", "minItems", "maxItems"}
ANNOTATIONS = {"$schema", "$id", "title", "description"}
TYPES = {
    "object": dict,
    "array": list,
    "string": str,
    "integer": int,
    "null": type(None),
    "boolean": bool,
}


def _is(value: Any, name: str) -> bool:
    if name == "integer":
        return type(value) is int
    return isinstance(value, TYPES[name]) and not (name != "boolean" and type(value) is bool)


def validate(value: Any, schema: dict[str, Any], where: str = "$") -> list[str]:
    """Every violation of ``schema`` in ``value``, as ``where: what``."""
    errors: list[str] = []
    types = schema.get("type")
    if types is not None:
        names = [types] if isinstance(types, str) else types
        if not any(_is(value, name) for name in names):
            return [f"{where}: {value!r:.40} is not {types}"]
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{where}: {value!r:.40} not in enum")
    if "pattern" in schema and isinstance(value, str) and not re.search(schema["pattern"], value):
        errors.append(f"{where}: {value!r:.40} does not match {schema['pattern']}")
    if "minimum" in schema and type(value) is int and value < schema["minimum"]:
        errors.append(f"{where}: {value} < {schema['minimum']}")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0) or len(value) > schema.get("maxItems", 1 << 62):
            errors.append(f"{where}: {len(value)} items")
        if "items" in schema:
            for index, item in enumerate(value):
                errors += validate(item, schema["items"], f"{where}[{index}]")
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        errors += [
            f"{where}.{key}: missing" for key in schema.get("required", ()) if key not in value
        ]
        for key, item in value.items():
            if key in properties:
                errors += validate(item, properties[key], f"{where}.{key}")
            elif schema.get("additionalProperties") is False:
                errors.append(f"{where}.{key}: not allowed")
    return errors


def _schemas(schema: dict[str, Any]) -> list[dict[str, Any]]:
    found = [schema]
    for sub in schema.get("properties", {}).values():
        found += _schemas(sub)
    if "items" in schema:
        found += _schemas(schema["items"])
    return found


def test_the_schema_file_is_the_one_the_model_generates() -> None:
    generated = jsonl_module.record_schema_json()
    assert json.loads(generated) == jsonl_module.record_schema()
    if SCHEMA_PATH.read_text(encoding="utf-8") != generated:
        fix = "run: .venv/bin/python tools/gen_docs.py"
        pytest.fail(f"shapes/paper-record.schema.json is out of date; {fix}", pytrace=False)


def test_schema_stays_within_the_subset_the_validator_knows() -> None:
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert SCHEMA["$id"] == SCHEMA_ID
    for sub in _schemas(SCHEMA):
        assert set(sub) <= SUBSET | ANNOTATIONS, set(sub) - SUBSET - ANNOTATIONS
        if sub.get("type") == "object":
            assert sub["additionalProperties"] is False


def test_schema_names_every_field_and_the_model_vocabularies() -> None:
    properties = SCHEMA["properties"]
    assert list(properties) == ["schema", *FIELDS]
    assert properties["schema"]["enum"] == [SCHEMA_ID]
    mention = properties["linked_entities"]["items"]
    assert mention == properties["fulltext_entities"]["items"]
    assert list(mention["properties"]) == [f.name for f in dataclasses.fields(EntityMention)]
    assert mention["properties"]["kind"]["enum"] == [kind.value for kind in EntityKind]
    nested = {"warnings": ReaderWarning, "annotations": Annotation, "relations": Relation}
    for name, cls in nested.items():
        assert list(properties[name]["items"]["properties"]) == [
            f.name for f in dataclasses.fields(cls)
        ]


def test_the_curie_pattern_knows_every_canonical_prefix() -> None:
    pattern = SCHEMA["properties"]["annotations"]["items"]["properties"]["identifiers"]["items"]
    for prefix in CANONICAL_PREFIXES:
        assert f"|{re.escape(prefix)}:" in pattern["pattern"].replace("(", "|"), prefix
    for good in ("MESH:D009271", "pubchem.compound:5360515", "doi:10.1000/x", "pmc:PMC1"):
        assert normalize_curie(good) == good
        assert re.search(pattern["pattern"], good)
    for bad in ("mesh:D009271", "MESH:X1", "foo:1", "MONDO:123"):
        assert not re.search(pattern["pattern"], bad)


def test_the_validator_rejects_what_the_schema_forbids() -> None:
    good = record_to_json(PaperRecord(source="s", sha256=SHA, title="T"))
    assert validate(good, SCHEMA) == []
    for change in (
        {"title": " "},
        {"doi": "doi.org/x"},
        {"figures_count": -1},
        {"authors": ["a", 1]},
        {"extra": 1},
        {"extra_sections": [["only one"]]},
        {"linked_entities": [{"text": "x", "kind": "drug"}]},
        {"annotations": [{"start": 0, "end": 1, "text": "x"}]},
    ):
        assert validate({**good, **change}, SCHEMA), change
    assert validate({key: v for key, v in good.items() if key != "schema"}, SCHEMA)


def test_the_documented_line_is_valid_and_reads() -> None:
    doc = (REPO / "docs" / "paper-record-jsonl.md").read_text(encoding="utf-8")
    (block,) = re.findall(r"```json\n(.*?)\n```", doc, flags=re.DOTALL)
    obj = json.loads(block)
    assert validate(obj, SCHEMA) == []
    assert (
        block.encode("utf-8") in (REPO / "tests" / "data" / "jsonl" / "example.jsonl").read_bytes()
    )
    record = record_from_json(obj, source="doc", line=1)
    assert (record.annotations[1].text, record.relations[0].kind) == ("Clonidine", "CID")
    assert f"{record.title} {record.abstract}"[37:46] == "Clonidine"
    for name in SCHEMA["properties"]:
        assert f"`{name}`" in doc, name


# -- shared records --------------------------------------------------------------------------------


def _shared(shared_records: Path) -> list[PaperRecord]:
    records = []
    for path in sorted(shared_records.glob("*.txt")):
        try:
            records.append(read_record(path))
        except RecordError:
            continue
    assert len(records) >= 10
    return records


def test_every_line_written_for_the_shared_records_matches_the_schema(
    shared_records: Path, tmp_path: Path
) -> None:
    target = tmp_path / "records.jsonl"
    records = _shared(shared_records)
    assert write_jsonl(records, target) == len(records)
    lines = target.read_bytes().split(b"\n")
    assert lines[-1] == b""
    assert len(lines) - 1 == len(records)
    for line in lines[:-1]:
        obj = json.loads(line)
        assert next(iter(obj)) == "schema"
        assert validate(obj, SCHEMA) == [], obj["source"]


def test_shared_records_round_trip(shared_records: Path, tmp_path: Path) -> None:
    records = _shared(shared_records)
    assert any(record.linked_entities and record.warnings for record in records)
    for record in records:
        obj = json.loads(json.dumps(record_to_json(record)))
        assert record_from_json(obj, source="x.jsonl", line=1) == record
    target = tmp_path / "records.jsonl"
    write_jsonl(records, target)
    assert list(iter_jsonl(target)) == records
    assert list(read_records(target)) == records


# -- generated records -----------------------------------------------------------------------------

CURIES = (
    "MESH:D009271",
    "MONDO:0005546",
    "pubchem.compound:5360515",
    "NCBITaxon:9606",
    "CHEBI:7465",
)
text = st.text(max_size=30)
maybe = st.none() | text
curie = st.sampled_from(CURIES)
kind = st.sampled_from(EntityKind)
mention = st.builds(
    EntityMention,
    text=text,
    kind=kind,
    identifier=st.none() | curie,
    raw_identifier=text,
    section=st.sampled_from(["linked", "fulltext"]),
    line=st.integers(0, 10**6),
    note=maybe,
)


@st.composite
def annotation_values(draw: st.DrawFn) -> Annotation:
    start = draw(st.integers(0, 10**6))
    return Annotation(
        start=start,
        end=start + draw(st.integers(0, 100)),
        text=draw(text),
        kind=draw(kind),
        identifiers=tuple(draw(st.lists(curie, max_size=3))),
        raw_identifier=draw(text),
    )


nonblank = st.text(min_size=1, max_size=20).filter(str.strip)
records = st.builds(
    PaperRecord,
    source=text,
    sha256=st.text("0123456789abcdef", min_size=64, max_size=64),
    title=nonblank,
    authors=st.lists(text, max_size=3).map(tuple),
    origin=maybe,
    doi=st.none() | st.from_regex(r"10\.[0-9]{4,9}/[a-z0-9]{1,10}", fullmatch=True),
    pmid=st.none() | st.from_regex(r"[0-9]{1,12}", fullmatch=True),
    pmcid=st.none() | st.from_regex(r"PMC[0-9]{1,12}", fullmatch=True),
    journal=maybe,
    volume=maybe,
    issue=maybe,
    pages=maybe,
    date=st.none() | st.dates().map(lambda day: day.isoformat()) | st.just("2024-02"),
    tldr=maybe,
    contribution=maybe,
    key_findings=st.lists(text, max_size=3).map(tuple),
    abstract=maybe,
    linked_entities=st.lists(mention, max_size=3).map(tuple),
    fulltext_entities=st.lists(mention, max_size=3).map(tuple),
    full_text=maybe,
    figures_count=st.none() | st.integers(0, 10**9),
    references_count=st.none() | st.integers(0, 10**9),
    source_url=maybe,
    extra_sections=st.lists(st.tuples(text, text), max_size=2).map(tuple),
    warnings=st.lists(st.builds(ReaderWarning, st.integers(0, 10**6), text), max_size=2).map(tuple),
    annotations=st.lists(annotation_values(), max_size=3).map(tuple),
    relations=st.lists(st.builds(Relation, nonblank, nonblank, nonblank), max_size=2).map(tuple),
    source_format=st.sampled_from(["markdown", "pubtator", "bioc-xml", "bioc-json", "jsonl"]),
)


@given(records)
@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
def test_generated_records_round_trip_and_match_the_schema(record: PaperRecord) -> None:
    obj = record_to_json(record)
    assert validate(obj, SCHEMA) == []
    line = json.dumps(obj, ensure_ascii=False).encode("utf-8", "surrogatepass")
    assert record_from_json(json.loads(line), source="f", line=3) == record


@given(st.lists(records, max_size=4))
@settings(max_examples=40, deadline=None)
def test_generated_files_round_trip(
    tmp_path_factory: pytest.TempPathFactory, batch: list[PaperRecord]
) -> None:
    target = tmp_path_factory.mktemp("w") / "out.jsonl"
    assert write_jsonl(batch, target) == len(batch)
    assert list(iter_jsonl(target)) == batch


@given(st.binary(max_size=2000))
@settings(max_examples=300, deadline=None)
def test_arbitrary_bytes_give_only_records_and_errors(
    tmp_path_factory: pytest.TempPathFactory, data: bytes
) -> None:
    path = tmp_path_factory.mktemp("b") / "x.jsonl"
    path.write_bytes(data)
    for item in iter_jsonl(path):
        assert isinstance(item, PaperRecord | RecordError)
        if isinstance(item, RecordError):
            assert item.path == str(path)
            assert 1 <= item.line <= data.count(b"\n") + 1


@given(st.lists(st.sampled_from([b'{"title":"t"}', b"{", b"", b"  ", b'{"title":1}', b"\xff"])))
def test_one_item_per_non_blank_line_in_order(lines: list[bytes]) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "x.jsonl")
        path.write_bytes(b"\n".join(lines))
        items = list(iter_jsonl(path))
    expected = [number for number, line in enumerate(lines, 1) if line.strip()]
    assert [
        item.line if isinstance(item, RecordError) else int(item.source.rsplit(":", 1)[1])
        for item in items
    ] == expected
    assert [isinstance(item, PaperRecord) for item in items] == [
        lines[n - 1] == b'{"title":"t"}' for n in expected
    ]


# -- reading: defaults, bad lines ------------------------------------------------------------------


def _write(tmp_path: Path, *lines: str | bytes) -> Path:
    path = tmp_path / "records.jsonl"
    data = [line.encode("utf-8") if isinstance(line, str) else line for line in lines]
    path.write_bytes(b"\n".join(data) + b"\n")
    return path


def test_minimal_line_gets_defaults(tmp_path: Path) -> None:
    path = _write(tmp_path, "", '  {"title": "A paper"}  ')
    (record,) = iter_jsonl(path)
    assert isinstance(record, PaperRecord)
    assert record.source == f"{path}:2"
    assert record.sha256 == hashlib.sha256(b'  {"title": "A paper"}  ').hexdigest()
    assert record.source_format == "jsonl"
    assert record == PaperRecord(
        source=f"{path}:2", sha256=record.sha256, title="A paper", source_format="jsonl"
    )


def test_source_and_well_formed_sha256_are_kept_else_replaced(tmp_path: Path) -> None:
    bad = '{"title": "B", "sha256": "xyz"}'
    path = _write(tmp_path, f'{{"title": "A", "source": "a.txt", "sha256": "{SHA.upper()}"}}', bad)
    first, second = iter_jsonl(path)
    assert isinstance(first, PaperRecord)
    assert isinstance(second, PaperRecord)
    assert (first.source, first.sha256) == ("a.txt", SHA.upper())
    assert second.sha256 == hashlib.sha256(bad.encode()).hexdigest()
    assert second.warnings == (
        ReaderWarning(2, "sha256 is not 64 hex digits; the line's own checksum is used instead"),
    )


def test_crlf_bom_and_no_final_newline(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"title": "A"}\r\n{"title": "B"}')
    titles = [item.title for item in iter_jsonl(path) if isinstance(item, PaperRecord)]
    assert titles == ["A", "B"]


def test_doi_is_normalised_like_the_markdown_reader(tmp_path: Path) -> None:
    (record,) = iter_jsonl(_write(tmp_path, '{"title": "A", "doi": "https://doi.org/10.1000/ABC"}'))
    assert isinstance(record, PaperRecord)
    assert record.doi == "10.1000/abc"


BAD_LINES: list[tuple[str | bytes, str, str]] = [
    ("[1, 2]", "line", "expected an object, got an array"),
    ('{"title": "A"', "line", "not valid JSON"),
    ('{"title": NaN}', "line", "not valid JSON (NaN is not a JSON number)"),
    ("[" * 100_000 + "]" * 100_000, "line", "not valid JSON"),
    ('{"title": "A", "title": "B"}', "title", "field given twice"),
    ('{"authors": []}', "title", "missing"),
    ('{"title": "  "}', "title", "empty title"),
    ('{"title": 5}', "title", "expected a string, got an integer"),
    ('{"title": "A", "titel": "B"}', "titel", "unknown field"),
    ('{"title": "A", "schema": "https://w3id.org/paperkg/paper-record/2"}', "schema", "schema"),
    ('{"title": "A", "doi": "10.1/x"}', "doi", "malformed DOI"),
    ('{"title": "A", "pmid": "PMID12"}', "pmid", "malformed pmid"),
    ('{"title": "A", "pmcid": "1234"}', "pmcid", "malformed pmcid"),
    ('{"title": "A", "date": "2023-02-30"}', "date", "no such date"),
    ('{"title": "A", "date": "May 2023"}', "date", "malformed date"),
    ('{"title": "A", "authors": "X, Y"}', "authors", "expected an array, got a string"),
    ('{"title": "A", "authors": ["X", null]}', "authors[1]", "expected a string, got null"),
    ('{"title": "A", "figures_count": true}', "figures_count", "expected an integer"),
    (
        '{"title": "A", "mesh_headings": [{"descriptor": "Pain", "major": null}]}',
        "mesh_headings[0].major",
        "expected true/false, got null",
    ),
    ('{"title": "A", "figures_count": -2}', "figures_count", "-2 is below 0"),
    ('{"title": "A", "figures_count": 2.0}', "figures_count", "expected an integer, got a number"),
    (
        '{"title": "A", "linked_entities": [{"text": "x", "kind": "drug"}]}',
        "linked_entities[0].kind",
        "unknown kind 'drug'",
    ),
    (
        '{"title": "A", "fulltext_entities": [{"kind": "disease"}]}',
        "fulltext_entities[0].text",
        "missing",
    ),
    (
        '{"title": "A", "linked_entities": [{"text": "x", "kind": "chemical",'
        ' "identifier": "mesh:d1"}]}',
        "linked_entities[0].identifier",
        "not a canonical CURIE",
    ),
    (
        '{"title": "A", "linked_entities": [{"text": "x", "kind": "gene", "colour": 1}]}',
        "linked_entities[0].colour",
        "unknown field",
    ),
    (
        '{"title": "A", "annotations": [{"start": 5, "end": 2, "text": "x", "kind": "gene"}]}',
        "annotations[0].end",
        "2 is below 5",
    ),
    (
        '{"title": "A", "annotations": [{"start": 0, "end": 2, "text": "x", "kind": "gene",'
        ' "identifiers": ["MESH:D000001", "foo:1"]}]}',
        "annotations[0].identifiers[1]",
        "not a canonical CURIE",
    ),
    (
        '{"title": "A", "relations": [{"kind": "CID", "subject": "MESH:D1"}]}',
        "relations[0].object",
        "missing",
    ),
    (
        '{"title": "A", "relations": [{"kind": "", "subject": "a", "object": "b"}]}',
        "relations[0].kind",
        "empty",
    ),
    ('{"title": "A", "warnings": [{"line": 1}]}', "warnings[0].message", "missing"),
    ('{"title": "A", "extra_sections": [["a", "b", "c"]]}', "extra_sections[0]", "3 items, not 2"),
    ('{"title": "A", "extra_sections": [["a", 1]]}', "extra_sections[0][1]", "expected a string"),
    (b'{"title": "caf\xe9"}', "line", "not UTF-8 (bad byte at column 15)"),
]


@pytest.mark.parametrize(("line", "field", "problem"), BAD_LINES)
def test_a_bad_line_is_an_error_naming_file_line_field_and_fix(
    tmp_path: Path, line: str | bytes, field: str, problem: str
) -> None:
    path = _write(tmp_path, '{"title": "before"}', line, '{"title": "after"}')
    before, error, after = iter_jsonl(path)
    assert isinstance(before, PaperRecord)
    assert isinstance(after, PaperRecord)
    assert after.title == "after"
    assert after.source == f"{path}:3"
    assert isinstance(error, RecordError)
    assert (error.path, error.line, error.field) == (str(path), 2, field)
    assert problem in error.problem
    assert error.fix
    assert str(error).startswith(f"{path}:2: {field}: ")


def test_the_schema_rejects_the_bad_lines_the_reader_rejects() -> None:
    for line, field, problem in BAD_LINES:
        if field == "line" or problem == "field given twice":
            continue  # not JSON, or duplicate keys: not the schema's to say
        if problem in ("no such date", "2 is below 5"):
            continue  # the calendar and end >= start are beyond JSON Schema's keywords
        obj = {"schema": SCHEMA_ID, **json.loads(line)}
        assert validate(obj, SCHEMA), line


@pytest.mark.parametrize(
    ("obj", "field"),
    [
        ({"title": 5, "titel": "x", "abstract": "y", "a": 1}, "a"),
        ({"source": 5, "title": 5, "schema": "https://w3id.org/paperkg/paper-record/2"}, "schema"),
        ({"source": 5}, "title"),
        (
            {"title": "A", "linked_entities": [{"kind": "drug", "colour": 1}]},
            "linked_entities[0].colour",
        ),
        ({"title": "A", "authors": [1], "figures_count": -1}, "authors[0]"),
    ],
)
def test_of_several_problems_the_one_that_explains_most_is_named(
    obj: dict[str, Any], field: str
) -> None:
    with pytest.raises(RecordError) as caught:
        record_from_json(obj, source="f.jsonl", line=1)
    assert caught.value.field == field


def test_a_null_top_level_array_reads_as_empty() -> None:
    obj = {"title": "A", "authors": None, "linked_entities": None, "extra_sections": None}
    record = record_from_json(obj, source="f", line=1)
    assert (record.authors, record.linked_entities, record.extra_sections) == ((), (), ())
    annotation = {"start": 0, "end": 1, "text": "x", "kind": "gene", "identifiers": None}
    with pytest.raises(RecordError, match="identifiers: expected an array, got null"):
        record_from_json({"title": "A", "annotations": [annotation]}, source="f", line=1)


JUNK: st.SearchStrategy[Any] = (
    st.none()
    | st.booleans()
    | st.integers(-2, 3)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.just([])
    | st.just({})
)
TEXTS = st.text(max_size=4) | st.sampled_from(
    ["gene", "drug", "MESH:D009271", "mesh:d1", "2020-02-30", "10.1000/x", "PMC1", " "]
)


def near_schema(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values of the schema's shape, now and then anything JSON instead: many break one rule."""
    types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    options: list[st.SearchStrategy[Any]] = []
    for name in types:
        if "enum" in schema:
            options.append(st.sampled_from(schema["enum"]) | TEXTS)
        elif name == "object":
            options.append(object_near(schema))
        elif name == "array":
            options.append(st.lists(near_schema(schema["items"]), max_size=3))
        elif name == "string":
            options.append(TEXTS)
        elif name == "integer":
            options.append(st.integers(-2, 9))
        else:
            options.append(st.none())
    shaped = st.one_of(options)
    return st.integers(0, 7).flatmap(lambda n: JUNK if n == 0 else shaped)


def object_near(schema: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    properties = {key: near_schema(sub) for key, sub in schema["properties"].items()}
    required = {key: properties.pop(key) for key in schema["required"] if key != "schema"}
    return st.fixed_dictionaries(required, optional=properties)


@given(object_near(SCHEMA))
@settings(max_examples=400, deadline=None)
def test_every_error_is_one_line_in_the_project_words(obj: dict[str, Any]) -> None:
    error: RecordError | None = None
    try:
        record_from_json(obj, source="f.jsonl", line=7)
    except RecordError as caught:
        error = caught
    if error is not None:
        message = str(error)
        assert message == f"f.jsonl:7: {error.field}: {error.problem}; {error.fix}"
        assert "\n" not in message
        assert error.problem
        assert error.fix
        assert not error.problem.startswith("not accepted"), message  # an untranslated error
        assert "Input should" not in message


def test_unreadable_file_is_one_error(tmp_path: Path) -> None:
    (error,) = iter_jsonl(tmp_path / "missing.jsonl")
    assert isinstance(error, RecordError)
    assert (error.line, error.field) == (0, "file")


def test_a_line_over_16_mib_is_refused_and_the_next_is_read(tmp_path: Path) -> None:
    assert jsonl_module.MAX_LINE_BYTES == 16 * 1024 * 1024
    path = tmp_path / "big.jsonl"
    with path.open("wb") as handle:
        handle.write(b'{"title": "' + b"x" * (jsonl_module.MAX_LINE_BYTES + 10) + b'"}\n')
        handle.write(b'{"title": "small"}\n')
    error, record = iter_jsonl(path)
    assert isinstance(error, RecordError)
    assert (error.line, error.field, error.problem) == (1, "line", "line longer than 16 MiB")
    assert isinstance(record, PaperRecord)
    assert (record.title, record.source) == ("small", f"{path}:2")


@pytest.mark.parametrize("extra", [0, 1, 2, 3, 5000])
def test_line_limit_boundaries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, extra: int) -> None:
    monkeypatch.setattr(jsonl_module, "MAX_LINE_BYTES", 100)
    monkeypatch.setattr(jsonl_module, "_READ_CHUNK", 7)
    body = b'{"title": "' + b"x" * (100 - 13 + extra) + b'"}'
    assert len(body) == 100 + extra
    path = tmp_path / "x.jsonl"
    path.write_bytes(body + b"\r\n" + b'{"title": "next"}')
    first, second = iter_jsonl(path)
    assert isinstance(first, PaperRecord if extra == 0 else RecordError)
    assert isinstance(second, PaperRecord)
    assert second.title == "next"


# -- writing ---------------------------------------------------------------------------------------


def test_write_replaces_atomically_and_keeps_permissions(tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o640)
    records = [PaperRecord(source="a", sha256=SHA, title="Ünïcode ✓")]
    assert write_jsonl(iter(records), target) == 1
    assert list(iter_jsonl(target)) == records
    assert "Ünïcode ✓".encode() in target.read_bytes()
    assert target.stat().st_mode & 0o777 == 0o640
    assert sorted(os.listdir(tmp_path)) == ["out.jsonl"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    target.write_text("old\n", encoding="utf-8")

    def broken() -> Any:
        yield PaperRecord(source="a", sha256=SHA, title="T")
        raise RuntimeError("source failed")

    with pytest.raises(RuntimeError, match="source failed"):
        write_jsonl(broken(), target)
    assert target.read_text(encoding="utf-8") == "old\n"
    assert sorted(os.listdir(tmp_path)) == ["out.jsonl"]


def test_write_escapes_lone_surrogates_and_leaves_out_malformed_sha256(tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    records = [PaperRecord(source="a", sha256="not-a-digest", title="bad \ud800 text")]
    write_jsonl(records, target)
    line = target.read_bytes()
    assert b"\\ud800" in line
    assert b"sha256" not in line
    (record,) = iter_jsonl(target)
    assert isinstance(record, PaperRecord)
    assert record.title == "bad \ud800 text"
    assert record.sha256 == hashlib.sha256(line.rstrip(b"\n")).hexdigest()
