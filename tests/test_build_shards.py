"""``build --shards``: the folder the workers write, loaded into an empty store, is the store a
local build of the same records writes; bad records, reruns and withdrawn papers behave as in a
build, and a failed build leaves no shard behind.
"""

from __future__ import annotations

import gzip
import importlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from paperkg.build import BuildReport, build
from paperkg.build_shards import ShardBuild, build_shards
from paperkg.errors import RecordError
from paperkg.store import PaperStore, index_graph

from conftest import DATA, Vanishing, run_cli, widget_record

DEV = DATA / "eval" / "dev"
#: A PubMed article set whose DeleteCitation withdraws one PMID
ARTICLE_SET = DATA / "pubmed" / "pubmed-article-set.xml"
OXIGRAPH = Path(sys.executable).parent / "oxigraph"
SHARDS_MODULE = importlib.import_module("paperkg.build_shards")


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Batches of 8 records, so that a few dozen records make several batches and pieces."""
    monkeypatch.setattr(SHARDS_MODULE, "JOB_RECORDS", 8)


@pytest.fixture
def records(tmp_path: Path) -> Path:
    """The dev records and, last in sorted order, a file that is not a record."""
    folder = tmp_path / "records"
    shutil.copytree(DEV, folder)
    (folder / "zz_binary.txt").write_bytes(b"\x00\x01binary\xff")
    return folder


def _local(sources: list[Path], **options: object) -> tuple[set[ox.Quad], BuildReport]:
    """The store a build in one process writes (validated, as ``paperkg build`` validates)."""
    store = PaperStore()
    report = build(store, [str(s) for s in sources], workers=1, **options)  # type: ignore[arg-type]
    return set(store), report


def _manifest(folder: Path) -> dict[str, object]:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert isinstance(manifest, dict)
    return manifest


def _shards(folder: Path) -> list[Path]:
    shards = _manifest(folder)["shards"]
    assert isinstance(shards, list)
    return [folder / entry["file"] for entry in shards]


def _loaded(folder: Path) -> set[ox.Quad]:
    """The shards loaded into an empty store, as a bulk loader takes them."""
    store = ox.Store()
    for path in _shards(folder):
        data = path.read_bytes()
        store.load(gzip.decompress(data) if path.suffix == ".gz" else data, ox.RdfFormat.N_QUADS)
    return set(store)


def _same_report(written: ShardBuild, local: BuildReport) -> None:
    report = written.report
    assert report.summary() == local.summary()
    assert [str(error) for error in report.rejected] == [str(error) for error in local.rejected]
    assert [str(issue) for issue in report.warnings] == [str(issue) for issue in local.warnings]
    assert report.removed == local.removed
    assert report.validation is not None
    assert local.validation is not None
    assert report.validation.conforms == local.validation.conforms


def test_shards_of_a_pool_build_load_into_the_store_a_local_build_writes(
    records: Path,
    tmp_path: Path,
    small_batches: None,
    eager_workers: None,  # every graph is written by a worker
) -> None:
    expected, local = _local([records])
    out = tmp_path / "shards"
    written = build_shards(out, [records], workers=2, shard_size=3000)
    assert _loaded(out) == expected
    _same_report(written, local)
    assert len(local.rejected) == 1
    # the layout of export --shard-size: numbered shards, the manifest, nothing else left
    shards = _shards(out)
    assert [path.name for path in shards] == [f"part-{n:05d}.nq" for n in range(len(shards))]
    assert sorted(path.name for path in out.iterdir()) == sorted(
        ["manifest.json", *(path.name for path in shards)]
    )
    assert len(shards) == written.shards > 3
    assert _manifest(out)["statements"] == written.statements == len(expected)
    assert not list(tmp_path.glob(".shards.*"))  # the temporary store is gone
    # whole graphs per shard (the concept index alone may be split), at most 3000 statements
    seen: dict[ox.NamedNode | ox.DefaultGraph, Path] = {}
    for path in shards:
        quads = list(ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS))
        graphs = {quad.graph_name for quad in quads}
        assert len(quads) <= 3000 or len(graphs) == 1
        for graph in graphs - {index_graph()}:
            assert seen.setdefault(graph, path) == path, f"{graph} is split"


def test_a_strict_build_stops_at_the_bad_record_and_leaves_no_shard(
    records: Path, tmp_path: Path
) -> None:
    out = tmp_path / "shards"
    with pytest.raises(RecordError, match=r"zz_binary\.txt"):
        build_shards(out, [records], workers=1, strict=True)
    # only the mark that says the folder is paperkg's (a rerun may use it)
    assert [path.name for path in out.iterdir()] == [".paperkg-export-incomplete"]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["records", "shards"]


def test_a_worker_that_dies_costs_only_its_record(
    tmp_path: Path,
    small_batches: None,
    eager_workers: None,
) -> None:
    folder = tmp_path / "records"
    shutil.copytree(DEV, folder)
    expected, _ = _local([folder])
    (folder / "000_vanishes.txt").write_text(
        widget_record("VANISH in widgetitis"), encoding="utf-8"
    )
    out = tmp_path / "shards"
    written = build_shards(out, [folder], workers=2, extractor=Vanishing())
    assert [Path(error.path).name for error in written.report.rejected] == ["000_vanishes.txt"]
    assert "the worker process extracting it died" in str(written.report.rejected[0])
    assert _loaded(out) == expected


def test_a_paper_withdrawn_later_in_the_build_is_left_out(tmp_path: Path) -> None:
    deletion = ARTICLE_SET.read_text(encoding="utf-8").split("<DeleteCitation>")[1]
    withdrawn = re.findall(r"<PMID[^>]*>(\d+)</PMID>", deletion)[0]
    folder = tmp_path / "records"
    folder.mkdir()
    # read first (sorted order), then the article set whose DeleteCitation withdraws it
    (folder / "a_withdrawn.nbib").write_text(
        f"PMID- {withdrawn}\nTI  - A paper PubMed later withdrew.\n"
        "AB  - Patients with schizophrenia were given clozapine.\n"
        "LID - 10.1000/withdrawn [doi]\nDP  - 2015 Oct\n",
        encoding="utf-8",
    )
    shutil.copy(ARTICLE_SET, folder / "b_article_set.xml")
    expected, local = _local([folder])
    assert len(local.removed) == 1
    out = tmp_path / "shards"
    written = build_shards(out, [folder], workers=1)
    _same_report(written, local)
    assert _loaded(out) == expected


def test_the_command_loads_into_oxigraph_and_reruns_replace_only_its_own_files(
    tmp_path: Path,
) -> None:
    mappings = DATA / "mappings" / "conditions.sssom.tsv"
    store = tmp_path / "kg"
    code, _, err = run_cli("--store", str(store), "build", "--mappings", str(mappings), str(DEV))
    assert code == 0, err
    with PaperStore.open_existing(store) as built:
        expected = set(built)
    out = tmp_path / "shards"
    unused = tmp_path / "unused"
    command = ["--store", str(unused), "build", "--mappings", str(mappings), "--gzip"]
    code, stdout, err = run_cli(*command, "--shard-size", "2000", "--shards", str(out), str(DEV))
    assert code == 0, err
    assert f"shards -> {out}" in stdout
    assert not unused.exists()  # the store is left alone
    many = _shards(out)
    # a rerun replaces the shards it wrote, and keeps a file of the user's
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    code, _, err = run_cli(*command, "--shards", str(out), str(DEV))
    assert code == 0, err
    few = _shards(out)
    assert 1 <= len(few) < len(many)
    assert sorted(path.name for path in out.iterdir()) == sorted(
        ["manifest.json", "notes.txt", *(path.name for path in few)]
    )
    loaded = tmp_path / "loaded"
    subprocess.run(
        [str(OXIGRAPH), "load", "--location", str(loaded), "--file", *map(str, few)],
        check=True,
        capture_output=True,
    )
    with PaperStore.open_existing(loaded) as opened:
        assert set(opened) == expected


def test_a_folder_that_is_not_paperkgs_is_refused_in_one_line(tmp_path: Path) -> None:
    out = tmp_path / "theirs"
    out.mkdir()
    (out / "data.txt").write_text("theirs", encoding="utf-8")
    code, _, err = run_cli("--store", str(tmp_path / "kg"), "build", "--shards", str(out), str(DEV))
    assert code != 0
    message = err.strip()
    assert "\n" not in message
    assert "holds no paperkg export" in message
    assert "--shards" in message
    assert [path.name for path in out.iterdir()] == ["data.txt"]
    code, _, err = run_cli("build", "--shards", str(tmp_path / "s"), "--prune", str(DEV))
    assert code == 2
    assert "--prune" in err
    assert not (tmp_path / "s").exists()


@pytest.mark.slow
def test_shards_written_by_dask_workers_load_into_the_local_build(
    cluster: str,
    records: Path,
    tmp_path: Path,
    small_batches: None,
) -> None:
    expected, local = _local([records])
    out = tmp_path / "shards"
    written = build_shards(out, [records], scheduler=cluster)
    assert _loaded(out) == expected
    _same_report(written, local)
    assert written.shards > 3  # the batches the workers wrote, then the collection's graphs
