"""networkx views of the seeds, checked against the findings query (an independent path), and
the GraphML, GEXF, PNG and SVG writers.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from PIL import Image

import paperkg
from paperkg.errors import VizError
from paperkg.lookup import node_named
from paperkg.store import PaperStore
from paperkg.tallies import PairTally
from paperkg.viz import (
    ViewFilter,
    drug_condition_graph,
    flatten,
    neighbourhood_graph,
    paper_graph,
    support,
    tally_views,
    view_graph,
    views,
    write_view,
)
from paperkg.viz import html as html_module
from paperkg.viz import snapshot as snapshot_module
from paperkg.viz.html import render_html
from paperkg.viz.snapshot import read_snapshot
from paperkg.viz.style import CONFLICTING, node_colour
from paperkg.vocab import DCTERMS

from conftest import SEEDS

FIBROMYALGIA = "http://purl.obolibrary.org/obo/MONDO_0005546"
NALTREXONE = "http://id.nlm.nih.gov/mesh/D009271"
MOSER = "https://w3id.org/paperkg/id/paper/doi/10.7759/cureus.83824"


@pytest.fixture(scope="module")
def findings(seeds: PaperStore) -> list[dict[str, str | None]]:
    return paperkg.run_query(seeds, "findings").as_dicts()


@pytest.fixture(scope="module")
def pairs(seeds: PaperStore) -> nx.DiGraph[str]:
    return drug_condition_graph(seeds)


# --- the drug–condition view ----------------------------------------------------------------


def test_one_edge_per_drug_condition_pair_with_a_finding(
    pairs: nx.DiGraph[str], findings: list[dict[str, str | None]]
) -> None:
    expected = {(row["drug"], row["condition"]) for row in findings}
    assert set(pairs.edges) == expected
    for node, data in pairs.nodes(data=True):
        assert data["kind"] in ("drug", "condition"), node
        assert data["iri"] == node
        assert data["label"]


def test_edge_weight_is_papers_and_outcomes_count_them(
    pairs: nx.DiGraph[str], findings: list[dict[str, str | None]]
) -> None:
    papers: dict[tuple[str | None, str | None], set[str | None]] = defaultdict(set)
    outcomes: dict[tuple[str | None, str | None], Counter[str | None]] = defaultdict(Counter)
    for row in findings:
        papers[(row["drug"], row["condition"])].add(row["paper"])
        outcomes[(row["drug"], row["condition"])][row["outcome"]] += 1
    for drug, condition, data in pairs.edges(data=True):
        assert data["weight"] == len(papers[(drug, condition)])
        assert data["outcomes"] == dict(outcomes[(drug, condition)])
        assert {entry["paper"] for entry in data["support"]} == papers[(drug, condition)]
        assert data["relation"] == "tested_for"
        assert data["predicate"].startswith("biolink:")


def test_support_carries_the_evidence_sentences_and_dose(
    pairs: nx.DiGraph[str], findings: list[dict[str, str | None]]
) -> None:
    for row in findings:
        drug, condition = row["drug"], row["condition"]
        assert drug is not None
        assert condition is not None
        edge = pairs.edges[drug, condition]
        entry = next(e for e in edge["support"] if e["paper"] == row["paper"])
        assert set(entry["evidence"]) == set(filter(None, (row["evidence"] or "").split(" | ")))
        assert (entry["dose"] or "") == (row["dose"] or "").replace("|", "; ")
        assert entry["title"] == row["title"]
        assert entry["url"]
        assert entry["url"].startswith("http")


def test_papers_that_disagree_make_a_conflicting_edge(pairs: nx.DiGraph[str]) -> None:
    edge = pairs.edges[NALTREXONE, FIBROMYALGIA]
    assert edge["outcome"] == CONFLICTING
    assert edge["outcomes"]["improved"] >= 1
    assert edge["outcomes"]["no_benefit"] >= 1
    for _, _, data in pairs.edges(data=True):
        if len(data["outcomes"]) == 1:
            assert data["outcome"] == next(iter(data["outcomes"]))


def test_node_papers_count_distinct_papers(
    pairs: nx.DiGraph[str], findings: list[dict[str, str | None]]
) -> None:
    expected = len({row["paper"] for row in findings if row["condition"] == FIBROMYALGIA})
    assert pairs.nodes[FIBROMYALGIA]["papers"] == expected


# --- filters ---------------------------------------------------------------------------------


def test_outcome_filter_keeps_only_those_findings(seeds: PaperStore) -> None:
    view = drug_condition_graph(seeds, ViewFilter(outcomes=frozenset({"improved"})))
    assert view.number_of_edges() > 0
    for _, _, data in view.edges(data=True):
        assert set(data["outcomes"]) == {"improved"}
        assert data["outcome"] == "improved"


def test_design_and_year_filters(seeds: PaperStore, findings: list[dict[str, str | None]]) -> None:
    rct = drug_condition_graph(seeds, ViewFilter(designs=frozenset({"rct"})))
    expected = {(r["drug"], r["condition"]) for r in findings if r["study_design"] == "rct"}
    assert set(rct.edges) == expected
    recent = drug_condition_graph(seeds, ViewFilter.parse(years="2010-"))
    for _, _, data in recent.edges(data=True):
        assert all(entry["year"] >= 2010 for entry in data["support"])
    assert drug_condition_graph(seeds, ViewFilter.parse(years="1900-1901")).number_of_nodes() == 0


@pytest.mark.parametrize(
    ("years", "low", "high"),
    [("2005-2020", 2005, 2020), ("2009", 2009, 2009), ("2009-", 2009, None), ("-2010", None, 2010)],
)
def test_year_ranges_parse(years: str, low: int | None, high: int | None) -> None:
    parsed = ViewFilter.parse(years=years)
    assert (parsed.year_from, parsed.year_to) == (low, high)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"outcomes": ["improvd"]}, "did you mean 'improved'"),
        ({"designs": ["RCT trial"]}, "unknown design"),
        ({"years": "2020-2005"}, "2020 is after 2005"),
        ({"years": "last year"}, "is not a year range"),
    ],
)
def test_bad_filters_are_one_line_errors(arguments: dict[str, object], message: str) -> None:
    with pytest.raises(VizError, match=message) as caught:
        ViewFilter.parse(**arguments)  # type: ignore[arg-type]
    assert "\n" not in str(caught.value)


# --- the paper view and neighbourhoods ---------------------------------------------------------


def test_paper_view_holds_every_paper_with_its_authors_and_journal(seeds: PaperStore) -> None:
    view = paper_graph(seeds)
    papers = [n for n, d in view.nodes(data=True) if d["kind"] == "paper"]
    assert len(papers) == len(list(SEEDS.glob("*.txt")))
    dataset = seeds.rdflib_dataset()
    authored = {
        (str(o), str(s)) for s, _, o, _ in dataset.quads((None, DCTERMS.creator, None, None))
    }
    edges = {(u, v) for u, v, d in view.edges(data=True) if d["relation"] == "authored"}
    assert edges == authored
    labels = [view.nodes[p]["label"] for p in papers]
    assert len(set(labels)) == len(labels), labels  # "Younger et al. 2009a" and "…2009b"
    assert view.nodes[MOSER]["label"] == "Moser 2025"
    assert view.nodes[MOSER]["url"] == "https://doi.org/10.7759/cureus.83824"


def test_gave_edges_carry_each_papers_outcome(seeds: PaperStore) -> None:
    view = paper_graph(seeds)
    edge = view.edges[MOSER, NALTREXONE]
    assert edge["relation"] == "gave"
    assert edge["outcome"] == "improved"
    assert edge["support"][0]["evidence"]


def test_neighbourhood_of_a_condition_by_label_or_curie(seeds: PaperStore) -> None:
    by_label = neighbourhood_graph(seeds, "Fibromyalgia", depth=1)
    by_curie = neighbourhood_graph(seeds, "MONDO:0005546", depth=1)
    assert set(by_label.nodes) == set(by_curie.nodes)
    assert by_label.graph["focus"] == FIBROMYALGIA
    for node in by_label.nodes:
        if node != FIBROMYALGIA:
            assert by_label.has_edge(node, FIBROMYALGIA) or by_label.has_edge(FIBROMYALGIA, node)
    kinds = {d["kind"] for _, d in by_label.nodes(data=True)}
    assert kinds == {"condition", "drug", "paper"}


def test_depth_widens_the_neighbourhood(seeds: PaperStore) -> None:
    sizes = [neighbourhood_graph(seeds, "naltrexone", depth=d).number_of_nodes() for d in (0, 1, 2)]
    assert sizes[0] == 1
    assert sizes[0] < sizes[1] < sizes[2]


def test_a_paper_focus_by_doi(seeds: PaperStore) -> None:
    view = neighbourhood_graph(seeds, "10.7759/cureus.83824", depth=1)
    assert view.graph["focus"] == MOSER
    assert NALTREXONE in view


def test_an_unknown_focus_suggests_the_closest_name(seeds: PaperStore) -> None:
    with pytest.raises(VizError, match="did you mean 'fibromyalgia'"):
        neighbourhood_graph(seeds, "fibromyalgai")


def test_unknown_view(seeds: PaperStore) -> None:
    with pytest.raises(VizError, match="did you mean 'papers'"):
        view_graph(seeds, "paper")


def test_an_empty_store_gives_empty_views() -> None:
    store = paperkg.open_store()
    assert drug_condition_graph(store).number_of_nodes() == 0
    assert paper_graph(store).number_of_nodes() == 0


# --- support read when used -----------------------------------------------------------------


def test_whole_store_edges_read_their_support_when_used(
    seeds: PaperStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[object] = []
    real = read_snapshot

    def counted(*args: Any, **kwargs: Any) -> Any:
        reads.append(kwargs.get("only_papers"))
        return real(*args, **kwargs)

    monkeypatch.setattr(support, "read_snapshot", counted)
    monkeypatch.setattr(support, "WHOLE_READ_FACTOR", 0)  # the seeds are few: read by paper
    view = drug_condition_graph(seeds)
    edge = view.edges[NALTREXONE, FIBROMYALGIA]
    assert len(edge["support"]) == 3
    assert reads == []
    assert sorted(entry["year"] for entry in edge["support"]) == [2009, 2009, 2025]
    assert len(reads) == 1
    assert reads[0] == {entry["paper"] for entry in edge["support"]}
    counted_view = views._drug_condition(read_snapshot(seeds, context=False), ViewFilter())
    reads.clear()
    for drug, condition, data in view.edges(data=True):
        assert data["support"] == counted_view.edges[drug, condition]["support"]
    # one edge after another (one was read above), then everything at once
    assert len(reads) == support._SINGLE_READS
    assert reads[-1] is None


def test_a_concept_in_both_roles_counts_its_papers_over_both(
    seeds: PaperStore, pairs: nx.DiGraph[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The per-role tallies cannot add up a concept that is a drug in some findings and a
    # condition in others (no seed has one): its papers are counted from the findings.
    both_roles = [PairTally(NALTREXONE, FIBROMYALGIA), PairTally(FIBROMYALGIA, NALTREXONE)]
    monkeypatch.setattr(tally_views, "concept_tallies", lambda store, role: [])
    assert tally_views._concept_papers(seeds, both_roles[:1]) == {}  # from the (no) tallies
    counted = tally_views._concept_papers(seeds, both_roles)
    assert counted == {
        NALTREXONE: pairs.nodes[NALTREXONE]["papers"],
        FIBROMYALGIA: pairs.nodes[FIBROMYALGIA]["papers"],
    }


def test_support_of_a_closed_store_is_read_from_its_folder(tmp_path: Path) -> None:
    with paperkg.open_store(tmp_path / "kg") as store:
        assert paperkg.build(store, [str(SEEDS)]).ok
        view = drug_condition_graph(store)
    entries = list(view.edges[NALTREXONE, FIBROMYALGIA]["support"])
    assert len(entries) == 3
    assert all(entry["evidence"] for entry in entries)
    gone = PaperStore()
    gone.close()
    lost = support.PairSupport(support.SupportReader(gone), (NALTREXONE, FIBROMYALGIA), 3)
    with pytest.raises(VizError, match="closed, and it was in memory"):
        list(lost)


def _page_edges(page: str) -> dict[tuple[str, str], dict[str, Any]]:
    found = re.search(r'<script type="application/json" id="paperkg-data">(.*?)</script>', page)
    assert found
    return {(e["source"], e["target"]): e for e in json.loads(found[1])["edges"]}


@pytest.mark.parametrize("whole", [True, False], ids=["whole-store", "neighbourhood"])
def test_an_explorer_page_embeds_the_latest_papers_of_each_edge(
    seeds: PaperStore, whole: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = drug_condition_graph(seeds) if whole else neighbourhood_graph(seeds, "fibromyalgia")
    assert isinstance(view.edges[NALTREXONE, FIBROMYALGIA]["support"], support.PairSupport) is whole
    full = _page_edges(render_html(view))
    for (drug, condition), edge in full.items():
        assert edge["support"] == list(view.edges[drug, condition]["support"])
        assert edge["more_papers"] == 0
    monkeypatch.setattr(html_module, "EMBEDDED_PAPERS", 1)
    capped = _page_edges(render_html(view))[(NALTREXONE, FIBROMYALGIA)]
    assert [entry["year"] for entry in capped["support"]] == [2025]  # the most recent paper
    assert capped["more_papers"] == 2
    assert capped["weight"] == 3


def test_a_page_of_many_edges_embeds_fewer_papers_per_edge(
    seeds: PaperStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert support.papers_per_edge(10) == support.EMBEDDED_PAPERS
    assert support.papers_per_edge(400, most=20, page=4_000) == 10
    assert support.papers_per_edge(50_000, most=20, page=4_000) == 1  # never none
    view = drug_condition_graph(seeds)
    monkeypatch.setattr(html_module, "PAGE_PAPERS", 1)  # one paper per edge, whatever the cap
    page = _page_edges(render_html(view))
    assert all(len({e["paper"] for e in edge["support"]}) == 1 for edge in page.values())
    busiest = page[(NALTREXONE, FIBROMYALGIA)]
    assert [entry["year"] for entry in busiest["support"]] == [2025]
    assert (busiest["more_papers"], busiest["weight"]) == (2, 3)


def test_reading_many_listed_papers_reads_them_a_slice_at_a_time(
    seeds: PaperStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    papers = {finding.paper for finding in read_snapshot(seeds).findings}
    whole = read_snapshot(seeds, only_papers=papers)
    monkeypatch.setattr(snapshot_module, "_PAPERS_PER_QUERY", 2)
    sliced = read_snapshot(seeds, only_papers=papers)
    assert len(papers) > 2
    assert set(sliced.findings) == set(whole.findings)
    assert sliced.papers.keys() == whole.papers.keys() == papers
    assert sliced.evidence == whole.evidence
    assert sliced.doses == whole.doses


def test_listing_every_paper_reads_what_the_whole_store_gives(seeds: PaperStore) -> None:
    # Listed papers are read by queries of their own (looked up paper by paper, where the whole
    # store is scanned): both must give the same snapshot.
    whole = read_snapshot(seeds)
    listed = read_snapshot(seeds, only_papers=whole.papers.keys())
    assert all((whole.findings, whole.evidence, whole.doses, whole.results))
    assert listed == whole


# --- writers ---------------------------------------------------------------------------------


def test_graphml_round_trips_with_flat_attributes(pairs: nx.DiGraph[str], tmp_path: Path) -> None:
    written = write_view(pairs, tmp_path / "kg.graphml")
    assert (written.format, written.nodes, written.edges) == ("graphml", 8, 7)
    read = nx.read_graphml(tmp_path / "kg.graphml")
    assert set(read.nodes) == set(pairs.nodes)
    assert set(read.edges) == set(pairs.edges)
    edge = read.edges[NALTREXONE, FIBROMYALGIA]
    original = pairs.edges[NALTREXONE, FIBROMYALGIA]
    assert edge["outcomes"] == "|".join(f"{k}:{v}" for k, v in sorted(original["outcomes"].items()))
    assert edge["weight"] == original["weight"]
    assert edge["papers"].split("|") == [e["paper"] for e in original["support"]]
    assert read.nodes[FIBROMYALGIA]["ids"] == "|".join(pairs.nodes[FIBROMYALGIA]["ids"])


def test_gexf_round_trips_with_colours_and_positions(
    pairs: nx.DiGraph[str], tmp_path: Path
) -> None:
    write_view(pairs, tmp_path / "kg.gexf")
    read = nx.read_gexf(tmp_path / "kg.gexf")
    assert set(read.edges) == set(pairs.edges)
    viz = read.nodes[NALTREXONE]["viz"]
    colour = node_colour("drug")
    assert (viz["color"]["r"], viz["color"]["g"], viz["color"]["b"]) == tuple(
        int(colour[i : i + 2], 16) for i in (1, 3, 5)
    )
    assert {"x", "y"} <= set(viz["position"])


def test_png_and_svg_are_pictures_with_legible_labels(
    pairs: nx.DiGraph[str], tmp_path: Path
) -> None:
    write_view(pairs, tmp_path / "kg.png")
    with Image.open(tmp_path / "kg.png") as image:
        assert image.format == "PNG"
        assert image.width >= 800
        colours = image.convert("RGB").getcolors(maxcolors=1 << 20) or []
        assert len(colours) > 50
    write_view(pairs, tmp_path / "kg.svg")
    root = ET.parse(tmp_path / "kg.svg").getroot()
    texts = {t.text for t in root.iter("{http://www.w3.org/2000/svg}text")}
    labels = {d["label"] for _, d in pairs.nodes(data=True)}
    assert labels <= texts  # real text, searchable and legible at any zoom
    assert "papers disagree" in texts  # the legend


@pytest.mark.parametrize("suffix", [".graphml", ".gexf", ".png", ".svg"])
def test_the_same_view_writes_the_same_bytes(
    pairs: nx.DiGraph[str], tmp_path: Path, suffix: str
) -> None:
    write_view(pairs, tmp_path / f"a{suffix}")
    write_view(pairs, tmp_path / f"b{suffix}")
    assert (tmp_path / f"a{suffix}").read_bytes() == (tmp_path / f"b{suffix}").read_bytes()


def test_pictures_keep_the_best_supported_nodes(seeds: PaperStore, tmp_path: Path) -> None:
    view = paper_graph(seeds)
    written = write_view(view, tmp_path / "kg.svg", max_nodes=5)
    assert written.nodes == 5
    assert written.dropped_nodes == view.number_of_nodes() - 5
    full = write_view(view, tmp_path / "kg.graphml", max_nodes=5)
    assert full.nodes == view.number_of_nodes()  # data files keep everything


def test_bad_output_names_are_clear_errors(pairs: nx.DiGraph[str], tmp_path: Path) -> None:
    with pytest.raises(VizError, match=r"unknown file type '\.pdf'"):
        write_view(pairs, tmp_path / "kg.pdf")
    with pytest.raises(VizError, match="the folder does not exist"):
        write_view(pairs, tmp_path / "missing" / "kg.png")
    assert list(tmp_path.iterdir()) == []


def test_flatten_leaves_only_scalars(pairs: nx.DiGraph[str]) -> None:
    flat = flatten(pairs)
    for _, data in flat.nodes(data=True):
        assert all(isinstance(v, str | int | float | bool) for v in data.values())
    for _, _, data in flat.edges(data=True):
        assert all(isinstance(v, str | int | float | bool) for v in data.values())


def test_the_store_is_read_without_repeated_rows(seeds: PaperStore) -> None:
    # Regression: concept triples repeat in every record graph that names a concept, and the
    # union default graph keeps each copy, so joins outside a GRAPH multiplied rows by the
    # records sharing a concept (Homo sapiens: 8 seeds, 64 rows; 4M rows at 2,000 records).

    for name in ("findings", "doses", "evidence", "authors", "studies", "species"):
        rows = [tuple(str(term) for term in solution) for solution in seeds.select(f"view-{name}")]
        assert rows, name
        assert len(rows) == len(set(rows)), name


def _comparable(view: nx.DiGraph[str]) -> tuple[dict[str, dict[str, Any]], dict[object, object]]:
    """Nodes and edges with their attributes; paper labels left out (their "2009a/b" suffixes
    tell apart the papers of one view, so they depend on which papers the view holds).
    """
    nodes = {
        node: {k: v for k, v in data.items() if not (data["kind"] == "paper" and k == "label")}
        for node, data in view.nodes(data=True)
    }
    return nodes, {(u, v): data for u, v, data in view.edges(data=True)}


@pytest.mark.parametrize(
    "focus",
    [
        "fibromyalgia",
        "MESH:D009271",
        "multiple sclerosis",
        "Homo sapiens",
        "10.7759/cureus.83824",
        "10.1002/art.22457",
        "Jarred Younger",
        "PLoS ONE",
    ],
)
@pytest.mark.parametrize(
    "filters",
    [ViewFilter(), ViewFilter(outcomes=frozenset({"improved"})), ViewFilter.parse(years="2009-")],
    ids=["all", "improved", "2009-"],
)
def test_a_neighbourhood_read_from_its_papers_equals_one_cut_from_everything(
    seeds: PaperStore, focus: str, filters: ViewFilter, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The reference: every view read whole, then the ball cut out of it. The neighbourhood is
    # always read from its own papers here (the seeds are few, so it would read everything).
    from paperkg.viz import views

    monkeypatch.setattr(views, "_WHOLE_READ_FACTOR", 0)
    from paperkg.viz.snapshot import read_snapshot

    everything = views._combined_views(read_snapshot(seeds), filters)
    node = node_named(seeds, focus)
    assert node is not None
    for depth in range(4):
        if node not in everything:
            with pytest.raises(VizError, match="no findings in this view"):
                neighbourhood_graph(seeds, focus, depth=depth, filters=filters)
            continue
        expected = nx.ego_graph(everything, node, radius=depth, undirected=True)
        got = neighbourhood_graph(seeds, focus, depth=depth, filters=filters)
        assert _comparable(got) == _comparable(nx.DiGraph(expected)), (focus, depth)


def test_a_focus_named_as_drawn_is_found_in_the_views(seeds: PaperStore) -> None:
    view = neighbourhood_graph(seeds, "Moser 2025", depth=1)
    assert view.graph["focus"] == MOSER
