"""The counts kept at ingest: they give the same answers as counting the findings, they stay
equal to a full recount through adds, replacements and removals, and a killed writer leaves
them stale (readers count from the findings) until the next build recounts everything.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any
from unittest import mock

import pyoxigraph as ox
import pytest
from rdflib import Literal

import paperkg.query
import paperkg.stats
from paperkg import build, evidence_summary, export_store, run_query, store_stats
from paperkg.identifiers import concept_lookup_key
from paperkg.remove import prune_store
from paperkg.store import PaperStore, bookkeeping, tallies_current, tally_graph
from paperkg.tallies import drugs_tried_for, refresh_tallies
from paperkg.validate import load_shapes, validate_graph
from paperkg.viz import ViewFilter, drug_condition_graph, support, tally_views, views
from paperkg.viz.snapshot import read_snapshot
from paperkg.vocab import PKG, RDF, SKOS

from conftest import DATA, SEEDS, SHARED

#: Real records (not the unseen blind sets) whose concepts join across records, with
#: identifier conflicts and condition subtypes among them.
SOURCES = (SHARED / "records", DATA / "eval" / "dev", DATA / "eval" / "blind", SEEDS)


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Every record file of SOURCES, copied under distinct names into one folder."""
    folder = tmp_path_factory.mktemp("records")
    copied = []
    for number, source in enumerate(SOURCES):
        for path in sorted(source.iterdir()):
            if path.suffix in {".txt", ".md"} and path.name != "WRITING.md":
                target = folder / f"{number}-{path.name}"
                shutil.copyfile(path, target)
                copied.append(target)
    return copied


@pytest.fixture(scope="module")
def built(records: list[Path]) -> PaperStore:
    store = PaperStore()
    build(store, [str(records[0].parent)], validate=False, workers=1)
    return store


def _counted_from_findings() -> Any:
    """Readers as in a store without tallies: every answer counted from the findings."""
    return mock.patch.object(paperkg.stats, "tallies_usable", return_value=False)


def _tallies(store: PaperStore) -> set[ox.Quad]:
    return set(store.graph_quads(tally_graph()))


def _condition_names(store: PaperStore) -> list[str]:
    rows = run_query(store, "findings").as_dicts()
    return sorted({str(row["condition_label"]) for row in rows if row["condition_label"]})


def test_the_store_keeps_current_tallies_after_a_build(built: PaperStore) -> None:
    assert tallies_current(built) is True
    kinds = {
        q.subject.value.rsplit("/", 2)[-2]
        for q in _tallies(built)
        if isinstance(q.subject, ox.NamedNode) and "/tally/" in q.subject.value
    }
    assert kinds == {"pair", "outcome", "design", "agreement", "concept"}


def test_drugs_tried_for_from_tallies_equals_the_query_for_every_condition(
    built: PaperStore,
) -> None:
    answered = 0
    conditions = _condition_names(built)
    assert len(conditions) > 20
    for condition in conditions:
        fast = run_query(built, "drugs-tried-for", {"condition": condition})
        with mock.patch.object(paperkg.query, "drugs_tried_for", return_value=None):
            slow = run_query(built, "drugs-tried-for", {"condition": condition})
        assert fast == slow, condition
        answered += drugs_tried_for(built, concept_lookup_key(condition)) is not None
    assert answered > len(conditions) // 2, "most answers come from the tallies"


def test_a_condition_with_subtypes_is_counted_from_the_findings(built: PaperStore) -> None:
    """Distinct papers across a concept and its subtypes cannot be summed from counts."""
    broad, canonical = ox.NamedNode(str(SKOS.broadMatch)), ox.NamedNode(str(PKG.canonical))
    subtyped = [q.object for q in built.quads_for_pattern(None, broad, None)]
    assert subtyped, "the records state condition subtypes"
    concepts = [
        index.object
        for node in subtyped
        if isinstance(node, ox.NamedNode)
        for index in built.quads_for_pattern(node, canonical, None)
        if isinstance(index.object, ox.NamedNode)
    ]
    keys = {
        q.object.value
        for concept in concepts
        for q in built.quads_for_pattern(concept, ox.NamedNode(str(PKG.conceptKey)), None)
        if isinstance(q.object, ox.Literal)
    }
    assert any(drugs_tried_for(built, key) is None for key in keys)


def test_evidence_and_stats_from_tallies_equal_counting_the_findings(built: PaperStore) -> None:
    fast_all, fast_stats = evidence_summary(built), store_stats(built)
    narrowed = {c: evidence_summary(built, condition=c) for c in _condition_names(built)[:15]}
    by_drug = evidence_summary(built, drug=fast_all[0].drug_label)
    with _counted_from_findings():
        assert evidence_summary(built) == fast_all
        assert store_stats(built) == fast_stats
        for condition, rows in narrowed.items():
            assert evidence_summary(built, condition=condition) == rows, condition
        assert evidence_summary(built, drug=fast_all[0].drug_label) == by_drug
    assert len(fast_all) > 50
    assert fast_stats.top_drugs
    assert fast_stats.top_conditions


def _full_recount_of(store: PaperStore, folder: Path) -> set[ox.Quad]:
    fresh = PaperStore()
    build(fresh, [str(folder)], validate=False, workers=1)
    assert _same_records(fresh, store)
    return _tallies(fresh)


def _built_from(records: list[Path], tmp_path: Path) -> tuple[Path, PaperStore]:
    """A folder of ``records`` and a store built from it (not validated, one process)."""
    folder = tmp_path / "in"
    folder.mkdir()
    for path in records:
        shutil.copyfile(path, folder / path.name)
    store = PaperStore()
    build(store, [str(folder)], validate=False, workers=1)
    return folder, store


def _same_records(one: PaperStore, other: PaperStore) -> bool:
    return {g.value for g in one.record_graphs()} == {g.value for g in other.record_graphs()}


def test_tallies_kept_through_adds_replacements_and_removals_equal_a_full_recount(
    records: list[Path], tmp_path: Path
) -> None:
    folder, store = _built_from(records[: len(records) // 2], tmp_path)
    for path in records[len(records) // 2 :]:  # add the rest
        shutil.copyfile(path, folder / path.name)
    build(store, [str(folder)], validate=False, workers=1)
    assert _tallies(store) == _full_recount_of(store, folder)

    # replace: a record whose first linked chemical now has another identifier (regroups it)
    changed = next(p for p in sorted(folder.iterdir()) if "(MESH:D" in p.read_text())
    text = changed.read_text()
    start = text.index("(MESH:D") + 1
    changed.write_text(text[:start] + "MESH:D999999" + text[text.index(")", start) :])
    report = build(store, [str(folder)], validate=False, workers=1)
    assert report.replaced
    assert _tallies(store) == _full_recount_of(store, folder)

    # remove: papers go, the counts of what they shared drop
    for path in sorted(folder.iterdir())[:5]:
        path.unlink()
    assert prune_store(store, [str(folder)]).removed  # (some papers have two records)
    assert _tallies(store) == _full_recount_of(store, folder)


def test_a_killed_build_leaves_stale_tallies_and_the_next_build_recounts(
    records: list[Path], tmp_path: Path
) -> None:
    folder, store = _built_from(records[:40], tmp_path)
    for path in records[40:80]:
        shutil.copyfile(path, folder / path.name)

    steps: list[object] = []

    def killed_midway(step: object) -> None:
        steps.append(step)
        if len(steps) == 60:  # 40 up to date, then 20 new records written
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        build(store, [str(folder)], validate=False, workers=1, progress=killed_midway)
    assert tallies_current(store) is False
    assert drugs_tried_for(store, "fibromyalgia") is None, "readers count from the findings"
    build(store, [str(folder)], validate=False, workers=1)
    assert tallies_current(store) is True
    assert _tallies(store) == _full_recount_of(store, folder)


def test_tallies_are_not_exported(built: PaperStore, tmp_path: Path) -> None:
    out = tmp_path / "kg.nq"
    export_store(built, out, "nq")
    assert "/tally/" not in out.read_text(encoding="utf-8")
    assert str(PKG.talliesStale) not in out.read_text(encoding="utf-8")


def test_the_tally_graph_conforms_and_a_wrong_count_is_caught(built: PaperStore) -> None:
    shapes = load_shapes()
    graph = built.rdflib_graph(tally_graph())
    assert validate_graph(graph, shapes, engine="pyshacl").conforms
    tally = next(graph.subjects(RDF.type, PKG.Tally))
    graph.set((tally, PKG.paperCount, Literal(0)))
    report = validate_graph(graph, shapes, engine="pyshacl")
    assert not report.conforms
    assert {r.focus_node for r in report.results} == {str(tally)}


def _view_parts(view: Any) -> tuple[list[Any], list[Any], list[list[Any]]]:
    """Nodes and edges with their attributes, in order; the edges' support apart, read whole."""
    nodes = [(node, dict(data)) for node, data in view.nodes(data=True)]
    edges = [
        (u, v, {k: value for k, value in data.items() if k != "support"})
        for u, v, data in view.edges(data=True)
    ]
    return nodes, edges, [list(data["support"]) for _, _, data in view.edges(data=True)]


def test_the_whole_store_view_from_tallies_equals_the_one_from_the_findings(
    built: PaperStore,
) -> None:
    unread = AssertionError("a finding was read")
    with (
        mock.patch.object(views, "read_snapshot", side_effect=unread),
        mock.patch.object(support, "read_snapshot", side_effect=unread),
    ):
        fast = drug_condition_graph(built)  # reads no finding: the support waits until used
    assert all(isinstance(d["support"], support.PairSupport) for *_, d in fast.edges(data=True))
    slow = views._drug_condition(read_snapshot(built, context=False), ViewFilter())
    fast_nodes, fast_edges, fast_support = _view_parts(fast)
    slow_nodes, slow_edges, slow_support = _view_parts(slow)
    assert len(fast_edges) > 100
    assert fast_nodes == slow_nodes
    assert fast_edges == slow_edges
    assert fast_support == slow_support
    lengths = [len(data["support"]) for *_, data in fast.edges(data=True)]
    assert lengths == list(map(len, slow_support))
    predicates = {data["predicate"] for *_, data in fast_edges}
    assert len(predicates) > 1, "trials and other designs give different predicates"
    with mock.patch.object(tally_views, "tallies_usable", return_value=False):
        counted = drug_condition_graph(built)
    assert not any(
        isinstance(d["support"], support.PairSupport) for *_, d in counted.edges(data=True)
    )
    assert _view_parts(counted) == _view_parts(fast)


def _counts(graph: ox.NamedNode, count: int, fail_at: int | None = None) -> Any:
    for number in range(count):
        if number == fail_at:
            raise RuntimeError("the count broke")
        node = ox.NamedNode(f"https://example.org/tally/{number}")
        yield ox.Quad(node, ox.NamedNode(str(PKG.paperCount)), ox.Literal(number), graph)


def test_a_whole_tally_graph_is_written_in_steps_and_never_read_half_written(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The whole tally graph goes in several transactions (no update text of every count):
    written whole it holds every count and is stale until the writer marks it current; cut
    off half-way it is never current, so readers count from the findings and the next writer
    recounts everything.
    """
    monkeypatch.setattr(bookkeeping, "TALLY_CHUNK", 3)
    store = PaperStore()
    graph = tally_graph()
    bookkeeping.mark_tallies(store, graph, stale=False)
    with pytest.raises(RuntimeError, match="the count broke"):
        bookkeeping.write_tallies(store, graph, _counts(graph, 10, fail_at=7))
    assert tallies_current(store) is not True
    bookkeeping.write_tallies(store, graph, _counts(graph, 10))
    written = set(store.quads_for_pattern(None, None, None, graph))
    mark = ox.Quad(graph, ox.NamedNode(str(PKG.talliesStale)), ox.Literal(True), graph)
    assert written == {*_counts(graph, 10), mark}
    assert tallies_current(store) is False
    bookkeeping.mark_tallies(store, graph, stale=False)
    assert tallies_current(store) is True


@pytest.mark.parametrize("cut", ["while dropping the old counts", "between counting queries"])
def test_a_whole_recount_cut_off_while_it_streams_is_never_read_and_the_next_build_recounts(
    records: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cut: str
) -> None:
    """A whole recount drops the old statements and writes the new ones as the counting
    queries give them, in steps: cut off in the middle, the tally graph holds part of the
    counts, stays stale, readers count from the findings and the next build recounts it all.
    """
    folder, store = _built_from(records[:40], tmp_path)
    whole, answers = _tallies(store), evidence_summary(store)

    def broken(*_: object, **__: object) -> Any:
        raise RuntimeError("cut off")

    monkeypatch.setattr(bookkeeping, "TALLY_CHUNK", 50)
    if cut == "while dropping the old counts":
        steps = iter([PaperStore.remove_quads, PaperStore.remove_quads, broken])

        def dropped(store: PaperStore, quads: Any) -> None:
            next(steps)(store, quads)

        monkeypatch.setattr(PaperStore, "remove_quads", dropped)
    else:
        solutions = PaperStore.solutions

        def counted(store: PaperStore, name: str, **options: Any) -> Any:
            return (broken if name == "tally-pair-designs" else solutions)(store, name, **options)

        monkeypatch.setattr(PaperStore, "solutions", counted)
    with pytest.raises(RuntimeError, match="cut off"):
        refresh_tallies(store)
    monkeypatch.undo()
    left = _tallies(store)
    assert 0 < len(left & whole) < len(whole) - 1, "part of the counts is in the graph"
    assert tallies_current(store) is False
    assert drugs_tried_for(store, "fibromyalgia") is None
    assert evidence_summary(store) == answers, "counted from the findings"
    build(store, [str(folder)], validate=False, workers=1)
    assert tallies_current(store) is True
    assert _tallies(store) == whole
