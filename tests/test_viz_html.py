"""The offline HTML explorer page, read statically: structure, embedded data, safety, output.

What it does in a browser is tested in tests/test_viz_browser.py.
"""

from __future__ import annotations

import contextlib
import json
import re
import stat
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, BinaryIO

import networkx as nx
import pytest

from paperkg.files import atomic_write
from paperkg.viz import html as explorer
from paperkg.viz.html import CONTENT_SECURITY_POLICY, embed_json, render_html, write_html
from paperkg.viz.style import CONFLICTING, edge_colour, node_colour

DRUG = "http://purl.obolibrary.org/obo/CHEBI_7465"
CONDITION = "http://purl.obolibrary.org/obo/MONDO_0005546"
PAPER_A = "https://w3id.org/paperkg/paper/pmid-23359310"
PAPER_B = "https://w3id.org/paperkg/paper/pmc-4091718"
AUTHOR = "https://w3id.org/paperkg/author/younger-j"
HOSTILE_AUTHOR = "https://w3id.org/paperkg/author/mallory"
HOSTILE = "</script><script>alert(1)</script><img src=x onerror=alert(2)>\u2028&amp;\u2029"
SVG_NS = "http://www.w3.org/2000/svg"


def _support(paper: str, outcome: str, url: str, evidence: str) -> dict[str, Any]:
    return {
        "paper": paper,
        "title": f"Low-dose naltrexone in fibromyalgia ({outcome})",
        "url": url,
        "year": 2013,
        "design": "rct",
        "sample_size": 31,
        "outcome": outcome,
        "dose": "4.5 mg/day",
        "evidence": [evidence],
    }


def small_graph() -> nx.DiGraph[str]:
    """A drug-condition edge with two papers that disagree, the papers, an author, hostile text."""
    graph: nx.DiGraph[str] = nx.DiGraph(view="neighbourhood", title="Naltrexone")
    graph.add_node(
        DRUG, kind="drug", label="naltrexone", iri=DRUG, ids=("CHEBI:7465",), url=DRUG, papers=2
    )
    graph.add_node(
        CONDITION,
        kind="condition",
        label="fibromyalgia",
        iri=CONDITION,
        ids=("MONDO:0005546", "MESH:D005356"),
        url=None,
        papers=2,
    )
    for paper, url, year in (
        (PAPER_A, "https://doi.org/10.1002/art.37734", 2013),
        (PAPER_B, "https://www.ncbi.nlm.nih.gov/pmc/articles/PMC4091718/", 2009),
    ):
        graph.add_node(
            paper,
            kind="paper",
            label=f"Younger et al. {year}",
            iri=paper,
            ids=(),
            url=url,
            papers=1,
            year=year,
            design="rct",
            sample_size=31,
            journal="Arthritis Rheum",
        )
        graph.add_edge(
            paper,
            DRUG,
            relation="gave",
            predicate="pkg:gave",
            label="gave",
            weight=1,
            outcome=None,
            outcomes={},
            support=[],
        )
        graph.add_edge(
            paper,
            CONDITION,
            relation="studies",
            predicate="pkg:studies",
            label="studies",
            weight=1,
            outcome=None,
            outcomes={},
            support=[],
        )
    graph.add_node(AUTHOR, kind="author", label="Younger J", iri=AUTHOR, ids=(), url=None, papers=2)
    graph.add_edge(
        AUTHOR,
        PAPER_A,
        relation="authored",
        predicate="dcterms:creator",
        label="wrote",
        weight=1,
        outcome=None,
        outcomes={},
        support=[],
    )
    graph.add_node(
        HOSTILE_AUTHOR,
        kind="author",
        label=HOSTILE,
        iri=HOSTILE_AUTHOR,
        ids=(),
        url="javascript:alert(3)",
        papers=1,
    )
    graph.add_edge(
        HOSTILE_AUTHOR,
        PAPER_B,
        relation="authored",
        predicate="dcterms:creator",
        label="wrote",
        weight=1,
        outcome=None,
        outcomes={},
        support=[],
    )
    graph.add_edge(
        DRUG,
        CONDITION,
        relation="tested_for",
        predicate="biolink:in_clinical_trials_for",
        label="tried for",
        weight=2,
        outcome=CONFLICTING,
        outcomes={"improved": 1, "no_benefit": 1},
        support=[
            _support(
                PAPER_A,
                "improved",
                "https://doi.org/10.1002/art.37734",
                "LDN reduced pain by 28.8% versus 18.0% on placebo.",
            ),
            _support(
                PAPER_B,
                "no_benefit",
                "https://www.ncbi.nlm.nih.gov/pmc/articles/PMC4091718/",
                f"No change in fatigue {HOSTILE}.",
            ),
        ],
    )
    return graph


class _Page(HTMLParser):
    """Tags, attributes, script and style contents, and text outside scripts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.styles: list[str] = []
        self.text: list[str] = []
        self._open: str | None = None
        self._attrs: dict[str, str | None] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._open, self._attrs = tag, dict(attrs)
            if tag == "script":
                self.scripts.append((self._attrs, ""))
            else:
                self.styles.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == self._open:
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open == "script":
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)
        elif self._open == "style":
            self.styles[-1] += data
        else:
            self.text.append(data)


def parse(page: str) -> _Page:
    parser = _Page()
    parser.feed(page)
    parser.close()
    return parser


def embedded(page: str) -> dict[str, Any]:
    (data,) = [text for attrs, text in parse(page).scripts if attrs.get("id") == "paperkg-data"]
    value = json.loads(data)
    assert isinstance(value, dict)
    return value


def outside_data(page: str) -> str:
    """The page with the JSON data element's content cut out."""
    start = page.index('<script type="application/json" id="paperkg-data">')
    end = page.index("</script>", start)
    return page[:start] + page[end:]


@pytest.fixture(scope="module")
def page() -> str:
    return render_html(small_graph())


def test_the_page_parses_with_one_data_script_one_code_script_and_a_style(page: str) -> None:
    parsed = parse(page)
    assert page.startswith("<!DOCTYPE html>")
    kinds = [(attrs.get("type"), attrs.get("id")) for attrs, _ in parsed.scripts]
    assert kinds == [("application/json", "paperkg-data"), (None, None)]
    assert not any("src" in attrs for attrs, _ in parsed.scripts)
    assert len(parsed.styles) == 1
    body = [attrs for tag, attrs in parsed.tags if tag == "body"]
    assert body == [{"data-status": "loading"}]
    assert "function selftest()" in parsed.scripts[1][1]
    assert "#selftest" in parsed.scripts[1][1]


def test_a_strict_content_security_policy_forbids_fetching(page: str) -> None:
    metas = [attrs for tag, attrs in parse(page).tags if tag == "meta"]
    csp = [m["content"] for m in metas if m.get("http-equiv") == "Content-Security-Policy"]
    assert csp == [CONTENT_SECURITY_POLICY]
    assert "default-src 'none'" in CONTENT_SECURITY_POLICY
    assert "img-src data:" in CONTENT_SECURITY_POLICY
    # The CSP must come before anything that could load or run.
    assert page.index("Content-Security-Policy") < page.index("<style>")


def test_the_embedded_json_round_trips_to_the_graph(page: str) -> None:
    graph = small_graph()
    data = embedded(page)
    assert data["title"] == "Naltrexone"
    assert data["view"] == "neighbourhood"
    assert [n["id"] for n in data["nodes"]] == list(graph.nodes)
    for node in data["nodes"]:
        attrs = graph.nodes[node["id"]]
        assert node["label"] == attrs["label"]
        assert node["kind"] == attrs["kind"]
        assert node["ids"] == list(attrs["ids"])
        assert node["url"] == attrs["url"]
        assert node["papers"] == attrs["papers"]
        assert node["colour"] == node_colour(attrs["kind"])
        assert 0 <= node["x"] <= 1000
        assert 0 <= node["y"] <= 1000
    assert [(e["source"], e["target"]) for e in data["edges"]] == list(graph.edges)
    for edge in data["edges"]:
        attrs = graph.edges[edge["source"], edge["target"]]
        for key in ("relation", "predicate", "label", "weight", "outcome", "outcomes", "support"):
            assert edge[key] == attrs[key], key
        assert edge["colour"] == edge_colour(attrs["outcome"], attrs["relation"])
    (tested,) = [e for e in data["edges"] if e["relation"] == "tested_for"]
    assert tested["outcome"] == CONFLICTING
    assert [s["outcome"] for s in tested["support"]] == ["improved", "no_benefit"]


def test_the_legend_lists_only_what_is_drawn(page: str) -> None:
    legend = embedded(page)["legend"]
    assert [k["kind"] for k in legend["kinds"]] == ["drug", "condition", "paper", "author"]
    assert [o["outcome"] for o in legend["outcomes"]] == [CONFLICTING]
    assert [r["relation"] for r in legend["relations"]] == ["gave", "studies", "authored"]
    assert legend["outcomes"][0]["label"] == "papers disagree"


def test_the_json_can_never_close_its_script_element(page: str) -> None:
    (raw,) = [text for attrs, text in parse(page).scripts if attrs.get("id") == "paperkg-data"]
    for character in ("<", ">", "&", "\u2028", "\u2029"):
        assert character not in raw
    assert "\\u003c/script\\u003e" in raw
    assert embed_json({"a": "</script>\u2028&"}) == '{"a":"\\u003c/script\\u003e\\u2028\\u0026"}'
    assert json.loads(embed_json({"a": HOSTILE})) == {"a": HOSTILE}


def test_hostile_text_never_appears_raw_outside_the_data() -> None:
    graph = small_graph()
    page = render_html(graph, title=HOSTILE)
    rest = outside_data(page)
    for fragment in ("<script>alert", "<img", "\u2028", "\u2029", "javascript:"):
        assert fragment not in rest, fragment
    # The title is escaped where the static page shows it, and survives as data.
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in rest
    assert embedded(page)["title"] == HOSTILE
    assert "".join(parse(page).text).count(HOSTILE) == 2  # <title> and <h1>, as text


def test_no_external_address_in_the_static_page(page: str) -> None:
    rest = outside_data(page)
    parsed = parse(rest)
    for tag, attrs in parsed.tags:
        for name in ("src", "href", "action", "srcset", "poster", "data"):
            assert name not in attrs, (tag, name)
    assert not [tag for tag, _ in parsed.tags if tag in ("link", "img", "iframe", "object")]
    addresses = set(re.findall(r"https?://[^\s\"'<>)]+", rest))
    assert addresses <= {SVG_NS}, addresses  # the SVG namespace name is not fetched
    # The paper links exist only as data.
    assert "doi.org" not in rest
    assert "doi.org" in page
    assert "url(" not in "".join(parsed.styles)
    assert "@import" not in "".join(parsed.styles)


def test_the_assets_are_inlined() -> None:
    page = render_html(small_graph())
    parsed = parse(page)
    assert explorer._asset("explorer.css") in parsed.styles[0]
    assert explorer._asset("explorer.js") in parsed.scripts[1][1]


def test_an_asset_that_would_close_its_element_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(explorer, "_asset", lambda name: "/* </script> */")
    with pytest.raises(ValueError, match="cannot be inlined"):
        render_html(small_graph())


def test_the_title_comes_from_the_argument_then_the_graph_then_a_default() -> None:
    graph = small_graph()
    assert embedded(render_html(graph, title="Mine"))["title"] == "Mine"
    assert "<title>Mine</title>" in render_html(graph, title="Mine")
    assert embedded(render_html(graph))["title"] == "Naltrexone"
    del graph.graph["title"]
    assert embedded(render_html(graph))["title"] == "paperkg explorer"


def test_given_positions_are_kept_scaled_and_flipped_to_screen() -> None:
    graph: nx.DiGraph[str] = nx.DiGraph()
    for name, x, y in (("a", -1.0, -1.0), ("b", 1.0, 0.0), ("c", 0.0, 1.0)):
        graph.add_node(
            name, kind="drug", label=name, iri=name, ids=(), url=None, papers=1, x=x, y=y
        )
    nodes = {n["id"]: (n["x"], n["y"]) for n in embedded(render_html(graph))["nodes"]}
    # y grows downwards on screen; the larger span becomes 0..1000.
    assert nodes == {"a": (0.0, 1000.0), "b": (1000.0, 500.0), "c": (500.0, 0.0)}


def test_missing_positions_get_a_deterministic_spring_layout() -> None:
    graph = small_graph()
    first = embedded(render_html(graph))["nodes"]
    again = embedded(render_html(small_graph()))["nodes"]
    assert [(n["x"], n["y"]) for n in first] == [(n["x"], n["y"]) for n in again]
    assert len({(n["x"], n["y"]) for n in first}) == len(first)
    # One node without a position: the whole graph is laid out afresh.
    for node in graph.nodes:
        graph.nodes[node].update(x=0.0, y=0.0)
    del graph.nodes[DRUG]["x"]
    assert [(n["x"], n["y"]) for n in embedded(render_html(graph))["nodes"]] == [
        (n["x"], n["y"]) for n in first
    ]


def test_odd_attribute_values_become_plain_json() -> None:
    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_node(
        "a", kind="drug", label="a", iri="a", ids=("X:1",), url=None, papers=float("nan")
    )
    graph.add_node("b", kind="mystery", label=7, iri="b", ids=(), url=None, papers=True)
    graph.add_edge(
        "a",
        "b",
        relation="tested_for",
        weight=2.0,
        outcome="improved",
        outcomes={"improved": 2},
        support=(
            {
                "paper": "p",
                "evidence": ("one",),
                "tags": {"z", "y"},
                "score": float("inf"),
                "path": Path("/x"),
            },
        ),
    )
    data = embedded(render_html(graph))
    a, b = data["nodes"]
    assert (a["papers"], b["papers"], b["label"], b["kind"]) == (0, 0, "7", "mystery")
    assert b["colour"] == node_colour("mystery")
    (edge,) = data["edges"]
    assert edge["weight"] == 2
    assert edge["support"] == [
        {"paper": "p", "evidence": ["one"], "tags": ["y", "z"], "score": None, "path": "/x"}
    ]
    assert edge["label"] == "tested for"
    assert [k["kind"] for k in data["legend"]["kinds"]] == ["drug", "mystery"]


def test_an_empty_graph_renders() -> None:
    page = render_html(nx.DiGraph())
    data = embedded(page)
    assert (data["nodes"], data["edges"]) == ([], [])
    assert data["legend"] == {"kinds": [], "outcomes": [], "relations": []}
    assert data["title"] == "paperkg explorer"
    assert "nothing to show" in page
    parse(page)


def test_write_html_is_atomic_and_deterministic(tmp_path: Path) -> None:
    target = tmp_path / "explorer.html"
    write_html(small_graph(), target)
    first = target.read_bytes()
    assert first == render_html(small_graph()).encode("utf-8")
    target.chmod(0o640)
    write_html(small_graph(), target)
    assert target.read_bytes() == first
    assert stat.S_IMODE(target.stat().st_mode) == 0o640  # a replaced file keeps its mode
    assert sorted(p.name for p in tmp_path.iterdir()) == ["explorer.html"]
    write_html(small_graph(), target, title="Other")
    assert target.read_bytes() != first
    assert embedded(target.read_text(encoding="utf-8"))["title"] == "Other"


def test_a_failed_write_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "explorer.html"
    target.write_text("old", encoding="utf-8")
    real_atomic_write = atomic_write

    class Broken:
        def __init__(self, stream: BinaryIO) -> None:
            self.stream = stream

        def write(self, data: bytes) -> int:
            self.stream.write(data[:100])
            raise OSError("disk full")

    @contextlib.contextmanager
    def failing(path: Path) -> Iterator[Broken]:
        with real_atomic_write(path) as stream:
            yield Broken(stream)

    monkeypatch.setattr(explorer, "atomic_write", failing)
    with pytest.raises(OSError, match="disk full"):
        write_html(small_graph(), target)
    assert target.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["explorer.html"]
