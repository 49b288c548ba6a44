"""Neo4j export: files neo4j-admin's header grammar accepts, whole relationships, stats' counts.

No Neo4j here (it is in neither Debian nor PyPI), so the files are checked against the
documented ``neo4j-admin database import`` CSV format, and import.sh is run against a stand-in
``neo4j-admin`` that records its arguments.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import os
import re
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from paperkg.concepts import reconcile_concepts
from paperkg.errors import ExportError
from paperkg.export_neo4j import export_neo4j
from paperkg.mapping import map_record
from paperkg.model import Evidence
from paperkg.store import PaperStore

from conftest import EXTRACTION, RECORD, SEEDS, run_cli

#: neo4j-admin's header field: ``name:type`` (``[]`` for arrays), ``:ID``/``name:ID`` with an
#: optional id space, or a keyword field with no name.
TYPES = "int|long|float|double|boolean|byte|short|char|string|point|date|localtime|time"
TYPES += "|localdatetime|datetime|duration"
FIELD = re.compile(
    rf"(?P<name>[A-Za-z_][A-Za-z0-9_]*)?:(?:(?P<id>ID)(?:\((?P<space>[^)]+)\))?"
    rf"|(?P<type>{TYPES})(?P<array>\[\])?)"
    r"|:(?P<keyword>LABEL|START_ID|END_ID|TYPE|IGNORE)(?:\((?P<space2>[^)]+)\))?"
)


@dataclasses.dataclass
class Table:
    header: list[str]
    rows: list[list[str]]


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """The seeds store as ``paperkg build`` makes it, exported; and ``paperkg stats --json``."""
    work = tmp_path_factory.mktemp("neo4j")
    code, _, err = run_cli("--store", str(work / "store"), "-q", "build", str(SEEDS))
    assert code == 0, err
    code, out, err = run_cli("--store", str(work / "store"), "stats", "--json")
    assert code == 0, err
    with PaperStore.open_existing(work / "store") as store:
        report = export_neo4j(store, work / "neo4j")
    assert report.folder == work / "neo4j"
    return work / "neo4j", json.loads(out)


def _tables(folder: Path, kind: str) -> dict[str, Table]:
    """Every ``kind`` (nodes, relationships) file with its header, by label or type."""
    tables = {}
    for header in sorted(folder.glob(f"{kind}-*-header.csv")):
        name = header.name.removeprefix(f"{kind}-").removesuffix("-header.csv")
        with header.open(encoding="utf-8", newline="") as stream:
            (fields,) = list(csv.reader(stream))
        with (folder / f"{kind}-{name}.csv").open(encoding="utf-8", newline="") as stream:
            rows = list(csv.reader(stream))
        tables[name] = Table(fields, rows)
    return tables


def _records(table: Table) -> list[dict[str, str]]:
    return [dict(zip(table.header, row, strict=True)) for row in table.rows]


def _column(table: Table, keyword: str) -> str:
    (field,) = [f for f in table.header if f.endswith(keyword)]
    return field


def test_every_header_field_is_well_formed_and_every_cell_fits_its_type(
    exported: tuple[Path, dict[str, Any]],
) -> None:
    folder = exported[0]
    tables = {**_tables(folder, "nodes"), **_tables(folder, "relationships")}
    assert len(tables) == len(list(folder.glob("*-header.csv"))) >= 12
    for name, table in tables.items():
        matches = [FIELD.fullmatch(field) for field in table.header]
        assert all(matches), (name, table.header)
        names = [m["name"] or m["keyword"] or m["id"] for m in matches if m]
        assert len(names) == len(set(names)), (name, table.header)
        assert table.rows, name
        for row in table.rows:
            assert len(row) == len(table.header), (name, row)
            for match, cell in zip(matches, row, strict=True):
                assert match
                if cell and match["type"]:
                    values = cell.split("|") if match["array"] else [cell]
                    assert all(_fits(match["type"], v) for v in values), (name, match[0], cell)


def _fits(kind: str, value: str) -> bool:
    if kind in {"int", "long"}:
        return re.fullmatch(r"-?\d+", value) is not None and (
            kind == "long" or -(2**31) <= int(value) < 2**31
        )
    if kind in {"float", "double"}:
        return re.fullmatch(r"-?\d+(\.\d+)?(e-?\d+)?", value) is not None
    if kind == "boolean":
        return value in {"true", "false"}
    return kind == "string" and "\n" not in value


def test_nodes_have_one_id_and_labels_and_relationships_join_existing_nodes(
    exported: tuple[Path, dict[str, Any]],
) -> None:
    folder = exported[0]
    ids: list[str] = []
    for label, table in _tables(folder, "nodes").items():
        assert table.header[:2] == ["id:ID", ":LABEL"]
        assert sum(":ID" in field for field in table.header) == 1
        for record in _records(table):
            ids.append(record["id:ID"])
            assert record[":LABEL"].split("|")[0] == label
    assert len(ids) == len(set(ids))  # one id space, no id twice
    known = set(ids)
    for kind, table in _tables(folder, "relationships").items():
        assert table.header[:3] == [":START_ID", ":END_ID", ":TYPE"]
        for record in _records(table):
            assert record[":START_ID"] in known, (kind, record)
            assert record[":END_ID"] in known, (kind, record)
            assert record[":TYPE"] == kind


def test_counts_match_paperkg_stats(exported: tuple[Path, dict[str, Any]]) -> None:
    folder, stats = exported
    nodes, relationships = _tables(folder, "nodes"), _tables(folder, "relationships")
    assert len(nodes["Paper"].rows) == stats["papers"]
    assert len(nodes["Chemical"].rows) == stats["drugs"]
    assert len(nodes["Condition"].rows) == stats["conditions"]
    assert len(nodes["Species"].rows) == stats["species"]
    tried = [*_records(relationships["IN_CLINICAL_TRIALS_FOR"])]
    tried += _records(relationships["STUDIED_TO_TREAT"])
    assert len(tried) == stats["findings"]
    outcome = _column(relationships["STUDIED_TO_TREAT"], "finding_outcome:string")
    assert Counter(r[outcome] for r in tried) == {k: v for k, v in stats["outcomes"].items() if v}
    effects = _records(relationships["AMELIORATES_CONDITION"])
    negated = Counter(r["negated:boolean"] for r in effects)
    assert negated == {"true": stats["outcomes"]["no_benefit"], "": stats["outcomes"]["improved"]}
    assert len(relationships["PUBLISHED_IN"].rows) == stats["papers"]
    chemicals = _records(nodes["Chemical"])
    assert {r["id:ID"] for r in chemicals if "Drug" in r[":LABEL"].split("|")} == {
        r[":START_ID"] for r in tried
    }


def test_a_finding_relationship_carries_dose_design_evidence_and_paper(
    exported: tuple[Path, dict[str, Any]],
) -> None:
    table = _tables(exported[0], "relationships")["IN_CLINICAL_TRIALS_FOR"]
    (trial,) = [
        r
        for r in _records(table)
        if (r[":START_ID"], r[":END_ID"]) == ("MESH:D009271", "MONDO:0005301")
    ]
    assert trial["doses:string[]"] == "4.5 mg"
    assert trial["study_design:string"] == "crossover_rct"
    assert trial["publications:string[]"] == "doi:10.1002/ana.22006"
    assert trial["finding_outcome:string"] == "improved"
    assert trial["predicate:string"] == "biolink:in_clinical_trials_for"
    assert trial["supporting_text:string[]"]
    papers = _records(_tables(exported[0], "nodes")["Paper"])
    (paper,) = [p for p in papers if p["id:ID"] == "doi:10.1002%2Fana.22006"]
    assert paper["year:int"] == "2010"
    assert paper[":LABEL"] == "Paper|Publication"


def test_import_sh_names_every_file_once_with_its_header(
    exported: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    folder = exported[0]
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "neo4j-admin").write_text(
        '#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done > "$ARGS_OUT"\n', encoding="utf-8"
    )
    (fake / "neo4j-admin").chmod(0o755)
    out = tmp_path / "args"
    env = {**os.environ, "PATH": f"{fake}:{os.environ['PATH']}", "ARGS_OUT": str(out)}
    subprocess.run(
        ["sh", str(folder / "import.sh"), "--overwrite-destination", "kg"], env=env, check=True
    )
    args = out.read_text(encoding="utf-8").splitlines()
    assert args[:5] == ["database", "import", "full", "--array-delimiter=|", "--id-type=string"]
    assert args[-2:] == ["--overwrite-destination", "kg"]
    named = [a.split("=", 1)[1].split(",") for a in args if a.startswith(("--nodes=", "--rel"))]
    data = sorted(p.name for p in folder.glob("*.csv") if not p.name.endswith("-header.csv"))
    assert sorted(files[1] for files in named) == data
    assert all(files[0] == files[1].replace(".csv", "-header.csv") for files in named)


def test_commas_quotes_bars_and_line_breaks_survive_the_csv(tmp_path: Path) -> None:
    finding = EXTRACTION.findings[0]
    odd = Evidence('Drug A, "10 mg" | daily\nimproved B.', "key_findings")
    extraction = dataclasses.replace(
        EXTRACTION, findings=(dataclasses.replace(finding, evidence=(odd,)),)
    )
    store = PaperStore()
    store.put_record(map_record(RECORD, extraction))
    reconcile_concepts(store)
    report = export_neo4j(store, tmp_path / "neo4j")
    assert report.relationships["IN_CLINICAL_TRIALS_FOR"] == 1
    table = _tables(tmp_path / "neo4j", "relationships")["IN_CLINICAL_TRIALS_FOR"]
    (record,) = _records(table)
    assert record["supporting_text:string[]"] == 'Drug A, "10 mg" ¦ daily improved B.'
    (tmp_path / "neo4j" / "mine.txt").write_text("x", encoding="utf-8")
    with pytest.raises(ExportError, match="not empty"):
        export_neo4j(store, tmp_path / "neo4j")


@pytest.mark.parametrize(("fmt", "first"), [("kgx", "nodes.tsv"), ("neo4j", "import.sh")])
def test_export_writes_kgx_and_neo4j_folders_from_the_command_line(
    tmp_path: Path, fmt: str, first: str
) -> None:
    store = str(tmp_path / "store")
    assert run_cli("--store", store, "-q", "build", str(SEEDS))[0] == 0
    code, out, err = run_cli("--store", store, "export", "--format", fmt, "-o", str(tmp_path / fmt))
    assert code == 0, err
    assert "nodes and edges" in out
    assert (tmp_path / fmt / first).is_file()
    code, _, err = run_cli(
        "--store", store, "export", "--format", fmt, "--gzip", "-o", str(tmp_path / "other")
    )
    assert code != 0
    assert "writes its own files" in err
    assert "\n" not in err.strip()
