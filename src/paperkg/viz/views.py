"""The store as typed networkx graphs: the views people look at, not a dump of every triple.

A view is an ``nx.DiGraph`` whose node ids are IRIs. Nodes carry ``kind`` (drug, condition,
paper, author, journal, species), ``label``, ``iri``, ``ids`` (CURIEs), ``url`` and ``papers``
(how many papers support the node in this view); papers also ``year``, ``design``,
``sample_size`` and ``journal``. Edges carry ``relation`` (tested_for, gave, studies, authored,
published_in, mentions), ``predicate`` (a CURIE), ``label``, ``weight`` (papers), ``outcome``
(one outcome code, ``conflicting`` when the papers disagree, or ``None``), ``outcomes``
(papers per outcome) and ``support``: one entry per paper with its outcome, dose and the
sentences that support it, a sequence of dicts (a list, or in the whole-store drug–condition
view a :class:`~paperkg.viz.support.PairSupport` that reads its entries from the store when
first used). The writers in :mod:`paperkg.viz.writers` flatten what GraphML and GEXF cannot
hold; the HTML explorer embeds the support of an edge's most recent papers
(:data:`~paperkg.viz.support.EMBEDDED_PAPERS`) and says how many more it has.

Everything is read from the store in a handful of SPARQL queries (one per kind of fact), then
assembled in Python; drugs and conditions are grouped by their canonical concept. The
unfiltered whole-store drug–condition view is drawn from the counts kept at ingest instead
(:mod:`paperkg.viz.tally_views`): 100,000 records' findings are too many to read for it. The
papers view of a large store holds its most recent papers and reads only those
(:mod:`paperkg.viz.latest`).
"""

from __future__ import annotations

import html
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import networkx as nx

from ..errors import VizError, closest
from ..lookup import node_named
from ..model import Outcome, StudyDesign
from ..store import PaperStore
from .latest import latest_kept, latest_papers, read_papers, say_left_out
from .reach import reachable_papers
from .snapshot import WHOLE_READ_FACTOR, Finding, Paper, Snapshot, read_snapshot
from .support import combined_outcome, support_entry
from .tally_views import add_concept, add_tallied_pairs

__all__ = [
    "VIEWS",
    "View",
    "ViewFilter",
    "drug_condition_graph",
    "neighbourhood_graph",
    "paper_graph",
    "view_graph",
]

#: A neighbourhood reaching past a quarter of the papers reads them all (the per-paper cost).
_WHOLE_READ_FACTOR = WHOLE_READ_FACTOR

#: The views ``paperkg viz --view`` offers.
VIEWS = ("drug-condition", "papers")

_RELATIONS = {
    "gave": ("pkg:drug", "gave"),
    "studies": ("pkg:studiesCondition", "studies"),
    "authored": ("dcterms:creator", "author of"),
    "published_in": ("dcterms:isPartOf", "published in"),
    "mentions": ("pkg:mentions", "mentions"),
}


if TYPE_CHECKING:
    _Graph = nx.DiGraph[str]
else:
    _Graph = nx.DiGraph

#: Nodes a notebook's inline explorer keeps (those with the most papers), as ``viz`` does.
NOTEBOOK_NODES = 300


class View(_Graph):
    """A view as the functions below build it: a networkx ``DiGraph`` that a Jupyter notebook
    shows inline as the offline explorer (in a sandboxed frame: its script cannot reach the
    notebook, and it fetches nothing).
    """

    def _repr_html_(self) -> str:
        from .html import render_html
        from .writers import limit

        page = render_html(limit(self, NOTEBOOK_NODES))
        title = html.escape(str(self.graph.get("title") or "paperkg view"), quote=True)
        return (
            f'<iframe title="{title}" sandbox="allow-scripts allow-popups '
            'allow-popups-to-escape-sandbox" style="width: 100%; height: 540px; border: 0" '
            f'srcdoc="{html.escape(page, quote=True)}"></iframe>'
        )


@dataclass(frozen=True, slots=True)
class ViewFilter:
    """Which findings a view keeps: by outcome, by the paper's design, by publication year.

    Empty sets keep everything. A paper without a year passes only an open year range.
    """

    outcomes: frozenset[str] = frozenset()
    designs: frozenset[str] = frozenset()
    year_from: int | None = None
    year_to: int | None = None

    def __post_init__(self) -> None:
        for option, values, known in (
            ("outcome", self.outcomes, tuple(o.value for o in Outcome)),
            ("design", self.designs, tuple(d.value for d in StudyDesign)),
        ):
            for value in sorted(values):
                if value not in known:
                    hint = closest(value, known)
                    fix = f"did you mean {hint!r}? " if hint else ""
                    raise VizError(
                        option,
                        f"unknown {option} {value!r}",
                        fix + "use one of: " + ", ".join(known),
                    )
        if (
            self.year_from is not None
            and self.year_to is not None
            and (self.year_from > self.year_to)
        ):
            raise VizError(
                "year",
                f"{self.year_from} is after {self.year_to}",
                "give the range as FROM-TO, e.g. 2005-2020",
            )

    @classmethod
    def parse(
        cls, outcomes: Iterable[str] = (), designs: Iterable[str] = (), years: str | None = None
    ) -> ViewFilter:
        """A filter from command-line text: outcome and design codes, years as ``2005-2020``,
        ``2005-``, ``-2020`` or ``2009``.
        """
        low = high = None
        if years:
            match = re.fullmatch(r"\s*(\d{4})?\s*(-)?\s*(\d{4})?\s*", years)
            if not match or not (match[1] or match[3]) or (match[3] and not match[2]):
                raise VizError(
                    "year",
                    f"{years!r} is not a year range",
                    "write FROM-TO, FROM-, -TO or one year, e.g. 2005-2020",
                )
            low = int(match[1]) if match[1] else None
            high = int(match[3]) if match[3] else (low if not match[2] else None)
        return cls(frozenset(outcomes), frozenset(designs), low, high)

    def keeps(self, paper: Paper, outcome: str) -> bool:
        """Whether a finding of ``paper`` with ``outcome`` is in the view."""
        if self.outcomes and outcome not in self.outcomes:
            return False
        if self.designs and paper.design not in self.designs:
            return False
        if self.year_from is None and self.year_to is None:
            return True
        if paper.year is None:
            return False
        return (self.year_from is None or paper.year >= self.year_from) and (
            self.year_to is None or paper.year <= self.year_to
        )


# --- the views -------------------------------------------------------------------------------


def drug_condition_graph(store: PaperStore, filters: ViewFilter | None = None) -> nx.DiGraph[str]:
    """Drugs and conditions, one edge per (drug, condition) pair with a finding: ``weight`` is
    the number of papers, ``outcome`` their common outcome or ``conflicting``, ``support`` the
    papers with their outcome, dose and supporting sentences.

    Unfiltered, it comes from the counts kept at ingest and each edge's ``support`` is read
    when used (:class:`~paperkg.viz.support.PairSupport`); filtered, or in a store whose counts
    are absent or stale, it is counted from the findings. Both give the same view.
    """
    chosen = filters or ViewFilter()
    if chosen == ViewFilter():
        graph = _drug_condition_view()
        if add_tallied_pairs(graph, store):
            return graph
    return _drug_condition(read_snapshot(store, context=False), chosen)


def paper_graph(store: PaperStore, filters: ViewFilter | None = None) -> nx.DiGraph[str]:
    """Papers with what they gave (drugs, coloured by the paper's outcome), the conditions they
    studied, the species they mention, their authors and journals.

    Past :data:`~paperkg.viz.latest.SHOWN_PAPERS` papers it holds the most recent ones, and
    ``more_papers`` says how many it leaves out (nodes count the papers shown). Unfiltered, only
    those papers are read (:func:`~paperkg.viz.latest.latest_papers`).
    """
    chosen = filters or ViewFilter()
    if chosen == ViewFilter():
        latest = latest_papers(store)
        if latest is None:
            return _papers(read_snapshot(store), chosen)
        shown, papers = latest
        return say_left_out(_papers(read_papers(store, shown), chosen), papers)
    snapshot, papers = latest_kept(read_snapshot(store), chosen)
    return say_left_out(_papers(snapshot, chosen), papers)


def neighbourhood_graph(
    store: PaperStore, focus: str, *, depth: int = 1, filters: ViewFilter | None = None
) -> nx.DiGraph[str]:
    """Everything within ``depth`` steps of ``focus`` (edges followed either way) in the drug–
    condition and paper views combined. ``focus`` is a drug, condition or species (label,
    synonym, CURIE or IRI), a paper (DOI, PMID:…, PMC id or IRI), an author or a journal name.

    Only the papers within ``depth + 1`` steps are read (those one step further still count
    in the papers and support of the nodes and edges shown), so the cost follows the
    neighbourhood, not the store. A focus named only as drawn (a paper as "Moser 2025") is
    looked up in the whole views instead.
    """
    if depth < 0:
        raise VizError("depth", f"{depth} is negative", "give 0 or more steps")
    chosen = filters or ViewFilter()
    node = node_named(store, focus)
    if node is None:
        snapshot = read_snapshot(store)
        combined = _combined_views(snapshot, chosen)
        node = _resolve_focus(combined, focus)
    else:
        papers = reachable_papers(store, node, depth + 1)
        if len(papers) * _WHOLE_READ_FACTOR > len(store.record_graphs()):
            snapshot = read_snapshot(store)
        else:
            snapshot = read_snapshot(store, only_papers=papers)
        combined = _combined_views(snapshot, chosen)
    return _ball(combined, focus, node, depth)


def _combined_views(snapshot: Snapshot, filters: ViewFilter) -> nx.DiGraph[str]:
    combined: nx.DiGraph[str] = nx.compose(
        _papers(snapshot, filters), _drug_condition(snapshot, filters)
    )
    return combined


def _ball(combined: nx.DiGraph[str], focus: str, node: str, depth: int) -> nx.DiGraph[str]:
    if node not in combined:
        raise VizError(
            "focus",
            f"{focus!r} has no findings in this view",
            "widen the filters or pick another focus",
        )
    view: nx.DiGraph[str] = View(nx.ego_graph(combined, node, radius=depth, undirected=True))
    view.graph.update(
        view="neighbourhood",
        focus=node,
        depth=depth,
        title=f"{combined.nodes[node]['label']}: neighbourhood, depth {depth}",
    )
    return view


def view_graph(
    store: PaperStore,
    view: str = "drug-condition",
    *,
    focus: str | None = None,
    depth: int = 1,
    filters: ViewFilter | None = None,
) -> nx.DiGraph[str]:
    """The view the CLI asks for: a named view, or the neighbourhood of ``focus``."""
    if focus is not None:
        return neighbourhood_graph(store, focus, depth=depth, filters=filters)
    if view == "drug-condition":
        return drug_condition_graph(store, filters)
    if view == "papers":
        return paper_graph(store, filters)
    hint = closest(view, VIEWS)
    raise VizError(
        "view",
        f"unknown view {view!r}",
        (f"did you mean {hint!r}? " if hint else "") + "use one of: " + ", ".join(VIEWS),
    )


def _drug_condition_view() -> nx.DiGraph[str]:
    return View(view="drug-condition", title="Drugs and the conditions they were tried for")


def _drug_condition(snapshot: Snapshot, filters: ViewFilter) -> nx.DiGraph[str]:
    graph = _drug_condition_view()
    pairs: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for finding in snapshot.findings:
        paper = snapshot.papers.get(finding.paper)
        if paper is not None and filters.keeps(paper, finding.outcome):
            pairs[(finding.drug, finding.condition)].append(finding)
    concept_papers: dict[str, set[str]] = defaultdict(set)
    for (drug, condition), found in sorted(pairs.items()):
        for concept in (drug, condition):
            add_concept(graph, snapshot.concepts, concept)
            concept_papers[concept].update(f.paper for f in found)
        ordered = sorted(found, key=lambda f: (f.paper, f.iri))
        support = [support_entry(snapshot, f) for f in ordered]
        outcomes = Counter(entry["outcome"] for entry in support)
        predicates = sorted({p for f in found for p in f.predicates}) or [
            "biolink:studied_to_treat"
        ]
        graph.add_edge(
            drug,
            condition,
            relation="tested_for",
            predicate="|".join(predicates),
            label="tried for",
            weight=len({f.paper for f in found}),
            outcome=combined_outcome(outcomes),
            outcomes=dict(sorted(outcomes.items())),
            support=support,
        )
    for concept, papers in concept_papers.items():
        graph.nodes[concept]["papers"] = len(papers)
    return graph


def _papers(snapshot: Snapshot, filters: ViewFilter) -> nx.DiGraph[str]:
    graph: nx.DiGraph[str] = View(
        view="papers", title="Papers, what they gave and studied, who wrote them"
    )
    kept: dict[str, list[Finding]] = defaultdict(list)
    for finding in snapshot.findings:
        paper = snapshot.papers.get(finding.paper)
        if paper is not None and filters.keeps(paper, finding.outcome):
            kept[finding.paper].append(finding)
    unfiltered = filters == ViewFilter()
    chosen = sorted(snapshot.papers) if unfiltered else sorted(kept)
    counts: Counter[str] = Counter()
    for iri in chosen:
        paper = snapshot.papers[iri]
        graph.add_node(
            iri,
            kind="paper",
            label=_paper_label(paper, snapshot.authors.get(iri)),
            iri=iri,
            ids=(),
            url=paper.url,
            papers=1,
            year=paper.year,
            design=paper.design,
            sample_size=paper.sample_size,
            journal=paper.journal_title,
            title=paper.title,
        )
        by_drug: dict[str, list[Finding]] = defaultdict(list)
        for finding in kept.get(iri, []):
            by_drug[finding.drug].append(finding)
        for drug, found in sorted(by_drug.items()):
            support = [support_entry(snapshot, f) for f in found]
            outcomes = Counter(entry["outcome"] for entry in support)
            add_concept(graph, snapshot.concepts, drug)
            _add_link(
                graph,
                iri,
                drug,
                "gave",
                outcome=combined_outcome(outcomes),
                outcomes=outcomes,
                support=support,
            )
            counts[drug] += 1
        studied = set(snapshot.studies.get(iri, set())) | {f.condition for f in kept.get(iri, [])}
        for condition in sorted(studied):
            if condition in snapshot.concepts:
                add_concept(graph, snapshot.concepts, condition)
                _add_link(graph, iri, condition, "studies")
                counts[condition] += 1
        for species in sorted(snapshot.species.get(iri, set())):
            if species in snapshot.concepts:
                add_concept(graph, snapshot.concepts, species)
                _add_link(graph, iri, species, "mentions")
                counts[species] += 1
        for author, name in snapshot.authors.get(iri, []):
            if author not in graph:
                graph.add_node(
                    author, kind="author", label=name, iri=author, ids=(), url=None, papers=0
                )
            _add_link(graph, author, iri, "authored")
            counts[author] += 1
        if paper.journal:
            if paper.journal not in graph:
                graph.add_node(
                    paper.journal,
                    kind="journal",
                    label=paper.journal_title or paper.journal,
                    iri=paper.journal,
                    ids=(),
                    url=None,
                    papers=0,
                )
            _add_link(graph, iri, paper.journal, "published_in")
            counts[paper.journal] += 1
    for node, count in counts.items():
        graph.nodes[node]["papers"] = count
    _disambiguate_papers(graph)
    return graph


def _disambiguate_papers(graph: nx.DiGraph[str]) -> None:
    """Two papers of one first author and year read "Younger et al. 2009a" and "…2009b"."""
    same: dict[str, list[str]] = defaultdict(list)
    for node, data in graph.nodes(data=True):
        if data["kind"] == "paper":
            same[data["label"]].append(node)
    for label, nodes in same.items():
        if len(nodes) > 1 and label[-4:].isdigit():
            ordered = sorted(nodes, key=lambda n: (graph.nodes[n].get("title") or "", n))
            for index, node in enumerate(ordered):
                graph.nodes[node]["label"] = label + "abcdefghijklmnopqrstuvwxyz"[index % 26]


# --- helpers ---------------------------------------------------------------------------------


def _add_link(
    graph: nx.DiGraph[str],
    source: str,
    target: str,
    relation: str,
    *,
    outcome: str | None = None,
    outcomes: Mapping[str, int] | None = None,
    support: list[dict[str, Any]] | None = None,
) -> None:
    predicate, label = _RELATIONS[relation]
    graph.add_edge(
        source,
        target,
        relation=relation,
        predicate=predicate,
        label=label,
        weight=1,
        outcome=outcome,
        outcomes=dict(sorted((outcomes or {}).items())),
        support=support or [],
    )


def _resolve_focus(graph: nx.DiGraph[str], focus: str) -> str:
    """A focus the store's keys did not find (see :func:`paperkg.lookup.node_named`): a node
    IRI or a label as drawn ("Moser 2025"); else an error with the closest label.
    """
    text = focus.strip()
    if not text:
        raise VizError("focus", "empty focus", "name a drug, condition, paper, author or journal")
    if text in graph:
        return text
    wanted = text.casefold()
    named = sorted(str(n) for n in graph if graph.nodes[n]["label"].casefold() == wanted)
    if named:
        return named[0]
    labels = sorted({data["label"] for _, data in graph.nodes(data=True)})
    hint = closest(text, labels)
    fix = f"did you mean {hint!r}? " if hint else ""
    raise VizError(
        "focus",
        f"nothing in the store is called {focus!r}",
        fix + "give a drug, condition, paper (DOI, PMID:…), author or journal",
    )


def _paper_label(paper: Paper, authors: list[tuple[str, str]] | None) -> str:
    """How people cite a paper in a picture: first author's surname and year ("Younger 2009")."""
    if not authors:
        return _short(paper.title or paper.iri, 40)
    words = [w for w in authors[0][1].replace(",", " ").split() if w.rstrip(".") not in _SUFFIXES]
    # "Younger JW", "Cummins ET": initials after the surname; "Jarred Younger": surname last.
    initials = len(words) > 1 and words[-1].isupper() and len(words[-1].rstrip(".")) <= 3
    surname = words[0] if initials else (words[-1] if words else paper.title)
    more = " et al." if len(authors) > 1 else ""
    return f"{surname}{more} {paper.year}" if paper.year else f"{surname}{more}"


_SUFFIXES = {"Jr", "Sr", "II", "III", "IV"}


def _short(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"
