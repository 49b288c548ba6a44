"""Script-friendly output (issue 17, item 4): typed JSON, the table's CURIEs in every format
(``--iris`` for full IRIs), one spelling of JSON (``--format json``), and ``export`` taking its
format from the output name, ``-`` being standard output.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import rdflib

from paperkg.query import QueryResult
from paperkg.results import format_result, typed_records

from conftest import SEEDS, run_cli

CONDITION = ("--param", "condition=fibromyalgia")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("formats") / "kg"
    code, _, err = run_cli("--store", str(path), "-q", "build", str(SEEDS))
    assert code == 0, err
    return str(path)


def _query(store: str, *args: str) -> str:
    code, out, err = run_cli("--store", store, "query", *args)
    assert code == 0, err
    return out


# --- typed JSON -----------------------------------------------------------------------------


def test_json_gives_counts_as_numbers_and_joined_cells_as_lists(store: str) -> None:
    rows = json.loads(_query(store, "drugs-tried-for", *CONDITION, "--format", "json"))
    naltrexone = next(row for row in rows if row["drug_label"] == "naltrexone")
    assert naltrexone["papers"] == 3
    assert isinstance(naltrexone["papers"], int)
    assert naltrexone["drug_ids"] == ["MESH:D009271", "pubchem.compound:5360515"]
    assert naltrexone["outcomes"] == ["improved:2", "no_benefit:1"]
    assert naltrexone["doses"] == ["4.5 mg", "4.5 mg/day", "50 mg"]
    # A list column is a list in every row, an empty cell the empty list (never "" or a string).
    assert all(isinstance(row["doses"], list) for row in rows)
    assert [] in [row["doses"] for row in rows]


def test_json_types_sample_sizes_confidences_and_sentences(store: str) -> None:
    findings = json.loads(_query(store, "findings", "--format", "json"))
    sized = [row["sample_size"] for row in findings if row["sample_size"] is not None]
    assert sized
    assert all(type(size) is int for size in sized)
    assert any(row["doi"] is None for row in findings)  # unbound stays null
    several = max(findings, key=lambda row: len(row["evidence"]))
    assert len(several["evidence"]) > 1
    assert all(sentence.startswith("[") for sentence in several["evidence"])
    results = json.loads(
        _query(store, "results", "-p", "drug=pregabalin", *CONDITION, "--format", "json")
    )
    assert results
    assert all(type(row["confidence"]) is float for row in results)


def test_evidence_json_has_booleans_and_numbers(store: str) -> None:
    code, out, err = run_cli("--store", store, "evidence", "--format", "json")
    assert code == 0, err
    rows = json.loads(out)
    assert {type(row["conflicting"]) for row in rows} == {bool}
    assert any(row["conflicting"] for row in rows)
    naltrexone = next(row for row in rows if row["drug_label"] == "naltrexone")
    assert (naltrexone["papers"], naltrexone["participants"]) == (3, 31)
    assert naltrexone["designs"] == ["case_report:1", "lab_study:1", "pilot_trial:1"]


def test_an_ask_query_is_a_json_boolean(store: str, tmp_path: Path) -> None:
    query = tmp_path / "any.rq"
    query.write_text("ASK { ?s ?p ?o }\n")
    assert json.loads(_query(store, str(query), "--format", "json")) == [{"result": True}]


def test_values_are_typed_by_column_and_a_bad_value_stays_text() -> None:
    result = QueryResult(
        ("n", "share", "ok", "sentences", "name"),
        (("2", "0.5", "true", "[a] one. | [b] two", "x"), ("oops", None, "false", "", None)),
        types=("integer", "decimal", "boolean", "string", "string"),
    )
    assert result.column_types == ("integer", "decimal", "boolean", "string", "string")
    spaced = QueryResult(("evidence",), (("[a] one. | [b] two",),))
    assert typed_records(spaced) == [{"evidence": ["[a] one.", "[b] two"]}]
    assert typed_records(result) == [
        {"n": 2, "share": 0.5, "ok": True, "sentences": "[a] one. | [b] two", "name": "x"},
        {"n": "oops", "share": None, "ok": False, "sentences": "", "name": None},
    ]


# --- CURIEs in every format -----------------------------------------------------------------


def test_every_format_prints_the_tables_curies(store: str) -> None:
    table = _query(store, "drugs-tried-for", *CONDITION, "--format", "table")
    assert "MESH:D009271 " in table
    assert "http://" not in table
    rows = list(csv.DictReader(io.StringIO(_query(store, "drugs-tried-for", *CONDITION))))
    tsv = _query(store, "drugs-tried-for", *CONDITION, "--format", "tsv")
    tab_rows = list(csv.DictReader(io.StringIO(tsv), delimiter="\t"))
    records = json.loads(_query(store, "drugs-tried-for", *CONDITION, "--format", "json"))
    for drugs in ([r["drug"] for r in rows], [r["drug"] for r in tab_rows]):
        assert "MESH:D009271" in drugs
        assert not any(drug.startswith("http") for drug in drugs)
    assert [r["drug"] for r in records] == [r["drug"] for r in rows]
    findings = _query(store, "findings", "--format", "csv")
    assert "http://id.nlm.nih.gov/" not in findings
    assert "MONDO:0005546" in findings


def test_iris_keeps_full_iris_in_every_format(store: str) -> None:
    iri = "http://id.nlm.nih.gov/mesh/D009271"
    for fmt in ("csv", "tsv", "json", "table"):
        out = _query(store, "drugs-tried-for", *CONDITION, "--format", fmt, "--iris")
        assert iri in out, fmt
    code, out, err = run_cli("--store", store, "evidence", "--format", "csv", "--iris")
    assert code == 0, err
    assert "http://purl.obolibrary.org/obo/MONDO_0005546" in out


def test_format_result_compacts_list_items_and_keeps_other_text() -> None:
    result = QueryResult(
        ("paper_ids", "title"),
        (("https://doi.org/10.1/x|https://pubmed.ncbi.nlm.nih.gov/123", "http://example.org/a"),),
    )
    line = format_result(result, "csv").splitlines()[1]
    assert line == "doi:10.1/x|pubmed:123,http://example.org/a"
    assert typed_records(result)[0]["paper_ids"] == ["doi:10.1/x", "pubmed:123"]


# --- one spelling for JSON ------------------------------------------------------------------


def test_stats_takes_format_json_and_the_old_flag_still_works(store: str) -> None:
    code, new, err = run_cli("--store", store, "stats", "--format", "json")
    assert code == 0, err
    assert err == ""
    code, old, err = run_cli("--store", store, "stats", "--json")
    assert code == 0
    assert json.loads(old) == json.loads(new)
    assert json.loads(new)["papers"] == len(list(SEEDS.glob("*.txt")))
    assert "deprecated" in err
    assert "--format json" in err
    code, text, _ = run_cli("--store", store, "stats")
    assert code == 0
    assert not text.lstrip().startswith("{")
    _, help_text, _ = run_cli("stats", "--help")
    assert "--format" in help_text
    assert "--json" not in help_text


# --- export: the format from the name, - for stdout -----------------------------------------

PARSERS = {
    ".ttl": "turtle",
    ".nt": "nt",
    ".nq": "nquads",
    ".trig": "trig",
    ".jsonld": "json-ld",
    ".rdf": "xml",
    ".xml": "xml",
}


@pytest.mark.parametrize("suffix", list(PARSERS))
def test_export_takes_the_format_from_the_extension(
    store: str, tmp_path: Path, suffix: str
) -> None:
    target = tmp_path / f"kg{suffix}"
    code, out, err = run_cli("--store", store, "export", "-o", str(target))
    assert code == 0, err
    written = int(out.split()[1])
    text = target.read_text(encoding="utf-8")
    if suffix in (".nt", ".nq"):  # line formats: every line a statement, no prefixes
        lines = text.splitlines()
        assert len(lines) == written
        assert all(line.startswith("<") for line in lines)
        assert all(len(line.split()) >= (5 if suffix == ".nq" else 4) for line in lines[:50])
    dataset = rdflib.Dataset()
    dataset.parse(target, format=PARSERS[suffix])
    assert sum(1 for _ in dataset.quads((None, None, None, None))) == written


@pytest.mark.parametrize("name", ["kg.gz", "kg.owl", "kg"])
def test_export_refuses_a_name_that_tells_no_format(store: str, tmp_path: Path, name: str) -> None:
    code, out, err = run_cli("--store", store, "export", "-o", str(tmp_path / name))
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert "cannot tell the format" in err
    assert "--format" in err
    assert ".nt" in err
    assert list(tmp_path.iterdir()) == []


def test_an_explicit_format_wins_over_the_extension(store: str, tmp_path: Path) -> None:
    target = tmp_path / "kg.txt"
    code, _, err = run_cli("--store", store, "export", "--format", "nt", "-o", str(target))
    assert code == 0, err
    assert target.read_text().startswith("<")


def test_export_to_stdout(store: str, tmp_path: Path) -> None:
    code, out, err = run_cli("--store", store, "export", "-o", "-")
    assert code == 0, err
    assert out.startswith("@prefix")  # Turtle, the data only: the summary is on stderr
    assert "wrote" in err
    assert "standard output" in err
    turtle = rdflib.Graph().parse(data=out, format="turtle")
    code, nt, err = run_cli("--store", store, "export", "--format", "nt", "-o", "-")
    assert code == 0, err
    assert len(rdflib.Graph().parse(data=nt, format="nt")) == len(turtle) > 0
    assert not (tmp_path / "-").exists()
    assert not Path("-").exists()


@pytest.mark.parametrize("extra", [["--format", "kgx"], ["--shard-size", "10"]])
def test_folder_exports_cannot_go_to_stdout(store: str, extra: list[str]) -> None:
    code, out, err = run_cli("--store", store, "export", *extra, "-o", "-")
    assert code == 2
    assert out == ""
    assert "folder" in err
    assert len(err.strip().splitlines()) == 1
