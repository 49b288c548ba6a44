"""Removing papers (``remove_papers``, ``paperkg remove``) and pruning those whose record is gone
(``prune_store``, ``build --prune``): the paper's graph and findings go, shared concepts stay.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from paperkg import build, run_query, store_stats
from paperkg.concepts import reconcile_concepts
from paperkg.remove import prune_store, remove_papers
from paperkg.store import PaperStore, index_graph, validation_graphs
from paperkg.vocab import PKG, RDF

from conftest import run_cli

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
PREGABALIN_RCT = "026_pregabalin_fibromyalgia_rct.txt"
KINDS = {str(PKG.Chemical), str(PKG.Condition), str(PKG.Species)}


def _concept_nodes(store: PaperStore, graph: ox.NamedNode) -> set[str]:
    return {
        str(q.subject)
        for q in store.graph_quads(graph)
        if q.predicate.value == str(RDF.type) and str(q.object) in {f"<{k}>" for k in KINDS}
    }


@pytest.fixture
def seeds_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "records"
    shutil.copytree(SEEDS, folder)
    return folder


def test_removing_a_paper_drops_its_graph_and_findings_and_keeps_shared_concepts(
    seeds_copy: Path,
) -> None:
    store = PaperStore()
    build(store, [str(seeds_copy)])  # validates: the log holds every graph
    record = next(g for g in store.record_graphs() if "pregabalin" in _sources(store, g))
    others = [g for g in store.record_graphs() if g != record]
    own = _concept_nodes(store, record)
    elsewhere = set().union(*(_concept_nodes(store, g) for g in others))
    before = store_stats(store)
    asked = {"condition": "fibromyalgia"}
    papers_before = {r["drug_label"]: int(r["papers"] or 0) for r in _rows(store, asked)}
    assert own - elsewhere, "the test needs a concept only this paper names"
    assert own & elsewhere, "and one it shares"

    report = remove_papers(store, [record.value, "PMID:1"])

    assert report.removed == [record.value]
    assert report.not_found == ["PMID:1"]
    assert record not in store.record_graphs()
    assert not list(store.graph_quads(record))
    after = store_stats(store)
    assert after.papers == before.papers - 1
    assert after.validation.conforming == before.validation.conforming - 1  # its log entry went
    for log in validation_graphs(store):
        assert not list(store.quads_for_pattern(record, None, None, log))
    members = {
        str(q.subject)
        for q in store.quads_for_pattern(None, ox.NamedNode(str(PKG.canonical)), None)
    }
    assert own & elsewhere <= members  # shared concepts survive in the index
    assert not (own - elsewhere) & members  # concepts only this paper named are gone
    papers_after = {r["drug_label"]: int(r["papers"] or 0) for r in _rows(store, asked)}
    assert papers_after["pregabalin"] == papers_before["pregabalin"] - 1  # another paper stays
    assert {k: v for k, v in papers_after.items() if k != "pregabalin"} == {
        k: v for k, v in papers_before.items() if k != "pregabalin"
    }
    fresh = PaperStore()
    fresh.add_quads(q for q in store if q.graph_name != index_graph())
    reconcile_concepts(fresh)
    assert set(store.graph_quads(index_graph())) == set(fresh.graph_quads(index_graph()))


def _rows(store: PaperStore, params: dict[str, str]) -> list[dict[str, str | None]]:
    return run_query(store, "drugs-tried-for", params).as_dicts()


def _sources(store: PaperStore, graph: ox.NamedNode) -> str:
    return " ".join(
        str(q.object)
        for q in store.quads_for_pattern(graph, ox.NamedNode(str(PKG.sourceFile)), None, graph)
    )


def test_removing_nothing_known_changes_nothing() -> None:
    store = PaperStore()
    build(store, [str(SEEDS)], validate=False)
    before = set(store)
    report = remove_papers(store, ["10.9999/not.here"])
    assert (report.removed, report.not_found, report.concepts) == ([], ["10.9999/not.here"], None)
    assert set(store) == before


def test_prune_removes_the_papers_whose_files_are_gone_and_only_those(
    seeds_copy: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.move(str(seeds_copy / "032_gabapentin_fibromyalgia_rct.txt"), elsewhere)
    store = PaperStore()
    build(store, [str(seeds_copy), str(elsewhere)], validate=False)
    assert len(store.record_graphs()) == 8
    assert prune_store(store, [seeds_copy]).removed == []  # nothing gone yet

    (seeds_copy / PREGABALIN_RCT).unlink()
    broken = seeds_copy / "028_amitriptyline_cyclobenzaprine_fibromyalgia_rct.txt"
    broken.write_text("", encoding="utf-8")  # now unreadable: its paper is kept
    shutil.rmtree(elsewhere)  # outside the pruned sources: kept
    report = prune_store(store, [seeds_copy])

    assert len(report.removed) == 1
    assert len(store.record_graphs()) == 7
    clean = PaperStore()
    build(clean, [str(seeds_copy)], validate=False)
    kept = {g.value for g in store.record_graphs()}
    assert {g.value for g in clean.record_graphs()} < kept  # the broken file's paper stays


def test_a_rebuild_after_edits_and_removals_has_the_index_of_a_fresh_build(
    seeds_copy: Path,
) -> None:
    store = PaperStore()
    build(store, [str(seeds_copy)], validate=False)
    record = seeds_copy / PREGABALIN_RCT
    text = record.read_text(encoding="utf-8")
    assert "MESH:D000069583" in text
    record.write_text(text.replace("MESH:D000069583", "MESH:D999999"), encoding="utf-8")
    (seeds_copy / "032_gabapentin_fibromyalgia_rct.txt").unlink()
    report = build(store, [str(seeds_copy)], validate=False)
    assert report.replaced  # the edited record was rebuilt, the index updated for it alone
    prune_store(store, [seeds_copy])
    fresh = PaperStore()
    build(fresh, [str(seeds_copy)], validate=False)
    assert set(store.graph_quads(index_graph())) == set(fresh.graph_quads(index_graph()))


def test_the_cli_removes_and_prunes(seeds_copy: Path, tmp_path: Path) -> None:
    store = str(tmp_path / "kg")
    assert run_cli("--store", store, "build", str(seeds_copy), "--no-validate")[0] == 0
    code, out, err = run_cli("--store", store, "remove", "10.7759/cureus.83824", "PMID:1")
    assert code == 1  # one of the two is not in the store: said on one line, the other removed
    assert "1 paper(s) removed" in out + err
    assert "PMID:1: no such paper in" in err
    assert len(err.strip().splitlines()) == 1
    (seeds_copy / PREGABALIN_RCT).unlink()
    code, out, err = run_cli("--store", store, "build", "--prune", str(seeds_copy), "--no-validate")
    assert code == 0, err
    assert "pruned: 1 paper(s) removed" in out + err
    with PaperStore(store, read_only=True) as opened:
        assert len(opened.record_graphs()) == 7  # the removed case report was built again


def test_prune_after_a_build_uses_what_the_build_read(seeds_copy: Path) -> None:
    store = PaperStore()
    build(store, [str(seeds_copy)], validate=False)
    (seeds_copy / PREGABALIN_RCT).unlink()
    broken = seeds_copy / "028_amitriptyline_cyclobenzaprine_fibromyalgia_rct.txt"
    broken.write_text("", encoding="utf-8")  # rejected by the build: its paper is kept
    report = build(store, [str(seeds_copy)], validate=False)
    assert report.rejected
    assert len(report.papers_read) == 6
    pruned = prune_store(store, [seeds_copy], built=report)
    assert len(pruned.removed) == 1
    assert len(store.record_graphs()) == 7
