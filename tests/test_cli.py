"""The command line: contracts of DESIGN.md section 5, exit codes, one-line errors, help."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import click
import pytest

from paperkg.cli import main

from conftest import SEEDS
from conftest import run_cli as run

FINDINGS_COLUMNS = (
    "paper,doi,pmid,pmcid,title,drug,drug_label,drug_ids,condition,condition_label,"
    "condition_ids,dose,outcome,study_design,sample_size,evidence"
)


@pytest.fixture(scope="module")
def seeds_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("cli") / "kg"
    code, _, err = run("--store", str(store), "build", str(SEEDS))
    assert code == 0, err
    assert "rejected" not in err
    return store


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_build_reports_a_summary_and_a_rebuild_changes_nothing(seeds_store: Path) -> None:
    code, out, _ = run("--store", str(seeds_store), "build", str(SEEDS))
    assert code == 0
    assert "0 built" in out
    assert f"{len(list(SEEDS.glob('*.txt')))} unchanged" in out


def test_validate_conforms_on_the_seeds(seeds_store: Path) -> None:
    code, out, _ = run("--store", str(seeds_store), "validate")
    assert code == 0, out
    assert out.startswith("Conforms")


def test_fibromyalgia_answer_on_the_original_record(tmp_path: Path) -> None:
    store = tmp_path / "kg"
    assert run("--store", str(store), "build", str(SEEDS / "000_47468af30908e69c.txt"))[0] == 0
    code, out, _ = run(
        "--store",
        str(store),
        "query",
        "drugs-tried-for",
        "--param",
        "condition=fibromyalgia",
        "--format",
        "csv",
    )
    assert code == 0
    rows = {row["drug_label"]: row for row in _csv(out)}
    assert set(rows) == {"naltrexone", "amitriptyline", "pregabalin"}
    assert rows["naltrexone"]["outcomes"] == "improved:1"
    assert rows["naltrexone"]["doses"] == "4.5 mg/day"
    assert rows["amitriptyline"]["outcomes"] == "no_benefit:1"
    assert rows["pregabalin"]["outcomes"] == "no_benefit:1"


#: What the seed records say (seeds/README.md), as the fibromyalgia question must report it.
SEEDS_FIBROMYALGIA = {
    "naltrexone": ("3", "improved:2|no_benefit:1", "4.5 mg|4.5 mg/day|50 mg"),
    "amitriptyline": ("2", "mixed:1|no_benefit:1", ""),
    "pregabalin": ("2", "improved:1|no_benefit:1", "150 mg/day|300 mg/day|450 mg/day"),
    "cyclobenzaprine": ("1", "mixed:1", ""),
    "duloxetine": ("1", "adverse_effects:1", "30 mg"),
    "gabapentin": ("1", "improved:1", "1,200-2,400 mg/day"),
}


def test_the_demo_answer_on_all_seeds(seeds_store: Path) -> None:
    code, out, _ = run(
        "--store",
        str(seeds_store),
        "query",
        "drugs-tried-for",
        "-p",
        "condition=FMS",
        "--format",
        "csv",
    )
    assert code == 0
    found = {row["drug_label"]: (row["papers"], row["outcomes"], row["doses"]) for row in _csv(out)}
    assert found == SEEDS_FIBROMYALGIA


def test_findings_csv_has_the_contract_columns(seeds_store: Path) -> None:
    code, out, _ = run("--store", str(seeds_store), "query", "findings", "--format", "csv")
    assert code == 0
    assert out.splitlines()[0] == FINDINGS_COLUMNS
    rows = _csv(out)
    assert rows, "the seeds give findings"
    assert all(row["outcome"] and row["evidence"] for row in rows)


def test_export_writes_turtle(seeds_store: Path, tmp_path: Path) -> None:
    target = tmp_path / "kg.ttl"
    code, out, _ = run(
        "--store", str(seeds_store), "export", "--format", "turtle", "-o", str(target)
    )
    assert code == 0
    assert target.stat().st_size > 0
    assert out.startswith("wrote ")


def test_bad_records_are_reported_one_line_each_and_the_rest_is_built(
    shared_records: Path, tmp_path: Path
) -> None:
    code, out, err = run("--store", str(tmp_path / "kg"), "build", str(shared_records))
    assert code == 1
    rejected = [line for line in err.splitlines() if line.startswith("rejected: ")]
    assert len(rejected) == 2, err
    assert any("006_eaedb9eeedb5cc15.txt:1:" in line for line in rejected)
    assert any("007_1d81c7a84e89befd.txt:1: title" in line for line in rejected)
    assert "Traceback" not in err
    assert "11 built" in out
    assert "2 rejected" in out


def test_strict_stops_at_the_first_bad_record(shared_records: Path, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("000_47468af30908e69c.txt", "006_eaedb9eeedb5cc15.txt"):
        shutil.copy(shared_records / name, folder / name)
    code, _, err = run("--store", str(tmp_path / "kg"), "build", "--strict", str(folder))
    assert code == 1
    assert err.strip().splitlines()[-1].startswith("Error: ")
    assert "006_eaedb9eeedb5cc15.txt:1:" in err


def test_missing_store_is_a_one_line_error_with_exit_2(tmp_path: Path) -> None:
    code, _, err = run("--store", str(tmp_path / "none"), "query", "findings")
    assert code == 2
    assert f"build one with: paperkg --store {tmp_path / 'none'} build" in err
    assert len(err.strip().splitlines()) == 1


def test_unknown_query_lists_names(seeds_store: Path) -> None:
    code, _, err = run("--store", str(seeds_store), "query", "drugs")
    assert code == 2
    assert "drugs-tried-for" in err


def test_unknown_label_gets_a_hint(seeds_store: Path) -> None:
    code, out, err = run(
        "--store",
        str(seeds_store),
        "query",
        "drugs-tried-for",
        "-p",
        "condition=fibromylagia",
        "--format",
        "table",
    )
    assert code == 0
    assert "(no rows)" in out
    assert "fibromylagia" in err


def test_validate_data_file_with_violations_exits_1(tmp_path: Path) -> None:
    data = tmp_path / "bad.ttl"
    data.write_text(
        "@prefix pkg: <https://w3id.org/paperkg/vocab/> .\n<http://x/p> a pkg:Paper .\n"
    )
    code, out, _ = run("validate", "--data", str(data))
    assert code == 1
    assert "Does not conform" in out
    assert "http://x/p" in out


def test_validate_unparsable_data_exits_2(tmp_path: Path) -> None:
    data = tmp_path / "broken.ttl"
    data.write_text("this is not turtle <")
    code, _, err = run("validate", "--data", str(data))
    assert code == 2
    assert "broken.ttl" in err


def _commands(group: click.Group) -> list[tuple[str, click.Command]]:
    return sorted(group.commands.items())


@pytest.mark.parametrize("name", [name for name, _ in _commands(main)])
def test_every_command_has_help_and_an_example(name: str) -> None:
    command = main.commands[name]
    assert command.help, f"{name} has no help"
    assert len(command.help.strip()) > 20, f"{name} help is too short"
    assert "Example:" in command.help, f"{name} help has no example"
    code, out, _ = run(name, "--help")
    assert code == 0
    assert "Usage:" in out
    for option in command.params:
        if isinstance(option, click.Option):
            assert option.help, f"{name} {option.name} has no help"


def test_top_level_help_and_version() -> None:
    code, out, _ = run("--help")
    assert code == 0
    assert "build" in out
    assert "query" in out
    code, out, _ = run("--version")
    assert code == 0
    assert "paperkg" in out


@pytest.mark.parametrize(
    "paper",
    ["10.7759/cureus.83824", "https://doi.org/10.7759/CUREUS.83824", "doi:10.7759/cureus.83824"],
)
def test_paper_findings_of_the_original_record(seeds_store: Path, paper: str) -> None:
    code, out, _ = run(
        "--store",
        str(seeds_store),
        "query",
        "paper-findings",
        "-p",
        f"paper={paper}",
        "--format",
        "csv",
    )
    assert code == 0
    found = {row["drug_label"]: (row["outcome"], row["dose"]) for row in _csv(out)}
    assert found == {
        "naltrexone": ("improved", "4.5 mg/day"),
        "amitriptyline": ("no_benefit", ""),
        "pregabalin": ("no_benefit", ""),
    }


def test_paper_findings_by_pmid(seeds_store: Path) -> None:
    code, out, _ = run(
        "--store",
        str(seeds_store),
        "query",
        "paper-findings",
        "-p",
        "paper=PMID:15818684",
        "--format",
        "csv",
    )
    assert code == 0
    assert [row["drug_label"] for row in _csv(out)] == ["pregabalin"]


def test_convert_to_jsonl_and_build_from_it_gives_the_same_graph(tmp_path: Path) -> None:
    jsonl = tmp_path / "records.jsonl"
    code, out, _ = run("convert", str(SEEDS), "-o", str(jsonl))
    assert code == 0
    assert out.startswith("wrote 8 records")
    assert len(jsonl.read_text(encoding="utf-8").splitlines()) == 8
    assert run("--store", str(tmp_path / "a"), "build", str(SEEDS))[0] == 0
    assert run("--store", str(tmp_path / "b"), "build", str(jsonl))[0] == 0
    queries = ("query", "findings", "--format", "csv")
    first = run("--store", str(tmp_path / "a"), *queries)[1]
    second = run("--store", str(tmp_path / "b"), *queries)[1]
    assert first == second


def test_convert_reports_bad_records(shared_records: Path, tmp_path: Path) -> None:
    code, out, err = run("convert", str(shared_records), "-o", str(tmp_path / "r.jsonl"))
    assert code == 1
    assert "wrote 11 records" in out
    assert err.count("rejected: ") == 2
