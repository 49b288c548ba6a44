"""expand_sources: files, folders and globs become one sorted list without duplicates."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from paperkg.errors import RecordError
from paperkg.readers import expand_sources

FIXTURES = Path(__file__).resolve().parent / "data" / "records"


def _tree(root: Path) -> Path:
    for name in (
        "b.txt",
        "a.md",
        "A.TXT",
        "notes.json",
        "README.md",
        ".hidden.txt",
        "sub/c.txt",
        "sub/deeper/d.md",
        ".git/e.txt",
        "sub/.cache/f.txt",
    ):
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("# T\n", encoding="utf-8")
    return root


def _names(paths: list[Path], root: Path) -> list[str]:
    return [path.relative_to(root).as_posix() for path in paths]


def test_folder_is_walked_recursively_skipping_readme_hidden_and_other_files(
    tmp_path: Path,
) -> None:
    root = _tree(tmp_path)
    found = expand_sources([str(root)])
    assert _names(found, root) == ["A.TXT", "a.md", "b.txt", "sub/c.txt", "sub/deeper/d.md"]
    assert all(isinstance(path, Path) for path in found)


def test_duplicates_across_sources_are_dropped(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    sources = [str(root / "b.txt"), str(root), str(root / "sub" / ".." / "b.txt"), f"{root}/*.txt"]
    found = expand_sources(sources)
    assert _names(found, root) == ["A.TXT", "a.md", "b.txt", "sub/c.txt", "sub/deeper/d.md"]


def test_order_does_not_depend_on_the_order_of_sources(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    one = expand_sources([str(root / "sub"), str(root / "b.txt")])
    two = expand_sources([str(root / "b.txt"), str(root / "sub")])
    assert one == two == sorted(one, key=str)


def test_symlink_to_a_listed_file_counts_once(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    os.symlink(root / "b.txt", root / "link.txt")
    found = expand_sources([str(root / "b.txt"), str(root / "link.txt")])
    assert len(found) == 1


def test_globs_including_recursive_ones(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    assert _names(expand_sources([f"{root}/*.txt"]), root) == ["b.txt"]  # globs match case
    assert _names(expand_sources([f"{root}/**/*.md"]), root) == ["a.md", "sub/deeper/d.md"]
    assert _names(expand_sources([f"{root}/su?"]), root) == ["sub/c.txt", "sub/deeper/d.md"]
    # a glob's matches are filtered like a folder's: no README.md, no other endings
    assert _names(expand_sources([f"{root}/*"]), root)[:3] == ["A.TXT", "a.md", "b.txt"]
    assert "README.md" not in _names(expand_sources([f"{root}/*"]), root)


def test_a_file_named_directly_is_always_taken(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    found = expand_sources([str(root / "README.md"), str(root / "notes.json")])
    assert _names(found, root) == ["README.md", "notes.json"]


def test_a_single_string_and_other_suffixes(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    assert _names(expand_sources(str(root / "sub")), root) == ["sub/c.txt", "sub/deeper/d.md"]
    assert _names(expand_sources([root], suffixes=[".json"]), root) == ["notes.json"]


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("missing-folder", "no such file or folder"),
        ("missing-*.txt", "no such file or folder"),
        ("*.json", "pattern matches no record files (.txt, .md)"),
        ("empty", "folder holds no record files (.txt, .md)"),
    ],
)
def test_a_source_that_gives_nothing_is_an_error(tmp_path: Path, source: str, problem: str) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "data.json").write_text("{}", encoding="utf-8")
    text = str(tmp_path / source)
    with pytest.raises(RecordError) as caught:
        expand_sources([str(tmp_path / "data.json"), text])
    assert (caught.value.path, caught.value.line, caught.value.field) == (text, 0, "source")
    assert caught.value.problem == problem
    assert caught.value.fix == "check the path or glob"


def test_the_fixture_folder() -> None:
    found = expand_sources([str(FIXTURES)])
    assert all(path.suffix == ".txt" for path in found)
    assert [path.parent.name for path in found].count("invalid") == 4
    assert len(found) == len(set(found)) == 15
