"""Parallel build: the store, report and progress of one process with any number of workers; a
bad record or a dying worker costs only itself; a killed or interrupted build converges."""

from __future__ import annotations

import contextlib
import gc
import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from paperkg.build import BuildReport, BuildStep, build, map_file
from paperkg.build_pool import START_AFTER, RecordPool, Shipped
from paperkg.errors import ConfigError, RecordError
from paperkg.extraction import RuleExtractor
from paperkg.model import Extraction, PaperRecord
from paperkg.store import PaperStore, tally_graph
from paperkg.vocab import PKG

from conftest import DATA, REPO, SEEDS, Vanishing, run_cli, widget_record

DEV = DATA / "eval" / "dev"
#: Records for the kill and Ctrl-C tests: enough that the workers are busy when the signal comes.
KILL_RECORDS = 400


class Tracing(RuleExtractor):
    """The rule extractor (same name and version, so the same graphs), noting which process
    extracted each record."""

    def __init__(self, log: Path) -> None:
        self.log = str(log)

    def extract(self, record: PaperRecord) -> Extraction:
        with open(self.log, "a", encoding="utf-8") as out:
            out.write(f"{os.getpid()} {Path(record.source).name}\n")
        return super().extract(record)


class Exploding(RuleExtractor):
    """Fails on a record whose title says EXPLODE, as a buggy extractor would."""

    def extract(self, record: PaperRecord) -> Extraction:
        if "EXPLODE" in record.title:
            raise ValueError("boom\non two lines")
        return super().extract(record)


def _pids(log: Path) -> list[int]:
    if not log.exists():
        return []
    return [int(line.split()[0]) for line in log.read_text(encoding="utf-8").splitlines()]


def _report(report: BuildReport) -> tuple[Any, ...]:
    return (
        report.added,
        report.replaced,
        report.unchanged,
        [str(error) for error in report.rejected],
        [str(issue) for issue in report.warnings],
        report.changed_graphs,
    )


def _built(sources: list[Path], **options: Any) -> tuple[PaperStore, BuildReport, list[BuildStep]]:
    store, steps = PaperStore(), list[BuildStep]()
    options.setdefault("validate", False)
    report = build(store, [str(s) for s in sources], progress=steps.append, **options)
    return store, report, steps


@pytest.fixture
def mixed(tmp_path: Path) -> Path:
    """The seeds, a second copy of one (same paper), an empty file and a record that explodes."""
    folder = tmp_path / "mixed"
    shutil.copytree(SEEDS, folder)
    original = (SEEDS / "000_47468af30908e69c.txt").read_bytes()
    (folder / "000_copy.txt").write_bytes(original.replace(b"\n", b"\r\n"))
    (folder / "000_empty.txt").write_bytes(b"")
    (folder / "000_explodes.txt").write_text(
        widget_record("EXPLODE in widgetitis"), encoding="utf-8"
    )
    return folder


@pytest.mark.parametrize("source", [SEEDS, DEV], ids=["seeds", "dev"])
def test_two_workers_build_the_store_report_and_progress_of_one(
    source: Path, tmp_path: Path, eager_workers: None
) -> None:
    one, two = tmp_path / "one.log", tmp_path / "two.log"
    store_1, report_1, steps_1 = _built([source], workers=1, extractor=Tracing(one))
    store_2, report_2, steps_2 = _built([source], workers=2, extractor=Tracing(two))
    assert set(store_2) == set(store_1)
    assert _report(report_2) == _report(report_1)
    assert steps_2 == steps_1
    assert report_1.ok
    assert len(report_1.added) == len(steps_1) > 0
    assert set(_pids(one)) == {os.getpid()}
    workers = set(_pids(two))
    assert len(_pids(two)) == len(report_1.added)
    assert os.getpid() not in workers
    assert 1 <= len(workers) <= 2


def test_by_default_records_are_extracted_here_until_the_workers_answer(tmp_path: Path) -> None:
    log = tmp_path / "extracted.log"
    store_1, report_1, _ = _built([DEV], workers=1)
    store_2, report_2, _ = _built([DEV], workers=2, extractor=Tracing(log))
    assert set(store_2) == set(store_1)
    assert _report(report_2) == _report(report_1)
    pids = _pids(log)
    assert len(pids) == len(report_1.added)
    # the first ones always here: a build this small is done before workers would start
    assert pids[:START_AFTER] == [os.getpid()] * START_AFTER


def test_bad_records_and_duplicates_are_reported_alike(mixed: Path, eager_workers: None) -> None:
    _, report_1, steps_1 = _built([mixed], workers=1, extractor=Exploding())
    _, report_2, steps_2 = _built([mixed], workers=2, extractor=Exploding())
    assert _report(report_2) == _report(report_1)
    assert steps_2 == steps_1
    assert sorted(Path(error.path).name for error in report_2.rejected) == [
        "000_empty.txt",
        "000_explodes.txt",
    ]
    exploded = str(report_2.rejected[-1])
    assert exploded.startswith(f"{mixed / '000_explodes.txt'}:0: extraction: failed (ValueError")
    assert "boom on two lines" in exploded
    assert "\n" not in exploded
    assert any("same paper" in str(issue) for issue in report_2.warnings)
    assert len(report_2.added) == len(list(SEEDS.glob("*.txt")))
    assert [step.outcome for step in steps_2].count("duplicate") == 1


def test_strict_stops_at_the_first_bad_record_with_the_earlier_ones_written(
    mixed: Path, eager_workers: None
) -> None:
    (mixed / "000_empty.txt").unlink()
    stores = []
    for workers in (1, 2):
        store = PaperStore()
        with pytest.raises(RecordError, match=r"000_explodes\.txt:0: extraction: failed"):
            build(store, [mixed], workers=workers, extractor=Exploding(), strict=True)
        stores.append(set(store))
    assert stores[0] == stores[1]
    # in sorted order: the first seed, its copy (a duplicate, skipped), then the bad record;
    # beside it only the mark that the build stopped before recounting its tallies
    stale = ox.Quad(
        tally_graph(), ox.NamedNode(str(PKG.talliesStale)), ox.Literal(True), tally_graph()
    )
    assert stores[1] == set(map_file(mixed / "000_47468af30908e69c.txt")[2].quads) | {stale}


def test_a_worker_that_dies_costs_only_itswidget_record(mixed: Path, eager_workers: None) -> None:
    (mixed / "000_empty.txt").unlink()
    (mixed / "000_explodes.txt").unlink()
    (mixed / "000_vanishes.txt").write_text(widget_record("VANISH in widgetitis"), encoding="utf-8")
    store, report, _ = _built([mixed], workers=2, extractor=Vanishing())
    assert [str(error) for error in report.rejected] == [
        f"{mixed / '000_vanishes.txt'}:0: extraction: failed (the worker process extracting it "
        "died); check the record; if it looks fine, report it with this line (the others were "
        "built)"
    ]
    seeds_only, _, _ = _built([SEEDS], workers=1)
    assert len(report.added) == len(list(SEEDS.glob("*.txt")))
    assert {q.graph_name for q in store} == {q.graph_name for q in seeds_only}


def test_up_to_date_records_never_reach_a_worker(tmp_path: Path, eager_workers: None) -> None:
    folder = tmp_path / "dev"
    shutil.copytree(DEV, folder)
    log = tmp_path / "extracted.log"
    with PaperStore(tmp_path / "kg") as store:
        build(store, [folder], workers=1, validate=False)
        again = build(store, [folder], workers=2, extractor=Tracing(log), validate=False)
        assert len(again.unchanged) == len(list(folder.glob("*.txt")))
        assert not log.exists()
        changed = sorted(folder.glob("*.txt"))[3]
        changed.write_text(changed.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        third = build(store, [folder], workers=2, extractor=Tracing(log), validate=False)
    assert third.replaced == [str(changed)]
    assert log.read_text(encoding="utf-8").split()[1] == changed.name
    assert _pids(log)[0] != os.getpid()


def test_quads_come_back_from_a_worker_unchanged() -> None:
    from pyoxigraph import RdfFormat, serialize

    for path in sorted(DEV.glob("*.txt")):
        mapped = map_file(path)[2]
        data = serialize(mapped.quads, format=RdfFormat.N_QUADS) or b""
        shipped = Shipped(
            mapped.graph.value, mapped.paper.value, mapped.paper_key, mapped.build_key, data
        )
        assert shipped.received() == mapped


def test_workers_leave_the_forkservers_objects_to_it() -> None:
    """The forkserver freezes what it imported (and the data extraction loads on first use)
    before it forks: a worker's garbage collections never touch those pages, which stay shared.
    """
    pool = RecordPool(2, RuleExtractor(), "rules/test", "https://example.org/")
    try:
        while not pool.ready():
            time.sleep(0.05)
        executor = pool._executor
        assert executor is not None
        assert executor.submit(gc.get_freeze_count).result() > 0
    finally:
        pool.close()
    assert gc.get_freeze_count() == 0  # never this process's


def _forkservers() -> list[int]:
    """This process's children that are forkservers."""
    found = []
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        children = (task / "children").read_text(encoding="utf-8").split()
        for child in children:
            with contextlib.suppress(OSError):
                if b"forkserver" in Path(f"/proc/{child}/cmdline").read_bytes():
                    found.append(int(child))
    return found


def test_the_forkserver_is_gone_when_the_build_is(eager_workers: None) -> None:
    """Alone, the forkserver held its imports while the build wrote the index (its peak)."""
    store, report, _ = _built([SEEDS], workers=2)
    assert report.ok
    assert _forkservers() == []
    store_2, report_2, _ = _built([SEEDS], workers=2)  # the next build starts another
    assert report_2.ok
    assert set(store_2) == set(store)
    assert _forkservers() == []


class _Unpicklable(RuleExtractor):
    def __init__(self) -> None:
        self.hook = lambda: None


def test_bad_worker_settings_are_one_line_errors() -> None:
    with pytest.raises(ConfigError, match=r"^workers: 0 is below 1; give 1"):
        build(PaperStore(), [SEEDS], workers=0)
    with pytest.raises(ConfigError, match=r"^workers: extractor rules/.* cannot be sent"):
        build(PaperStore(), [SEEDS], workers=2, extractor=_Unpicklable())
    # not asked for workers: such an extractor runs in this process
    assert build(PaperStore(), [SEEDS], extractor=_Unpicklable(), validate=False).ok


def test_the_command_takes_workers(tmp_path: Path) -> None:
    code, out, _ = run_cli("--store", str(tmp_path / "kg"), "build", "--workers", "2", str(SEEDS))
    assert code == 0
    assert out.startswith(f"{len(list(SEEDS.glob('*.txt')))} built")
    code, _, err = run_cli("--store", str(tmp_path / "kg"), "build", "--workers", "0", str(SEEDS))
    assert code == 2
    assert "--workers" in err


# --- a build killed or interrupted half-way, then run again --------------------------------


def _write_records(folder: Path, count: int) -> None:
    spec = importlib.util.spec_from_file_location("bench_build", REPO / "bench" / "bench_build.py")
    assert spec is not None
    assert spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    bench.write_records(folder, count)


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, set[Any]]:
    """A few hundred records and the quads of a clean build of them."""
    folder = tmp_path_factory.mktemp("many") / "records"
    folder.mkdir()
    _write_records(folder, KILL_RECORDS)
    with PaperStore(folder.parent / "clean") as store:
        assert build(store, [str(folder)], workers=1, validate=False).ok
        return folder, set(store)


def _session(leader: int) -> list[str]:
    """The live processes of the session ``leader`` started: the build, its forkserver and
    workers, the resource tracker."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text(encoding="utf-8")
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, ValueError):
            continue
        state, _, _, session = stat.rsplit(")", 1)[1].split()[:4]
        if int(session) == leader and state != "Z":
            found.append(command)
    return found


def _gone(leader: int, within: float = 20.0) -> list[str]:
    deadline = time.monotonic() + within
    while (left := _session(leader)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def _build_command(store: Path, folder: Path) -> list[str]:
    return [sys.executable, "-m", "paperkg", "-v", "--store", str(store), "build",
            "--workers", "2", "--no-validate", str(folder)]  # fmt: skip


@contextlib.contextmanager
def _ctrl_c_as_on_a_terminal() -> Iterator[None]:
    """A build started from a terminal answers Ctrl-C; one started by a shell in the background
    (as ``make test`` may be) inherits SIGINT ignored and would not: start it as from a
    terminal, with Python's own handler, which the child inherits as the default.
    """
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@pytest.fixture
def half_built(many: tuple[Path, set[Any]], tmp_path: Path) -> Iterator[Any]:
    """Start ``paperkg build --workers 2``; the test signals it once both workers run and have
    written records."""
    folder, _ = many
    store = tmp_path / "kg"
    with _ctrl_c_as_on_a_terminal():
        process = subprocess.Popen(
            _build_command(store, folder),
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
    assert process.stderr is not None
    written = after_workers = workers = 0
    for line in process.stderr:
        written += line.startswith("added")
        if workers < 2:  # reading /proc per line let the build outrun the reader
            workers = sum("forkserver" in command for command in _session(process.pid)) - 1
        after_workers += line.startswith("added") and workers >= 2
        if after_workers >= 10:
            # held still until the test signals it: a fast machine would otherwise finish
            # the build before the signal arrives (the signal is delivered on SIGCONT)
            os.killpg(process.pid, signal.SIGSTOP)
            break
    else:
        pytest.fail(f"the build ended before its workers ran ({written} records written)")
    assert process.poll() is None, "the build finished before it could be interrupted"
    try:
        yield process, store, written
    finally:
        with contextlib.suppress(ProcessLookupError):  # nothing of the group left stopped
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


_needs_proc = pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="reads processes from /proc"
)


@pytest.mark.slow
@_needs_proc
def test_a_killed_build_leaves_whole_graphs_and_converges(
    half_built: Any, many: tuple[Path, set[Any]]
) -> None:
    process, store_path, written = half_built
    os.kill(process.pid, signal.SIGKILL)
    os.killpg(process.pid, signal.SIGCONT)  # its workers see their parent gone
    assert process.wait(timeout=30) == -signal.SIGKILL
    assert _gone(process.pid) == [], "processes outlived the killed build"
    folder, clean = many
    with PaperStore(store_path) as store:
        graphs = len(store.record_graphs())
    # every graph the killed build wrote is whole: the next build finds it up to date
    assert written <= graphs < KILL_RECORDS
    again = subprocess.run(
        _build_command(store_path, folder), capture_output=True, text=True, check=False
    )
    assert again.returncode == 0, again.stderr
    assert (
        f"{KILL_RECORDS - graphs} built ({KILL_RECORDS - graphs} new, 0 replaced), " in again.stdout
    )
    assert f", {graphs} unchanged, 0 rejected" in again.stdout
    with PaperStore(store_path) as store:
        assert set(store) == clean


@pytest.mark.slow
@_needs_proc
def test_ctrl_c_stops_the_build_and_its_workers_cleanly(
    half_built: Any, many: tuple[Path, set[Any]]
) -> None:
    process, store_path, _ = half_built
    os.killpg(process.pid, signal.SIGINT)  # as a terminal does: the whole process group
    os.killpg(process.pid, signal.SIGCONT)
    assert process.wait(timeout=60) == 1
    rest = process.stderr.read()
    assert "Traceback" not in rest
    assert rest.strip().endswith("Aborted!")
    assert _gone(process.pid) == [], "processes outlived the interrupted build"
    folder, clean = many
    again = subprocess.run(
        _build_command(store_path, folder), capture_output=True, text=True, check=False
    )
    assert again.returncode == 0, again.stderr
    with PaperStore(store_path) as store:
        assert set(store) == clean


def test_a_pool_found_broken_when_a_batch_is_sent_costs_no_record(
    mixed: Path, eager_workers: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker that dies can break the pool before the next batch goes: that batch's records
    are sent again, one at a time, to the fresh pool, as the ones in flight are.
    """
    (mixed / "000_empty.txt").unlink()
    (mixed / "000_explodes.txt").unlink()
    submit = RecordPool.submit
    calls: list[int] = []

    def broken_once(pool: RecordPool, records: list[PaperRecord]) -> Any:
        calls.append(len(records))
        if len(calls) == 2:
            raise BrokenProcessPool("a child process terminated abruptly")
        return submit(pool, records)

    monkeypatch.setattr(RecordPool, "submit", broken_once)
    store, report, _ = _built([mixed], workers=2, extractor=RuleExtractor())
    local, local_report, _ = _built([mixed], workers=1)
    assert len(calls) > 2
    assert report.ok
    assert set(store) == set(local)
    assert _report(report) == _report(local_report)
