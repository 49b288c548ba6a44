"""The command line for people: quiet/verbose, progress, colour, completion, helpful errors, help.

Progress bars and colour are for terminals only: CliRunner's streams are not terminals, so every
CLI test here also checks that nothing of them leaks into piped output.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import click
import pytest
from click.shell_completion import BashComplete
from click.testing import CliRunner

from paperkg.cli import main
from paperkg.console import Console, Progress
from paperkg.query import QueryResult, list_queries
from paperkg.results import format_result

from conftest import SEEDS
from conftest import run_cli as run

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(scope="module")
def seeds_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("ux") / "kg"
    code, _, err = run("--store", str(store), "build", str(SEEDS))
    assert code == 0, err
    return store


@pytest.fixture
def records_with_a_duplicate(tmp_path: Path) -> Path:
    """Two seeds, one of them twice: a build warns about the duplicate."""
    folder = tmp_path / "records"
    folder.mkdir()
    first = sorted(SEEDS.glob("*.txt"))[0]
    shutil.copy(first, folder / "a.txt")
    shutil.copy(first, folder / "b.txt")
    return folder


# --- --quiet / --verbose ------------------------------------------------------------------


def test_verbose_lists_each_record_and_timings(
    tmp_path: Path, records_with_a_duplicate: Path
) -> None:
    code, out, err = run(
        "-v", "--store", str(tmp_path / "kg"), "build", str(records_with_a_duplicate)
    )
    assert code == 0
    assert f"added      {records_with_a_duplicate / 'a.txt'}" in err
    assert f"duplicate  {records_with_a_duplicate / 'b.txt'}" in err
    assert re.search(r"time: build took \d+\.\d\d s", err)
    assert re.search(r"time: validation took \d+\.\d\d s", err)
    assert "1 built" in out


def test_quiet_keeps_results_and_errors_only(
    tmp_path: Path, records_with_a_duplicate: Path
) -> None:
    bad = records_with_a_duplicate / "c.txt"
    bad.write_text("not a paper record\n", encoding="utf-8")
    code, out, err = run(
        "--quiet", "--store", str(tmp_path / "kg"), "build", str(records_with_a_duplicate)
    )
    assert code == 1
    assert "1 built" in out
    assert "rejected:" in err  # an error: still shown
    assert "warning:" not in err
    assert "note:" not in err
    # Without --quiet the duplicate is a warning.
    code, _, err = run("--store", str(tmp_path / "kg"), "build", str(records_with_a_duplicate))
    assert "warning:" in err


def test_quiet_and_verbose_together_is_a_usage_error() -> None:
    code, _, err = run("-q", "-v", "queries")
    assert code == 2
    assert "exclude each other" in err


def test_query_notes_are_silenced_by_quiet(seeds_store: Path) -> None:
    args = ("query", "drugs-tried-for", "-p", "condition=nosuchthing")
    assert "no condition is called 'nosuchthing'" in run("--store", str(seeds_store), *args)[2]
    assert run("-q", "--store", str(seeds_store), *args)[2] == ""


# --- progress -----------------------------------------------------------------------------


def test_no_progress_in_piped_output(tmp_path: Path) -> None:
    store = str(tmp_path / "kg")
    code, out, err = run("--store", store, "build", str(SEEDS))
    assert code == 0
    code, out2, err2 = run("--store", store, "validate")
    assert code == 0
    for text in (out, err, out2, err2):
        assert "\r" not in text
        assert "\x1b" not in text
        assert "building" not in text
        assert "validating" not in text


def test_progress_draws_on_a_terminal_and_clears_its_line() -> None:
    terminal = FakeTerminal()
    console = Console(stderr=terminal)
    with console.progress("validating", 4, unit="graphs") as bar:
        for name in "abcd":
            bar.advance(f"graph-{name}")
        console.warning("warning: something")
    text = terminal.getvalue()
    assert "validating [" in text
    assert "4/4 graphs  graph-d" in text
    assert "\r\x1b[Kwarning: something\n" in text  # the bar is cleared before a message
    assert text.endswith("\r\x1b[K")


def test_progress_is_off_when_quiet_or_not_a_terminal() -> None:
    terminal = FakeTerminal()
    with Console(quiet=True, stderr=terminal).progress("building", 2) as bar:
        bar.advance("x")
    assert terminal.getvalue() == ""
    pipe = io.StringIO()
    with Console(stderr=pipe).progress("building", 2) as bar:
        bar.advance("x")
    assert pipe.getvalue() == ""


def test_progress_line_fits_the_width_and_counts_without_a_total() -> None:
    bar = Progress("validating", None, io.StringIO(), enabled=False, unit="graphs")
    bar.update(7, None, "https://example.org/" + "x" * 200)
    line = bar.render(60)
    assert line.startswith("validating 7 graphs  https://example.org/")
    assert len(line) < 60
    bar.update(12, 10)  # an estimated total that fell short is stretched, not overrun
    assert "[####################] 12/12" in bar.render(80)


# --- query output: auto format and colour ------------------------------------------------


def test_auto_format_is_csv_when_piped(seeds_store: Path) -> None:
    code, out, _ = run(
        "--store", str(seeds_store), "query", "drugs-tried-for", "-p", "condition=fibromyalgia"
    )
    assert code == 0
    assert out.splitlines()[0] == "drug,drug_label,drug_ids,papers,outcomes,doses"


def test_auto_format_is_a_table_on_a_terminal() -> None:
    result = QueryResult(("drug_label",), (("naltrexone",),))
    assert format_result(result, "auto").startswith("drug") is True
    assert "| " not in format_result(result, "csv")


RESULT = QueryResult(
    ("drug_label", "outcomes", "outcome"),
    (
        ("naltrexone", "improved:2|no_benefit:1", "improved"),
        ("duloxetine", "adverse_effects:1", "worsened"),
        ("amitriptyline", "mixed:1", "no_benefit"),
    ),
)


def test_colour_styles_header_and_outcomes() -> None:
    table = format_result(RESULT, "table", width=120, color=True)
    header = table.splitlines()[0]
    assert click.style("drug_label", bold=True) in header
    assert click.style("improved", fg="green") + ":2|" + click.style("no_benefit", fg="yellow")
    assert click.style("adverse_effects", fg="magenta") in table
    assert click.style("worsened", fg="red") in table
    assert click.style("mixed", fg="cyan") in table
    assert click.style("naltrexone", fg="green") not in table  # only outcome columns


def test_colour_does_not_change_alignment() -> None:
    plain = format_result(RESULT, "table", width=120)
    coloured = format_result(RESULT, "table", width=120, color=True)
    assert coloured != plain
    assert ANSI.sub("", coloured) == plain
    narrow = format_result(RESULT, "table", width=40, color=True)
    assert ANSI.sub("", narrow) == format_result(RESULT, "table", width=40)


def test_no_colour_unless_a_terminal_and_no_color_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert Console(stdout=FakeTerminal()).color is True
    assert Console(stdout=io.StringIO()).color is False
    monkeypatch.setenv("NO_COLOR", "1")
    assert Console(stdout=FakeTerminal()).color is False


def test_piped_table_output_has_no_colour(seeds_store: Path) -> None:
    code, out, _ = run("--store", str(seeds_store), "query", "findings", "--format", "table")
    assert code == 0
    assert "\x1b" not in out
    assert out.startswith("paper ")


# --- shell completion --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shell", "marker"),
    [("bash", "complete -o nosort -F"), ("zsh", "#compdef paperkg"), ("fish", "complete")],
)
def test_completion_prints_the_script(shell: str, marker: str) -> None:
    code, out, _ = run("completion", shell)
    assert code == 0
    assert "_PAPERKG_COMPLETE" in out
    assert marker in out


def test_completion_shell_defaults_to_the_login_shell() -> None:
    code, out, _ = run("completion", env={"SHELL": "/usr/bin/zsh"})
    assert code == 0
    assert "#compdef paperkg" in out
    code, _, err = run("completion", env={"SHELL": "/bin/tcsh"})
    assert code == 2
    assert "bash|zsh|fish" in err


def _complete(args: list[str], incomplete: str) -> list[str]:
    completer = BashComplete(main, {}, "paperkg", "_PAPERKG_COMPLETE")
    return [item.value for item in completer.get_completions(args, incomplete)]


def test_query_names_complete() -> None:
    names = [named.name for named in list_queries()]
    assert _complete(["query"], "") == names
    assert _complete(["query"], "drugs") == ["drugs-tried-for"]
    assert _complete(["--store", "kg", "query"], "paper") == ["paper-findings", "papers-mentioning"]


def test_query_parameters_complete() -> None:
    assert _complete(["query", "drugs-tried-for", "--param"], "") == ["condition="]
    assert _complete(["query", "paper-findings", "-p"], "pa") == ["paper="]
    assert _complete(["query", "findings", "--param"], "") == []
    assert _complete(["query", "no-such-query", "--param"], "") == []


def test_completion_through_the_environment_protocol() -> None:
    result = CliRunner().invoke(
        main,
        [],
        prog_name="paperkg",
        env={
            "_PAPERKG_COMPLETE": "bash_complete",
            "COMP_WORDS": "paperkg query drugs-t",
            "COMP_CWORD": "2",
        },
    )
    assert result.exit_code == 0
    assert "drugs-tried-for" in result.stdout


# --- helpful errors ------------------------------------------------------------------------


def test_unknown_query_suggests_the_closest_name(seeds_store: Path) -> None:
    code, _, err = run("--store", str(seeds_store), "query", "drugs-tried-fo")
    assert code == 2
    assert "did you mean 'drugs-tried-for'?" in err
    assert "use one of: chemicals-inducing," in err
    assert len(err.strip().splitlines()) == 1


def test_unknown_param_names_the_declared_ones(seeds_store: Path) -> None:
    code, _, err = run("--store", str(seeds_store), "query", "drugs-tried-for", "-p", "drug=x")
    assert code == 2
    assert "unknown parameter 'drug'; it takes: condition" in err


def test_misspelt_command_is_suggested() -> None:
    code, _, err = run("qurey")
    assert code == 2
    assert "Did you mean 'query'?" in err


def test_empty_folder_is_not_a_store(tmp_path: Path) -> None:
    code, _, err = run("--store", str(tmp_path), "query", "findings")
    assert code == 2
    assert f"build one with: paperkg --store {tmp_path} build RECORDS" in err


# --- help ----------------------------------------------------------------------------------


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = []
    for name, command in sorted(group.commands.items()):
        found.append((f"{prefix}{name}", command))
        if isinstance(command, click.Group):
            found.extend(_commands(command, f"{prefix}{name} "))
    return found


def test_every_command_has_help_with_an_example() -> None:
    missing = [
        name
        for name, command in [("paperkg", main), *_commands(main)]
        if not command.help or "Example" not in command.help
    ]
    assert not missing, f"commands without help text and an Example section: {missing}"


@pytest.mark.parametrize("name", [name for name, _ in _commands(main)])
def test_every_command_help_runs(name: str) -> None:
    code, out, _ = run(*name.split(), "--help")
    assert code == 0
    assert "Example:" in out


# --- stats and evidence -----------------------------------------------------------------------


def test_stats_reports_validation_state_logged_by_validate(tmp_path: Path) -> None:
    store = str(tmp_path / "kg")
    seeds = sorted(SEEDS.glob("*.txt"))
    assert run("--store", store, "build", "--no-validate", str(SEEDS))[0] == 0
    code, out, _ = run("--store", store, "stats", "--json")
    assert code == 0
    figures = json.loads(out)
    assert figures["papers"] == len(seeds)
    assert figures["validation"]["unchecked"] == len(seeds)
    assert run("--store", store, "validate")[0] == 0
    figures = json.loads(run("--store", store, "stats", "--json")[1])
    assert figures["validation"]["conforming"] == len(seeds)
    assert figures["validation"]["unchecked"] == 0


def test_stats_text_lists_top_drugs(seeds_store: Path) -> None:
    code, out, _ = run("--store", str(seeds_store), "stats", "--top", "1")
    assert code == 0
    top = out.split("top drugs (papers with a finding)\n")[1].splitlines()
    assert "naltrexone" in top[0]
    assert top[1].startswith("top conditions")


def test_evidence_as_csv_flags_conflicts(seeds_store: Path) -> None:
    code, out, _ = run("--store", str(seeds_store), "evidence", "--condition", "fibromyalgia")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {row["condition_label"] for row in rows} == {"fibromyalgia"}
    by_drug = {row["drug_label"]: row for row in rows}
    # Naltrexone improved fibromyalgia in some seeds and did not in another.
    assert by_drug["naltrexone"]["conflicting"] == "true"
    assert "no_benefit" in by_drug["naltrexone"]["outcomes"]
    assert by_drug["gabapentin"]["conflicting"] == "false"


def test_evidence_for_an_unknown_condition_says_so(seeds_store: Path) -> None:
    code, out, err = run("--store", str(seeds_store), "evidence", "-c", "fibromyalgai")
    assert code == 0
    assert "no condition is called 'fibromyalgai'; did you mean: fibromyalgia?" in err
    assert len(out.splitlines()) == 1  # the header only
