"""Store statistics, evidence per (drug, condition), and the validation log they report."""

from __future__ import annotations

import json
import shutil
from collections import defaultdict
from pathlib import Path
from typing import TypedDict, Unpack

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.term import Node

import paperkg
from paperkg.model import Outcome
from paperkg.stats import (
    EVIDENCE_COLUMNS,
    evidence_result,
    evidence_summary,
    evidence_to_result,
    store_stats,
)
from paperkg.store import PaperStore, tally_graph, validation_graph, validation_graphs
from paperkg.vocab import PKG, RDF

from conftest import SEEDS

SEED_FILES = sorted(SEEDS.glob("*.txt"))
GABAPENTIN = "032_gabapentin_fibromyalgia_rct.txt"


class _BuildOptions(TypedDict, total=False):
    """The keyword options of :func:`paperkg.build` the tests pass."""

    strict: bool
    base_iri: str
    input_format: str | None
    validate: bool


def _built(sources: list[str], **options: Unpack[_BuildOptions]) -> PaperStore:
    store = paperkg.open_store()
    # the validation state is what these tests watch: the store starts unchecked
    options.setdefault("validate", False)
    report = paperkg.build(store, sources, **options)
    assert report.ok, report.rejected
    return store


@pytest.fixture(scope="module")
def seeds() -> PaperStore:
    return _built([str(SEEDS)])


@pytest.fixture(scope="module")
def dataset(seeds: PaperStore) -> rdflib.Dataset:
    """The seeds store as rdflib sees it: the independent count."""
    return seeds.rdflib_dataset()


def _distinct(dataset: rdflib.Dataset, predicate: rdflib.URIRef) -> set[tuple[Node, Node]]:
    return {(s, o) for s, _, o, _ in dataset.quads((None, predicate, None, None))}


def _findings(seeds: PaperStore) -> list[dict[str, str | None]]:
    return paperkg.run_query(seeds, "findings").as_dicts()


# --- store_stats ---------------------------------------------------------------------------------


def test_papers_are_the_seed_records(seeds: PaperStore) -> None:
    stats = store_stats(seeds)
    assert stats.papers == len(SEED_FILES) == len(seeds.record_graphs())


def test_findings_by_outcome_are_all_six_in_order_and_match_an_rdflib_count(
    seeds: PaperStore, dataset: rdflib.Dataset
) -> None:
    stats = store_stats(seeds)
    assert [name for name, _ in stats.outcomes] == [outcome.value for outcome in Outcome]
    assert sum(count for _, count in stats.outcomes) == stats.findings
    expected: dict[str, int] = defaultdict(int)
    for _, outcome in _distinct(dataset, rdflib.URIRef(PKG.outcome)):
        expected[str(outcome).rsplit("/", 1)[-1]] += 1
    assert dict(stats.outcomes) == {o.value: expected.get(o.value, 0) for o in Outcome}
    assert 0 in dict(stats.outcomes).values()  # zero counts are kept
    assert stats.findings == len(_findings(seeds))


def test_papers_by_design_match_the_findings_query_and_sum_to_papers(seeds: PaperStore) -> None:
    stats = store_stats(seeds)
    assert sum(count for _, count in stats.designs) == stats.papers
    counts = [count for _, count in stats.designs]
    assert counts == sorted(counts, reverse=True)
    assert dict(stats.designs)["rct"] == len(
        {row["paper"] for row in _findings(seeds) if row["study_design"] == "rct"}
    )


def test_concept_counts_are_distinct_canonical_nodes_per_kind(
    seeds: PaperStore, dataset: rdflib.Dataset
) -> None:
    canonical = {o for _, o in _distinct(dataset, rdflib.URIRef(PKG.canonical))}
    kinds = {
        kind: {c for c in canonical if any(dataset.quads((c, RDF.type, kind, None)))}
        for kind in (PKG.Chemical, PKG.Condition, PKG.Species)
    }
    stats = store_stats(seeds)
    assert (stats.drugs, stats.conditions, stats.species) == tuple(
        len(kinds[kind]) for kind in (PKG.Chemical, PKG.Condition, PKG.Species)
    )
    assert stats.drugs > 0
    assert stats.conditions > 0


def test_top_drugs_count_distinct_papers_with_a_finding(seeds: PaperStore) -> None:
    papers: dict[str, set[str | None]] = defaultdict(set)
    for row in _findings(seeds):
        papers[str(row["drug_label"])].add(row["paper"])
    stats = store_stats(seeds)
    top = {item.label: item for item in stats.top_drugs}
    assert top["naltrexone"].papers == len(papers["naltrexone"])
    assert "MESH:D009271" in top["naltrexone"].ids
    assert {label: item.papers for label, item in top.items()} == {
        label: len(found) for label, found in papers.items()
    }
    assert [item.papers for item in stats.top_drugs] == sorted(
        (item.papers for item in stats.top_drugs), reverse=True
    )
    assert stats.top_conditions[0].label == "fibromyalgia"


def test_top_limits_the_lists(seeds: PaperStore) -> None:
    stats = store_stats(seeds, top=1)
    assert [item.label for item in stats.top_drugs] == ["naltrexone"]
    assert len(stats.top_conditions) == 1
    assert store_stats(seeds, top=0).top_drugs == ()
    with pytest.raises(ValueError, match="top"):
        store_stats(seeds, top=-1)


def test_identifier_conflicts_agree_with_the_named_query(seeds: PaperStore) -> None:
    rows = paperkg.run_query(seeds, "identifier-conflicts").rows
    assert rows
    assert store_stats(seeds).identifier_conflicts == len(rows)


def test_text_and_dict(seeds: PaperStore) -> None:
    stats = store_stats(seeds)
    lines = stats.text().splitlines()
    counted = [line for line in lines if line.rstrip()[-1:].isdigit() and "  " in line]
    assert {len(line) for line in counted[:10]} == {36}  # name and count columns aligned
    assert f"papers{stats.papers:>30}" in lines
    assert "\x1b[" not in stats.text()
    data = json.loads(json.dumps(stats.as_dict()))
    assert data["papers"] == stats.papers
    assert data["outcomes"]["improved"] == dict(stats.outcomes)["improved"]
    assert data["top_drugs"][0]["label"] == "naltrexone"


def test_an_empty_store_has_zero_everywhere() -> None:
    stats = store_stats(paperkg.open_store())
    assert (stats.papers, stats.findings, stats.drugs, stats.identifier_conflicts) == (0, 0, 0, 0)
    assert stats.top_drugs == ()
    assert stats.validation.not_validated == 0


# --- evidence_summary ----------------------------------------------------------------------------


def test_fibromyalgia_evidence_agrees_with_drugs_tried_for(seeds: PaperStore) -> None:
    rows = evidence_summary(seeds, condition="fibromyalgia")
    expected = paperkg.run_query(seeds, "drugs-tried-for", {"condition": "fibromyalgia"})
    assert {
        (r.drug_label, str(r.papers), "|".join(sorted(f"{o}:{n}" for o, n in r.outcomes)))
        for r in rows
    } == {(d["drug_label"], d["papers"], d["outcomes"]) for d in expected.as_dicts()}
    # the printed cells follow the query convention: |-joined items sorted
    cells = {row[1]: row for row in evidence_to_result(rows).rows}
    assert cells["amitriptyline"][EVIDENCE_COLUMNS.index("outcomes")] == "mixed:1|no_benefit:1"
    assert {r.condition_label for r in rows} == {"fibromyalgia"}
    keys = [(-r.papers, r.drug_label) for r in rows]
    assert keys == sorted(keys)


def test_conflicting_means_improved_against_no_benefit_or_worse(seeds: PaperStore) -> None:
    rows = {r.drug_label: r for r in evidence_summary(seeds, condition="FMS")}
    naltrexone, gabapentin = rows["naltrexone"], rows["gabapentin"]
    assert dict(naltrexone.outcomes) == {"improved": 2, "no_benefit": 1}
    assert naltrexone.conflicting is True
    assert dict(gabapentin.outcomes) == {"improved": 1}
    assert gabapentin.conflicting is False
    for row in rows.values():
        counts = dict(row.outcomes)
        against = counts.get("no_benefit", 0) + counts.get("worsened", 0)
        assert row.conflicting == (counts.get("improved", 0) > 0 and against > 0)


def test_participants_and_designs_come_from_distinct_papers(seeds: PaperStore) -> None:
    (row,) = evidence_summary(seeds, condition="fibromyalgia", drug="naltrexone")
    papers = {
        f["paper"]: f
        for f in _findings(seeds)
        if f["drug_label"] == "naltrexone" and f["condition_label"] == "fibromyalgia"
    }
    sizes = [int(str(f["sample_size"])) for f in papers.values() if f["sample_size"]]
    assert row.papers == len(papers)
    assert row.participants == sum(sizes)
    assert row.largest_n == max(sizes)
    designs: dict[str, int] = defaultdict(int)
    for finding in papers.values():
        designs[str(finding["study_design"])] += 1
    assert dict(row.designs) == designs


def test_a_drug_filter_accepts_a_synonym_or_curie(seeds: PaperStore) -> None:
    by_synonym = evidence_summary(seeds, drug="LDN")
    assert {r.drug_label for r in by_synonym} == {"naltrexone"}
    assert {r.condition_label for r in by_synonym} == {"fibromyalgia", "multiple sclerosis"}
    assert evidence_summary(seeds, drug="pubchem.compound:5360515") == by_synonym
    assert evidence_summary(seeds, drug="http://id.nlm.nih.gov/mesh/D009271") == by_synonym
    assert len(evidence_summary(seeds)) > len(by_synonym)


def test_values_that_name_nothing_are_reported(seeds: PaperStore) -> None:
    result = evidence_result(seeds, condition="fibromyalgiaa")
    assert result.rows == ()
    assert result.unmatched == ("fibromyalgiaa",)
    # a condition given as the drug names no drug
    assert evidence_result(seeds, drug="fibromyalgia").unmatched == ("fibromyalgia",)
    assert evidence_result(seeds, condition="FMS", drug="LDN").unmatched == ()


def test_user_text_is_bound_never_pasted(seeds: PaperStore) -> None:
    size = len(seeds)
    result = evidence_result(seeds, condition='x" } } ; DROP ALL ; #', drug="a'b\\")
    assert result.rows == ()
    assert len(result.unmatched) == 2
    assert len(seeds) == size


FIRST_COLUMNS = (
    *("drug", "drug_label", "drug_ids", "condition", "condition_label", "condition_ids"),
    *("papers", "outcomes", "designs", "participants", "largest_n", "conflicting"),
)
INDEXING_COLUMNS = (
    "indexing_confirmed",
    "indexing_as_harm",
    "indexing_not_indexed",
    "indexing_only",
    "indexing_absent",
)


def test_without_indexing_no_agreement_is_filled_and_every_finding_is_absent(
    seeds: PaperStore,
) -> None:
    """Paper records carry no MeSH indexing: the agreement cells stay empty (not 0, which
    would say an indexed citation left the pair out) and every finding counts as without it.
    """
    rows = evidence_summary(seeds)
    assert rows
    agreements = {
        (r.indexing_confirmed, r.indexing_as_harm, r.indexing_not_indexed, r.indexing_only)
        for r in rows
    }
    assert agreements == {(None, None, None, None)}
    assert all(r.indexing_absent >= 1 for r in rows)
    assert sum(r.indexing_absent for r in rows) == store_stats(seeds).findings
    cells = evidence_to_result(rows).rows
    first = len(FIRST_COLUMNS)
    assert {row[first : first + 4] for row in cells} == {(None, None, None, None)}


@pytest.mark.parametrize("fmt", ["csv", "json", "table"])
def test_the_result_prints_with_format_result(seeds: PaperStore, fmt: str) -> None:
    result = evidence_result(seeds, condition="fibromyalgia")
    assert result.columns == EVIDENCE_COLUMNS
    # the columns scripts rely on keep their names and places; later ones come at the end
    assert result.columns[: EVIDENCE_COLUMNS.index("conflicting") + 1] == FIRST_COLUMNS
    assert result.columns[len(FIRST_COLUMNS) :] == INDEXING_COLUMNS
    text = paperkg.format_result(result, fmt, width=400)
    assert "naltrexone" in text
    if fmt == "json":
        (row,) = [r for r in json.loads(text) if r["drug_label"] == "naltrexone"]
        assert row["outcomes"] == ["improved:2", "no_benefit:1"]
        assert row["conflicting"] is True
        # paper records carry no MeSH indexing: no second witness, three findings without it
        assert [row[name] for name in INDEXING_COLUMNS] == [None, None, None, None, 3]
    if fmt == "csv":
        assert text.splitlines()[0] == ",".join(EVIDENCE_COLUMNS)


# --- validation state ----------------------------------------------------------------------------


def _copy_seeds(tmp_path: Path) -> Path:
    folder = tmp_path / "records"
    folder.mkdir()
    for path in SEED_FILES:
        shutil.copy(path, folder / path.name)
    return folder


def test_validation_state_unchecked_then_conforming_then_stale(tmp_path: Path) -> None:
    folder = _copy_seeds(tmp_path)
    store = _built([str(folder)])
    papers = len(SEED_FILES)
    state = store_stats(store).validation
    assert (state.conforming, state.violations, state.stale, state.unchecked) == (0, 0, 0, papers)

    report = paperkg.validate_store(store)
    assert report.conforms
    state = store_stats(store).validation
    assert (state.conforming, state.violations, state.not_validated) == (papers, 0, 0)

    record = folder / GABAPENTIN
    text = record.read_text(encoding="utf-8")
    record.write_text(text.replace("well tolerated.", "well tolerated overall.", 1), "utf-8")
    rebuilt = paperkg.build(store, [str(folder)], validate=False)
    assert len(rebuilt.changed_graphs) == 1
    state = store_stats(store).validation
    assert (state.conforming, state.stale, state.unchecked) == (papers - 1, 1, 0)

    paperkg.validate_store(store, graphs=rebuilt.changed_graphs)
    assert store_stats(store).validation.conforming == papers


def test_a_graph_with_violations_is_counted(tmp_path: Path) -> None:
    store = _built([str(SEEDS / GABAPENTIN)])
    (graph,) = store.record_graphs()
    for quad in list(store.graph_quads(graph)):
        if quad.predicate == ox.NamedNode(str(PKG.sourceSha256)):
            store.remove_quads([quad])
    assert not paperkg.validate_store(store).conforms
    state = store_stats(store).validation
    assert (state.conforming, state.violations) == (0, 1)


def test_the_log_is_not_a_record_graph_and_is_not_validated(seeds: PaperStore) -> None:
    store = _built([str(SEEDS)])
    graphs = store.record_graphs()
    first = paperkg.validate_store(store)
    assert validation_graphs(store) == [validation_graph()]
    assert store.record_graphs() == graphs
    assert paperkg.validate_store(store).graphs_checked == first.graphs_checked
    # queries over the union see the same answers as before
    before = paperkg.run_query(seeds, "findings").rows
    assert paperkg.run_query(store, "findings").rows == before


def test_the_log_follows_a_custom_base_iri() -> None:
    base = "https://example.org/kg/"
    store = _built([str(SEEDS / GABAPENTIN)], base_iri=base)
    paperkg.validate_store(store)
    assert validation_graphs(store) == [ox.NamedNode(f"{base}graph/validation")]
    assert store_stats(store).validation.conforming == 1


def test_a_read_only_store_is_validated_without_a_log(tmp_path: Path) -> None:
    with PaperStore(tmp_path / "kg") as store:
        paperkg.build(store, [str(SEEDS / GABAPENTIN)], validate=False)
    with PaperStore.open_existing(tmp_path / "kg") as store:
        assert paperkg.validate_store(store).conforms
        assert store_stats(store).validation.unchecked == 1


@pytest.mark.parametrize("fmt", ["nq", "trig", "turtle"])
def test_export_leaves_the_log_out(tmp_path: Path, fmt: str) -> None:
    store = _built([str(SEEDS)])
    paperkg.validate_store(store)
    assert validation_graphs(store)
    output = tmp_path / f"kg.{fmt}"
    written = paperkg.export_store(store, output, fmt)
    data = rdflib.Dataset()
    data.parse(output, format={"nq": "nquads", "trig": "trig", "turtle": "turtle"}[fmt])
    assert not list(data.quads((None, rdflib.URIRef(PKG.validatedBuildKey), None, None)))
    assert not list(data.quads((None, rdflib.URIRef(PKG.conforms), None, None)))
    names = {str(g.identifier) for g in data.graphs()}
    assert str(validation_graph()) not in names
    assert str(tally_graph()) not in names  # the counts kept at ingest stay local too
    if fmt == "nq":
        tallies = len(list(store.graph_quads(tally_graph())))
        assert tallies > 0
        assert written == len(store) - 2 * len(store.record_graphs()) - tallies
