"""paperkg.toml: loading, checking (file, line, key and fix in the error) and CLI precedence."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from paperkg.cli import main
from paperkg.config import OptionSpec, find_config, load_config
from paperkg.errors import ConfigError, ConfigFileError

from conftest import SEEDS

SCHEMA = {
    "": [OptionSpec("store", "store", Path), OptionSpec("base_iri", "base_iri", str)],
    "query": [
        OptionSpec("format", "fmt", str, ("auto", "table", "csv")),
        OptionSpec("param", "params", list),
    ],
    "build": [OptionSpec("strict", "strict", bool), OptionSpec("validate", "check", bool)],
}


def _write(folder: Path, text: str) -> Path:
    path = folder / "paperkg.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_values_are_keyed_for_click_and_paths_are_relative_to_the_file(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        'store = "kg"\n[query]\nformat = "csv"\nparam = ["condition=FMS"]\n'
        "[build]\nstrict = true\nvalidate = false\n",
    )
    config = load_config(path, SCHEMA)
    assert config.store == tmp_path / "kg"
    assert config.default_map() == {
        "store": tmp_path / "kg",
        "query": {"fmt": "csv", "params": ["condition=FMS"]},
        "build": {"strict": True, "check": False},
    }


def test_without_a_schema_the_top_level_is_checked_and_tables_kept(tmp_path: Path) -> None:
    path = _write(tmp_path, 'base_iri = "https://example.org/"\n[viz]\ndepth-max = 2\n')
    config = load_config(path)
    assert config.base_iri == "https://example.org/"
    assert config.sections == {"viz": {"depth_max": 2}}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('store = "kg"\n[query\n', ":2: TOML syntax error"),
        ('store = "kg"\n\n[build]\nstrict = "yes"\n', ":4: [build] strict: expected true or false"),
        ("[query]\nformat = 'xml'\n", ":2: [query] format: 'xml' is not allowed; use one of: auto"),
        (
            "[query]\nfromat = 'csv'\n",
            ":2: [query] fromat: unknown setting; did you mean 'format'?",
        ),
        ("[qurey]\nformat = 'csv'\n", ":1: unknown table [qurey]; did you mean 'query'?"),
        ("stor = 'kg'\n", ":1: stor: unknown setting; did you mean 'store'?"),
        ("store = 3\n", ":1: store: expected a path in quotes, got a number (3)"),
    ],
)
def test_a_bad_file_names_file_line_key_and_fix(tmp_path: Path, text: str, expected: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigFileError) as caught:
        load_config(path, SCHEMA)
    message = str(caught.value)
    assert message.startswith(f"{path}{expected}")
    assert "; " in message
    assert isinstance(caught.value, ConfigError)


def test_find_config_looks_in_the_folder_and_checks_an_explicit_path(tmp_path: Path) -> None:
    assert find_config(None, cwd=tmp_path) is None
    path = _write(tmp_path, "")
    assert find_config(None, cwd=tmp_path) == path
    with pytest.raises(ConfigFileError, match="no such config file"):
        find_config(tmp_path / "other.toml")


# --- through the command line ---------------------------------------------------------------


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("config") / "kg"
    result = CliRunner().invoke(main, ["--store", str(path), "build", str(SEEDS)])
    assert result.exit_code == 0, result.output
    return path


def _query(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner(env=env).invoke(
        main, [*args, "query", "drugs-tried-for", "-p", "condition=fibromyalgia"]
    )
    return result.exit_code, result.stdout, result.stderr


def test_the_file_in_the_current_folder_sets_defaults(
    store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(tmp_path, f'store = "{store}"\n[query]\nformat = "json"\n')
    monkeypatch.chdir(tmp_path)
    code, out, err = _query()
    assert code == 0, err
    assert out.startswith("[")


def test_command_line_beats_environment_beats_file_beats_default(
    store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    _write(project, f'store = "{tmp_path / "elsewhere"}"\n[query]\nformat = "json"\n')
    monkeypatch.chdir(project)
    # The file's store does not exist; the environment's does, and wins over the file.
    code, out, err = _query(env={"PAPERKG_STORE": str(store)})
    assert code == 0, err
    assert out.startswith("[")  # the file's format beats the built-in default
    # The command line wins over the environment and the file.
    code, out, err = _query("--store", str(store), env={"PAPERKG_STORE": str(tmp_path / "missing")})
    assert code == 0, err
    result = CliRunner().invoke(
        main, ["--store", str(store), "query", "findings", "--format", "tsv"]
    )
    assert result.stdout.startswith("paper\tdoi")
    # Without a file: the built-in default (auto: CSV when piped).
    monkeypatch.chdir(tmp_path)
    code, out, _ = _query("--store", str(store))
    assert out.startswith("drug,drug_label,")


def test_config_option_and_environment_variable_name_a_file(
    store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "conf" / "project.toml"
    path.parent.mkdir()
    path.write_text(f'store = "{store}"\n[query]\nformat = "tsv"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, out, _ = _query("--config", str(path))
    assert code == 0
    assert out.startswith("drug\tdrug_label")
    code, out, _ = _query(env={"PAPERKG_CONFIG": str(path)})
    assert code == 0
    assert out.startswith("drug\tdrug_label")


def test_build_defaults_come_from_the_build_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(tmp_path, 'store = "kg"\n[build]\nvalidate = false\nstrict = true\n')
    monkeypatch.chdir(tmp_path)
    bad = tmp_path / "bad.txt"
    bad.write_text("not a record\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["build", str(SEEDS), str(bad)])
    # strict from the file: the bad record stops the build with exit 1.
    assert result.exit_code == 1
    assert result.stderr.strip().startswith("Error: ")
    assert (tmp_path / "kg").is_dir()


def test_a_bad_file_is_one_line_with_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path, "[build]\nstrict = 'yes'\n")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["queries"])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"Error: {path}:2: [build] strict:")
    assert "write strict = true" in lines[0]


def test_a_missing_explicit_file_is_an_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--config", str(tmp_path / "none.toml"), "queries"])
    assert result.exit_code == 2
    assert "no such config file" in result.stderr
