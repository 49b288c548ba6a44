"""Build over awkward inputs: bounded work on huge records, duplicates, idempotency."""

from __future__ import annotations

import shutil
from pathlib import Path

from paperkg.build import build
from paperkg.extraction.sentences import MAX_PROSE_CHARS
from paperkg.store import PaperStore

from conftest import SEEDS

HEADER = "# A very long record\n\n**Authors:** Ann Author\n\nPubMed · PMID: 123 · J · 2020\n\n"
ENTITIES = (
    "\n\n## Linked entities\n\n- **Chemicals:** velitrex (MESH:D900001)\n"
    "- **Diseases:** widgetitis (MONDO:0900001)\n"
)


def test_a_12_mib_record_is_built_with_bounded_extraction(tmp_path: Path) -> None:
    words = [
        "velitrex",
        "improved",
        "widgetitis",
        "pain",
        "in",
        "patients",
        "given",
        "4.5",
        "mg/day",
        "versus",
        "placebo",
        "and",
    ]
    line = " ".join(words[i % len(words)] for i in range(170_000))
    body = "\n\n".join(f"{line} paragraph {n}." for n in range(12))
    path = tmp_path / "huge.txt"
    path.write_text(HEADER + "## Abstract\n\n" + body + ENTITIES, encoding="utf-8")
    assert path.stat().st_size > 12 * 1024 * 1024
    store = PaperStore()
    report = build(store, [str(path)])
    assert report.ok
    assert report.added == [str(path)]
    assert any(f"{MAX_PROSE_CHARS:,}" in issue.message for issue in report.warnings)


def test_the_same_paper_in_two_files_is_one_paper(tmp_path: Path) -> None:
    original = SEEDS / "000_47468af30908e69c.txt"
    shutil.copy(original, tmp_path / "a.txt")
    copy = original.read_bytes().replace(b"\n", b"\r\n")
    (tmp_path / "b.txt").write_bytes(copy)
    store = PaperStore()
    report = build(store, [str(tmp_path)])
    assert len(report.added) == 1
    assert any("same paper" in issue.message for issue in report.warnings)
    assert len(store.record_graphs()) == 1
    again = build(store, [str(tmp_path)])
    assert again.added == []
    assert len(again.unchanged) == 1


def test_rebuilding_gives_the_same_store() -> None:
    first, second = PaperStore(), PaperStore()
    build(first, [str(SEEDS)])
    build(second, [str(SEEDS)])
    build(second, [str(SEEDS)])
    assert set(first) == set(second)


def test_a_folder_of_thousands_of_files_with_bad_ones_among_them(tmp_path: Path) -> None:
    for number in range(2000):
        text = (
            f"# Velitrex in widgetitis, report {number}\n\n"
            f"PubMed · PMID: {100000 + number} · J · 2020\n\n## TL;DR\n\nVelitrex helped.\n"
        )
        (tmp_path / f"{number:05d}.txt").write_text(text, encoding="utf-8")
    (tmp_path / "00500.txt").write_bytes(b"")
    (tmp_path / "01500.txt").write_bytes(b"\x00\x01binary\xff")
    store = PaperStore()
    report = build(store, [str(tmp_path)])
    assert len(report.added) == 1998
    assert sorted(Path(e.path).name for e in report.rejected) == ["00500.txt", "01500.txt"]
    assert len(store.record_graphs()) == 1998


def test_progress_is_called_once_per_record_with_its_outcome(tmp_path: Path) -> None:
    from paperkg.build import BuildStep

    steps: list[BuildStep] = []
    files = sorted(SEEDS.glob("*.txt"))
    with PaperStore(tmp_path / "kg") as store:
        build(store, [str(SEEDS)], progress=steps.append)
        assert [step.outcome for step in steps] == ["added"] * len(files)
        assert [step.source for step in steps] == [str(path) for path in files]
        assert [step.file_index for step in steps] == list(range(1, len(files) + 1))
        assert {step.file_count for step in steps} == {len(files)}
        steps.clear()
        build(store, [str(SEEDS)], progress=steps.append)
        assert [step.outcome for step in steps] == ["unchanged"] * len(files)


def test_progress_counts_every_record_of_a_many_record_file(tmp_path: Path) -> None:
    from paperkg.build import BuildStep

    from conftest import DATA

    steps: list[BuildStep] = []
    with PaperStore(tmp_path / "kg") as store:
        report = build(store, [str(DATA / "jsonl" / "mixed.jsonl")], progress=steps.append)
    assert len(steps) == len(report.added) + len(report.rejected) == 5
    assert sorted(step.outcome for step in steps) == ["added"] * 3 + ["rejected"] * 2
    assert {(step.file_index, step.file_count) for step in steps} == {(1, 1)}


def test_sources_may_be_paths_or_one_path() -> None:
    by_path = build(PaperStore(), SEEDS)
    by_list = build(PaperStore(), [SEEDS / "027_ldn_fibromyalgia_pilot.txt"])
    assert by_path.ok
    assert by_list.ok
    assert by_path.summary().startswith(f"{len(list(SEEDS.glob('*.txt')))} built")
    assert by_list.summary().startswith("1 built")


def test_the_library_build_validates_what_it_changed_as_the_command_does() -> None:
    with PaperStore() as store:
        report = build(store, [SEEDS])
        assert report.validation is not None
        assert report.validation.conforms
        assert report.conforms
        again = build(store, [SEEDS])  # nothing changed: nothing to validate
        assert again.validation is None
    with PaperStore() as store:
        assert build(store, [SEEDS], validate=False).validation is None
