"""The HTML explorer in a real headless Chromium: it draws, its self-test passes, nothing errs.

Needs Debian's ``chromium`` (or ``PAPERKG_CHROMIUM``); without one these tests fail, they do not
skip. Each page is loaded once per module and the assertions read the dumped DOM, the console
log and a screenshot.
"""

from __future__ import annotations

import random
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from typing import TypedDict

import networkx as nx
import pytest
from PIL import Image

from paperkg.viz.html import render_html, write_html
from paperkg.viz.style import node_colour

from browser import PageRun, console_problems, dump_dom, screenshot

SELFTEST_CHECKS = "wheel,tooltip,hover,panel,link,search,centre,clear,pan,inert"
HOSTILE = "<img src=x onerror=alert(1)>"

DRUGS = [
    "naltrexone",
    "metformin",
    "ketamine",
    "psilocybin",
    "ibuprofen",
    "melatonin",
    "lithium",
    "aspirin",
]
CONDITIONS = ["fibromyalgia", "depression", "migraine", "type 2 diabetes", "insomnia", "long COVID"]
AUTHORS = [
    "Younger J",
    "Mackey S",
    "Parkitny L",
    "Kim H",
    HOSTILE,
    "Okafor N",
    "Lindqvist A",
    "García M",
]
OUTCOMES = ["improved", "no_benefit", "improved", "worsened", "adverse_effects", "not_stated"]
DESIGNS = ["rct", "case_report", "cohort", "case_series", None]


class _Paper(TypedDict):
    """A paper of :func:`realistic_graph`, as its edges' ``support`` entries carry it."""

    paper: str
    title: str
    url: str
    year: int
    design: str | None
    sample_size: int | None


def _link(graph: nx.DiGraph[str], source: str, target: str, relation: str, label: str) -> None:
    graph.add_edge(
        source,
        target,
        relation=relation,
        predicate=f"pkg:{relation}",
        label=label,
        weight=1,
        outcome=None,
        outcomes={},
        support=[],
    )


def realistic_graph() -> nx.DiGraph[str]:
    """40 nodes of every kind and 61 edges in the shape paperkg.viz.views builds."""
    graph: nx.DiGraph[str] = nx.DiGraph(view="neighbourhood", title="Drugs and their papers")
    obo = "http://purl.obolibrary.org/obo/"
    drugs = [f"{obo}CHEBI_{100 + i}" for i in range(len(DRUGS))]
    conditions = [f"{obo}MONDO_{200 + i}" for i in range(len(CONDITIONS))]
    for iri, name in zip(drugs, DRUGS, strict=True):
        graph.add_node(
            iri, kind="drug", label=name, iri=iri, ids=(f"CHEBI:{iri[-3:]}",), url=iri, papers=0
        )
    for iri, name in zip(conditions, CONDITIONS, strict=True):
        graph.add_node(
            iri,
            kind="condition",
            label=name,
            iri=iri,
            ids=(f"MONDO:{iri[-3:]}",),
            url=None,
            papers=0,
        )
    journals = [f"https://w3id.org/paperkg/journal/{n}" for n in ("pain", "lancet", "bmj")]
    for iri, name in zip(journals, ("Pain", "The Lancet", "BMJ"), strict=True):
        graph.add_node(iri, kind="journal", label=name, iri=iri, ids=(), url=None, papers=2)
    human = f"{obo}NCBITaxon_9606"
    graph.add_node(
        human,
        kind="species",
        label="Homo sapiens",
        iri=human,
        ids=("NCBITaxon:9606",),
        url=None,
        papers=1,
    )
    authors = [f"https://w3id.org/paperkg/author/{i}" for i in range(len(AUTHORS))]
    for iri, name in zip(authors, AUTHORS, strict=True):
        graph.add_node(iri, kind="author", label=name, iri=iri, ids=(), url=None, papers=2)
    rng = random.Random(7)
    pairs = [(d, c) for i, d in enumerate(DRUGS) for c in rng.sample(CONDITIONS, 1 + i % 2)][:12]
    papers: list[_Paper] = []
    for p in range(14):
        drug, condition = pairs[p % len(pairs)]
        iri = f"https://w3id.org/paperkg/paper/pmid-{3000 + p}"
        # Paper 1's link is hostile: it must never become an <a href>.
        url = "javascript:alert(1)" if p == 1 else f"https://doi.org/10.1000/paper.{p}"
        paper: _Paper = {
            "paper": iri,
            "title": f"Low-dose {drug} for {condition}: study {p}",
            "url": url,
            "year": 2005 + p,
            "design": DESIGNS[p % len(DESIGNS)],
            "sample_size": 20 + 7 * p if p % 3 else None,
        }
        surname = AUTHORS[p % len(AUTHORS)].split()[0]
        graph.add_node(
            iri,
            kind="paper",
            label=f"{surname} et al. {2005 + p}",
            iri=iri,
            ids=(f"PMID:{3000 + p}",),
            url=url,
            papers=1,
            year=paper["year"],
            design=paper["design"],
            sample_size=paper["sample_size"],
            journal="Pain",
            title=paper["title"],
        )
        papers.append(paper)
    for e, (drug, condition) in enumerate(pairs):
        chosen = papers[e % 14 : e % 14 + (2 if e % 3 == 0 else 1)]
        support = [
            {
                **paper,
                "outcome": OUTCOMES[(e + k) % len(OUTCOMES)],
                "dose": "4.5 mg daily" if k == 0 else None,
                "evidence": [
                    f"Low-dose {drug} reduced {condition} pain by {30 + e}%.",
                    "Adverse events were mild\u2028and transient.",
                ],
            }
            for k, paper in enumerate(chosen)
        ]
        outcomes = dict(Counter(entry["outcome"] for entry in support))
        overall = next(iter(outcomes)) if len(outcomes) == 1 else "conflicting"
        d, c = drugs[DRUGS.index(drug)], conditions[CONDITIONS.index(condition)]
        graph.add_edge(
            d,
            c,
            relation="tested_for",
            predicate="biolink:in_clinical_trials_for",
            label="tried for",
            weight=len(chosen),
            outcome=overall,
            outcomes=outcomes,
            support=support,
        )
        for node in (d, c):
            graph.nodes[node]["papers"] += len(chosen)
    for p, paper in enumerate(papers):
        drug, condition = pairs[p % len(pairs)]
        _link(graph, paper["paper"], drugs[DRUGS.index(drug)], "gave", "gave")
        _link(graph, paper["paper"], conditions[CONDITIONS.index(condition)], "studies", "studies")
        _link(graph, authors[p % len(authors)], paper["paper"], "authored", "wrote")
        if p < 6:
            _link(graph, paper["paper"], journals[p % 3], "published_in", "published in")
    _link(graph, papers[0]["paper"], human, "mentions", "mentions")
    return graph


def large_graph(nodes: int = 300, edges: int = 1000) -> nx.DiGraph[str]:
    """A drug-condition view at the size the explorer must handle smoothly."""
    rng = random.Random(11)
    graph: nx.DiGraph[str] = nx.DiGraph(view="drug-condition", title="Large view")
    kinds = ["drug" if i % 2 else "condition" for i in range(nodes)]
    for i, kind in enumerate(kinds):
        graph.add_node(
            f"urn:n{i}",
            kind=kind,
            label=f"{kind} {i}",
            iri=f"urn:n{i}",
            ids=(),
            url=None,
            papers=rng.randint(1, 30),
        )
    outcomes = ["improved", "no_benefit", "worsened", "mixed", "conflicting", "not_stated"]
    while graph.number_of_edges() < edges:
        d, c = rng.randrange(1, nodes, 2), rng.randrange(0, nodes, 2)
        outcome = rng.choice(outcomes)
        support = [
            {
                "paper": f"urn:p{d}-{c}",
                "title": f"Paper {d}-{c}",
                "url": f"https://doi.org/10.1/{d}.{c}",
                "year": 2020,
                "design": "rct",
                "sample_size": 40,
                "outcome": outcome,
                "dose": None,
                "evidence": [f"Sentence for {d} and {c}."],
            }
        ]
        graph.add_edge(
            f"urn:n{d}",
            f"urn:n{c}",
            relation="tested_for",
            predicate="biolink:in_clinical_trials_for",
            label="tried for",
            weight=rng.randint(1, 6),
            outcome=outcome,
            outcomes={outcome: 1},
            support=support,
        )
    return graph


class _Dom(HTMLParser):
    """Collect, from a dumped DOM, every tag seen, the text of SVG <text>, links and the panel."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: Counter[str] = Counter()
        self.texts: list[str] = []
        self.hrefs: list[str] = []
        self.panel_text: list[str] = []
        self.empty_hidden: bool | None = None
        self._in_text = False
        self._panel_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.tags[tag] += 1
        if tag == "text":
            self._in_text = True
            self.texts.append("")
        if "href" in values:
            self.hrefs.append(values["href"] or "")
        if values.get("id") == "empty":
            self.empty_hidden = "hidden" in values
        if self._panel_depth or values.get("id") == "panel":
            self._panel_depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "text":
            self._in_text = False
        if self._panel_depth:
            self._panel_depth -= 1

    def handle_data(self, data: str) -> None:
        if self._in_text:
            self.texts[-1] += data
        if self._panel_depth:
            self.panel_text.append(data)


def parse_dom(dom: str) -> _Dom:
    parser = _Dom()
    parser.feed(dom)
    parser.close()
    return parser


def _page(folder: Path, graph: nx.DiGraph[str]) -> Path:
    page = folder / "explorer.html"
    write_html(graph, page)
    return page


@pytest.fixture(scope="module")
def selftest_run(tmp_path_factory: pytest.TempPathFactory) -> PageRun:
    folder = tmp_path_factory.mktemp("explorer")
    return dump_dom(_page(folder, realistic_graph()), folder / "profile", "#selftest")


def test_the_explorer_draws_and_passes_its_selftest(selftest_run: PageRun) -> None:
    graph = realistic_graph()
    body = selftest_run.body
    assert "data-errors" not in body, body["data-errors"]
    assert body.get("data-status") == "ready"
    assert body.get("data-node-count") == str(graph.number_of_nodes()) == "40"
    assert body.get("data-edge-count") == str(graph.number_of_edges())
    assert body.get("data-selftest") == "pass"
    assert body.get("data-selftest-checks") == SELFTEST_CHECKS
    assert selftest_run.console() == []


def test_hostile_data_is_shown_as_text_and_bad_links_are_not_links(selftest_run: PageRun) -> None:
    dom = parse_dom(selftest_run.dom)
    assert HOSTILE in dom.texts  # the author's "name", drawn as a label
    assert dom.tags["img"] == 0
    assert dom.tags["script"] == 2
    # The self-test left the first edge's panel open: paper 1 has a javascript: link.
    panel = "".join(dom.panel_text)
    assert "Low-dose naltrexone for" in panel
    assert "study 1" in panel
    assert "Adverse events were mild\u2028and transient." in panel
    assert dom.hrefs, "the panel shows no paper links"
    assert all(href.startswith("https://doi.org/") for href in dom.hrefs), dom.hrefs


def test_the_selftest_runs_only_when_asked(tmp_path: Path) -> None:
    run = dump_dom(_page(tmp_path, realistic_graph()), tmp_path / "profile")
    assert run.body.get("data-status") == "ready"
    assert "data-selftest" not in run.body
    assert '<aside id="panel" hidden' in run.dom
    assert run.console() == []


def test_a_screenshot_shows_the_graph(tmp_path: Path) -> None:
    png = tmp_path / "explorer.png"
    log = screenshot(_page(tmp_path, realistic_graph()), tmp_path / "profile", png)
    assert console_problems(log) == []
    image = Image.open(png)
    assert image.format == "PNG"
    assert image.size == (1280, 800)
    colours = image.convert("RGB").getcolors(maxcolors=1280 * 800) or []
    pixels = Counter({colour: count for count, colour in colours})
    assert len(pixels) > 3
    drug = tuple(int(node_colour("drug")[i : i + 2], 16) for i in (1, 3, 5))
    condition = tuple(int(node_colour("condition")[i : i + 2], 16) for i in (1, 3, 5))
    assert pixels[drug] > 200, "no drug nodes drawn"
    assert pixels[condition] > 200, "no condition nodes drawn"
    assert pixels[(255, 255, 255)] < 0.97 * 1280 * 800


def test_an_empty_view_says_so(tmp_path: Path) -> None:
    run = dump_dom(_page(tmp_path, nx.DiGraph(view="papers")), tmp_path / "profile", "#selftest")
    assert run.body.get("data-status") == "ready"
    assert (run.body.get("data-node-count"), run.body.get("data-edge-count")) == ("0", "0")
    assert run.body.get("data-selftest") == "pass"
    assert run.body.get("data-selftest-checks") == "wheel,pan,inert"
    assert parse_dom(run.dom).empty_hidden is False
    assert "nothing to show" in run.dom
    assert run.console() == []


def test_a_large_view_draws_in_time(tmp_path: Path) -> None:
    graph = large_graph()
    run = dump_dom(_page(tmp_path, graph), tmp_path / "profile", "#selftest")
    assert "data-errors" not in run.body, run.body["data-errors"]
    assert run.body.get("data-node-count") == "300"
    assert run.body.get("data-edge-count") == "1000"
    assert run.body.get("data-selftest") == "pass"
    assert run.console() == []
    assert run.seconds < 15


def test_the_console_check_catches_a_deliberate_error(tmp_path: Path) -> None:
    page = tmp_path / "broken.html"
    page.write_text(
        "<!DOCTYPE html><html><body><p>hi</p>"
        '<script>console.error("deliberate-console-error");</script>'
        "<script>noSuchFunction();</script></body></html>",
        encoding="utf-8",
    )
    problems = dump_dom(page, tmp_path / "profile").console()
    assert any("deliberate-console-error" in line for line in problems), problems
    assert any("Uncaught ReferenceError" in line for line in problems), problems


def test_a_broken_page_reports_error(tmp_path: Path) -> None:
    page = tmp_path / "explorer.html"
    good = render_html(realistic_graph())
    start = good.index('id="paperkg-data">') + len('id="paperkg-data">')
    page.write_text(good[:start] + "{not json" + good[good.index("</script>", start) :])
    run = dump_dom(page, tmp_path / "profile", "#selftest")
    assert run.body.get("data-status") == "error"
    assert run.body.get("data-errors")
    assert "data-selftest" not in run.body
    assert any("Uncaught" in line for line in run.console())


def test_a_sabotaged_explorer_fails_its_selftest(tmp_path: Path) -> None:
    """The self-test is real: break the panel's evidence and the search highlight, see it fail."""
    page = render_html(realistic_graph())
    for working, broken in (
        ('el("blockquote", null, sentence)', 'el("blockquote", null, "")'),
        ('node.el.classList.add("match")', "void node"),
    ):
        assert page.count(working) == 1, f"the explorer changed: update this test ({working})"
        page = page.replace(working, broken)
    path = tmp_path / "explorer.html"
    path.write_text(page, encoding="utf-8")
    run = dump_dom(path, tmp_path / "profile", "#selftest")
    assert run.body.get("data-status") == "ready"
    verdict = run.body.get("data-selftest", "")
    assert verdict.startswith("fail: "), verdict
    assert "panel:" in verdict
    assert "search:" in verdict
    assert "wheel:" not in verdict
