"""The store as a Biolink Model property graph: the one mapping the KGX and Neo4j exports share.

Read with the internal queries ``biolink-*.rq`` and ``view-*.rq``; drugs and conditions are their
canonical concepts (the concept index), so each count below is a ``paperkg stats`` count.

Nodes (``category`` lists the most specific first; every node of a kind has the broad one):

* chemicals ``biolink:ChemicalEntity``, with ``biolink:Drug`` when the chemical is the drug of a
  finding (given as a therapy: Biolink's "substance intended for use in ... treatment"); a
  chemical only named (a comparator, a background) stays a chemical entity;
* conditions ``biolink:DiseaseOrPhenotypicFeature``, with ``biolink:Disease`` when identified by
  MONDO (a disease ontology); a MeSH or unidentified condition may be a symptom, so no more;
* species ``biolink:OrganismTaxon``; papers ``biolink:Publication``; authors ``biolink:Agent``;
  journals ``biolink:Serial`` (Biolink's journal), named by the papers' ``published_in``.

Ids are CURIEs with Biolink's prefixes (``MESH``, ``MONDO``, ``PUBCHEM.COMPOUND``, ``NCBITaxon``,
``PMID``, ``PMCID``, ``doi``). A paper is its PMID, else its DOI, else its PMCID (Biolink's
precedence); kgx refuses ``/`` and ``:`` in a local id, so a DOI id has them percent-encoded
(``doi:10.7759%2Fcureus.83824``, the same IRI once decoded) and ``xref`` keeps the plain CURIEs.
What has no registered identifier (authors, journals, label-only concepts, papers known by title)
keeps its paperkg IRI as ``paperkg.<folder>:<name>``; :attr:`BiolinkGraph.prefixes` expands them.

Edges from findings: text-mined by paperkg's extractors, so ``agent_type: text_mining_agent`` and
``primary_knowledge_source: infores:paperkg`` (the most upstream source that encoded them; the
paper is in ``publications``), ``knowledge_level: observation`` (what one paper reports of its own
study population, not a general claim).

* Every finding is one drug -> condition edge saying the drug was tried for it, whatever came
  of it: ``biolink:in_clinical_trials_for`` for trial designs, else ``biolink:studied_to_treat``
  (the predicates of the RDF graph's direct edges). Not ``treats``: Biolink keeps that for
  approved or phase 3 evidence. Its id is the finding's IRI, and it carries the outcome
  (``finding_outcome``), ``doses``, ``study_design``, ``sample_size``, ``adverse_effects``,
  ``results``, the sentences (``supporting_text``) and the paper (``publications``).
* An outcome that says what happened to the condition is a second edge: improved
  ``biolink:ameliorates_condition``; no benefit the same predicate with ``negated: true`` ("the
  drug did not ameliorate it here": negating the first edge would deny that it was tried);
  worsened ``biolink:exacerbates_condition``. Mixed, not stated and adverse effects make none.
* ``biolink:has_adverse_event`` from a drug to each adverse effect its paper names that is one of
  the paper's conditions (the RDF graph's direct edges).

And ``biolink:mentions`` from a paper to each concept it names (``text_mining_agent``), and
``biolink:author`` from an author to a paper (the record's metadata: ``manual_agent``,
``knowledge_assertion``). Edges that stand for no RDF node get a name-based ``urn:uuid`` id.
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .errors import ExportError
from .identifiers import iri_to_curie
from .model import Outcome, StudyDesign
from .store import PaperStore, store_base_iri, term_text
from .vocab import DESIGN, OUTCOME, PKG

__all__ = ["BiolinkGraph", "read_biolink_graph"]

#: The primary knowledge source of every edge: paperkg encoded the statements.
KNOWLEDGE_SOURCE = "infores:paperkg"

#: paperkg's canonical prefixes spelled as Biolink's prefix map spells them.
_BIOLINK_PREFIX = {"pubchem.compound": "PUBCHEM.COMPOUND", "pubmed": "PMID", "pmc": "PMCID"}
_TRIALS = frozenset(
    d.value
    for d in (
        StudyDesign.RCT,
        StudyDesign.CROSSOVER_RCT,
        StudyDesign.PILOT_TRIAL,
        StudyDesign.OPEN_LABEL_STUDY,
    )
)
#: outcome -> (predicate, negated) of the edge that states the effect on the condition
_EFFECTS = {
    Outcome.IMPROVED.value: ("biolink:ameliorates_condition", False),
    Outcome.NO_BENEFIT.value: ("biolink:ameliorates_condition", True),
    Outcome.WORSENED.value: ("biolink:exacerbates_condition", False),
}
_KINDS = {
    str(PKG.Chemical): "biolink:ChemicalEntity",
    str(PKG.Condition): "biolink:DiseaseOrPhenotypicFeature",
    str(PKG.Species): "biolink:OrganismTaxon",
}
_LOCAL_NAME = re.compile(r"[A-Za-z0-9._~%-]+")
_EDGE_IDS = uuid.UUID("6c0c5b1e-3f5e-5a8e-9f3d-70617065726b")  # uuid5 namespace of edge ids


@dataclass(frozen=True, slots=True)
class BiolinkGraph:
    """Nodes and edges as KGX records (plain JSON values), sorted, and the id prefixes minted."""

    nodes: tuple[dict[str, Any], ...]
    edges: tuple[dict[str, Any], ...]
    prefixes: dict[str, str]
    """``paperkg.*`` CURIE prefix -> IRI, for the ids with no registered identifier."""


def read_biolink_graph(store: PaperStore) -> BiolinkGraph:
    """Read the store into Biolink nodes and edges (module docstring: the mapping and why)."""
    ids = _Ids(store_base_iri(store))
    canonical = {
        term_text(s["node"]): term_text(s["concept"]) for s in store.select("view-canonical")
    }

    def concept(term: Any) -> str:
        node = term_text(term)
        return canonical.get(node, node)

    findings = store.select("biolink-findings")
    drugs = {concept(s["drug"]) for s in findings}
    nodes: dict[str, dict[str, Any]] = {}
    node_of: dict[str, str] = {}  # concept, paper, author or journal IRI -> node id
    synonyms = _grouped(
        (concept(s["node"]), term_text(s["name"])) for s in store.select("biolink-synonyms")
    )
    for s in store.select("view-concepts"):
        iri = term_text(s["concept"])
        curies = sorted(_biolink_curie(c) for c in term_text(s["ids"]).split("|") if c)
        own = iri_to_curie(iri)
        node_id = _biolink_curie(own) if own else ids.local(iri)
        category = [_KINDS[term_text(s["kind"])]]
        if iri in drugs and category == ["biolink:ChemicalEntity"]:
            category.insert(0, "biolink:Drug")
        if node_id.startswith("MONDO:"):
            category.insert(0, "biolink:Disease")
        name = term_text(s["label"]) or (curies[0] if curies else node_id)
        node: dict[str, Any] = {"id": node_id, "category": category, "name": name}
        _put(node, "xref", [c for c in curies if c != node_id])
        _put(node, "synonym", _distinct_names(synonyms.get(iri, []), name))
        nodes[node_id] = node
        node_of[iri] = node_id
    papers = _papers(store, ids, nodes, node_of)
    edges = _finding_edges(store, findings, concept, node_of, papers)
    for s in store.select("biolink-adverse-events"):
        paper, drug, effect = term_text(s["paper"]), concept(s["drug"]), concept(s["effect"])
        edges.append(
            _edge(
                _name_id("adverse-event", paper, drug, effect),
                _end(node_of, drug),
                "biolink:has_adverse_event",
                _end(node_of, effect),
                publications=[papers[paper].curie],
            )
        )
    for s in store.select("biolink-mentions"):
        paper, mentioned = term_text(s["paper"]), concept(s["concept"])
        edge = _edge(
            _name_id("mentions", paper, mentioned),
            _end(node_of, paper),
            "biolink:mentions",
            _end(node_of, mentioned),
        )
        edges.append(edge)
    edges.extend(_authorships(store, ids, nodes, node_of))
    unique_edges = {edge["id"]: edge for edge in edges}
    return BiolinkGraph(
        nodes=tuple(sorted(nodes.values(), key=lambda n: (n["category"][-1], n["id"]))),
        edges=tuple(
            sorted(unique_edges.values(), key=lambda e: (e["predicate"], e["subject"], e["id"]))
        ),
        prefixes=dict(sorted(ids.prefixes.items())),
    )


def _papers(
    store: PaperStore, ids: _Ids, nodes: dict[str, dict[str, Any]], node_of: dict[str, str]
) -> dict[str, _Cited]:
    """Add paper and journal nodes; return paper IRI -> how edges cite it."""
    rows: dict[str, dict[str, str]] = defaultdict(dict)
    for s in store.select("biolink-papers"):
        row = rows[term_text(s["paper"])]
        for name in (
            "title", "issued", "doi", "pmid", "pmcid", "design", "n", "journal",
            "journal_title", "volume", "issue", "pages",
        ):  # fmt: skip
            row[name] = row.get(name) or term_text(s[name])
    cited: dict[str, _Cited] = {}
    for iri, row in sorted(rows.items()):
        known = (("PMID", row["pmid"]), ("doi", row["doi"]), ("PMCID", row["pmcid"]))
        plain = [f"{prefix}:{value}" for prefix, value in known if value]
        if row["pmid"]:
            node_id = plain[0]
        elif row["doi"]:
            node_id = "doi:" + _encode_local(row["doi"])
        else:
            node_id = plain[0] if plain else ids.local(iri)
        node: dict[str, Any] = {
            "id": node_id,
            "category": ["biolink:Publication"],
            "name": row["title"] or node_id,
        }
        _put(node, "xref", plain)
        if row["journal"]:
            journal_id = ids.local(row["journal"])
            nodes.setdefault(
                journal_id,
                {
                    "id": journal_id,
                    "category": ["biolink:Serial"],
                    "name": row["journal_title"] or journal_id,
                },
            )
            node["published_in"] = journal_id
        for name in ("volume", "issue"):
            _put(node, name, row[name])
        _put(node, "pages", [row["pages"]] if row["pages"] else [])
        if re.fullmatch(r"\d{4}-\d\d-\d\d", row["issued"]):
            node["creation_date"] = row["issued"]
        if row["issued"][:4].isdigit():
            node["year"] = int(row["issued"][:4])
        _put(node, "study_design", row["design"].removeprefix(str(DESIGN._NS)))
        if row["n"]:
            node["sample_size"] = int(row["n"])
        nodes[node_id] = node
        node_of[iri] = node_id
        cited[iri] = _Cited(plain[0] if plain else node_id, node.get("sample_size"))
    return cited


def _finding_edges(
    store: PaperStore,
    findings: list[Any],
    concept: Any,
    node_of: dict[str, str],
    papers: dict[str, _Cited],
) -> list[dict[str, Any]]:
    """One edge per finding (tried for) and one per outcome that says what happened."""
    doses = _grouped(
        (term_text(s["finding"]), term_text(s["dose"])) for s in store.select("view-doses")
    )
    effects = _grouped(
        (term_text(s["finding"]), term_text(s["effect"]))
        for s in store.select("biolink-adverse-effects")
    )
    sentences: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for s in store.select("view-evidence"):
        tail = term_text(s["evidence"]).rsplit("/", 1)[-1]
        sentences[term_text(s["finding"])].append(
            (int(tail) if tail.isdigit() else 0, term_text(s["text"]))
        )
    results = _grouped(
        (term_text(s["finding"]), _result_line(s)) for s in store.select("view-results")
    )
    edges = []
    for s in findings:
        finding, paper = term_text(s["finding"]), term_text(s["paper"])
        outcome = term_text(s["outcome"]).removeprefix(str(OUTCOME._NS))
        design = term_text(s["design"]).removeprefix(str(DESIGN._NS))
        drug, condition = _end(node_of, concept(s["drug"])), _end(node_of, concept(s["condition"]))
        facts: dict[str, Any] = {
            "publications": [papers[paper].curie],
            "supporting_text": list(dict.fromkeys(text for _, text in sorted(sentences[finding]))),
            "finding_outcome": outcome,
            "study_design": design,
            "doses": doses.get(finding, []),
            "adverse_effects": effects.get(finding, []),
            "results": results.get(finding, []),
            "extractor": term_text(s["extractor"]),
            "sample_size": papers[paper].sample_size,
        }
        if s["confidence"] is not None:
            facts["extraction_confidence"] = float(term_text(s["confidence"]))
        study = (
            "biolink:in_clinical_trials_for" if design in _TRIALS else "biolink:studied_to_treat"
        )
        edges.append(_edge(finding, drug, study, condition, **facts))
        if outcome in _EFFECTS:
            predicate, negated = _EFFECTS[outcome]
            effect = _edge(_name_id("outcome", finding), drug, predicate, condition, **facts)
            if negated:
                effect["negated"] = True
            edges.append(effect)
    return edges


def _authorships(
    store: PaperStore, ids: _Ids, nodes: dict[str, dict[str, Any]], node_of: dict[str, str]
) -> list[dict[str, Any]]:
    """Author nodes, ``biolink:author`` edges, and each paper's ``authors`` names in order."""
    found: dict[str, dict[str, tuple[int, str]]] = defaultdict(dict)
    for s in store.select("view-authors"):
        position = int(term_text(s["position"])) if s["position"] is not None else 0
        found[term_text(s["paper"])][term_text(s["author"])] = (position, term_text(s["name"]))
    edges = []
    for paper, authors in sorted(found.items()):
        paper_id = _end(node_of, paper)
        ordered = sorted(authors.items(), key=lambda item: (item[1][0] or 10**6, item[0]))
        nodes[paper_id]["authors"] = [name for _, (_, name) in ordered]
        for author, (position, name) in ordered:
            author_id = ids.local(author)
            nodes.setdefault(
                author_id, {"id": author_id, "category": ["biolink:Agent"], "name": name}
            )
            edge = _edge(
                _name_id("author", paper, author),
                author_id,
                "biolink:author",
                paper_id,
                knowledge_level="knowledge_assertion",
                agent_type="manual_agent",
            )
            if position:
                edge["author_position"] = position
            edges.append(edge)
    return edges


# --- helpers ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Cited:
    """How edges cite a paper: its preferred plain CURIE, and its sample size."""

    curie: str
    sample_size: int | None


class _Ids:
    """CURIEs for IRIs under the store's base: ``<base>author/ann`` is ``paperkg.author:ann``."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.prefixes: dict[str, str] = {}

    def local(self, iri: str) -> str:
        folder, _, name = iri.removeprefix(self.base).rpartition("/")
        if not (iri.startswith(self.base) and folder and _LOCAL_NAME.fullmatch(name)):
            raise ExportError(iri, "has no CURIE for a Biolink export", "report it as a bug")
        prefix = "paperkg." + folder.replace("/", ".")
        self.prefixes[prefix] = f"{self.base}{folder}/"
        return f"{prefix}:{name}"


def _biolink_curie(curie: str) -> str:
    prefix, _, local = curie.partition(":")
    return f"{_BIOLINK_PREFIX.get(prefix, prefix)}:{local}"


def _encode_local(value: str) -> str:
    """Percent-encode what kgx does not take in a CURIE's local part (``/``, ``:``, space)."""
    return value.replace("%", "%25").replace("/", "%2F").replace(":", "%3A").replace(" ", "%20")


def _name_id(*parts: str) -> str:
    return f"urn:uuid:{uuid.uuid5(_EDGE_IDS, chr(31).join(parts))}"


def _end(node_of: dict[str, str], iri: str) -> str:
    """The node id of an edge's end; every end is a node, or the concept index is stale."""
    try:
        return node_of[iri]
    except KeyError:
        raise ExportError(
            iri, "is not in the concept index", "run 'paperkg build' to refresh it"
        ) from None


def _edge(edge_id: str, subject: str, predicate: str, obj: str, **facts: Any) -> dict[str, Any]:
    edge: dict[str, Any] = {
        "id": edge_id,
        "subject": subject,
        "predicate": predicate,
        "object": obj,
        "knowledge_level": "observation",
        "agent_type": "text_mining_agent",
        "primary_knowledge_source": KNOWLEDGE_SOURCE,
    }
    for name, value in facts.items():
        _put(edge, name, value)
    return edge


def _put(record: dict[str, Any], name: str, value: Any) -> None:
    """Set a property unless the value is empty (KGX leaves absent what is not known)."""
    if value is not None and value not in ("", []):
        record[name] = value


def _grouped(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, set[str]] = defaultdict(set)
    for key, value in pairs:
        if value:
            grouped[key].add(value)
    return {key: sorted(values) for key, values in grouped.items()}


def _distinct_names(names: list[str], name: str) -> list[str]:
    """The names but ``name``, each once however it is capitalised (the first spelling kept)."""
    seen = {name.casefold()}
    kept = []
    for other in names:
        if other.casefold() not in seen:
            seen.add(other.casefold())
            kept.append(other)
    return kept


def _result_line(s: Any) -> str:
    """One result as text: "primary · pain vs placebo: decreased, favours intervention"."""
    kind = "primary" if term_text(s["primary"]) == "true" else "secondary"
    against = f" vs {term_text(s['comparator'])}" if term_text(s["comparator"]) else ""
    direction = term_text(s["direction"]).rsplit("/", 1)[-1].replace("_", " ")
    side = term_text(s["favours"]).rsplit("/", 1)[-1]
    return f"{kind} · {term_text(s['endpoint'])}{against}: {direction}, favours {side}"
